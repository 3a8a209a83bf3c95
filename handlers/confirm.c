/*
 * confirm.c: BEKRÆFT <kode> / CONFIRM <code>, and a plain reply to a
 * confirmation mail (main.c then passes the code it found in the
 * Subject or through In-Reply-To/References). Only the address that
 * was asked may confirm. Carries out the pending action: join →
 * member + join.welcome; leave → removed + leave.goodbye; unregister
 * (a calendar decline, calreply.c) → the seat given up as FRAMELD does.
 * A reply is read first (answer.c; PRODUCT.md rule 8): one that says no
 * cancels the pending action and says so in one short mail
 * (confirm.no.{join,leave,post,meeting,unregister}); one that asks a
 * question is left in the inbox for the secretariat, unanswered, and a
 * later yes still confirms; a no to what was carried out already is left
 * there too. BEKRÆFT with the code typed after it is an explicit yes. A
 * cancelled code never confirms again (confirm.cancelled). Refusals:
 * confirm.{usage,unknown,wrongaddr,used,expired}.
 * A confirmed join records the member's consent: the Message-ID of the
 * reply and the code it confirmed.
 * Tables: pending, members, consent, registrations, posts, audit, outbox.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "answer.h"
#include "handler.h"
#include "log.h"
#include "recog.h"
#include "util.h"

static int		 confirm_check(struct ctx *);
static int		 confirm_guesses_left(struct ctx *);
static enum disp	 confirm_run(struct ctx *);
static enum disp	 confirm_do(struct ctx *, const struct pending *);
static bool		 confirm_code(struct ctx *, char [AUTH_CODE_LEN + 1]);
static enum answer	 confirm_answer(struct ctx *, const char *,
			    const char **, bool *);
static enum disp	 confirm_no(struct ctx *, const struct pending *,
			    const char *, bool);
static int		 confirm_no_reply(struct ctx *,
			    const struct pending *);

static const char *const confirm_tmpls[] = {
	"confirm.usage", "confirm.unknown", "confirm.used", "confirm.expired",
	"confirm.wrongaddr", "confirm.cancelled", "confirm.no.meeting", NULL
};

const struct handler h_confirm = {
	.name = "confirm",
	.who = WHO_ANYONE,
	.args = ARGS_OPTIONAL,
	.check = confirm_check,
	.run = confirm_run,
	.tmpls = confirm_tmpls,
};

#define CONFIRM_MAX_VARS	16

int
confirm_ask(struct ctx *c, const char *action, const char *args,
    const char *tmpl, const char *name, const char *org)
{
	return confirm_ask_vars(c, action, args, tmpl, name, org, NULL);
}

int
confirm_ask_vars(struct ctx *c, const char *action, const char *args,
    const char *tmpl, const char *name, const char *org,
    const struct tvar *more)
{
	struct tvar	 v[CONFIRM_MAX_VARS];
	char		*mail = NULL, *audit = NULL;
	char		 code[AUTH_CODE_LEN + 1], days[16];
	int64_t		 id;
	time_t		 expires;
	size_t		 n = 0;
	int		 rc = -1;

	expires = c->now + (time_t)c->env->conf->confirm_days * 86400;
	snprintf(days, sizeof(days), "%d", c->env->conf->confirm_days);
	if (store_pending_add(c->env->st, c->sender, action, args, c->lang,
	    expires, c->now, &id) == -1)
		goto out;
	auth_code_make(c->env->secret, id, c->sender, action, expires, code);
	v[n++] = (struct tvar){ "name", name ? name : "" };
	v[n++] = (struct tvar){ "org", org ? org : "" };
	v[n++] = (struct tvar){ "code", code };
	v[n++] = (struct tvar){ "days", days };
	for (; more != NULL && more->key != NULL && n < CONFIRM_MAX_VARS - 1;
	    more++)
		v[n++] = *more;
	v[n] = (struct tvar){ NULL, NULL };
	if (reply_queue(c, tmpl, v, &mail) == -1)
		goto out;
	audit = xasprintf("%s-requested", action);
	if (store_pending_set_code(c->env->st, id, code, mail) == -1 ||
	    store_audit(c->env->st, c->sender, audit, name, c->now) == -1)
		goto out;
	rc = 0;
 out:
	free(mail);
	free(audit);
	return rc;
}

int
confirm_ask_sender(struct ctx *c, const char *action, const char *tmpl)
{
	return confirm_ask(c, action, "", tmpl,
	    c->member ? c->member->name : NULL,
	    c->member ? c->member->org : NULL);
}

/* The code: typed after the word, else found in the Subject or thread. */
static bool
confirm_code(struct ctx *c, char out[AUTH_CODE_LEN + 1])
{
	if (c->args != NULL && (auth_code_norm(c->args, out) ||
	    auth_code_find(c->args, out)))
		return true;
	if (c->code != NULL && *c->code != '\0') {
		memcpy(out, c->code, AUTH_CODE_LEN + 1);
		return true;
	}
	return false;
}

