/*
 * calreply.c: answers from calendar apps (iTIP REPLY, COUNTER), found
 * in any part by recog.c and handed here by dispatch.c (never as a
 * command, never to the auto-reply rules). Matched by UID and ATTENDEE,
 * never by ORGANIZER (Outlook leaves it out) and not by From (Apple may
 * answer from another account); mail goes to the registration's address.
 * ACCEPTED, TENTATIVE: recorded, no mail. DECLINED: recorded, and the
 * member is asked to confirm giving up the seat (confirm.c carries it
 * out), since deleting an event in some apps declines by itself. COUNTER:
 * a friendly no. Registration never depends on an answer arriving.
 * Templates: calreply.declined, calreply.counter. Tables: registrations,
 * pending, audit, outbox.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "handler.h"
#include "log.h"
#include "util.h"

static enum disp	 calreply_run(struct ctx *);
static enum disp	 calreply_reply(struct ctx *, const struct meeting *,
			    const struct registration *);
static enum disp	 calreply_declined(struct ctx *, const struct meeting *,
			    const struct registration *);
static enum disp	 calreply_counter(struct ctx *, const struct meeting *,
			    const struct registration *);

static const char *const calreply_tmpls[] = {
	"calreply.counter", "calreply.declined", NULL
};

/* A decline asks with the "unregister" row: h_unregister carries it out. */
const struct handler h_calreply = {
	.name = "calreply",
	.who = WHO_ANYONE,
	.args = ARGS_OPTIONAL,
	.run = calreply_run,
	.tmpls = calreply_tmpls,
};

/*
 * DECLINED: the seat stays until the member confirms, in a short mail
 * to the registration's address. Not asked when there is nothing to
 * give up: the meeting is cancelled or has begun.
 */
static enum disp
calreply_declined(struct ctx *c, const struct meeting *m,
    const struct registration *g)
{
	char		*when = NULL, *args = NULL;
	enum disp	 d = D_TEMPFAIL;

	if (strcmp(m->status, "cancelled") == 0 || c->now >= m->start) {
		snprintf(c->why, sizeof(c->why), "REPLY DECLINED for %s %s: "
		    "recorded, not asked (%s)", m->code, g->addr,
		    c->now >= m->start ? "begun" : "meeting cancelled");
		d = D_DONE;
		goto out;
	}
	when = ical_when_dup(c->env->conf->timezone, m->start, c->lang, false);
	/* the UID too: a later registration is not the one declined */
	args = xasprintf("%s %s", m->code, g->uid);
	{
		const struct tvar v[] = { { "meeting", m->code },
		    { "title", m->title }, { "when", when }, { NULL, NULL } };

		if (confirm_ask_vars(c, "unregister", args,
		    "calreply.declined", g->name, NULL, v) == -1)
			goto out;
	}
	snprintf(c->why, sizeof(c->why), "REPLY DECLINED for %s %s: asked to "
	    "confirm giving up the seat", m->code, g->addr);
	d = D_DONE;
 out:
	free(when);
	free(args);
	return d;
}

/* RFC 5546 3.2.3: an attendee's answer to the invitation. */
static enum disp
calreply_reply(struct ctx *c, const struct meeting *m,
    const struct registration *g)
{
	const char	*ps = c->cal->partstat ? c->cal->partstat : "";
	bool		 seat = strcmp(g->state, "registered") == 0;

	/* RFC 5546 2.1.5: an answer to an older version is stale */
	if (c->cal->sequence < m->sequence) {
		snprintf(c->why, sizeof(c->why), "REPLY %s for %s %s with "
		    "SEQUENCE %d, older than %d: ignored", ps, m->code, g->addr,
		    c->cal->sequence, m->sequence);
		return D_DONE;
	}
	if (!seat && (strcmp(ps, "ACCEPTED") == 0 ||
	    strcmp(ps, "TENTATIVE") == 0)) {
		snprintf(c->why, sizeof(c->why), "REPLY %s for %s %s, whose "
		    "registration is %s: for a person", ps, m->code, g->addr,
		    g->state);
		return D_PARK;
	}
	if (!seat) {
		snprintf(c->why, sizeof(c->why), "REPLY %s for %s %s, whose "
		    "registration is %s: filed", *ps ? ps : "-", m->code,
		    g->addr, g->state);
		return D_DONE;
	}
	if (strcmp(ps, "DELEGATED") == 0) {	/* RFC 5546 3.2.2.3 */
		snprintf(c->why, sizeof(c->why), "REPLY DELEGATED for %s %s: "
		    "someone else in their place is for a person", m->code,
		    g->addr);
		return D_PARK;
	}
	if (strcmp(ps, "ACCEPTED") != 0 && strcmp(ps, "TENTATIVE") != 0 &&
	    strcmp(ps, "DECLINED") != 0) {
		snprintf(c->why, sizeof(c->why), "REPLY %s for %s %s: nothing "
		    "to do", *ps ? ps : "without PARTSTAT", m->code, g->addr);
		return D_DONE;
	}
	if (store_reg_set_partstat(c->env->st, g->id, ps) == -1)
		return D_TEMPFAIL;
	if (strcmp(ps, "DECLINED") == 0)
		return calreply_declined(c, m, g);
	snprintf(c->why, sizeof(c->why), "REPLY %s for %s %s: recorded", ps,
	    m->code, g->addr);
	return D_DONE;
}

