/*
 * test_summary.c: when the secretariat's summary falls due (summary.c),
 * as a table: daily and weekly, before and after the hour, the last one
 * yesterday or today, and the summer-time changes in Copenhagen. Times
 * in are local; the expected slot is UTC, so that a fixed offset fails.
 * Then the store's queries (store_summary.c) and summary_run() on a real
 * SQLite file: one per period, none when nothing happened.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "conf.h"
#include "env.h"
#include "ical.h"
#include "store.h"
#include "summary.h"
#include "tmpl.h"
#include "util.h"

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

static void
test_due(void)
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
}

/* The period is [100, 200): rows at 200 belong to the next one. */
static void
test_queries(struct store *st)
{
	struct summary_row	*v = NULL;
	size_t			 n = 0, i;

	CHECK(store_audit(st, "a@x.dk", "joined", "Anna", 100) == 0);
	CHECK(store_audit(st, "a@x.dk", "posted", "Nyt", 150) == 0);
	CHECK(store_audit(st, "b@x.dk", "paused", "5.1.1", 199) == 0);
	CHECK(store_audit(st, "c@x.dk", "left", NULL, 200) == 0);
	CHECK(store_summary_members(st, 100, 200, &v, &n) == 0 && n == 2);
	if (n == 2) {
		CHECK_STR(v[0].what, "joined");
		CHECK_STR(v[0].why, "Anna");
		CHECK_STR(v[1].who, "b@x.dk");
		CHECK_STR(v[1].what, "paused");
	}
	summary_rows_free(v, n);

	/* an import is one row with its count; past the cap, one "more" */
	for (i = 0; i < 3; i++)
		CHECK(store_audit(st, "imp@x.dk", "imported", NULL, 300) == 0);
	CHECK(store_summary_members(st, 300, 400, &v, &n) == 0 && n == 1);
	if (n == 1) {
		CHECK_STR(v[0].what, "imported");
		CHECK_STR(v[0].why, "3");
	}
	summary_rows_free(v, n);
	for (i = 0; i < 205; i++)
		CHECK(store_audit(st, "p@x.dk", "paused", "5.1.1", 500) == 0);
	CHECK(store_summary_members(st, 500, 600, &v, &n) == 0 && n == 201);
	if (n == 201) {
		CHECK_STR(v[199].what, "paused");
		CHECK_STR(v[200].what, SUMMARY_MORE);
		CHECK_STR(v[200].why, "5");
	}
	summary_rows_free(v, n);

	CHECK(store_inbox_add(st, "k1", 1, 1, "d@x.dk", "Hjælp", "none",
	    "park", "Manuel", "failed 3 times", 150) == 0);
	CHECK(store_inbox_add(st, "k2", 1, 2, "e@x.dk", "HJÆLP", "help",
	    "done", "Done", NULL, 150) == 0);
	CHECK(store_summary_held(st, 100, 200, &v, &n) == 0 && n == 1);
	if (n == 1) {
		CHECK_STR(v[0].who, "d@x.dk");
		CHECK_STR(v[0].what, "Hjælp");
		CHECK_STR(v[0].why, "failed 3 times");
	}
	summary_rows_free(v, n);

	/* given up; withdrawn (no problem); waiting with an error; sent */
	CHECK(store_outbox_add(st, "n@x.dk", "f@x.dk", "m1", "reply", NULL, "x", 1,
	    120) == 0);
	CHECK(store_outbox_add(st, "n@x.dk", "g@x.dk", "m2", "notice", NULL, "x",
	    1, 120) == 0);
	CHECK(store_outbox_add(st, "n@x.dk", "h@x.dk", "m3", "reply", NULL, "x", 1,
	    120) == 0);
	CHECK(store_outbox_add(st, "n@x.dk", "i@x.dk", "m4", "reply", NULL, "x", 1,
	    120) == 0);
	CHECK(store_outbox_failed(st, 1, 150, "550 no such user") == 0);
	CHECK(store_outbox_withdraw(st, "m2", 150, "not sent: IMAP works "
	    "again") == 1);
	CHECK(store_outbox_retry(st, 3, 9999, "421 try later") == 0);
	CHECK(store_outbox_sent(st, 4, 150) == 0);
	CHECK(store_summary_failed(st, 100, 200, &v, &n) == 0 && n == 2);
	if (n == 2) {	/* by time: the waiting one since it was queued */
		CHECK_STR(v[0].who, "h@x.dk");
		CHECK_STR(v[0].why, "421 try later");
		CHECK_STR(v[1].who, "f@x.dk");
		CHECK_STR(v[1].why, "550 no such user");
	}
	summary_rows_free(v, n);
	CHECK(store_summary_failed(st, 200, 300, &v, &n) == 0 && n == 1);
	summary_rows_free(v, n);
}

