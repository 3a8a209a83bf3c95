/*
 * register.c: DELTAG <kode> / REGISTER, ATTEND. Members, and anyone for
 * an open event (recorded as a guest). Lines after the command are kept
 * as the registration's note (diet, company) and echoed. A full
 * meeting puts the person on the waiting list with their place. The
 * answer carries the calendar invitation (invite.c).
 * Templates: invite.new, register.*. Tables: registrations, audit, outbox.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "answer.h"
#include "handler.h"
#include "invite.h"
#include "util.h"

#define REGISTER_MAX_NOTE	500

static enum disp	 register_run(struct ctx *);

static const char *const register_tmpls[] = {
	"register.usage", "register.unknown", "register.cancelled",
	"register.closed", "register.membersonly", "register.needparent",
	"register.waiting", "register.already.waiting", "invite.new", NULL
};

const struct handler h_register = {
	.name = "register",
	.who = WHO_ANYONE,
	.args = ARGS_REQUIRED,
	.check = meeting_code_check,
	.run = register_run,
	.tmpls = register_tmpls,
};

/* Why this person may not register, as a template name; NULL: they may. */
static const char *
register_refusal(struct ctx *c, const struct meeting *m, char *parent,
    size_t plen)
{
	struct meeting		 p;
	struct registration	 g;
	const char		*why = NULL;
	bool			 open = m->open;

	memset(&p, 0, sizeof(p));
	memset(&g, 0, sizeof(g));
	/* a workshop is as open as its conference, and needs it first */
	if (m->parent != 0 &&
	    store_meeting_by_id(c->env->st, m->parent, &p) == 1) {
		snprintf(parent, plen, "%s", p.code);
		open = open || p.open;
	}
	if (strcmp(m->status, "cancelled") == 0)
		why = "register.cancelled";
	else if (c->now >= (m->deadline ? m->deadline : m->start))
		why = "register.closed";
	else if (!open && c->member == NULL)
		why = "register.membersonly";
	else if (m->parent != 0 &&
	    (store_reg_get(c->env->st, m->parent, c->sender, &g) != 1 ||
	    strcmp(g.state, "registered") != 0))
		why = "register.needparent";
	registration_clear(&g);
	meeting_clear(&p);
	return why;
}

static enum disp
register_new(struct ctx *c, const struct meeting *m)
{
	struct registration	 g, cur;
	char			 pos[16];
	const char		*name;
	int			 p;
	enum disp		 d = D_TEMPFAIL;

	memset(&g, 0, sizeof(g));
	memset(&cur, 0, sizeof(cur));
	name = c->member && c->member->name ? c->member->name : c->sender_name;
	g.meeting = m->id;
	g.addr = xstrdup(c->sender);
	g.name = name ? xstrdup(name) : NULL;
	/* what the member wrote for the host, not their signature */
	g.note = xstrndup(c->rest ? c->rest : "", REGISTER_MAX_NOTE);
	answer_cut_signoff(g.note);
	util_trim(g.note);
	g.uid = invite_uid_dup(c->env->conf);
	g.guest = c->member == NULL;
	g.state = xstrdup(m->taken < m->capacity ? "registered" : "waiting");
	g.created = c->now;
	if (store_reg_put(c->env->st, &g, c->now) == -1 ||
	    store_audit(c->env->st, c->sender, g.state, m->code, c->now) == -1)
		goto out;
	if (strcmp(g.state, "registered") == 0) {
		if (invite_queue(c->env, m, &g, INV_NEW,
		    c->lang, c->m, c->now) == 0)
			d = D_DONE;
		goto out;
	}
	if (store_reg_get(c->env->st, m->id, c->sender, &cur) != 1 ||
	    store_reg_position(c->env->st, &cur, &p) == -1)
		goto out;
	snprintf(pos, sizeof(pos), "%d", p);
	if (meeting_reply(c, "register.waiting", m, "position", pos) == 0)
		d = D_DONE;
 out:
	registration_clear(&g);
	registration_clear(&cur);
	return d;
}

static enum disp
register_run(struct ctx *c)
{
	struct meeting		 m;
	struct registration	 g;
	char			 parent[16] = "";
	const char		*why;
	enum disp		 d = D_TEMPFAIL;
	int			 r;

	memset(&g, 0, sizeof(g));
	if (meeting_find(c, &m, &d) != 1)
		goto out;
	if ((why = register_refusal(c, &m, parent, sizeof(parent))) != NULL) {
		d = meeting_reply(c, why, &m, "parent", parent) == 0 ?
		    D_REJECT : D_TEMPFAIL;
		goto out;
	}
	if ((r = store_reg_get(c->env->st, m.id, c->sender, &g)) == -1)
		goto out;
	if (r == 1 && strcmp(g.state, "registered") == 0)	/* send it again */
		d = invite_queue(c->env, &m, &g, INV_NEW,
		    c->lang, c->m, c->now) == 0 ? D_DONE : D_TEMPFAIL;
	else if (r == 1 && strcmp(g.state, "waiting") == 0)
		d = meeting_reply(c, "register.already.waiting", &m, NULL,
		    NULL) == 0 ? D_DONE : D_TEMPFAIL;
	else
		d = register_new(c, &m);
 out:
	registration_clear(&g);
	meeting_clear(&m);
	return d;
}
