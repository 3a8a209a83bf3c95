/*
 * store.c: the SQLite store. main.c opens it once per process; handlers
 * reach it only through these functions, inside the transaction that
 * main.c opens for each message. All SQL lives here, as prepared
 * statements cached for the life of the connection.
 *
 * sqlite3 memory rules: sqlite3_column_text() is valid only until the
 * next step/reset of that statement, so every string is copied out.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "store.h"
#include "store_int.h"
#include "util.h"

enum q {
	Q_MAILBOX_GET, Q_MAILBOX_SET,
	Q_INBOX_SEEN, Q_INBOX_ADD, Q_INBOX_UNMOVED, Q_INBOX_MOVED,
	Q_INBOX_COUNT,
	Q_MEMBER_GET, Q_MEMBER_ADD, Q_MEMBER_DEL, Q_MEMBER_COUNT,
	Q_PENDING_ADD, Q_PENDING_CODE, Q_PENDING_BY_CODE, Q_PENDING_BY_MAIL,
	Q_PENDING_USE, Q_PENDING_CANCEL,
	Q_OUTBOX_ADD, Q_OUTBOX_DUE, Q_OUTBOX_DUE_ALL, Q_OUTBOX_LOAD,
	Q_OUTBOX_SENT, Q_OUTBOX_RETRY, Q_OUTBOX_FAILED, Q_OUTBOX_COUNT_TO,
	Q_OUTBOX_HAS_MSGID, Q_OUTBOX_NEXT, Q_OUTBOX_UNSENT,
	Q_AUDIT,
	Q_MEET_ADD, Q_MEET_GET, Q_MEET_GET_ID, Q_MEET_UPDATE, Q_MEET_LIST, Q_MEET_COUNT_KIND,
	Q_REG_GET, Q_REG_BY_UID, Q_REG_PUT, Q_REG_STATE, Q_REG_PARTSTAT,
	Q_REG_LIST, Q_REG_LIST_STATE, Q_REG_POS, Q_MEET_REMIND_RESET,
	Q_REG_REMIND_RESET,
	Q_RCPT_DUE, Q_RCPT_SENT, Q_RCPT_RETRY, Q_RCPT_FAILED, Q_RCPT_NEXT,
	Q_BEGIN, Q_COMMIT, Q_ROLLBACK,
	Q_MAX
};

#define MCOLS	"m.id, m.code, m.title, m.kind, m.start, m.end_, m.place, "	\
	"m.host, m.host_contact, m.capacity, m.deadline, m.open, "		\
	"m.description, m.status, m.sequence, m.parent, (SELECT count(*) "	\
	"FROM registrations r WHERE r.meeting = m.id AND r.state = "		\
	"'registered'), (SELECT count(*) FROM registrations r WHERE "		\
	"r.meeting = m.id AND r.state = 'waiting'), m.agenda"
#define RCOLS	"id, meeting, addr, name, note, uid, state, partstat, guest, "	\
	"created, reminded"

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
	[Q_RCPT_DUE] = "SELECT r.id, r.post, r.addr, r.token, m.token, "
	    "r.attempts, r.member AND (m.status IS NULL OR m.status != "
	    "'active') FROM post_rcpts r LEFT JOIN members m ON m.addr = r.addr "
	    "WHERE r.sent IS NULL AND r.failed IS NULL AND (r.next_try <= ?1 "
	    "OR ?2) AND r.id > ?3 ORDER BY r.id LIMIT ?4",
	[Q_RCPT_SENT] = "UPDATE post_rcpts SET sent = ?, error = NULL "
	    "WHERE id = ?",
	[Q_RCPT_RETRY] = "UPDATE post_rcpts SET attempts = attempts + 1, "
	    "next_try = ?, error = ? WHERE id = ?",
	[Q_RCPT_FAILED] = "UPDATE post_rcpts SET attempts = attempts + 1, "
	    "failed = ?, error = ? WHERE id = ?",
	[Q_RCPT_NEXT] = "SELECT min(next_try) FROM post_rcpts WHERE sent IS "
	    "NULL AND failed IS NULL",
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
	    "kind, data, next_try) VALUES (?, ?, ?, ?, ?, ?, ?)",
	[Q_OUTBOX_DUE] = "SELECT id FROM outbox WHERE sent IS NULL AND "
	    "failed IS NULL AND next_try <= ? AND id > ? ORDER BY id LIMIT ?",
	[Q_OUTBOX_DUE_ALL] = "SELECT id FROM outbox WHERE sent IS NULL AND "
	    "failed IS NULL AND ? IS NOT NULL AND id > ? ORDER BY id LIMIT ?",
	[Q_OUTBOX_LOAD] = "SELECT env_from, rcpt, msgid, data, attempts, created "
	    "FROM outbox WHERE id = ?",
	[Q_OUTBOX_SENT] = "UPDATE outbox SET sent = ?, error = NULL WHERE id = ?",
	[Q_OUTBOX_RETRY] = "UPDATE outbox SET attempts = attempts + 1, "
	    "next_try = ?, error = ? WHERE id = ?",
	[Q_OUTBOX_FAILED] = "UPDATE outbox SET attempts = attempts + 1, "
	    "failed = ?, error = ? WHERE id = ?",
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
	[Q_MEET_ADD] = "INSERT INTO meetings (code, title, kind, start, end_, "
	    "place, host, host_contact, capacity, deadline, open, description, "
	    "status, sequence, parent, created, agenda) VALUES (?, ?, ?, ?, ?, "
	    "?, ?, ?, ?, ?, ?, ?, 'planned', 0, ?, ?, ?)",
	[Q_MEET_GET] = "SELECT " MCOLS " FROM meetings m WHERE m.code = upper(?)",
	[Q_MEET_GET_ID] = "SELECT " MCOLS " FROM meetings m WHERE m.id = ?",
	[Q_MEET_UPDATE] = "UPDATE meetings SET title = ?, kind = ?, start = ?, "
	    "end_ = ?, place = ?, host = ?, host_contact = ?, capacity = ?, "
	    "deadline = ?, open = ?, description = ?, status = ?, sequence = ?, "
	    "parent = ?, agenda = ? WHERE id = ?",
	[Q_MEET_LIST] = "SELECT " MCOLS " FROM meetings m WHERE m.end_ >= ? "
	    "ORDER BY m.start, m.id",
	[Q_MEET_COUNT_KIND] = "SELECT count(*) FROM meetings WHERE "
	    "substr(code, 1, 1) = ?",
	[Q_REG_GET] = "SELECT " RCOLS " FROM registrations WHERE meeting = ? AND "
	    "addr = ?",
	[Q_REG_BY_UID] = "SELECT " RCOLS " FROM registrations WHERE uid = ?",
	[Q_REG_PUT] = "INSERT INTO registrations (meeting, addr, name, note, uid, "
	    "state, guest, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT "
	    "(meeting, addr) DO UPDATE SET name = excluded.name, note = "
	    "excluded.note, uid = excluded.uid, state = excluded.state, guest = "
	    "excluded.guest, created = excluded.created, partstat = NULL, "
	    "reminded = NULL",
	[Q_REG_STATE] = "UPDATE registrations SET state = ? WHERE id = ?",
	[Q_REG_PARTSTAT] = "UPDATE registrations SET partstat = ? WHERE id = ?",
	[Q_REG_LIST] = "SELECT " RCOLS " FROM registrations WHERE meeting = ? "
	    "AND state != 'cancelled' ORDER BY created, id",
	[Q_REG_LIST_STATE] = "SELECT " RCOLS " FROM registrations WHERE "
	    "meeting = ? AND state = ? ORDER BY created, id",
	[Q_REG_POS] = "SELECT count(*) FROM registrations WHERE meeting = ? AND "
	    "state = 'waiting' AND (created < ? OR (created = ? AND id <= ?))",
	[Q_MEET_REMIND_RESET] = "UPDATE meetings SET reminded = NULL WHERE id = ?",
	[Q_REG_REMIND_RESET] = "UPDATE registrations SET reminded = NULL WHERE "
	    "meeting = ?",
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
};

struct store {
	sqlite3		*db;
	sqlite3_stmt	*stmt[Q_MAX];
	int		 in_tx;
};

static sqlite3_stmt	*store_stmt(struct store *, enum q);
static int		 store_exec_done(struct store *, sqlite3_stmt *);
static int		 store_migrate(struct store *, char *, size_t);
static void		 bind_text(sqlite3_stmt *, int, const char *);
static void		 store_idea_read(sqlite3_stmt *, struct idea *);
static int		 store_pending_read(struct store *, sqlite3_stmt *,
			    struct pending *, bool *);
static void		 store_meeting_read(sqlite3_stmt *, struct meeting *);
static int		 store_meeting_bind(sqlite3_stmt *, int,
			    const struct meeting *);
static void		 store_reg_read(sqlite3_stmt *, struct registration *);
static int		 store_reg_one(struct store *, sqlite3_stmt *,
			    struct registration *);

int
store_open(const char *path, struct store **out, char *err, size_t errlen)
{
	struct store	*st;
	int		 rc = -1;

	*out = NULL;
	st = xcalloc(1, sizeof(*st));
	if (sqlite3_open_v2(path, &st->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
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
		snprintf(err, errlen, "%s: %s", path, sqlite3_errmsg(st->db));
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

/* For the family's other files (store_int.h). */
sqlite3 *
store_db(struct store *st)
{
	return st->db;
}

