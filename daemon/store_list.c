/*
 * store_list.c: the list in the store: posts, their personal copies
 * and unsubscribe tokens, and bounces (listmail.c, outbox.c, bounce
 * handling). See store.c for the rules every store file keeps.
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
	Q_RCPT_DUE, Q_RCPT_SENT, Q_RCPT_RETRY, Q_RCPT_FAILED, Q_RCPT_NEXT,
	Q_MAX,
};

static void	 store_post_read(sqlite3_stmt *, void *);
static void	 store_post_clear(void *);
static int	 store_exec_ints(struct store *, const char *, int, int64_t,
		    int64_t, int64_t);
static void	 store_rcpt_read(sqlite3_stmt *, void *);
static void	 store_rcpt_clear(void *);

static const char *const sql[Q_MAX] = {
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
};

/* The list: posts, their copies, bounces. */

#define PCOLS	"p.id, p.kind, p.meeting, p.sender, p.sender_name, "	\
	"p.subject, p.body, p.files, p.msgid, p.state, p.created, "	\
	"p.started, p.finished, (SELECT count(*) FROM post_rcpts r "	\
	"WHERE r.post = p.id), (SELECT count(*) FROM post_rcpts r "	\
	"WHERE r.post = p.id AND r.sent IS NOT NULL), (SELECT count(*) "	\
	"FROM post_rcpts r WHERE r.post = p.id AND r.failed IS NOT NULL)"

static const struct store_rowtype store_post_rows = {
	sizeof(struct post), store_post_read, store_post_clear
};

static const struct store_rowtype store_rcpt_rows = {
	sizeof(struct post_rcpt), store_rcpt_read, store_rcpt_clear
};

