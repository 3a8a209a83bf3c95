/*
 * store.c: the SQLite store. main.c opens it once per process; handlers
 * reach it only through these functions, inside the transaction that
 * main.c opens for each message. store.c opens the database, migrates
 * it and caches its prepared statements; the other store*.c files keep
 * the SQL of one area each (store_meeting.c, store_list.c,
 * store_idea.c, store_members.c, store_status.c, store_summary.c).
 *
 * sqlite3 memory rules: sqlite3_column_text() is valid only until the
 * next step/reset of that statement, so every string is copied out.
 */
#include <sys/statvfs.h>

#include <errno.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "store.h"
#include "store_int.h"
#include "util.h"

enum q {
	Q_MAILBOX_GET, Q_MAILBOX_SET, Q_INBOX_SEEN, Q_INBOX_ADD,
	Q_INBOX_UNMOVED, Q_INBOX_MOVED, Q_INBOX_COUNT, Q_MEMBER_GET,
	Q_MEMBER_ADD, Q_MEMBER_DEL, Q_MEMBER_COUNT, Q_PENDING_ADD,
	Q_PENDING_CODE, Q_PENDING_BY_CODE, Q_PENDING_BY_MAIL,
	Q_PENDING_USE, Q_PENDING_CANCEL, Q_OUTBOX_ADD, Q_OUTBOX_DUE,
	Q_OUTBOX_DUE_ALL, Q_OUTBOX_LOAD, Q_OUTBOX_SENT, Q_OUTBOX_RETRY,
	Q_OUTBOX_FAILED, Q_OUTBOX_COUNT_TO, Q_OUTBOX_HAS_MSGID,
	Q_OUTBOX_NEXT, Q_OUTBOX_UNSENT, Q_AUDIT, Q_BEGIN, Q_COMMIT,
	Q_ROLLBACK, Q_MAX,
};

static const char *const sql[Q_MAX] = {
	[Q_MAILBOX_GET] = "SELECT uidvalidity, last_uid FROM mailbox WHERE name = ?",
	[Q_MAILBOX_SET] = "INSERT INTO mailbox (name, uidvalidity, last_uid) "
	    "VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE SET "
	    "uidvalidity = excluded.uidvalidity, last_uid = excluded.last_uid",
	[Q_INBOX_SEEN] = "SELECT uidvalidity, uid, folder, moved FROM inbox "
	    "WHERE msgkey = ?",
	[Q_INBOX_ADD] = "INSERT INTO inbox (msgkey, uidvalidity, uid, sender, "
	    "kind, disp, folder, moved, reason, at, subject) "
	    "VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?)",
	[Q_INBOX_UNMOVED] = "SELECT msgkey, uid, folder FROM inbox WHERE "
	    "folder IS NOT NULL AND moved = 0 AND uidvalidity = ? ORDER BY uid",
	[Q_INBOX_MOVED] = "UPDATE inbox SET moved = 1 WHERE msgkey = ?",
	[Q_INBOX_COUNT] = "SELECT count(*) FROM inbox WHERE disp = ?",
	[Q_MEMBER_GET] = "SELECT id, addr, name, org, lang, status, joined, "
	    "token FROM members WHERE addr = ?",
	[Q_MEMBER_ADD] = "INSERT INTO members (addr, name, org, lang, status, "
	    "joined, token) VALUES (?, ?, ?, ?, 'active', ?, "
	    "lower(hex(randomblob(8)))) ON CONFLICT (addr) DO "
	    "UPDATE SET name = coalesce(excluded.name, name), org = "
	    "coalesce(excluded.org, org), lang = excluded.lang, "
	    "status = 'active'",
	[Q_MEMBER_DEL] = "DELETE FROM members WHERE addr = ?",
	[Q_MEMBER_COUNT] = "SELECT count(*) FROM members WHERE status = ?",
	[Q_PENDING_ADD] = "INSERT INTO pending (addr, action, args, lang, code, "
	    "expires, created) VALUES (?, ?, ?, ?, '', ?, ?)",
	[Q_PENDING_CODE] = "UPDATE pending SET code = ?, mail_id = ? WHERE id = ?",
	[Q_PENDING_BY_CODE] = "SELECT id, addr, action, args, lang, code, "
	    "expires, used, cancelled FROM pending WHERE code = ? "
	    "ORDER BY id DESC LIMIT 1",
	[Q_PENDING_BY_MAIL] = "SELECT id, addr, action, args, lang, code, "
	    "expires, used, cancelled FROM pending WHERE mail_id = ?",
	[Q_PENDING_USE] = "UPDATE pending SET used = ? WHERE id = ? AND used IS NULL",
	[Q_PENDING_CANCEL] = "UPDATE pending SET used = ?1, cancelled = ?1 "
	    "WHERE id = ?2 AND used IS NULL",
	[Q_OUTBOX_ADD] = "INSERT INTO outbox (created, env_from, rcpt, msgid, "
	    "kind, data, next_try, subject) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
	[Q_OUTBOX_DUE] = "SELECT id FROM outbox WHERE sent IS NULL AND "
	    "failed IS NULL AND next_try <= ? AND id > ? ORDER BY id LIMIT ?",
	[Q_OUTBOX_DUE_ALL] = "SELECT id FROM outbox WHERE sent IS NULL AND "
	    "failed IS NULL AND ? IS NOT NULL AND id > ? ORDER BY id LIMIT ?",
	[Q_OUTBOX_LOAD] = "SELECT env_from, rcpt, msgid, data, attempts, created "
	    "FROM outbox WHERE id = ?",
	[Q_OUTBOX_SENT] = "UPDATE outbox SET sent = ?, error = NULL, "
	    "rcpt = coalesce(forget, rcpt), data = CASE WHEN forget IS NULL "
	    "THEN data ELSE x'' END, subject = CASE WHEN forget IS NULL "
	    "THEN subject END WHERE id = ?",
	[Q_OUTBOX_RETRY] = "UPDATE outbox SET attempts = attempts + 1, "
	    "next_try = ?, error = ? WHERE id = ?",
	[Q_OUTBOX_FAILED] = "UPDATE outbox SET attempts = attempts + 1, "
	    "failed = ?, error = CASE WHEN forget IS NULL THEN ? END, "
	    "rcpt = coalesce(forget, rcpt), data = "
	    "CASE WHEN forget IS NULL THEN data ELSE x'' END, subject = CASE "
	    "WHEN forget IS NULL THEN subject END WHERE id = ?",
	[Q_OUTBOX_COUNT_TO] = "SELECT count(*) FROM outbox WHERE rcpt = ? AND "
	    "kind = ? AND created >= ?",
	[Q_OUTBOX_HAS_MSGID] = "SELECT 1 FROM outbox WHERE msgid = ?1 UNION ALL "
	    "SELECT 1 FROM posts WHERE msgid = ?1 LIMIT 1",
	[Q_OUTBOX_NEXT] = "SELECT min(next_try) FROM outbox WHERE sent IS NULL "
	    "AND failed IS NULL",
	[Q_OUTBOX_UNSENT] = "SELECT count(*) FROM outbox WHERE sent IS NULL "
	    "AND failed IS NULL",
	[Q_AUDIT] = "INSERT INTO audit (at, addr, action, detail) "
	    "VALUES (?, ?, ?, ?)",
	[Q_BEGIN] = "BEGIN IMMEDIATE",
	[Q_COMMIT] = "COMMIT",
	[Q_ROLLBACK] = "ROLLBACK",
};