void
store_close(struct store *st)
{
	size_t	 i;

	if (st == NULL)
		return;
	for (i = 0; i < Q_MAX; i++)
		sqlite3_finalize(st->stmt[i]);
	sqlite3_close(st->db);
	free(st);
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

static sqlite3_stmt *
store_stmt(struct store *st, enum q which)
{
	sqlite3_stmt	*s = st->stmt[which];

	if (s != NULL) {
		sqlite3_reset(s);
		sqlite3_clear_bindings(s);
		return s;
	}
	if (sqlite3_prepare_v3(st->db, sql[which], -1,
	    SQLITE_PREPARE_PERSISTENT, &s, NULL) != SQLITE_OK) {
		log_warnx("store: prepare %d: %s", which, sqlite3_errmsg(st->db));
		return NULL;
	}
	st->stmt[which] = s;
	return s;
}

/* Steps a statement that returns no rows. */
static int
store_exec_done(struct store *st, sqlite3_stmt *s)
{
	int	 r;

	r = sqlite3_step(s);
	sqlite3_reset(s);
	if (r != SQLITE_DONE) {
		log_warnx("store: %s", sqlite3_errmsg(st->db));
		return -1;
	}
	return 0;
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
		log_warnx("store: %s", sqlite3_errmsg(st->db));
		return -1;
	}
	return 0;
}

static void
bind_text(sqlite3_stmt *s, int i, const char *t)
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

	if ((s = store_stmt(st, Q_BEGIN)) == NULL || store_exec_done(st, s))
		return -1;
	st->in_tx = 1;
	return 0;
}

int
store_commit(struct store *st)
{
	sqlite3_stmt	*s;

	if ((s = store_stmt(st, Q_COMMIT)) == NULL || store_exec_done(st, s))
		return -1;
	st->in_tx = 0;
	return 0;
}

void
store_rollback(struct store *st)
{
	sqlite3_stmt	*s;

	if (!sqlite3_get_autocommit(st->db) &&
	    (s = store_stmt(st, Q_ROLLBACK)) != NULL)
		store_exec_done(st, s);
	st->in_tx = 0;
}

int
store_mailbox_get(struct store *st, const char *mailbox, uint32_t *uidvalidity,
    uint32_t *last_uid)
{
	sqlite3_stmt	*s;
	int		 r;

	*uidvalidity = *last_uid = 0;
	if ((s = store_stmt(st, Q_MAILBOX_GET)) == NULL)
		return -1;
	bind_text(s, 1, mailbox);
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

	if ((s = store_stmt(st, Q_MAILBOX_SET)) == NULL)
		return -1;
	bind_text(s, 1, mailbox);
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
	if ((s = store_stmt(st, Q_INBOX_SEEN)) == NULL)
		return -1;
	bind_text(s, 1, msgkey);
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

	if ((s = store_stmt(st, Q_INBOX_ADD)) == NULL)
		return -1;
	bind_text(s, 1, msgkey);
	sqlite3_bind_int64(s, 2, uidvalidity);
	sqlite3_bind_int64(s, 3, uid);
	bind_text(s, 4, sender);
	bind_text(s, 5, kind);
	bind_text(s, 6, disp);
	bind_text(s, 7, folder);
	bind_text(s, 8, reason);
	sqlite3_bind_int64(s, 9, now);
	bind_text(s, 10, subject);
	return store_exec_done(st, s);
}

int
store_inbox_unmoved(struct store *st, uint32_t uidvalidity,
    struct inbox_row **rows, size_t *n)
{
	sqlite3_stmt	*s;
	struct inbox_row *v = NULL;
	size_t		 cnt = 0;
	int		 r;

	*rows = NULL;
	*n = 0;
	if ((s = store_stmt(st, Q_INBOX_UNMOVED)) == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, uidvalidity);
	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		v = xrealloc(v, (cnt + 1) * sizeof(*v));
		v[cnt].msgkey = store_col_dup(s, 0);
		v[cnt].uidvalidity = uidvalidity;
		v[cnt].uid = (uint32_t)sqlite3_column_int64(s, 1);
		v[cnt].folder = store_col_dup(s, 2);
		cnt++;
	}
	sqlite3_reset(s);
	if (r != SQLITE_DONE) {
		inbox_rows_free(v, cnt);
		return -1;
	}
	*rows = v;
	*n = cnt;
	return 0;
}

