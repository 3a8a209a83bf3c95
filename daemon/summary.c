/*
 * summary.c: the secretariat's summary, daily or weekly ([secretariat]
 * summary, summary_hour): who joined, left or was paused, the coming
 * meetings' seats, new ideas, mail held for a person and sending
 * problems since the last summary. main.c calls summary_run() at most
 * once a minute (with the reminders) and in ffnet once; "ffnet summary"
 * shows or queues it at a given time. The mail and the "summary" row
 * of the state table commit in one transaction: one per period, across
 * crashes and restarts. A period in which nothing happened sends none.
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "compose.h"
#include "conf.h"
#include "env.h"
#include "ical.h"
#include "log.h"
#include "store.h"
#include "summary.h"
#include "tmpl.h"
#include "util.h"

#define SUMMARY_KEY	"summary"	/* state: when the last was made */
#define SUMMARY_DAY	(24 * 60 * 60)

/* One summary being written: its period and its text. */
struct summary {
	struct store		*st;
	const struct conf	*conf;
	const struct tmpls	*t;
	time_t			 since;
	time_t			 until;
	struct buf		 text;		/* the sections */
	int			 events;	/* what counts as news */
};

static time_t	 summary_at_hour(const struct conf *, int, int, int);
static time_t	 summary_period(const struct conf *);
static void	 summary_add(struct summary *, struct buf *, const char *,
		    const struct tvar *);
static void	 summary_section(struct summary *, struct buf *);
static const char *summary_member_tmpl(const struct summary_row *, bool *);
static int	 summary_count_row(struct summary *, struct buf *,
		    const struct summary_row *);
static int	 summary_members(struct summary *);
static int	 summary_meetings(struct summary *);
static int	 summary_ideas(struct summary *);
static int	 summary_rows(struct summary *, const char *,
		    int (*)(struct store *, time_t, time_t,
		    struct summary_row **, size_t *));
static int	 summary_build(struct summary *);
static void	 summary_vars(const struct summary *, char *, size_t, char *,
		    size_t, struct tvar *);

/*
 * The instant of local date y-m-d (normalised: day may be 0 or less) at
 * hour in the network's zone. An hour that the spring change skips
 * (02:00 in Copenhagen) is the first one after it. 0 if none.
 */
static time_t
summary_at_hour(const struct conf *c, int y, int m, int d)
{
	struct tm	 tm;
	char		 s[64];
	time_t		 t, noon;
	int		 h;

	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = m - 1;
	tm.tm_mday = d;
	tm.tm_hour = 12;
	noon = timegm(&tm);	/* calendar arithmetic only */
	if (gmtime_r(&noon, &tm) == NULL)
		return 0;
	for (h = c->summary_hour; h < 24; h++) {
		snprintf(s, sizeof(s), "%04d-%02d-%02d %02d:00",
		    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, h);
		if (ical_local_to_utc(c->timezone, s, &t) == 0)
			return t;
	}
	return 0;
}

time_t
summary_slot(const struct conf *c, time_t now)
{
	time_t	 t;
	int	 y, m, d, wd, back, step, i;

	if (c->summary == SUMMARY_OFF)
		return 0;
	ical_local_date(c->timezone, now, &y, &m, &d, &wd);
	step = c->summary == SUMMARY_WEEKLY ? 7 : 1;
	back = c->summary == SUMMARY_WEEKLY ? wd : 0;
	for (i = 0; i < 3; i++, back += step)
		if ((t = summary_at_hour(c, y, m, d - back)) != 0 && t <= now)
			return t;
	return 0;
}

bool
summary_is_due(const struct conf *c, time_t last, time_t now)
{
	time_t	 slot = summary_slot(c, now);

	return slot != 0 && last < slot;
}

/* The length of a period, for the first summary. */
static time_t
summary_period(const struct conf *c)
{
	return (c->summary == SUMMARY_WEEKLY ? 7 : 1) * SUMMARY_DAY;
}

/*
 * One line: an item template's body, indented. The template's Subject
 * is its section's heading; the first line of a section sets it.
 */
static void
summary_add(struct summary *s, struct buf *lines, const char *tmpl,
    const struct tvar *vars)
{
	char	*subject = NULL, *body = NULL;

	if (tmpl_render(s->t, s->conf->language, tmpl, vars, &subject,
	    &body) == -1) {
		log_warnx("no template %s/%s", s->conf->language, tmpl);
		return;
	}
	if (lines->len == 0)
		buf_addf(lines, "%s\n", util_trim(subject));
	buf_addf(lines, "  %s\n", util_trim(body));
	free(subject);
	free(body);
}

