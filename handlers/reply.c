/*
 * reply.c: a handler's answers. reply_queue() answers the sender of the
 * message in its language, threaded to it and within the hourly limit;
 * reply_secretariat() tells the secretariat. Both queue through
 * daemon/compose.c in the handler's open transaction.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compose.h"
#include "handler.h"
#include "log.h"

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
	if (store_outbox_count_to(c->env->st, c->sender, "reply", c->now - 3600,
	    &recent) == -1)
		return -1;
	if (recent >= c->env->conf->replies_per_hour) {
		log_warnx("reply to %s not sent: %lld replies in the last "
		    "hour (limit %d)", c->sender, (long long)recent,
		    c->env->conf->replies_per_hour);
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
	return compose_mail(c->env, &o, c->now, mail_id);
}

int
reply_secretariat(struct ctx *c, const char *tmpl, const struct tvar *vars)
{
	return compose_secretariat(c->env, tmpl, vars,
	    c->now);
}

char *
reply_commands_dup(struct ctx *c)
{
	return compose_commands_dup(c->env->conf, c->env->tmpls, c->lang);
}
