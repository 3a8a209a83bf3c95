/*
 * smtp.c: message submission (RFC 6409) with libcurl. outbox.c makes one
 * handle with smtp_new() and sends each queued message with smtp_send();
 * the handle keeps its connection, so consecutive messages share one
 * session. It owns the CURL handle; libcurl keeps its own copies of the
 * strings set on it, password or token included, until smtp_free().
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "log.h"
#include "smtp.h"
#include "util.h"

/* libcurl's upload buffer: big reads, few callbacks (maximum 2 MB). */
#define SMTP_UPLOAD_BUF	(512 * 1024L)

struct smtp {
	CURL	*curl;
	char	 errbuf[CURL_ERROR_SIZE];
};

/* The message being sent, read by smtp_read_cb(). */
struct smtp_payload {
	const char	*data;
	size_t		 len;
	size_t		 off;
};

static size_t		 smtp_read_cb(char *, size_t, size_t, void *);
static CURLcode		 smtp_setup(struct smtp *, const struct smtp_params *);
static CURLcode		 smtp_setup_login(struct smtp *,
			    const struct net_login *);
static bool		 smtp_is_session_code(long);
static enum smtp_result	 smtp_map(CURLcode, long, curl_off_t);
static struct curl_slist	*smtp_rcpt_list(const char *const *, size_t);

static size_t
smtp_read_cb(char *buf, size_t size, size_t nitems, void *arg)
{
	struct smtp_payload	*pl = arg;
	size_t			 room = size * nitems, left = pl->len - pl->off;

	if (left > room)
		left = room;
	memcpy(buf, pl->data + pl->off, left);
	pl->off += left;
	return left;
}

/* RFC 4954; XOAUTH2 is pinned so that OAUTHBEARER is never chosen. */
static CURLcode
smtp_setup_login(struct smtp *s, const struct net_login *l)
{
	CURLcode	 rc;

	if (l->user == NULL)
		return CURLE_OK;
	if ((rc = curl_easy_setopt(s->curl, CURLOPT_USERNAME, l->user)))
		return rc;
	switch (l->mech) {
	case MECH_PASSWORD:
		return curl_easy_setopt(s->curl, CURLOPT_PASSWORD, l->secret);
	case MECH_XOAUTH2:
		if ((rc = curl_easy_setopt(s->curl, CURLOPT_XOAUTH2_BEARER,
		    l->secret)))
			return rc;
		return curl_easy_setopt(s->curl, CURLOPT_LOGIN_OPTIONS,
		    "AUTH=XOAUTH2");
	default:
		return CURLE_BAD_FUNCTION_ARGUMENT;
	}
}

/* Options that stay the same for every message. */
static CURLcode
smtp_setup(struct smtp *s, const struct smtp_params *p)
{
	CURL		*c = s->curl;
	CURLcode	 rc;
	long		 t = p->timeout > 0 ? p->timeout : 60;

	if ((rc = curl_easy_setopt(c, CURLOPT_URL, p->url)) ||
	    (rc = curl_easy_setopt(c, CURLOPT_ERRORBUFFER, s->errbuf)) ||
	    (rc = curl_easy_setopt(c, CURLOPT_UPLOAD, 1L)) ||
	    (rc = curl_easy_setopt(c, CURLOPT_READFUNCTION, smtp_read_cb)) ||
	    (rc = curl_easy_setopt(c, CURLOPT_UPLOAD_BUFFERSIZE,
	    SMTP_UPLOAD_BUF)) ||
	    (rc = curl_easy_setopt(c, CURLOPT_TIMEOUT, t)) ||
	    (rc = curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, t)) ||
	    (rc = curl_easy_setopt(c, CURLOPT_TCP_NODELAY, 1L)) ||
	    (rc = curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L)))
		return rc;
	if (p->ca_file != NULL &&
	    (rc = curl_easy_setopt(c, CURLOPT_CAINFO, p->ca_file)))
		return rc;
	/* STARTTLS or fail; smtps:// is TLS from the start anyway. */
	if (p->require_tls &&
	    (rc = curl_easy_setopt(c, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL)))
		return rc;
	if (getenv("FFNET_CURL_VERBOSE") != NULL &&
	    (rc = curl_easy_setopt(c, CURLOPT_VERBOSE, 1L)))
		return rc;
	return smtp_setup_login(s, &p->login);
}

struct smtp *
smtp_new(const struct smtp_params *p)
{
	struct smtp	*s, *rv = NULL;
	CURLcode	 rc;

	s = xcalloc(1, sizeof(*s));
	if ((s->curl = curl_easy_init()) == NULL) {
		log_warnx("smtp: cannot make a libcurl handle");
		goto out;
	}
	if ((rc = smtp_setup(s, p)) != CURLE_OK) {
		log_warnx("smtp: %s: %s", p->url, curl_easy_strerror(rc));
		goto out;
	}
	rv = s;
	s = NULL;
 out:
	smtp_free(s);
	return rv;
}

void
smtp_free(struct smtp *s)
{
	if (s == NULL)
		return;
	if (s->curl != NULL)
		curl_easy_cleanup(s->curl);
	free(s);
}

