/*
 * join.c: TILMELD [navn; organisation] / JOIN, SUBSCRIBE.
 * Anyone. Double opt-in: asks the address to confirm (join.confirm, a
 * code in the subject); confirm.c makes the member. A member gets
 * join.already. Tables: pending, audit, outbox.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "handler.h"
#include "util.h"

static enum disp	 join_run(struct ctx *);

const struct handler h_join = {
	"join", WHO_ANYONE, ARGS_OPTIONAL, NULL, join_run
};

void
join_parse_args(const char *args, char **name, char **org)
{
	char	*a, *p, *sep;

	*name = *org = NULL;
	a = util_trim(xstrdup(args ? args : ""));
	p = a;
	if (strncasecmp(p, "mig ", 4) == 0 || strcasecmp(p, "mig") == 0)
		p += 3;
	else if (strncasecmp(p, "me ", 3) == 0 || strcasecmp(p, "me") == 0)
		p += 2;
	if ((sep = strchr(p, ';')) == NULL)
		sep = strchr(p, ',');
	if (sep != NULL) {
		*sep = '\0';
		*org = util_trim(xstrdup(sep + 1));
	}
	*name = util_trim(xstrdup(p));
	if (**name == '\0') {
		free(*name);
		*name = NULL;
	}
	if (*org != NULL && **org == '\0') {
		free(*org);
		*org = NULL;
	}
	free(a);
}

static enum disp
join_run(struct ctx *c)
{
	char		*name = NULL, *org = NULL, *pargs = NULL;
	enum disp	 d = D_TEMPFAIL;

	join_parse_args(c->args, &name, &org);
	if (name == NULL && c->sender_name != NULL && *c->sender_name)
		name = xstrdup(c->sender_name);
	/* a member paused for bounces joins again: the confirmation resumes */
	if (c->member != NULL && strcmp(c->member->status, "paused") != 0) {
		const struct tvar v[] = { { "name", name ? name : "" },
		    { NULL, NULL } };

		if (reply_queue(c, "join.already", v, NULL) == 0)
			d = D_DONE;
		goto out;
	}
	pargs = xasprintf("%s\n%s", name ? name : "", org ? org : "");
	if (confirm_ask(c, "join", pargs, "join.confirm", name, org) == 0)
		d = D_DONE;
 out:
	free(name);
	free(org);
	free(pargs);
	return d;
}
