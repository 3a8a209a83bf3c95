/*
 * smtp.c: message submission (RFC 6409) with libcurl. outbox.c sends
 * through a pool (smtp_pool_*) of a few connections side by side, or one
 * message at a time with smtp_send(), a pool of one. Each slot of a pool
 * owns one CURL easy handle and one thread that runs it: the handle is
 * used again for every job on the slot, so its session (EHLO, STARTTLS,
 * AUTH) stays open; libcurl closes a session after a refused
 * transaction, and the next job opens a new one.
 *
 * Why threads, not libcurl's multi interface: libcurl (7.88, and still
 * a TODO upstream) waits for the reply to the end of data inside
 * curl_multi_perform, so every other connection stood still while the
 * server wrote its queue file. A thread per connection lets the server
 * work on several messages at once. The threads touch only their own
 * slot and handle; everything else (the store, the log) stays in the
 * calling thread. libcurl keeps its own copies of the strings set on
 * the handles, password or token included, until smtp_pool_free().
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#include "log.h"
#include "oauth2.h"
#include "smtp.h"
#include "util.h"

/* libcurl's upload buffer: big reads, few callbacks (maximum 2 MB). */
#define SMTP_UPLOAD_BUF	(512 * 1024L)

/* One connection of a pool, its thread, and the job on it. */
struct smtp_slot {
	struct smtp_pool	*pool;
	pthread_t		 th;
	bool			 started;	/* th runs */
	bool			 go;		/* a job waits for th (mutex) */
	CURLcode		 rc;		/* th's outcome (mutex) */
	CURL			*curl;
	struct curl_slist	*rcpts;	/* this job's list, owned */
	const struct smtp_part	*parts;	/* this job's, the caller's */
	size_t			 nparts;
	size_t			 part;	/* read position: part, offset */
	size_t			 off;
	size_t			 len;	/* the parts together */
	size_t			 nrcpts;
	bool			 busy;	/* a job is on this slot */
	bool			 ended;	/* and done is its outcome (mutex) */
	bool			 ran;	/* th ran it: rc is the outcome */
	bool			 retried;	/* with a fresh token */
	unsigned		 gen;	/* the token's (oauth2.h) */
	struct smtp_done	 done;
	char			 errbuf[CURL_ERROR_SIZE];
};

struct smtp_pool {
	pthread_mutex_t		 mu;
	pthread_cond_t		 work;	/* a slot has a job, or quit */
	pthread_cond_t		 fin;	/* a job ended */
	bool			 quit;
	struct smtp_slot	*slots;
	int			 nslots;
	int			 nbusy;
	struct oauth2		*oauth2;	/* XOAUTH2 tokens, or NULL */
	char			*what;		/* "SMTP url as user", for logs */
};

struct smtp {
	struct smtp_pool	*pool;
};

static size_t		 smtp_read_cb(char *, size_t, size_t, void *);
static CURLcode		 smtp_setup(struct smtp_slot *,
			    const struct smtp_params *);
static CURLcode		 smtp_setup_login(CURL *,
			    const struct net_login *);
static bool		 smtp_is_session_code(long);
static bool		 smtp_is_clean(const struct smtp_job *);
static enum smtp_result	 smtp_map(CURLcode, long, curl_off_t);
static enum smtp_why	 smtp_why_of(CURLcode, long, const char *);
static size_t		 smtp_discard_cb(char *, size_t, size_t, void *);
static void		 smtp_err_fmt(char *, size_t, CURLcode, const char *,
			    long);
static struct curl_slist	*smtp_rcpt_list(const char *const *, size_t);
static CURLcode		 smtp_slot_load(struct smtp_slot *,
			    const struct smtp_job *);
static void		 smtp_slot_end(struct smtp_slot *, enum smtp_result,
			    const char *, ...)
			    __attribute__((format(printf, 3, 4)));
