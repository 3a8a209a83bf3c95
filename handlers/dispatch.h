/*
 * dispatch.h: from a recognised message to a handler. Runs inside the
 * transaction main.c opened for the message; decides who may do what
 * (the descriptor's who and args), never by a From header alone.
 */
#ifndef FFNET_DISPATCH_H
#define FFNET_DISPATCH_H

#include "handler.h"
#include "recog.h"

/*
 * Completes ctx (member, language, word, arguments, code) and runs the
 * handler the message calls for. *kind is a static name for the store
 * and logs ("join", "auto", …); ctx->why says why on a park or skip.
 */
enum disp	dispatch_msg(struct ctx *, const struct recog *,
		    const char **kind);
/* Does the message refer to a mail ffnet sent (thread or bounced copy)? */
int		dispatch_refs_ours(struct store *, const struct msg *);

#endif
