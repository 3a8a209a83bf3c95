/*
 * main.c: ffnet's only loop. Loads the config, opens the store, then on
 * each IDLE wake-up or poll: fetch, recognise, dispatch, commit, move,
 * and drain the outbox. Owns the process lifetime (struct daemon) and
 * each message's (struct msg); handlers keep no pointer into either.
 *
 * Exactly once: a message's state change, its queued replies, its
 * "handled" row and the new last UID commit in one transaction; only
 * then is it moved, and only then are replies sent (outbox.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <gnutls/crypto.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "auth.h"
#include "backup.h"
#include "cli.h"
#include "conf.h"
#include "dispatch.h"
#include "env.h"
#include "imap.h"
#include "log.h"
#include "members.h"
#include "mime.h"
#include "oauth2.h"
#include "outbox.h"
#include "privacy.h"
#include "probe.h"
#include "recog.h"
#include "remind.h"
#include "selftest.h"
#include "status.h"
#include "store.h"
#include "summary.h"
#include "tmpl.h"
#include "util.h"

#define MAX_TEMPFAILS	3	/* then the message is parked for a person */
#define MAX_BACKOFF	300	/* seconds between reconnects, at most */
#define ROUND_SLICE_MS	50	/* handling before the outbox runs, */
#define ROUND_SLICE_MAX	1000	/* doubling up to this in a long backlog */
#define REMIND_EVERY	60	/* seconds between looks at reminders */
#define PRIVACY_EVERY	3600	/* seconds between retention prunes */
#define MOVES_MAX	64	/* handled messages moved in one command */
#define STORE_WAIT_MIN	5	/* seconds to the next try on a full disk, */
#define STORE_WAIT_MAX	60	/* doubling up to this */

/* A handled message, committed, to be moved with the others. */
struct move {
	uint32_t		 uid;
	char			*key;
	char			*folder;
};

struct daemon {
	struct conf		 conf;
	const char		*conf_path;
	struct store		*st;
	struct tmpls		*tmpls;
	unsigned char		 secret[AUTH_SECRET_LEN];
	struct env		 env;		/* daemon_env() */
	struct mime_limits	 lim;
	struct imap		*imap;
	uint32_t		 uidvalidity;
	uint32_t		 fail_uid;	/* the message that failed last */
	int			 fail_count;
	int			 wake[2];	/* self-pipe for signals */
	bool			 send_more;	/* the outbox stopped for time */
	bool			 read_more;	/* mail may wait: read again */
	long			 slice_ms;	/* of the next round */
	time_t			 remind_at;	/* reminders last looked at */
	time_t			 privacy_at;	/* retention last pruned */
	struct move		 moves[MOVES_MAX];
	size_t			 nmoves;
	time_t			 send_wake;	/* the limits allow more then */
	int			 store_wait;	/* the store's disk is full */
};

#define DAEMON_TMPLS_MAX	512

static volatile sig_atomic_t	 got_term, got_hup;
static int			 wake_fd = -1;


void		 outbox_crash_point(const char *);
static void	 daemon_test_pause(const char *);
static void	 usage(int) __attribute__((noreturn));
static void	 die(const char *, ...)
		    __attribute__((format(printf, 1, 2), noreturn));
static void	 on_signal(int);
static void	 daemon_open(struct daemon *, const char *, int);
static int	 daemon_templates(const char *, struct tmpls **, char *,
		    size_t);
static const struct env *daemon_env(struct daemon *);
static void	 daemon_reload(struct daemon *);
static int	 daemon_connect(struct daemon *, char *, size_t);
static void	 daemon_imap_down(struct daemon *, const char *, bool);
static int	 daemon_round(struct daemon *, bool);
static int	 daemon_moves(struct daemon *);
static int	 daemon_one(struct daemon *, const struct imap_entry *);
static enum disp daemon_tempfail(struct daemon *, uint32_t, char *, size_t);
static enum disp daemon_handle(struct daemon *, const struct msg *, bool,
		    const char **, char *, size_t);
static char	*daemon_key_dup(const struct msg *, const char *, size_t);
static void	 daemon_file(struct daemon *, const char *, uint32_t,
		    const char *);
static void	 daemon_file_flush(struct daemon *);
static void	 daemon_file_forget(struct daemon *);
static long	 daemon_ms(void);
static int	 daemon_run(struct daemon *);
static void	 daemon_sleep(struct daemon *, int);
static int	 daemon_check(struct daemon *, const char *, int, bool,
		    bool);
