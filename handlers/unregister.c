/*
 * unregister.c: FRAMELD <kode> / CANCEL, DECLINE. The registered
 * person. Their calendar entry is cancelled (iTIP CANCEL without
 * STATUS), the first on the waiting list moves up and gets the
 * invitation, and after the deadline the secretariat is told.
 * Templates: invite.unregistered, invite.promoted, unregister.*,
 * secretariat.late. Tables: registrations, audit, outbox.
 * meeting_unregister() is also how a confirmed calendar decline
 * (confirm.c) gives up the seat.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "handler.h"
#include "invite.h"
#include "log.h"
#include "meeting.h"
#include "util.h"

static enum disp	 unregister_run(struct ctx *);

static enum disp	 unregister_confirmed(struct ctx *,
			    const struct pending *);
static int		 unregister_declined(struct ctx *,
			    const struct pending *);

static const char *const unregister_tmpls[] = {
	"invite.cancel", "unregister.notfound", "unregister.waiting",
	"unregister.usage", "secretariat.late", "register.unknown",
	"confirm.no.unregister", NULL
};

/* FRAMELD; its confirmed hook is a calendar decline (calreply.c asks) */
const struct handler h_unregister = {
	.name = "unregister",
	.who = WHO_ANYONE,
	.args = ARGS_REQUIRED,
	.check = meeting_code_check,
	.run = unregister_run,
	.confirmed = unregister_confirmed,
	.tmpls = unregister_tmpls,
	.declined = unregister_declined,
};

/* After the deadline the secretariat hears of every cancellation. */
static int
unregister_tell(struct ctx *c, const struct meeting *m,
    const struct registration *g)
{
	const struct tvar v[] = { { "code", m->code }, { "title", m->title },
	    { "who", g->addr }, { "name", g->name ? g->name : "" },
	    { NULL, NULL } };

	return reply_secretariat(c, "secretariat.late", v);
}

int
meeting_unregister(struct ctx *c, struct meeting *m,
    const struct registration *g, bool tell_late, bool *was_registered)
{
	*was_registered = strcmp(g->state, "registered") == 0;
	if (store_reg_set_state(c->env->st, g->id, "cancelled") == -1 ||
	    store_audit(c->env->st, g->addr, "unregistered", m->code,
	    c->now) == -1)
		return -1;
	if (!*was_registered)
		return 0;
	m->taken--;
	if (invite_queue(c->env, m, g, INV_CANCEL_PERSONAL,
	    c->lang, c->m, c->now) == -1 ||
	    (tell_late && m->deadline != 0 && c->now > m->deadline &&
	    unregister_tell(c, m, g) == -1) ||
	    meeting_promote(c->env, m, c->now) == -1)
		return -1;
	return 0;
}

static enum disp
unregister_run(struct ctx *c)
{
	struct meeting		 m;
	struct registration	 g;
	char			 code[16];
	int			 r;
	bool			 was_registered;
	enum disp		 d = D_TEMPFAIL;

	memset(&g, 0, sizeof(g));
	meeting_code_ok(c->args, code);
	if ((r = store_meeting_get(c->env->st, code, &m)) == -1 ||
	    (r == 1 &&
	    (r = store_reg_get(c->env->st, m.id, c->sender, &g)) == -1))
		goto out;
	if (r == 0 || strcmp(g.state, "cancelled") == 0) {
		c->args = code;
		d = meeting_reply(c, "unregister.notfound", r ? &m : NULL,
		    NULL, NULL) == 0 ? D_REJECT : D_TEMPFAIL;
		goto out;
	}
	if (meeting_unregister(c, &m, &g, true, &was_registered) == -1)
		goto out;
	if (!was_registered)
		d = meeting_reply(c, "unregister.waiting", &m, NULL, NULL) == 0 ?
		    D_DONE : D_TEMPFAIL;
	else
		d = D_DONE;
 out:
	registration_clear(&g);
	meeting_clear(&m);
	return d;
}

/*
 * A calendar decline, confirmed (calreply.c asked): the seat is given
 * up exactly as FRAMELD does; the personal CANCEL is the answer. If the
 * seat is already gone (FRAMELD meanwhile), the person is told so.
 */
static enum disp
unregister_confirmed(struct ctx *c, const struct pending *p)
{
	struct meeting		 m;
	struct registration	 g;
	char			*code, *uid;
	bool			 was_registered;
	int			 r;
	enum disp		 d = D_TEMPFAIL;

	memset(&g, 0, sizeof(g));
	memset(&m, 0, sizeof(m));
	/* args: "CODE UID", the registration that was declined */
	code = xstrdup(p->args ? p->args : "");
	if ((uid = strchr(code, ' ')) != NULL)
		*uid++ = '\0';
	if ((r = store_meeting_get(c->env->st, code, &m)) == -1 ||
	    (r == 1 &&
	    (r = store_reg_get(c->env->st, m.id, p->addr, &g)) == -1))
		goto out;
	if (r == 0 || strcmp(g.state, "registered") != 0 ||
	    (uid != NULL && strcmp(uid, g.uid) != 0)) {
		c->args = code;
		d = meeting_reply(c, "unregister.notfound", r ? &m : NULL, NULL,
		    NULL) == 0 ? D_DONE : D_TEMPFAIL;
		snprintf(c->why, sizeof(c->why), "confirmed giving up %s, "
		    "but holds no seat", c->args);
		goto out;
	}
	if (meeting_unregister(c, &m, &g, true, &was_registered) == -1)
		goto out;
	log_info("%s confirmed unregister %s", p->addr, m.code);
	d = D_DONE;
 out:
	registration_clear(&g);
	meeting_clear(&m);
	free(code);
	return d;
}

/* A calendar decline answered no: "Du beholder din plads" (args: "CODE UID"). */
static int
unregister_declined(struct ctx *c, const struct pending *p)
{
	struct meeting	 m;
	char		*code;
	int		 r, rc = -1;

	memset(&m, 0, sizeof(m));
	code = xstrndup(p->args ? p->args : "",
	    strcspn(p->args ? p->args : "", " "));
	if ((r = store_meeting_get(c->env->st, code, &m)) != -1)
		rc = confirm_no_send(c, p, "confirm.no.unregister", NULL,
		    r == 1 ? m.code : code, r == 1 ? m.title : NULL, NULL);
	meeting_clear(&m);
	free(code);
	return rc;
}
