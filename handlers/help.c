/*
 * help.c: HJÆLP / HELP. Anyone. Answers with the command list in the
 * language of the word used (templates help.txt). Tables: outbox.
 */
#include "handler.h"

static enum disp	 help_run(struct ctx *);

const struct handler h_help = {
	"help", WHO_ANYONE, ARGS_NONE, NULL, help_run
};

static enum disp
help_run(struct ctx *c)
{
	const struct tvar	 v[] = { { NULL, NULL } };

	return reply_queue(c, "help", v, NULL) == 0 ? D_DONE : D_TEMPFAIL;
}
