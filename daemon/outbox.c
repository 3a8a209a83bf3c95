/*
 * outbox.c: the only sender. main.c calls outbox_drain() after each
 * round. It sends the due outbox rows (replies, invitations, notices)
 * first, then the due copies of list mail, over a pool of kept SMTP
 * connections ([limits] connections) and within the server's limits
 * (rate.c). Each mail is marked the moment the server accepts it; the
 * marks of a batch share one transaction. A 4xx puts the mail back
 * with back-off and holds the whole outbox a while; nothing is lost or
 * sent twice. (But a crash between a mail's end of data and its mark
 * sends it again, RFC 1047; and nothing is sent while the store's
 * disk is full, as the mark might not be written: store_is_full().)
 * Owns the SMTP pool: it stays open from one drain to the next while
 * the daemon is busy (a burst pays for one connection, not one a
 * round) and is closed by outbox_close() before the daemon waits.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "conf.h"
#include "log.h"
#include "outbox.h"
#include "listmail.h"
#include "probe.h"
#include "rate.h"
#include "smtp.h"
#include "store.h"
#include "util.h"

#define OUTBOX_BATCH	200	/* outbox rows read at a time */
#define RCPT_BATCH	1000	/* list copies read at a time */
#define OUTBOX_SLICE	2	/* seconds a drain may take in run mode */
#define OUTBOX_POSTS	8	/* list posts cached in one drain */

/* One mail in flight. */
struct outbox_job {
	bool			 copy;		/* a list copy, else a row */
	int64_t			 id;
	int			 attempts;
	time_t			 created;
	char			*from;
	char			*rcpt;
	char			*head;		/* a copy's own header lines */
	const char		*rcpts[1];
	struct smtp_part	 parts[2];
	struct outbox_row	 row;
};

/* The state of one drain. */
struct outbox {
	struct store		*st;
	const struct conf	*conf;
	bool			 force;
	struct smtp_pool	*pool;
	struct rate		 rate;
	struct outbox_stats	*stats;
	int64_t			*ids;		/* due outbox rows */
	size_t			 nids, nexti;
	int64_t			 row_after;
	bool			 rows_done;
	struct post_rcpt	*rc;		/* due list copies */
	size_t			 nrc, nextr;
	int64_t			 rcpt_after;
	bool			 rcpts_done;
	struct post		 posts[OUTBOX_POSTS];
	size_t			 nposts;
};

/* Survives between drains: the slow-down after a 4xx, the sessions. */
static time_t		 outbox_hold;
static int		 outbox_slow;
static struct smtp_pool	*outbox_pool;

static struct outbox_job *outbox_next_job(struct outbox *);
static int	 outbox_result(struct outbox *, struct outbox_job *,
		    enum smtp_result, const char *);
static void	 outbox_job_free(struct outbox_job *);
static void	 outbox_note(struct outbox_stats *, const struct smtp_done *);

void
outbox_close(void)
{
	smtp_pool_free(outbox_pool);
	outbox_pool = NULL;
}

long
outbox_backoff(int attempts)
{
	long	 s = 60;

	while (attempts-- > 0 && s < 3600)
		s *= 2;
	return s > 3600 ? 3600 : s;
}

/* A test aid: FFNET_CRASH=<point> kills the process there (kill -9). */
void	outbox_crash_point(const char *);

void
outbox_crash_point(const char *point)
{
	const char	*want = getenv("FFNET_CRASH");

	if (want != NULL && strcmp(want, point) == 0) {
		log_warnx("FFNET_CRASH=%s: killing myself", point);
		raise(SIGKILL);
	}
}

static void
outbox_job_free(struct outbox_job *j)
{
	if (j == NULL)
		return;
	free(j->from);
	free(j->rcpt);
	free(j->head);
	outbox_row_clear(&j->row);
	free(j);
}

