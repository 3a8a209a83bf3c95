/*
 * store_privacy.c: the store's part of retention (daemon/privacy.c).
 * Each rule is three statements on one cut-off time ?1 (now less the
 * rule's days): how many rows are due, when the next one falls due
 * (its time; the cut-off moves past it that many days later), and the
 * prune itself. Rows that keep the store consistent (an inbox row's
 * message key, an outbox row's Message-ID, a list copy's token) stay;
 * only what says who and what goes.
 */
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "store.h"
#include "store_int.h"
#include "util.h"

#define NOTES_DUE	"FROM registrations WHERE note IS NOT NULL AND "	\
	"meeting IN (SELECT id FROM meetings WHERE end_ < ?1)"
#define SENT_DUE	"FROM outbox WHERE length(data) > 0 AND "		\
	"coalesce(sent, failed) < ?1"
#define INBOX_DUE	"FROM inbox WHERE at < ?1 AND (sender IS NOT NULL "	\
	"OR subject IS NOT NULL)"
#define OUTBOX_DUE	"FROM outbox WHERE coalesce(sent, failed) < ?1 AND "	\
	"rcpt <> 'pruned'"
#define RCPTS_DUE	"FROM post_rcpts WHERE coalesce(sent, failed) < ?1 "	\
	"AND addr NOT LIKE 'pruned-%'"
#define PENDING_DUE	"FROM pending WHERE created < ?1 AND "		\
	"(used IS NOT NULL OR expires < ?1)"
#define BOUNCES_DUE	"FROM bounces WHERE at < ?1"
#define GUESSES_DUE	"FROM audit WHERE action = 'code-wrong' AND at < ?1"

static const struct store_privacy_sql {
	enum privacy_rule	 rule;
	const char		*due;	/* one count */
	const char		*next;	/* one time, or NULL */
	const char		*prune;
} store_privacy_sql[] = {
	{ PRIV_NOTES, "SELECT count(*) " NOTES_DUE,
	  "SELECT min(m.end_) FROM registrations r JOIN meetings m ON "
	  "m.id = r.meeting WHERE r.note IS NOT NULL AND m.end_ >= ?1",
	  "UPDATE registrations SET note = NULL WHERE note IS NOT NULL AND "
	  "meeting IN (SELECT id FROM meetings WHERE end_ < ?1)" },
	{ PRIV_SENT_MAIL, "SELECT count(*) " SENT_DUE,
	  "SELECT min(coalesce(sent, failed)) FROM outbox WHERE length(data) "
	  "> 0 AND coalesce(sent, failed) >= ?1",
	  "UPDATE outbox SET data = x'' WHERE length(data) > 0 AND "
	  "coalesce(sent, failed) < ?1" },
	{ PRIV_MAIL_LOG, "SELECT count(*) " INBOX_DUE,
	  "SELECT min(at) FROM inbox WHERE at >= ?1",
	  "UPDATE inbox SET sender = NULL, subject = NULL, reason = NULL "
	  "WHERE at < ?1 AND (sender IS NOT NULL OR subject IS NOT NULL)" },
	{ PRIV_MAIL_LOG, "SELECT count(*) " OUTBOX_DUE,
	  "SELECT min(coalesce(sent, failed)) FROM outbox WHERE "
	  "coalesce(sent, failed) >= ?1",
	  "UPDATE outbox SET rcpt = 'pruned', subject = NULL, data = x'', "
	  "error = NULL WHERE coalesce(sent, failed) < ?1 AND "
	  "rcpt <> 'pruned'" },
	{ PRIV_MAIL_LOG, "SELECT count(*) " RCPTS_DUE,
	  "SELECT min(coalesce(sent, failed)) FROM post_rcpts WHERE "
	  "coalesce(sent, failed) >= ?1",
	  "UPDATE post_rcpts SET addr = 'pruned-' || id, error = NULL WHERE "
	  "coalesce(sent, failed) < ?1 AND addr NOT LIKE 'pruned-%'" },
	{ PRIV_MAIL_LOG, "SELECT count(*) " PENDING_DUE,
	  "SELECT min(created) FROM pending WHERE created >= ?1",
	  "DELETE " PENDING_DUE },
	{ PRIV_MAIL_LOG, "SELECT count(*) " BOUNCES_DUE,
	  "SELECT min(at) FROM bounces WHERE at >= ?1",
	  "DELETE " BOUNCES_DUE },
	{ PRIV_MAIL_LOG, "SELECT count(*) " GUESSES_DUE,
	  "SELECT min(at) FROM audit WHERE action = 'code-wrong' AND at >= ?1",
	  "DELETE " GUESSES_DUE },
};

/*
 * Addresses that are no member, with their last sign of life: a
 * membership event, a registration's meeting, a consent, a
 * confirmation asked, a mail. Keyed hashes (no "@") are not addresses.
 */
#define STORE_FORMER	"WITH seen (addr, at) AS ("			\
	"  SELECT addr, at FROM audit WHERE instr(addr, '@') > 0 "	\
	"  UNION ALL SELECT r.addr, max(r.created, m.end_) FROM "	\
	"  registrations r JOIN meetings m ON m.id = r.meeting "	\
	"  WHERE instr(r.addr, '@') > 0 "				\
	"  UNION ALL SELECT addr, at FROM consent "			\
	"  UNION ALL SELECT addr, created FROM pending "		\
	"  WHERE instr(addr, '@') > 0 "					\
	"  UNION ALL SELECT sender, at FROM inbox "			\
	"  WHERE instr(sender, '@') > 0), "				\
	"former (addr, last) AS (SELECT addr, max(at) FROM seen "	\
	"  WHERE addr NOT IN (SELECT addr FROM members) GROUP BY addr) "
