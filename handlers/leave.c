/*
 * leave.c: AFMELD / LEAVE, UNSUBSCRIBE.
 * Anyone may ask; a member gets leave.confirm (a code in the subject)
 * and confirm.c removes them. Someone who is not a member gets
 * leave.notmember. Tables: pending, audit, outbox.
 */
#include <stddef.h>

#include "handler.h"
#include "util.h"

static enum disp	 leave_run(struct ctx *);
static enum disp	 leave_confirmed(struct ctx *, const struct pending *);
static int		 leave_declined(struct ctx *, const struct pending *);

static const char *const leave_tmpls[] = {
	"leave.confirm", "leave.goodbye", "leave.notmember", "confirm.no.leave",
	NULL
};

const struct handler h_leave = {
	.name = "leave",
	.who = WHO_ANYONE,
	.args = ARGS_NONE,
	.run = leave_run,
	.confirmed = leave_confirmed,
	.tmpls = leave_tmpls,
	.declined = leave_declined,
};

static enum disp
leave_run(struct ctx *c)
{
	const struct tvar	 v[] = { { "name", "" }, { NULL, NULL } };

	if (c->member == NULL)
		return reply_queue(c, "leave.notmember", v, NULL) == 0 ?
		    D_REJECT : D_TEMPFAIL;
	return confirm_ask_sender(c, "leave", "leave.confirm") == 0 ?
	    D_DONE : D_TEMPFAIL;
}

/* The member answered: removed, with a goodbye that says how to come back. */
static enum disp
leave_confirmed(struct ctx *c, const struct pending *p)
{
	const struct tvar	 v[] = { { "name", c->member &&
	    c->member->name ? c->member->name : "" }, { NULL, NULL } };

	if (store_member_delete(c->env->st, p->addr) == -1 ||
	    store_audit(c->env->st, p->addr, "left", NULL, c->now) == -1 ||
	    reply_queue(c, "leave.goodbye", v, NULL) == -1)
		return D_TEMPFAIL;
	return D_DONE;
}

/* "Du er stadig medlem". */
static int
leave_declined(struct ctx *c, const struct pending *p)
{
	return confirm_no_send(c, p, "confirm.no.leave", NULL, "", NULL, NULL);
}