/*
 * summary_run: due with news, queued to both addresses with its mark;
 * not again in the same period; the next day, with only the mail that
 * still waits fixed, nothing happened: none, but marked.
 */
static void
test_run(struct store *st)
{
	struct conf	 c;
	struct tmpls	*t = NULL;
	char		*secretariat[] = { "s1@x.dk", "s2@x.dk", NULL };
	char		*v = NULL, err[256];
	time_t		 now, at;
	int64_t		 n = 0;

	CHECK(tmpl_load("templates", &t, err, sizeof(err)) == 0);
	memset(&c, 0, sizeof(c));
	c.name = "Netværket";
	c.address = "n@x.dk";
	c.secretariat = secretariat;
	c.language = "da";
	c.timezone = "Europe/Copenhagen";
	c.hold_folder = "Manuel";
	c.summary = SUMMARY_DAILY;
	c.summary_hour = 7;
	CHECK(ical_local_to_utc(c.timezone, "2026-12-03 07:00", &now) == 0);
	CHECK(store_audit(st, "j@x.dk", "joined", "Jens", now - 60) == 0);
	CHECK(summary_run(&(const struct env){ &c, t, st, NULL }, now) == 1);
	CHECK(store_outbox_count_to(st, "s1@x.dk", "notice", 0, &n) == 0 &&
	    n == 1);
	CHECK(store_outbox_count_to(st, "s2@x.dk", "notice", 0, &n) == 0 &&
	    n == 1);
	CHECK(store_state_get(st, "summary", &v, &at) == 1 && at == now);
	CHECK_STR(v, "sent");
	free(v);
	CHECK(
	    summary_run(&(const struct env){&c, t, st, NULL}, now + 3600) == 0);
	CHECK(store_outbox_count_to(st, "s1@x.dk", "notice", 0, &n) == 0 &&
	    n == 1);
	CHECK(store_outbox_sent(st, 3, now) == 0);	/* the waiting one */
	CHECK(summary_run(&(const struct env){&c, t, st, NULL}, now + 86400) ==
	    0);
	CHECK(store_state_get(st, "summary", &v, &at) == 1 &&
	    at == now + 86400);
	CHECK_STR(v, "nothing");
	free(v);
	CHECK(store_outbox_count_to(st, "s1@x.dk", "notice", 0, &n) == 0 &&
	    n == 1);
	c.summary = SUMMARY_OFF;
	CHECK(store_audit(st, "k@x.dk", "joined", "Kim", now + 86400) == 0);
	CHECK(summary_run(
		  &(const struct env){&c, t, st, NULL}, now + 2 * 86400) == 0);
	CHECK(store_outbox_count_to(st, "s1@x.dk", "notice", 0, &n) == 0 &&
	    n == 1);
	tmpl_free(t);
}

int
main(void)
{
	struct store	*st = NULL;
	char		 path[] = "/tmp/ffnet-test-summary.XXXXXX", err[256];
	char		*db;
	int		 fd;

	test_due();
	CHECK((fd = mkstemp(path)) != -1);
	close(fd);
	db = xasprintf("%s.db", path);
	CHECK(store_open(db, &st, err, sizeof(err)) == 0);
	if (st != NULL) {
		test_queries(st);
		test_run(st);
	}
	store_close(st);
	unlink(path);
	unlink(db);
	free(db);
	return check_done("test_summary");
}