int
store_inbox_moved(struct store *st, const char *msgkey)
{
	sqlite3_stmt	*s;

	if ((s = store_stmt(st, Q_INBOX_MOVED)) == NULL)
		return -1;
	bind_text(s, 1, msgkey);
	return store_exec_done(st, s);
}

int
store_inbox_count(struct store *st, const char *disp, int64_t *n)
{
	sqlite3_stmt	*s;

	if ((s = store_stmt(st, Q_INBOX_COUNT)) == NULL)
		return -1;
	bind_text(s, 1, disp);
	return store_count(st, s, n);
}

void
inbox_rows_free(struct inbox_row *v, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++) {
		free(v[i].msgkey);
		free(v[i].folder);
	}
	free(v);
}

int
store_member_get(struct store *st, const char *addr, struct member *m)
{
	sqlite3_stmt	*s;
	int		 r;

	memset(m, 0, sizeof(*m));
	if ((s = store_stmt(st, Q_MEMBER_GET)) == NULL)
		return -1;
	bind_text(s, 1, addr);
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

	if ((s = store_stmt(st, Q_MEMBER_ADD)) == NULL)
		return -1;
	bind_text(s, 1, addr);
	bind_text(s, 2, name && *name ? name : NULL);
	bind_text(s, 3, org && *org ? org : NULL);
	bind_text(s, 4, lang);
	sqlite3_bind_int64(s, 5, now);
	return store_exec_done(st, s);
}

int
store_member_delete(struct store *st, const char *addr)
{
	sqlite3_stmt	*s;

	if ((s = store_stmt(st, Q_MEMBER_DEL)) == NULL)
		return -1;
	bind_text(s, 1, addr);
	return store_exec_done(st, s);
}

int
store_member_count(struct store *st, const char *status, int64_t *n)
{
	sqlite3_stmt	*s;

	if ((s = store_stmt(st, Q_MEMBER_COUNT)) == NULL)
		return -1;
	bind_text(s, 1, status);
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

	if ((s = store_stmt(st, Q_PENDING_ADD)) == NULL)
		return -1;
	bind_text(s, 1, addr);
	bind_text(s, 2, action);
	bind_text(s, 3, args);
	bind_text(s, 4, lang);
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

	if ((s = store_stmt(st, Q_PENDING_CODE)) == NULL)
		return -1;
	bind_text(s, 1, code);
	bind_text(s, 2, mail_id);
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
		log_warnx("store: %s", sqlite3_errmsg(st->db));
	return r == SQLITE_DONE ? 0 : -1;
}

int
store_pending_by_code(struct store *st, const char *code, struct pending *p,
    bool *used)
{
	sqlite3_stmt	*s;

	if ((s = store_stmt(st, Q_PENDING_BY_CODE)) == NULL)
		return -1;
	bind_text(s, 1, code);
	return store_pending_read(st, s, p, used);
}

int
store_pending_by_mail(struct store *st, const char *mail_id, struct pending *p,
    bool *used)
{
	sqlite3_stmt	*s;

	if ((s = store_stmt(st, Q_PENDING_BY_MAIL)) == NULL)
		return -1;
	bind_text(s, 1, mail_id);
	return store_pending_read(st, s, p, used);
}

int
store_pending_use(struct store *st, int64_t id, time_t now)
{
	sqlite3_stmt	*s;

	if ((s = store_stmt(st, Q_PENDING_USE)) == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, now);
	sqlite3_bind_int64(s, 2, id);
	return store_exec_done(st, s);
}

int
store_pending_cancel(struct store *st, int64_t id, time_t now)
{
	sqlite3_stmt	*s;

	if ((s = store_stmt(st, Q_PENDING_CANCEL)) == NULL)
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
    const char *msgid, const char *kind, const char *data, size_t len,
    time_t now)
{
	sqlite3_stmt	*s;

	if ((s = store_stmt(st, Q_OUTBOX_ADD)) == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, now);
	bind_text(s, 2, env_from);
	bind_text(s, 3, rcpt);
	bind_text(s, 4, msgid);
	bind_text(s, 5, kind);
	sqlite3_bind_blob64(s, 6, data, len, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 7, now);
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
	if ((s = store_stmt(st, force ? Q_OUTBOX_DUE_ALL : Q_OUTBOX_DUE)) == NULL)
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
	if ((s = store_stmt(st, Q_OUTBOX_LOAD)) == NULL)
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

	if ((s = store_stmt(st, Q_OUTBOX_SENT)) == NULL)
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

	if ((s = store_stmt(st, Q_OUTBOX_RETRY)) == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, next);
	bind_text(s, 2, error);
	sqlite3_bind_int64(s, 3, id);
	return store_exec_done(st, s);
}

int
store_outbox_failed(struct store *st, int64_t id, time_t now,
    const char *error)
{
	sqlite3_stmt	*s;

	if ((s = store_stmt(st, Q_OUTBOX_FAILED)) == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, now);
	bind_text(s, 2, error);
	sqlite3_bind_int64(s, 3, id);
	return store_exec_done(st, s);
}

int
store_outbox_count_to(struct store *st, const char *rcpt, const char *kind,
    time_t since, int64_t *n)
{
	sqlite3_stmt	*s;

	if ((s = store_stmt(st, Q_OUTBOX_COUNT_TO)) == NULL)
		return -1;
	bind_text(s, 1, rcpt);
	bind_text(s, 2, kind);
	sqlite3_bind_int64(s, 3, since);
	return store_count(st, s, n);
}

int
store_outbox_has_msgid(struct store *st, const char *msgid)
{
	sqlite3_stmt	*s;
	int		 r;

	if ((s = store_stmt(st, Q_OUTBOX_HAS_MSGID)) == NULL)
		return -1;
	bind_text(s, 1, msgid);
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
	if ((s = store_stmt(st, Q_OUTBOX_NEXT)) == NULL ||
	    store_count(st, s, &n) == -1)
		return -1;
	*when = (time_t)n;
	return 0;
}

int
store_outbox_unsent(struct store *st, int64_t *n)
{
	sqlite3_stmt	*s;

	if ((s = store_stmt(st, Q_OUTBOX_UNSENT)) == NULL)
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

	if ((s = store_stmt(st, Q_AUDIT)) == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, now);
	bind_text(s, 2, addr);
	bind_text(s, 3, action);
	bind_text(s, 4, detail);
	return store_exec_done(st, s);
}

static void
store_meeting_read(sqlite3_stmt *s, struct meeting *m)
{
	m->id = sqlite3_column_int64(s, 0);
	m->code = store_col_dup(s, 1);
	m->title = store_col_dup(s, 2);
	m->kind = store_col_dup(s, 3);
	m->start = (time_t)sqlite3_column_int64(s, 4);
	m->end = (time_t)sqlite3_column_int64(s, 5);
	m->place = store_col_dup(s, 6);
	m->host = store_col_dup(s, 7);
	m->host_contact = store_col_dup(s, 8);
	m->capacity = sqlite3_column_int(s, 9);
	m->deadline = (time_t)sqlite3_column_int64(s, 10);
	m->open = sqlite3_column_int(s, 11) != 0;
	m->description = store_col_dup(s, 12);
	m->status = store_col_dup(s, 13);
	m->sequence = sqlite3_column_int(s, 14);
	m->parent = sqlite3_column_int64(s, 15);
	m->taken = sqlite3_column_int(s, 16);
	m->waiting = sqlite3_column_int(s, 17);
	m->agenda = store_col_dup(s, 18);
}