/* RFC 5546 3.2.7: a proposed new time. The secretariat sets times. */
static enum disp
calreply_counter(struct ctx *c, const struct meeting *m,
    const struct registration *g)
{
	char		*when = NULL;
	enum disp	 d = D_TEMPFAIL;

	if (strcmp(g->state, "registered") != 0 ||
	    strcmp(m->status, "cancelled") == 0) {
		snprintf(c->why, sizeof(c->why), "COUNTER for %s %s (%s, "
		    "meeting %s): filed", m->code, g->addr, g->state,
		    m->status);
		d = D_DONE;
		goto out;
	}
	when = ical_when_dup(c->env->conf->timezone, m->start, c->lang, false);
	{
		const struct tvar v[] = { { "code", m->code },
		    { "title", m->title }, { "when", when },
		    { "name", g->name ? g->name : "" },
		    { "secretariat", c->env->conf->secretariat[0] ?
		    c->env->conf->secretariat[0] : c->env->conf->address },
		    { NULL, NULL } };

		if (reply_queue(c, "calreply.counter", v, NULL) == -1)
			goto out;
	}
	snprintf(c->why, sizeof(c->why), "COUNTER for %s %s: answered that "
	    "the time is fixed", m->code, g->addr);
	d = D_DONE;
 out:
	free(when);
	return d;
}

static enum disp
calreply_run(struct ctx *c)
{
	struct registration	 g;
	struct meeting		 m;
	struct member		 mem;
	int			 r, rm = 0;
	enum disp		 d = D_TEMPFAIL;

	memset(&g, 0, sizeof(g));
	memset(&m, 0, sizeof(m));
	memset(&mem, 0, sizeof(mem));
	if (c->cal == NULL || c->cal->uid == NULL || c->cal->method == NULL) {
		snprintf(c->why, sizeof(c->why), "calendar answer without UID");
		d = D_SKIP;
		goto out;
	}
	if ((r = store_reg_by_uid(c->env->st, c->cal->uid, &g)) == -1)
		goto out;
	if (r == 0) {	/* not one of ours: a person's calendar mail */
		snprintf(c->why, sizeof(c->why), "calendar %s for an event "
		    "that is not ffnet's", c->cal->method);
		d = D_SKIP;
		goto out;
	}
	if ((r = store_meeting_by_id(c->env->st, g.meeting, &m)) != 1) {
		snprintf(c->why, sizeof(c->why), "registration %lld has no "
		    "meeting", (long long)g.id);
		d = r == 0 ? D_PARK : D_TEMPFAIL;
		goto out;
	}
	/* RFC 5546 3.2.3: the ATTENDEE answering is the registrant */
	if (c->cal->attendee == NULL) {
		snprintf(c->why, sizeof(c->why), "calendar %s for %s %s "
		    "without an ATTENDEE: for a person", c->cal->method,
		    m.code, g.addr);
		d = D_PARK;
		goto out;
	}
	if (!util_addr_eq(c->cal->attendee, g.addr)) {
		snprintf(c->why, sizeof(c->why), "calendar %s for %s: "
		    "ATTENDEE %s is not the registration's address %s",
		    c->cal->method, m.code, c->cal->attendee, g.addr);
		d = D_PARK;
		goto out;
	}
	/* answer the registration's address, in its member's language */
	if ((rm = store_member_get(c->env->st, g.addr, &mem)) == -1)
		goto out;
	c->lang =
	    rm == 1 && mem.lang != NULL ? mem.lang : c->env->conf->language;
	c->sender = g.addr;
	c->sender_name = g.name;
	if (strcmp(c->cal->method, "COUNTER") == 0)
		d = calreply_counter(c, &m, &g);
	else if (strcmp(c->cal->method, "REPLY") == 0)
		d = calreply_reply(c, &m, &g);
	else {
		snprintf(c->why, sizeof(c->why), "calendar %s: not an answer",
		    c->cal->method);
		d = D_SKIP;
	}
 out:
	/* c keeps no pointer into what is freed here */
	if (c->sender == g.addr) {
		c->sender = c->m ? c->m->from_addr : NULL;
		c->sender_name = c->m ? c->m->from_name : NULL;
		c->lang = c->env->conf->language;
	}
	member_clear(&mem);
	meeting_clear(&m);
	registration_clear(&g);
	return d;
}
