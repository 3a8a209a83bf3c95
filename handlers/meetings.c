/*
 * meetings.c: MØDER / MEETINGS. Anyone. Lists the coming meetings,
 * outings and conferences (and their workshops) with code, time, place,
 * host and free seats (templates meetings.item, meetings.list,
 * meetings.none). Tables: meetings, registrations (read), outbox.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "handler.h"
#include "ical.h"
#include "util.h"

static enum disp	 meetings_run(struct ctx *);

static const char *const meetings_tmpls[] = {
	"meetings.list", "meetings.item", "meetings.item.open",
	"meetings.none", NULL
};

const struct handler h_meetings = {
	.name = "meetings",
	.who = WHO_ANYONE,
	.args = ARGS_NONE,
	.run = meetings_run,
	.tmpls = meetings_tmpls,
};

/* One meeting as a few lines of the list (template meetings.item). */
static int
meetings_item(struct ctx *c, const struct meeting *m, struct buf *b)
{
	char	*when, *subject = NULL, *body = NULL, seats[32];
	int	 free_seats = m->capacity - m->taken, rc;

	when = ical_when_dup(c->env->conf->timezone, m->start, c->lang, false);
	snprintf(seats, sizeof(seats), "%d", free_seats > 0 ? free_seats : 0);
	{
		const struct tvar v[] = { { "code", m->code },
		    { "title", m->title }, { "when", when },
		    { "place", m->place ? m->place : "" },
		    { "host", m->host ? m->host : "" }, { "free", seats },
		    { "open", m->open ? "yes" : "" },
		    { "workshop", m->parent ? "yes" : "" }, { NULL, NULL } };

		rc = tmpl_render(c->env->tmpls, c->lang, m->open ?
		    "meetings.item.open" : "meetings.item", v, &subject, &body);
	}
	if (rc == 0) {
		util_trim(body);
		buf_adds(b, body);
		buf_adds(b, "\n\n");
	}
	free(when);
	free(subject);
	free(body);
	return rc;
}

static enum disp
meetings_run(struct ctx *c)
{
	struct meeting	*v = NULL;
	struct buf	 b;
	char		*list = NULL;
	size_t		 n = 0, i, shown = 0;
	enum disp	 d = D_TEMPFAIL;

	buf_init(&b);
	if (store_meeting_list(c->env->st, c->now, &v, &n) == -1)
		goto out;
	for (i = 0; i < n; i++) {
		if (strcmp(v[i].status, "cancelled") == 0)
			continue;
		if (meetings_item(c, &v[i], &b) == -1)
			goto out;
		shown++;
	}
	list = util_trim(buf_release(&b));
	{
		const struct tvar vars[] = { { "list", list }, { NULL, NULL } };

		if (reply_queue(c, shown ? "meetings.list" : "meetings.none",
		    vars, NULL) == 0)
			d = D_DONE;
	}
 out:
	buf_clear(&b);
	free(list);
	meetings_free(v, n);
	return d;
}