/* Each entry upgrades user_version i to i + 1. */
static const char *const migrations[] = {
	"CREATE TABLE mailbox ("
	"  name TEXT PRIMARY KEY,"
	"  uidvalidity INTEGER NOT NULL,"
	"  last_uid INTEGER NOT NULL);"
	"CREATE TABLE inbox ("
	"  id INTEGER PRIMARY KEY,"
	"  msgkey TEXT NOT NULL UNIQUE,"
	"  uidvalidity INTEGER NOT NULL,"
	"  uid INTEGER NOT NULL,"
	"  sender TEXT,"
	"  kind TEXT NOT NULL,"
	"  disp TEXT NOT NULL,"
	"  folder TEXT,"
	"  moved INTEGER NOT NULL DEFAULT 0,"
	"  reason TEXT,"
	"  at INTEGER NOT NULL);"
	"CREATE INDEX inbox_unmoved ON inbox (uidvalidity, uid) "
	"  WHERE folder IS NOT NULL AND moved = 0;"
	"CREATE TABLE members ("
	"  id INTEGER PRIMARY KEY,"
	"  addr TEXT NOT NULL UNIQUE,"
	"  name TEXT,"
	"  org TEXT,"
	"  lang TEXT NOT NULL,"
	"  status TEXT NOT NULL,"
	"  joined INTEGER NOT NULL);"
	"CREATE TABLE pending ("
	"  id INTEGER PRIMARY KEY,"
	"  addr TEXT NOT NULL,"
	"  action TEXT NOT NULL,"
	"  args TEXT,"
	"  lang TEXT NOT NULL,"
	"  code TEXT NOT NULL,"
	"  mail_id TEXT,"
	"  expires INTEGER NOT NULL,"
	"  created INTEGER NOT NULL,"
	"  used INTEGER);"
	"CREATE INDEX pending_code ON pending (code);"
	"CREATE INDEX pending_mail ON pending (mail_id);"
	"CREATE TABLE outbox ("
	"  id INTEGER PRIMARY KEY,"
	"  created INTEGER NOT NULL,"
	"  env_from TEXT NOT NULL,"
	"  rcpt TEXT NOT NULL,"
	"  msgid TEXT NOT NULL,"
	"  kind TEXT NOT NULL,"
	"  data BLOB NOT NULL,"
	"  attempts INTEGER NOT NULL DEFAULT 0,"
	"  next_try INTEGER NOT NULL,"
	"  sent INTEGER,"
	"  failed INTEGER,"
	"  error TEXT);"
	"CREATE INDEX outbox_due ON outbox (next_try) "
	"  WHERE sent IS NULL AND failed IS NULL;"
	"CREATE INDEX outbox_rcpt ON outbox (rcpt, kind, created);"
	"CREATE INDEX outbox_msgid ON outbox (msgid);"
	"CREATE TABLE audit ("
	"  id INTEGER PRIMARY KEY,"
	"  at INTEGER NOT NULL,"
	"  addr TEXT,"
	"  action TEXT NOT NULL,"
	"  detail TEXT);",

	"CREATE TABLE meetings ("
	"  id INTEGER PRIMARY KEY,"
	"  code TEXT NOT NULL UNIQUE,"
	"  title TEXT NOT NULL,"
	"  kind TEXT NOT NULL,"
	"  start INTEGER NOT NULL,"
	"  end_ INTEGER NOT NULL,"
	"  place TEXT,"
	"  host TEXT,"
	"  host_contact TEXT,"
	"  capacity INTEGER NOT NULL,"
	"  deadline INTEGER,"
	"  open INTEGER NOT NULL DEFAULT 0,"
	"  description TEXT,"
	"  status TEXT NOT NULL,"
	"  sequence INTEGER NOT NULL DEFAULT 0,"
	"  parent INTEGER REFERENCES meetings (id),"
	"  created INTEGER NOT NULL);"
	"CREATE TABLE registrations ("
	"  id INTEGER PRIMARY KEY,"
	"  meeting INTEGER NOT NULL REFERENCES meetings (id),"
	"  addr TEXT NOT NULL,"
	"  name TEXT,"
	"  note TEXT,"
	"  uid TEXT NOT NULL UNIQUE,"
	"  state TEXT NOT NULL,"
	"  partstat TEXT,"
	"  guest INTEGER NOT NULL DEFAULT 0,"
	"  created INTEGER NOT NULL,"
	"  reminded INTEGER,"
	"  UNIQUE (meeting, addr));",

	/* remind.c: the host contact's mail goes once per meeting */
	"ALTER TABLE meetings ADD COLUMN reminded INTEGER;",

	"ALTER TABLE meetings ADD COLUMN agenda TEXT;",

	"CREATE TABLE ideas ("
	"  id INTEGER PRIMARY KEY,"
	"  author TEXT NOT NULL,"
	"  title TEXT NOT NULL,"
	"  body TEXT,"
	"  theme INTEGER,"
	"  seeking TEXT,"
	"  status TEXT NOT NULL,"
	"  created INTEGER NOT NULL);"
	"CREATE TABLE interests ("
	"  idea INTEGER NOT NULL REFERENCES ideas (id),"
	"  addr TEXT NOT NULL,"
	"  created INTEGER NOT NULL,"
	"  UNIQUE (idea, addr));",

	/* the list: posts, their copies, bounces, members' list tokens */
	"ALTER TABLE members ADD COLUMN token TEXT;"
	"UPDATE members SET token = lower(hex(randomblob(8)));"
	"CREATE UNIQUE INDEX members_token ON members (token);"
	"CREATE TABLE posts ("
	"  id INTEGER PRIMARY KEY,"
	"  kind TEXT NOT NULL,"
	"  meeting INTEGER REFERENCES meetings (id),"
	"  sender TEXT NOT NULL,"
	"  sender_name TEXT,"
	"  subject TEXT NOT NULL,"
	"  body TEXT NOT NULL,"
	"  files TEXT,"
	"  msgid TEXT NOT NULL,"
	"  data BLOB NOT NULL,"
	"  state TEXT NOT NULL,"
	"  created INTEGER NOT NULL,"
	"  started INTEGER,"
	"  finished INTEGER);"
	"CREATE TABLE post_rcpts ("
	"  id INTEGER PRIMARY KEY,"
	"  post INTEGER NOT NULL REFERENCES posts (id),"
	"  addr TEXT NOT NULL,"
	"  token TEXT NOT NULL UNIQUE,"
	"  member INTEGER NOT NULL,"
	"  attempts INTEGER NOT NULL DEFAULT 0,"
	"  next_try INTEGER NOT NULL,"
	"  sent INTEGER,"
	"  failed INTEGER,"
	"  error TEXT,"
	"  UNIQUE (post, addr));"
	"CREATE INDEX post_rcpts_due ON post_rcpts (next_try, id) "
	"  WHERE sent IS NULL AND failed IS NULL;"
	"CREATE INDEX post_rcpts_sent ON post_rcpts (sent) "
	"  WHERE sent IS NOT NULL;"
	"CREATE INDEX outbox_sent ON outbox (sent) WHERE sent IS NOT NULL;"
	"CREATE TABLE bounces ("
	"  id INTEGER PRIMARY KEY,"
	"  addr TEXT NOT NULL,"
	"  post INTEGER,"
	"  status TEXT,"
	"  diagnostic TEXT,"
	"  at INTEGER NOT NULL,"
	"  day TEXT NOT NULL,"
	"  cleared INTEGER);"
	"CREATE INDEX bounces_addr ON bounces (addr, day);",

	/* status.c: what the daemon did last, for ffnet status */
	"CREATE TABLE state ("
	"  key TEXT PRIMARY KEY,"
	"  value TEXT,"
	"  at INTEGER NOT NULL);",
	/* confirm.c: a reply that says no closes the row without the act */
	"ALTER TABLE pending ADD COLUMN cancelled INTEGER;",
	/* store_members.c: how each member's consent was given */
	"CREATE TABLE consent ("
	"  id INTEGER PRIMARY KEY,"
	"  addr TEXT NOT NULL,"
	"  at INTEGER NOT NULL,"
	"  source TEXT NOT NULL,"	/* confirm | import | add */
	"  msgid TEXT,"
	"  text TEXT);"
	"CREATE INDEX consent_addr ON consent (addr);",

	/* summary.c: the secretariat's summary names held mail by subject */
	"ALTER TABLE inbox ADD COLUMN subject TEXT;",

	/* confirm.c: wrong confirmation codes per address and day */
	"CREATE INDEX audit_addr ON audit (addr, action, at);",

	/*
	 * MINE DATA lists the mails sent to a person by subject; SLET MIG
	 * marks the rows still to be sent to a forgotten address with its
	 * keyed hash: once sent or given up, the address becomes the hash
	 * and the mail is emptied (Q_OUTBOX_SENT, Q_OUTBOX_FAILED).
	 */
	"ALTER TABLE outbox ADD COLUMN subject TEXT;"
	"ALTER TABLE outbox ADD COLUMN forget TEXT;"
	"CREATE INDEX inbox_sender ON inbox (sender);"
	"CREATE INDEX registrations_addr ON registrations (addr);"
	"CREATE INDEX ideas_author ON ideas (author);"
	"CREATE INDEX post_rcpts_addr ON post_rcpts (addr);"
	"CREATE INDEX pending_addr ON pending (addr);",
};

