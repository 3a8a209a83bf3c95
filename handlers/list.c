/*
 * list.c: the secretariat's list mail.
 *   UDSEND <emne> / POST <subject>       the mail's text and files
 *   DAGSORDEN <kode> / AGENDA <code>     plus Markedspladsen and the
 *                                        meeting's practical details
 *   REFERAT <kode> / MINUTES <code>      the minutes
 * Everything goes to every active member; DAGSORDEN and REFERAT also
 * to the meeting's registered guests. Secretariat only (the dispatcher
 * answers anyone else politely). A From header proves nothing: it goes
 * out at once only with a DKIM/DMARC pass from a trusted server;
 * otherwise the secretariat address gets a preview ("this goes to 143
 * members; reply to send it") and a reply sends it (confirm.c calls
 * list_confirmed()). Templates: post.*. Tables: posts, post_rcpts,
 * pending, outbox.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "handler.h"
#include "listmail.h"
#include "log.h"
#include "rate.h"
#include "util.h"

#define LIST_MAX_FILES	32

static enum disp	 list_run(struct ctx *);
static enum disp	 agenda_run(struct ctx *);
static enum disp	 minutes_run(struct ctx *);

static enum disp	 list_confirmed(struct ctx *, const struct pending *);
static int		 list_declined(struct ctx *, const struct pending *);

static const char *const list_tmpls[] = {
	"post.usage", "post.confirm", "post.sent", "post.sent.later",
	"confirm.used", "confirm.no.post", NULL
};
static const char *const agenda_tmpls[] = {
	"agenda.usage", "post.agenda", "post.agenda.noideas", "post.confirm",
	"register.unknown", NULL
};
static const char *const minutes_tmpls[] = {
	"minutes.usage", "post.minutes", "post.confirm", "register.unknown",
	NULL
};

/* DAGSORDEN and REFERAT make a post, too: the "post" row sends them. */
const struct handler h_post = {
	.name = "post",
	.who = WHO_SECRETARIAT,
	.args = ARGS_REQUIRED,
	.run = list_run,
	.confirmed = list_confirmed,
	.tmpls = list_tmpls,
	.declined = list_declined,
};
/* without a meeting code the word is a person's ("Re: referat") */
const struct handler h_agenda = {
	.name = "agenda",
	.who = WHO_SECRETARIAT,
	.args = ARGS_OPTIONAL,
	.check = meeting_code_check,
	.run = agenda_run,
	.tmpls = agenda_tmpls,
};
const struct handler h_minutes = {
	.name = "minutes",
	.who = WHO_SECRETARIAT,
	.args = ARGS_OPTIONAL,
	.check = meeting_code_check,
	.run = minutes_run,
	.tmpls = minutes_tmpls,
};

/*
 * The text to send: the whole body when the command is in the Subject,
 * else what follows the command's line. Quotes are kept: a forwarded
 * text is part of a post.
 */
static char *
list_text_dup(struct ctx *c)
{
	const char	*p = c->m->text, *e;
	char		*subj, *line;
	bool		 found;

	subj = util_fold_dup(c->m->subject);
	found = strstr(subj, c->word) != NULL;
	free(subj);
	if (found)
		return util_trim(xstrdup(p));
	while (*p != '\0') {
		e = p + strcspn(p, "\n");
		line = util_fold_dup(util_trim(xstrndup(p, (size_t)(e - p))));
		found = strncmp(line, c->word, strlen(c->word)) == 0;
		free(line);
		p = *e ? e + 1 : e;
		if (found)
			break;
	}
	return util_trim(xstrdup(found ? p : c->m->text));
}

/* The files of the mail, as they came (decoded, byte for byte). */
static size_t
list_files(const struct msg *m, struct mime_attach *a, size_t max)
{
	size_t	 i, n = 0;

	for (i = 0; i < m->nparts && n < max; i++) {
		if (m->parts[i].filename == NULL ||
		    strcmp(m->parts[i].type, "text/calendar") == 0)
			continue;
		a[n].type = m->parts[i].type;
		a[n].filename = m->parts[i].filename;
		a[n].data = m->parts[i].data;
		a[n].len = m->parts[i].len;
		n++;
	}
	return n;
}