/* A section with lines goes into the text, a blank line after it. */
static void
summary_section(struct summary *s, struct buf *lines)
{
	if (lines->len > 0)
		buf_addf(&s->text, "%s\n", lines->data);
	buf_clear(lines);
}

/*
 * The template of a membership event: the secretariat's own acts
 * (member add, pause, resume, remove: detail "secretariat") have their
 * own words; a pause for bounces says so.
 */
static const char *
summary_member_tmpl(const struct summary_row *r, bool *by_sek)
{
	static const struct {
		const char	*action, *tmpl, *tmpl_sek;
	} map[] = {
		{ "joined",	"summary.joined",	"summary.joined" },
		{ "added",	"summary.added",	"summary.added" },
		{ "left",	"summary.left",		"summary.left" },
		{ "paused",	"summary.paused",	"summary.paused.secretariat" },
		{ "resumed",	"summary.resumed",	"summary.resumed.secretariat" },
		{ "removed",	"summary.removed",	"summary.removed" },
	};
	size_t	 i;

	*by_sek = r->why != NULL && strcmp(r->why, "secretariat") == 0;
	for (i = 0; i < nitems(map); i++)
		if (strcmp(r->what, map[i].action) == 0)
			return *by_sek ? map[i].tmpl_sek : map[i].tmpl;
	return NULL;
}

/*
 * A row that stands for many: an imported list (its count as why) or
 * the rows past the cap. 1 when r was one and is written, else 0.
 */
static int
summary_count_row(struct summary *s, struct buf *lines,
    const struct summary_row *r)
{
	const struct tvar	 vars[] = { { "count", r->why ? r->why : "?" },
	    { NULL, NULL } };

	if (strcmp(r->what, "imported") == 0)
		summary_add(s, lines, "summary.imported", vars);
	else if (strcmp(r->what, SUMMARY_MORE) == 0)
		summary_add(s, lines, "summary.more", vars);
	else
		return 0;
	return 1;
}

static int
summary_members(struct summary *s)
{
	struct summary_row	*v = NULL;
	struct buf		 lines;
	char			*who, *why;
	size_t			 n = 0, i;
	const char		*tmpl;
	bool			 by_sek;

	if (store_summary_members(s->st, s->since, s->until, &v, &n) == -1)
		return -1;
	buf_init(&lines);
	for (i = 0; i < n; i++) {
		if (summary_count_row(s, &lines, &v[i]))
			continue;
		if ((tmpl = summary_member_tmpl(&v[i], &by_sek)) == NULL)
			continue;
		/* joined, added: the detail is the name; else the reason */
		if ((strcmp(v[i].what, "joined") == 0 ||
		    strcmp(v[i].what, "added") == 0) && v[i].why != NULL &&
		    *v[i].why != '\0') {
			who = xasprintf("%s <%s>", v[i].why, v[i].who);
			why = xstrdup("");
		} else {
			who = xstrdup(v[i].who ? v[i].who : "-");
			why = !by_sek && v[i].why != NULL && *v[i].why != '\0' ?
			    xasprintf(" (%s)", v[i].why) : xstrdup("");
		}
		{
			const struct tvar vars[] = { { "who", who },
			    { "why", why }, { NULL, NULL } };

			summary_add(s, &lines, tmpl, vars);
		}
		free(who);
		free(why);
	}
	s->events += (int)n;
	summary_section(s, &lines);
	summary_rows_free(v, n);
	return 0;
}