static int		 store_migrate(struct store *, char *, size_t);
static bool		 store_disk_why(struct store *, char *, size_t);
static long long	 store_free_kb(const struct store *);
static size_t		 store_slot(const struct store *, const char *);
static void		 store_cache_grow(struct store *);
static void		 store_inbox_read(sqlite3_stmt *, void *);
static void		 store_inbox_clear(void *);
static void		 store_time_read(sqlite3_stmt *, void *);
static int		 store_pending_read(struct store *, sqlite3_stmt *,
			    struct pending *, bool *);

static const struct store_rowtype store_inbox_rows = {
	sizeof(struct inbox_row), store_inbox_read, store_inbox_clear
};

static const struct store_rowtype store_time_rows = {
	sizeof(time_t), store_time_read, NULL
};

int
store_open(const char *path, struct store **out, char *err, size_t errlen)
{
	struct store	*st;
	int		 rc = -1;

	*out = NULL;
	st = xcalloc(1, sizeof(*st));
	st->path = xstrdup(path);
	if (sqlite3_open_v2(path, &st->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		if (st->db == NULL || !store_disk_why(st, err, errlen))
			snprintf(err, errlen, "%s: %s", path, st->db ?
			    sqlite3_errmsg(st->db) : "cannot open");
		goto out;
	}
	sqlite3_busy_timeout(st->db, 10000);
	/*
	 * WAL lets a backup or the CLI read while ffnet writes; FULL sync
	 * makes a commit durable before the message is flagged or sent.
	 */
	if (sqlite3_exec(st->db, "PRAGMA journal_mode=WAL; "
	    "PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;",
	    NULL, NULL, NULL) != SQLITE_OK) {
		/* the -wal and -shm files cannot be made on a full disk */
		if (!store_disk_why(st, err, errlen))
			snprintf(err, errlen, "%s: %s", path,
			    sqlite3_errmsg(st->db));
		goto out;
	}
	if (store_migrate(st, err, errlen) == -1)
		goto out;
	*out = st;
	st = NULL;
	rc = 0;
 out:
	store_close(st);
	return rc;
}

void
store_close(struct store *st)
{
	size_t	 i;

	if (st == NULL)
		return;
	for (i = 0; i < st->cap; i++)
		sqlite3_finalize(st->cache[i].stmt);
	free(st->cache);
	sqlite3_close(st->db);
	store_forget_end(st);
	free(st->path);
	free(st);
}

/*
 * When the last error is the disk's (SQLITE_FULL, or an I/O error such
 * as no room for the -wal file), the operator's line: what, and the
 * fix. False for any other error.
 */
static bool
store_disk_why(struct store *st, char *buf, size_t len)
{
	int		 code = sqlite3_extended_errcode(st->db) & 0xff;
	int		 e = sqlite3_system_errno(st->db);
	const char	*what;

	if (code != SQLITE_FULL && code != SQLITE_IOERR)
		return false;
	if (code == SQLITE_FULL || e == ENOSPC)
		what = "the disk is full";
	else
		what = sqlite3_errmsg(st->db);
	snprintf(buf, len, "cannot write %s: %s%s%s%s; free space on that "
	    "disk (or fix it). Nothing is lost: mail waits in the mailbox, "
	    "replies in the outbox, until the store can be written",
	    st->path, what, e != 0 ? " (" : "", e != 0 ? strerror(e) : "",
	    e != 0 ? ")" : "");
	return true;
}

void
store_warn(struct store *st)
{
	char	 line[1024];

	if (!store_disk_why(st, line, sizeof(line)))
		log_warnx("store: %s", sqlite3_errmsg(st->db));
	else {
		st->write_failed = true;
		/* the daemon tries again every few seconds: one line */
		if (st->said_full < 2)
			log_warnx("store: %s", line);
		st->said_full = 2;
	}
}

/* Free KiB on the store's disk for ffnet's user; -1 when unknown. */
static long long
store_free_kb(const struct store *st)
{
	struct statvfs	 sv;

	if (statvfs(st->path, &sv) == -1)
		return -1;
	return (long long)sv.f_bavail * (long long)sv.f_frsize / 1024;
}

bool
store_is_full(struct store *st)
{
	long long	 kb = store_free_kb(st);
	bool		 full;

	full = st->write_failed || (kb != -1 && kb < STORE_ROOM_KB);
	if (full && st->said_full == 0) {
		log_warnx("store: the disk of %s is nearly full: %lld KiB "
		    "free, and ffnet sends no mail with less than %d KiB (each "
		    "mail sent must be marked sent); free space on that disk. "
		    "Nothing is lost: the replies wait in the outbox", st->path,
		    kb, STORE_ROOM_KB);
		st->said_full = 1;
	} else if (!full && st->said_full != 0) {
		log_info("store: %s can be written again (%lld KiB free)",
		    st->path, kb);
		st->said_full = 0;
	}
	return full;
}

int
store_probe(struct store *st)
{
	if (!st->write_failed)
		return 0;
	if (store_begin(st) == -1 || store_state_set(st, "store_ok", NULL,
	    time(NULL)) == -1 || store_commit(st) == -1) {
		store_rollback(st);
		return -1;
	}
	st->write_failed = false;
	return 0;
}

static int
store_migrate(struct store *st, char *err, size_t errlen)
{
	sqlite3_stmt	*s = NULL;
	char		*msg = NULL, *q = NULL;
	int		 v = 0, rc = -1;
	size_t		 i;

	if (sqlite3_prepare_v2(st->db, "PRAGMA user_version", -1, &s,
	    NULL) != SQLITE_OK || sqlite3_step(s) != SQLITE_ROW)
		goto fail;
	v = sqlite3_column_int(s, 0);
	if (v > (int)nitems(migrations)) {
		snprintf(err, errlen, "store version %d is newer than this "
		    "ffnet (%zu)", v, nitems(migrations));
		goto out;
	}
	for (i = (size_t)v; i < nitems(migrations); i++) {
		q = xasprintf("BEGIN; %s PRAGMA user_version = %zu; COMMIT;",
		    migrations[i], i + 1);
		if (sqlite3_exec(st->db, q, NULL, NULL, &msg) != SQLITE_OK) {
			snprintf(err, errlen, "store migration %zu: %s", i + 1,
			    msg ? msg : "failed");
			sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
			goto out;
		}
		free(q);
		q = NULL;
	}
	rc = 0;
	goto out;
 fail:
	snprintf(err, errlen, "store: %s", sqlite3_errmsg(st->db));
 out:
	sqlite3_free(msg);
	free(q);
	sqlite3_finalize(s);
	return rc;
}

/* The cache slot of q: where it is, or the empty slot it would take. */
static size_t
store_slot(const struct store *st, const char *q)
{
	size_t	 i;

	i = ((uintptr_t)q >> 3) & (st->cap - 1);
	while (st->cache[i].sql != NULL && st->cache[i].sql != q)
		i = (i + 1) & (st->cap - 1);
	return i;
}

/* Doubles the cache (open addressing, kept at most half full). */
static void
store_cache_grow(struct store *st)
{
	struct store_cached	*old = st->cache;
	size_t			 i, oldcap = st->cap;

	st->cap = oldcap == 0 ? 128 : oldcap * 2;
	st->cache = xcalloc(st->cap, sizeof(*st->cache));
	for (i = 0; i < oldcap; i++)
		if (old[i].sql != NULL)
			st->cache[store_slot(st, old[i].sql)] = old[i];
	free(old);
}

sqlite3_stmt *
store_stmt(struct store *st, const char *q)
{
	sqlite3_stmt	*s;
	size_t		 i;

	if (st->cap == 0)
		store_cache_grow(st);
	i = store_slot(st, q);
	if ((s = st->cache[i].stmt) != NULL) {
		sqlite3_reset(s);
		sqlite3_clear_bindings(s);
		return s;
	}
	if (sqlite3_prepare_v3(st->db, q, -1, SQLITE_PREPARE_PERSISTENT, &s,
	    NULL) != SQLITE_OK) {
		log_warnx("store: %s: %.60s", sqlite3_errmsg(st->db), q);
		return NULL;
	}
	st->cache[i].sql = q;
	st->cache[i].stmt = s;
	if (++st->ncached * 2 > st->cap)
		store_cache_grow(st);
	return s;
}

int
store_exec_done(struct store *st, sqlite3_stmt *s)
{
	int	 r;

	r = sqlite3_step(s);
	sqlite3_reset(s);
	if (r != SQLITE_DONE) {
		store_warn(st);
		return -1;
	}
	return 0;
}

int
store_rows(struct store *st, sqlite3_stmt *s, const struct store_rowtype *t,
    void *out, size_t *n)
{
	unsigned char	*v = NULL;
	size_t		 cnt = 0, cap = 0;
	int		 r;

	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		if (cnt == cap) {
			cap = cap == 0 ? 16 : cap * 2;
			v = xrealloc(v, cap * t->size);
		}
		memset(v + cnt * t->size, 0, t->size);
		t->read(s, v + cnt * t->size);
		cnt++;
	}
	sqlite3_reset(s);
	if (r != SQLITE_DONE) {
		store_warn(st);
		store_rows_free(t, v, cnt);
		v = NULL;
		cnt = 0;
	}
	memcpy(out, &v, sizeof(v));
	*n = cnt;
	return r == SQLITE_DONE ? 0 : -1;
}

