/*
 * listaddr.c: mail to the addresses ffnet hands out with list mail.
 *   <network>+u-<token>  List-Unsubscribe's mailto: the member named by
 *                        the token leaves in one step (RFC 8058 spirit);
 *                        the token, not the From header, proves who.
 *   <network>+b-<token>  the return path of one copy (VERP): a bounce
 *                        names the recipient by its token.
 * Bounces to the network address itself are read too: dispatch.c finds
 * the copy by the original's Message-ID, which carries the same token
 * (Exchange keeps its mailbox as envelope sender, so no VERP there),
 * else bounce.c finds the failed recipients. Only permanent failures
 * count, a DMARC refusal never does; after [list] bounce_days
 * different days the member is paused (no more list mail) and the
 * secretariat is told, with the bounce's own words. Templates:
 * leave.goodbye, bounce.paused.
 * Tables: members, bounces, audit, outbox.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bounce.h"
#include "handler.h"
#include "listmail.h"
#include "log.h"
#include "util.h"

#define LISTADDR_DIAG_MAX	600

static const char *const listaddr_tmpls[] = {
	"leave.goodbye", "bounce.paused", NULL
};

/* No word reaches it: dispatch.c calls list_unsubscribe and list_bounce. */
const struct handler h_listaddr = {
	.name = "listaddr",
	.who = WHO_ANYONE,
	.args = ARGS_NONE,
	.tmpls = listaddr_tmpls,
};

enum disp
list_unsubscribe(struct ctx *c, const char *token)
{
	struct member	 m;
	int		 r;
	enum disp	 d = D_TEMPFAIL;

	if ((r = store_member_by_token(c->env->st, token, &m)) == -1)
		return D_TEMPFAIL;
	if (r == 0) {
		snprintf(c->why, sizeof(c->why), "unsubscribe token %s is no "
		    "member's (already left?)", token);
		log_info("%s", c->why);
		return D_DONE;
	}
	if (store_member_delete(c->env->st, m.addr) == -1 ||
	    store_audit(c->env->st, m.addr, "left", "List-Unsubscribe",
	    c->now) == -1)
		goto out;
	{
		struct outmail		 o;
		const struct tvar	 v[] = { { "name", m.name ? m.name : "" },
		    { NULL, NULL } };

		/* to the member, whoever's client sent the mailto */
		memset(&o, 0, sizeof(o));
		o.to = m.addr;
		o.to_name = m.name;
		o.lang = m.lang;
		o.tmpl = "leave.goodbye";
		o.vars = v;
		o.thread = util_addr_eq(m.addr, c->sender) ? c->m : NULL;
		o.kind = "reply";
		if (compose_mail(c->env, &o, c->now, NULL) == -1)
			goto out;
	}
	log_info("%s left by List-Unsubscribe (mail from %s)", m.addr,
	    c->sender);
	d = D_DONE;
 out:
	member_clear(&m);
	return d;
}

/* Tells every secretariat address that addr gets no more list mail. */
static int
list_tell_paused(struct ctx *c, const struct member *m, int64_t days,
    const struct bounce *b)
{
	char		 n[24], *diag;
	int		 rc;

	snprintf(n, sizeof(n), "%lld", (long long)days);
	diag = xstrndup(b->diagnostic ? b->diagnostic : "-",
	    LISTADDR_DIAG_MAX);
	{
		const struct tvar v[] = { { "email", m->addr },
		    { "name", m->name ? m->name : "-" },
		    { "org", m->org ? m->org : "-" }, { "days", n },
		    { "status", b->status[0] ? b->status : "-" },
		    { "diagnostic", diag }, { NULL, NULL } };

		rc = reply_secretariat(c, "bounce.paused", v);
	}
	free(diag);
	return rc;
}

/* One permanent failure for addr; pauses the member past the limit. */
static int
list_bounce_one(struct ctx *c, const char *addr, int64_t post,
    const struct bounce *b)
{
	struct member	 m;
	struct tm	 tm;
	char		 day[16];
	int64_t		 days = 0;
	int		 r, rc = -1;

	if ((r = store_member_get(c->env->st, addr, &m)) != 1)
		return r == 0 ? 0 : -1;	/* a guest or a former member */
	gmtime_r(&c->now, &tm);
	strftime(day, sizeof(day), "%Y-%m-%d", &tm);
	if (store_bounce_add(c->env->st, addr, post, b->status, b->diagnostic,
	    c->now, day) == -1 ||
	    store_bounce_days(c->env->st, addr, &days) == -1)
		goto out;
	log_info("bounce for %s (%s), day %lld of %d", addr,
	    b->status[0] ? b->status : "no status", (long long)days,
	    c->env->conf->bounce_days);
	if (days >= c->env->conf->bounce_days &&
	    strcmp(m.status, "active") == 0) {
		if (store_member_set_status(c->env->st, addr, "paused") == -1 ||
		    store_audit(c->env->st, addr, "paused", b->status,
		    c->now) == -1 ||
		    list_tell_paused(c, &m, days, b) == -1)
			goto out;
		log_info("%s paused: bounced on %lld days", addr,
		    (long long)days);
	}
	rc = 0;
 out:
	member_clear(&m);
	return rc;
}

enum disp
list_bounce(struct ctx *c, const char *token)
{
	struct bounce	 b;
	char		*addr = NULL;
	int64_t		 post = 0;
	size_t		 i;
	int		 r;
	enum disp	 d = D_TEMPFAIL;

	memset(&b, 0, sizeof(b));
	if (token != NULL && (r = store_rcpt_by_token(c->env->st, token, &addr,
	    &post)) != 1) {
		if (r == -1)
			return D_TEMPFAIL;
		snprintf(c->why, sizeof(c->why), "bounce token %s unknown",
		    token);
		return D_PARK;
	}
	if (bounce_parse(c->m, &b) == -1) {
		/* an auto-reply to a copy's return path, or a person */
		snprintf(c->why, sizeof(c->why), "mail to a bounce address "
		    "that is no bounce: filed");
		d = D_DONE;
		goto out;
	}
	if (b.kind != BOUNCE_PERMANENT || b.dmarc) {
		snprintf(c->why, sizeof(c->why), "%s%s: not counted",
		    b.dmarc ? "refused for DMARC " : "",
		    b.kind == BOUNCE_TEMPORARY ? "temporary failure" :
		    b.kind == BOUNCE_SUCCESS ? "delivery notice" : "bounce");
		log_info("%s for %s", c->why, addr ? addr : b.nrcpts ?
		    b.rcpts[0] : "?");
		d = D_DONE;
		goto out;
	}
	/* the token names the copy; a DSN's own recipients otherwise */
	if (addr != NULL) {
		if (list_bounce_one(c, addr, post, &b) == -1)
			goto out;
	} else
		for (i = 0; i < b.nrcpts; i++)
			if (list_bounce_one(c, b.rcpts[i], 0, &b) == -1)
				goto out;
	snprintf(c->why, sizeof(c->why), "bounce counted");
	d = D_DONE;
 out:
	bounce_clear(&b);
	free(addr);
	return d;
}
