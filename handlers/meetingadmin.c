/*
 * meetingadmin.c: the secretariat's meeting commands by mail.
 *   MØDE OPRET / MEETING NEW        (lines: titel: start: slut: sted: vært:
 *                                    kapacitet: type: åben: frist: kontakt:
 *                                    beskrivelse: dagsorden: konference:)
 *   MØDE ÆNDR <kode> / MEETING CHANGE <code>  (the lines to change)
 *   MØDE AFLYS <kode> / MEETING CANCEL <code>
 * Secretariat only (the dispatcher checks the address). A From header
 * proves nothing: the act happens at once only with a DKIM/DMARC pass
 * from a trusted server (auth.c); otherwise the secretariat address is
 * asked to confirm by replying (secretariat_ask), and confirm.c calls
 * the descriptor's confirmed hook. Templates: in the descriptors.
 * Tables: meetings, registrations, pending, outbox.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "handler.h"
#include "ical.h"
#include "log.h"
#include "meeting.h"
#include "util.h"

enum meetingadmin_act {
	MA_NEW,
	MA_CHANGE,
	MA_CANCEL,
};

static enum disp	 meetingnew_run(struct ctx *);
static enum disp	 meetingchange_run(struct ctx *);
static enum disp	 meetingcancel_run(struct ctx *);
static enum disp	 meetingnew_confirmed(struct ctx *,
			    const struct pending *);
static enum disp	 meetingchange_confirmed(struct ctx *,
			    const struct pending *);
static enum disp	 meetingcancel_confirmed(struct ctx *,
			    const struct pending *);

static const char *const meetingnew_tmpls[] = {
	"meeting.confirm", "meeting.created", "meetingnew.usage",
	"confirm.no.meeting", NULL
};
static const char *const meetingchange_tmpls[] = {
	"meeting.confirm", "meeting.changed", "meetingchange.usage",
	"register.unknown", "invite.update", "invite.promoted",
	"confirm.no.meeting", NULL
};
static const char *const meetingcancel_tmpls[] = {
	"meeting.confirm", "meeting.cancelled", "meetingcancel.usage",
	"register.unknown", "invite.cancel", "confirm.no.meeting", NULL
};
const struct handler h_meetingnew = {
	.name = "meetingnew",
	.who = WHO_SECRETARIAT,
	.args = ARGS_NONE,
	.run = meetingnew_run,
	.confirmed = meetingnew_confirmed,
	.tmpls = meetingnew_tmpls,
};
const struct handler h_meetingchange = {
	.name = "meetingchange",
	.who = WHO_SECRETARIAT,
	.args = ARGS_REQUIRED,
	.check = meeting_code_check,
	.run = meetingchange_run,
	.confirmed = meetingchange_confirmed,
	.tmpls = meetingchange_tmpls,
};
const struct handler h_meetingcancel = {
	.name = "meetingcancel",
	.who = WHO_SECRETARIAT,
	.args = ARGS_REQUIRED,
	.check = meeting_code_check,
	.run = meetingcancel_run,
	.confirmed = meetingcancel_confirmed,
	.tmpls = meetingcancel_tmpls,
};

/* Body keys (folded) and the field names of meeting_set(). */
static const struct {
	const char	*key;
	const char	*field;
} meetingadmin_keys[] = {
	{ "aaben", "open" }, { "agenda", "agenda" },
	{ "beskrivelse", "description" },
	{ "capacity", "capacity" }, { "contact", "contact" },
	{ "deadline", "deadline" }, { "description", "description" },
	{ "end", "end" }, { "frist", "deadline" }, { "host", "host" },
	{ "kapacitet", "capacity" }, { "kind", "kind" },
	{ "konference", "parent" }, { "kontakt", "contact" },
	{ "open", "open" }, { "parent", "parent" }, { "place", "place" },
	{ "slut", "end" }, { "start", "start" }, { "sted", "place" },
	{ "title", "title" }, { "titel", "title" }, { "type", "kind" },
	{ "vaert", "host" },
};

/* Danish and English values for type: and åben:. */
static const char *
meetingadmin_value(const char *field, const char *v)
{
	static const struct { const char *in, *out; } words[] = {
		{ "moede", "meeting" }, { "udflugt", "outing" },
		{ "konference", "conference" }, { "ja", "yes" }, { "nej", "no" },
	};
	size_t	 i;

	if (strcmp(field, "kind") != 0 && strcmp(field, "open") != 0)
		return v;
	for (i = 0; i < nitems(words); i++)
		if (strcmp(v, words[i].in) == 0)
			return words[i].out;
	return v;
}

/*
 * Applies the "key: value" lines of text to m; lines without a known
 * key (a greeting, a signature) are passed over. -1 with err.
 */
static int
meetingadmin_apply(struct store *st, const struct conf *conf,
    struct meeting *m, const char *text, struct meeting_edit *e, char *err,
    size_t errlen)
{
	char	*copy, *line, *save = NULL, *colon, *key, *val;
	size_t	 i;
	int	 rc = 0;

	copy = xstrdup(text ? text : "");
	for (line = strtok_r(copy, "\n", &save); line != NULL && rc == 0;
	    line = strtok_r(NULL, "\n", &save)) {
		if ((colon = strchr(line, ':')) == NULL)
			continue;
		*colon = '\0';
		key = util_fold_dup(util_trim(line));
		val = util_trim(colon + 1);
		for (i = 0; i < nitems(meetingadmin_keys); i++)
			if (strcmp(key, meetingadmin_keys[i].key) == 0)
				break;
		if (i < nitems(meetingadmin_keys)) {
			char *fv = util_fold_dup(val);
			const char *field = meetingadmin_keys[i].field;

			rc = meeting_set(st, conf, m, field,
			    meetingadmin_value(field, fv) != fv ?
			    meetingadmin_value(field, fv) : val, e, err, errlen);
			free(fv);
		}
		free(key);
	}
	free(copy);
	return rc;
}

