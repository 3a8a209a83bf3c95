/*
 * status.c: never silent. main.c calls status_round() after each drain
 * and status_error() when IMAP fails; both record the daemon's state in
 * the store (a write only when it changes, or once a minute) for ffnet
 * status, and put each problem in one plain line with its fix. When the
 * outbox has waited longer than [limits] stuck_after, the secretariat
 * is told once per problem: by APPEND to the shared mailbox, as it is
 * sending that is broken. Owns the lock beside the store (ffnet run).
 */
#include <sys/file.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "conf.h"
#include "imap.h"
#include "log.h"
#include "mime.h"
#include "outbox.h"
#include "smtp.h"
#include "status.h"
#include "store.h"
#include "tmpl.h"
#include "util.h"

#define STATUS_EVERY	60	/* seconds between writes of an unchanged state */
#define STATUS_HELD_DAYS 30	/* status counts the held mail of this many days */

/* What was last written, so that an unchanged state is not written again. */
static struct {
	time_t	 imap_at;
	time_t	 smtp_at;
	time_t	 err_at;
	char	 err[600];
	int	 why;		/* the last drain's problem (enum smtp_why) */
} status_last;

static char	*status_lock_path_dup(const struct conf *);
static void	 status_set(struct store *, const char *, const char *,
		    time_t);
static void	 status_stuck(struct store *, const struct conf *,
		    const struct tmpls *, struct imap *,
		    const struct outbox_stats *);
static int	 status_notice(const struct conf *, const struct tmpls *,
		    struct imap *, int64_t, time_t, const char *);
static void	 status_time(time_t, char *, size_t);
static void	 status_ago(time_t, time_t, char *, size_t);
static int	 status_running(const struct conf *, long *);
static int	 status_period(const struct conf *);

static char *
status_lock_path_dup(const struct conf *c)
{
	return xasprintf("%s.pid", c->store_path);
}

static void
status_set(struct store *st, const char *key, const char *value, time_t at)
{
	if (store_state_set(st, key, value, at) == -1)
		log_debug("status: %s not recorded", key);
}

void
status_start(struct store *st, const struct conf *c)
{
	char	*path = status_lock_path_dup(c), pid[32], why[1024];
	int	 fd;

	/* like Postfix's master.pid: held while ffnet runs, never removed */
	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644)) == -1 ||
	    flock(fd, LOCK_EX | LOCK_NB) == -1) {
		/* at startup: the terminal or the journal must see it too */
		if (errno == EWOULDBLOCK)
			snprintf(why, sizeof(why), "another ffnet already runs "
			    "with the store %s (see %s)", c->store_path, path);
		else
			snprintf(why, sizeof(why), "%s: %s", path,
			    strerror(errno));
		if (!log_is_stderr())
			fprintf(stderr, "ffnet: %s\n", why);
		fatalx("%s", why);
	}
	snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) == -1 || write(fd, pid, strlen(pid)) == -1)
		log_warn("%s", path);
	free(path);
	/* fd stays open, and locked, until the process ends */
	status_set(st, "started", pid, time(NULL));
}

void
status_imap_line(const struct conf *c, const char *err, char *buf,
    size_t len)
{
	const char	*fix = NULL;

	if (strstr(err, "cannot load CAs") != NULL)
		fix = "[imap] ca_file must name a readable PEM file of CA "
		    "certificates";
	else if (strstr(err, "does not match host") != NULL)
		fix = "set [imap] host to a name the certificate carries";
	else if (strstr(err, "not trusted") != NULL)
		fix = "set [imap] ca_file to the CA that signed it";
	else if (strstr(err, "certificate") != NULL)
		fix = "the server's certificate is not usable: set [imap] "
		    "ca_file to the CA that signed it";
	else if (strstr(err, "refused by") != NULL)
		fix = "login refused: check [imap] user and password "
		    "(or password_file)";
	else if (strstr(err, "cannot connect") != NULL)
		fix = "the host does not answer: check [imap] host and port, "
		    "and that the server runs and no firewall is between";
	else if (strstr(err, "LOGINDISABLED") != NULL)
		fix = NULL;	/* the line says what to do */
	else if (strstr(err, "cannot select") != NULL)
		fix = "check [imap] mailbox";
	(void)c;
	snprintf(buf, len, "%s%s%s", err, fix ? "; " : "", fix ? fix : "");
}