/* Every coming meeting's seats; new registrations are news. */
static int
summary_meetings(struct summary *s)
{
	struct meeting	*v = NULL;
	struct buf	 lines;
	char		*when, num[4][24];
	int64_t		 fresh;
	size_t		 n = 0, i;
	int		 rc = -1;

	buf_init(&lines);
	if (store_meeting_list(s->st, s->until, &v, &n) == -1)
		goto out;
	for (i = 0; i < n; i++) {
		if (strcmp(v[i].status, "planned") != 0 ||
		    v[i].start < s->until)
			continue;
		if (store_summary_regs(s->st, v[i].id, s->since, s->until,
		    &fresh) == -1)
			goto out;
		s->events += (int)fresh;
		snprintf(num[0], sizeof(num[0]), "%d", v[i].taken);
		snprintf(num[1], sizeof(num[1]), "%d", v[i].capacity -
		    v[i].taken > 0 ? v[i].capacity - v[i].taken : 0);
		snprintf(num[2], sizeof(num[2]), "%d", v[i].waiting);
		snprintf(num[3], sizeof(num[3]), "%lld", (long long)fresh);
		when = ical_when_dup(s->conf->timezone, v[i].start,
		    s->conf->language, false);
		{
			const struct tvar vars[] = { { "code", v[i].code },
			    { "title", v[i].title }, { "when", when },
			    { "taken", num[0] }, { "free", num[1] },
			    { "waiting", num[2] }, { "new", num[3] },
			    { NULL, NULL } };

			summary_add(s, &lines, "summary.meeting", vars);
		}
		free(when);
	}
	rc = 0;
 out:
	summary_section(s, &lines);
	meetings_free(v, n);
	return rc;
}

static int
summary_ideas(struct summary *s)
{
	struct idea	*v = NULL;
	struct buf	 lines;
	char		 num[24];
	size_t		 n = 0, i;

	if (store_idea_list(s->st, false, &v, &n) == -1)
		return -1;
	buf_init(&lines);
	for (i = 0; i < n; i++) {
		if (v[i].created < s->since || v[i].created >= s->until)
			continue;
		snprintf(num, sizeof(num), "%lld", (long long)v[i].id);
		{
			const struct tvar vars[] = { { "number", num },
			    { "title", v[i].title }, { "who", v[i].author },
			    { NULL, NULL } };

			summary_add(s, &lines, "summary.idea", vars);
		}
		s->events++;
	}
	summary_section(s, &lines);
	ideas_free(v, n);
	return 0;
}

/* Held mail or sending problems: tmpl with who, what, why per row. */
static int
summary_rows(struct summary *s, const char *tmpl,
    int (*get)(struct store *, time_t, time_t, struct summary_row **,
    size_t *))
{
	struct summary_row	*v = NULL;
	struct buf		 lines;
	size_t			 n = 0, i;

	if (get(s->st, s->since, s->until, &v, &n) == -1)
		return -1;
	buf_init(&lines);
	for (i = 0; i < n; i++) {
		const struct tvar vars[] = {
		    { "who", v[i].who ? v[i].who : "-" },
		    { "what", v[i].what && *v[i].what ? v[i].what : "-" },
		    { "why", v[i].why && *v[i].why ? v[i].why : "-" },
		    { "folder", s->conf->hold_folder }, { NULL, NULL } };

		if (!summary_count_row(s, &lines, &v[i]))
			summary_add(s, &lines, tmpl, vars);
	}
	s->events += (int)n;
	summary_section(s, &lines);
	summary_rows_free(v, n);
	return 0;
}

/*
 * The sections, in s->text. 1 when something happened (the seats of
 * the coming meetings alone are no news), 0 when not, -1 on error.
 */
static int
summary_build(struct summary *s)
{
	buf_init(&s->text);
	s->events = 0;
	if (summary_members(s) == -1 || summary_meetings(s) == -1 ||
	    summary_ideas(s) == -1 ||
	    summary_rows(s, "summary.held", store_summary_held) == -1 ||
	    summary_rows(s, "summary.failed", store_summary_failed) == -1)
		return -1;
	return s->events > 0 ? 1 : 0;
}

/* The frame's variables: the period, the sections, the network. */
static void
summary_vars(const struct summary *s, char *from, size_t fromlen,
    char *until, size_t untillen, struct tvar *vars)
{
	char	*f, *u;

	f = ical_when_dup(s->conf->timezone, s->since, s->conf->language,
	    false);
	u = ical_when_dup(s->conf->timezone, s->until, s->conf->language,
	    false);
	snprintf(from, fromlen, "%s", f);
	snprintf(until, untillen, "%s", u);
	free(f);
	free(u);
	vars[0] = (struct tvar){ "from", from };
	vars[1] = (struct tvar){ "until", until };
	vars[2] = (struct tvar){ "sections", s->text.data ? s->text.data :
	    "" };
	vars[3] = (struct tvar){ "network", s->conf->name };
	vars[4] = (struct tvar){ "address", s->conf->address };
	vars[5] = (struct tvar){ NULL, NULL };
}

