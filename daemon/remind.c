/*
 * remind.c: reminders before a meeting. main.c calls remind_run() once
 * a round, just before the outbox drain. For each planned meeting that
 * starts within [meetings] reminder_days, each registered participant
 * gets remind.member (in their language) and the host company's contact
 * gets remind.host (in the network's). Every mail commits together with
 * its "reminded" mark, in one transaction, so each goes out once.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compose.h"
#include "conf.h"
#include "env.h"
#include "ical.h"
#include "log.h"
#include "remind.h"
#include "store.h"
#include "tmpl.h"
#include "util.h"

#define REMIND_DAY	(24 * 60 * 60)

static int	 remind_meeting(const struct env *, const struct meeting *,
		    time_t, int *);
static int	 remind_member(const struct env *, const struct meeting *,
		    const struct registration *, time_t);
static int	 remind_host(const struct env *, const struct meeting *,
		    const struct registration *, size_t, time_t);
static char	*remind_notes_dup(const struct registration *, size_t);

int
remind_run(const struct env *e, time_t now)
{
	struct store		*st = e->st;
	const struct conf	*conf = e->conf;
	struct meeting	*v = NULL;
	size_t		 n = 0, i;
	time_t		 until;
	int		 queued = 0, rc = -1;

	if (conf->reminder_days == 0)
		return 0;
	until = now + (time_t)conf->reminder_days * REMIND_DAY;
	if (store_begin(st) == -1 ||
	    store_meeting_remind_due(st, now, until, &v, &n) == -1)
		goto out;
	for (i = 0; i < n; i++)
		if (remind_meeting(e, &v[i], now, &queued) == -1)
			goto out;
	if (store_commit(st) == -1)
		goto out;
	rc = queued;
 out:
	if (rc == -1)
		store_rollback(st);
	meetings_free(v, n);
	return rc;
}

/*
 * One meeting: the participants not reminded yet, then the host's
 * contact if not told yet. A mark that is already set (1 vs 0 from the
 * store) means someone was quicker: nothing is queued for it.
 */
static int
remind_meeting(const struct env *e, const struct meeting *m, time_t now,
    int *queued)
{
	struct store		*st = e->st;
	struct registration	*v = NULL;
	size_t			 n = 0, i;
	int			 r, sent = 0, rc = -1;

	if (store_reg_list(st, m->id, "registered", &v, &n) == -1)
		goto out;
	for (i = 0; i < n; i++) {
		if (v[i].reminded != 0)
			continue;
		if ((r = store_reg_set_reminded(st, v[i].id, now)) == -1 ||
		    (r == 1 && remind_member(e, m, &v[i], now) == -1))
			goto out;
		sent += r;
	}
	if (m->host_contact != NULL && *m->host_contact != '\0') {
		if ((r = store_meeting_set_reminded(st, m->id, now)) == -1 ||
		    (r == 1 && remind_host(e, m, v, n, now) == -1))
			goto out;
		sent += r;
	}
	if (sent > 0)
		log_info("%s: %d reminder%s queued", m->code, sent,
		    sent == 1 ? "" : "s");
	*queued += sent;
	rc = 0;
 out:
	if (rc == -1)
		log_warnx("%s: reminders not queued", m->code);
	registrations_free(v, n);
	return rc;
}

/* The participant's reminder: place, time and host, in their language. */
static int
remind_member(const struct env *e, const struct meeting *m,
    const struct registration *g, time_t now)
{
	struct store		*st = e->st;
	const struct conf	*conf = e->conf;
	struct member	 mem;
	struct outmail	 o;
	char		*when = NULL, *until = NULL;
	const char	*lang = conf->language, *name;
	int		 r, rc = -1;

	if ((r = store_member_get(st, g->addr, &mem)) == -1)
		goto out;
	if (r == 1 && mem.lang != NULL && (strcmp(mem.lang, "da") == 0 ||
	    strcmp(mem.lang, "en") == 0))
		lang = mem.lang;
	name = g->name ? g->name : mem.name;
	when = ical_when_dup(conf->timezone, m->start, lang, false);
	until = ical_when_dup(conf->timezone, m->end, lang, true);
	{
		const struct tvar v[] = { { "code", m->code },
		    { "title", m->title }, { "when", when }, { "until", until },
		    { "place", m->place ? m->place : "" },
		    { "host", m->host ? m->host : "" },
		    { "name", name ? name : "" }, { NULL, NULL } };

		memset(&o, 0, sizeof(o));
		o.to = g->addr;
		o.to_name = name;
		o.lang = lang;
		o.tmpl = "remind.member";
		o.vars = v;
		o.kind = "reminder";
		rc = compose_mail(e, &o, now, NULL);
	}
 out:
	free(when);
	free(until);
	member_clear(&mem);
	return rc;
}

/* The host contact's mail: how many come, and what they wrote. */
static int
remind_host(const struct env *e, const struct meeting *m,
    const struct registration *v, size_t n, time_t now)
{
	const struct conf	*conf = e->conf;
	struct outmail	 o;
	char		*when, *until, *notes, count[32];
	int		 rc;

	snprintf(count, sizeof(count), "%zu", n);
	when = ical_when_dup(conf->timezone, m->start, conf->language, false);
	until = ical_when_dup(conf->timezone, m->end, conf->language, true);
	notes = remind_notes_dup(v, n);
	{
		const struct tvar vars[] = { { "code", m->code },
		    { "title", m->title }, { "when", when }, { "until", until },
		    { "place", m->place ? m->place : "" },
		    { "host", m->host ? m->host : "" }, { "count", count },
		    { "notes", notes }, { NULL, NULL } };

		memset(&o, 0, sizeof(o));
		o.to = m->host_contact;
		o.lang = conf->language;
		o.tmpl = "remind.host";
		o.vars = vars;
		o.kind = "reminder";
		rc = compose_mail(e, &o, now, NULL);
	}
	free(when);
	free(until);
	free(notes);
	return rc;
}

/*
 * Every line of the registrations' notes (diet and the like) as
 * "  - line", without the names: the host needs to know what to serve,
 * not who asked. "-" when there are none. Caller frees.
 */
static char *
remind_notes_dup(const struct registration *v, size_t n)
{
	struct buf	 b;
	char		*copy, *line, *save = NULL;
	size_t		 i;

	buf_init(&b);
	for (i = 0; i < n; i++) {
		if (v[i].note == NULL)
			continue;
		copy = xstrdup(v[i].note);
		for (line = strtok_r(copy, "\r\n", &save); line != NULL;
		    line = strtok_r(NULL, "\r\n", &save))
			if (*util_trim(line) != '\0')
				buf_addf(&b, "%s  - %s", b.len ? "\n" : "",
				    line);
		free(copy);
	}
	if (b.len == 0)
		buf_adds(&b, "-");
	return buf_release(&b);
}
