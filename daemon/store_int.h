/*
 * store_int.h: private to the store family (store.c, store_meeting.c,
 * store_list.c, store_idea.c, store_members.c, store_status.c,
 * store_summary.c, store_backup.c).
 * Nothing outside daemon/store*.c includes it.
 */
#ifndef FFNET_STORE_INT_H
#define FFNET_STORE_INT_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

/* A prepared statement, kept for the life of the connection. */
struct store_cached {
	const char	*sql;	/* the key: a string with static storage */
	sqlite3_stmt	*stmt;
};

struct store {
	sqlite3			*db;
	char			*path;
	struct store_cached	*cache;		/* open addressing on sql */
	size_t			 cap;		/* a power of two, or 0 */
	size_t			 ncached;
	int			 in_tx;
	/*
	 * SLET MIG in the open transaction (store_forget): the address and
	 * its keyed hash, so that the incoming message's own inbox row,
	 * written after the handler, keeps the hash. Cleared at its end.
	 */
	char			*forget_addr, *forget_hash;
	bool			 write_failed;	/* for the disk; none since */
	int			 said_full;	/* 1 little room, 2 no write */
};
/* Ends a transaction's SLET MIG note. */
void	 store_forget_end(struct store *);

/*
 * The statement for q, prepared on first use and cached by the address
 * of q (so q must be a literal or another string that lives as long as
 * the process), reset and with its bindings cleared. NULL with a log
 * line when it does not prepare.
 */
sqlite3_stmt *store_stmt(struct store *, const char *q);
/* Steps a statement that returns no rows and resets it; -1 logged. */
int	 store_exec_done(struct store *, sqlite3_stmt *);
/*
 * Logs the connection's last error: "store: <SQLite's words>", but a
 * write that failed for a full or failing disk once only, with the
 * fix, until there is room again (see store_is_full()).
 */
void	 store_warn(struct store *);
/* How store_rows() turns one row into one element of an array. */
struct store_rowtype {
	size_t	 size;				/* bytes of one element */
	void	(*read)(sqlite3_stmt *, void *);	/* fills a zeroed one */
	void	(*clear)(void *);	/* frees what read() took; or NULL */
};

/*
 * Steps s (prepared and bound) to its end; each row becomes one element
 * of a new array, zeroed and then filled by t->read. out is the address
 * of the caller's "T *" (NULL when there are no rows) and *n its
 * length. Resets s. On an SQL error it frees what it read, leaves NULL
 * and 0, and returns -1 with a log line.
 */
int	 store_rows(struct store *, sqlite3_stmt *,
	    const struct store_rowtype *, void *out, size_t *n);
/* Clears each of the n elements of v with t->clear, then frees v. */
void	 store_rows_free(const struct store_rowtype *, void *v, size_t n);
/* Binds t, or NULL for a NULL pointer. */
void	 store_bind_text(sqlite3_stmt *, int, const char *);
/* A column as a new string, NULL for SQL NULL; caller frees. */
char	*store_col_dup(sqlite3_stmt *, int);
/* Steps a count(*) statement into *n and resets it. */
int	 store_count(struct store *, sqlite3_stmt *, int64_t *);

#endif