/* The text of DAGSORDEN or REFERAT around the secretariat's own. */
static int
list_meeting_text(struct ctx *c, const struct meeting *m, const char *tmpl,
    const char *text, char **subject, char **body)
{
	struct idea	*ideas = NULL;
	char		*when, *list = NULL, *deadline = NULL;
	size_t		 n = 0;
	int		 rc = -1;
	const char	*lang = c->env->conf->language;

	if (strcmp(tmpl, "post.agenda") == 0) {
		if (listmail_meeting_ideas(c->env->st, m, &ideas, &n) == -1)
			return -1;
		list = listmail_ideas_text_dup(
		    c->env->st, c->env->tmpls, lang, ideas, n);
	}
	when = ical_when_dup(c->env->conf->timezone, m->start, lang, false);
	if (m->deadline)
		deadline = ical_when_dup(
		    c->env->conf->timezone, m->deadline, lang, false);
	{
		const struct tvar v[] = { { "text", text }, { "code", m->code },
		    { "title", m->title }, { "when", when },
		    { "place", m->place ? m->place : "-" },
		    { "host", m->host ? m->host : "-" },
		    /* registration closes at the start without a deadline */
		    { "deadline", deadline ? deadline : when },
		    { "ideas", list && *list ? list : "" },
		    { "network", c->env->conf->name },
		    { "address", c->env->conf->address }, { NULL, NULL } };

		if (tmpl_render(c->env->tmpls, lang, n == 0 &&
		    strcmp(tmpl, "post.agenda") == 0 ? "post.agenda.noideas" :
		    tmpl, v, subject, body) == 0)
			rc = 0;
	}
	free(when);
	free(deadline);
	free(list);
	ideas_free(ideas, n);
	return rc;
}

/* Starts sending post id and tells the secretariat how long it takes. */
static enum disp
list_send(struct ctx *c, int64_t id, const char *subject, int64_t meeting)
{
	struct rate	 r;
	char		 count[24], *eta = NULL;
	int64_t		 n;
	time_t		 done;
	enum disp	 d = D_TEMPFAIL;

	rate_init(&r, c->env->conf->messages_per_minute,
	    c->env->conf->recipients_per_day);
	if (store_post_start(c->env->st, id, meeting, c->now, &n) == -1 ||
	    rate_load(&r, c->env->st, c->now) == -1)
		goto out;
	/* this answer goes first, then the copies */
	done = rate_eta(&r, (size_t)n + 1, c->now);
	snprintf(count, sizeof(count), "%lld", (long long)n);
	eta = ical_when_dup(c->env->conf->timezone, done, c->lang, false);
	{
		const struct tvar v[] = { { "subject", subject },
		    { "count", count }, { "done", eta },
		    { NULL, NULL } };

		if (reply_queue(c, done - c->now >= 60 ? "post.sent.later" :
		    "post.sent", v, NULL) == 0)
			d = D_DONE;
	}
	if (store_audit(c->env->st, c->sender, "posted", subject, c->now) == -1)
		d = D_TEMPFAIL;
	log_info("list mail %lld \"%s\" from %s: %lld copies", (long long)id,
	    subject, c->sender, (long long)n);
 out:
	free(eta);
	rate_clear(&r);
	return d;
}

