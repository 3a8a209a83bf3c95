/*
 * store_status.c: the store's part of ffnet status. The daemon records
 * a few named values (status.c, at most about once a minute); ffnet
 * status reads them, the outbox's depth and the mail held for a person,
 * without the daemon's help (WAL lets it read while the daemon writes).
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "store.h"
#include "store_int.h"
#include "util.h"

static int		 store_status_done(struct store *, sqlite3_stmt *, int);

/* Resets s; -1 and a log line when the last step r was an error. */
static int
store_status_done(struct store *st, sqlite3_stmt *s, int r)
{
	int	 rc = 0;

	if (r != SQLITE_DONE && r != SQLITE_ROW) {
		store_warn(st);
		rc = -1;
	}
	sqlite3_reset(s);
	return rc;
}

int
store_state_set(struct store *st, const char *key, const char *value,
    time_t at)
{
	sqlite3_stmt	*s;

	if ((s = store_stmt(st, "INSERT OR REPLACE INTO state "
	    "(key, value, at) VALUES (?, ?, ?)")) == NULL)
		return -1;
	sqlite3_bind_text(s, 1, key, -1, SQLITE_TRANSIENT);
	if (value != NULL)
		sqlite3_bind_text(s, 2, value, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(s, 2);
	sqlite3_bind_int64(s, 3, (sqlite3_int64)at);
	return store_status_done(st, s, sqlite3_step(s));
}

int
store_state_get(struct store *st, const char *key, char **value,
    time_t *at)
{
	sqlite3_stmt	*s;
	int		 r, found = 0;

	*value = NULL;
	*at = 0;
	if ((s = store_stmt(st, "SELECT value, at FROM state "
	    "WHERE key = ?")) == NULL)
		return -1;
	sqlite3_bind_text(s, 1, key, -1, SQLITE_TRANSIENT);
	if ((r = sqlite3_step(s)) == SQLITE_ROW) {
		*value = store_col_dup(s, 0);
		*at = (time_t)sqlite3_column_int64(s, 1);
		found = 1;
	}
	if (store_status_done(st, s, r) == -1)
		return -1;
	return found;
}

int
store_state_del(struct store *st, const char *key)
{
	sqlite3_stmt	*s;

	if ((s = store_stmt(st, "DELETE FROM state WHERE "
	    "key = ?")) == NULL)
		return -1;
	sqlite3_bind_text(s, 1, key, -1, SQLITE_TRANSIENT);
	return store_status_done(st, s, sqlite3_step(s));
}

int
store_outbox_withdraw(struct store *st, const char *msgid, time_t now,
    const char *why)
{
	sqlite3_stmt	*s;
	int		 r;

	if ((s = store_stmt(st, "UPDATE outbox SET failed = ?, "
	    "error = ? WHERE msgid = ? AND sent IS NULL AND failed IS NULL"))
	    == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, (sqlite3_int64)now);
	sqlite3_bind_text(s, 2, why, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 3, msgid, -1, SQLITE_TRANSIENT);
	r = sqlite3_step(s);
	if (store_status_done(st, s, r) == -1)
		return -1;
	return sqlite3_changes(st->db) > 0 ? 1 : 0;
}

int
store_queue_depth(struct store *st, int64_t *rows, int64_t *copies,
    time_t *oldest)
{
	sqlite3_stmt	*s;
	int		 r;

	*rows = *copies = 0;
	*oldest = 0;
	if ((s = store_stmt(st, "SELECT "
	    "(SELECT count(*) FROM outbox WHERE sent IS NULL AND "
	    "  failed IS NULL), "
	    "(SELECT min(created) FROM outbox WHERE sent IS NULL AND "
	    "  failed IS NULL), "
	    "(SELECT count(*) FROM post_rcpts WHERE sent IS NULL AND "
	    "  failed IS NULL), "
	    "(SELECT min(p.started) FROM post_rcpts r JOIN posts p ON "
	    "  p.id = r.post WHERE r.sent IS NULL AND r.failed IS NULL)"))
	    == NULL)
		return -1;
	if ((r = sqlite3_step(s)) == SQLITE_ROW) {
		*rows = sqlite3_column_int64(s, 0);
		*oldest = (time_t)sqlite3_column_int64(s, 1);
		*copies = sqlite3_column_int64(s, 2);
		if (sqlite3_column_type(s, 3) != SQLITE_NULL &&
		    (*oldest == 0 || sqlite3_column_int64(s, 3) < *oldest))
			*oldest = (time_t)sqlite3_column_int64(s, 3);
	}
	return store_status_done(st, s, r);
}

int
store_queue_error(struct store *st, char **err)
{
	sqlite3_stmt	*s;
	int		 r;

	*err = NULL;
	if ((s = store_stmt(st, "SELECT error FROM outbox WHERE "
	    "sent IS NULL AND failed IS NULL AND error IS NOT NULL "
	    "ORDER BY id DESC LIMIT 1")) == NULL)
		return -1;
	if ((r = sqlite3_step(s)) == SQLITE_ROW)
		*err = store_col_dup(s, 0);
	return store_status_done(st, s, r);
}

int
store_held(struct store *st, time_t since, int64_t *n, char **sender,
    char **reason, time_t *at)
{
	sqlite3_stmt	*s;
	int		 r;

	*n = 0;
	*sender = *reason = NULL;
	*at = 0;
	if ((s = store_stmt(st, "SELECT count(*) OVER (), sender, "
	    "reason, at FROM inbox WHERE disp = 'park' AND at >= ? "
	    "ORDER BY at DESC, id DESC LIMIT 1")) == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, (sqlite3_int64)since);
	if ((r = sqlite3_step(s)) == SQLITE_ROW) {
		*n = sqlite3_column_int64(s, 0);
		*sender = store_col_dup(s, 1);
		*reason = store_col_dup(s, 2);
		*at = (time_t)sqlite3_column_int64(s, 3);
	}
	return store_status_done(st, s, r);
}
