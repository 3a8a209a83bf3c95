/*
 * test_summary.c: when the secretariat's summary falls due (summary.c),
 * as a table: daily and weekly, before and after the hour, the last one
 * yesterday or today, and the summer-time changes in Copenhagen. Times
 * in are local; the expected slot is UTC, so that a fixed offset fails.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "conf.h"
#include "ical.h"
#include "summary.h"

static const struct {
	enum summary_mode	 mode;
	int			 hour;
	const char		*last;	/* local; NULL: never */
	const char		*now;	/* local */
	int			 due;
	const char		*slot;	/* UTC; NULL: none */
} cases[] = {
	/* daily at 7 (December: UTC+1); 2026-12-03 is a Thursday */
	{ SUMMARY_DAILY, 7, NULL, "2026-12-03 06:59", 1, "2026-12-02 06:00" },
	{ SUMMARY_DAILY, 7, "2026-12-02 07:00", "2026-12-03 06:59", 0,
	    "2026-12-02 06:00" },
	{ SUMMARY_DAILY, 7, "2026-12-02 07:00", "2026-12-03 07:00", 1,
	    "2026-12-03 06:00" },
	{ SUMMARY_DAILY, 7, "2026-12-03 07:01", "2026-12-03 12:00", 0,
	    "2026-12-03 06:00" },
	/* down at 7: due when it comes back, once */
	{ SUMMARY_DAILY, 7, "2026-12-02 07:05", "2026-12-03 12:00", 1,
	    "2026-12-03 06:00" },
	{ SUMMARY_DAILY, 7, "2026-12-03 12:00", "2026-12-03 23:59", 0,
	    "2026-12-03 06:00" },
	{ SUMMARY_DAILY, 0, "2026-12-02 00:00", "2026-12-03 00:00", 1,
	    "2026-12-02 23:00" },
	{ SUMMARY_DAILY, 23, "2026-12-02 23:00", "2026-12-03 22:59", 0,
	    "2026-12-02 22:00" },
	/* weekly: Mondays at 7 (2026-11-30 and 2026-12-07) */
	{ SUMMARY_WEEKLY, 7, NULL, "2026-12-03 12:00", 1, "2026-11-30 06:00" },
	{ SUMMARY_WEEKLY, 7, "2026-11-30 07:00", "2026-12-03 12:00", 0,
	    "2026-11-30 06:00" },
	{ SUMMARY_WEEKLY, 7, "2026-11-30 07:00", "2026-12-06 23:59", 0,
	    "2026-11-30 06:00" },
	{ SUMMARY_WEEKLY, 7, "2026-11-30 07:00", "2026-12-07 06:59", 0,
	    "2026-11-30 06:00" },
	{ SUMMARY_WEEKLY, 7, "2026-11-30 07:00", "2026-12-07 07:00", 1,
	    "2026-12-07 06:00" },
	{ SUMMARY_WEEKLY, 7, "2026-11-23 07:00", "2026-11-30 06:00", 0,
	    "2026-11-23 06:00" },
	/* spring: 2026-03-29 02:00 becomes 03:00, 7 o'clock is 05:00 UTC */
	{ SUMMARY_DAILY, 7, "2026-03-28 07:00", "2026-03-29 07:00", 1,
	    "2026-03-29 05:00" },
	{ SUMMARY_DAILY, 7, "2026-03-28 07:00", "2026-03-29 06:59", 0,
	    "2026-03-28 06:00" },
	/* the skipped hour: the first one after it */
	{ SUMMARY_DAILY, 2, "2026-03-28 02:00", "2026-03-29 03:00", 1,
	    "2026-03-29 01:00" },
	{ SUMMARY_WEEKLY, 7, "2026-03-23 07:00", "2026-03-30 07:00", 1,
	    "2026-03-30 05:00" },
	/* autumn: 2026-10-25 03:00 becomes 02:00, 7 o'clock is 06:00 UTC */
	{ SUMMARY_DAILY, 7, "2026-10-24 07:00", "2026-10-25 06:59", 0,
	    "2026-10-24 05:00" },
	{ SUMMARY_DAILY, 7, "2026-10-24 07:00", "2026-10-25 07:00", 1,
	    "2026-10-25 06:00" },
	/* off: never */
	{ SUMMARY_OFF, 7, NULL, "2026-12-03 12:00", 0, NULL },
};

/* "YYYY-MM-DD HH:MM" UTC. */
static time_t
utc(const char *s)
{
	struct tm	 tm;

	memset(&tm, 0, sizeof(tm));
	if (strptime(s, "%Y-%m-%d %H:%M", &tm) == NULL)
		return -1;
	return timegm(&tm);
}

int
main(void)
{
	struct conf	 c;
	time_t		 now, last;
	size_t		 i;
	int		 ok;

	memset(&c, 0, sizeof(c));
	c.timezone = "Europe/Copenhagen";
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		c.summary = cases[i].mode;
		c.summary_hour = cases[i].hour;
		last = 0;
		CHECK(ical_local_to_utc(c.timezone, cases[i].now, &now) == 0);
		CHECK(cases[i].last == NULL ||
		    ical_local_to_utc(c.timezone, cases[i].last, &last) == 0);
		ok = summary_is_due(&c, last, now) == (cases[i].due != 0) &&
		    summary_slot(&c, now) == (cases[i].slot ?
		    utc(cases[i].slot) : 0);
		if (!ok)
			fprintf(stderr, "case %zu: %s, last %s: due %d, slot "
			    "%lld, want %s\n", i, cases[i].now,
			    cases[i].last ? cases[i].last : "never",
			    summary_is_due(&c, last, now),
			    (long long)summary_slot(&c, now),
			    cases[i].slot ? cases[i].slot : "none");
		CHECK(ok);
	}
	return check_done("test_summary");
}
