/*
 * store_members.c: the store's part of the secretariat's member tools
 * (daemon/members.c, handlers/members.c): the member list by status,
 * everything held about one address, and the consent table.
 */
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "store.h"
#include "store_int.h"
#include "util.h"

/* The audit actions that make or end a membership. */
#define STORE_MEMBERSHIP	"('joined', 'added', 'imported', 'left', "	\
	"'removed')"

static void	store_member_row(sqlite3_stmt *, void *);
static void	store_member_clear(void *);
static void	store_fact_read(sqlite3_stmt *, void *);
static void	store_fact_clear(void *);

static const char store_members_sql[] =
	"SELECT addr, name, org, lang, status, joined FROM ("
	"SELECT addr, name, org, lang, status, joined FROM members "
	"UNION ALL "
	/* the newest join request of an address, while it is open */
	"SELECT p.addr, nullif(CASE WHEN instr(p.args, char(10)) > 0 THEN "
	"  substr(p.args, 1, instr(p.args, char(10)) - 1) ELSE p.args END, "
	"  ''), "
	"  nullif(CASE WHEN instr(p.args, char(10)) > 0 THEN "
	"  substr(p.args, instr(p.args, char(10)) + 1) END, ''), "
	"  p.lang, 'pending', p.created FROM pending p "
	"  WHERE p.action = 'join' AND p.used IS NULL AND p.cancelled IS NULL "
	"  AND p.expires >= ?2 AND p.addr NOT IN (SELECT addr FROM members) "
	"  AND p.id = (SELECT max(q.id) FROM pending q WHERE q.addr = p.addr "
	"  AND q.action = 'join') "
	"UNION ALL "
	/* the last membership event was a leave */
	"SELECT a.addr, (SELECT j.detail FROM audit j WHERE j.addr = a.addr "
	"  AND j.action IN ('joined', 'added', 'imported') ORDER BY j.id DESC "
	"  LIMIT 1), NULL, '', "
	"  'left', a.at FROM audit a WHERE a.action IN ('left', 'removed') "
	"  AND a.id = (SELECT max(b.id) FROM audit b WHERE b.addr = a.addr "
	"  AND b.action IN " STORE_MEMBERSHIP ") "
	"  AND a.addr NOT IN (SELECT addr FROM members) "
	/* not the keyed hashes that SLET MIG leaves */
	"  AND instr(a.addr, '@') > 0) "
	"WHERE (?1 IS NULL AND status IN ('active', 'paused')) OR status = ?1 "
	"ORDER BY addr";

static const char store_facts_sql[] =
	"SELECT 1, 'status', at, action, detail, NULL, NULL FROM audit "
	"  WHERE addr = ?1 "
	"UNION ALL SELECT 2, 'consent', at, source, msgid, text, NULL "
	"  FROM consent WHERE addr = ?1 "
	"UNION ALL SELECT 3, 'confirmation', used, code, NULL, NULL, NULL "
	"  FROM pending WHERE addr = ?1 AND action = 'join' "
	"  AND used IS NOT NULL AND cancelled IS NULL "
	"UNION ALL SELECT 4, 'registration', r.created, m.code, m.title, "
	"  r.state, r.note FROM registrations r JOIN meetings m "
	"  ON m.id = r.meeting WHERE r.addr = ?1 "
	"UNION ALL SELECT 5, 'idea', created, id, title, status, NULL "
	"  FROM ideas WHERE author = ?1 "
	"UNION ALL SELECT 6, 'interest', i.created, d.id, d.title, NULL, NULL "
	"  FROM interests i JOIN ideas d ON d.id = i.idea WHERE i.addr = ?1 "
	"UNION ALL SELECT 7, 'bounce', at, status, diagnostic, CASE WHEN "
	"  cleared IS NULL THEN NULL ELSE 'cleared' END, NULL FROM bounces "
	"  WHERE addr = ?1 "
	/* the log of mails: what came from the address and went to it */
	"UNION ALL SELECT 8, 'mail-in', at, subject, disp, NULL, NULL "
	"  FROM inbox WHERE sender = ?1 "
	"UNION ALL SELECT 9, 'mail-out', created, subject, kind, CASE WHEN "
	"  sent IS NOT NULL THEN 'sent' WHEN failed IS NOT NULL THEN 'failed' "
	"  ELSE 'queued' END, NULL FROM outbox WHERE rcpt = ?1 "
	"UNION ALL SELECT 10, 'list', coalesce(r.sent, p.created), p.subject, "
	"  p.kind, CASE WHEN r.sent IS NOT NULL THEN 'sent' WHEN r.failed IS "
	"  NOT NULL THEN 'failed' ELSE 'queued' END, NULL FROM post_rcpts r "
	"  JOIN posts p ON p.id = r.post WHERE r.addr = ?1 "
	"ORDER BY 1, 3";