void
store_rows_free(const struct store_rowtype *t, void *v, size_t n)
{
	size_t	 i;

	for (i = 0; t->clear != NULL && i < n; i++)
		t->clear((unsigned char *)v + i * t->size);
	free(v);
}

char *
store_col_dup(sqlite3_stmt *s, int col)
{
	const unsigned char	*t;

	if (sqlite3_column_type(s, col) == SQLITE_NULL)
		return NULL;
	t = sqlite3_column_text(s, col);
	return xstrdup(t ? (const char *)t : "");
}

int
store_count(struct store *st, sqlite3_stmt *s, int64_t *n)
{
	int	 r;

	*n = 0;
	r = sqlite3_step(s);
	if (r == SQLITE_ROW)
		*n = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	if (r != SQLITE_ROW) {
		store_warn(st);
		return -1;
	}
	return 0;
}

void
store_bind_text(sqlite3_stmt *s, int i, const char *t)
{
	if (t == NULL)
		sqlite3_bind_null(s, i);
	else
		sqlite3_bind_text(s, i, t, -1, SQLITE_TRANSIENT);
}

int
store_begin(struct store *st)
{
	sqlite3_stmt	*s;

	if ((s = store_stmt(st, sql[Q_BEGIN])) == NULL || store_exec_done(st, s))
		return -1;
	st->in_tx = 1;
	return 0;
}