static void
store_post_read(sqlite3_stmt *s, void *vp)
{
	struct post	*p = vp;

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

	if ((s = store_stmt(st, "INSERT INTO posts (kind, meeting, sender, "
	    "sender_name, subject, body, files, msgid, data, state, created) "
	    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) == NULL)
		goto out;
	store_bind_text(s, 1, p->kind);
	if (p->meeting > 0)
		sqlite3_bind_int64(s, 2, p->meeting);
	else
		sqlite3_bind_null(s, 2);
	store_bind_text(s, 3, p->sender);
	store_bind_text(s, 4, p->sender_name);
	store_bind_text(s, 5, p->subject);
	store_bind_text(s, 6, p->body);
	store_bind_text(s, 7, p->files);
	store_bind_text(s, 8, p->msgid);
	sqlite3_bind_blob64(s, 9, p->data, p->len, SQLITE_TRANSIENT);
	store_bind_text(s, 10, p->state);
	sqlite3_bind_int64(s, 11, now);
	if (sqlite3_step(s) != SQLITE_DONE) {
		store_warn(st);
		goto out;
	}
	*id = sqlite3_last_insert_rowid(st->db);
	rc = 0;
 out:
	sqlite3_reset(s);
	return rc;
}

int
store_post_get(struct store *st, int64_t id, bool with_data, struct post *p)
{
	sqlite3_stmt	*s = NULL;
	const void	*b;
	int		 r, rc = -1;

	memset(p, 0, sizeof(*p));
	if ((s = store_stmt(st, "SELECT " PCOLS ", p.data FROM posts p "
	    "WHERE p.id = ?")) == NULL)
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
	sqlite3_reset(s);
	return rc;
}

static void
store_post_clear(void *p)
{
	post_clear(p);
}

int
store_post_list(struct store *st, size_t max, struct post **v, size_t *n)
{
	sqlite3_stmt	*s;

	*v = NULL;
	*n = 0;
	if ((s = store_stmt(st, "SELECT " PCOLS " FROM posts p WHERE "
	    "p.state != 'preview' ORDER BY p.id DESC LIMIT ?")) == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, (sqlite3_int64)max);
	return store_rows(st, s, &store_post_rows, v, n);
}

/* Runs one statement with up to three integer parameters. */
static int
store_exec_ints(struct store *st, const char *q, int nargs, int64_t a,
    int64_t b, int64_t c)
{
	sqlite3_stmt	*s = NULL;
	int		 rc = -1;

	if ((s = store_stmt(st, q)) != NULL) {
		if (nargs > 0)
			sqlite3_bind_int64(s, 1, a);
		if (nargs > 1)
			sqlite3_bind_int64(s, 2, b);
		if (nargs > 2)
			sqlite3_bind_int64(s, 3, c);
		if (sqlite3_step(s) == SQLITE_DONE)
			rc = 0;
		else
			store_warn(st);
	}
	sqlite3_reset(s);
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
	    "8))), 1, ?2 " POST_MEMBERS " ORDER BY id", 2, id, now, 0) == -1 ||
	    store_exec_ints(st, "INSERT OR IGNORE "
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
	store_rows_free(&store_post_rows, v, n);
}

static void
store_rcpt_read(sqlite3_stmt *s, void *p)
{
	struct post_rcpt	*r = p;

	r->id = sqlite3_column_int64(s, 0);
	r->post = sqlite3_column_int64(s, 1);
	r->addr = store_col_dup(s, 2);
	r->token = store_col_dup(s, 3);
	r->unsub = store_col_dup(s, 4);
	r->attempts = sqlite3_column_int(s, 5);
	r->gone = sqlite3_column_int(s, 6) != 0;
}

static void
store_rcpt_clear(void *p)
{
	struct post_rcpt	*r = p;

	free(r->addr);
	free(r->token);
	free(r->unsub);
}

int
store_rcpt_due(struct store *st, time_t now, bool force, int64_t after,
    size_t max, struct post_rcpt **v, size_t *n)
{
	sqlite3_stmt	*s;

	*v = NULL;
	*n = 0;
	if ((s = store_stmt(st, sql[Q_RCPT_DUE])) == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, now);
	sqlite3_bind_int(s, 2, force);
	sqlite3_bind_int64(s, 3, after);
	sqlite3_bind_int64(s, 4, (sqlite3_int64)max);
	return store_rows(st, s, &store_rcpt_rows, v, n);
}

int
store_rcpt_sent(struct store *st, int64_t id, time_t now)
{
	sqlite3_stmt	*s;

	if ((s = store_stmt(st, sql[Q_RCPT_SENT])) == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, now);
	sqlite3_bind_int64(s, 2, id);
	return store_exec_done(st, s);
}

int
store_rcpt_retry(struct store *st, int64_t id, time_t next, const char *error)
{
	sqlite3_stmt	*s;

	if ((s = store_stmt(st, sql[Q_RCPT_RETRY])) == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, next);
	store_bind_text(s, 2, error);
	sqlite3_bind_int64(s, 3, id);
	return store_exec_done(st, s);
}

int
store_rcpt_failed(struct store *st, int64_t id, time_t now, const char *error)
{
	sqlite3_stmt	*s;

	if ((s = store_stmt(st, sql[Q_RCPT_FAILED])) == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, now);
	store_bind_text(s, 2, error);
	sqlite3_bind_int64(s, 3, id);
	return store_exec_done(st, s);
}

int
store_rcpt_next(struct store *st, time_t *when)
{
	sqlite3_stmt	*s;
	int64_t		 n;

	*when = 0;
	if ((s = store_stmt(st, sql[Q_RCPT_NEXT])) == NULL ||
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
	if ((s = store_stmt(st, "SELECT addr, post FROM post_rcpts WHERE "
	    "token = lower(?)")) == NULL)
		goto out;
	store_bind_text(s, 1, token);
	if ((r = sqlite3_step(s)) == SQLITE_ROW) {
		*addr = store_col_dup(s, 0);
		*post = sqlite3_column_int64(s, 1);
	}
	rc = r == SQLITE_ROW ? 1 : r == SQLITE_DONE ? 0 : -1;
 out:
	sqlite3_reset(s);
	return rc;
}

void
post_rcpts_free(struct post_rcpt *v, size_t n)
{
	store_rows_free(&store_rcpt_rows, v, n);
}

int
store_member_by_token(struct store *st, const char *token, struct member *m)
{
	sqlite3_stmt	*s = NULL;
	int		 r, rc = -1;

	memset(m, 0, sizeof(*m));
	if ((s = store_stmt(st, "SELECT addr FROM members WHERE "
	    "token = lower(?)")) == NULL)
		goto out;
	store_bind_text(s, 1, token);
	if ((r = sqlite3_step(s)) == SQLITE_ROW) {
		char *addr = store_col_dup(s, 0);

		sqlite3_reset(s);
		s = NULL;
		rc = store_member_get(st, addr, m);
		free(addr);
		goto out;
	}
	rc = r == SQLITE_DONE ? 0 : -1;
 out:
	sqlite3_reset(s);
	return rc;
}

int
store_post_audience(struct store *st, int64_t meeting, int64_t *n)
{
	sqlite3_stmt	*s = NULL;
	int		 rc = -1;

	if ((s = store_stmt(st, "SELECT count(*) FROM (SELECT addr "
	    POST_MEMBERS " UNION SELECT addr " POST_GUESTS ")")) != NULL) {
		sqlite3_bind_int64(s, 3, meeting);
		rc = store_count(st, s, n);
	}
	sqlite3_reset(s);
	return rc;
}

int
store_bounce_add(struct store *st, const char *addr, int64_t post,
    const char *status, const char *diagnostic, time_t now, const char *day)
{
	sqlite3_stmt	*s = NULL;
	int		 rc = -1;

	if ((s = store_stmt(st, "INSERT INTO bounces (addr, post, status, "
	    "diagnostic, at, day) VALUES (?, ?, ?, ?, ?, ?)")) != NULL) {
		store_bind_text(s, 1, addr);
		if (post > 0)
			sqlite3_bind_int64(s, 2, post);
		store_bind_text(s, 3, status);
		store_bind_text(s, 4, diagnostic);
		sqlite3_bind_int64(s, 5, now);
		store_bind_text(s, 6, day);
		rc = sqlite3_step(s) == SQLITE_DONE ? 0 : -1;
	}
	sqlite3_reset(s);
	return rc;
}

int
store_bounce_days(struct store *st, const char *addr, int64_t *n)
{
	sqlite3_stmt	*s = NULL;
	int		 rc = -1;

	if ((s = store_stmt(st, "SELECT count(DISTINCT day) FROM bounces WHERE "
	    "addr = ? AND cleared IS NULL")) != NULL) {
		store_bind_text(s, 1, addr);
		rc = store_count(st, s, n);
	}
	sqlite3_reset(s);
	return rc;
}

int
store_bounce_clear(struct store *st, const char *addr)
{
	sqlite3_stmt	*s = NULL;
	int		 rc = -1;

	if ((s = store_stmt(st, "UPDATE bounces SET cleared = 1 WHERE addr = ? "
	    "AND cleared IS NULL")) != NULL) {
		store_bind_text(s, 1, addr);
		rc = sqlite3_step(s) == SQLITE_DONE ? 0 : -1;
	}
	sqlite3_reset(s);
	return rc;
}
