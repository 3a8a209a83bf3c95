/*
 * test_store.c: the store's tables and queries, transactions, and the
 * outbox's due/retry/sent bookkeeping, on a real SQLite file.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "outbox.h"
#include "store.h"
#include "store_int.h"
#include "util.h"

static void
test_meetings(struct store *st)
{
	struct meeting		 m, got, *v;
	struct registration	 g, *rv;
	char			*code = NULL, *code2 = NULL;
	size_t			 n;
	int			 pos;

	memset(&m, 0, sizeof(m));
	m.title = "Netværksmøde hos Hansen VVS";
	m.kind = "meeting";
	m.start = 2000000000;
	m.end = 2000007200;
	m.place = "Industrivej 1, Slagelse";
	m.host = "Hansen VVS";
	m.capacity = 2;
	CHECK(store_meeting_add(st, &m, 100, &code) == 0);
	CHECK_STR(code, "M1");
	CHECK(store_meeting_add(st, &m, 100, &code2) == 0);
	CHECK_STR(code2, "M2");
	m.kind = "conference";
	free(code2);
	CHECK(store_meeting_add(st, &m, 100, &code2) == 0);
	CHECK_STR(code2, "K1");
	CHECK(store_meeting_get(st, "m1", &got) == 1);	/* any case */
	CHECK_STR(got.title, "Netværksmøde hos Hansen VVS");
	CHECK(got.capacity == 2 && got.sequence == 0 && got.taken == 0);
	CHECK_STR(got.status, "planned");
	CHECK(store_meeting_get(st, "M9", &m) == 0);

	memset(&g, 0, sizeof(g));
	g.meeting = got.id;
	g.addr = "a@x.dk";
	g.uid = "uid-a";
	g.state = "registered";
	CHECK(store_reg_put(st, &g, 10) == 0);
	g.addr = "b@x.dk";
	g.uid = "uid-b";
	g.state = "waiting";
	CHECK(store_reg_put(st, &g, 11) == 0);
	g.addr = "c@x.dk";
	g.uid = "uid-c";
	CHECK(store_reg_put(st, &g, 12) == 0);
	CHECK(store_reg_by_uid(st, "uid-c", &g) == 1);
	CHECK(store_reg_position(st, &g, &pos) == 0 && pos == 2);
	registration_clear(&g);
	CHECK(store_reg_list(st, got.id, "waiting", &rv, &n) == 0 && n == 2);
	CHECK_STR(rv[0].addr, "b@x.dk");
	registrations_free(rv, n);
	CHECK(store_reg_get(st, got.id, "a@x.dk", &g) == 1);
	CHECK(store_reg_set_state(st, g.id, "cancelled") == 0);
	CHECK(store_reg_set_partstat(st, g.id, "DECLINED") == 0);
	registration_clear(&g);
	CHECK(store_reg_list(st, got.id, NULL, &rv, &n) == 0 && n == 2);
	registrations_free(rv, n);
	meeting_clear(&got);
	CHECK(store_meeting_get(st, "M1", &got) == 1 && got.taken == 0 &&
	    got.waiting == 2);
	got.sequence++;
	free(got.status);
	got.status = xstrdup("cancelled");
	CHECK(store_meeting_update(st, &got) == 0);
	meeting_clear(&got);
	CHECK(store_meeting_get(st, "M1", &got) == 1 && got.sequence == 1);
	CHECK_STR(got.status, "cancelled");
	meeting_clear(&got);
	CHECK(store_meeting_list(st, 0, &v, &n) == 0 && n == 3);
	CHECK_STR(v[0].code, "M1");
	meetings_free(v, n);
	CHECK(store_meeting_list(st, 2000007201, &v, &n) == 0 && n == 0);
	meetings_free(v, n);
	free(code);
	free(code2);
}

static int	 t_cleared;

static void
t_int_read(sqlite3_stmt *s, void *p)
{
	*(int64_t *)p = sqlite3_column_int64(s, 0);
}

static void
t_int_clear(void *p)
{
	(void)p;
	t_cleared++;
}