/* Binds the fields that add and update share, from index i on. */
static int
store_meeting_bind(sqlite3_stmt *s, int i, const struct meeting *m)
{
	bind_text(s, i++, m->title);
	bind_text(s, i++, m->kind);
	sqlite3_bind_int64(s, i++, m->start);
	sqlite3_bind_int64(s, i++, m->end);
	bind_text(s, i++, m->place);
	bind_text(s, i++, m->host);
	bind_text(s, i++, m->host_contact);
	sqlite3_bind_int(s, i++, m->capacity);
	if (m->deadline != 0)
		sqlite3_bind_int64(s, i++, m->deadline);
	else
		sqlite3_bind_null(s, i++);
	sqlite3_bind_int(s, i++, m->open);
	bind_text(s, i++, m->description);
	return i;
}

int
store_meeting_add(struct store *st, const struct meeting *m, time_t now,
    char **code)
{
	sqlite3_stmt	*s;
	char		 letter[2];
	int64_t		 n;
	int		 i;

	*code = NULL;
	if (m->code != NULL)
		*code = xstrdup(m->code);
	else {
		letter[0] = strcmp(m->kind, "outing") == 0 ? 'U' :
		    strcmp(m->kind, "conference") == 0 ? 'K' :
		    strcmp(m->kind, "workshop") == 0 ? 'W' : 'M';
		letter[1] = '\0';
		if ((s = store_stmt(st, Q_MEET_COUNT_KIND)) == NULL)
			return -1;
		bind_text(s, 1, letter);
		if (store_count(st, s, &n) == -1)
			return -1;
		*code = xasprintf("%s%lld", letter, (long long)n + 1);
	}
	if ((s = store_stmt(st, Q_MEET_ADD)) == NULL)
		goto fail;
	bind_text(s, 1, *code);
	i = store_meeting_bind(s, 2, m);
	if (m->parent != 0)
		sqlite3_bind_int64(s, i++, m->parent);
	else
		sqlite3_bind_null(s, i++);
	sqlite3_bind_int64(s, i++, now);
	bind_text(s, i, m->agenda);
	if (store_exec_done(st, s) == 0)
		return 0;
 fail:
	free(*code);
	*code = NULL;
	return -1;
}

int
store_meeting_get(struct store *st, const char *code, struct meeting *m)
{
	sqlite3_stmt	*s;
	int		 r;

	memset(m, 0, sizeof(*m));
	if ((s = store_stmt(st, Q_MEET_GET)) == NULL)
		return -1;
	bind_text(s, 1, code);
	if ((r = sqlite3_step(s)) == SQLITE_ROW)
		store_meeting_read(s, m);
	sqlite3_reset(s);
	if (r == SQLITE_ROW)
		return 1;
	return r == SQLITE_DONE ? 0 : -1;
}

int
store_meeting_by_id(struct store *st, int64_t id, struct meeting *m)
{
	sqlite3_stmt	*s;
	int		 r;

	memset(m, 0, sizeof(*m));
	if ((s = store_stmt(st, Q_MEET_GET_ID)) == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, id);
	if ((r = sqlite3_step(s)) == SQLITE_ROW)
		store_meeting_read(s, m);
	sqlite3_reset(s);
	if (r == SQLITE_ROW)
		return 1;
	return r == SQLITE_DONE ? 0 : -1;
}

int
store_meeting_update(struct store *st, const struct meeting *m)
{
	sqlite3_stmt	*s;
	int		 i;

	if ((s = store_stmt(st, Q_MEET_UPDATE)) == NULL)
		return -1;
	i = store_meeting_bind(s, 1, m);
	bind_text(s, i++, m->status);
	sqlite3_bind_int(s, i++, m->sequence);
	if (m->parent != 0)
		sqlite3_bind_int64(s, i++, m->parent);
	else
		sqlite3_bind_null(s, i++);
	bind_text(s, i++, m->agenda);
	sqlite3_bind_int64(s, i, m->id);
	return store_exec_done(st, s);
}

int
store_meeting_list(struct store *st, time_t since, struct meeting **v,
    size_t *n)
{
	sqlite3_stmt	*s;
	struct meeting	*a = NULL;
	size_t		 cnt = 0;
	int		 r;

	*v = NULL;
	*n = 0;
	if ((s = store_stmt(st, Q_MEET_LIST)) == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, since);
	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		a = xrealloc(a, (cnt + 1) * sizeof(*a));
		memset(&a[cnt], 0, sizeof(*a));
		store_meeting_read(s, &a[cnt++]);
	}
	sqlite3_reset(s);
	if (r != SQLITE_DONE) {
		meetings_free(a, cnt);
		return -1;
	}
	*v = a;
	*n = cnt;
	return 0;
}

void
meeting_clear(struct meeting *m)
{
	free(m->code);
	free(m->title);
	free(m->kind);
	free(m->place);
	free(m->host);
	free(m->host_contact);
	free(m->description);
	free(m->agenda);
	free(m->status);
	memset(m, 0, sizeof(*m));
}

void
meetings_free(struct meeting *v, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		meeting_clear(&v[i]);
	free(v);
}

static void
store_reg_read(sqlite3_stmt *s, struct registration *g)
{
	g->id = sqlite3_column_int64(s, 0);
	g->meeting = sqlite3_column_int64(s, 1);
	g->addr = store_col_dup(s, 2);
	g->name = store_col_dup(s, 3);
	g->note = store_col_dup(s, 4);
	g->uid = store_col_dup(s, 5);
	g->state = store_col_dup(s, 6);
	g->partstat = store_col_dup(s, 7);
	g->guest = sqlite3_column_int(s, 8) != 0;
	g->created = (time_t)sqlite3_column_int64(s, 9);
	g->reminded = (time_t)sqlite3_column_int64(s, 10);
}

static int
store_reg_one(struct store *st, sqlite3_stmt *s, struct registration *g)
{
	int	 r;

	if ((r = sqlite3_step(s)) == SQLITE_ROW)
		store_reg_read(s, g);
	sqlite3_reset(s);
	if (r == SQLITE_ROW)
		return 1;
	if (r != SQLITE_DONE)
		log_warnx("store: %s", sqlite3_errmsg(st->db));
	return r == SQLITE_DONE ? 0 : -1;
}

int
store_reg_get(struct store *st, int64_t meeting, const char *addr,
    struct registration *g)
{
	sqlite3_stmt	*s;

	memset(g, 0, sizeof(*g));
	if ((s = store_stmt(st, Q_REG_GET)) == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, meeting);
	bind_text(s, 2, addr);
	return store_reg_one(st, s, g);
}

