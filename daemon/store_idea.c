/*
 * store_idea.c: Markedspladsen's ideas and the interest members show
 * in them (idea.c). See store.c for the rules every store file keeps.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "store.h"
#include "store_int.h"
#include "util.h"

static void		 store_idea_read(sqlite3_stmt *, void *);
static void		 store_idea_clear(void *);

static const struct store_rowtype store_idea_rows = {
	sizeof(struct idea), store_idea_read, store_idea_clear
};

int
store_idea_add(struct store *st, const struct idea *i, time_t now,
    int64_t *id)
{
	sqlite3_stmt	*s = NULL;
	int		 rc = -1;

	if ((s = store_stmt(st, "INSERT INTO ideas (author, title, body, "
	    "theme, seeking, status, created) VALUES (?, ?, ?, ?, ?, 'open', "
	    "?)")) == NULL)
		goto out;
	store_bind_text(s, 1, i->author);
	store_bind_text(s, 2, i->title);
	store_bind_text(s, 3, i->body);
	if (i->theme > 0)
		sqlite3_bind_int(s, 4, i->theme);
	else
		sqlite3_bind_null(s, 4);
	store_bind_text(s, 5, i->seeking);
	sqlite3_bind_int64(s, 6, now);
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

static void
store_idea_read(sqlite3_stmt *s, void *p)
{
	struct idea	*i = p;

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
	if ((s = store_stmt(st, "SELECT id, author, title, body, theme, "
	    "seeking, status, created FROM ideas WHERE id = ?")) == NULL)
		goto out;
	sqlite3_bind_int64(s, 1, id);
	if ((r = sqlite3_step(s)) == SQLITE_ROW)
		store_idea_read(s, i);
	rc = r == SQLITE_ROW ? 1 : r == SQLITE_DONE ? 0 : -1;
 out:
	sqlite3_reset(s);
	return rc;
}

static void
store_idea_clear(void *p)
{
	idea_clear(p);
}

int
store_idea_list(struct store *st, bool open_only, struct idea **v, size_t *n)
{
	sqlite3_stmt	*s;

	*v = NULL;
	*n = 0;
	if ((s = store_stmt(st, open_only ? "SELECT id, author, title, body, "
	    "theme, seeking, status, created FROM ideas WHERE status = 'open' "
	    "ORDER BY id" : "SELECT id, author, title, body, theme, seeking, "
	    "status, created FROM ideas ORDER BY id")) == NULL)
		return -1;
	return store_rows(st, s, &store_idea_rows, v, n);
}

int
store_idea_close(struct store *st, int64_t id)
{
	sqlite3_stmt	*s = NULL;
	int		 rc = -1;

	if ((s = store_stmt(st, "UPDATE ideas SET status = 'closed' "
	    "WHERE id = ?")) != NULL) {
		sqlite3_bind_int64(s, 1, id);
		rc = sqlite3_step(s) == SQLITE_DONE ? 0 : -1;
	}
	sqlite3_reset(s);
	return rc;
}

int
store_interest_add(struct store *st, int64_t idea, const char *addr,
    time_t now)
{
	sqlite3_stmt	*s = NULL;
	int		 rc = -1;

	if ((s = store_stmt(st, "INSERT OR IGNORE INTO interests (idea, addr, "
	    "created) VALUES (?, ?, ?)")) != NULL) {
		sqlite3_bind_int64(s, 1, idea);
		store_bind_text(s, 2, addr);
		sqlite3_bind_int64(s, 3, now);
		if (sqlite3_step(s) == SQLITE_DONE)
			rc = sqlite3_changes(st->db) > 0 ? 1 : 0;
	}
	sqlite3_reset(s);
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
	store_rows_free(&store_idea_rows, v, n);
}