int
summary_run(const struct env *e, time_t now)
{
	struct store		*st = e->st;
	const struct conf	*c = e->conf;
	const struct tmpls	*t = e->tmpls;
	struct summary	 s;
	struct tvar	 vars[6];
	char		*last = NULL, from[128], until[128];
	time_t		 at;
	int		 r, rc = -1;

	memset(&s, 0, sizeof(s));
	buf_init(&s.text);
	if (c->summary == SUMMARY_OFF)
		return 0;
	/* IMMEDIATE: a second ffnet cannot read the same "last" meanwhile */
	if (store_begin(st) == -1 ||
	    (r = store_state_get(st, SUMMARY_KEY, &last, &at)) == -1)
		goto out;
	if (!summary_is_due(c, r == 1 ? at : 0, now)) {
		rc = 0;
		goto out;
	}
	s.st = st;
	s.conf = c;
	s.t = t;
	s.since = r == 1 ? at : now - summary_period(c);
	s.until = now;
	if ((r = summary_build(&s)) == -1)
		goto out;
	summary_vars(&s, from, sizeof(from), until, sizeof(until), vars);
	/* to every secretariat address, as the handlers' notices go */
	if (r == 1 && compose_secretariat(e, "summary", vars,
	    now) == -1)
		goto out;
	if (store_state_set(st, SUMMARY_KEY, r == 1 ? "sent" : "nothing",
	    now) == -1 || store_commit(st) == -1)
		goto out;
	if (r == 1)
		log_info("summary: queued to the secretariat, from %s to %s",
		    from, until);
	else
		log_info("summary: nothing happened from %s to %s; none sent",
		    from, until);
	rc = r;
 out:
	store_rollback(st);	/* after the commit: nothing to undo */
	free(last);
	buf_clear(&s.text);
	return rc;
}

/*
 * ffnet summary [--now "YYYY-MM-DD HH:MM"] [--print]: --print shows
 * the summary since the last one, recording nothing; else it is queued
 * if due then, as the daemon would. Exit code.
 */
int
summary_main(const struct env *e, int argc, char **argv)
{
	struct store		*st = e->st;
	const struct conf	*c = e->conf;
	const struct tmpls	*t = e->tmpls;
	static const struct option opts[] = {
		{ "now",	 required_argument, NULL, 'n' },
		{ "print",	 no_argument,	    NULL, 'p' },
		{ NULL, 0, NULL, 0 },
	};
	struct summary	 s;
	struct tvar	 vars[6];
	char		*last = NULL, *subject = NULL, *body = NULL;
	char		 from[128], until[128];
	time_t		 now = time(NULL), at;
	bool		 print = false;
	int		 ch, r, rc = 1;

	memset(&s, 0, sizeof(s));
	buf_init(&s.text);
	optind = 1;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (ch == 'p')
			print = true;
		else if (ch != 'n' ||
		    ical_local_to_utc(c->timezone, optarg, &now) == -1)
			goto usage;
	}
	if (optind != argc)
		goto usage;
	if (!print) {
		if ((r = summary_run(e, now)) == -1)
			goto out;
		if (r == 0)
			fprintf(stderr, "summary: none queued (not due, off, "
			    "or nothing happened)\n");
		rc = 0;
		goto out;
	}
	if ((r = store_state_get(st, SUMMARY_KEY, &last, &at)) == -1)
		goto out;
	s.st = st;
	s.conf = c;
	s.t = t;
	s.since = r == 1 && at < now ? at : now - summary_period(c);
	s.until = now;
	if ((r = summary_build(&s)) == -1)
		goto out;
	summary_vars(&s, from, sizeof(from), until, sizeof(until), vars);
	if (r == 0)
		fprintf(stderr, "summary: nothing happened from %s to %s\n",
		    from, until);
	else if (tmpl_render(t, c->language, "summary", vars, &subject,
	    &body) == 0)
		printf("Subject: %s\n\n%s", subject, body);
	else
		goto out;
	rc = 0;
	goto out;
 usage:
	fprintf(stderr, "usage: ffnet -c file summary [--now "
	    "\"YYYY-MM-DD HH:MM\"] [--print]\n");
	rc = 2;
 out:
	free(last);
	free(subject);
	free(body);
	buf_clear(&s.text);
	return rc;
}