/*
 * Replies that concern the session, not this message: 421 (RFC 5321
 * 3.8, closing), 530/534/535/538 (RFC 4954 6, authentication).
 */
static bool
smtp_is_session_code(long code)
{
	return code == 421 || code == 530 || code == 534 || code == 535 ||
	    code == 538;
}

/*
 * libcurl reports a refused MAIL, RCPT or DATA as CURLE_SEND_ERROR and
 * a refused end of data as CURLE_WEIRD_SERVER_REPLY, with the reply code
 * in CURLINFO_RESPONSE_CODE: the code decides those. A bad greeting also
 * gives WEIRD_SERVER_REPLY, but before any data went up.
 */
static enum smtp_result
smtp_map(CURLcode rc, long code, curl_off_t sent)
{
	switch (rc) {
	case CURLE_OK:
		return code == 250 ? SMTP_OK : SMTP_TEMP;
	case CURLE_SEND_FAIL_REWIND:
	case CURLE_READ_ERROR:
	case CURLE_ABORTED_BY_CALLBACK:
	case CURLE_OUT_OF_MEMORY:
		return SMTP_TEMP;
	case CURLE_WEIRD_SERVER_REPLY:
		if (sent == 0)
			return SMTP_DOWN;
		/* FALLTHROUGH */
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
		if (smtp_is_session_code(code))
			return SMTP_DOWN;
		if (code >= 400 && code < 500)
			return SMTP_TEMP;
		if (code >= 500 && code < 600)
			return SMTP_PERM;
		/* No reply: the connection broke. */
		return SMTP_DOWN;
	default:
		/* Connect, resolve, TLS, certificate, AUTH, timeouts. */
		return SMTP_DOWN;
	}
}

/* libcurl's recipient list; NULL when out of memory. */
static struct curl_slist *
smtp_rcpt_list(const char *const *rcpts, size_t n)
{
	struct curl_slist	*rl = NULL, *t;
	size_t			 i;

	for (i = 0; i < n; i++) {
		if ((t = curl_slist_append(rl, rcpts[i])) == NULL) {
			curl_slist_free_all(rl);
			return NULL;
		}
		rl = t;
	}
	return rl;
}

enum smtp_result
smtp_send(struct smtp *s, const char *from, const char *const *rcpts,
    size_t nrcpts, const char *data, size_t len, char *err, size_t errlen)
{
	static const char	*names[] = { "ok", "down", "temp", "perm" };
	struct smtp_payload	 pl = { data, len, 0 };
	struct curl_slist	*rl = NULL;
	char			*mfrom = NULL;
	enum smtp_result	 res = SMTP_TEMP;
	curl_off_t		 sent = 0;
	CURLcode		 rc;
	long			 code = 0;

	if (errlen > 0)
		err[0] = '\0';
	if (nrcpts == 0) {
		snprintf(err, errlen, "smtp: no recipients");
		res = SMTP_PERM;
		goto out;
	}
	if ((rl = smtp_rcpt_list(rcpts, nrcpts)) == NULL) {
		snprintf(err, errlen, "smtp: out of memory");
		goto out;
	}
	/* RFC 5321 4.5.5: "<>" is the null reverse-path. */
	mfrom = from[0] == '<' ? xstrdup(from) : xasprintf("<%s>", from);
	s->errbuf[0] = '\0';
	rc = curl_easy_setopt(s->curl, CURLOPT_MAIL_FROM, mfrom);
	if (rc == CURLE_OK)
		rc = curl_easy_setopt(s->curl, CURLOPT_MAIL_RCPT, rl);
	if (rc == CURLE_OK)
		rc = curl_easy_setopt(s->curl, CURLOPT_READDATA, &pl);
	/* Lets a server with SIZE (RFC 1870) refuse a big message early. */
	if (rc == CURLE_OK)
		rc = curl_easy_setopt(s->curl, CURLOPT_INFILESIZE_LARGE,
		    (curl_off_t)len);
	if (rc == CURLE_OK)
		rc = curl_easy_perform(s->curl);
	curl_easy_getinfo(s->curl, CURLINFO_RESPONSE_CODE, &code);
	curl_easy_getinfo(s->curl, CURLINFO_SIZE_UPLOAD_T, &sent);
	/* The handle must not keep pointers to our list and payload. */
	curl_easy_setopt(s->curl, CURLOPT_MAIL_RCPT, NULL);
	curl_easy_setopt(s->curl, CURLOPT_READDATA, NULL);
	res = smtp_map(rc, code, sent);
	if (res != SMTP_OK)
		snprintf(err, errlen, "smtp: %s%s%s (reply %ld)",
		    curl_easy_strerror(rc), s->errbuf[0] ? ": " : "",
		    s->errbuf, code);
	log_debug("smtp: %zu rcpt, %zu bytes: %s, curl %d, reply %ld",
	    nrcpts, len, names[res], (int)rc, code);
 out:
	curl_slist_free_all(rl);
	free(mfrom);
	return res;
}