static void		 smtp_slot_finish(struct smtp_slot *);
static void		*smtp_slot_main(void *);
static int		 smtp_token_set(struct oauth2 *, CURL *, unsigned *,
			    struct smtp_done *);
static bool		 smtp_slot_retry(struct smtp_pool *,
			    struct smtp_slot *);
static void		 smtp_slot_release(struct smtp_pool *,
			    struct smtp_slot *, struct smtp_done *);
static size_t		 smtp_pool_collect(struct smtp_pool *,
			    struct smtp_done *, size_t);

static const char *const smtp_names[] = { "ok", "down", "temp", "perm" };

/* Copies the job's parts, one after the other, into libcurl's buffer. */
static size_t
smtp_read_cb(char *buf, size_t size, size_t nitems, void *arg)
{
	struct smtp_slot	*sl = arg;
	const struct smtp_part	*pt;
	size_t			 room = size * nitems, n, got = 0;

	while (got < room && sl->part < sl->nparts) {
		pt = &sl->parts[sl->part];
		n = pt->len - sl->off;
		if (n > room - got)
			n = room - got;
		if (n > 0)
			memcpy(buf + got, pt->data + sl->off, n);
		got += n;
		sl->off += n;
		if (sl->off == pt->len) {
			sl->part++;
			sl->off = 0;
		}
	}
	return got;
}

/* RFC 4954; XOAUTH2 is pinned so that OAUTHBEARER is never chosen. */
static CURLcode
smtp_setup_login(CURL *c, const struct net_login *l)
{
	CURLcode	 rc;

	if (l->user == NULL)
		return CURLE_OK;
	if ((rc = curl_easy_setopt(c, CURLOPT_USERNAME, l->user)))
		return rc;
	switch (l->mech) {
	case MECH_PASSWORD:
		return curl_easy_setopt(c, CURLOPT_PASSWORD, l->secret);
	case MECH_XOAUTH2:
		/* with oauth2.c the token is set per job: smtp_token_set() */
		if (l->oauth2 == NULL && (rc = curl_easy_setopt(c,
		    CURLOPT_XOAUTH2_BEARER, l->secret)))
			return rc;
		return curl_easy_setopt(c, CURLOPT_LOGIN_OPTIONS,
		    "AUTH=XOAUTH2");
	default:
		return CURLE_BAD_FUNCTION_ARGUMENT;
	}
}

/*
 * Options that stay the same for every job on a slot. TCP_NODELAY: the
 * end of data (CRLF.CRLF) is a small write after the body; with Nagle
 * it would wait for the server's delayed ACK of the body (40 ms each).
 */
