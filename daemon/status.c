/*
 * status.c: never silent. main.c calls status_round() after each drain
 * and status_imap_down() or status_imap_error() when IMAP fails, and
 * status_imap_up() on each login; these record the daemon's state in
 * the store (a write only when it changes, or once a minute) for ffnet
 * status, and put each problem in one plain line with its fix. When the
 * outbox has waited longer than [limits] stuck_after, the secretariat
 * is told once per problem: by APPEND to the shared mailbox, as it is
 * sending that is broken. When IMAP logins have failed for as long
 * (status_imap_down), it is told by mail, queued for main.c to drain.
 * Owns the lock beside the store (ffnet run).
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

#include "compose.h"
#include "conf.h"
#include "env.h"
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
	bool	 imap_up;	/* no IMAP failure recorded in the store */
	char	 untold[32];	/* the stuck outbox's problem not yet told */
} status_last;

static char	*status_lock_path_dup(const struct conf *);
static void	 status_set(struct store *, const char *, const char *,
		    time_t);
static void	 status_stuck(const struct env *, struct imap *,
		    const struct outbox_stats *);
static int	 status_notice(const struct conf *, const struct tmpls *,
		    struct imap *, int64_t, time_t, const char *);
static int	 status_imap_find(const char *);
static bool	 status_has_word(const char *, const char *);
static int	 status_imap_notice(const struct env *, time_t, const char *,
		    const char *, const char *);
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

/*
 * IMAP problems, found by a word of imap_connect()'s error, in this
 * order: the kind is the key of the secretariat's notice (one per kind),
 * the fix completes the operator's line (NULL: the error says it).
 */
static const struct {
	const char	*word;
	const char	*kind;
	const char	*fix;
} status_imap_problems[] = {
	/* first: their texts name certificates and logins themselves */
	{ "oauth2:", "oauth2", NULL },
	{ "XOAUTH2", "login", NULL },
	{ "accepted the token", "login", NULL },
	{ "cannot load CAs", "ca_file", "[imap] ca_file must name a readable "
	    "PEM file of CA certificates" },
	{ "does not match host", "certificate", "set [imap] host to a name "
	    "the certificate carries" },
	{ "not trusted", "certificate", "set [imap] ca_file to the CA that "
	    "signed it" },
	{ "certificate", "certificate", "the server's certificate is not "
	    "usable: set [imap] ca_file to the CA that signed it" },
	{ "refused by", "login", "login refused: check [imap] user and "
	    "password (or password_file)" },
	{ "cannot connect", "connect", "the host does not answer: check "
	    "[imap] host and port, and that the server runs and no firewall "
	    "is between" },
	{ "LOGINDISABLED", "login", NULL },
	{ "STARTTLS", "tls", NULL },
	{ "cannot select", "mailbox", "check [imap] mailbox" },
	{ "cannot create folders", "mailbox", NULL },
};

/* The row of an IMAP error; -1 for one of no known kind. */
static int
status_imap_find(const char *err)
{
	size_t	 i;

	for (i = 0; i < nitems(status_imap_problems); i++)
		if (strstr(err, status_imap_problems[i].word) != NULL)
			return (int)i;
	return -1;
}

const char *
status_imap_kind(const char *err)
{
	int	 i = status_imap_find(err);

	return i == -1 ? "other" : status_imap_problems[i].kind;
}