int
store_reg_by_uid(struct store *st, const char *uid, struct registration *g)
{
	sqlite3_stmt	*s;

	memset(g, 0, sizeof(*g));
	if ((s = store_stmt(st, Q_REG_BY_UID)) == NULL)
		return -1;
	bind_text(s, 1, uid);
	return store_reg_one(st, s, g);
}

int
store_reg_put(struct store *st, const struct registration *g, time_t now)
{
	sqlite3_stmt	*s;

	if ((s = store_stmt(st, Q_REG_PUT)) == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, g->meeting);
	bind_text(s, 2, g->addr);
	bind_text(s, 3, g->name);
	bind_text(s, 4, g->note);
	bind_text(s, 5, g->uid);
	bind_text(s, 6, g->state);
	sqlite3_bind_int(s, 7, g->guest);
	sqlite3_bind_int64(s, 8, now);
	return store_exec_done(st, s);
}

int
store_reg_set_state(struct store *st, int64_t id, const char *state)
{
	sqlite3_stmt	*s;

	if ((s = store_stmt(st, Q_REG_STATE)) == NULL)
		return -1;
	bind_text(s, 1, state);
	sqlite3_bind_int64(s, 2, id);
	return store_exec_done(st, s);
}

int
store_reg_set_partstat(struct store *st, int64_t id, const char *partstat)
{
	sqlite3_stmt	*s;

	if ((s = store_stmt(st, Q_REG_PARTSTAT)) == NULL)
		return -1;
	bind_text(s, 1, partstat);
	sqlite3_bind_int64(s, 2, id);
	return store_exec_done(st, s);
}

int
store_reg_list(struct store *st, int64_t meeting, const char *state,
    struct registration **v, size_t *n)
{
	sqlite3_stmt		*s;
	struct registration	*a = NULL;
	size_t			 cnt = 0;
	int			 r;

	*v = NULL;
	*n = 0;
	if ((s = store_stmt(st, state ? Q_REG_LIST_STATE : Q_REG_LIST)) == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, meeting);
	if (state != NULL)
		bind_text(s, 2, state);
	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		a = xrealloc(a, (cnt + 1) * sizeof(*a));
		memset(&a[cnt], 0, sizeof(*a));
		store_reg_read(s, &a[cnt++]);
	}
	sqlite3_reset(s);
	if (r != SQLITE_DONE) {
		registrations_free(a, cnt);
		return -1;
	}
	*v = a;
	*n = cnt;
	return 0;
}

int
store_reg_position(struct store *st, const struct registration *g, int *pos)
{
	sqlite3_stmt	*s;
	int64_t		 n;

	*pos = 0;
	if ((s = store_stmt(st, Q_REG_POS)) == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, g->meeting);
	sqlite3_bind_int64(s, 2, g->created);
	sqlite3_bind_int64(s, 3, g->created);
	sqlite3_bind_int64(s, 4, g->id);
	if (store_count(st, s, &n) == -1)
		return -1;
	*pos = (int)n;
	return 0;
}

void
registration_clear(struct registration *g)
{
	free(g->addr);
	free(g->name);
	free(g->note);
	free(g->uid);
	free(g->state);
	free(g->partstat);
	memset(g, 0, sizeof(*g));
}

void
registrations_free(struct registration *v, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		registration_clear(&v[i]);
	free(v);
}

/*
 * Reminders (remind.c). These statements are prepared per call rather
 * than kept in sql[]: they run once a round, and most rounds find
 * nothing to do.
 */
int
store_meeting_remind_due(struct store *st, time_t now, time_t until,
    struct meeting **v, size_t *n)
{
	static const char	 q[] = "SELECT " MCOLS " FROM meetings m "
	    "WHERE m.status = 'planned' AND m.start > ? AND m.start <= ? AND "
	    "((m.reminded IS NULL AND m.host_contact IS NOT NULL) OR EXISTS "
	    "(SELECT 1 FROM registrations r WHERE r.meeting = m.id AND "
	    "r.state = 'registered' AND r.reminded IS NULL)) "
	    "ORDER BY m.start, m.id";
	sqlite3_stmt		*s = NULL;
	struct meeting		*a = NULL;
	size_t			 cnt = 0;
	int			 r = SQLITE_ERROR, rc = -1;

	*v = NULL;
	*n = 0;
	if (sqlite3_prepare_v2(st->db, q, -1, &s, NULL) != SQLITE_OK)
		goto out;
	sqlite3_bind_int64(s, 1, now);
	sqlite3_bind_int64(s, 2, until);
	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		a = xrealloc(a, (cnt + 1) * sizeof(*a));
		memset(&a[cnt], 0, sizeof(*a));
		store_meeting_read(s, &a[cnt++]);
	}
	if (r != SQLITE_DONE)
		goto out;
	*v = a;
	*n = cnt;
	a = NULL;
	cnt = 0;
	rc = 0;
 out:
	if (rc == -1)
		log_warnx("store: %s", sqlite3_errmsg(st->db));
	sqlite3_finalize(s);
	meetings_free(a, cnt);
	return rc;
}

/* An UPDATE of one row by id, setting now; 1 if it changed a row. */
static int
store_mark_once(struct store *st, const char *q, int64_t id, time_t now)
{
	sqlite3_stmt	*s = NULL;
	int		 rc = -1;

	if (sqlite3_prepare_v2(st->db, q, -1, &s, NULL) == SQLITE_OK) {
		sqlite3_bind_int64(s, 1, now);
		sqlite3_bind_int64(s, 2, id);
		if (sqlite3_step(s) == SQLITE_DONE)
			rc = sqlite3_changes(st->db) > 0 ? 1 : 0;
	}
	if (rc == -1)
		log_warnx("store: %s", sqlite3_errmsg(st->db));
	sqlite3_finalize(s);
	return rc;
}

int
store_meeting_set_reminded(struct store *st, int64_t id, time_t now)
{
	return store_mark_once(st, "UPDATE meetings SET reminded = ? "
	    "WHERE id = ? AND reminded IS NULL", id, now);
}

int
store_reg_set_reminded(struct store *st, int64_t id, time_t now)
{
	return store_mark_once(st, "UPDATE registrations SET reminded = ? "
	    "WHERE id = ? AND reminded IS NULL AND state = 'registered'", id,
	    now);
}

int
store_meeting_reminders_reset(struct store *st, int64_t id)
{
	sqlite3_stmt	*s;

	if ((s = store_stmt(st, Q_MEET_REMIND_RESET)) == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, id);
	if (store_exec_done(st, s) == -1 ||
	    (s = store_stmt(st, Q_REG_REMIND_RESET)) == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, id);
	return store_exec_done(st, s);
}

/*
 * Markedspladsen. Like the reminders' statements, these are prepared per
 * call: few, and far from the hot path.
 */
