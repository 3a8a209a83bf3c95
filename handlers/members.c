/*
 * members.c: MEDLEMMER / MEMBERS. The secretariat only (the dispatcher
 * answers anyone else with notsecretariat, and no data). The list is
 * personal data, so a From header is not enough: as for MØDE OPRET
 * (secretariat_ask), it goes at once only when a trusted server vouches
 * for the sender, else after the secretariat address confirms by
 * replying. The answer carries the member list as a CSV file for Danish
 * Excel (members_csv_dup, the file "member import" reads) and the counts
 * in the text. Templates: members.list, members.csv, meeting.confirm.
 * Tables: members, pending, audit (read), outbox.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "handler.h"
#include "members.h"
#include "util.h"

static enum disp	 members_run(struct ctx *);
static enum disp	 members_confirmed(struct ctx *, const struct pending *);

static const char *const members_tmpls[] = {
	"meeting.confirm", "members.list", "members.csv", "csv.header",
	"confirm.no.meeting", NULL
};

const struct handler h_members = {
	.name = "members",
	.who = WHO_SECRETARIAT,
	.args = ARGS_NONE,
	.run = members_run,
	.confirmed = members_confirmed,
	.tmpls = members_tmpls,
};

static enum disp
members_run(struct ctx *c)
{
	return secretariat_ask(c, &h_members, NULL,
	    "MEDLEMMER / MEMBERS");
}

/* Proven or confirmed: the list goes to the secretariat address. */
static enum disp
members_confirmed(struct ctx *c, const struct pending *p)
{
	struct members_counts	 k;
	struct mime_attach	 a;
	const struct tvar	 none[] = { { NULL, NULL } };
	char			*csv = NULL, *subject = NULL, *header = NULL;
	char			*file = NULL, act[24], pau[24], pen[24];
	char			*buf;
	const char		*code, *fields;
	enum disp		 d = D_TEMPFAIL;

	if (!secretariat_args(c, p, &buf, &code, &fields))
		return D_PARK;
	free(buf);

	if (members_count(c->env->st, c->now, &k) == -1 ||
	    (csv = members_csv_dup(c->env->st, c->env->tmpls, c->lang, NULL,
	    c->now)) == NULL)
		goto out;
	/* "Medlemmer.csv": named by the Subject of members.csv */
	if (tmpl_render(c->env->tmpls, c->lang, "members.csv", none, &subject,
	    &header) == 0 && *util_trim(subject) != '\0')
		file = xasprintf("%s.csv", subject);
	else
		file = xstrdup("members.csv");
	snprintf(act, sizeof(act), "%lld", (long long)k.active);
	snprintf(pau, sizeof(pau), "%lld", (long long)k.paused);
	snprintf(pen, sizeof(pen), "%lld", (long long)k.pending);
	{
		const struct tvar v[] = { { "active", act }, { "paused", pau },
		    { "pending", pen }, { "file", file }, { NULL, NULL } };

		a.type = "text/csv; charset=UTF-8";
		a.filename = file;
		a.data = csv;
		a.len = strlen(csv);
		if (reply_queue_attach(c, "members.list", v, &a, 1, NULL) == 0)
			d = D_DONE;
	}
 out:
	free(csv);
	free(subject);
	free(header);
	free(file);
	return d;
}