int
store_commit(struct store *st)
{
	sqlite3_stmt	*s;

	if ((s = store_stmt(st, sql[Q_COMMIT])) == NULL || store_exec_done(st, s))
		return -1;
	st->in_tx = 0;
	store_forget_end(st);
	return 0;
}

void
store_rollback(struct store *st)
{
	sqlite3_stmt	*s;

	if (!sqlite3_get_autocommit(st->db) &&
	    (s = store_stmt(st, sql[Q_ROLLBACK])) != NULL)
		store_exec_done(st, s);
	st->in_tx = 0;
	store_forget_end(st);
}

int
store_mailbox_get(struct store *st, const char *mailbox, uint32_t *uidvalidity,
    uint32_t *last_uid)
{
	sqlite3_stmt	*s;
	int		 r;

	*uidvalidity = *last_uid = 0;
	if ((s = store_stmt(st, sql[Q_MAILBOX_GET])) == NULL)
		return -1;
	store_bind_text(s, 1, mailbox);
	r = sqlite3_step(s);
	if (r == SQLITE_ROW) {
		*uidvalidity = (uint32_t)sqlite3_column_int64(s, 0);
		*last_uid = (uint32_t)sqlite3_column_int64(s, 1);
	}
	sqlite3_reset(s);
	return r == SQLITE_ROW || r == SQLITE_DONE ? 0 : -1;
}

int
store_mailbox_set(struct store *st, const char *mailbox, uint32_t uidvalidity,
    uint32_t last_uid)
{
	sqlite3_stmt	*s;

	if ((s = store_stmt(st, sql[Q_MAILBOX_SET])) == NULL)
		return -1;
	store_bind_text(s, 1, mailbox);
	sqlite3_bind_int64(s, 2, uidvalidity);
	sqlite3_bind_int64(s, 3, last_uid);
	return store_exec_done(st, s);
}