int
store_prepare(struct store *st, const char *q, sqlite3_stmt **s)
{
	if (sqlite3_prepare_v2(st->db, q, -1, s, NULL) != SQLITE_OK) {
		log_warnx("store: %s", sqlite3_errmsg(st->db));
		return -1;
	}
	return 0;
}

int
store_idea_add(struct store *st, const struct idea *i, time_t now,
    int64_t *id)
{
	sqlite3_stmt	*s = NULL;
	int		 rc = -1;

	if (store_prepare(st, "INSERT INTO ideas (author, title, body, theme, "
	    "seeking, status, created) VALUES (?, ?, ?, ?, ?, 'open', ?)",
	    &s) == -1)
		goto out;
	bind_text(s, 1, i->author);
	bind_text(s, 2, i->title);
	bind_text(s, 3, i->body);
	if (i->theme > 0)
		sqlite3_bind_int(s, 4, i->theme);
	else
		sqlite3_bind_null(s, 4);
	bind_text(s, 5, i->seeking);
	sqlite3_bind_int64(s, 6, now);
	if (sqlite3_step(s) != SQLITE_DONE) {
		log_warnx("store: %s", sqlite3_errmsg(st->db));
		goto out;
	}
	*id = sqlite3_last_insert_rowid(st->db);
	rc = 0;
 out:
	sqlite3_finalize(s);
	return rc;
}

static void
store_idea_read(sqlite3_stmt *s, struct idea *i)
{
	i->id = sqlite3_column_int64(s, 0);
	i->author = store_col_dup(s, 1);
	i->title = store_col_dup(s, 2);
	i->body = store_col_dup(s, 3);
	i->theme = sqlite3_column_int(s, 4);
	i->seeking = store_col_dup(s, 5);
	i->status = store_col_dup(s, 6);
	i->created = (time_t)sqlite3_column_int64(s, 7);
}

int
store_idea_get(struct store *st, int64_t id, struct idea *i)
{
	sqlite3_stmt	*s = NULL;
	int		 r, rc = -1;

	memset(i, 0, sizeof(*i));
	if (store_prepare(st, "SELECT id, author, title, body, theme, seeking, "
	    "status, created FROM ideas WHERE id = ?", &s) == -1)
		goto out;
	sqlite3_bind_int64(s, 1, id);
	if ((r = sqlite3_step(s)) == SQLITE_ROW)
		store_idea_read(s, i);
	rc = r == SQLITE_ROW ? 1 : r == SQLITE_DONE ? 0 : -1;
 out:
	sqlite3_finalize(s);
	return rc;
}

int
store_idea_list(struct store *st, bool open_only, struct idea **v, size_t *n)
{
	sqlite3_stmt	*s = NULL;
	struct idea	*a = NULL;
	size_t		 cnt = 0;
	int		 r, rc = -1;

	*v = NULL;
	*n = 0;
	if (store_prepare(st, open_only ? "SELECT id, author, title, body, "
	    "theme, seeking, status, created FROM ideas WHERE status = 'open' "
	    "ORDER BY id" : "SELECT id, author, title, body, theme, seeking, "
	    "status, created FROM ideas ORDER BY id", &s) == -1)
		goto out;
	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		a = xrealloc(a, (cnt + 1) * sizeof(*a));
		memset(&a[cnt], 0, sizeof(*a));
		store_idea_read(s, &a[cnt++]);
	}
	if (r != SQLITE_DONE) {
		ideas_free(a, cnt);
		goto out;
	}
	*v = a;
	*n = cnt;
	rc = 0;
 out:
	sqlite3_finalize(s);
	return rc;
}

int
store_idea_close(struct store *st, int64_t id)
{
	sqlite3_stmt	*s = NULL;
	int		 rc = -1;

	if (store_prepare(st, "UPDATE ideas SET status = 'closed' WHERE id = ?",
	    &s) == 0) {
		sqlite3_bind_int64(s, 1, id);
		rc = sqlite3_step(s) == SQLITE_DONE ? 0 : -1;
	}
	sqlite3_finalize(s);
	return rc;
}

int
store_interest_add(struct store *st, int64_t idea, const char *addr,
    time_t now)
{
	sqlite3_stmt	*s = NULL;
	int		 rc = -1;

	if (store_prepare(st, "INSERT OR IGNORE INTO interests (idea, addr, "
	    "created) VALUES (?, ?, ?)", &s) == 0) {
		sqlite3_bind_int64(s, 1, idea);
		bind_text(s, 2, addr);
		sqlite3_bind_int64(s, 3, now);
		if (sqlite3_step(s) == SQLITE_DONE)
			rc = sqlite3_changes(st->db) > 0 ? 1 : 0;
	}
	sqlite3_finalize(s);
	return rc;
}

void
idea_clear(struct idea *i)
{
	free(i->author);
	free(i->title);
	free(i->body);
	free(i->seeking);
	free(i->status);
	memset(i, 0, sizeof(*i));
}

void
ideas_free(struct idea *v, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		idea_clear(&v[i]);
	free(v);
}

/* The list: posts, their copies, bounces. */

#define PCOLS	"p.id, p.kind, p.meeting, p.sender, p.sender_name, "	\
	"p.subject, p.body, p.files, p.msgid, p.state, p.created, "	\
	"p.started, p.finished, (SELECT count(*) FROM post_rcpts r "	\
	"WHERE r.post = p.id), (SELECT count(*) FROM post_rcpts r "	\
	"WHERE r.post = p.id AND r.sent IS NOT NULL), (SELECT count(*) "	\
	"FROM post_rcpts r WHERE r.post = p.id AND r.failed IS NOT NULL)"

static void
store_post_read(sqlite3_stmt *s, struct post *p)
{
	p->id = sqlite3_column_int64(s, 0);
	p->kind = store_col_dup(s, 1);
	p->meeting = sqlite3_column_int64(s, 2);
	p->sender = store_col_dup(s, 3);
	p->sender_name = store_col_dup(s, 4);
	p->subject = store_col_dup(s, 5);
	p->body = store_col_dup(s, 6);
	p->files = store_col_dup(s, 7);
	p->msgid = store_col_dup(s, 8);
	p->state = store_col_dup(s, 9);
	p->created = (time_t)sqlite3_column_int64(s, 10);
	p->started = (time_t)sqlite3_column_int64(s, 11);
	p->finished = (time_t)sqlite3_column_int64(s, 12);
	p->total = sqlite3_column_int64(s, 13);
	p->sent = sqlite3_column_int64(s, 14);
	p->failed = sqlite3_column_int64(s, 15);
}

