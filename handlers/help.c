/*
 * help.c: HJÆLP / HELP. Anyone. Answers with the command list in the
 * language of the word used (templates help.txt). Tables: outbox.
 */
#include "handler.h"

static enum disp	 help_run(struct ctx *);

static const char *const help_tmpls[] = { "help", NULL };

const struct handler h_help = {
	.name = "help",
	.who = WHO_ANYONE,
	.args = ARGS_NONE,
	.run = help_run,
	.tmpls = help_tmpls,
};

static enum disp
help_run(struct ctx *c)
{
	const struct tvar	 v[] = { { NULL, NULL } };

	return reply_queue(c, "help", v, NULL) == 0 ? D_DONE : D_TEMPFAIL;
}
