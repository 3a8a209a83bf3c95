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

int
reply_queue(struct ctx *c, const char *tmpl, const struct tvar *vars,
    char **mail_id)
{
	struct tvar	 all[REPLY_MAX_VARS];
	struct mime_out	 out;
	char		*subject = NULL, *body = NULL, *msgid = NULL;
	char		*refs = NULL, *data = NULL, *loop = NULL;
	char		*cmdlist = NULL;
	const char	*extra[3];
	size_t		 n = 0, len = 0;
	int64_t		 recent = 0;
	int		 rc = -1;

	if (mail_id != NULL)
		*mail_id = NULL;
	if (store_outbox_count_to(c->st, c->sender, "reply", c->now - 3600,
	    &recent) == -1)
		goto out;
	if (recent >= c->conf->replies_per_hour) {
		log_warnx("reply to %s not sent: %lld replies in the last "
		    "hour (limit %d)", c->sender, (long long)recent,
		    c->conf->replies_per_hour);
		rc = 0;
		goto out;
	}
	cmdlist = reply_commands_dup(c);
	for (; vars != NULL && vars->key != NULL && n < REPLY_MAX_VARS - 5;
	    vars++)
		all[n++] = *vars;
	all[n++] = (struct tvar){ "network", c->conf->name };
	all[n++] = (struct tvar){ "address", c->conf->address };
	all[n++] = (struct tvar){ "email", c->sender };
	all[n++] = (struct tvar){ "commands", cmdlist };
	all[n] = (struct tvar){ NULL, NULL };
	if (tmpl_render(c->tmpls, c->lang, tmpl, all, &subject, &body) == -1) {
		log_warnx("no template %s/%s", c->lang, tmpl);
		goto out;
	}
	msgid = reply_msgid_dup(c->conf);
	refs = reply_refs_dup(c->m);
	loop = xasprintf("X-Loop: %s", c->conf->address);
	extra[0] = loop;
	extra[1] = "X-Auto-Response-Suppress: All";	/* no OOF back, please */
	extra[2] = NULL;
	memset(&out, 0, sizeof(out));
	out.from_name = c->conf->name;
	out.from_addr = c->conf->address;
	out.to_name = c->sender_name;
	out.to_addr = c->sender;
	out.subject = subject;
	out.message_id = msgid;
	out.in_reply_to = c->m->message_id;
	out.references = refs;
	out.auto_submitted = "auto-replied";	/* RFC 3834 */
	out.language = c->lang;
	out.extra_headers = extra;
	out.date = c->now;
	out.text = body;
	if ((data = mime_build(&out, &len)) == NULL) {
		log_warnx("cannot build the reply %s", tmpl);
		goto out;
	}
	if (store_outbox_add(c->st, c->conf->address, c->sender, msgid, "reply",
	    data, len, c->now) == -1)
		goto out;
	log_info("queued %s/%s to %s", c->lang, tmpl, c->sender);
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

char *
reply_commands_dup(struct ctx *c)
{
	char			*subject = NULL, *body = NULL;
	const struct tvar	 vars[] = {
		{ "network", c->conf->name },
		{ "address", c->conf->address },
		{ NULL, NULL },
	};

	if (tmpl_render(c->tmpls, c->lang, "commands", vars, &subject,
	    &body) == -1)
		return xstrdup("");
	free(subject);
	util_trim(body);
	return body;
}
