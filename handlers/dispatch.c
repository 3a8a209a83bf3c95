/*
 * dispatch.c: the dispatcher. main.c calls dispatch_msg() for every
 * new message inside its transaction; it checks the handler's
 * descriptor (who may use it, how many arguments), finds the pending
 * confirmation a reply belongs to, and runs the handler. Owns nothing.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bounce.h"
#include "dispatch.h"
#include "listmail.h"
#include "log.h"
#include "util.h"

#define DISPATCH_MAX_REFS	20
#define DISPATCH_MAX_ORIG	24	/* ids a bounce gives for its original */

static int	dispatch_each_ref(const char *, struct store *,
		    int (*)(struct store *, const char *, void *), void *);
static int	dispatch_ref_is_ours(struct store *, const char *, void *);
static int	dispatch_ref_pending(struct store *, const char *, void *);
static int	dispatch_pending_code(struct ctx *, const struct recog *,
		    char *);
static enum disp dispatch_run(struct ctx *, const struct handler *,
		    const char **);
static int	dispatch_copy_token(struct ctx *, char *);

/* Calls fn for each <msg-id> in a header value, at most 20; stops at 1. */
static int
dispatch_each_ref(const char *v, struct store *st,
    int (*fn)(struct store *, const char *, void *), void *arg)
{
	const char	*p = v, *e;
	char		*id;
	int		 r = 0, n = 0;

	while (v != NULL && r == 0 && n++ < DISPATCH_MAX_REFS &&
	    (p = strchr(p, '<')) != NULL && (e = strchr(p, '>')) != NULL) {
		id = xstrndup(p + 1, (size_t)(e - p - 1));
		r = fn(st, id, arg);
		free(id);
		p = e + 1;
	}
	return r;
}

static int
dispatch_ref_is_ours(struct store *st, const char *id, void *arg)
{
	(void)arg;
	return store_outbox_has_msgid(st, id);
}

static int
dispatch_ref_pending(struct store *st, const char *id, void *arg)
{
	struct pending	 p;
	bool		 used;
	int		 r;

	if ((r = store_pending_by_mail(st, id, &p, &used)) == 1)
		memcpy(arg, p.code, AUTH_CODE_LEN + 1);
	pending_clear(&p);
	return r;
}

int
dispatch_refs_ours(struct store *st, const struct msg *m)
{
	const char	*h;
	size_t		 i;
	int		 r;

	if ((r = dispatch_each_ref(m->in_reply_to, st, dispatch_ref_is_ours,
	    NULL)) != 0 || (r = dispatch_each_ref(m->references, st,
	    dispatch_ref_is_ours, NULL)) != 0)
		return r;
	/* a bounce quotes the headers of the mail that bounced */
	for (i = 0; i < m->nparts; i++) {
		if (strcmp(m->parts[i].type, "message/rfc822") != 0 &&
		    strcmp(m->parts[i].type, "text/rfc822-headers") != 0)
			continue;
		h = m->parts[i].data;
		while (h != NULL && (h = strcasestr(h, "message-id:")) != NULL) {
			char *line = xstrndup(h, strcspn(h, "\r\n"));

			r = dispatch_each_ref(line, st, dispatch_ref_is_ours,
			    NULL);
			free(line);
			if (r != 0)
				return r;
			h += 11;
		}
	}
	return 0;
}

/*
 * Was the message sent to one of ffnet's tagged addresses? The
 * envelope recipient is in Delivered-To (Dovecot, Postfix) or its
 * cousins; To and Cc serve when a server writes none.
 */