/* store_rows(): every row read, in order; on an error nothing is kept. */
static void
test_rows(struct store *st)
{
	static const struct store_rowtype t = { sizeof(int64_t), t_int_read,
	    t_int_clear };
	static const struct {
		const char	*sql;
		int		 rc;
		size_t		 n;		/* rows returned */
		int		 cleared;	/* rows read, then freed */
	} cases[] = {
		{ "SELECT 1 WHERE 0", 0, 0, 0 },
		{ "SELECT 7", 0, 1, 0 },
		/* 300 rows: the array grows past 16, 32, ..., 256 */
		{ "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 "
		    "FROM c WHERE x < 300) SELECT x FROM c", 0, 300, 0 },
		/* the third row fails (integer overflow) after two were read */
		{ "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 "
		    "FROM c WHERE x < 5) SELECT CASE WHEN x < 3 THEN x ELSE "
		    "abs(-9223372036854775807 - 1) END FROM c", -1, 0, 2 },
	};
	sqlite3_stmt	*s;
	int64_t		*v;
	size_t		 i, k, n;
	bool		 inorder;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		t_cleared = 0;
		v = (int64_t *)&t_cleared;	/* must be overwritten */
		CHECK((s = store_stmt(st, cases[i].sql)) != NULL);
		if (s == NULL)
			continue;
		CHECK(store_rows(st, s, &t, &v, &n) == cases[i].rc);
		CHECK(n == cases[i].n);
		CHECK(t_cleared == cases[i].cleared);
		CHECK((n == 0) == (v == NULL));
		inorder = true;
		for (k = 0; k < n; k++)
			if (v[k] != (cases[i].n == 1 ? 7 : (int64_t)k + 1))
				inorder = false;
		CHECK(inorder);
		free(v);
	}
}

/*
 * store_stmt(): one prepared statement per SQL string, found again by
 * its address, across the cache's growth (128 slots, half full).
 */
static void
test_stmt_cache(struct store *st)
{
	static char	 q[300][32];
	sqlite3_stmt	*first[300], *s;
	size_t		 i;
	bool		 same = true, right = true;

	for (i = 0; i < 300; i++) {
		snprintf(q[i], sizeof(q[i]), "SELECT %zu", i);
		first[i] = store_stmt(st, q[i]);
	}
	for (i = 0; i < 300; i++) {
		if ((s = store_stmt(st, q[i])) != first[i] || s == NULL) {
			same = false;
			continue;
		}
		if (sqlite3_step(s) != SQLITE_ROW ||
		    sqlite3_column_int64(s, 0) != (int64_t)i)
			right = false;
		sqlite3_reset(s);
	}
	CHECK(same);
	CHECK(right);
	/* a statement that does not prepare: NULL, and nothing cached */
	CHECK(store_stmt(st, "SELECT FROM nowhere") == NULL);
	CHECK(store_stmt(st, "SELECT FROM nowhere") == NULL);
}

