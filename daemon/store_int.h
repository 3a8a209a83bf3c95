/*
 * store_int.h: private to the store family (store.c, store_meeting.c,
 * store_list.c, store_idea.c, store_members.c, store_status.c,
 * store_summary.c, store_backup.c).
 * Nothing outside daemon/store*.c includes it.
 */
#ifndef FFNET_STORE_INT_H
#define FFNET_STORE_INT_H

#include <sqlite3.h>
#include <stdint.h>

/* A prepared statement, kept for the life of the connection. */
struct store_cached {
	const char	*sql;		/* the key: a string with static storage */
	sqlite3_stmt	*stmt;
};

struct store {
	sqlite3			*db;
	struct store_cached	*cache;		/* open addressing on sql */
	size_t			 cap;		/* a power of two, or 0 */
	size_t			 ncached;
	int			 in_tx;
};

/*
 * The statement for q, prepared on first use and cached by the address
 * of q (so q must be a literal or another string that lives as long as
 * the process), reset and with its bindings cleared. NULL with a log
 * line when it does not prepare.
 */
sqlite3_stmt *store_stmt(struct store *, const char *q);
/* Steps a statement that returns no rows and resets it; -1 logged. */
int	 store_exec_done(struct store *, sqlite3_stmt *);
/* Binds t, or NULL for a NULL pointer. */
void	 store_bind_text(sqlite3_stmt *, int, const char *);
/* The open database; borrowed. */
sqlite3	*store_db(struct store *);
/* Prepares a statement the caller finalizes; -1 with a log line. */
int	 store_prepare(struct store *, const char *, sqlite3_stmt **);
/* A column as a new string, NULL for SQL NULL; caller frees. */
char	*store_col_dup(sqlite3_stmt *, int);
/* Steps a count(*) statement into *n and resets it. */
int	 store_count(struct store *, sqlite3_stmt *, int64_t *);

#endif