void
status_imap_line(const struct conf *c, const char *err, char *buf,
    size_t len)
{
	const char	*fix = NULL;
	int		 i = status_imap_find(err);

	if (i != -1)
		fix = status_imap_problems[i].fix;
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
		if (c->smtp_auth == MECH_XOAUTH2 &&
		    strncmp(d, "oauth2:", 7) == 0) {
			snprintf(buf, len, "smtp: no token: %s", d);
			break;
		}
		if (c->smtp_auth == MECH_XOAUTH2) {
			snprintf(buf, len, "smtp: XOAUTH2 as %s refused by %s "
			    "(%s), also with a fresh token: a configuration "
			    "error; check SMTP.SendAsApp with admin consent, "
			    "that SMTP AUTH is enabled on the mailbox "
			    "(Set-CASMailbox %s -SmtpClientAuthenticationDisabled "
			    "$false), that [smtp] user is the mailbox the app "
			    "was granted, and its Add-MailboxPermission",
			    c->smtp_user, c->smtp_url, d, c->smtp_user);
			break;
		}
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

/* Is word one of the comma-separated words of list (NULL: none)? */
static bool
status_has_word(const char *list, const char *word)
{
	size_t		 n = strlen(word);
	const char	*p = list;

	while (p != NULL && *p != '\0') {
		if (strncmp(p, word, n) == 0 && (p[n] == ',' || p[n] == '\0'))
			return true;
		if ((p = strchr(p, ',')) != NULL)
			p++;
	}
	return false;
}

/*
 * IMAP is down. A run of failures is recorded as "imap_down": the time
 * of its first, so that a restart or ffnet once measures from it too,
 * and the kind of its latest. Past stuck_after the secretariat is told
 * by mail, as SMTP may still work, once per kind of problem in the run
 * ("imap_notice" holds the kinds told): a refused login that turns into
 * an expired certificate is told again, but a server that does not
 * answer for a moment during a refused login is not, as a kind after
 * the first is told only when two failures in a row show it. The
 * caller drains the outbox; if SMTP fails as well, the notice waits.
 */
void
status_imap_down(const struct env *e, const char *err)
{
	struct store		*st = e->st;
	const struct conf	*c = e->conf;
	char		*prev = NULL, *told = NULL, line[1536];
	const char	*kind = status_imap_kind(err);
	time_t		 since, at, now = time(NULL);
	int		 r;

	status_imap_error(st, c, err);
	status_last.imap_up = false;
	if ((r = store_state_get(st, "imap_down", &prev, &since)) == -1)
		goto out;
	if (r == 0 || since > now) {
		since = now;
		status_set(st, "imap_down", kind, now);
	} else if (prev == NULL || strcmp(prev, kind) != 0)
		status_set(st, "imap_down", kind, since);
	if (c->stuck_after == 0 || now - since < (time_t)c->stuck_after * 60 ||
	    store_state_get(st, "imap_notice", &told, &at) == -1 ||
	    status_has_word(told, kind) || (told != NULL &&
	    (prev == NULL || strcmp(prev, kind) != 0)))
		goto out;
	status_imap_line(c, err, line, sizeof(line));
	if (status_imap_notice(e, since, told, kind, line) == -1) {
		log_warnx("imap: failing since %lld s and the secretariat "
		    "could not be told: %s", (long long)(now - since), line);
		goto out;
	}
	log_warnx("imap: failing for %lld min (%s); the secretariat was "
	    "told by mail", (long long)(now - since) / 60, kind);
 out:
	free(prev);
	free(told);
}

void
status_imap_up(struct store *st, const struct conf *c)
{
	char	*kind = NULL, *told = NULL, *ids = NULL, *id, *last = NULL;
	time_t	 since, at, now = time(NULL);
	int	 r, n = 0;

	(void)c;
	/* a store read per connect at most, until the next failure */
	if (status_last.imap_up)
		return;
	if ((r = store_state_get(st, "imap_down", &kind, &since)) == -1 ||
	    store_state_get(st, "imap_notice", &told, &at) == -1 ||
	    store_state_get(st, "imap_mail", &ids, &at) == -1)
		goto out;
	if (r == 1) {
		/* a notice SMTP has not taken yet would tell of the past */
		for (id = ids != NULL ? strtok_r(ids, " ", &last) : NULL;
		    id != NULL; id = strtok_r(NULL, " ", &last))
			if (store_outbox_withdraw(st, id, now, "not sent: IMAP "
			    "works again") == 1)
				n++;
		if (store_state_del(st, "imap_mail") == -1 ||
		    store_state_del(st, "imap_notice") == -1 ||
		    store_state_del(st, "imap_down") == -1)
			goto out;
		if (told != NULL)
			log_info("imap: logged in again after %lld min; the "
			    "secretariat was told of %s%s",
			    (long long)(now - since) / 60, told, n > 0 ?
			    " (the notice had not left, and does not)" : "");
		else
			log_info("imap: logged in again after %lld s",
			    (long long)(now - since));
	}
	status_last.imap_up = true;
 out:
	free(kind);
	free(told);
	free(ids);
}

/*
 * The IMAP notice, in the network's language, queued to every
 * secretariat address together with the kinds told, in one transaction:
 * it is told once, and a crash before the commit tells it next time.
 */
static int
status_imap_notice(const struct env *e, time_t since, const char *told,
    const char *kind, const char *line)
{
	struct store		*st = e->st;
	const struct conf	*c = e->conf;
	const struct tmpls	*t = e->tmpls;
	struct outmail	 o;
	char		*kinds = NULL, *ids = NULL, *id = NULL, *more, when[64];
	char *const	*a;
	time_t		 at, now = time(NULL);
	int		 rc = -1;
	struct tvar	 vars[] = {
		{ "since", when },
		{ "reason", line },
		{ NULL, NULL },
	};

	if (t == NULL || store_begin(st) == -1 ||
	    store_state_get(st, "imap_mail", &ids, &at) == -1)
		goto out;
	status_time(since, when, sizeof(when));
	for (a = c->secretariat; a != NULL && *a != NULL; a++) {
		memset(&o, 0, sizeof(o));
		o.to = *a;
		o.lang = c->language;
		o.tmpl = "imap.stuck";
		o.vars = vars;
		o.kind = "notice";
		if (compose_mail(e, &o, now, &id) == -1)
			goto out;
		/* its Message-IDs: status_imap_up withdraws what waits */
		more = ids != NULL ? xasprintf("%s %s", ids, id) : xstrdup(id);
		free(ids);
		free(id);
		ids = more;
		id = NULL;
	}
	kinds = told != NULL && *told != '\0' ? xasprintf("%s,%s", told,
	    kind) : xstrdup(kind);
	if (store_state_set(st, "imap_notice", kinds, now) == -1 ||
	    (ids != NULL && store_state_set(st, "imap_mail", ids, now) == -1) ||
	    store_commit(st) == -1)
		goto out;
	rc = 0;
 out:
	if (rc == -1)
		store_rollback(st);
	free(kinds);
	free(ids);
	free(id);
	return rc;
}

void
status_round(const struct env *e, struct imap *im,
    const struct outbox_stats *os)
{
	struct store		*st = e->st;
	const struct conf	*c = e->conf;
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
	status_stuck(e, im, os);
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
status_stuck(const struct env *e, struct imap *im,
    const struct outbox_stats *os)
{
	struct store		*st = e->st;
	const struct conf	*c = e->conf;
	const struct tmpls	*t = e->tmpls;
	char		*told = NULL, line[1024];
	const char	*problem;
	int64_t		 rows = 0, copies = 0;
	time_t		 oldest = 0, at, now = time(NULL);
	bool		 flowing;
	int		 r;

	if (c->stuck_after == 0 || (r = store_state_get(st, "notice", &told,
	    &at)) == -1)
		goto out;
	/*
	 * Mail moving again, or a round that failed nothing with nothing
	 * told: no count of the queue (a scan of the outbox and of a post's
	 * copies) on every round.
	 */
	flowing = os->why == SMTP_WHY_NONE && os->sent > 0;
	if (os->why == SMTP_WHY_NONE && !flowing && r == 0 &&
	    status_last.untold[0] == '\0')
		goto out;
	if (!flowing && store_queue_depth(st, &rows, &copies, &oldest) == -1)
		goto out;
	if (flowing || rows + copies == 0) {
		status_last.untold[0] = '\0';
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
	/*
	 * No APPEND (IMAP is down too, the mailbox is full): the notice is
	 * not recorded as told, and the APPEND is tried again each round
	 * until it works. It is not queued as mail instead: the outbox is
	 * stuck because SMTP fails, so such a mail would leave only once
	 * the problem is over, telling of a past problem as if it were
	 * present. The failure is logged once per problem, not per round.
	 */
	if (status_notice(c, t, im, rows + copies, oldest, line) == -1) {
		if (strcmp(status_last.untold, problem) != 0)
			log_warnx("outbox: stuck since %lld s and the "
			    "secretariat could not be told (trying again each "
			    "round): %s", (long long)(now - oldest), line);
		snprintf(status_last.untold, sizeof(status_last.untold), "%s",
		    problem);
		goto out;
	}
	status_last.untold[0] = '\0';
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
	extra[1] = MIME_SUPPRESS;
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
	free(v);
	v = NULL;
	if (store_state_get(st, "imap_down", &v, &at) == 1) {
		status_ago(at, now, buf, sizeof(buf));
		printf("imap: failing since %s (%s)\n", buf, v ? v : "-");
		rc = 1;
	}
	free(v);
	v = NULL;
	if (store_state_get(st, "imap_notice", &v, &at) == 1) {
		status_ago(at, now, buf, sizeof(buf));
		printf("secretariat: told by mail that IMAP fails (%s) %s\n",
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