int
store_inbox_seen(struct store *st, const char *msgkey, struct inbox_row *row)
{
	sqlite3_stmt	*s;
	int		 r;

	memset(row, 0, sizeof(*row));
	if ((s = store_stmt(st, sql[Q_INBOX_SEEN])) == NULL)
		return -1;
	store_bind_text(s, 1, msgkey);
	r = sqlite3_step(s);
	if (r == SQLITE_ROW) {
		row->msgkey = xstrdup(msgkey);
		row->uidvalidity = (uint32_t)sqlite3_column_int64(s, 0);
		row->uid = (uint32_t)sqlite3_column_int64(s, 1);
		if (sqlite3_column_int(s, 3) == 0)
			row->folder = store_col_dup(s, 2);
	}
	sqlite3_reset(s);
	if (r == SQLITE_ROW)
		return 1;
	return r == SQLITE_DONE ? 0 : -1;
}

int
store_inbox_add(struct store *st, const char *msgkey, uint32_t uidvalidity,
    uint32_t uid, const char *sender, const char *subject, const char *kind,
    const char *disp, const char *folder, const char *reason, time_t now)
{
	sqlite3_stmt	*s;

	/* the confirmation of a SLET MIG: its sender is forgotten too */
	if (st->forget_addr != NULL && sender != NULL &&
	    util_addr_eq(sender, st->forget_addr)) {
		sender = st->forget_hash;
		subject = reason = NULL;
	}
	if ((s = store_stmt(st, sql[Q_INBOX_ADD])) == NULL)
		return -1;
	store_bind_text(s, 1, msgkey);
	sqlite3_bind_int64(s, 2, uidvalidity);
	sqlite3_bind_int64(s, 3, uid);
	store_bind_text(s, 4, sender);
	store_bind_text(s, 5, kind);
	store_bind_text(s, 6, disp);
	store_bind_text(s, 7, folder);
	store_bind_text(s, 8, reason);
	sqlite3_bind_int64(s, 9, now);
	store_bind_text(s, 10, subject);
	return store_exec_done(st, s);
}

/* A row of Q_INBOX_UNMOVED; uidvalidity is the caller's. */
static void
store_inbox_read(sqlite3_stmt *s, void *p)
{
	struct inbox_row	*r = p;

	r->msgkey = store_col_dup(s, 0);
	r->uid = (uint32_t)sqlite3_column_int64(s, 1);
	r->folder = store_col_dup(s, 2);
}

static void
store_inbox_clear(void *p)
{
	struct inbox_row	*r = p;

	free(r->msgkey);
	free(r->folder);
}

int
store_inbox_unmoved(struct store *st, uint32_t uidvalidity,
    struct inbox_row **rows, size_t *n)
{
	sqlite3_stmt	*s;
	size_t		 i;

	*rows = NULL;
	*n = 0;
	if ((s = store_stmt(st, sql[Q_INBOX_UNMOVED])) == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, uidvalidity);
	if (store_rows(st, s, &store_inbox_rows, rows, n) == -1)
		return -1;
	for (i = 0; i < *n; i++)
		(*rows)[i].uidvalidity = uidvalidity;
	return 0;
}

int
store_inbox_moved(struct store *st, const char *msgkey)
{
	sqlite3_stmt	*s;

	if ((s = store_stmt(st, sql[Q_INBOX_MOVED])) == NULL)
		return -1;
	store_bind_text(s, 1, msgkey);
	return store_exec_done(st, s);
}

int
store_inbox_count(struct store *st, const char *disp, int64_t *n)
{
	sqlite3_stmt	*s;

	if ((s = store_stmt(st, sql[Q_INBOX_COUNT])) == NULL)
		return -1;
	store_bind_text(s, 1, disp);
	return store_count(st, s, n);
}

void
inbox_rows_free(struct inbox_row *v, size_t n)
{
	store_rows_free(&store_inbox_rows, v, n);
}

int
store_member_get(struct store *st, const char *addr, struct member *m)
{
	sqlite3_stmt	*s;
	int		 r;

	memset(m, 0, sizeof(*m));
	if ((s = store_stmt(st, sql[Q_MEMBER_GET])) == NULL)
		return -1;
	store_bind_text(s, 1, addr);
	r = sqlite3_step(s);
	if (r == SQLITE_ROW) {
		m->id = sqlite3_column_int64(s, 0);
		m->addr = store_col_dup(s, 1);
		m->name = store_col_dup(s, 2);
		m->org = store_col_dup(s, 3);
		m->lang = store_col_dup(s, 4);
		m->status = store_col_dup(s, 5);
		m->joined = (time_t)sqlite3_column_int64(s, 6);
		m->token = store_col_dup(s, 7);
	}
	sqlite3_reset(s);
	if (r == SQLITE_ROW)
		return 1;
	return r == SQLITE_DONE ? 0 : -1;
}

int
store_member_add(struct store *st, const char *addr, const char *name,
    const char *org, const char *lang, time_t now)
{
	sqlite3_stmt	*s;

	if ((s = store_stmt(st, sql[Q_MEMBER_ADD])) == NULL)
		return -1;
	store_bind_text(s, 1, addr);
	store_bind_text(s, 2, name && *name ? name : NULL);
	store_bind_text(s, 3, org && *org ? org : NULL);
	store_bind_text(s, 4, lang);
	sqlite3_bind_int64(s, 5, now);
	return store_exec_done(st, s);
}

int
store_member_delete(struct store *st, const char *addr)
{
	sqlite3_stmt	*s;

	if ((s = store_stmt(st, sql[Q_MEMBER_DEL])) == NULL)
		return -1;
	store_bind_text(s, 1, addr);
	return store_exec_done(st, s);
}

int
store_member_count(struct store *st, const char *status, int64_t *n)
{
	sqlite3_stmt	*s;

	if ((s = store_stmt(st, sql[Q_MEMBER_COUNT])) == NULL)
		return -1;
	store_bind_text(s, 1, status);
	return store_count(st, s, n);
}

