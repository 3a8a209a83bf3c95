/*
 * oauth2.h: access tokens for XOAUTH2 logins (IMAP and SMTP), from an
 * OAuth2 token endpoint with libcurl: the client-credentials grant (RFC
 * 6749 4.4) with a secret or a certificate (a signed client assertion,
 * RFC 7523 2.2), or a service account's JWT bearer grant (RFC 7523 2.1,
 * Google). One handle per config; the token lives in memory only.
 */
#ifndef FFNET_OAUTH2_H
#define FFNET_OAUTH2_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

/* The [oauth2] settings; the strings are the caller's. */
struct oauth2_params {
	const char	*token_url;
	const char	*client_id;
	const char	*client_secret;	/* NULL with a key_file */
	const char	*scope;
	const char	*ca_file;	/* NULL: the system CAs */
	const char	*cert_file;	/* PEM: a client assertion */
	const char	*key_file;	/* PEM private key (RSA) */
	const char	*subject;	/* the mailbox: JWT bearer grant */
	int		 timeout;	/* seconds */
};

struct oauth2;

/*
 * Copies the settings and loads the certificate and key. NULL with one
 * line in err naming the key at fault.
 */
struct oauth2	*oauth2_new(const struct oauth2_params *, char *err,
		    size_t);
void		 oauth2_free(struct oauth2 *);

/*
 * The current token; asks the endpoint when there is none or it is due
 * (at 80% of its lifetime). Returns a new string (caller frees and
 * wipes); NULL with one line in err, the fix included. *gen (NULL: not
 * wanted) tells this token from later ones. Thread-safe.
 */
char		*oauth2_token_dup(struct oauth2 *, unsigned *gen, char *err,
		    size_t);
/* Does the last failure need the operator (a config error)? */
bool		 oauth2_is_lasting(struct oauth2 *);
/* Seconds the endpoint asked us to wait (Retry-After); 0: none. */
int		 oauth2_wait(struct oauth2 *);
/*
 * A login with the token of generation gen was refused. true: try once
 * more with a fresh token (this one is dropped; or a newer one is there
 * already, as when several connections used the old one). false: a
 * fresh token was refused too, a configuration error; logged once until
 * a login succeeds again.
 */
bool		 oauth2_refused(struct oauth2 *, unsigned gen,
		    const char *what);
/* A login succeeded: the next refusal may be retried again. */
void		 oauth2_accepted(struct oauth2 *);
/*
 * The two Exchange admin steps that give the app the mailbox, as one
 * phrase for a log line.
 */
void		 oauth2_grant_fmt(struct oauth2 *, const char *mailbox,
		    char *buf, size_t);

/* Pure parts, for the unit tests. */
struct oauth2_answer {
	char		*access_token;
	long		 expires_in;	/* seconds; 0: not given */
	char		*error;		/* "invalid_client" */
	char		*description;	/* "AADSTS7000215: ..." */
	long		 aadsts;	/* 7000215; 0: none */
};
/*
 * A JSON object's member as text (jansson): a string unescaped (UTF-8),
 * a number or literal as text. 0 found (*out new), 1 absent or an
 * object or array, -1 not one strict JSON object.
 */
int		 oauth2_json_get(const char *, size_t, const char *key,
		    char **out);
/* The token endpoint's answer; -1 when it is not usable JSON. */
int		 oauth2_answer_parse(const char *, size_t,
		    struct oauth2_answer *);
void		 oauth2_answer_clear(struct oauth2_answer *);
/* What to fix for an AADSTS code; NULL for codes not known. */
const char	*oauth2_aadsts_fix(long);
/* When to renew a token got at got that lives expires_in seconds. */
time_t		 oauth2_renew_at(time_t got, long expires_in);
/* The signed assertion (header.claims.signature); caller frees. */
char		*oauth2_jwt_dup(struct oauth2 *, time_t now);

#endif