static bool
dispatch_tagged(const struct ctx *c, char tag, char out[LISTMAIL_TOKEN_MAX + 1])
{
	static const char *const names[] = { "delivered-to",
	    "x-original-to", "envelope-to", "x-envelope-to", "to", "cc" };
	const struct msg	*m = c->m;
	const char		*at = strrchr(c->env->conf->address, '@'), *p;
	char			*want, *v, *q, *e;
	size_t			 i, k;
	bool			 found = false;

	if (at == NULL)
		return false;
	want = xasprintf("%.*s+%c-", (int)(at - c->env->conf->address),
	    c->env->conf->address, tag);
	for (k = 0; k < nitems(names) && !found; k++)
		for (i = 0; i < m->nhdrs && !found; i++) {
			if (strcasecmp(m->hdrs[i].name, names[k]) != 0)
				continue;
			v = xstrdup(m->hdrs[i].value);
			for (q = v; *q; q++)
				*q = (char)tolower((unsigned char)*q);
			for (p = v; !found && (p = strstr(p, want)) != NULL;
			    p++) {
				if (p > v && strchr("<, \t:\"", p[-1]) == NULL)
					continue;
				e = xstrndup(p, strcspn(p, ">, \t\"\r\n"));
				found = listmail_tag_find(c->env->conf, e,
				    tag, out);
				free(e);
			}
			free(v);
		}
	free(want);
	return found;
}

/*
 * Does the message name one of ffnet's list copies by its Message-ID
 * (listmail_copy_msgid_dup)? That is how a bounce finds its copy when the
 * submission server took the VERP return path away. 1 and the copy's
 * token in tok when the store knows it; 0; -1 on a store failure. A
 * Message-ID that is not a copy's, or a token nobody has, counts as 0.
 */
static int
dispatch_copy_token(struct ctx *c, char *tok)
{
	char	*ids[DISPATCH_MAX_ORIG], *addr = NULL;
	int64_t	 post;
	size_t	 n, i;
	int	 r = 0;

	n = bounce_orig_ids(c->m, ids, nitems(ids));
	for (i = 0; i < n && r == 0; i++) {
		if (!listmail_msgid_token(c->env->conf, ids[i], tok))
			continue;
		r = store_rcpt_by_token(c->env->st, tok, &addr, &post);
		free(addr);
		addr = NULL;
	}
	for (i = 0; i < n; i++)
		free(ids[i]);
	if (r != 1)
		tok[0] = '\0';
	return r;
}

/*
 * The code of the pending confirmation this message answers: one in
 * the Subject that the store knows, or the one whose mail is its direct
 * parent: In-Reply-To, or without it the last id of References (RFC
 * 5322 3.6.4). A confirmation further up the thread does not count: a
 * "Tak!" to the welcome mail is a person's mail, not a second yes.
 */
static int
dispatch_pending_code(struct ctx *c, const struct recog *r, char *code)
{
	struct pending	 p;
	bool		 used;
	int		 found = 0;

	code[0] = '\0';
	if (r->code[0] != '\0') {
		if ((found = store_pending_by_code(c->env->st, r->code, &p,
		    &used)) == 1)
			memcpy(code, r->code, AUTH_CODE_LEN + 1);
		pending_clear(&p);
		if (found != 0)
			return found;
	}
	if (c->m->in_reply_to != NULL && strchr(c->m->in_reply_to, '<'))
		return dispatch_each_ref(c->m->in_reply_to, c->env->st,
		    dispatch_ref_pending, code);
	return dispatch_each_ref(c->m->references != NULL ?
	    strrchr(c->m->references, '<') : NULL, c->env->st,
	    dispatch_ref_pending, code);
}

static enum disp
dispatch_run(struct ctx *c, const struct handler *h, const char **kind)
{
	char	*tmpl;
	int	 ok;

	*kind = h->name;
	/* first: is it a command at all ("Deltagere til mødet i går…")? */
	ok = h->args != ARGS_REQUIRED || *c->args != '\0' ? 0 : -1;
	if (ok == 0 && h->check != NULL)
		ok = h->check(c);
	if (ok == 1) {
		snprintf(c->why, sizeof(c->why), "%s with words that are not "
		    "its arguments", h->name);
		*kind = "none";
		return D_SKIP;
	}
	if (h->who == WHO_MEMBER && c->member == NULL)
		return h_notmember.run(c);
	if (h->who == WHO_SECRETARIAT &&
	    !conf_is_secretariat(c->env->conf, c->sender)) {
		const struct tvar v[] = { { NULL, NULL } };

		snprintf(c->why, sizeof(c->why), "%s is for the secretariat",
		    h->name);
		return reply_queue(c, "notsecretariat", v, NULL) == 0 ?
		    D_REJECT : D_TEMPFAIL;
	}
	if (ok == -1) {
		const struct tvar v[] = { { NULL, NULL } };

		tmpl = xasprintf("%s.usage", h->name);
		ok = reply_queue(c, tmpl, v, NULL);
		free(tmpl);
		return ok == 0 ? D_REJECT : D_TEMPFAIL;
	}
	return h->run(c);
}

