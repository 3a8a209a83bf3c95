/*
 * calreply.c: answers from calendar apps (iTIP REPLY, COUNTER), found
 * in any part by recog.c and matched by UID and ATTENDEE, never by
 * ORGANIZER (Outlook leaves it out) and not only by From (Apple may
 * answer from another account). Never answered as a command.
 * Tables: registrations. (Handling of each PARTSTAT: being written.)
 */
#include <stdio.h>
#include <string.h>

#include "handler.h"
#include "log.h"

static enum disp	 calreply_run(struct ctx *);

const struct handler h_calreply = {
	"calreply", WHO_ANYONE, ARGS_OPTIONAL, NULL, calreply_run
};

static enum disp
calreply_run(struct ctx *c)
{
	struct registration	 g;
	int			 r;
	enum disp		 d = D_TEMPFAIL;

	if (c->cal == NULL || c->cal->uid == NULL)
		return D_SKIP;
	if ((r = store_reg_by_uid(c->st, c->cal->uid, &g)) == -1)
		goto out;
	if (r == 0) {	/* not one of ours: leave it for a person */
		snprintf(c->why, sizeof(c->why), "calendar answer for an "
		    "unknown event");
		d = D_SKIP;
		goto out;
	}
	if (c->cal->partstat != NULL && strcmp(c->cal->method, "REPLY") == 0 &&
	    store_reg_set_partstat(c->st, g.id, c->cal->partstat) == -1)
		goto out;
	log_info("calendar %s %s from %s for %s", c->cal->method,
	    c->cal->partstat ? c->cal->partstat : "-", c->cal->attendee ?
	    c->cal->attendee : "-", g.addr);
	d = D_DONE;
 out:
	registration_clear(&g);
	return d;
}
