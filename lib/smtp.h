/*
 * smtp.h: SMTP submission with libcurl. A pool keeps a few connections
 * open and sends on them side by side; smtp_send() is the same thing
 * with one connection and one message at a time. No CURL type leaves
 * smtp.c.
 */
#ifndef FFNET_SMTP_H
#define FFNET_SMTP_H

#include <stdbool.h>
#include <stddef.h>

#include "net.h"

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

/*
 * Why a session or a message failed, in the operator's terms. A
 * certificate, login, TLS or sender problem does not pass by itself:
 * the mail waits (SMTP_DOWN) until the operator fixes the config.
 */
enum smtp_why {
	SMTP_WHY_NONE,
	SMTP_WHY_CONNECT,	/* no answer: refused, timeout, no such host */
	SMTP_WHY_CERT,		/* the server's certificate is not trusted */
	SMTP_WHY_TLS,		/* no STARTTLS, or the TLS handshake failed */
	SMTP_WHY_LOGIN,		/* AUTH refused, or AUTH required */
	SMTP_WHY_SENDER,	/* MAIL FROM refused with 5xx */
	SMTP_WHY_REFUSED,	/* 4xx or 5xx for this message */
	SMTP_WHY_OTHER,
};

/* One piece of a message; a message is its parts back to back. */
struct smtp_part {
	const char	*data;
	size_t		 len;
};

/*
 * One transaction: MAIL FROM, RCPT TO each, DATA. The strings are copied
 * when the job starts; rcpts and parts (arrays and data) are the
 * caller's and must stay valid until the job is done.
 */
struct smtp_job {
	const char		*from;	/* envelope sender; "" or "<>": null */
	const char *const	*rcpts;
	size_t			 nrcpts;
	const struct smtp_part	*parts;
	size_t			 nparts;
	void			*cookie;	/* the caller's, handed back */
};

/* A finished job; err is "" on SMTP_OK. */
struct smtp_done {
	void			*cookie;
	enum smtp_result	 result;
	enum smtp_why		 why;
	char			 err[512];	/* a line with the reply code */
};

struct smtp_pool;
struct smtp;

/*
 * A pool of at most conns (>= 1) connections that are kept open and
 * used again, each for one job at a time. Connecting happens with the
 * first jobs; NULL only when libcurl cannot be set up.
 */
struct smtp_pool *smtp_pool_new(const struct smtp_params *, int conns);
/* Ends the jobs still in flight unreported and says QUIT on every session. */
void		 smtp_pool_free(struct smtp_pool *);
/* Connections free for another job now (conns minus jobs in flight). */
int		 smtp_pool_idle(const struct smtp_pool *);
/* Jobs in flight, including finished ones not yet handed back. */
int		 smtp_pool_busy(const struct smtp_pool *);
/*
 * Starts a job on a free connection. 0: the job will come back exactly
 * once from smtp_pool_run(), also when it fails at once (no recipient,
 * bad address); -1: no connection free, nothing started. The job
 * struct itself may be reused as soon as this returns.
 */
int		 smtp_pool_start(struct smtp_pool *,
		    const struct smtp_job *);
/*
 * Waits at most timeout_ms for jobs to finish (each connection runs in
 * a thread of its own); fills done[0..max) with finished jobs and
 * returns how many, 0 when none finished in time.
 */
int		 smtp_pool_run(struct smtp_pool *, int timeout_ms,
		    struct smtp_done *, size_t max);

/* One connection, one message at a time: a pool of one. */
struct smtp	*smtp_new(const struct smtp_params *);
void		 smtp_free(struct smtp *);
/*
 * Sends one message to its recipients. err gets a one-line reason with
 * the server's reply code when known.
 */
enum smtp_result smtp_send(struct smtp *, const char *from,
		    const char *const *rcpts, size_t nrcpts,
		    const char *data, size_t len, char *err, size_t errlen);

/*
 * Connects and logs in as for sending (EHLO, STARTTLS, AUTH), says NOOP
 * and QUIT: ffnet check --connect. The outcome goes to *out.
 */
void		 smtp_probe(const struct smtp_params *, struct smtp_done *out);
/* Does the problem pass by itself (a server down), or need the operator? */
bool		 smtp_why_is_lasting(enum smtp_why);
/* A short name for logs and the store: "certificate", "login", ... */
const char	*smtp_why_name(enum smtp_why);

#endif
