/*
 * outbox.c: the only sender. main.c calls outbox_drain() after each
 * round; it reads due rows from the store, hands each to smtp.c over
 * one kept connection, and records the outcome row by row. Owns the
 * SMTP session for the length of one drain.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "conf.h"
#include "log.h"
#include "outbox.h"
#include "smtp.h"
#include "store.h"
#include "util.h"

#define OUTBOX_BATCH	200

static int	outbox_one(struct store *, const struct conf *, struct smtp *,
		    int64_t, struct outbox_stats *);

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

static int
outbox_one(struct store *st, const struct conf *conf, struct smtp *smtp,
    int64_t id, struct outbox_stats *stats)
{
	struct outbox_row	 row;
	const char		*rcpts[1];
	char			 err[512];
	time_t			 now;
	enum smtp_result	 r;
	int			 rc = -1;

	if (store_outbox_load(st, id, &row) == -1)
		goto out;
	rcpts[0] = row.rcpt;
	err[0] = '\0';
	r = smtp_send(smtp, row.env_from, rcpts, 1, row.data, row.len, err,
	    sizeof(err));
	now = time(NULL);
	switch (r) {
	case SMTP_OK:
		outbox_crash_point("after_send");
		if (store_outbox_sent(st, id, now) == -1)
			goto out;
		log_info("sent %s to %s", row.msgid, row.rcpt);
		stats->sent++;
		break;
	case SMTP_PERM:
		if (store_outbox_failed(st, id, now, err) == -1)
			goto out;
		log_warnx("not sent %s to %s: refused for good: %s", row.msgid,
		    row.rcpt, err);
		stats->failed++;
		break;
	case SMTP_DOWN:
		stats->down = true;
		/* FALLTHROUGH */
	case SMTP_TEMP:
		if (now - row.created > (time_t)conf->retry_max_hours * 3600) {
			if (store_outbox_failed(st, id, now, err) == -1)
				goto out;
			log_warnx("gave up %s to %s after %d hours: %s",
			    row.msgid, row.rcpt, conf->retry_max_hours, err);
			stats->failed++;
			break;
		}
		if (store_outbox_retry(st, id, now +
		    outbox_backoff(row.attempts), err) == -1)
			goto out;
		log_info("deferred %s to %s: %s", row.msgid, row.rcpt, err);
		stats->deferred++;
		break;
	}
	rc = 0;
 out:
	outbox_row_clear(&row);
	return rc;
}

int
outbox_drain(struct store *st, const struct conf *conf, bool force,
    struct outbox_stats *stats)
{
	struct smtp_params	 p;
	struct smtp		*smtp = NULL;
	int64_t			*ids = NULL, last = 0;
	size_t			 n = 0, i;
	int			 rc = -1;

	memset(stats, 0, sizeof(*stats));
	memset(&p, 0, sizeof(p));
	p.url = conf->smtp_url;
	p.ca_file = conf->smtp_ca_file;
	p.login.mech = conf->smtp_auth;
	p.login.user = conf->smtp_user;
	p.login.secret = conf->smtp_password;
	p.timeout = conf->smtp_timeout;
	p.require_tls = conf->smtp_require_tls;
	for (;;) {
		free(ids);
		ids = NULL;
		/* after last: rows deferred in this drain do not come again */
		if (store_outbox_due(st, time(NULL), force, last, OUTBOX_BATCH,
		    &ids, &n) == -1)
			goto out;
		if (n == 0)
			break;
		if (smtp == NULL && (smtp = smtp_new(&p)) == NULL)
			goto out;
		for (i = 0; i < n && !stats->down; i++) {
			last = ids[i];
			if (outbox_one(st, conf, smtp, ids[i], stats) == -1)
				goto out;
		}
		if (stats->down)
			break;
	}
	rc = 0;
 out:
	if (stats->down)
		log_warnx("mail server %s not reachable; %zu sent, the rest "
		    "waits", conf->smtp_url, stats->sent);
	free(ids);
	smtp_free(smtp);
	return rc;
}
