/*
 * reply.c: turns a handler's answer into a queued mail. Handlers call
 * reply_queue(); it renders the template, builds the message with
 * mime.c (threaded, Auto-Submitted: auto-replied, From = the network)
 * and adds it to the outbox in the handler's open transaction.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "handler.h"
#include "log.h"
#include "util.h"

#define REPLY_MAX_VARS	32
#define REPLY_MAX_REFS	900	/* bytes of References kept from the thread */

static char	*reply_refs_dup(const struct msg *);
static char	*reply_commands_lang_dup(const struct conf *,
		    const struct tmpls *, const char *);

char *
reply_msgid_dup(const struct conf *conf)
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

/* The thread's References plus the message itself (RFC 5322 3.6.4). */
static char *
reply_refs_dup(const struct msg *m)
{
	const char	*old = m->references ? m->references : "";
	size_t		 len = strlen(old);

	if (len > REPLY_MAX_REFS) {	/* keep the first and the last ids */
		const char *tail = old + len - REPLY_MAX_REFS / 2;
		const char *first_end = strchr(old, '>');

		tail = strchr(tail, '<');
		if (first_end != NULL && tail != NULL)
			return m->message_id ?
			    xasprintf("%.*s %s <%s>", (int)(first_end - old + 1),
			    old, tail, m->message_id) :
			    xasprintf("%.*s %s", (int)(first_end - old + 1),
			    old, tail);
		old = "";
	}
	if (m->message_id == NULL)
		return *old ? xstrdup(old) : NULL;
	return *old ? xasprintf("%s <%s>", old, m->message_id) :
	    xasprintf("<%s>", m->message_id);
}

/* The command list in a language, for {{commands}}. Caller frees. */
static char *
reply_commands_lang_dup(const struct conf *conf, const struct tmpls *t,
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
mail_queue(struct store *st, const struct conf *conf, const struct tmpls *t,
    const struct outmail *o, time_t now, char **mail_id)
{
	struct tvar		 all[REPLY_MAX_VARS];
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
	cmdlist = reply_commands_lang_dup(conf, t, o->lang);
	for (v = o->vars; v != NULL && v->key != NULL &&
	    n < REPLY_MAX_VARS - 5; v++)
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
	msgid = reply_msgid_dup(conf);
	refs = o->thread ? reply_refs_dup(o->thread) : NULL;
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
	out.in_reply_to = o->thread ? o->thread->message_id : NULL;
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
	if (store_outbox_add(st, conf->address, o->to, msgid, o->kind, data,
	    len, now) == -1)
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
reply_queue(struct ctx *c, const char *tmpl, const struct tvar *vars,
    char **mail_id)
{
	return reply_queue_attach(c, tmpl, vars, NULL, 0, mail_id);
}

int
reply_queue_attach(struct ctx *c, const char *tmpl, const struct tvar *vars,
    const struct mime_attach *attach, size_t nattach, char **mail_id)
{
	struct outmail	 o;
	int64_t		 recent = 0;

	if (mail_id != NULL)
		*mail_id = NULL;
	if (store_outbox_count_to(c->st, c->sender, "reply", c->now - 3600,
	    &recent) == -1)
		return -1;
	if (recent >= c->conf->replies_per_hour) {
		log_warnx("reply to %s not sent: %lld replies in the last "
		    "hour (limit %d)", c->sender, (long long)recent,
		    c->conf->replies_per_hour);
		return 0;
	}
	memset(&o, 0, sizeof(o));
	o.to = c->sender;
	o.to_name = c->sender_name;
	o.lang = c->lang;
	o.tmpl = tmpl;
	o.vars = vars;
	o.thread = c->m;
	o.attach = attach;
	o.nattach = nattach;
	o.kind = "reply";
	return mail_queue(c->st, c->conf, c->tmpls, &o, c->now, mail_id);
}

int
secretariat_queue(struct ctx *c, const char *tmpl, const struct tvar *vars)
{
	struct outmail	 o;
	char *const	*a;

	for (a = c->conf->secretariat; *a != NULL; a++) {
		memset(&o, 0, sizeof(o));
		o.to = *a;
		o.lang = c->conf->language;
		o.tmpl = tmpl;
		o.vars = vars;
		o.kind = "notice";
		if (mail_queue(c->st, c->conf, c->tmpls, &o, c->now, NULL) == -1)
			return -1;
	}
	return 0;
}

char *
reply_commands_dup(struct ctx *c)
{
	return reply_commands_lang_dup(c->conf, c->tmpls, c->lang);
}