void
member_clear(struct member *m)
{
	free(m->addr);
	free(m->name);
	free(m->org);
	free(m->lang);
	free(m->status);
	free(m->token);
	memset(m, 0, sizeof(*m));
}

int
store_pending_add(struct store *st, const char *addr, const char *action,
    const char *args, const char *lang, time_t expires, time_t now,
    int64_t *id)
{
	sqlite3_stmt	*s;

	if ((s = store_stmt(st, sql[Q_PENDING_ADD])) == NULL)
		return -1;
	store_bind_text(s, 1, addr);
	store_bind_text(s, 2, action);
	store_bind_text(s, 3, args);
	store_bind_text(s, 4, lang);
	sqlite3_bind_int64(s, 5, expires);
	sqlite3_bind_int64(s, 6, now);
	if (store_exec_done(st, s) == -1)
		return -1;
	*id = sqlite3_last_insert_rowid(st->db);
	return 0;
}

int
store_pending_set_code(struct store *st, int64_t id, const char *code,
    const char *mail_id)
{
	sqlite3_stmt	*s;

	if ((s = store_stmt(st, sql[Q_PENDING_CODE])) == NULL)
		return -1;
	store_bind_text(s, 1, code);
	store_bind_text(s, 2, mail_id);
	sqlite3_bind_int64(s, 3, id);
	return store_exec_done(st, s);
}

static int
store_pending_read(struct store *st, sqlite3_stmt *s, struct pending *p,
    bool *used)
{
	int	 r;

	memset(p, 0, sizeof(*p));
	*used = false;
	r = sqlite3_step(s);
	if (r == SQLITE_ROW) {
		p->id = sqlite3_column_int64(s, 0);
		p->addr = store_col_dup(s, 1);
		p->action = store_col_dup(s, 2);
		p->args = store_col_dup(s, 3);
		p->lang = store_col_dup(s, 4);
		p->code = store_col_dup(s, 5);
		p->expires = (time_t)sqlite3_column_int64(s, 6);
		*used = sqlite3_column_type(s, 7) != SQLITE_NULL;
		p->cancelled = (time_t)sqlite3_column_int64(s, 8);
	}
	sqlite3_reset(s);
	if (r == SQLITE_ROW)
		return 1;
	if (r != SQLITE_DONE)
		store_warn(st);
	return r == SQLITE_DONE ? 0 : -1;
}

int
store_pending_by_code(struct store *st, const char *code, struct pending *p,
    bool *used)
{
	sqlite3_stmt	*s;

	if ((s = store_stmt(st, sql[Q_PENDING_BY_CODE])) == NULL)
		return -1;
	store_bind_text(s, 1, code);
	return store_pending_read(st, s, p, used);
}

int
store_pending_by_mail(struct store *st, const char *mail_id, struct pending *p,
    bool *used)
{
	sqlite3_stmt	*s;

	if ((s = store_stmt(st, sql[Q_PENDING_BY_MAIL])) == NULL)
		return -1;
	store_bind_text(s, 1, mail_id);
	return store_pending_read(st, s, p, used);
}

int
store_pending_use(struct store *st, int64_t id, time_t now)
{
	sqlite3_stmt	*s;

	if ((s = store_stmt(st, sql[Q_PENDING_USE])) == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, now);
	sqlite3_bind_int64(s, 2, id);
	return store_exec_done(st, s);
}

int
store_pending_cancel(struct store *st, int64_t id, time_t now)
{
	sqlite3_stmt	*s;

	if ((s = store_stmt(st, sql[Q_PENDING_CANCEL])) == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, now);
	sqlite3_bind_int64(s, 2, id);
	return store_exec_done(st, s);
}

void
pending_clear(struct pending *p)
{
	free(p->addr);
	free(p->action);
	free(p->args);
	free(p->lang);
	free(p->code);
	memset(p, 0, sizeof(*p));
}

int
store_outbox_add(struct store *st, const char *env_from, const char *rcpt,
    const char *msgid, const char *kind, const char *subject,
    const char *data, size_t len, time_t now)
{
	sqlite3_stmt	*s;

	if ((s = store_stmt(st, sql[Q_OUTBOX_ADD])) == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, now);
	store_bind_text(s, 2, env_from);
	store_bind_text(s, 3, rcpt);
	store_bind_text(s, 4, msgid);
	store_bind_text(s, 5, kind);
	sqlite3_bind_blob64(s, 6, data, len, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 7, now);
	store_bind_text(s, 8, subject);
	return store_exec_done(st, s);
}

int
store_outbox_due(struct store *st, time_t now, bool force, int64_t after,
    size_t max, int64_t **ids, size_t *n)
{
	sqlite3_stmt	*s;
	int64_t		*v = NULL;
	size_t		 cnt = 0;
	int		 r;

	*ids = NULL;
	*n = 0;
	if ((s = store_stmt(st,
	    sql[force ? Q_OUTBOX_DUE_ALL : Q_OUTBOX_DUE])) == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, now);
	sqlite3_bind_int64(s, 2, after);
	sqlite3_bind_int64(s, 3, (sqlite3_int64)max);
	v = xcalloc(max ? max : 1, sizeof(*v));
	while (cnt < max && (r = sqlite3_step(s)) == SQLITE_ROW)
		v[cnt++] = sqlite3_column_int64(s, 0);
	if (cnt < max && r != SQLITE_DONE) {
		sqlite3_reset(s);
		free(v);
		return -1;
	}
	sqlite3_reset(s);
	*ids = v;
	*n = cnt;
	return 0;
}