static int
meetingadmin_usage(struct ctx *c, const char *tmpl, const char *err)
{
	const struct tvar v[] = { { "error", err }, { "code", c->args },
	    { NULL, NULL } };

	return reply_queue(c, tmpl, v, NULL);
}

/* Carries out an act (proven or confirmed); answers the secretariat. */
static enum disp
meetingadmin_do(struct ctx *c, enum meetingadmin_act act, const char *code,
    const char *fields)
{
	struct meeting		 m;
	struct meeting_edit	 e;
	char			 err[256] = "", n[16], *newcode = NULL;
	char			*when = NULL;
	int			 queued = 0, r;
	enum disp		 d = D_TEMPFAIL;
	bool			 add = act == MA_NEW;
	const char *const	 done[] = { "meeting.created", "meeting.changed",
	    "meeting.cancelled" };

	memset(&m, 0, sizeof(m));
	memset(&e, 0, sizeof(e));
	m.capacity = -1;
	if (!add && (r = store_meeting_get(c->env->st, code, &m)) != 1) {
		if (r == 0 && meeting_reply(c, "register.unknown", NULL, NULL,
		    NULL) == 0)
			d = D_REJECT;
		goto out;
	}
	if (act != MA_CANCEL &&
	    meetingadmin_apply(c->env->st, c->env->conf, &m, fields, &e, err,
	    sizeof(err)) == -1) {
		d = meetingadmin_usage(c, add ? "meetingnew.usage" :
		    "meetingchange.usage", err) == 0 ? D_REJECT : D_TEMPFAIL;
		goto out;
	}
	if (add)
		r = meeting_add(
		    c->env->st, &m, c->now, &newcode, err, sizeof(err));
	else
		r = meeting_commit(c->env, &m,
		    act == MA_CANCEL, &e, c->now, &queued,
		    err, sizeof(err));
	if (r == -1) {
		d = meetingadmin_usage(c, add ? "meetingnew.usage" :
		    "meetingchange.usage", err) == 0 ? D_REJECT : D_TEMPFAIL;
		goto out;
	}
	snprintf(n, sizeof(n), "%d", queued);
	when = ical_when_dup(c->env->conf->timezone, m.start, c->lang, false);
	{
		const struct tvar v[] = { { "code", add ? newcode : m.code },
		    { "title", m.title }, { "when", when }, { "count", n },
		    { NULL, NULL } };

		if (reply_queue(c, done[act], v, NULL) == 0)
			d = D_DONE;
	}
	log_info("%s: %s %s by %s", done[act], add ? newcode : m.code,
	    m.title, c->sender);
 out:
	free(newcode);
	free(when);
	meeting_clear(&m);
	return d;
}

/* The act confirmed, or proven (secretariat_ask): carried out. */
static enum disp
meetingadmin_confirmed(struct ctx *c, const struct pending *p,
    enum meetingadmin_act act)
{
	const char	*code, *fields;
	char		*buf;
	enum disp	 d;

	if (!secretariat_args(c, p, &buf, &code, &fields))
		return D_PARK;
	d = meetingadmin_do(c, act, code, fields);
	free(buf);
	return d;
}

static enum disp
meetingnew_confirmed(struct ctx *c, const struct pending *p)
{
	return meetingadmin_confirmed(c, p, MA_NEW);
}

static enum disp
meetingchange_confirmed(struct ctx *c, const struct pending *p)
{
	return meetingadmin_confirmed(c, p, MA_CHANGE);
}

static enum disp
meetingcancel_confirmed(struct ctx *c, const struct pending *p)
{
	return meetingadmin_confirmed(c, p, MA_CANCEL);
}

/* The Subject names the act: "Bekræft: MØDE AFLYS M3 (kode …)". */
static enum disp
meetingadmin_ask(struct ctx *c, const struct handler *h, const char *code,
    const char *da, const char *en)
{
	char		*title;
	enum disp	 d;

	title = code ? xasprintf("%s %s / %s %s", da, code, en, code) :
	    xasprintf("%s / %s", da, en);
	d = secretariat_ask(c, h, code, title);
	free(title);
	return d;
}

static enum disp
meetingnew_run(struct ctx *c)
{
	return meetingadmin_ask(c, &h_meetingnew, NULL, "MØDE OPRET",
	    "MEETING NEW");
}

static enum disp
meetingchange_run(struct ctx *c)
{
	char	 code[16];

	meeting_code_ok(c->args, code);
	return meetingadmin_ask(c, &h_meetingchange, code, "MØDE ÆNDR",
	    "MEETING CHANGE");
}

static enum disp
meetingcancel_run(struct ctx *c)
{
	char	 code[16];

	meeting_code_ok(c->args, code);
	return meetingadmin_ask(c, &h_meetingcancel, code, "MØDE AFLYS",
	    "MEETING CANCEL");
}
