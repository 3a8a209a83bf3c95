/*
 * leave.c: AFMELD / LEAVE, UNSUBSCRIBE.
 * Anyone may ask; a member gets leave.confirm (a code in the subject)
 * and confirm.c removes them. Someone who is not a member gets
 * leave.notmember. Tables: pending, audit, outbox.
 */
#include <stdlib.h>

#include "handler.h"
#include "util.h"

static enum disp	 leave_run(struct ctx *);

const struct handler h_leave = {
	"leave", WHO_ANYONE, ARGS_NONE, NULL, leave_run
};

static enum disp
leave_run(struct ctx *c)
{
	char		*mail = NULL;
	char		 code[AUTH_CODE_LEN + 1];
	int64_t		 id;
	time_t		 expires;
	enum disp	 d = D_TEMPFAIL;
	const char	*name = c->member && c->member->name ? c->member->name : "";

	if (c->member == NULL) {
		const struct tvar v[] = { { "name", "" }, { NULL, NULL } };

		if (reply_queue(c, "leave.notmember", v, NULL) == 0)
			d = D_REJECT;
		goto out;
	}
	expires = c->now + (time_t)c->conf->confirm_days * 86400;
	if (store_pending_add(c->st, c->sender, "leave", "", c->lang, expires,
	    c->now, &id) == -1)
		goto out;
	auth_code_make(c->secret, id, c->sender, "leave", expires, code);
	{
		const struct tvar v[] = { { "name", name }, { "code", code },
		    { NULL, NULL } };

		if (reply_queue(c, "leave.confirm", v, &mail) == -1)
			goto out;
	}
	if (store_pending_set_code(c->st, id, code, mail) == -1 ||
	    store_audit(c->st, c->sender, "leave-requested", NULL, c->now) == -1)
		goto out;
	d = D_DONE;
 out:
	free(mail);
	return d;
}