/* ?1 the cut-off, ?2 how many: the due ones, oldest first */
static const char store_former_sql[] = STORE_FORMER
	"SELECT addr, last FROM former WHERE last < ?1 ORDER BY last LIMIT ?2";
/* ?1 the cut-off: when the next one was last seen */
static const char store_former_next_sql[] = STORE_FORMER
	"SELECT min(last) FROM former WHERE last >= ?1";

/* What is held: a count each, for ffnet privacy. */
static const struct {
const char	*what, *sql;
} store_privacy_held_sql[] = {
	{ "members (active and paused)", "SELECT count(*) FROM members" },
	{ "consent records", "SELECT count(*) FROM consent" },
	{ "registrations", "SELECT count(*) FROM registrations "
	  "WHERE instr(addr, '@') > 0" },
	{ "  of them with a note", "SELECT count(*) FROM registrations "
	  "WHERE note IS NOT NULL" },
	{ "ideas", "SELECT count(*) FROM ideas" },
	{ "interests in ideas", "SELECT count(*) FROM interests" },
	{ "bounces", "SELECT count(*) FROM bounces" },
	{ "mails received, with sender", "SELECT count(*) FROM inbox "
	  "WHERE sender IS NOT NULL" },
	{ "mails sent, with recipient", "SELECT count(*) FROM outbox "
	  "WHERE rcpt <> 'pruned' AND instr(rcpt, '@') > 0" },
	{ "  of them with their text", "SELECT count(*) FROM outbox "
	  "WHERE length(data) > 0" },
	{ "list copies, with recipient", "SELECT count(*) FROM "
	  "post_rcpts WHERE instr(addr, '@') > 0" },
	{ "audit rows with an address", "SELECT count(*) FROM audit "
	  "WHERE instr(addr, '@') > 0" },
	{ "addresses forgotten (keyed hashes)", "SELECT count(*) FROM "
	  "audit WHERE action = 'forgotten'" },
};

static int	store_privacy_int(struct store *, const char *, time_t,
		    int64_t *);

static int
store_privacy_int(struct store *st, const char *q, time_t cut, int64_t *out)
{
	sqlite3_stmt	*s;
	int		 r;

	*out = 0;
	if ((s = store_stmt(st, q)) == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, (sqlite3_int64)cut);
	if ((r = sqlite3_step(s)) == SQLITE_ROW)
		*out = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	if (r != SQLITE_ROW && r != SQLITE_DONE) {
		store_warn(st);
		return -1;
	}
	return 0;
}

int
store_privacy_due(struct store *st, enum privacy_rule rule, time_t cut,
    int64_t *due, time_t *next)
{
	int64_t	 n, t;
	size_t	 i;

	*due = 0;
	*next = 0;
	for (i = 0; i < nitems(store_privacy_sql); i++) {
		if (store_privacy_sql[i].rule != rule)
			continue;
		if (store_privacy_int(st, store_privacy_sql[i].due, cut,
		    &n) == -1 || store_privacy_int(st,
		    store_privacy_sql[i].next, cut, &t) == -1)
			return -1;
		*due += n;
		if (t != 0 && (*next == 0 || (time_t)t < *next))
			*next = (time_t)t;
	}
	return 0;
}

int
store_privacy_prune(struct store *st, enum privacy_rule rule, time_t cut,
    int64_t *changed)
{
	sqlite3_stmt	*s;
	size_t		 i;

	*changed = 0;
	for (i = 0; i < nitems(store_privacy_sql); i++) {
		if (store_privacy_sql[i].rule != rule)
			continue;
		if ((s = store_stmt(st, store_privacy_sql[i].prune)) == NULL)
			return -1;
		sqlite3_bind_int64(s, 1, (sqlite3_int64)cut);
		if (store_exec_done(st, s) == -1)
			return -1;
		*changed += sqlite3_changes(st->db);
	}
	return 0;
}

static void
store_former_read(sqlite3_stmt *s, void *p)
{
	struct store_former	*f = p;

	f->addr = store_col_dup(s, 0);
	f->last = (time_t)sqlite3_column_int64(s, 1);
}

static void
store_former_clear(void *p)
{
	free(((struct store_former *)p)->addr);
}

static const struct store_rowtype store_former_rows = {
	sizeof(struct store_former), store_former_read, store_former_clear
};

int
store_privacy_former(struct store *st, time_t cut, size_t max,
    struct store_former **v, size_t *n)
{
	sqlite3_stmt	*s;

	*v = NULL;
	*n = 0;
	if ((s = store_stmt(st, store_former_sql)) == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, (sqlite3_int64)cut);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)max);
	return store_rows(st, s, &store_former_rows, v, n);
}

int
store_privacy_former_next(struct store *st, time_t cut, time_t *next)
{
	int64_t	 t;

	if (store_privacy_int(st, store_former_next_sql, cut, &t) == -1)
		return -1;
	*next = (time_t)t;
	return 0;
}

void
store_former_free(struct store_former *v, size_t n)
{
	store_rows_free(&store_former_rows, v, n);
}

int
store_privacy_held(struct store *st, size_t i, const char **what,
    int64_t *n)
{
	if (i >= nitems(store_privacy_held_sql))
		return 0;
	*what = store_privacy_held_sql[i].what;
	return store_privacy_int(st, store_privacy_held_sql[i].sql, 0, n) ==
	    -1 ? -1 : 1;
}