static void	 daemon_signals(void);
static void	 daemon_wait(struct daemon *);

static void
usage(int rc)
{
	fprintf(rc == 0 ? stdout : stderr,
	    "usage: ffnet [-dhv] [-c file] run | once | status | "
	    "check [--connect [--send-test]]\n"
	    "       ffnet [-dv] [-c file] meeting add|change|cancel|list ...\n"
	    "       ffnet [-dv] [-c file] registrations CODE [--csv]\n"
	    "       ffnet [-dv] [-c file] archive [N] | stats\n"
	    "       ffnet [-dv] [-c file] ideas [--csv] | ideas close N\n"
	    "       ffnet [-dv] [-c file] backup [--force] dest\n"
	    "       ffnet [-dv] [-c file] members [--csv] [--status S]\n"
	    "       ffnet [-dv] [-c file] member show|add|set|pause|resume|"
	    "remove|import ...\n"
	    "       ffnet [-dv] [-c file] summary [--now \"YYYY-MM-DD HH:MM\"] "
	    "[--print]\n"
	    "       ffnet [-dv] [-c file] privacy [--now \"YYYY-MM-DD HH:MM\"] "
	    "[--prune]\n");
	exit(rc);
}

/* A one-line reason on stderr (and in the log), then exit 1. */
static void
die(const char *fmt, ...)
{
	char	 buf[1024];
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (!log_is_stderr())
		fprintf(stderr, "ffnet: %s\n", buf);
	fatalx("%s", buf);
}

static void
on_signal(int sig)
{
	int	 saved = errno;
	char	 c = 0;

	if (sig == SIGHUP)
		got_hup = 1;
	else
		got_term = 1;
	if (wake_fd != -1)
		(void)!write(wake_fd, &c, 1);
	errno = saved;
}

static int
daemon_templates(const char *dir, struct tmpls **out, char *err,
    size_t errlen)
{
	const char	*names[DAEMON_TMPLS_MAX];
	size_t		 i, n;

	if (tmpl_load(dir, out, err, errlen) == -1)
		return -1;
	/* every template a descriptor or a service names */
	n = handler_tmpls_all(names, nitems(names));
	for (i = 0; i < n; i++) {
		if (!tmpl_has(*out, "da", names[i]) ||
		    !tmpl_has(*out, "en", names[i])) {
			snprintf(err, errlen, "%s: template %s is missing in "
			    "da/ or en/", dir, names[i]);
			tmpl_free(*out);
			*out = NULL;
			return -1;
		}
	}
	return 0;
}

static void
daemon_open(struct daemon *d, const char *path, int debug)
{
	char	 err[1024];

	(void)debug;
	if (conf_load(path, &d->conf, err, sizeof(err)) == -1)
		die("%s", err);
	if (auth_secret_load(d->conf.secret_path, d->secret, err,
	    sizeof(err)) == -1)
		die("secret: %s", err);
	if (store_open(d->conf.store_path, &d->st, err, sizeof(err)) == -1)
		die("store: %s", err);
	if (daemon_templates(d->conf.templates_dir, &d->tmpls, err,
	    sizeof(err)) == -1)
		die("templates: %s", err);
	mime_limits_default(&d->lim);
	d->lim.max_message = (size_t)d->conf.max_message_kb * 1024;
}

/* SIGHUP: a new config and new templates, or the old ones if broken. */
static void
daemon_reload(struct daemon *d)
{
	struct conf	 c;
	struct tmpls	*t = NULL;
	char		 err[1024];

	got_hup = 0;
	if (conf_load(d->conf_path, &c, err, sizeof(err)) == -1) {
		log_warnx("reload: %s; keeping the running config", err);
		return;
	}
	if (daemon_templates(c.templates_dir, &t, err, sizeof(err)) == -1) {
		log_warnx("reload: templates: %s; keeping the running config",
		    err);
		conf_clear(&c);
		return;
	}
	if (strcmp(c.store_path, d->conf.store_path) != 0)
		log_warnx("reload: [store] path changes only on restart");
	free(c.store_path);
	c.store_path = xstrdup(d->conf.store_path);
	outbox_close();		/* its pool uses the old token source */
	conf_clear(&d->conf);
	d->conf = c;
	tmpl_free(d->tmpls);
	d->tmpls = t;
	d->lim.max_message = (size_t)d->conf.max_message_kb * 1024;
	imap_close(d->imap);	/* reconnect with the new settings */
	d->imap = NULL;
	log_info("reloaded %s and templates", d->conf_path);
}