enum disp
dispatch_msg(struct ctx *c, const struct recog *r, const char **kind)
{
	const char *lang = c->member ? c->member->lang : c->env->conf->language;
	int		 refs;

	*kind = "none";
	c->lang = lang;
	c->args = "";
	if (r->kind != R_SELF) {
		char	 tok[LISTMAIL_TOKEN_MAX + 1];

		if (dispatch_tagged(c, 'b', tok)) {
			*kind = "bounce";
			return list_bounce(c, tok);
		}
		if (r->kind != R_AUTO && r->kind != R_BOUNCE &&
		    dispatch_tagged(c, 'u', tok)) {
			*kind = "unsubscribe";
			return list_unsubscribe(c, tok);
		}
	}
	switch (r->kind) {
	case R_SELF:
	case R_LIST:
		*kind = r->kind == R_SELF ? "self" : "list";
		snprintf(c->why, sizeof(c->why), "%s", r->why);
		return D_SKIP;
	case R_AUTO:
	case R_BOUNCE: {
		char	 tok[LISTMAIL_TOKEN_MAX + 1];

		*kind = r->kind == R_AUTO ? "auto" : "bounce";
		/* no VERP token: the original's Message-ID names the copy */
		if ((refs = dispatch_copy_token(c, tok)) == -1)
			return D_TEMPFAIL;
		if (refs && r->kind == R_BOUNCE)
			return list_bounce(c, tok);
		if (!refs &&
		    (refs = dispatch_refs_ours(c->env->st, c->m)) == -1)
			return D_TEMPFAIL;
		if (refs && r->kind == R_BOUNCE)
			return list_bounce(c, NULL);
		snprintf(c->why, sizeof(c->why), "%s%s", r->why, refs ?
		    ", about ffnet's mail: filed, not answered" :
		    ": not answered");
		return refs ? D_DONE : D_SKIP;
	}
	case R_COMMAND:
		c->lang = r->cmd->lang;
		c->word = r->cmd->word;
		c->args = r->args;
		c->rest = r->rest;
		c->code = r->code[0] ? r->code : NULL;
		/*
		 * "SV: Bekræft at …" with the code cut from the Subject: the
		 * word says yes, the direct parent says to what.
		 */
		if (r->cmd->h == &h_confirm && c->code == NULL) {
			if ((refs = dispatch_pending_code(c, r,
			    c->code_buf)) == -1)
				return D_TEMPFAIL;
			if (refs == 1)
				c->code = c->code_buf;
		}
		if (r->args_cut)
			log_info("arguments of %s from %s cut to %d bytes",
			    r->cmd->word, c->sender, c->env->conf->max_arg_len);
		return dispatch_run(c, r->cmd->h, kind);
	case R_CALENDAR:
		*kind = "calendar";
		c->cal = &r->cal;
		return h_calreply.run(c);
	case R_NEAR:
	case R_NOT_OURS:
		break;
	}
	/* A reply to a confirmation mail: confirm.c reads what it says. */
	if ((refs = dispatch_pending_code(c, r, c->code_buf)) == -1)
		return D_TEMPFAIL;
	if (refs == 1) {
		c->code = c->code_buf;
		return dispatch_run(c, &h_confirm, kind);
	}
	if (r->kind == R_NEAR) {
		const struct command *cmd = command_find(r->suggest);

		c->suggest = r->suggest;
		if (cmd != NULL && c->member == NULL)
			c->lang = cmd->lang;
		*kind = "unknown";
		return h_unknown.run(c);
	}
	*kind = "none";
	snprintf(c->why, sizeof(c->why), "%s", r->why);
	return D_SKIP;
}
