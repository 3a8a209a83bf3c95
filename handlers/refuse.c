/*
 * refuse.c: the answers that no command word reaches. main.c picks
 * them: h_unknown for a lone word that looks like a command (the mail
 * also goes to hold_folder, so a person sees it), h_notmember for a
 * members' command from someone else, h_toolarge for a command in a
 * message over the size cap. Tables: outbox.
 */
#include <stdio.h>
#include <stdlib.h>

#include "handler.h"
#include "util.h"

static enum disp	 unknown_run(struct ctx *);
static enum disp	 notmember_run(struct ctx *);
static enum disp	 toolarge_run(struct ctx *);

static const char *const unknown_tmpls[] = { "unknown", NULL };
/* notsecretariat: the dispatcher's answer to a member who is not */
static const char *const notmember_tmpls[] = {
	"notmember", "notsecretariat", NULL
};
static const char *const toolarge_tmpls[] = { "toolarge", NULL };

const struct handler h_unknown = {
	.name = "unknown",
	.who = WHO_ANYONE,
	.args = ARGS_OPTIONAL,
	.run = unknown_run,
	.tmpls = unknown_tmpls,
};
const struct handler h_notmember = {
	.name = "notmember",
	.who = WHO_ANYONE,
	.args = ARGS_OPTIONAL,
	.run = notmember_run,
	.tmpls = notmember_tmpls,
};
const struct handler h_toolarge = {
	.name = "toolarge",
	.who = WHO_ANYONE,
	.args = ARGS_OPTIONAL,
	.run = toolarge_run,
	.tmpls = toolarge_tmpls,
};

static enum disp
unknown_run(struct ctx *c)
{
	char		*upper;
	size_t		 i;
	enum disp	 d;

	upper = xstrdup(c->suggest ? c->suggest : "");
	for (i = 0; upper[i]; i++)
		if (upper[i] >= 'a' && upper[i] <= 'z')
			upper[i] = (char)(upper[i] - 'a' + 'A');
	{
		const struct tvar v[] = { { "word", c->word ? c->word : "" },
		    { "suggest", upper }, { NULL, NULL } };

		d = reply_queue(c, "unknown", v, NULL) == 0 ? D_PARK :
		    D_TEMPFAIL;
	}
	snprintf(c->why, sizeof(c->why), "not a command, looks like %s",
	    upper);
	free(upper);
	return d;
}

static enum disp
notmember_run(struct ctx *c)
{
	const struct tvar	 v[] = { { NULL, NULL } };

	return reply_queue(c, "notmember", v, NULL) == 0 ? D_REJECT :
	    D_TEMPFAIL;
}

static enum disp
toolarge_run(struct ctx *c)
{
	const struct tvar	 v[] = { { NULL, NULL } };

	snprintf(c->why, sizeof(c->why), "larger than max_message_kb");
	return reply_queue(c, "toolarge", v, NULL) == 0 ? D_PARK : D_TEMPFAIL;
}
