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
static enum disp	 confirm_run(struct ctx *);
static enum disp	 confirm_do(struct ctx *, const struct pending *);
static bool		 confirm_code(struct ctx *, char [AUTH_CODE_LEN + 1]);
static enum answer	 confirm_answer(struct ctx *, const char *,
			    const char **, bool *);
static enum disp	 confirm_no(struct ctx *, const struct pending *,
			    const char *, bool);
static int		 confirm_no_reply(struct ctx *,
			    const struct pending *);
static enum disp	 confirm_unregister(struct ctx *,
			    const struct pending *);

const struct handler h_confirm = {
	"confirm", WHO_ANYONE, ARGS_OPTIONAL, confirm_check, confirm_run
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

	expires = c->now + (time_t)c->conf->confirm_days * 86400;
	snprintf(days, sizeof(days), "%d", c->conf->confirm_days);
	if (store_pending_add(c->st, c->sender, action, args, c->lang,
	    expires, c->now, &id) == -1)
		goto out;
	auth_code_make(c->secret, id, c->sender, action, expires, code);
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
	if (store_pending_set_code(c->st, id, code, mail) == -1 ||
	    store_audit(c->st, c->sender, audit, name, c->now) == -1)
		goto out;
	rc = 0;
 out:
	free(mail);
	free(audit);
	return rc;
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
	char		*name = NULL, *org = NULL, *nl, *consent = NULL;
	const char	*tmpl;
	enum disp	 d = D_TEMPFAIL;

	c->lang = p->lang;
	/* the mailbox answered: a member paused for bounces is back */
	if (c->member != NULL && strcmp(c->member->status, "paused") == 0 &&
	    (store_member_set_status(c->st, p->addr, "active") == -1 ||
	    store_bounce_clear(c->st, p->addr) == -1 ||
	    store_audit(c->st, p->addr, "resumed", p->action, c->now) == -1))
		goto out;
	if (strcmp(p->action, "join") == 0) {
		name = xstrdup(p->args ? p->args : "");
		if ((nl = strchr(name, '\n')) != NULL) {
			*nl = '\0';
			org = xstrdup(nl + 1);
		}
		consent = xasprintf("a reply to the join confirmation, "
		    "code %s", p->code);
		if (store_member_add(c->st, p->addr, name, org, p->lang,
		    c->now) == -1 ||
		    store_audit(c->st, p->addr, "joined", name, c->now) == -1 ||
		    store_consent_add(c->st, p->addr, "confirm",
		    c->m->message_id, consent, c->now) == -1)
			goto out;
		tmpl = "join.welcome";
	} else if (strcmp(p->action, "leave") == 0) {
		if (store_member_delete(c->st, p->addr) == -1 ||
		    store_audit(c->st, p->addr, "left", NULL, c->now) == -1)
			goto out;
		name = xstrdup(c->member && c->member->name ?
		    c->member->name : "");
		tmpl = "leave.goodbye";
	} else if (strcmp(p->action, "unregister") == 0) {
		d = confirm_unregister(c, p);
		goto out;
	} else if (strncmp(p->action, "meeting-", 8) == 0 ||
	    strcmp(p->action, "idea-close") == 0 ||
	    strcmp(p->action, "members") == 0 ||
	    strcmp(p->action, "post") == 0) {
		d = strcmp(p->action, "post") == 0 ? post_confirmed(c, p) :
		    meetingadmin_confirmed(c, p);
		if ((d == D_DONE || d == D_REJECT) &&
		    store_pending_use(c->st, p->id, c->now) == -1)
			d = D_TEMPFAIL;
		goto out;
	} else {
		snprintf(c->why, sizeof(c->why), "unknown pending action %s",
		    p->action);
		d = D_PARK;
		goto out;
	}
	if (store_pending_use(c->st, p->id, c->now) == -1)
		goto out;
	{
		const struct tvar v[] = { { "name", name ? name : "" },
		    { NULL, NULL } };

		if (reply_queue(c, tmpl, v, NULL) == -1)
			goto out;
	}
	log_info("%s confirmed %s", p->addr, p->action);
	d = D_DONE;
 out:
	free(name);
	free(org);
	free(consent);
	return d;
}

/*
 * A calendar decline, confirmed (calreply.c asked): the seat is given
 * up exactly as FRAMELD does; the personal CANCEL is the answer. If the
 * seat is already gone (FRAMELD meanwhile), the person is told so.
 */
