/*
 * compose.c: turns a template into a queued mail. Renders it, builds the
 * message with lib/mime (threaded, Auto-Submitted, From = the network)
 * and adds it to the outbox in the caller's open transaction. Used by
 * the handlers' replies, invitations, reminders, list mail and notices.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compose.h"
#include "conf.h"
#include "env.h"
#include "log.h"
#include "mime.h"
#include "store.h"
#include "tmpl.h"
#include "util.h"

#define COMPOSE_MAX_VARS	32
#define COMPOSE_MAX_REFS	900	/* bytes of References kept from the thread */

static bool	 compose_is_id(const char *);
static char	*compose_refs_dup(const struct msg *);

/* The templates the daemon's services send (the handlers' are in their
 * descriptors): checked at start with those. */
const char *const compose_service_tmpls[] = {
	"commands",				/* compose.c: {{commands}} */
	"invite.new", "invite.update", "invite.cancel", "invite.promoted",
	"invite.unregistered",			/* invite.c */
	"remind.member", "remind.host",		/* remind.c */
	"csv.header", "members.csv", "join.welcome",	/* cli.c, members.c */
	"outbox.stuck", "imap.stuck",		/* status.c */
	"selftest",				/* selftest.c */
	"summary", "summary.joined", "summary.left", "summary.paused",
	"summary.resumed", "summary.removed", "summary.added",
	"summary.imported", "summary.paused.secretariat",
	"summary.resumed.secretariat", "summary.more", "summary.meeting",
	"summary.idea", "summary.held", "summary.failed",	/* summary.c */
	NULL
};

char *
compose_msgid_dup(const struct conf *conf)
{
	unsigned char	 r[10];
	char		 hex[sizeof(r) * 2 + 1];
	const char	*at;
	size_t		 i;

	if (util_random(r, sizeof(r)) == -1)
		fatal("getrandom");	/* the kernel's RNG is an invariant */
	for (i = 0; i < sizeof(r); i++)
		snprintf(hex + 2 * i, 3, "%02x", r[i]);
	at = strrchr(conf->address, '@');
	return xasprintf("ffnet.%llx.%s@%s", (unsigned long long)time(NULL),
	    hex, at ? at + 1 : "localhost");
}

/*
 * A Message-ID that can stand in In-Reply-To and References: no white
 * space, control bytes or angle brackets. A broken one costs only the
 * threading; it must not stop the answer, as mime_build() refuses
 * control bytes in a header.
 */
static bool
compose_is_id(const char *id)
{
	if (id == NULL || *id == '\0')
		return false;
	for (; *id != '\0'; id++)
		if ((unsigned char)*id <= ' ' || *id == 0x7f || *id == '<' ||
		    *id == '>')
			return false;
	return true;
}

/*
 * The thread's References plus the message itself (RFC 5322 3.6.4). The
 * old value is as the header came, unfolded: a fold with a TAB leaves
 * the TAB, and control bytes may stand there; each becomes a blank.
 */
static char *
compose_refs_dup(const struct msg *m)
{
	const char	*old = m->references ? m->references : "";
	const char	*id = compose_is_id(m->message_id) ? m->message_id :
			    NULL;
	char		*refs = NULL, *p;
	size_t		 len = strlen(old);

	if (len > COMPOSE_MAX_REFS) {	/* keep the first and the last ids */
		const char *tail = old + len - COMPOSE_MAX_REFS / 2;
		const char *first_end = strchr(old, '>');

		tail = strchr(tail, '<');
		if (first_end != NULL && tail != NULL)
			refs = id ? xasprintf("%.*s %s <%s>",
			    (int)(first_end - old + 1), old, tail, id) :
			    xasprintf("%.*s %s", (int)(first_end - old + 1),
			    old, tail);
		old = "";
	}
	if (refs == NULL && id != NULL)
		refs = *old ? xasprintf("%s <%s>", old, id) :
		    xasprintf("<%s>", id);
	else if (refs == NULL && *old)
		refs = xstrdup(old);
	for (p = refs; p != NULL && *p != '\0'; p++)
		if ((unsigned char)*p < ' ' || *p == 0x7f)
			*p = ' ';
	return refs;
}

