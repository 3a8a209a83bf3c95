/*
 * store_int.h: private to the store family (store.c, store_status.c,
 * store_summary.c).
 * Nothing outside daemon/store*.c includes it.
 */
#ifndef FFNET_STORE_INT_H
#define FFNET_STORE_INT_H

#include <sqlite3.h>

struct store;

/* The open database; borrowed. */
sqlite3	*store_db(struct store *);
/* A column as a new string, NULL for SQL NULL; caller frees. */
char	*store_col_dup(sqlite3_stmt *, int);

#endif
