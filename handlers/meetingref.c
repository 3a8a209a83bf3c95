/*
 * meetingref.c: a meeting named in a command's arguments (DELTAG M3,
 * FRAMELD M3, DELTAGERE M3, MØDE ÆNDR M3, DAGSORDEN M3): the check that
 * it is a code, finding it, and the short answers about it. Used by the
 * meeting commands' descriptors; the rules of meetings themselves are
 * in daemon/meeting.c.
 */
#include <stdio.h>
#include <string.h>

#include "handler.h"
#include "meeting.h"

/* "DELTAG i konferencen" is a person's sentence, not a code. */
int
meeting_code_check(struct ctx *c)
{
	char	 code[16];

	return meeting_code_ok(c->args, code) ? 0 : 1;
}

int
meeting_find(struct ctx *c, struct meeting *m, enum disp *d)
{
	char	 code[16];
	int	 r;

	memset(m, 0, sizeof(*m));
	*d = D_TEMPFAIL;
	meeting_code_ok(c->args, code);
	if ((r = store_meeting_get(c->env->st, code, m)) == 0) {
		c->args = c->code_buf;	/* lives as long as the message */
		snprintf(c->code_buf, sizeof(c->code_buf), "%.6s", code);
		if (meeting_reply(c, "register.unknown", NULL, NULL, NULL) == 0)
			*d = D_REJECT;
	}
	return r;
}

/* Answers with a text template about meeting m (no calendar). */
int
meeting_reply(struct ctx *c, const char *tmpl, const struct meeting *m,
    const char *extra_key, const char *extra)
{
	const struct tvar v[] = { { "code", m ? m->code : c->args },
	    { "title", m ? m->title : "" }, { extra_key ? extra_key : "x",
	    extra ? extra : "" }, { NULL, NULL } };

	return reply_queue(c, tmpl, v, NULL);
}