int
store_post_add(struct store *st, const struct post *p, time_t now,
    int64_t *id)
{
	sqlite3_stmt	*s = NULL;
	int		 rc = -1;

	if (store_prepare(st, "INSERT INTO posts (kind, meeting, sender, "
	    "sender_name, subject, body, files, msgid, data, state, created) "
	    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", &s) == -1)
		goto out;
	bind_text(s, 1, p->kind);
	if (p->meeting > 0)
		sqlite3_bind_int64(s, 2, p->meeting);
	else
		sqlite3_bind_null(s, 2);
	bind_text(s, 3, p->sender);
	bind_text(s, 4, p->sender_name);
	bind_text(s, 5, p->subject);
	bind_text(s, 6, p->body);
	bind_text(s, 7, p->files);
	bind_text(s, 8, p->msgid);
	sqlite3_bind_blob64(s, 9, p->data, p->len, SQLITE_TRANSIENT);
	bind_text(s, 10, p->state);
	sqlite3_bind_int64(s, 11, now);
	if (sqlite3_step(s) != SQLITE_DONE) {
		log_warnx("store: %s", sqlite3_errmsg(st->db));
		goto out;
	}
	*id = sqlite3_last_insert_rowid(st->db);
	rc = 0;
 out:
	sqlite3_finalize(s);
	return rc;
}

int
store_post_get(struct store *st, int64_t id, bool with_data, struct post *p)
{
	sqlite3_stmt	*s = NULL;
	const void	*b;
	int		 r, rc = -1;

	memset(p, 0, sizeof(*p));
	if (store_prepare(st, "SELECT " PCOLS ", p.data FROM posts p "
	    "WHERE p.id = ?", &s) == -1)
		goto out;
	sqlite3_bind_int64(s, 1, id);
	if ((r = sqlite3_step(s)) == SQLITE_ROW) {
		store_post_read(s, p);
		if (with_data) {
			p->len = (size_t)sqlite3_column_bytes(s, 16);
			b = sqlite3_column_blob(s, 16);
			p->data = xmalloc(p->len + 1);
			if (p->len > 0)
				memcpy(p->data, b, p->len);
			p->data[p->len] = '\0';
		}
	}
	rc = r == SQLITE_ROW ? 1 : r == SQLITE_DONE ? 0 : -1;
 out:
	sqlite3_finalize(s);
	return rc;
}

int
store_post_list(struct store *st, size_t max, struct post **v, size_t *n)
{
	sqlite3_stmt	*s = NULL;
	struct post	*a = NULL;
	size_t		 cnt = 0;
	int		 r, rc = -1;

	*v = NULL;
	*n = 0;
	if (store_prepare(st, "SELECT " PCOLS " FROM posts p WHERE p.state != "
	    "'preview' ORDER BY p.id DESC LIMIT ?", &s) == -1)
		goto out;
	sqlite3_bind_int64(s, 1, (sqlite3_int64)max);
	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		a = xrealloc(a, (cnt + 1) * sizeof(*a));
		memset(&a[cnt], 0, sizeof(*a));
		store_post_read(s, &a[cnt++]);
	}
	if (r != SQLITE_DONE) {
		posts_free(a, cnt);
		goto out;
	}
	*v = a;
	*n = cnt;
	rc = 0;
 out:
	sqlite3_finalize(s);
	return rc;
}

/* Runs one statement with up to three integer parameters. */
static int
store_exec_ints(struct store *st, const char *q, int nargs, int64_t a,
    int64_t b, int64_t c)
{
	sqlite3_stmt	*s = NULL;
	int		 rc = -1;

	if (store_prepare(st, q, &s) == 0) {
		if (nargs > 0)
			sqlite3_bind_int64(s, 1, a);
		if (nargs > 1)
			sqlite3_bind_int64(s, 2, b);
		if (nargs > 2)
			sqlite3_bind_int64(s, 3, c);
		if (sqlite3_step(s) == SQLITE_DONE)
			rc = 0;
		else
			log_warnx("store: %s", sqlite3_errmsg(st->db));
	}
	sqlite3_finalize(s);
	return rc;
}

/* Who gets a post: ?3 is the meeting (0: none). */
#define POST_MEMBERS	"FROM members WHERE status = 'active'"
#define POST_GUESTS	"FROM registrations WHERE meeting = ?3 AND "	\
	"state = 'registered' AND guest = 1"

int
store_post_start(struct store *st, int64_t id, int64_t meeting, time_t now,
    int64_t *n)
{
	int	 before;

	*n = 0;
	before = sqlite3_total_changes(st->db);
	if (store_exec_ints(st, "INSERT OR IGNORE INTO post_rcpts (post, addr, "
	    "token, member, next_try) SELECT ?1, addr, lower(hex(randomblob("
	    "8))), 1, ?2 " POST_MEMBERS " ORDER BY id", 2, id, now, 0) == -1 || store_exec_ints(st, "INSERT OR IGNORE "
	    "INTO post_rcpts (post, addr, token, member, next_try) SELECT ?1, "
	    "addr, lower(hex(randomblob(8))), 0, ?2 " POST_GUESTS " ORDER BY "
	    "id", 3, id, now, meeting) == -1)
		return -1;
	*n = sqlite3_total_changes(st->db) - before;
	return store_exec_ints(st, "UPDATE posts SET state = 'sending', "
	    "started = ?2 WHERE id = ?1", 2, id, now, 0);
}

int
store_post_finish(struct store *st, time_t now)
{
	return store_exec_ints(st, "UPDATE posts SET state = 'done', finished "
	    "= ?1 WHERE state = 'sending' AND NOT EXISTS (SELECT 1 FROM "
	    "post_rcpts r WHERE r.post = posts.id AND r.sent IS NULL AND "
	    "r.failed IS NULL)", 1, now, 0, 0);
}

void
post_clear(struct post *p)
{
	free(p->kind);
	free(p->sender);
	free(p->sender_name);
	free(p->subject);
	free(p->body);
	free(p->files);
	free(p->msgid);
	free(p->data);
	free(p->state);
	memset(p, 0, sizeof(*p));
}

void
posts_free(struct post *v, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		post_clear(&v[i]);
	free(v);
}

int
store_rcpt_due(struct store *st, time_t now, bool force, int64_t after,
    size_t max, struct post_rcpt **v, size_t *n)
{
	sqlite3_stmt	*s;
	struct post_rcpt *a = NULL;
	size_t		 cnt = 0;
	int		 r;

	*v = NULL;
	*n = 0;
	if ((s = store_stmt(st, Q_RCPT_DUE)) == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, now);
	sqlite3_bind_int(s, 2, force);
	sqlite3_bind_int64(s, 3, after);
	sqlite3_bind_int64(s, 4, (sqlite3_int64)max);
	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		if (cnt % 64 == 0)
			a = xrealloc(a, (cnt + 64) * sizeof(*a));
		a[cnt].id = sqlite3_column_int64(s, 0);
		a[cnt].post = sqlite3_column_int64(s, 1);
		a[cnt].addr = store_col_dup(s, 2);
		a[cnt].token = store_col_dup(s, 3);
		a[cnt].unsub = store_col_dup(s, 4);
		a[cnt].attempts = sqlite3_column_int(s, 5);
		a[cnt].gone = sqlite3_column_int(s, 6) != 0;
		cnt++;
	}
	sqlite3_reset(s);
	if (r != SQLITE_DONE) {
		log_warnx("store: %s", sqlite3_errmsg(st->db));
		post_rcpts_free(a, cnt);
		return -1;
	}
	*v = a;
	*n = cnt;
	return 0;
}