void
status_smtp_line(const struct conf *c, int why, const char *detail,
    char *buf, size_t len)
{
	const char	*d = detail != NULL ? detail : "";

	if (strncmp(d, "smtp: ", 6) == 0)
		d += 6;
	switch ((enum smtp_why)why) {
	case SMTP_WHY_CERT:
		snprintf(buf, len, "smtp: the server's certificate is not "
		    "trusted (%s) at %s; set [smtp] ca_file to the CA that "
		    "signed it, or require_tls = no for a relay on this "
		    "machine", d, c->smtp_url);
		break;
	case SMTP_WHY_TLS:
		snprintf(buf, len, "smtp: no TLS with %s (%s); use the "
		    "submission port (587) with require_tls = yes, smtps:// "
		    "for port 465, or require_tls = no for a relay on this "
		    "machine", c->smtp_url, d);
		break;
	case SMTP_WHY_LOGIN:
		snprintf(buf, len, "smtp: login refused by %s (%s); check "
		    "[smtp] user and password (or password_file)%s",
		    c->smtp_url, d, c->smtp_user == NULL ? ": this server "
		    "wants a login" : "");
		break;
	case SMTP_WHY_SENDER:
		snprintf(buf, len, "smtp: %s refuses the sender %s (%s); the "
		    "[smtp] user must be allowed to send as [network] address",
		    c->smtp_url, c->address, d);
		break;
	case SMTP_WHY_CONNECT:
		snprintf(buf, len, "smtp: %s does not answer (%s); the mail "
		    "waits and is sent when it is back", c->smtp_url, d);
		break;
	default:
		snprintf(buf, len, "smtp: %s: %s; the mail waits", c->smtp_url,
		    d);
		break;
	}
}

void
status_error(struct store *st, const struct conf *c, const char *err)
{
	time_t	 now = time(NULL);

	if (strcmp(err, status_last.err) == 0 &&
	    now - status_last.err_at < STATUS_EVERY)
		return;
	(void)c;
	snprintf(status_last.err, sizeof(status_last.err), "%s", err);
	status_last.err_at = now;
	status_set(st, "error", err, now);
}

void
status_imap_error(struct store *st, const struct conf *c, const char *err)
{
	char	 line[1536];

	status_imap_line(c, err, line, sizeof(line));
	log_warnx("%s", line);
	status_error(st, c, line);
}

void
status_round(struct store *st, const struct conf *c,
    const struct tmpls *t, struct imap *im, const struct outbox_stats *os)
{
	char	 line[1024];
	time_t	 now = time(NULL);

	if (im != NULL && now - status_last.imap_at >= STATUS_EVERY) {
		status_last.imap_at = now;
		status_set(st, "imap_ok", NULL, now);
	}
	if (os->sent > 0 && now - status_last.smtp_at >= STATUS_EVERY) {
		status_last.smtp_at = now;
		status_set(st, "smtp_ok", NULL, now);
	}
	status_last.why = os->why;
	if (os->why != SMTP_WHY_NONE) {
		status_smtp_line(c, os->why, os->err, line, sizeof(line));
		if (smtp_why_is_lasting((enum smtp_why)os->why))
			log_warnx("%s", line);
		status_error(st, c, line);
	}
	status_stuck(st, c, t, im, os);
}

int
status_once_rc(void)
{
	return smtp_why_is_lasting((enum smtp_why)status_last.why) ? 1 : 0;
}

/*
 * Once per problem: the notice's key is the kind of problem; a new kind,
 * or the same after the outbox emptied, is told again. The key is in the
 * store, so that a restart does not tell it twice.
 */
static void
status_stuck(struct store *st, const struct conf *c, const struct tmpls *t,
    struct imap *im, const struct outbox_stats *os)
{
	char		*told = NULL, line[1024];
	const char	*problem;
	int64_t		 rows, copies;
	time_t		 oldest, at, now = time(NULL);
	int		 r;