static int
daemon_connect(struct daemon *d, char *err, size_t errlen)
{
	struct imap_params	 p;
	const struct conf	*c = &d->conf;

	probe_imap_params(c, &p);
	if ((d->imap = imap_connect(&p, err, errlen)) == NULL)
		return -1;
	if (imap_ensure_folder(d->imap, c->done_folder) == -1 ||
	    imap_ensure_folder(d->imap, c->hold_folder) == -1) {
		snprintf(err, errlen, "imap: cannot create folders %s and "
		    "%s: %s", c->done_folder, c->hold_folder,
		    imap_last_error(d->imap));
		goto fail;
	}
	if (imap_select(d->imap, c->mailbox, &d->uidvalidity) == -1) {
		snprintf(err, errlen, "imap: cannot select %s: %s",
		    c->mailbox, imap_last_error(d->imap));
		goto fail;
	}
	log_info("connected to %s:%u as %s, %s", c->imap_host, p.port,
	    c->imap_user, c->mailbox);
	status_imap_up(d->st, c);
	return 0;
 fail:
	imap_close(d->imap);
	d->imap = NULL;
	return -1;
}

/*
 * IMAP is down: status.c records it and, once it has lasted, queues the
 * secretariat's notice; the outbox is drained here, as no round does it
 * while IMAP is down. What SMTP does not take waits there.
 */
static void
daemon_imap_down(struct daemon *d, const char *err, bool force)
{
	struct outbox_stats	 os;

	status_imap_down(daemon_env(d), err);
	if (outbox_drain(d->st, &d->conf, force, &os) == -1)
		log_warnx("outbox: store error");
	status_round(daemon_env(d), NULL, &os);
	outbox_close();		/* no session held open while waiting */
}

/* Moves that were committed but not done (a crash, a lost connection). */
static int
daemon_moves(struct daemon *d)
{
	struct inbox_row	*rows = NULL;
	size_t			 n = 0, i;
	int			 rc = -1, r;

	if (store_inbox_unmoved(d->st, d->uidvalidity, &rows, &n) == -1)
		goto out;
	for (i = 0; i < n; i++) {
		if (imap_move(d->imap, rows[i].uid, rows[i].folder) == 0 ||
		    (r = imap_exists(d->imap, rows[i].uid)) == 0) {
			if (store_inbox_moved(d->st, rows[i].msgkey) == -1)
				goto out;
			log_info("uid=%u: moved to %s (after a restart)",
			    rows[i].uid, rows[i].folder);
		} else if (r == -1)
			goto out;
	}
	rc = 0;
 out:
	inbox_rows_free(rows, n);
	return rc;
}

/*
 * A test aid: FFNET_PAUSE=<point>:<ms> sleeps there once, so that a
 * test can deliver mail while a round is under way.
 */
static void
daemon_test_pause(const char *point)
{
	static bool	 done;
	const char	*want = getenv("FFNET_PAUSE"), *colon;
	struct timespec	 ts;
	long		 ms;

	if (done || want == NULL || (colon = strchr(want, ':')) == NULL ||
	    strncmp(want, point, (size_t)(colon - want)) != 0 ||
	    point[colon - want] != '\0')
		return;
	done = true;
	ms = strtol(colon + 1, NULL, 10);
	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000;
	log_warnx("FFNET_PAUSE=%s: pausing %ld ms", want, ms);
	nanosleep(&ts, NULL);
}