int
main(void)
{
	char			 dir[] = "/tmp/ffnet-store-XXXXXX", err[256];
	char			*path;
	struct store		*st = NULL;
	struct member		 m;
	struct pending		 p;
	struct inbox_row	 row, *rows;
	struct outbox_row	 o;
	uint32_t		 uv, last;
	int64_t			 id, n, *ids;
	size_t			 cnt;
	time_t			 when;
	bool			 used;

	CHECK(mkdtemp(dir) != NULL);
	path = xasprintf("%s/ffnet.db", dir);
	CHECK(store_open(path, &st, err, sizeof(err)) == 0);
	test_rows(st);
	test_stmt_cache(st);

	/* mailbox position */
	CHECK(store_mailbox_get(st, "INBOX", &uv, &last) == 0 && uv == 0);
	CHECK(store_mailbox_set(st, "INBOX", 77, 5) == 0);
	CHECK(store_mailbox_get(st, "INBOX", &uv, &last) == 0 && uv == 77 &&
	    last == 5);

	/* a rolled-back transaction leaves nothing */
	CHECK(store_begin(st) == 0);
	CHECK(store_member_add(st, "a@x.dk", "Anna", NULL, "da", 1) == 0);
	store_rollback(st);
	CHECK(store_member_get(st, "a@x.dk", &m) == 0);

	/* members */
	CHECK(store_begin(st) == 0);
	CHECK(store_member_add(st, "jens@x.dk", "Jens Hansen", "Hansen VVS",
	    "da", 100) == 0);
	CHECK(store_commit(st) == 0);
	CHECK(store_member_get(st, "jens@x.dk", &m) == 1);
	CHECK_STR(m.name, "Jens Hansen");
	CHECK_STR(m.org, "Hansen VVS");
	CHECK_STR(m.status, "active");
	member_clear(&m);
	CHECK(store_member_add(st, "jens@x.dk", NULL, NULL, "en", 200) == 0);
	CHECK(store_member_get(st, "jens@x.dk", &m) == 1);
	CHECK_STR(m.name, "Jens Hansen");	/* kept when not given again */
	CHECK_STR(m.lang, "en");
	member_clear(&m);
	CHECK(store_member_count(st, "active", &n) == 0 && n == 1);
	CHECK(store_member_delete(st, "jens@x.dk") == 0);
	CHECK(store_member_get(st, "jens@x.dk", &m) == 0);

	/* pending confirmations */
	CHECK(store_pending_add(st, "anna@x.dk", "join", "Anna\nFirma", "da",
	    9999, 100, &id) == 0 && id > 0);
	CHECK(store_pending_set_code(st, id, "ABCD-EFGH", "m1@ffnet") == 0);
	CHECK(store_pending_by_code(st, "ABCD-EFGH", &p, &used) == 1);
	CHECK(p.id == id && !used && p.expires == 9999);
	CHECK_STR(p.args, "Anna\nFirma");
	pending_clear(&p);
	CHECK(store_pending_by_mail(st, "m1@ffnet", &p, &used) == 1);
	CHECK_STR(p.code, "ABCD-EFGH");
	pending_clear(&p);
	CHECK(store_pending_by_mail(st, "other@ffnet", &p, &used) == 0);
	pending_clear(&p);
	CHECK(p.cancelled == 0);
	CHECK(store_pending_use(st, id, 150) == 0);
	CHECK(store_pending_by_code(st, "ABCD-EFGH", &p, &used) == 1 && used);
	CHECK(p.cancelled == 0);
	pending_clear(&p);
	/* a no closes the row; a used row is not cancelled afterwards */
	CHECK(store_pending_cancel(st, id, 160) == 0);
	CHECK(store_pending_by_code(st, "ABCD-EFGH", &p, &used) == 1 &&
	    used && p.cancelled == 0);
	pending_clear(&p);
	CHECK(store_pending_add(st, "bo@x.dk", "leave", "", "en", 9999, 100,
	    &id) == 0);
	CHECK(store_pending_set_code(st, id, "JKLM-NPQR", "m2@ffnet") == 0);
	CHECK(store_pending_cancel(st, id, 170) == 0);
	CHECK(store_pending_by_mail(st, "m2@ffnet", &p, &used) == 1 &&
	    used && p.cancelled == 170);
	pending_clear(&p);
	CHECK(store_pending_use(st, id, 180) == 0);
	CHECK(store_pending_by_code(st, "JKLM-NPQR", &p, &used) == 1 &&
	    p.cancelled == 170);
	pending_clear(&p);

	/* incoming messages */
	CHECK(store_inbox_seen(st, "<m@x>", &row) == 0);
	CHECK(store_inbox_add(st, "<m@x>", 77, 6, "a@x.dk",
	    NULL, "join", "done", "Done", NULL, 100) == 0);
	CHECK(store_inbox_add(st, "<h@x>", 77, 7, "b@x.dk",
	    NULL, "none", "skip", NULL, "no command", 100) == 0);
	CHECK(store_inbox_add(st, "<m@x>", 77, 8, "a@x.dk",
	    NULL, "join", "done", "Done", NULL, 100) == -1);	/* 2nd key */
	CHECK(store_inbox_seen(st, "<m@x>", &row) == 1 && row.uid == 6);
	CHECK_STR(row.folder, "Done");
	free(row.msgkey);
	free(row.folder);
	CHECK(store_inbox_unmoved(st, 77, &rows, &cnt) == 0 && cnt == 1 &&
	    rows[0].uid == 6);
	inbox_rows_free(rows, cnt);
	CHECK(store_inbox_unmoved(st, 78, &rows, &cnt) == 0 && cnt == 0);
	inbox_rows_free(rows, cnt);
	CHECK(store_inbox_moved(st, "<m@x>") == 0);
	CHECK(store_inbox_unmoved(st, 77, &rows, &cnt) == 0 && cnt == 0);
	inbox_rows_free(rows, cnt);
	CHECK(store_inbox_count(st, "skip", &n) == 0 && n == 1);

	/* outbox */
	CHECK(store_outbox_add(st, "f@x.dk", "a@x.dk", "id1@x", "reply", NULL,
	    "Subject: æ\r\n\r\nø\r\n", 19, 1000) == 0);
	CHECK(store_outbox_add(st, "f@x.dk", "a@x.dk", "id2@x", "reply", NULL, "x",
	    1, 1000) == 0);
	CHECK(store_outbox_has_msgid(st, "id1@x") == 1);
	CHECK(store_outbox_has_msgid(st, "nope@x") == 0);
	CHECK(store_outbox_count_to(st, "a@x.dk", "reply", 999, &n) == 0 &&
	    n == 2);
	CHECK(store_outbox_count_to(st, "a@x.dk", "reply", 1001, &n) == 0 &&
	    n == 0);
	CHECK(store_outbox_due(st, 1000, false, 0, 10, &ids, &cnt) == 0 &&
	    cnt == 2);
	CHECK(store_outbox_load(st, ids[0], &o) == 0 && o.len == 19 &&
	    memcmp(o.data, "Subject: æ\r\n\r\nø\r\n", 19) == 0);
	outbox_row_clear(&o);
	CHECK(store_outbox_sent(st, ids[0], 1001) == 0);
	CHECK(store_outbox_retry(st, ids[1], 5000, "451 try later") == 0);
	free(ids);
	CHECK(store_outbox_due(st, 1002, false, 0, 10, &ids, &cnt) == 0 &&
	    cnt == 0);
	free(ids);
	CHECK(store_outbox_due(st, 1002, true, 0, 10, &ids, &cnt) == 0 &&
	    cnt == 1);	/* once: every unsent row */
	free(ids);
	CHECK(store_outbox_next(st, &when) == 0 && when == 5000);
	CHECK(store_outbox_unsent(st, &n) == 0 && n == 1);
	CHECK(store_outbox_due(st, 5000, false, 0, 10, &ids, &cnt) == 0 &&
	    cnt == 1);
	CHECK(store_outbox_failed(st, ids[0], 6000, "550 no") == 0);
	free(ids);
	CHECK(store_outbox_unsent(st, &n) == 0 && n == 0);
	CHECK(store_outbox_next(st, &when) == 0 && when == 0);
	CHECK(outbox_backoff(0) == 60 && outbox_backoff(1) == 120 &&
	    outbox_backoff(20) == 3600);
	CHECK(store_audit(st, "a@x.dk", "joined", "Anna", 1) == 0);
	test_meetings(st);
	store_close(st);

	/* reopening keeps everything and does not migrate again */
	CHECK(store_open(path, &st, err, sizeof(err)) == 0);
	CHECK(store_mailbox_get(st, "INBOX", &uv, &last) == 0 && last == 5);
	CHECK(store_inbox_seen(st, "<h@x>", &row) == 1 && row.folder == NULL);
	free(row.msgkey);
	store_close(st);
	CHECK(store_open("/nonexistent/dir/x.db", &st, err, sizeof(err)) == -1);
	CHECK(strstr(err, "/nonexistent/dir/x.db") != NULL);

	unlink(path);
	free(path);
	path = xasprintf("rm -rf %s", dir);
	CHECK(system(path) == 0);
	free(path);
	return check_done("test_store");
}
