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
#include "tmpl.h"
#include "util.h"

static enum disp	 join_run(struct ctx *);
static enum disp	 join_confirmed(struct ctx *, const struct pending *);
static int		 join_declined(struct ctx *, const struct pending *);
static char		*join_consent_dup(struct ctx *, const struct pending *);

static const char *const join_tmpls[] = {
	"join.already", "join.confirm", "join.welcome", "confirm.no.join",
	"join.consent", NULL
};

const struct handler h_join = {
	.name = "join",
	.who = WHO_ANYONE,
	.args = ARGS_OPTIONAL,
	.run = join_run,
	.confirmed = join_confirmed,
	.tmpls = join_tmpls,
	.declined = join_declined,
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

/*
 * What the person agreed to, in their language, as the consent record
 * keeps it: the text of join.consent and the code of the mail they
 * answered (the answer's own Message-ID goes beside it).
 */
static char *
join_consent_dup(struct ctx *c, const struct pending *p)
{
	const struct tvar	 v[] = { { "email", p->addr },
	    { "network", c->env->conf->name }, { "code", p->code },
	    { NULL, NULL } };
	char			*subject = NULL, *body = NULL;

	if (tmpl_render(c->env->tmpls, p->lang, "join.consent", v, &subject,
	    &body) == -1)
		return xasprintf("a reply to the join confirmation, code %s",
		    p->code);
	free(subject);
	return util_trim(body);
}

/* The address answered: a member, with the consent it gave (args: "name\norg"). */
static enum disp
join_confirmed(struct ctx *c, const struct pending *p)
{
	char		*name, *org = NULL, *nl, *consent;
	enum disp	 d = D_TEMPFAIL;

	name = xstrdup(p->args ? p->args : "");
	if ((nl = strchr(name, '\n')) != NULL) {
		*nl = '\0';
		org = xstrdup(nl + 1);
	}
	consent = join_consent_dup(c, p);
	if (store_member_add(c->env->st, p->addr, name, org, p->lang,
	    c->now) == -1 ||
	    store_audit(c->env->st, p->addr, "joined", name, c->now) == -1 ||
	    store_consent_add(c->env->st, p->addr, "confirm", c->m->message_id,
	    consent, c->now) == -1)
		goto out;
	{
		const struct tvar v[] = { { "name", name }, { NULL, NULL } };

		if (reply_queue(c, "join.welcome", v, NULL) == 0)
			d = D_DONE;
	}
 out:
	free(name);
	free(org);
	free(consent);
	return d;
}

/* "Du er ikke blevet tilmeldt", with the name given (args: "name\norg"). */
static int
join_declined(struct ctx *c, const struct pending *p)
{
	char	*name;
	int	 rc;

	name = xstrndup(p->args ? p->args : "",
	    strcspn(p->args ? p->args : "", "\n"));
	rc = confirm_no_send(c, p, "confirm.no.join", name, name, NULL, NULL);
	free(name);
	return rc;
}