static int
confirm_check(struct ctx *c)
{
	char	 code[AUTH_CODE_LEN + 1];

	return confirm_code(c, code) ? 0 : -1;
}

static enum disp
confirm_do(struct ctx *c, const struct pending *p)
{
	const struct handler	*h = handler_find(p->action);
	enum disp		 d;

	c->lang = p->lang;
	if (h == NULL || h->confirmed == NULL) {
		snprintf(c->why, sizeof(c->why), "unknown pending action %s",
		    p->action);
		return D_PARK;
	}
	/* the mailbox answered: a member paused for bounces is back */
	if (c->member != NULL && strcmp(c->member->status, "paused") == 0 &&
	    (store_member_set_status(c->env->st, p->addr, "active") == -1 ||
	    store_bounce_clear(c->env->st, p->addr) == -1 ||
	    store_audit(c->env->st, p->addr, "resumed", p->action,
	    c->now) == -1))
		return D_TEMPFAIL;
	d = h->confirmed(c, p);
	if ((d == D_DONE || d == D_REJECT) &&
	    store_pending_use(c->env->st, p->id, c->now) == -1)
		return D_TEMPFAIL;
	if (d == D_DONE)
		log_info("%s confirmed %s", p->addr, p->action);
	return d;
}

enum disp
secretariat_ask(struct ctx *c, const struct handler *h, const char *code,
    const char *title)
{
	struct pending	 p;
	enum disp	 d;

	memset(&p, 0, sizeof(p));
	p.args = xasprintf("%s\n%s", code ? code : "",
	    c->rest ? c->rest : "");
	if (auth_sender_proven(c->env->conf, c->m)) {
		/* the proof stands for the confirmation: no row, no code */
		p.addr = xstrdup(c->sender);
		p.action = xstrdup(h->name);
		p.lang = xstrdup(c->lang);
		d = h->confirmed(c, &p);
	} else
		d = confirm_ask(c, h->name, p.args, "meeting.confirm", title,
		    c->rest) == 0 ? D_DONE : D_TEMPFAIL;
	pending_clear(&p);
	return d;
}

int
secretariat_args(struct ctx *c, const struct pending *p, char **buf,
    const char **code, const char **fields)
{
	char	*nl;

	*buf = NULL;
	if (!conf_is_secretariat(c->env->conf, p->addr)) {
		snprintf(c->why, sizeof(c->why), "%s is no longer secretariat",
		    p->addr);
		return 0;
	}
	*buf = xstrdup(p->args ? p->args : "");
	if ((nl = strchr(*buf, '\n')) != NULL)
		*nl++ = '\0';
	*code = *buf;
	*fields = nl ? nl : "";
	return 1;
}

/*
 * What the reply says. BEKRÆFT with the code typed after it is an
 * explicit yes, whatever follows; else the new text of the body decides
 * (the Subject is ours, "Re: Bekræft …"). act may be NULL. *asks: the
 * text asks something, too.
 */
static enum answer
confirm_answer(struct ctx *c, const char *act, const char **why,
    bool *asks)
{
	char		 code[AUTH_CODE_LEN + 1];
	char		*text;
	enum answer	 a;

	*asks = false;
	if (c->args != NULL && auth_code_norm(c->args, code)) {
		*why = "the code typed after the command";
		return ANSWER_YES;
	}
	text = recog_new_text_dup(c->m->text);
	a = answer_classify(text, act, why);
	*asks = a == ANSWER_QUESTION || answer_is_question(text);
	free(text);
	return a;
}

int
confirm_no_send(struct ctx *c, const struct pending *p, const char *tmpl,
    const char *name, const char *meeting, const char *title,
    const char *subject)
{
	const struct tvar v[] = { { "code", p->code },
	    { "name", name ? name : c->member && c->member->name ?
	    c->member->name : "" },
	    { "meeting", meeting ? meeting : "" },
	    { "title", title ? title : "" },
	    { "subject", subject ? subject : "" },
	    { NULL, NULL } };

	return reply_queue(c, tmpl, v, NULL);
}

/* The short mail that says nothing was done, in the row's language. */
static int
confirm_no_reply(struct ctx *c, const struct pending *p)
{
	const struct handler	*h = handler_find(p->action);
	char			*first;
	int			 rc;

	if (h != NULL && h->declined != NULL)
		return h->declined(c, p);
	/* a secretariat act: "CODE\n…" */
	first = xstrndup(p->args ? p->args : "",
	    strcspn(p->args ? p->args : "", "\n"));
	rc = confirm_no_send(c, p, "confirm.no.meeting", NULL, first, NULL,
	    NULL);
	free(first);
	return rc;
}