/* The post of a copy, read once per drain. NULL on a store error. */
static const struct post *
outbox_post(struct outbox *o, int64_t id)
{
	struct post	*p;
	size_t		 i;

	for (i = 0; i < o->nposts; i++)
		if (o->posts[i].id == id)
			return &o->posts[i];
	if (o->nposts == OUTBOX_POSTS) {	/* rare: forget the oldest */
		post_clear(&o->posts[0]);
		memmove(&o->posts[0], &o->posts[1], (OUTBOX_POSTS - 1) *
		    sizeof(o->posts[0]));
		o->nposts--;
	}
	p = &o->posts[o->nposts];
	if (store_post_get(o->st, id, true, p) != 1) {
		post_clear(p);
		return NULL;
	}
	o->nposts++;
	return p;
}

/* The next outbox row due, as a job; NULL when there is none. */
static struct outbox_job *
outbox_next_row(struct outbox *o)
{
	struct outbox_job	*j;

	while (!o->rows_done) {
		if (o->nexti < o->nids) {
			j = xcalloc(1, sizeof(*j));
			j->id = o->ids[o->nexti++];
			o->row_after = j->id;
			if (store_outbox_load(o->st, j->id, &j->row) == -1) {
				outbox_job_free(j);
				return NULL;
			}
			j->from = xstrdup(j->row.env_from);
			j->rcpt = xstrdup(j->row.rcpt);
			j->attempts = j->row.attempts;
			j->created = j->row.created;
			j->parts[0].data = j->row.data;
			j->parts[0].len = j->row.len;
			return j;
		}
		free(o->ids);
		o->ids = NULL;
		o->nexti = o->nids = 0;
		/* after row_after: rows deferred in this drain stay put */
		if (store_outbox_due(o->st, time(NULL), o->force, o->row_after,
		    OUTBOX_BATCH, &o->ids, &o->nids) == -1 || o->nids == 0)
			o->rows_done = true;
	}
	return NULL;
}

/* The next list copy due, as a job; NULL when there is none. */
static struct outbox_job *
outbox_next_copy(struct outbox *o)
{
	struct outbox_job	*j;
	struct post_rcpt	*r;
	const struct post	*p;

	while (!o->rcpts_done) {
		if (o->nextr < o->nrc) {
			r = &o->rc[o->nextr++];
			o->rcpt_after = r->id;
			if (r->gone) {	/* left or paused since the post */
				if (store_rcpt_failed(o->st, r->id, time(NULL),
				    "no longer on the list") == -1)
					return NULL;
				continue;
			}
			if ((p = outbox_post(o, r->post)) == NULL)
				return NULL;
			j = xcalloc(1, sizeof(*j));
			j->copy = true;
			j->id = r->id;
			j->attempts = r->attempts;
			j->created = p->started;
			/* verp = no: the mailbox, as Exchange makes it */
			j->from = o->conf->verp ? listmail_tag_addr_dup(o->conf,
			    'b', r->token) : xstrdup(o->conf->address);
			j->rcpt = xstrdup(r->addr);
			j->head = listmail_copy_head_dup(o->conf, r,
			    !listmail_data_has_msgid(p));
			j->parts[0].data = j->head;
			j->parts[0].len = strlen(j->head);
			j->parts[1].data = p->data;
			j->parts[1].len = p->len;
			return j;
		}
		post_rcpts_free(o->rc, o->nrc);
		o->rc = NULL;
		o->nextr = o->nrc = 0;
		if (store_rcpt_due(o->st, time(NULL), o->force, o->rcpt_after,
		    RCPT_BATCH, &o->rc, &o->nrc) == -1 || o->nrc == 0)
			o->rcpts_done = true;
	}
	return NULL;
}

/* Replies and notices first: a member is not kept waiting by a post. */
static struct outbox_job *
outbox_next_job(struct outbox *o)
{
	struct outbox_job	*j;

	if ((j = outbox_next_row(o)) != NULL)
		return j;
	return outbox_next_copy(o);
}