char *
compose_commands_dup(const struct conf *conf, const struct tmpls *t,
    const char *lang)
{
	char			*subject = NULL, *body = NULL;
	const struct tvar	 vars[] = {
		{ "network", conf->name },
		{ "address", conf->address },
		{ NULL, NULL },
	};

	if (tmpl_render(t, lang, "commands", vars, &subject, &body) == -1)
		return xstrdup("");
	free(subject);
	util_trim(body);
	return body;
}

int
compose_mail(const struct env *e, const struct outmail *o, time_t now,
    char **mail_id)
{
	struct store		*st = e->st;
	const struct conf	*conf = e->conf;
	const struct tmpls	*t = e->tmpls;
	struct tvar		 all[COMPOSE_MAX_VARS];
	struct mime_out		 out;
	const struct tvar	*v;
	char			*subject = NULL, *body = NULL, *msgid = NULL;
	char			*refs = NULL, *data = NULL, *loop = NULL;
	char			*cmdlist = NULL;
	const char		*extra[3];
	size_t			 n = 0, len = 0;
	int			 rc = -1;

	if (mail_id != NULL)
		*mail_id = NULL;
	cmdlist = compose_commands_dup(conf, t, o->lang);
	for (v = o->vars; v != NULL && v->key != NULL &&
	    n < COMPOSE_MAX_VARS - 5; v++)
		all[n++] = *v;
	all[n++] = (struct tvar){ "network", conf->name };
	all[n++] = (struct tvar){ "address", conf->address };
	all[n++] = (struct tvar){ "email", o->to };
	all[n++] = (struct tvar){ "commands", cmdlist };
	all[n] = (struct tvar){ NULL, NULL };
	if (tmpl_render(t, o->lang, o->tmpl, all, &subject, &body) == -1) {
		log_warnx("no template %s/%s", o->lang, o->tmpl);
		goto out;
	}
	msgid = compose_msgid_dup(conf);
	refs = o->thread ? compose_refs_dup(o->thread) : NULL;
	loop = xasprintf("X-Loop: %s", conf->address);
	extra[0] = loop;
	extra[1] = MIME_SUPPRESS;	/* no OOF back, please */
	extra[2] = NULL;
	memset(&out, 0, sizeof(out));
	out.from_name = conf->name;
	out.from_addr = conf->address;
	out.to_name = o->to_name;
	out.to_addr = o->to;
	out.subject = subject;
	out.message_id = msgid;
	out.in_reply_to = o->thread && compose_is_id(o->thread->message_id) ?
	    o->thread->message_id : NULL;
	out.references = refs;
	out.auto_submitted = o->thread ? "auto-replied" : "auto-generated";
	out.language = o->lang;
	out.extra_headers = extra;
	out.date = now;
	out.text = body;
	out.calendar = o->calendar;
	out.cal_method = o->cal_method;
	out.attach = o->attach;
	out.nattach = o->nattach;
	if ((data = mime_build(&out, &len)) == NULL) {
		log_warnx("cannot build the mail %s", o->tmpl);
		goto out;
	}
	if (store_outbox_add(st, conf->address, o->to, msgid, o->kind, subject,
	    data, len, now) == -1)
		goto out;
	log_info("queued %s/%s to %s", o->lang, o->tmpl, o->to);
	if (mail_id != NULL) {
		*mail_id = msgid;
		msgid = NULL;
	}
	rc = 0;
 out:
	free(subject);
	free(body);
	free(msgid);
	free(refs);
	free(data);
	free(loop);
	free(cmdlist);
	return rc;
}

int
compose_secretariat(const struct env *e, const char *tmpl,
    const struct tvar *vars, time_t now)
{
	const struct conf	*conf = e->conf;
	struct outmail	 o;
	char *const	*a;

	for (a = conf->secretariat; *a != NULL; a++) {
		memset(&o, 0, sizeof(o));
		o.to = *a;
		o.lang = conf->language;
		o.tmpl = tmpl;
		o.vars = vars;
		o.kind = "notice";
		if (compose_mail(e, &o, now, NULL) == -1)
			return -1;
	}
	return 0;
}
