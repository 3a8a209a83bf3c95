/*
 * store_backup.c: the store's part of ffnet backup. SQLite's online
 * backup API copies the database as one snapshot; under WAL that read
 * never blocks the daemon's writes. backup.c calls store_backup() with
 * a new file it renames into place once the copy is whole and checked.
 */
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "store.h"
#include "store_int.h"

#define STORE_BACKUP_TRIES	300	/* 100 ms each: 30 s when busy */

static int	store_backup_check(sqlite3 *, int64_t *, char *, size_t);

/* The copy answers integrity_check with "ok"; counts its members. */
static int
store_backup_check(sqlite3 *db, int64_t *members, char *err, size_t errlen)
{
	sqlite3_stmt		*s = NULL;
	const unsigned char	*t;
	int			 rc = -1;

	if (sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &s,
	    NULL) != SQLITE_OK || sqlite3_step(s) != SQLITE_ROW) {
		snprintf(err, errlen, "checking the copy: %s",
		    sqlite3_errmsg(db));
		goto out;
	}
	t = sqlite3_column_text(s, 0);
	if (t == NULL || strcmp((const char *)t, "ok") != 0) {
		snprintf(err, errlen, "the copy is damaged: %s",
		    t != NULL ? (const char *)t : "?");
		goto out;
	}
	sqlite3_finalize(s);
	if (sqlite3_prepare_v2(db, "SELECT count(*) FROM members", -1, &s,
	    NULL) != SQLITE_OK || sqlite3_step(s) != SQLITE_ROW) {
		snprintf(err, errlen, "counting the copy's members: %s",
		    sqlite3_errmsg(db));
		goto out;
	}
	*members = sqlite3_column_int64(s, 0);
	rc = 0;
 out:
	sqlite3_finalize(s);
	return rc;
}

int
store_backup(struct store *st, const char *dest, int64_t *pages,
    int64_t *members, char *err, size_t errlen)
{
	sqlite3		*to = NULL;
	sqlite3_backup	*b = NULL;
	int		 r, tries = 0, rc = -1;

	*pages = *members = 0;
	if (sqlite3_open_v2(dest, &to, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", dest, to != NULL ?
		    sqlite3_errmsg(to) : "cannot open");
		goto out;
	}
	/* the file is new and renamed only when whole: no journal */
	if (sqlite3_exec(to, "PRAGMA journal_mode=OFF", NULL, NULL,
	    NULL) != SQLITE_OK ||
	    (b = sqlite3_backup_init(to, "main", st->db, "main")) ==
	    NULL) {
		snprintf(err, errlen, "%s: %s", dest, sqlite3_errmsg(to));
		goto out;
	}
	/*
	 * All pages in one step: one read transaction, so one snapshot.
	 * Busy (a checkpoint, a writer taking the WAL index) passes.
	 */
	while ((r = sqlite3_backup_step(b, -1)) == SQLITE_BUSY ||
	    r == SQLITE_LOCKED) {
		if (++tries == STORE_BACKUP_TRIES)
			break;
		sqlite3_sleep(100);
	}
	*pages = sqlite3_backup_pagecount(b);
	sqlite3_backup_finish(b);
	if (r != SQLITE_DONE) {
		snprintf(err, errlen, "copying: %s", sqlite3_errstr(r));
		goto out;
	}
	if (store_backup_check(to, members, err, errlen) == -1)
		goto out;
	rc = 0;
 out:
	sqlite3_close(to);
	return rc;
}