/* Builds the post; sends it when proven, else asks for a reply. */
static enum disp
list_make(struct ctx *c, const char *kind, const struct meeting *m,
    const char *subject, const char *text)
{
	struct mime_attach	 files[LIST_MAX_FILES];
	struct listmail_in		 in;
	struct buf		 names;
	char			 count[24], args[32];
	int64_t			 id, n;
	size_t			 i;
	bool			 proven;
	enum disp		 d = D_TEMPFAIL;

	proven = auth_sender_proven(c->env->conf, c->m);
	memset(&in, 0, sizeof(in));
	in.kind = kind;
	in.meeting = m ? m->id : 0;
	in.sender = c->sender;
	in.sender_name = c->sender_name;
	in.subject = subject;
	in.text = text;
	in.attach = files;
	in.nattach = list_files(c->m, files, nitems(files));
	if (listmail_create(c->env->st, c->env->conf, &in, "preview",
	    c->now, &id) == -1)
		return D_TEMPFAIL;
	if (proven)
		return list_send(c, id, subject, in.meeting);
	if (store_post_audience(c->env->st, in.meeting, &n) == -1)
		return D_TEMPFAIL;
	snprintf(count, sizeof(count), "%lld", (long long)n);
	snprintf(args, sizeof(args), "%lld", (long long)id);
	buf_init(&names);
	for (i = 0; i < in.nattach; i++) {
		char *line = xasprintf("  %s (%zu KB)\n", files[i].filename,
		    (files[i].len + 1023) / 1024);

		buf_adds(&names, line);
		free(line);
	}
	{
		const struct tvar v[] = { { "count", count },
		    { "subject", subject }, { "text", text },
		    { "files", names.len ? names.data : "-" },
		    { NULL, NULL } };

		if (confirm_ask_vars(c, "post", args, "post.confirm", subject,
		    "", v) == 0)
			d = D_DONE;
	}
	buf_clear(&names);
	return d;
}

static enum disp
list_confirmed(struct ctx *c, const struct pending *p)
{
	struct post	 post;
	const char	*errstr;
	int64_t		 id;
	int		 r;
	enum disp	 d = D_TEMPFAIL;

	if (!conf_is_secretariat(c->env->conf, p->addr)) {
		snprintf(c->why, sizeof(c->why), "%s is no longer secretariat",
		    p->addr);
		return D_PARK;
	}
	id = util_strtonum(p->args ? p->args : "", 1, INT64_MAX, &errstr);
	if ((r = store_post_get(c->env->st, errstr ? 0 : id, false, &post)) !=
	    1) {
		if (r == 0) {
			snprintf(c->why, sizeof(c->why), "post %s is gone",
			    p->args);
			d = D_PARK;
		}
		goto out;
	}
	if (strcmp(post.state, "preview") != 0) {
		const struct tvar v[] = { { "code", p->code }, { NULL, NULL } };

		d = reply_queue(c, "confirm.used", v, NULL) == 0 ? D_DONE :
		    D_TEMPFAIL;
		goto out;
	}
	d = list_send(c, id, post.subject, post.meeting);
 out:
	post_clear(&post);
	return d;
}

static enum disp
list_run(struct ctx *c)
{
	char		*text = list_text_dup(c);
	enum disp	 d;

	d = list_make(c, "post", NULL, c->args, text);
	free(text);
	return d;
}

static enum disp
list_meeting_run(struct ctx *c, const char *kind, const char *tmpl)
{
	struct meeting	 m;
	char		*text = NULL, *subject = NULL, *body = NULL;
	enum disp	 d = D_TEMPFAIL;
	int		 r;

	memset(&m, 0, sizeof(m));
	if ((r = meeting_find(c, &m, &d)) != 1)
		goto out;
	text = list_text_dup(c);
	d = D_TEMPFAIL;
	if (list_meeting_text(c, &m, tmpl, text, &subject, &body) == -1) {
		log_warnx("no template %s", tmpl);
		goto out;
	}
	d = list_make(c, kind, &m, subject, body);
 out:
	free(text);
	free(subject);
	free(body);
	meeting_clear(&m);
	return d;
}

static enum disp
agenda_run(struct ctx *c)
{
	return list_meeting_run(c, "agenda", "post.agenda");
}

static enum disp
minutes_run(struct ctx *c)
{
	return list_meeting_run(c, "minutes", "post.minutes");
}

/* "Ikke sendt": the preview stays unsent, and says how to send it again. */
static int
list_declined(struct ctx *c, const struct pending *p)
{
	struct post	 post;
	const char	*errstr;
	int64_t		 id;
	int		 r, rc = -1;

	memset(&post, 0, sizeof(post));
	id = util_strtonum(p->args ? p->args : "", 1, INT64_MAX, &errstr);
	if ((r = store_post_get(c->env->st, errstr ? 0 : id, false, &post)) !=
	    -1)
		rc = confirm_no_send(c, p, "confirm.no.post", NULL,
		    p->args, NULL, r == 1 ? post.subject : NULL);
	post_clear(&post);
	return rc;
}
