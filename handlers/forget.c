/*
 * forget.c: SLET MIG / FORGET ME (GDPR art. 17). Anyone may ask; the
 * address gets forget.confirm, and when it answers, ffnet forgets it:
 * its registrations for coming meetings are given up (the seats go to
 * the waiting list, the calendar gets a CANCEL), then store_forget()
 * deletes or anonymises everything else, keeping only a keyed hash of
 * the address (auth_addr_hash) where the network's records need a
 * stand-in. The person gets forget.done; the secretariat gets
 * forget.secretariat with the counts and meeting codes, never the
 * address or the name. A later TILMELD starts afresh.
 * Templates: forget.confirm, forget.done, forget.secretariat,
 * confirm.no.forget. Tables: all that hold an address.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "handler.h"
#include "log.h"
#include "util.h"

static enum disp	 forget_run(struct ctx *);
static enum disp	 forget_confirmed(struct ctx *, const struct pending *);
static int		 forget_declined(struct ctx *, const struct pending *);
static int		 forget_coming(struct ctx *, const char *addr,
			    struct buf *codes, int *n);

static const char *const forget_tmpls[] = {
	"forget.confirm", "forget.done", "forget.secretariat",
	"confirm.no.forget", NULL
};

const struct handler h_forget = {
	.name = "forget",
	.who = WHO_ANYONE,
	.args = ARGS_NONE,
	.run = forget_run,
	.confirmed = forget_confirmed,
	.tmpls = forget_tmpls,
	.declined = forget_declined,
};

static enum disp
forget_run(struct ctx *c)
{
	return confirm_ask_sender(c, "forget", "forget.confirm") == 0 ?
	    D_DONE : D_TEMPFAIL;
}

/*
 * Gives up the address's seats and places on waiting lists for the
 * meetings that have not begun, as FRAMELD does, but tells the
 * secretariat only the meeting codes (in codes, *n of them).
 */
static int
forget_coming(struct ctx *c, const char *addr, struct buf *codes, int *n)
{
	struct meeting		*ms = NULL;
	struct registration	 g;
	size_t			 nm = 0, i;
	bool			 was;
	int			 r, rc = -1;

	*n = 0;
	if (store_meeting_list(c->env->st, c->now, &ms, &nm) == -1)
		return -1;
	for (i = 0; i < nm; i++) {
		if (ms[i].start <= c->now ||
		    strcmp(ms[i].status, "cancelled") == 0)
			continue;
		memset(&g, 0, sizeof(g));
		if ((r = store_reg_get(c->env->st, ms[i].id, addr, &g)) == -1)
			goto out;
		if (r == 1 && strcmp(g.state, "cancelled") != 0) {
			if (meeting_unregister(c, &ms[i], &g, false, &was) == -1) {
				registration_clear(&g);
				goto out;
			}
			buf_addf(codes, "%s%s", *n ? ", " : "", ms[i].code);
			(*n)++;
		}
		registration_clear(&g);
	}
	rc = 0;
 out:
	meetings_free(ms, nm);
	return rc;
}

/* The address answered: forgotten, with a last mail to it. */
static enum disp
forget_confirmed(struct ctx *c, const struct pending *p)
{
	struct forget_counts	 fc;
	struct buf		 codes;
	char			 hash[AUTH_HASH_LEN + 1];
	char			 ncoming[16], nregs[16], kept[16], gone[16];
	char			*list = NULL;
	int			 coming;
	enum disp		 d = D_TEMPFAIL;
	const struct tvar	 v[] = { { "name", c->member &&
	    c->member->name ? c->member->name : "" }, { NULL, NULL } };

	auth_addr_hash(c->env->secret, p->addr, hash);
	buf_init(&codes);
	/* the goodbye and the CANCELs first: store_forget marks them */
	if (forget_coming(c, p->addr, &codes, &coming) == -1 ||
	    reply_queue(c, "forget.done", v, NULL) == -1 ||
	    store_forget(c->env->st, p->addr, hash, c->now, &fc) == -1 ||
	    store_audit(c->env->st, hash, "forgotten", NULL, c->now) == -1)
		goto out;
	list = buf_release(&codes);
	snprintf(ncoming, sizeof(ncoming), "%d", coming);
	snprintf(nregs, sizeof(nregs), "%d", fc.registrations);
	snprintf(kept, sizeof(kept), "%d", fc.ideas_kept);
	snprintf(gone, sizeof(gone), "%d", fc.ideas_removed);
	{
		const struct tvar s[] = { { "coming", ncoming },
		    { "meetings", *list ? list : "-" },
		    { "registrations", nregs }, { "ideas_kept", kept },
		    { "ideas_removed", gone }, { NULL, NULL } };

		if (reply_secretariat(c, "forget.secretariat", s) == -1)
			goto out;
	}
	log_info("an address was forgotten (SLET MIG): %s", hash);
	d = D_DONE;
 out:
	buf_clear(&codes);
	free(list);
	return d;
}

/* "Vi har ikke slettet noget". */
static int
forget_declined(struct ctx *c, const struct pending *p)
{
	return confirm_no_send(c, p, "confirm.no.forget", NULL, "", NULL,
	    NULL);
}
