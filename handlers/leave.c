/*
 * leave.c: AFMELD / LEAVE, UNSUBSCRIBE.
 * Anyone may ask; a member gets leave.confirm (a code in the subject)
 * and confirm.c removes them. Someone who is not a member gets
 * leave.notmember. Tables: pending, audit, outbox.
 */
#include "handler.h"
#include "util.h"

static enum disp	 leave_run(struct ctx *);

const struct handler h_leave = {
	"leave", WHO_ANYONE, ARGS_NONE, NULL, leave_run
};

static enum disp
leave_run(struct ctx *c)
{
	const struct tvar	 v[] = { { "name", "" }, { NULL, NULL } };

	if (c->member == NULL)
		return reply_queue(c, "leave.notmember", v, NULL) == 0 ?
		    D_REJECT : D_TEMPFAIL;
	return confirm_ask(c, "leave", "", "leave.confirm", c->member->name,
	    c->member->org) == 0 ? D_DONE : D_TEMPFAIL;
}