int
store_outbox_load(struct store *st, int64_t id, struct outbox_row *row)
{
	sqlite3_stmt	*s;
	int		 r;
	int		 len;

	memset(row, 0, sizeof(*row));
	if ((s = store_stmt(st, sql[Q_OUTBOX_LOAD])) == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, id);
	r = sqlite3_step(s);
	if (r == SQLITE_ROW) {
		row->id = id;
		row->env_from = store_col_dup(s, 0);
		row->rcpt = store_col_dup(s, 1);
		row->msgid = store_col_dup(s, 2);
		len = sqlite3_column_bytes(s, 3);
		row->data = xmalloc((size_t)len + 1);
		if (len > 0)
			memcpy(row->data, sqlite3_column_blob(s, 3), (size_t)len);
		row->data[len] = '\0';
		row->len = (size_t)len;
		row->attempts = sqlite3_column_int(s, 4);
		row->created = (time_t)sqlite3_column_int64(s, 5);
	}
	sqlite3_reset(s);
	return r == SQLITE_ROW ? 0 : -1;
}

int
store_outbox_sent(struct store *st, int64_t id, time_t now)
{
	sqlite3_stmt	*s;

	if ((s = store_stmt(st, sql[Q_OUTBOX_SENT])) == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, now);
	sqlite3_bind_int64(s, 2, id);
	return store_exec_done(st, s);
}

int
store_outbox_retry(struct store *st, int64_t id, time_t next,
    const char *error)
{
	sqlite3_stmt	*s;

	if ((s = store_stmt(st, sql[Q_OUTBOX_RETRY])) == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, next);
	store_bind_text(s, 2, error);
	sqlite3_bind_int64(s, 3, id);
	return store_exec_done(st, s);
}

int
store_outbox_failed(struct store *st, int64_t id, time_t now,
    const char *error)
{
	sqlite3_stmt	*s;

	if ((s = store_stmt(st, sql[Q_OUTBOX_FAILED])) == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, now);
	store_bind_text(s, 2, error);
	sqlite3_bind_int64(s, 3, id);
	return store_exec_done(st, s);
}

int
store_outbox_count_to(struct store *st, const char *rcpt, const char *kind,
    time_t since, int64_t *n)
{
	sqlite3_stmt	*s;

	if ((s = store_stmt(st, sql[Q_OUTBOX_COUNT_TO])) == NULL)
		return -1;
	store_bind_text(s, 1, rcpt);
	store_bind_text(s, 2, kind);
	sqlite3_bind_int64(s, 3, since);
	return store_count(st, s, n);
}

int
store_outbox_has_msgid(struct store *st, const char *msgid)
{
	sqlite3_stmt	*s;
	int		 r;

	if ((s = store_stmt(st, sql[Q_OUTBOX_HAS_MSGID])) == NULL)
		return -1;
	store_bind_text(s, 1, msgid);
	r = sqlite3_step(s);
	sqlite3_reset(s);
	if (r == SQLITE_ROW)
		return 1;
	return r == SQLITE_DONE ? 0 : -1;
}

int
store_outbox_next(struct store *st, time_t *when)
{
	sqlite3_stmt	*s;
	int64_t		 n;

	*when = 0;
	if ((s = store_stmt(st, sql[Q_OUTBOX_NEXT])) == NULL ||
	    store_count(st, s, &n) == -1)
		return -1;
	*when = (time_t)n;
	return 0;
}

int
store_outbox_unsent(struct store *st, int64_t *n)
{
	sqlite3_stmt	*s;

	if ((s = store_stmt(st, sql[Q_OUTBOX_UNSENT])) == NULL)
		return -1;
	return store_count(st, s, n);
}

void
outbox_row_clear(struct outbox_row *r)
{
	free(r->env_from);
	free(r->rcpt);
	free(r->msgid);
	free(r->data);
	memset(r, 0, sizeof(*r));
}

int
store_audit(struct store *st, const char *addr, const char *action,
    const char *detail, time_t now)
{
	sqlite3_stmt	*s;

	if ((s = store_stmt(st, sql[Q_AUDIT])) == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, now);
	store_bind_text(s, 2, addr);
	store_bind_text(s, 3, action);
	store_bind_text(s, 4, detail);
	return store_exec_done(st, s);
}

int
store_audit_count(struct store *st, const char *addr, const char *action,
    time_t since, int64_t *n)
{
	sqlite3_stmt	*s;

	if ((s = store_stmt(st, "SELECT count(*) FROM audit WHERE addr = ? "
	    "AND action = ? AND at >= ?")) == NULL)
		return -1;
	store_bind_text(s, 1, addr);
	store_bind_text(s, 2, action);
	sqlite3_bind_int64(s, 3, since);
	return store_count(st, s, n);
}

static void
store_time_read(sqlite3_stmt *s, void *p)
{
	*(time_t *)p = (time_t)sqlite3_column_int64(s, 0);
}

int
store_sent_times(struct store *st, time_t since, time_t **v, size_t *n)
{
	sqlite3_stmt	*s;

	*v = NULL;
	*n = 0;
	if ((s = store_stmt(st, "SELECT sent FROM outbox WHERE sent >= ?1 "
	    "UNION ALL SELECT sent FROM post_rcpts WHERE sent >= ?1 "
	    "ORDER BY 1")) == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, since);
	return store_rows(st, s, &store_time_rows, v, n);
}

/*
 * While the outbox sends a post, a commit per copy need not wait for
 * the disk: in WAL mode synchronous=NORMAL survives a crash of ffnet
 * (the copy marked sent stays marked); only a power cut can forget the
 * last marks, and then those copies go again with the same Message-ID.
 */
int
store_fast_sync(struct store *st, bool on)
{
	return sqlite3_exec(st->db, on ? "PRAGMA synchronous=NORMAL" :
	    "PRAGMA synchronous=FULL", NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
}

int
store_member_set_status(struct store *st, const char *addr,
    const char *status)
{
	sqlite3_stmt	*s = NULL;
	int		 rc = -1;

	if ((s = store_stmt(st, "UPDATE members SET status = ? "
	    "WHERE addr = ?")) != NULL) {
		store_bind_text(s, 1, status);
		store_bind_text(s, 2, addr);
		rc = sqlite3_step(s) == SQLITE_DONE ? 0 : -1;
	}
	sqlite3_reset(s);
	return rc;
}
