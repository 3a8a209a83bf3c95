/*
 * participants.c: DELTAGERE <kode> / PARTICIPANTS <code>. The
 * secretariat only (the dispatcher answers anyone else with notmember).
 * Replies with the meeting's participant list as a CSV file that Danish
 * Excel opens right (cli_csv_dup) and the counts in the text.
 * Templates: participants.list, participants.usage, register.unknown,
 * csv.header. Tables: meetings, registrations, members (read), outbox.
 *
 * Authorisation is by the From address, through WHO_SECRETARIAT. That
 * is enough here, though not for commands that change state: the list
 * is only ever sent to the configured secretariat address the request
 * claims to come from, so a forged From reveals nothing to the forger.
 * Stronger proof (DKIM/DMARC, a confirmation round trip) is auth.c's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "handler.h"
#include "ical.h"
#include "util.h"

static enum disp	 participants_run(struct ctx *);
static char		*participants_filename_dup(struct ctx *,
			    const struct meeting *);
static int		 participants_guests(struct ctx *,
			    const struct meeting *, int *);
static int		 participants_reply(struct ctx *,
			    const struct meeting *, const char *);

static const char *const participants_tmpls[] = {
	"participants.usage", "participants.list", "csv.header",
	"register.unknown", NULL
};

const struct handler h_participants = {
	.name = "participants",
	.who = WHO_SECRETARIAT,
	.args = ARGS_REQUIRED,
	.check = meeting_code_check,
	.run = participants_run,
	.tmpls = participants_tmpls,
};

static enum disp
participants_run(struct ctx *c)
{
	struct meeting	 m;
	char		*csv = NULL;
	enum disp	 d = D_TEMPFAIL;

	if (meeting_find(c, &m, &d) != 1)
		goto out;
	if ((csv = cli_csv_dup(c->env->st, c->env->tmpls, &m, c->lang)) == NULL)
		goto out;
	if (participants_reply(c, &m, csv) == 0)
		d = D_DONE;
 out:
	free(csv);
	meeting_clear(&m);
	return d;
}

/*
 * "Deltagere M3.csv": the file is named by the Subject of csv.header
 * (its header row's text), so the name is in the reader's language.
 */
static char *
participants_filename_dup(struct ctx *c, const struct meeting *m)
{
	const struct tvar	 none[] = { { NULL, NULL } };
	char			*subject = NULL, *body = NULL, *name;

	if (tmpl_render(c->env->tmpls, c->lang, "csv.header", none, &subject,
	    &body) == 0 && *util_trim(subject) != '\0')
		name = xasprintf("%s %s.csv", subject, m->code);
	else
		name = xasprintf("%s.csv", m->code);
	free(subject);
	free(body);
	return name;
}

/* Guests (non-members) among the registered. */
static int
participants_guests(struct ctx *c, const struct meeting *m, int *guests)
{
	struct registration	*v = NULL;
	size_t			 n = 0, i;

	*guests = 0;
	if (store_reg_list(c->env->st, m->id, "registered", &v, &n) == -1)
		return -1;
	for (i = 0; i < n; i++)
		*guests += v[i].guest;
	registrations_free(v, n);
	return 0;
}

/* The answer with the file attached, threaded to the request. */
static int
participants_reply(struct ctx *c, const struct meeting *m, const char *csv)
{
	struct mime_attach	 a;
	char			 reg[16], wait[16], guest[16], cap[16];
	char			*name, *when;
	int			 guests, rc = -1;

	if (participants_guests(c, m, &guests) == -1)
		return -1;
	snprintf(reg, sizeof(reg), "%d", m->taken);
	snprintf(wait, sizeof(wait), "%d", m->waiting);
	snprintf(guest, sizeof(guest), "%d", guests);
	snprintf(cap, sizeof(cap), "%d", m->capacity);
	name = participants_filename_dup(c, m);
	when = ical_when_dup(c->env->conf->timezone, m->start, c->lang, false);
	{
		const struct tvar v[] = { { "code", m->code },
		    { "title", m->title }, { "when", when },
		    { "place", m->place ? m->place : "" },
		    { "host", m->host ? m->host : "" }, { "registered", reg },
		    { "waiting", wait }, { "guests", guest },
		    { "capacity", cap }, { "file", name }, { NULL, NULL } };

		a.type = "text/csv; charset=UTF-8";
		a.filename = name;
		a.data = csv;
		a.len = strlen(csv);
		rc = reply_queue_attach(c, "participants.list", v, &a, 1, NULL);
	}
	free(name);
	free(when);
	return rc;
}