	if (c->stuck_after == 0 || store_queue_depth(st, &rows, &copies,
	    &oldest) == -1 || (r = store_state_get(st, "notice", &told,
	    &at)) == -1)
		goto out;
	if (rows + copies == 0 || (os->why == SMTP_WHY_NONE &&
	    os->sent > 0)) {
		if (r == 1 && store_state_del(st, "notice") == 0)
			log_info("outbox: moving again; the secretariat was "
			    "told of %s", told ? told : "a problem");
		goto out;
	}
	if (os->why == SMTP_WHY_NONE || oldest == 0 ||
	    now - oldest < (time_t)c->stuck_after * 60)
		goto out;
	problem = smtp_why_name((enum smtp_why)os->why);
	if (told != NULL && strcmp(told, problem) == 0)
		goto out;
	status_smtp_line(c, os->why, os->err, line, sizeof(line));
	if (status_notice(c, t, im, rows + copies, oldest, line) == -1) {
		log_warnx("outbox: stuck since %lld s and the secretariat "
		    "could not be told: %s", (long long)(now - oldest), line);
		goto out;
	}
	status_set(st, "notice", problem, now);
	log_warnx("outbox: stuck for %lld min, %lld waiting (%s); the "
	    "secretariat was told in the mailbox %s",
	    (long long)(now - oldest) / 60, (long long)(rows + copies),
	    problem, c->mailbox);
 out:
	free(told);
}

/* The notice, rendered in the network's language and put in the mailbox. */
static int
status_notice(const struct conf *c, const struct tmpls *t, struct imap *im,
    int64_t n, time_t oldest, const char *line)
{
	struct mime_out	 out;
	char		*subject = NULL, *body = NULL, *data = NULL;
	char		*msgid = NULL, count[32], since[64], loop[320];
	const char	*extra[3], *at;
	size_t		 len = 0;
	int		 rc = -1;
	struct tvar	 vars[] = {
		{ "network", c->name },
		{ "address", c->address },
		{ "count", count },
		{ "since", since },
		{ "reason", line },
		{ NULL, NULL },
	};

	if (im == NULL || t == NULL)
		goto out;
	snprintf(count, sizeof(count), "%lld", (long long)n);
	status_time(oldest, since, sizeof(since));
	if (tmpl_render(t, c->language, "outbox.stuck", vars, &subject,
	    &body) == -1) {
		log_warnx("no template %s/outbox.stuck", c->language);
		goto out;
	}
	at = strrchr(c->address, '@');
	msgid = xasprintf("ffnet.notice.%lld.%ld@%s", (long long)time(NULL),
	    (long)getpid(), at ? at + 1 : "localhost");
	snprintf(loop, sizeof(loop), "X-Loop: %s", c->address);
	extra[0] = loop;
	extra[1] = "X-Auto-Response-Suppress: All";
	extra[2] = NULL;
	memset(&out, 0, sizeof(out));
	out.from_name = c->name;
	out.from_addr = c->address;
	out.to_addr = c->secretariat[0] != NULL ? c->secretariat[0] :
	    c->address;
	out.subject = subject;
	out.message_id = msgid;
	out.auto_submitted = "auto-generated";
	out.language = c->language;
	out.extra_headers = extra;
	out.date = time(NULL);
	out.text = body;
	if ((data = mime_build(&out, &len)) == NULL)
		goto out;
	if (imap_append(im, c->mailbox, data, len) == -1) {
		log_warnx("imap: cannot add the notice to %s: %s", c->mailbox,
		    imap_last_error(im));
		goto out;
	}
	rc = 0;
 out:
	free(subject);
	free(body);
	free(data);
	free(msgid);
	return rc;
}

/* Local time, as the secretariat reads it: 03.12.2026 17:05. */
static void
status_time(time_t t, char *buf, size_t len)
{
	struct tm	 tm;

	if (t == 0 || localtime_r(&t, &tm) == NULL ||
	    strftime(buf, len, "%d.%m.%Y %H:%M", &tm) == 0)
		snprintf(buf, len, "-");
}

static void
status_ago(time_t t, time_t now, char *buf, size_t len)
{
	char		 when[64];
	long long	 s = (long long)(now - t);

	status_time(t, when, sizeof(when));
	if (t == 0)
		snprintf(buf, len, "never");
	else if (s < 120)
		snprintf(buf, len, "%s (%lld s ago)", when, s);
	else if (s < 7200)
		snprintf(buf, len, "%s (%lld min ago)", when, s / 60);
	else
		snprintf(buf, len, "%s (%lld h ago)", when, s / 3600);
}