/*
 * A reply that says no: the row is closed without its act (a later
 * reply cannot revive it), an audit row, and one short answer. A list
 * post stays a preview that no code can send. A no that also asks
 * something stays in the inbox for a person (asks).
 */
static enum disp
confirm_no(struct ctx *c, const struct pending *p, const char *why,
    bool asks)
{
	char		*audit;
	enum disp	 d = D_TEMPFAIL;

	c->lang = p->lang;
	audit = xasprintf("%s-cancelled", p->action);
	if (store_pending_cancel(c->env->st, p->id, c->now) == -1 ||
	    store_audit(c->env->st, p->addr, audit, why, c->now) == -1 ||
	    confirm_no_reply(c, p) == -1)
		goto out;
	snprintf(c->why, sizeof(c->why), "said no to %s (%s): cancelled%s",
	    p->action, why, asks ? ", and asks something: left for a person" :
	    "");
	d = asks ? D_SKIP : D_DONE;
 out:
	free(audit);
	return d;
}

/*
 * May this sender try one more code today? A code is 40 bits and works
 * only from its own address, so a few wrong ones a day per address
 * make guessing hopeless (ffnet.conf(5), code_guesses_per_day). 1 yes,
 * 0 no (logged), -1 on a store failure.
 */
static int
confirm_guesses_left(struct ctx *c)
{
	int64_t	 n;

	if (store_audit_count(c->env->st, c->sender, "code-wrong",
	    c->now - 86400, &n) == -1)
		return -1;
	if (n < c->env->conf->code_guesses_per_day)
		return 1;
	snprintf(c->why, sizeof(c->why), "%lld wrong confirmation codes from "
	    "%s in 24 hours: not tried, not answered", (long long)n,
	    c->sender);
	log_info("%s", c->why);
	return 0;
}

static enum disp
confirm_run(struct ctx *c)
{
	struct pending	 p;
	const struct handler *h;
	char		 code[AUTH_CODE_LEN + 1];
	const char	*tmpl = NULL, *why = "";
	bool		 used = false, asks;
	int		 r;
	enum answer	 a;
	enum disp	 d = D_TEMPFAIL;

	memset(&p, 0, sizeof(p));
	if (!confirm_code(c, code))
		tmpl = "confirm.usage";
	else if ((r = confirm_guesses_left(c)) != 1) {
		d = r == -1 ? D_TEMPFAIL : D_REJECT;
		goto out;
	} else if ((r = store_pending_by_code(c->env->st, code, &p,
	    &used)) == -1)
		goto out;
	else if (r == 0 || !auth_code_ok(c->env->secret, p.id, p.addr, p.action,
	    p.expires, code))
		tmpl = "confirm.unknown";
	/* rule 8: a question is for a person, and never confirms */
	h = tmpl == NULL ? handler_find(p.action) : NULL;
	a = confirm_answer(c, h ? h->name : NULL, &why, &asks);
	if (a == ANSWER_QUESTION || (a == ANSWER_NO && tmpl == NULL &&
	    used && p.cancelled == 0 && util_addr_eq(p.addr, c->sender))) {
		snprintf(c->why, sizeof(c->why), "%s in a reply to a "
		    "confirmation%s: left for a person", why,
		    a == ANSWER_NO ? " already carried out" : "");
		d = D_SKIP;
		goto out;
	}
	if (tmpl == NULL) {
		if (!util_addr_eq(p.addr, c->sender))
			tmpl = "confirm.wrongaddr";	/* never names it */
		else if (p.cancelled != 0)
			tmpl = "confirm.cancelled";	/* a no stays a no */
		else if (used)
			tmpl = "confirm.used";
		else if (a == ANSWER_NO) {
			d = confirm_no(c, &p, why, asks);
			goto out;
		} else if (p.expires < c->now)
			tmpl = "confirm.expired";
		else {
			d = confirm_do(c, &p);
			goto out;
		}
	}
	log_info("confirmation from %s refused: %s", c->sender, tmpl);
	if ((strcmp(tmpl, "confirm.unknown") == 0 ||
	    strcmp(tmpl, "confirm.wrongaddr") == 0) &&
	    store_audit(c->env->st, c->sender, "code-wrong", code,
	    c->now) == -1)
		goto out;
	{
		const struct tvar v[] = { { "code", code }, { NULL, NULL } };

		if (p.lang != NULL && strcmp(tmpl, "confirm.wrongaddr") != 0)
			c->lang = p.lang;
		if (reply_queue(c, tmpl, v, NULL) == -1)
			goto out;
	}
	d = strcmp(tmpl, "confirm.used") == 0 ||
	    strcmp(tmpl, "confirm.cancelled") == 0 ? D_DONE : D_REJECT;
 out:
	pending_clear(&p);
	return d;
}
