/*
 * store_summary.c: the store's part of the secretariat's summary
 * (summary.c): what happened in a period, as plain rows.
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

#define SUMMARY_ROWS_MAX	200	/* rows of one kind in one summary */

enum summary_q {
	SQ_MEMBERS,
	SQ_HELD,
	SQ_FAILED,
};

/*
 * Each query binds the period as ?1 (since, inclusive) and ?2 (until,
 * exclusive) and gives at, who, what, why.
 */
static const char *const summary_sql[] = {
	/* an imported list is one row: its count, as the detail */
	[SQ_MEMBERS] = "SELECT at, addr, action, detail, id FROM audit "
	    "WHERE at >= ?1 AND at < ?2 AND action IN ('joined', 'added', "
	    "'left', 'paused', 'resumed', 'removed') "
	    "UNION ALL SELECT max(at), NULL, 'imported', count(*), max(id) "
	    "FROM audit WHERE at >= ?1 AND at < ?2 AND action = 'imported' "
	    "HAVING count(*) > 0 ORDER BY 1, 5",
	[SQ_HELD] = "SELECT at, sender, subject, reason FROM inbox "
	    "WHERE at >= ?1 AND at < ?2 AND disp = 'park' ORDER BY at, id",
	/*
	 * Mail given up in the period, and mail that waits with an error
	 * now; a notice withdrawn because it was no longer true
	 * (store_outbox_withdraw, "not sent: …") is no problem.
	 */
	[SQ_FAILED] = "SELECT failed, rcpt, kind, error FROM outbox "
	    "WHERE failed >= ?1 AND failed < ?2 AND "
	    "  coalesce(error, '') NOT LIKE 'not sent:%' "
	    "UNION ALL SELECT created, rcpt, kind, error FROM outbox "
	    "WHERE sent IS NULL AND failed IS NULL AND error IS NOT NULL "
	    "UNION ALL SELECT r.failed, r.addr, p.kind, r.error "
	    "FROM post_rcpts r JOIN posts p ON p.id = r.post "
	    "WHERE r.failed >= ?1 AND r.failed < ?2 "
	    "UNION ALL SELECT p.started, r.addr, p.kind, r.error "
	    "FROM post_rcpts r JOIN posts p ON p.id = r.post "
	    "WHERE r.sent IS NULL AND r.failed IS NULL AND "
	    "  r.error IS NOT NULL ORDER BY 1",
};

static int	 store_summary_rows(struct store *, enum summary_q, time_t,
		    time_t, struct summary_row **, size_t *);

static int
store_summary_rows(struct store *st, enum summary_q q, time_t since,
    time_t until, struct summary_row **v, size_t *n)
{
	sqlite3_stmt		*s = NULL;
	struct summary_row	*r;
	size_t			 more = 0;
	int			 step, rc = -1;

	*v = NULL;
	*n = 0;
	if ((s = store_stmt(st, summary_sql[q])) == NULL)
		goto out;
	sqlite3_bind_int64(s, 1, (sqlite3_int64)since);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)until);
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		if (*n == SUMMARY_ROWS_MAX) {
			more++;
			continue;
		}
		*v = xrealloc(*v, (*n + 1) * sizeof(**v));
		r = &(*v)[(*n)++];
		r->at = (time_t)sqlite3_column_int64(s, 0);
		r->who = store_col_dup(s, 1);
		r->what = store_col_dup(s, 2);
		r->why = store_col_dup(s, 3);
	}
	if (step != SQLITE_DONE)
		goto out;
	if (more > 0) {
		*v = xrealloc(*v, (*n + 1) * sizeof(**v));
		r = &(*v)[(*n)++];
		memset(r, 0, sizeof(*r));
		r->what = xstrdup(SUMMARY_MORE);
		r->why = xasprintf("%zu", more);
	}
	rc = 0;
 out:
	if (rc == -1) {
		store_warn(st);
		summary_rows_free(*v, *n);
		*v = NULL;
		*n = 0;
	}
	sqlite3_reset(s);
	return rc;
}

int
store_summary_members(struct store *st, time_t since, time_t until,
    struct summary_row **v, size_t *n)
{
	return store_summary_rows(st, SQ_MEMBERS, since, until, v, n);
}

int
store_summary_held(struct store *st, time_t since, time_t until,
    struct summary_row **v, size_t *n)
{
	return store_summary_rows(st, SQ_HELD, since, until, v, n);
}

int
store_summary_failed(struct store *st, time_t since, time_t until,
    struct summary_row **v, size_t *n)
{
	return store_summary_rows(st, SQ_FAILED, since, until, v, n);
}

int
store_summary_regs(struct store *st, int64_t meeting, time_t since,
    time_t until, int64_t *n)
{
	sqlite3_stmt	*s = NULL;
	int		 r, rc = -1;

	*n = 0;
	if ((s = store_stmt(st, "SELECT count(*) FROM registrations WHERE "
	    "meeting = ? AND created >= ? AND created < ? AND state IN "
	    "('registered', 'waiting')")) == NULL)
		goto out;
	sqlite3_bind_int64(s, 1, (sqlite3_int64)meeting);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)since);
	sqlite3_bind_int64(s, 3, (sqlite3_int64)until);
	if ((r = sqlite3_step(s)) == SQLITE_ROW)
		*n = sqlite3_column_int64(s, 0);
	else if (r != SQLITE_DONE)
		goto out;
	rc = 0;
 out:
	if (rc == -1)
		store_warn(st);
	sqlite3_reset(s);
	return rc;
}

void
summary_rows_free(struct summary_row *v, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++) {
		free(v[i].who);
		free(v[i].what);
		free(v[i].why);
	}
	free(v);
}
