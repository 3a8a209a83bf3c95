/*
 * compose.h: a template made into a mail in the outbox, in the caller's
 * transaction (daemon/compose.c). Replies, invitations, reminders, list
 * mail and notices to the secretariat all leave through here.
 */
#ifndef FFNET_COMPOSE_H
#define FFNET_COMPOSE_H

#include <stddef.h>
#include <time.h>

struct env;
struct conf;
struct mime_attach;
struct msg;
struct store;
struct tmpls;
struct tvar;

/* A mail to queue: a template in a language, and what goes with it. */
struct outmail {
	const char		*to;
	const char		*to_name;	/* may be NULL */
	const char		*lang;
	const char		*tmpl;
	const struct tvar	*vars;		/* may be NULL */
	const struct msg	*thread;	/* answers this message, or NULL */
	const char		*calendar;	/* VCALENDAR, or NULL */
	const char		*cal_method;	/* "REQUEST", "CANCEL" */
	const struct mime_attach *attach;
	size_t			 nattach;
	const char		*kind;		/* outbox kind: "reply", "invite"… */
};

/*
 * Renders, builds (lib/mime) and adds one mail to the outbox, in the
 * caller's transaction. mail_id (may be NULL) receives the new
 * Message-ID without <>; caller frees. -1 on failure.
 */
int	 compose_mail(const struct env *, const struct outmail *, time_t now,
	    char **mail_id);
/*
 * Queues template tmpl, in the network's language, to every secretariat
 * address (outbox kind "notice"). -1 on failure.
 */
int	 compose_secretariat(const struct env *, const char *tmpl,
	    const struct tvar *vars, time_t now);
/* Makes a new Message-ID (without <>) at the network's domain. Caller frees. */
char	*compose_msgid_dup(const struct conf *);
/* The command list (template commands.txt) in lang, for {{commands}}. Caller frees. */
char	*compose_commands_dup(const struct conf *, const struct tmpls *,
	    const char *lang);
/* The templates the daemon's services send; NULL-terminated. */
extern const char *const compose_service_tmpls[];

#endif