/* Records how one mail went, in the caller's transaction. */
static int
outbox_result(struct outbox *o, struct outbox_job *j, enum smtp_result r,
    const char *err)
{
	time_t	 now = time(NULL);
	int	 rc;

	switch (r) {
	case SMTP_OK:
		outbox_crash_point("after_send");
		rc = j->copy ? store_rcpt_sent(o->st, j->id, now) :
		    store_outbox_sent(o->st, j->id, now);
		if (j->copy)
			log_debug("sent list copy %lld to %s", (long long)j->id,
			    j->rcpt);
		else
			log_info("sent %s to %s", j->row.msgid, j->rcpt);
		rate_ok(&o->rate);
		o->stats->sent++;
		return rc;
	case SMTP_PERM:
		log_warnx("not sent %s to %s: refused for good: %s", j->copy ?
		    "list copy" : j->row.msgid, j->rcpt, err);
		o->stats->failed++;
		return j->copy ? store_rcpt_failed(o->st, j->id, now, err) :
		    store_outbox_failed(o->st, j->id, now, err);
	case SMTP_DOWN:
		o->stats->down = true;
		break;
	case SMTP_TEMP:
		/* the server asks us to slow down: everything waits */
		rate_tempfail(&o->rate, now);
		break;
	}
	if (now - j->created > (time_t)o->conf->retry_max_hours * 3600) {
		log_warnx("gave up %s to %s after %d hours: %s", j->copy ?
		    "list copy" : j->row.msgid, j->rcpt,
		    o->conf->retry_max_hours, err);
		o->stats->failed++;
		return j->copy ? store_rcpt_failed(o->st, j->id, now, err) :
		    store_outbox_failed(o->st, j->id, now, err);
	}
	log_info("deferred %s to %s: %s", j->copy ? "list copy" :
	    j->row.msgid, j->rcpt, err);
	o->stats->deferred++;
	return j->copy ? store_rcpt_retry(o->st, j->id, now +
	    outbox_backoff(j->attempts), err) : store_outbox_retry(o->st,
	    j->id, now + outbox_backoff(j->attempts), err);
}

/*
 * The drain's problem, for status.c and ffnet once: a lasting one (a
 * certificate, a refused login) wins over one that passes by itself.
 */
static void
outbox_note(struct outbox_stats *s, const struct smtp_done *d)
{
	if (d->result != SMTP_DOWN && d->result != SMTP_TEMP)
		return;
	if (smtp_why_is_lasting((enum smtp_why)s->why) &&
	    !smtp_why_is_lasting(d->why))
		return;
	s->why = (int)d->why;
	snprintf(s->err, sizeof(s->err), "%s", d->err);
}

/* Starts what the pool and the limits allow. -1 on a store error. */
static int
outbox_start(struct outbox *o, struct outbox_job **held, bool *stop)
{
	struct smtp_job		 sj;
	struct outbox_job	*j;
	time_t			 now, at;

	while (!*stop && smtp_pool_idle(o->pool) > 0) {
		if (store_is_full(o->st)) {	/* no room for the mark */
			*stop = true;
			break;
		}
		now = time(NULL);
		if ((at = rate_next(&o->rate, now)) > now) {
			o->stats->wake = at;
			*stop = true;	/* the limits: come back at "at" */
			break;
		}
		if ((j = *held) == NULL && (j = outbox_next_job(o)) == NULL) {
			if (!o->rows_done || !o->rcpts_done)
				return -1;	/* store error */
			*stop = true;
			break;
		}
		*held = NULL;
		j->rcpts[0] = j->rcpt;
		memset(&sj, 0, sizeof(sj));
		sj.from = j->from;
		sj.rcpts = j->rcpts;
		sj.nrcpts = 1;
		sj.parts = j->parts;
		sj.nparts = j->copy ? 2 : 1;
		sj.cookie = j;
		if (smtp_pool_start(o->pool, &sj) == -1) {
			*held = j;
			break;
		}
		rate_note(&o->rate, now);
	}
	return 0;
}