/*
 * SLET MIG (store_forget): ?1 the address, ?2 its keyed hash, ?3 now.
 * In this order: what is the person's alone goes; what the network
 * needs to stay consistent (counts, threads, the audit, a bounce
 * arriving later) keeps the hash instead of the address. OR REPLACE:
 * a person forgotten twice has the same hash.
 */
#define STORE_ON_PAST_AGENDA	"EXISTS (SELECT 1 FROM meetings m WHERE "	\
	"m.kind = 'meeting' AND m.status = 'planned' AND m.start > "	\
	"ideas.created AND m.start <= ?3)"
enum { FORGET_REGS, FORGET_IDEAS_GONE, FORGET_IDEAS_KEPT, FORGET_N };
static const struct {
	const char	*sql;
	int		 count;		/* FORGET_*, or -1 */
} store_forget_sql[] = {
	{ "DELETE FROM members WHERE addr = ?1", -1 },
	{ "DELETE FROM consent WHERE addr = ?1", -1 },
	{ "DELETE FROM interests WHERE addr = ?1", -1 },
	/* ideas no agenda has carried go with their interests */
	{ "DELETE FROM interests WHERE idea IN (SELECT id FROM ideas WHERE "
	  "author = ?1 AND NOT " STORE_ON_PAST_AGENDA ")", -1 },
	{ "DELETE FROM ideas WHERE author = ?1 AND NOT " STORE_ON_PAST_AGENDA,
	  FORGET_IDEAS_GONE },
	{ "UPDATE ideas SET author = ?2 WHERE author = ?1", FORGET_IDEAS_KEPT },
	{ "UPDATE OR REPLACE registrations SET addr = ?2, name = NULL, "
	  "note = NULL WHERE addr = ?1", FORGET_REGS },
	{ "UPDATE bounces SET addr = ?2, diagnostic = NULL WHERE addr = ?1",
	  -1 },
	{ "UPDATE OR REPLACE post_rcpts SET addr = ?2, error = NULL "
	  "WHERE addr = ?1", -1 },
	/* an old code finds a closed row of someone else: nothing revives */
	{ "UPDATE pending SET addr = ?2, args = NULL, used = coalesce(used, "
	  "?3), cancelled = coalesce(cancelled, ?3) WHERE addr = ?1", -1 },
	{ "UPDATE inbox SET sender = ?2, subject = NULL, reason = NULL "
	  "WHERE sender = ?1", -1 },
	{ "UPDATE outbox SET rcpt = ?2, data = x'', subject = NULL, "
	  "error = NULL WHERE rcpt = ?1 AND (sent IS NOT NULL OR "
	  "failed IS NOT NULL)", -1 },
	/*
	 * mails to others that name the address (INTERESSE gives both
	 * sides each other's): delivered, so ffnet's copy goes. The text
	 * is quoted-printable; soft line breaks are taken out first.
	 */
	{ "UPDATE outbox SET data = x'' WHERE (sent IS NOT NULL OR failed IS "
	  "NOT NULL) AND length(data) > 0 AND instr(lower(replace(CAST(data "
	  "AS TEXT), '=' || char(13, 10), '')), ?1) > 0", -1 },
	/* still to go out (the CANCELs, the goodbye): emptied once sent */
	{ "UPDATE outbox SET forget = ?2 WHERE rcpt = ?1", -1 },
	{ "UPDATE posts SET sender = ?2, sender_name = NULL "
	  "WHERE sender = ?1", -1 },
	{ "UPDATE audit SET addr = ?2, detail = NULL WHERE addr = ?1", -1 },
};

static const struct store_rowtype store_member_rows = {
	sizeof(struct member), store_member_row, store_member_clear
};

static const struct store_rowtype store_fact_rows = {
	sizeof(struct member_fact), store_fact_read, store_fact_clear
};

static void
store_member_row(sqlite3_stmt *s, void *p)
{
	struct member	*m = p;

	m->addr = store_col_dup(s, 0);
	m->name = store_col_dup(s, 1);
	m->org = store_col_dup(s, 2);
	m->lang = store_col_dup(s, 3);
	m->status = store_col_dup(s, 4);
	m->joined = (time_t)sqlite3_column_int64(s, 5);
}