/* The second key: Message-ID, or a digest of the message when it has none. */
static char *
daemon_key_dup(const struct msg *m, const char *raw, size_t len)
{
	unsigned char	 dig[32];
	char		 hex[65];
	size_t		 i;

	if (m != NULL && m->message_id != NULL && *m->message_id != '\0')
		return xstrdup(m->message_id);
	if (gnutls_hash_fast(GNUTLS_DIG_SHA256, raw, len, dig) < 0)
		fatalx("gnutls_hash_fast");
	for (i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", dig[i]);
	return xasprintf("sha256:%s", hex);
}

/*
 * A committed message waits to be moved with the others of its round:
 * one UID MOVE for many, where one each was a round trip (and a lock
 * on the mailbox) per message. The store knows it is not moved yet, so
 * a crash or a lost connection before the move only delays it
 * (daemon_moves).
 */
static void
daemon_file(struct daemon *d, const char *key, uint32_t uid,
    const char *folder)
{
	struct move	*mv;

	outbox_crash_point("after_commit");
	if (d->nmoves == MOVES_MAX)
		daemon_file_flush(d);
	mv = &d->moves[d->nmoves++];
	mv->uid = uid;
	mv->key = xstrdup(key);
	mv->folder = xstrdup(folder);
}

/* Moves what daemon_file() gathered, one command per folder. */
static void
daemon_file_flush(struct daemon *d)
{
	uint32_t	 uids[MOVES_MAX];
	const char	*folder;
	size_t		 i, j, n;
	bool		 done[MOVES_MAX] = { false };

	for (i = 0; i < d->nmoves; i++) {
		if (done[i])
			continue;
		folder = d->moves[i].folder;
		for (j = i, n = 0; j < d->nmoves; j++)
			if (!done[j] && strcmp(d->moves[j].folder, folder) == 0)
				uids[n++] = d->moves[j].uid;
		if (imap_move_uids(d->imap, uids, n, folder) == -1) {
			log_warnx("cannot move %zu message%s to %s: %s; trying "
			    "again later", n, n == 1 ? "" : "s", folder,
			    imap_last_error(d->imap));
			break;
		}
		/* a lost mark only means a second MOVE that finds nothing */
		if (store_begin(d->st) == -1)
			break;
		for (j = i; j < d->nmoves; j++) {
			if (done[j] || strcmp(d->moves[j].folder, folder) != 0)
				continue;
			done[j] = true;
			if (store_inbox_moved(d->st, d->moves[j].key) == -1)
				log_warnx("uid=%u: moved, but the store did not "
				    "record it", d->moves[j].uid);
		}
		if (store_commit(d->st) == -1) {
			store_rollback(d->st);
			break;
		}
	}
	daemon_file_forget(d);
}

static void
daemon_file_forget(struct daemon *d)
{
	size_t	 i;

	for (i = 0; i < d->nmoves; i++) {
		free(d->moves[i].key);
		free(d->moves[i].folder);
	}
	d->nmoves = 0;
}

/* Milliseconds on the monotonic clock. */
static long
daemon_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* The services' view of the daemon, as it is now (a reload swaps tmpls). */
static const struct env *
daemon_env(struct daemon *d)
{
	d->env.conf = &d->conf;
	d->env.tmpls = d->tmpls;
	d->env.st = d->st;
	d->env.secret = d->secret;
	return &d->env;
}

/* Runs recognition and the handler; the caller owns the transaction. */
static enum disp
daemon_handle(struct daemon *d, const struct msg *m, bool cut,
    const char **kind, char *why, size_t whylen)
{
	struct recog	 r;
	struct member	 mem;
	struct ctx	 c;
	int		 is_member = 0;
	enum disp	 disp;

	recog_classify(m, d->conf.address, (size_t)d->conf.max_arg_len, &r);
	memset(&c, 0, sizeof(c));
	memset(&mem, 0, sizeof(mem));
	c.env = daemon_env(d);
	c.m = m;
	c.sender = m->from_addr;
	c.sender_name = m->from_name;
	c.now = time(NULL);
	if (m->from_addr != NULL &&
	    (is_member = store_member_get(d->st, m->from_addr, &mem)) == -1) {
		disp = D_TEMPFAIL;
		goto out;
	}
	c.member = is_member ? &mem : NULL;
	if (cut && (r.kind == R_COMMAND || r.kind == R_NEAR ||
	    r.code[0] != '\0')) {
		/* a command in a message too large to read: a person looks */
		*kind = "toolarge";
		c.lang = r.cmd ? r.cmd->lang : d->conf.language;
		disp = h_toolarge.run(&c);
	} else
		disp = dispatch_msg(&c, &r, kind);
	snprintf(why, whylen, "%s", c.why[0] ? c.why : r.why ? r.why : "");
 out:
	member_clear(&mem);
	recog_clear(&r);
	return disp;
}

/*
 * A temporary failure rolls back and is tried again next round; the
 * third in a row for one message parks it, in a new transaction.
 */
static enum disp
daemon_tempfail(struct daemon *d, uint32_t uid, char *why, size_t whylen)
{
	store_rollback(d->st);
	if (store_is_full(d->st))	/* the disk's fault, not the message's */
		return D_TEMPFAIL;
	if (d->fail_uid == uid && ++d->fail_count >= MAX_TEMPFAILS) {
		snprintf(why, whylen, "failed %d times", MAX_TEMPFAILS);
		return store_begin(d->st) == 0 ? D_PARK : D_TEMPFAIL;
	}
	if (d->fail_uid != uid)
		d->fail_count = 1;
	d->fail_uid = uid;
	log_warnx("uid=%u: temporary failure; trying again later", uid);
	return D_TEMPFAIL;
}

/*
 * One message: fetch with BODY.PEEK, parse, handle, then commit the
 * outcome and the new last UID together, then move it.
 * 0 next message; 1 stop this round (retry later); -1 IMAP failed.
 */
static int
daemon_one(struct daemon *d, const struct imap_entry *e)
{
	static const char *const dname[] = { "done", "reject", "tempfail",
	    "park", "skip" };
	struct msg		 m;
	struct inbox_row	 seen;
	char			*raw = NULL, *key = NULL, why[256];
	const char		*kind = "none", *folder = NULL;
	size_t			 len = 0;
	bool			 cut = false, parsed;
	enum disp		 disp;
	int			 rc = 1, s;

	memset(&m, 0, sizeof(m));
	memset(&seen, 0, sizeof(seen));
	why[0] = '\0';
	if ((s = imap_fetch_entry(d->imap, e, d->lim.max_message, &raw, &len,
	    &cut)) != 0) {
		rc = s == 1 ? 0 : -1;	/* gone: a person took it first */
		goto out;
	}
	daemon_test_pause("after_fetch");
	parsed = mime_parse(raw, len, &d->lim, &m) == 0;
	m.size = e->size;
	key = daemon_key_dup(parsed ? &m : NULL, raw, len);
	if ((s = store_inbox_seen(d->st, key, &seen)) == -1)
		goto out;
	if (s == 1) {	/* handled before (a new UIDVALIDITY, a restart) */
		log_info("uid=%u: seen before as %s", e->uid, key);
		if (store_mailbox_set(d->st, d->conf.mailbox, d->uidvalidity,
		    e->uid) == -1)
			goto out;
		if (seen.folder != NULL)
			daemon_file(d, key, e->uid, seen.folder);
		rc = 0;
		goto out;
	}
	if (store_begin(d->st) == -1)
		goto out;
	if (!parsed) {
		disp = D_SKIP;
		snprintf(why, sizeof(why), "not a mail message");
	} else
		disp = daemon_handle(d, &m, cut, &kind, why, sizeof(why));
	if (disp == D_TEMPFAIL && (disp = daemon_tempfail(d, e->uid, why,
	    sizeof(why))) == D_TEMPFAIL)
		goto out;
	if (disp == D_DONE || disp == D_REJECT)
		folder = d->conf.done_folder;
	else if (disp == D_PARK)
		folder = d->conf.hold_folder;
	if (store_inbox_add(d->st, key, d->uidvalidity, e->uid, m.from_addr,
	    m.subject, kind, dname[disp], folder, why, time(NULL)) == -1 ||
	    store_mailbox_set(d->st, d->conf.mailbox, d->uidvalidity,
	    e->uid) == -1 || store_commit(d->st) == -1) {
		store_rollback(d->st);
		goto out;
	}
	if (disp == D_PARK)
		log_info("uid=%u: parked in %s: %s", e->uid, folder, why);
	else
		log_info("uid=%u from=%s: %s %s%s%s", e->uid,
		    m.from_addr ? m.from_addr : "-", kind, dname[disp],
		    why[0] ? ": " : "", why);
	if (folder != NULL)
		daemon_file(d, key, e->uid, folder);
	rc = 0;
 out:
	msg_clear(&m);
	free(raw);
	free(key);
	free(seen.msgkey);
	free(seen.folder);
	return rc;
}

/*
 * One pass: moves left over, new messages, then the outbox. In run mode
 * (force false) handling stops after a slice so that the answers of a
 * burst go out while the rest is read; d->read_more then says that
 * mail may still wait. It says so, too, after any pass that handled
 * mail: what arrived meanwhile was announced (EXISTS) during the pass,
 * and IDLE would not announce it again.
 */
static int
daemon_round(struct daemon *d, bool force)
{
	struct imap_entry	*v = NULL;
	struct outbox_stats	 os;
	uint32_t		 uv, last;
	long			 start = daemon_ms();
	size_t			 n = 0, i;
	int			 rc = -1, r = 0;

	d->read_more = false;
	/*
	 * The store's disk is full: nothing could be recorded, so nothing
	 * is read or sent until a small write works (store.c said so).
	 */
	if (store_probe(d->st) == -1) {
		d->send_more = false;
		rc = 0;
		goto out;
	}
	if (store_mailbox_get(d->st, d->conf.mailbox, &uv, &last) == -1)
		goto out;
	if (uv != d->uidvalidity) {
		if (uv != 0)
			log_warnx("%s: UIDVALIDITY changed (%u to %u): reading "
			    "it again; Message-IDs keep anything from being "
			    "handled twice", d->conf.mailbox, uv,
			    d->uidvalidity);
		last = 0;
		if (store_mailbox_set(d->st, d->conf.mailbox, d->uidvalidity,
		    0) == -1)
			goto out;
	}
	if (daemon_moves(d) == -1 ||
	    imap_list_new(d->imap, last, &v, &n) == -1)
		goto out;
	/*
	 * The first answers of a burst go out after ROUND_SLICE_MS; in a
	 * long backlog each cut round doubles the next one's slice, so the
	 * listing, the moves and the outbox are not paid for every few
	 * messages.
	 */
	if (d->slice_ms < ROUND_SLICE_MS)
		d->slice_ms = ROUND_SLICE_MS;
	for (i = 0; i < n && !got_term && r == 0; i++) {
		if ((r = daemon_one(d, &v[i])) == -1)
			goto out;
		if (!force && daemon_ms() - start >= d->slice_ms)
			break;
	}
	d->slice_ms = i + 1 < n ? (d->slice_ms * 2 > ROUND_SLICE_MAX ?
	    ROUND_SLICE_MAX : d->slice_ms * 2) : ROUND_SLICE_MS;
	daemon_file_flush(d);
	/* a temporary failure (r 1) waits for the next wake-up */
	d->read_more = n > 0 && r == 0;
	/* a mail the server takes must be marked sent: not on a full disk */
	if (store_is_full(d->st)) {
		d->send_more = false;
		rc = 0;
		goto out;
	}
	/*
	 * Reminders and the secretariat's summary fall due by the day: the
	 * daemon, whose rounds come many a second in a burst, looks at most
	 * once a minute. Each its own transaction; a failure is tried again
	 * next round.
	 */
	if (force || time(NULL) - d->remind_at >= REMIND_EVERY) {
		if (remind_run(daemon_env(d), time(NULL)) == -1 ||
		    summary_run(daemon_env(d), time(NULL)) == -1)
			log_warnx("reminders or summary: not queued this "
			    "round; trying again next round");
		else
			d->remind_at = time(NULL);
	}
	/* retention: what is due goes within the hour ([privacy]) */
	if ((force || time(NULL) - d->privacy_at >= PRIVACY_EVERY) &&
	    privacy_run(daemon_env(d), time(NULL)) == 0)
		d->privacy_at = time(NULL);
	outbox_crash_point("before_send");
	if (outbox_drain(d->st, &d->conf, force, &os) == -1)
		log_warnx("outbox: store error");
	status_round(daemon_env(d), d->imap, &os);
	d->send_more = os.more;
	d->send_wake = os.wake;
	rc = 0;
 out:
	daemon_file_forget(d);	/* IMAP failed: daemon_moves() does them */
	free(v);
	return rc;
}

/* Sleeps, letting signals in; the self-pipe ends it early. */
static void
daemon_sleep(struct daemon *d, int secs)
{
	struct pollfd	 pfd;
	struct timespec	 ts;
	sigset_t	 none;

	sigemptyset(&none);
	pfd.fd = d->wake[0];
	pfd.events = POLLIN;
	ts.tv_sec = secs;
	ts.tv_nsec = 0;
	ppoll(&pfd, 1, &ts, &none);
}

/* Waits for new mail (IDLE or a poll), a signal, or an outbox retry. */
static void
daemon_wait(struct daemon *d)
{
	time_t		 next = 0, copy = 0, now = time(NULL);
	enum imap_wake	 w;
	int		 secs;
	char		 buf[64];

	outbox_close();		/* no session held open while idle */
	secs = d->conf.idle ? d->conf.idle_seconds : d->conf.poll_seconds;
	if (!imap_has_idle(d->imap) && secs > d->conf.poll_seconds)
		secs = d->conf.poll_seconds;
	/* the earliest retry; due list copies wait for the limits, too */
	if (store_rcpt_next(d->st, &copy) == 0 && copy != 0 &&
	    d->send_wake > copy)
		copy = d->send_wake;
	if (store_outbox_next(d->st, &next) == 0 && copy != 0 &&
	    (next == 0 || copy < next))
		next = copy;
	if (next != 0 && next - now < secs)
		secs = next > now ? (int)(next - now) : 1;
	if (d->store_wait > 0 && d->store_wait < secs)
		secs = d->store_wait;
	if (d->conf.idle && imap_has_idle(d->imap)) {
		if ((w = imap_idle(d->imap, secs, d->wake[0])) ==
		    IMAP_WAKE_ERROR) {
			log_warnx("imap: connection lost: %s",
			    imap_last_error(d->imap));
			imap_close(d->imap);
			d->imap = NULL;
		} else if (w == IMAP_WAKE_DATA)
			log_debug("imap: IDLE: the server has news");
	} else {
		daemon_sleep(d, secs);
		if (!got_term && imap_noop(d->imap) == -1) {
			log_warnx("imap: connection lost");
			imap_close(d->imap);
			d->imap = NULL;
		}
	}
	while (read(d->wake[0], buf, sizeof(buf)) > 0)
		;
}

static int
daemon_run(struct daemon *d)
{
	char		 err[1024];
	int		 backoff = 1, wait;

	log_info("started; mailbox %s on %s", d->conf.mailbox,
	    d->conf.imap_host);
	while (!got_term) {
		if (got_hup)
			daemon_reload(d);
		if (d->imap == NULL && daemon_connect(d, err,
		    sizeof(err)) == -1) {
			daemon_imap_down(d, err, false);
			/* Exchange's throttling and the token endpoint's
			 * Retry-After say how long; never sooner */
			wait = imap_backoff_hint(err);
			if (wait < oauth2_wait(d->conf.oauth2))
				wait = oauth2_wait(d->conf.oauth2);
			if (wait < backoff)
				wait = backoff;
			log_warnx("imap: trying again in %d s", wait);
			daemon_sleep(d, wait);
			backoff = backoff * 2 > MAX_BACKOFF ? MAX_BACKOFF :
			    backoff * 2;
			continue;
		}
		backoff = 1;
		if (daemon_round(d, false) == -1) {
			log_warnx("imap: %s; reconnecting",
			    imap_last_error(d->imap));
			wait = imap_backoff_hint(imap_last_error(d->imap));
			imap_close(d->imap);
			d->imap = NULL;
			if (wait > 0) {
				log_warnx("imap: throttled; waiting %d s", wait);
				daemon_sleep(d, wait);
			}
			continue;
		}
		/*
		 * A full disk is a person's to fix; the mail waits in the
		 * mailbox meanwhile. The daemon keeps running and tries
		 * again, at once on new mail, else after 5 s, 10 s, ... up
		 * to a minute: exiting would only have it restarted into
		 * the same disk.
		 */
		if (!store_is_full(d->st))
			d->store_wait = 0;
		else if (d->store_wait == 0)
			d->store_wait = STORE_WAIT_MIN;
		else if ((d->store_wait *= 2) > STORE_WAIT_MAX)
			d->store_wait = STORE_WAIT_MAX;
		if (!got_term && !got_hup && !d->send_more && !d->read_more)
			daemon_wait(d);
	}
	log_info("stopping");
	return 0;
}

/*
 * ffnet check: the config and the templates, with line numbers; with
 * --connect also the servers, as the daemon will use them (probe.c).
 */
static int
daemon_check(struct daemon *d, const char *path, int verbose, bool connect,
    bool send_test)
{
	char	 err[1024];
	int	 rc = 1;

	log_init(1, verbose, "ffnet");
	if (conf_load(path, &d->conf, err, sizeof(err)) == -1) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	if (daemon_templates(d->conf.templates_dir, &d->tmpls, err,
	    sizeof(err)) == -1)
		fprintf(stderr, "%s: templates: %s\n", path, err);
	else {
		printf("%s: configuration ok\n", path);
		rc = connect ? probe_run(&d->conf) : 0;
		/* only once the servers answer: selftest.c */
		if (rc == 0 && send_test)
			rc = selftest_run(&d->conf, d->tmpls);
	}
	tmpl_free(d->tmpls);
	conf_clear(&d->conf);
	return rc;
}

static void
daemon_signals(void)
{
	struct sigaction sa;
	sigset_t	 block;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);	/* libetpan and GnuTLS write unguarded */
	/*
	 * libetpan takes a read or write cut by a signal for a broken
	 * connection: signals stay blocked, and are let in only while ffnet
	 * waits (imap_idle and daemon_sleep unblock them with ppoll).
	 */
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGHUP);
	sigprocmask(SIG_BLOCK, &block, NULL);
}