int
outbox_drain(struct store *st, const struct conf *conf, bool force,
    struct outbox_stats *stats)
{
	struct smtp_params	 p;
	struct smtp_done	 done[32];
	struct outbox		 o;
	struct outbox_job	*held = NULL;
	time_t			 start = time(NULL);
	bool			 stop = false;
	int			 n, i, rc = -1;

	memset(stats, 0, sizeof(*stats));
	/* what the server takes must be marked sent: not on a full disk */
	if (store_probe(st) == -1 || store_is_full(st))
		return 0;
	memset(&o, 0, sizeof(o));
	o.st = st;
	o.conf = conf;
	o.force = force;
	o.stats = stats;
	probe_smtp_params(conf, &p);
	rate_init(&o.rate, conf->messages_per_minute, conf->recipients_per_day);
	o.rate.hold = outbox_hold;
	o.rate.slow = outbox_slow;
	if ((held = outbox_next_job(&o)) == NULL) {
		rc = o.rows_done && o.rcpts_done ? 0 : -1;
		goto out;
	}
	/* the day's sends: read only when there is something to send */
	if (rate_load(&o.rate, st, start) == -1)
		goto out;
	if (outbox_pool == NULL &&
	    (outbox_pool = smtp_pool_new(&p, conf->connections)) == NULL)
		goto out;
	o.pool = outbox_pool;
	store_fast_sync(st, true);
	for (;;) {
		if (!stop && outbox_start(&o, &held, &stop) == -1)
			goto out;
		if (smtp_pool_busy(o.pool) == 0)
			break;
		if ((n = smtp_pool_run(o.pool, 1000, done,
		    nitems(done))) == -1)
			continue;	/* the jobs come back as SMTP_TEMP */
		if (n > 0 && store_begin(st) == -1)
			goto out;
		for (i = 0; i < n; i++) {
			struct outbox_job *j = done[i].cookie;

			outbox_note(stats, &done[i]);
			if (outbox_result(&o, j, done[i].result,
			    done[i].err) == -1) {
				store_rollback(st);
				goto out;
			}
			outbox_job_free(j);
			done[i].cookie = NULL;
		}
		if (n > 0 && store_commit(st) == -1)
			goto out;
		/* a refusal or a dead server: finish what is in flight */
		if (stats->down || o.rate.hold > time(NULL))
			stop = true;
		if (!force && !stop && time(NULL) - start >= OUTBOX_SLICE) {
			stats->more = true;
			stop = true;
		}
	}
	if (o.rate.hold > time(NULL) && (stats->wake == 0 ||
	    stats->wake > o.rate.hold))
		stats->wake = o.rate.hold;
	if (store_post_finish(st, time(NULL)) == -1)
		goto out;
	rc = 0;
 out:
	if (stats->down && !smtp_why_is_lasting((enum smtp_why)stats->why))
		log_warnx("mail server %s not reachable; %zu sent, the rest "
		    "waits", conf->smtp_url, stats->sent);
	else if (stats->sent + stats->deferred + stats->failed > 20)
		log_info("outbox: %zu sent, %zu deferred, %zu failed in %lld s",
		    stats->sent, stats->deferred, stats->failed,
		    (long long)(time(NULL) - start));
	store_fast_sync(st, false);
	outbox_hold = o.rate.hold;
	outbox_slow = o.rate.slow;
	/* jobs still in flight are not reported: a new pool next time */
	if (o.pool != NULL && (rc == -1 || stats->down ||
	    smtp_pool_busy(o.pool) > 0))
		outbox_close();
	outbox_job_free(held);
	free(o.ids);
	post_rcpts_free(o.rc, o.nrc);
	for (i = 0; i < (int)o.nposts; i++)
		post_clear(&o.posts[i]);
	rate_clear(&o.rate);
	return rc;
}