int
store_rcpt_sent(struct store *st, int64_t id, time_t now)
{
	sqlite3_stmt	*s;

	if ((s = store_stmt(st, Q_RCPT_SENT)) == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, now);
	sqlite3_bind_int64(s, 2, id);
	return store_exec_done(st, s);
}

int
store_rcpt_retry(struct store *st, int64_t id, time_t next, const char *error)
{
	sqlite3_stmt	*s;

	if ((s = store_stmt(st, Q_RCPT_RETRY)) == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, next);
	bind_text(s, 2, error);
	sqlite3_bind_int64(s, 3, id);
	return store_exec_done(st, s);
}

int
store_rcpt_failed(struct store *st, int64_t id, time_t now, const char *error)
{
	sqlite3_stmt	*s;

	if ((s = store_stmt(st, Q_RCPT_FAILED)) == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, now);
	bind_text(s, 2, error);
	sqlite3_bind_int64(s, 3, id);
	return store_exec_done(st, s);
}

int
store_rcpt_next(struct store *st, time_t *when)
{
	sqlite3_stmt	*s;
	int64_t		 n;

	*when = 0;
	if ((s = store_stmt(st, Q_RCPT_NEXT)) == NULL ||
	    store_count(st, s, &n) == -1)
		return -1;
	*when = (time_t)n;
	return 0;
}

int
store_rcpt_by_token(struct store *st, const char *token, char **addr,
    int64_t *post)
{
	sqlite3_stmt	*s = NULL;
	int		 r, rc = -1;

	*addr = NULL;
	*post = 0;
	if (store_prepare(st, "SELECT addr, post FROM post_rcpts WHERE "
	    "token = lower(?)", &s) == -1)
		goto out;
	bind_text(s, 1, token);
	if ((r = sqlite3_step(s)) == SQLITE_ROW) {
		*addr = store_col_dup(s, 0);
		*post = sqlite3_column_int64(s, 1);
	}
	rc = r == SQLITE_ROW ? 1 : r == SQLITE_DONE ? 0 : -1;
 out:
	sqlite3_finalize(s);
	return rc;
}

void
post_rcpts_free(struct post_rcpt *v, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++) {
		free(v[i].addr);
		free(v[i].token);
		free(v[i].unsub);
	}
	free(v);
}

int
store_sent_times(struct store *st, time_t since, time_t **v, size_t *n)
{
	sqlite3_stmt	*s = NULL;
	time_t		*a = NULL;
	size_t		 cnt = 0;
	int		 r, rc = -1;

	*v = NULL;
	*n = 0;
	if (store_prepare(st, "SELECT sent FROM outbox WHERE sent >= ?1 UNION "
	    "ALL SELECT sent FROM post_rcpts WHERE sent >= ?1 ORDER BY 1",
	    &s) == -1)
		goto out;
	sqlite3_bind_int64(s, 1, since);
	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		if (cnt % 256 == 0)
			a = xrealloc(a, (cnt + 256) * sizeof(*a));
		a[cnt++] = (time_t)sqlite3_column_int64(s, 0);
	}
	if (r != SQLITE_DONE) {
		free(a);
		goto out;
	}
	*v = a;
	*n = cnt;
	rc = 0;
 out:
	sqlite3_finalize(s);
	return rc;
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
store_member_by_token(struct store *st, const char *token, struct member *m)
{
	sqlite3_stmt	*s = NULL;
	int		 r, rc = -1;

	memset(m, 0, sizeof(*m));
	if (store_prepare(st, "SELECT addr FROM members WHERE token = lower(?)",
	    &s) == -1)
		goto out;
	bind_text(s, 1, token);
	if ((r = sqlite3_step(s)) == SQLITE_ROW) {
		char *addr = store_col_dup(s, 0);

		sqlite3_finalize(s);
		s = NULL;
		rc = store_member_get(st, addr, m);
		free(addr);
		goto out;
	}
	rc = r == SQLITE_DONE ? 0 : -1;
 out:
	sqlite3_finalize(s);
	return rc;
}

int
store_member_set_status(struct store *st, const char *addr,
    const char *status)
{
	sqlite3_stmt	*s = NULL;
	int		 rc = -1;

	if (store_prepare(st, "UPDATE members SET status = ? WHERE addr = ?",
	    &s) == 0) {
		bind_text(s, 1, status);
		bind_text(s, 2, addr);
		rc = sqlite3_step(s) == SQLITE_DONE ? 0 : -1;
	}
	sqlite3_finalize(s);
	return rc;
}

int
store_post_audience(struct store *st, int64_t meeting, int64_t *n)
{
	sqlite3_stmt	*s = NULL;
	int		 rc = -1;

	if (store_prepare(st, "SELECT count(*) FROM (SELECT addr "
	    POST_MEMBERS " UNION SELECT addr " POST_GUESTS ")", &s) == 0) {
		sqlite3_bind_int64(s, 3, meeting);
		rc = store_count(st, s, n);
	}
	sqlite3_finalize(s);
	return rc;
}

int
store_bounce_add(struct store *st, const char *addr, int64_t post,
    const char *status, const char *diagnostic, time_t now, const char *day)
{
	sqlite3_stmt	*s = NULL;
	int		 rc = -1;

	if (store_prepare(st, "INSERT INTO bounces (addr, post, status, "
	    "diagnostic, at, day) VALUES (?, ?, ?, ?, ?, ?)", &s) == 0) {
		bind_text(s, 1, addr);
		if (post > 0)
			sqlite3_bind_int64(s, 2, post);
		bind_text(s, 3, status);
		bind_text(s, 4, diagnostic);
		sqlite3_bind_int64(s, 5, now);
		bind_text(s, 6, day);
		rc = sqlite3_step(s) == SQLITE_DONE ? 0 : -1;
	}
	sqlite3_finalize(s);
	return rc;
}

int
store_bounce_days(struct store *st, const char *addr, int64_t *n)
{
	sqlite3_stmt	*s = NULL;
	int		 rc = -1;

	if (store_prepare(st, "SELECT count(DISTINCT day) FROM bounces WHERE "
	    "addr = ? AND cleared IS NULL", &s) == 0) {
		bind_text(s, 1, addr);
		rc = store_count(st, s, n);
	}
	sqlite3_finalize(s);
	return rc;
}

int
store_bounce_clear(struct store *st, const char *addr)
{
	sqlite3_stmt	*s = NULL;
	int		 rc = -1;

	if (store_prepare(st, "UPDATE bounces SET cleared = 1 WHERE addr = ? "
	    "AND cleared IS NULL", &s) == 0) {
		bind_text(s, 1, addr);
		rc = sqlite3_step(s) == SQLITE_DONE ? 0 : -1;
	}
	sqlite3_finalize(s);
	return rc;
}