int
main(int argc, char *argv[])
{
	struct daemon	 d;
	const char	*path = "/etc/ffnet.conf", *cmd;
	char		 err[1024];
	int		 ch, debug = 0, verbose = 0, rc = 0;

	/* "+": options end at the command, whose own options follow it */
	if (argc == 2 && strcmp(argv[1], "--help") == 0)
		usage(0);
	while ((ch = getopt(argc, argv, "+c:dhv")) != -1) {
		switch (ch) {
		case 'c':
			path = optarg;
			break;
		case 'd':
			debug = 1;
			break;
		case 'h':
			usage(0);
		case 'v':
			verbose = 1;
			break;
		default:
			usage(2);
		}
	}
	if (optind >= argc)
		usage(2);
	cmd = argv[optind];
	if (strcmp(cmd, "meeting") == 0 || strcmp(cmd, "registrations") == 0 ||
	    strcmp(cmd, "ideas") == 0 || strcmp(cmd, "archive") == 0 ||
	    strcmp(cmd, "stats") == 0 || strcmp(cmd, "members") == 0 ||
	    strcmp(cmd, "member") == 0 || strcmp(cmd, "summary") == 0 ||
	    strcmp(cmd, "privacy") == 0) {
		log_init(debug, verbose, "ffnet");
		log_stderr_too(1);
		daemon_open(&d, path, debug);
		if (strcmp(cmd, "members") == 0 || strcmp(cmd, "member") == 0)
			rc = members_main(daemon_env(&d), argc - optind,
			    argv + optind);
		else if (strcmp(cmd, "summary") == 0)
			rc = summary_main(daemon_env(&d), argc - optind,
			    argv + optind);
		else if (strcmp(cmd, "privacy") == 0)
			rc = privacy_main(daemon_env(&d), argc - optind,
			    argv + optind);
		else
			rc = cli_main(daemon_env(&d), argc - optind,
			    argv + optind);
		tmpl_free(d.tmpls);
		store_close(d.st);
		conf_clear(&d.conf);
		return rc;
	}
	if (strcmp(cmd, "backup") == 0) {
		log_init(debug, verbose, "ffnet");
		log_stderr_too(1);
		return backup_main(path, argc - optind, argv + optind);
	}
	memset(&d, 0, sizeof(d));
	d.conf_path = path;
	if (strcmp(cmd, "check") == 0 && optind + 2 <= argc &&
	    optind + 3 >= argc && strcmp(argv[optind + 1], "--connect") == 0) {
		if (optind + 3 == argc && strcmp(argv[optind + 2],
		    "--send-test") != 0)
			usage(2);
		return daemon_check(&d, path, verbose, true, optind + 3 == argc);
	}
	if (optind + 1 != argc)
		usage(2);
	if (strcmp(cmd, "check") == 0)
		return daemon_check(&d, path, verbose, false, false);
	if (strcmp(cmd, "run") != 0 && strcmp(cmd, "once") != 0 &&
	    strcmp(cmd, "status") != 0)
		usage(2);
	log_init(debug, verbose, "ffnet");
	if (strcmp(cmd, "run") != 0)
		log_stderr_too(1);
	daemon_open(&d, path, debug);
	if (strcmp(cmd, "status") == 0) {
		rc = status_print(d.st, &d.conf);
		tmpl_free(d.tmpls);
		store_close(d.st);
		conf_clear(&d.conf);
		return rc;
	}
	if (strcmp(cmd, "run") == 0)
		status_start(d.st, &d.conf);
	if (pipe2(d.wake, O_NONBLOCK | O_CLOEXEC) == -1)
		fatal("pipe2");
	wake_fd = d.wake[1];
	daemon_signals();
	if (strcmp(cmd, "once") == 0) {
		if (daemon_connect(&d, err, sizeof(err)) == -1) {
			daemon_imap_down(&d, err, true);
			rc = 1;
		} else if (daemon_round(&d, true) == -1) {
			snprintf(err, sizeof(err), "imap: %s",
			    imap_last_error(d.imap));
			status_imap_error(d.st, &d.conf, err);
			rc = 1;
		} else if (store_is_full(d.st))
			rc = 1;		/* store.c said why */
		else
			rc = status_once_rc();
	} else
		rc = daemon_run(&d);
	outbox_close();
	imap_close(d.imap);
	tmpl_free(d.tmpls);
	store_close(d.st);
	conf_clear(&d.conf);
	explicit_bzero(d.secret, sizeof(d.secret));
	close(d.wake[0]);
	close(d.wake[1]);
	return rc;
}
