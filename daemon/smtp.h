/*
 * smtp.h: SMTP submission with libcurl. One handle is kept so that
 * several messages share one connection. No CURL type leaves smtp.c.
 */
#ifndef FFNET_SMTP_H
#define FFNET_SMTP_H

#include <stddef.h>

#include "imap.h"	/* struct net_login */

struct smtp_params {
	const char		*url;		/* smtp://host:port or smtps://host:port */
	const char		*ca_file;	/* NULL: the system CAs */
	struct net_login	 login;		/* user NULL: no AUTH */
	int			 timeout;	/* seconds */
	int			 require_tls;	/* STARTTLS required on smtp:// */
};

enum smtp_result {
	SMTP_OK,	/* accepted (250 after DATA) */
	SMTP_DOWN,	/* no session: cannot connect, TLS or AUTH failed */
	SMTP_TEMP,	/* 4xx for this message: try it again later */
	SMTP_PERM,	/* 5xx for this message: do not try again */
};

struct smtp;

struct smtp	*smtp_new(const struct smtp_params *);
void		 smtp_free(struct smtp *);
/*
 * Sends one message to its recipients. err gets a one-line reason with
 * the server's reply code when known.
 */
enum smtp_result smtp_send(struct smtp *, const char *from,
		    const char *const *rcpts, size_t nrcpts,
		    const char *data, size_t len, char *err, size_t errlen);

#endif