static CURLcode
smtp_setup(struct smtp_slot *sl, const struct smtp_params *p)
{
	CURL		*c = sl->curl;
	CURLcode	 rc;
	long		 t = p->timeout > 0 ? p->timeout : 60;

	if ((rc = curl_easy_setopt(c, CURLOPT_URL, p->url)) ||
	    (rc = curl_easy_setopt(c, CURLOPT_ERRORBUFFER, sl->errbuf)) ||
	    (rc = curl_easy_setopt(c, CURLOPT_UPLOAD, 1L)) ||
	    (rc = curl_easy_setopt(c, CURLOPT_READFUNCTION, smtp_read_cb)) ||
	    (rc = curl_easy_setopt(c, CURLOPT_READDATA, sl)) ||
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
	return smtp_setup_login(c, &p->login);
}

/* A slot's thread: runs each job it is given, until quit. */
static void *
smtp_slot_main(void *arg)
{
	struct smtp_slot	*sl = arg;
	struct smtp_pool	*pool = sl->pool;
	CURLcode		 rc;

	pthread_mutex_lock(&pool->mu);
	for (;;) {
		while (!sl->go && !pool->quit)
			pthread_cond_wait(&pool->work, &pool->mu);
		if (!sl->go)
			break;
		sl->go = false;
		pthread_mutex_unlock(&pool->mu);
		rc = curl_easy_perform(sl->curl);
		pthread_mutex_lock(&pool->mu);
		sl->rc = rc;
		sl->ran = true;
		sl->ended = true;
		pthread_cond_signal(&pool->fin);
	}
	pthread_mutex_unlock(&pool->mu);
	return NULL;
}

struct smtp_pool *
smtp_pool_new(const struct smtp_params *p, int conns)
{
	struct smtp_pool	*pool, *rv = NULL;
	CURLcode		 rc;
	int			 i;

	if (conns < 1)
		conns = 1;
	pool = xcalloc(1, sizeof(*pool));
	pthread_mutex_init(&pool->mu, NULL);
	pthread_cond_init(&pool->work, NULL);
	pthread_cond_init(&pool->fin, NULL);
	pool->slots = xcalloc(conns, sizeof(*pool->slots));
	pool->nslots = conns;
	if (p->login.mech == MECH_XOAUTH2 && p->login.user != NULL)
		pool->oauth2 = p->login.oauth2;
	pool->what = xasprintf("SMTP %s as %s", p->url,
	    p->login.user ? p->login.user : "nobody");
	/* The first curl_easy_init() also initialises libcurl: not in a thread. */
	for (i = 0; i < conns; i++) {
		pool->slots[i].pool = pool;
		if ((pool->slots[i].curl = curl_easy_init()) == NULL) {
			log_warnx("smtp: cannot make a libcurl handle");
			goto out;
		}
		if ((rc = smtp_setup(&pool->slots[i], p)) != CURLE_OK) {
			log_warnx("smtp: %s: %s", p->url,
			    curl_easy_strerror(rc));
			goto out;
		}
	}
	for (i = 0; i < conns; i++) {
		if ((errno = pthread_create(&pool->slots[i].th, NULL,
		    smtp_slot_main, &pool->slots[i])) != 0) {
			log_warn("smtp: pthread_create");
			goto out;
		}
		pool->slots[i].started = true;
	}
	rv = pool;
	pool = NULL;
 out:
	smtp_pool_free(pool);
	return rv;
}

/*
 * The threads finish the transfer in hand (libcurl's timeout bounds
 * it) and stop; then each handle closes its session, with QUIT.
 */
void
smtp_pool_free(struct smtp_pool *pool)
{
	struct smtp_slot	*sl;
	int			 i;

	if (pool == NULL)
		return;
	pthread_mutex_lock(&pool->mu);
	pool->quit = true;
	pthread_cond_broadcast(&pool->work);
	pthread_mutex_unlock(&pool->mu);
	for (i = 0; i < pool->nslots; i++)
		if (pool->slots[i].started)
			pthread_join(pool->slots[i].th, NULL);
	for (i = 0; i < pool->nslots; i++) {
		sl = &pool->slots[i];
		if (sl->curl != NULL)
			curl_easy_cleanup(sl->curl);
		curl_slist_free_all(sl->rcpts);
	}
	pthread_cond_destroy(&pool->fin);
	pthread_cond_destroy(&pool->work);
	pthread_mutex_destroy(&pool->mu);
	free(pool->slots);
	free(pool->what);
	free(pool);
}

int
smtp_pool_idle(const struct smtp_pool *pool)
{
	return pool->nslots - pool->nbusy;
}

int
smtp_pool_busy(const struct smtp_pool *pool)
{
	return pool->nbusy;
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

/* No CR or LF in an address: it would end the SMTP command early. */
static bool
smtp_is_clean(const struct smtp_job *job)
{
	size_t	 i;

	if (job->from != NULL && strpbrk(job->from, "\r\n") != NULL)
		return false;
	for (i = 0; i < job->nrcpts; i++)
		if (job->rcpts[i] == NULL ||
		    strpbrk(job->rcpts[i], "\r\n") != NULL)
			return false;
	return true;
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

/*
 * The operator's view of a failure. libcurl's error buffer names the
 * refused command ("MAIL failed: 553"); a refused sender is the same
 * for every mail, so it is a config problem, not this message's.
 */
static enum smtp_why
smtp_why_of(CURLcode rc, long code, const char *errbuf)
{
	switch (rc) {
	case CURLE_OK:
		return code == 250 ? SMTP_WHY_NONE : SMTP_WHY_REFUSED;
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_CRL_BADFILE:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
		return SMTP_WHY_CERT;
	case CURLE_USE_SSL_FAILED:
	case CURLE_SSL_CONNECT_ERROR:
		return SMTP_WHY_TLS;
	case CURLE_LOGIN_DENIED:
	case CURLE_AUTH_ERROR:
		return SMTP_WHY_LOGIN;
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_CONNECT:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_GOT_NOTHING:
		return SMTP_WHY_CONNECT;
	default:
		break;
	}
	if (code == 530 || code == 534 || code == 535 || code == 538)
		return SMTP_WHY_LOGIN;
	/* not 552 (RFC 1870: this message is too large) or 555 */
	if ((code == 550 || code == 553 || code == 554) && errbuf != NULL &&
	    strncmp(errbuf, "MAIL failed", 11) == 0)
		return SMTP_WHY_SENDER;
	if (code >= 400 && code < 600 && code != 421)
		return SMTP_WHY_REFUSED;
	if (rc == CURLE_SEND_ERROR || rc == CURLE_RECV_ERROR ||
	    rc == CURLE_WEIRD_SERVER_REPLY || code == 421)
		return SMTP_WHY_CONNECT;
	return SMTP_WHY_OTHER;
}

bool
smtp_why_is_lasting(enum smtp_why why)
{
	return why == SMTP_WHY_CERT || why == SMTP_WHY_TLS ||
	    why == SMTP_WHY_LOGIN || why == SMTP_WHY_SENDER;
}

const char *
smtp_why_name(enum smtp_why why)
{
	static const char *const names[] = { "none", "down", "certificate",
	    "tls", "login", "sender", "refused", "other" };

	if ((size_t)why >= nitems(names))
		return "other";
	return names[why];
}

/* "smtp: <libcurl's own words> (reply 535)": its error buffer says more. */
static void
smtp_err_fmt(char *buf, size_t len, CURLcode rc, const char *errbuf,
    long code)
{
	char	 reply[32] = "";

	if (code >= 400)	/* a 220 or 250 before the failure says nothing */
		snprintf(reply, sizeof(reply), " (reply %ld)", code);
	snprintf(buf, len, "smtp: %s%s", errbuf != NULL && errbuf[0] != '\0' ?
	    errbuf : curl_easy_strerror(rc), reply);
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

/* Puts the job on the slot's handle; libcurl copies the sender. */
static CURLcode
smtp_slot_load(struct smtp_slot *sl, const struct smtp_job *job)
{
	const char	*from = job->from != NULL ? job->from : "";
	char		*mfrom;
	CURLcode	 rc;

	if ((sl->rcpts = smtp_rcpt_list(job->rcpts, job->nrcpts)) == NULL)
		return CURLE_OUT_OF_MEMORY;
	/* RFC 5321 4.5.5: "<>" is the null reverse-path. */
	mfrom = from[0] == '<' ? xstrdup(from) : xasprintf("<%s>", from);
	rc = curl_easy_setopt(sl->curl, CURLOPT_MAIL_FROM, mfrom);
	free(mfrom);
	if (rc == CURLE_OK)
		rc = curl_easy_setopt(sl->curl, CURLOPT_MAIL_RCPT, sl->rcpts);
	/* Lets a server with SIZE (RFC 1870) refuse a big message early. */
	if (rc == CURLE_OK)
		rc = curl_easy_setopt(sl->curl, CURLOPT_INFILESIZE_LARGE,
		    (curl_off_t)sl->len);
	return rc;
}

/* The job ends before it reached the network. */
static void
smtp_slot_end(struct smtp_slot *sl, enum smtp_result res, const char *fmt,
    ...)
{
	va_list	 ap;

	sl->done.result = res;
	va_start(ap, fmt);
	vsnprintf(sl->done.err, sizeof(sl->done.err), fmt, ap);
	va_end(ap);
	sl->ended = true;
	log_debug("smtp: %zu rcpt, %zu bytes: %s: %s", sl->nrcpts, sl->len,
	    smtp_names[res], sl->done.err);
}

int
smtp_pool_start(struct smtp_pool *pool, const struct smtp_job *job)
{
	struct smtp_slot	*sl = NULL;
	CURLcode		 rc;
	size_t			 i;
	int			 k;

	for (k = 0; k < pool->nslots && sl == NULL; k++)
		if (!pool->slots[k].busy)
			sl = &pool->slots[k];
	if (sl == NULL || job == NULL)
		return -1;
	sl->busy = true;
	sl->ended = false;
	pool->nbusy++;
	memset(&sl->done, 0, sizeof(sl->done));
	sl->done.cookie = job->cookie;
	sl->errbuf[0] = '\0';
	sl->parts = job->parts;
	sl->nparts = job->nparts;
	sl->part = sl->off = sl->len = 0;
	for (i = 0; i < job->nparts; i++)
		sl->len += job->parts[i].len;
	sl->nrcpts = job->nrcpts;
	sl->ran = false;
	sl->retried = false;
	if (job->nrcpts == 0)
		smtp_slot_end(sl, SMTP_PERM, "smtp: no recipients");
	else if (!smtp_is_clean(job))
		smtp_slot_end(sl, SMTP_PERM, "smtp: CR or LF in an address");
	else if ((rc = smtp_slot_load(sl, job)) != CURLE_OK)
		smtp_slot_end(sl, SMTP_TEMP, "smtp: %s",
		    curl_easy_strerror(rc));
	else if (smtp_token_set(pool->oauth2, sl->curl, &sl->gen,
	    &sl->done) == -1)
		sl->ended = true;
	else {
		pthread_mutex_lock(&pool->mu);
		sl->go = true;
		pthread_cond_broadcast(&pool->work);
		pthread_mutex_unlock(&pool->mu);
	}
	return 0;
}

/* The thread ran the transfer: its outcome, read in the caller's thread. */
static void
smtp_slot_finish(struct smtp_slot *sl)
{
	enum smtp_result	 res;
	curl_off_t		 sent = 0;
	long			 code = 0;

	curl_easy_getinfo(sl->curl, CURLINFO_RESPONSE_CODE, &code);
	curl_easy_getinfo(sl->curl, CURLINFO_SIZE_UPLOAD_T, &sent);
	res = smtp_map(sl->rc, code, sent);
	sl->done.why = smtp_why_of(sl->rc, code, sl->errbuf);
	/* a refused sender is every mail's: the mail waits for the fix */
	if (sl->done.why == SMTP_WHY_SENDER)
		res = SMTP_DOWN;
	sl->done.result = res;
	if (res != SMTP_OK)
		smtp_err_fmt(sl->done.err, sizeof(sl->done.err), sl->rc,
		    sl->errbuf, code);
	log_debug("smtp: %zu rcpt, %zu bytes: %s, curl %d, reply %ld",
	    sl->nrcpts, sl->len, smtp_names[res], (int)sl->rc, code);
}

/* Hands the outcome over; the slot is free again. */
static void
smtp_slot_release(struct smtp_pool *pool, struct smtp_slot *sl,
    struct smtp_done *out)
{
	*out = sl->done;
	/* The handle must not keep a pointer to the list or the parts. */
	curl_easy_setopt(sl->curl, CURLOPT_MAIL_RCPT, NULL);
	curl_slist_free_all(sl->rcpts);
	sl->rcpts = NULL;
	sl->parts = NULL;
	sl->nparts = 0;
	sl->busy = false;
	sl->ended = false;
	pool->nbusy--;
}

/*
 * The token for the next login on this handle (an open session keeps
 * its login). On failure done says why: a config error waits for the
 * operator, an endpoint that is down passes.
 */
static int
smtp_token_set(struct oauth2 *o, CURL *c, unsigned *gen,
    struct smtp_done *done)
{
	char	*tok;
	int	 rc = 0;

	if (o == NULL)
		return 0;
	if ((tok = oauth2_token_dup(o, gen, done->err,
	    sizeof(done->err))) == NULL) {
		done->result = SMTP_DOWN;
		done->why = oauth2_is_lasting(o) ? SMTP_WHY_LOGIN :
		    SMTP_WHY_CONNECT;
		return -1;
	}
	if (curl_easy_setopt(c, CURLOPT_XOAUTH2_BEARER, tok) != CURLE_OK) {
		done->result = SMTP_TEMP;
		done->why = SMTP_WHY_OTHER;
		snprintf(done->err, sizeof(done->err), "smtp: out of memory");
		rc = -1;
	}
	explicit_bzero(tok, strlen(tok));
	free(tok);
	return rc;
}

/*
 * A 535 with an XOAUTH2 token: one fresh token and the same job once
 * more. The token request runs with the pool's mutex held; the other
 * threads wait only to report, and libcurl's timeout bounds it.
 */
static bool
smtp_slot_retry(struct smtp_pool *pool, struct smtp_slot *sl)
{
	long	 code = 0;

	if (pool->oauth2 == NULL)
		return false;
	curl_easy_getinfo(sl->curl, CURLINFO_RESPONSE_CODE, &code);
	if (sl->rc != CURLE_LOGIN_DENIED && code != 535)
		return false;
	/* every refusal counts: the second is the config error, told once */
	if (!oauth2_refused(pool->oauth2, sl->gen, pool->what) ||
	    sl->retried)
		return false;
	if (smtp_token_set(pool->oauth2, sl->curl, &sl->gen,
	    &sl->done) == -1)
		return false;
	sl->retried = true;
	sl->part = sl->off = 0;
	sl->errbuf[0] = '\0';
	sl->ran = false;
	sl->ended = false;
	sl->go = true;
	pthread_cond_broadcast(&pool->work);
	return true;
}

/* Hands over up to max finished jobs. Called with the mutex held. */
static size_t
smtp_pool_collect(struct smtp_pool *pool, struct smtp_done *done,
    size_t max)
{
	struct smtp_slot	*sl;
	size_t			 n = 0;
	int			 i;

	for (i = 0; i < pool->nslots && n < max; i++) {
		sl = &pool->slots[i];
		if (!sl->busy || !sl->ended)
			continue;
		if (sl->ran && smtp_slot_retry(pool, sl))
			continue;
		if (sl->ran && sl->done.result == SMTP_DOWN &&
		    sl->done.err[0] != '\0')
			;	/* the token could not be had for the retry */
		else if (sl->ran)
			smtp_slot_finish(sl);
		if (pool->oauth2 != NULL && sl->done.result == SMTP_OK)
			oauth2_accepted(pool->oauth2);
		smtp_slot_release(pool, sl, &done[n++]);
	}
	return n;
}

int
smtp_pool_run(struct smtp_pool *pool, int timeout_ms,
    struct smtp_done *done, size_t max)
{
	struct timespec	 until;
	size_t		 n;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += timeout_ms / 1000;
	until.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&pool->mu);
	while ((n = smtp_pool_collect(pool, done, max)) == 0 && max > 0 &&
	    pool->nbusy > 0)
		if (pthread_cond_timedwait(&pool->fin, &pool->mu,
		    &until) == ETIMEDOUT)
			break;
	pthread_mutex_unlock(&pool->mu);
	return (int)n;
}

struct smtp *
smtp_new(const struct smtp_params *p)
{
	struct smtp	*s;

	s = xcalloc(1, sizeof(*s));
	if ((s->pool = smtp_pool_new(p, 1)) == NULL) {
		free(s);
		s = NULL;
	}
	return s;
}

void
smtp_free(struct smtp *s)
{
	if (s == NULL)
		return;
	smtp_pool_free(s->pool);
	free(s);
}

/*
 * One job on the pool of one, run to its end; libcurl's own timeout
 * ends it. After an internal error (-1) the job comes back as TEMP.
 */
enum smtp_result
smtp_send(struct smtp *s, const char *from, const char *const *rcpts,
    size_t nrcpts, const char *data, size_t len, char *err, size_t errlen)
{
	struct smtp_part	 part = { data, len };
	struct smtp_job		 job = { from, rcpts, nrcpts, &part, 1,
				    NULL };
	struct smtp_done	 d;

	if (smtp_pool_start(s->pool, &job) == -1) {
		snprintf(err, errlen, "smtp: the connection is busy");
		return SMTP_TEMP;
	}
	while (smtp_pool_run(s->pool, 1000, &d, 1) != 1)
		continue;
	snprintf(err, errlen, "%s", d.err);
	return d.result;
}

static size_t
smtp_discard_cb(char *buf, size_t size, size_t nitems, void *arg)
{
	(void)buf;
	(void)arg;
	return size * nitems;
}

/*
 * With no recipients and no upload, libcurl says the custom command
 * (RFC 5321 4.1.1.9 NOOP) after EHLO, STARTTLS and AUTH: a login test
 * that sends no mail.
 */
void
smtp_probe(const struct smtp_params *p, struct smtp_done *out)
{
	struct smtp_slot	 sl;
	struct oauth2		*o = NULL;
	CURLcode		 rc;
	long			 code = 0;
	char			 what[512];
	unsigned		 gen = 0;

	memset(out, 0, sizeof(*out));
	memset(&sl, 0, sizeof(sl));
	if (p->login.mech == MECH_XOAUTH2 && p->login.user != NULL)
		o = p->login.oauth2;
	snprintf(what, sizeof(what), "SMTP %s as %s", p->url,
	    p->login.user ? p->login.user : "nobody");
	if ((sl.curl = curl_easy_init()) == NULL) {
		out->result = SMTP_TEMP;
		out->why = SMTP_WHY_OTHER;
		snprintf(out->err, sizeof(out->err), "smtp: cannot make a "
		    "libcurl handle");
		return;
	}
	if ((rc = smtp_setup(&sl, p)) == CURLE_OK &&
	    (rc = curl_easy_setopt(sl.curl, CURLOPT_UPLOAD, 0L)) == CURLE_OK &&
	    (rc = curl_easy_setopt(sl.curl, CURLOPT_CUSTOMREQUEST,
	    "NOOP")) == CURLE_OK &&
	    (rc = curl_easy_setopt(sl.curl, CURLOPT_WRITEFUNCTION,
	    smtp_discard_cb)) == CURLE_OK) {
		/* XOAUTH2: a refused token gets one fresh one (oauth2.c) */
		do {
			if (smtp_token_set(o, sl.curl, &gen, out) == -1)
				goto out;
			rc = curl_easy_perform(sl.curl);
		} while (o != NULL && rc == CURLE_LOGIN_DENIED &&
		    oauth2_refused(o, gen, what));
	}
	curl_easy_getinfo(sl.curl, CURLINFO_RESPONSE_CODE, &code);
	out->why = smtp_why_of(rc, code, sl.errbuf);
	if (rc == CURLE_OK && code >= 200 && code < 300) {
		out->result = SMTP_OK;
		out->why = SMTP_WHY_NONE;
		if (o != NULL)
			oauth2_accepted(o);
	} else {
		out->result = SMTP_DOWN;
		if (out->why == SMTP_WHY_NONE)
			out->why = SMTP_WHY_OTHER;
		smtp_err_fmt(out->err, sizeof(out->err), rc, sl.errbuf, code);
	}
	log_debug("smtp: probe %s: curl %d, reply %ld", p->url, (int)rc,
	    code);
 out:
	curl_easy_cleanup(sl.curl);
}