/* The longest a running daemon waits between two rounds, in seconds. */
static int
status_period(const struct conf *c)
{
	if (c->idle && c->idle_seconds > c->poll_seconds)
		return c->idle_seconds;
	return c->poll_seconds;
}

/* 1 running (pid in *pid), 0 not, from the lock beside the store. */
static int
status_running(const struct conf *c, long *pid)
{
	char	*path = status_lock_path_dup(c), buf[32];
	ssize_t	 n;
	int	 fd, rc = 0;

	*pid = 0;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		goto out;
	if (flock(fd, LOCK_SH | LOCK_NB) == -1 && errno == EWOULDBLOCK) {
		rc = 1;
		if ((n = read(fd, buf, sizeof(buf) - 1)) > 0) {
			buf[n] = '\0';
			*pid = strtol(buf, NULL, 10);
		}
	}
	close(fd);
 out:
	free(path);
	return rc;
}

int
status_print(struct store *st, const struct conf *c)
{
	char		*v = NULL, *err = NULL, *sender = NULL, *reason = NULL;
	char		 buf[128];
	int64_t		 rows = 0, copies = 0, held = 0;
	time_t		 at, oldest = 0, now = time(NULL);
	time_t		 started = 0;
	long		 pid;
	int		 rc = 0;

	if (status_running(c, &pid)) {
		if (store_state_get(st, "started", &v, &at) == 1)
			started = at;
		status_ago(started, now, buf, sizeof(buf));
		printf("daemon: running, pid %ld, since %s\n", pid, buf);
	} else {
		printf("daemon: not running (no ffnet run holds %s.pid)\n",
		    c->store_path);
		rc = 1;
	}
	free(v);
	v = NULL;
	store_state_get(st, "imap_ok", &v, &at);
	status_ago(at, now, buf, sizeof(buf));
	printf("imap: last contact with %s: %s\n", c->imap_host, buf);
	/* a running daemon has a round at least every idle or poll period */
	if (rc == 0 && now - (at > started ? at : started) >
	    (time_t)status_period(c) * 2 + 60) {
		printf("imap: no contact for longer than expected; see the "
		    "last error and the log\n");
		rc = 1;
	}
	free(v);
	v = NULL;
	store_state_get(st, "smtp_ok", &v, &at);
	status_ago(at, now, buf, sizeof(buf));
	printf("smtp: last mail accepted by %s: %s\n", c->smtp_url, buf);
	free(v);
	v = NULL;
	if (store_queue_depth(st, &rows, &copies, &oldest) == 0) {
		status_ago(oldest, now, buf, sizeof(buf));
		if (rows + copies == 0)
			printf("outbox: empty\n");
		else
			printf("outbox: %lld waiting (%lld replies and notices, "
			    "%lld list copies), the oldest from %s\n",
			    (long long)(rows + copies), (long long)rows,
			    (long long)copies, buf);
		if (rows + copies > 0 && c->stuck_after > 0 &&
		    now - oldest >= (time_t)c->stuck_after * 60) {
			printf("outbox: stuck: waiting longer than stuck_after "
			    "(%d min)\n", c->stuck_after);
			rc = 1;
		}
	}
	if (store_state_get(st, "error", &v, &at) == 1 && v != NULL) {
		status_ago(at, now, buf, sizeof(buf));
		printf("last error: %s: %s\n", buf, v);
	} else if (store_queue_error(st, &err) == 0 && err != NULL)
		printf("last error: %s\n", err);
	else
		printf("last error: none\n");
	free(v);
	v = NULL;
	if (store_state_get(st, "notice", &v, &at) == 1) {
		status_ago(at, now, buf, sizeof(buf));
		printf("secretariat: told of the stuck outbox (%s) %s\n",
		    v ? v : "-", buf);
	}
	if (store_held(st, now - STATUS_HELD_DAYS * 86400, &held, &sender,
	    &reason, &at) == 0) {
		if (held == 0)
			printf("held for a person: none in the last %d days\n",
			    STATUS_HELD_DAYS);
		else {
			status_ago(at, now, buf, sizeof(buf));
			printf("held for a person: %lld in %s in the last %d "
			    "days; the newest from %s, %s: %s\n",
			    (long long)held, c->hold_folder, STATUS_HELD_DAYS,
			    sender ? sender : "-", buf, reason ? reason : "-");
		}
	}
	free(v);
	free(err);
	free(sender);
	free(reason);
	return rc;
}