static enum disp
confirm_unregister(struct ctx *c, const struct pending *p)
{
	struct meeting		 m;
	struct registration	 g;
	char			*code, *uid;
	bool			 was_registered;
	int			 r;
	enum disp		 d = D_TEMPFAIL;

	memset(&g, 0, sizeof(g));
	memset(&m, 0, sizeof(m));
	/* args: "CODE UID", the registration that was declined */
	code = xstrdup(p->args ? p->args : "");
	if ((uid = strchr(code, ' ')) != NULL)
		*uid++ = '\0';
	if ((r = store_meeting_get(c->st, code, &m)) == -1 ||
	    (r == 1 && (r = store_reg_get(c->st, m.id, p->addr, &g)) == -1) ||
	    store_pending_use(c->st, p->id, c->now) == -1)
		goto out;
	if (r == 0 || strcmp(g.state, "registered") != 0 ||
	    (uid != NULL && strcmp(uid, g.uid) != 0)) {
		c->args = code;
		d = meeting_reply(c, "unregister.notfound", r ? &m : NULL, NULL,
		    NULL) == 0 ? D_DONE : D_TEMPFAIL;
		snprintf(c->why, sizeof(c->why), "confirmed giving up %s, "
		    "but holds no seat", c->args);
		goto out;
	}
	if (meeting_unregister(c, &m, &g, &was_registered) == -1)
		goto out;
	log_info("%s confirmed unregister %s", p->addr, m.code);
	d = D_DONE;
 out:
	registration_clear(&g);
	meeting_clear(&m);
	free(code);
	return d;
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

/* The short mail that says nothing was done, in the row's language. */
static int
confirm_no_reply(struct ctx *c, const struct pending *p)
{
	struct meeting	 m;
	struct post	 post;
	const char	*tmpl = "confirm.no.meeting", *errstr;
	char		*first = NULL, *nl;
	int64_t		 id;
	int		 r = 0, rc = -1;

	memset(&m, 0, sizeof(m));
	memset(&post, 0, sizeof(post));
	/* join: "name\norg"; unregister: "CODE UID"; meeting: "CODE\n…" */
	first = xstrdup(p->args ? p->args : "");
	if ((nl = strpbrk(first, strcmp(p->action, "unregister") == 0 ?
	    " " : "\n")) != NULL)
		*nl = '\0';
	if (strcmp(p->action, "join") == 0)
		tmpl = "confirm.no.join";
	else if (strcmp(p->action, "leave") == 0)
		tmpl = "confirm.no.leave";
	else if (strcmp(p->action, "unregister") == 0) {
		tmpl = "confirm.no.unregister";
		r = store_meeting_get(c->st, first, &m);
	} else if (strcmp(p->action, "post") == 0) {
		tmpl = "confirm.no.post";
		id = util_strtonum(first, 1, INT64_MAX, &errstr);
		r = store_post_get(c->st, errstr ? 0 : id, false, &post);
	}
	if (r == -1)
		goto out;
	{
		const struct tvar v[] = { { "code", p->code },
		    { "name", strcmp(p->action, "join") == 0 ? first :
		    c->member && c->member->name ? c->member->name : "" },
		    { "meeting", m.code ? m.code : first },
		    { "title", m.title ? m.title : "" },
		    { "subject", post.subject ? post.subject : "" },
		    { NULL, NULL } };

		rc = reply_queue(c, tmpl, v, NULL);
	}
 out:
	meeting_clear(&m);
	post_clear(&post);
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
	if (store_pending_cancel(c->st, p->id, c->now) == -1 ||
	    store_audit(c->st, p->addr, audit, why, c->now) == -1 ||
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

static enum disp
confirm_run(struct ctx *c)
{
	struct pending	 p;
	char		 code[AUTH_CODE_LEN + 1];
	const char	*tmpl = NULL, *why = "";
	bool		 used = false, asks;
	int		 r;
	enum answer	 a;
	enum disp	 d = D_TEMPFAIL;

	memset(&p, 0, sizeof(p));
	if (!confirm_code(c, code))
		tmpl = "confirm.usage";
	else if ((r = store_pending_by_code(c->st, code, &p, &used)) == -1)
		goto out;
	else if (r == 0 || !auth_code_ok(c->secret, p.id, p.addr, p.action,
	    p.expires, code))
		tmpl = "confirm.unknown";
	/* rule 8: a question is for a person, and never confirms */
	a = confirm_answer(c, tmpl == NULL ? p.action : NULL, &why, &asks);
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
