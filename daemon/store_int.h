/*
 * store_int.h: private to the store family (store.c, store_status.c,
 * store_backup.c, store_members.c, store_summary.c).
 * Nothing outside daemon/store*.c includes it.
 */
#ifndef FFNET_STORE_INT_H
#define FFNET_STORE_INT_H

#include <sqlite3.h>
#include <stdint.h>

struct store;

/* The open database; borrowed. */
sqlite3	*store_db(struct store *);
/* Prepares a statement the caller finalizes; -1 with a log line. */
int	 store_prepare(struct store *, const char *, sqlite3_stmt **);
/* A column as a new string, NULL for SQL NULL; caller frees. */
char	*store_col_dup(sqlite3_stmt *, int);
/* Steps a count(*) statement into *n and resets it. */
int	 store_count(struct store *, sqlite3_stmt *, int64_t *);

#endif