static void
store_member_clear(void *p)
{
	member_clear(p);
}

int
store_member_list(struct store *st, const char *status, time_t now,
    struct member **v, size_t *n)
{
	sqlite3_stmt	*s;

	*v = NULL;
	*n = 0;
	if ((s = store_stmt(st, store_members_sql)) == NULL)
		return -1;
	sqlite3_bind_text(s, 1, status, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)now);
	return store_rows(st, s, &store_member_rows, v, n);
}

void
members_free(struct member *v, size_t n)
{
	store_rows_free(&store_member_rows, v, n);
}

int
store_member_set(struct store *st, const char *addr, const char *name,
    const char *org)
{
	sqlite3_stmt	*s = NULL;
	int		 rc = -1;

	if ((s = store_stmt(st, "UPDATE members SET name = coalesce(?1, name), "
	    "org = coalesce(?2, org) WHERE addr = ?3")) != NULL) {
		sqlite3_bind_text(s, 1, name, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(s, 2, org, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(s, 3, addr, -1, SQLITE_TRANSIENT);
		rc = sqlite3_step(s) == SQLITE_DONE ? 0 : -1;
	}
	sqlite3_reset(s);
	return rc;
}

int
store_consent_add(struct store *st, const char *addr, const char *source,
    const char *msgid, const char *text, time_t now)
{
	sqlite3_stmt	*s = NULL;
	int		 rc = -1;

	if ((s = store_stmt(st, "INSERT INTO consent (addr, at, source, msgid, "
	    "text) VALUES (?, ?, ?, ?, ?)")) != NULL) {
		sqlite3_bind_text(s, 1, addr, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(s, 2, (sqlite3_int64)now);
		sqlite3_bind_text(s, 3, source, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(s, 4, msgid, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(s, 5, text, -1, SQLITE_TRANSIENT);
		rc = sqlite3_step(s) == SQLITE_DONE ? 0 : -1;
	}
	sqlite3_reset(s);
	return rc;
}

static void
store_fact_read(sqlite3_stmt *s, void *p)
{
	struct member_fact	*f = p;

	f->kind = store_col_dup(s, 1);
	f->at = (time_t)sqlite3_column_int64(s, 2);
	f->a = store_col_dup(s, 3);
	f->b = store_col_dup(s, 4);
	f->c = store_col_dup(s, 5);
	f->d = store_col_dup(s, 6);
}

static void
store_fact_clear(void *p)
{
	struct member_fact	*f = p;

	free(f->kind);
	free(f->a);
	free(f->b);
	free(f->c);
	free(f->d);
}

int
store_member_facts(struct store *st, const char *addr,
    struct member_fact **v, size_t *n)
{
	sqlite3_stmt	*s;

	*v = NULL;
	*n = 0;
	if ((s = store_stmt(st, store_facts_sql)) == NULL)
		return -1;
	sqlite3_bind_text(s, 1, addr, -1, SQLITE_TRANSIENT);
	return store_rows(st, s, &store_fact_rows, v, n);
}

void
member_facts_free(struct member_fact *v, size_t n)
{
	store_rows_free(&store_fact_rows, v, n);
}

int
store_forget(struct store *st, const char *addr, const char *hash,
    time_t now, struct forget_counts *fc)
{
	sqlite3_stmt	*s;
	int		 n[FORGET_N] = { 0 };
	size_t		 i;

	memset(fc, 0, sizeof(*fc));
	for (i = 0; i < nitems(store_forget_sql); i++) {
		if ((s = store_stmt(st, store_forget_sql[i].sql)) == NULL)
			return -1;
		/* not every statement has all three; SQLITE_RANGE is harmless */
		sqlite3_bind_text(s, 1, addr, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(s, 2, hash, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(s, 3, (sqlite3_int64)now);
		if (store_exec_done(st, s) == -1)
			return -1;
		if (store_forget_sql[i].count >= 0)
			n[store_forget_sql[i].count] = sqlite3_changes(st->db);
	}
	fc->registrations = n[FORGET_REGS];
	fc->ideas_removed = n[FORGET_IDEAS_GONE];
	fc->ideas_kept = n[FORGET_IDEAS_KEPT];
	store_forget_end(st);
	st->forget_addr = xstrdup(addr);
	st->forget_hash = xstrdup(hash);
	return 0;
}

void
store_forget_end(struct store *st)
{
	free(st->forget_addr);
	free(st->forget_hash);
	st->forget_addr = st->forget_hash = NULL;
}
