/*
 * store_meeting.c: meetings, registrations and reminders in the store
 * (meeting.c, register.c, remind.c). See store.c for the rules every
 * store file keeps.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "store.h"
#include "store_int.h"
#include "util.h"

enum q {
	Q_MEET_ADD, Q_MEET_GET, Q_MEET_GET_ID, Q_MEET_UPDATE, Q_MEET_LIST,
	Q_MEET_COUNT_KIND, Q_REG_GET, Q_REG_BY_UID, Q_REG_PUT, Q_REG_STATE,
	Q_REG_PARTSTAT, Q_REG_LIST, Q_REG_LIST_STATE, Q_REG_POS,
	Q_MEET_REMIND_RESET, Q_REG_REMIND_RESET, Q_MAX,
};

#define MCOLS	"m.id, m.code, m.title, m.kind, m.start, m.end_, m.place, "	\
	"m.host, m.host_contact, m.capacity, m.deadline, m.open, "		\
	"m.description, m.status, m.sequence, m.parent, (SELECT count(*) "	\
	"FROM registrations r WHERE r.meeting = m.id AND r.state = "		\
	"'registered'), (SELECT count(*) FROM registrations r WHERE "		\
	"r.meeting = m.id AND r.state = 'waiting'), m.agenda"
#define RCOLS	"id, meeting, addr, name, note, uid, state, partstat, guest, "	\
	"created, reminded"

static const char *const sql[Q_MAX] = {
	[Q_MEET_ADD] = "INSERT INTO meetings (code, title, kind, start, end_, "
	    "place, host, host_contact, capacity, deadline, open, description, "
	    "status, sequence, parent, created, agenda) VALUES (?, ?, ?, ?, ?, "
	    "?, ?, ?, ?, ?, ?, ?, 'planned', 0, ?, ?, ?)",
	[Q_MEET_GET] = "SELECT " MCOLS " FROM meetings m WHERE m.code = upper(?)",
	[Q_MEET_GET_ID] = "SELECT " MCOLS " FROM meetings m WHERE m.id = ?",
	[Q_MEET_UPDATE] = "UPDATE meetings SET title = ?, kind = ?, start = ?, "
	    "end_ = ?, place = ?, host = ?, host_contact = ?, capacity = ?, "
	    "deadline = ?, open = ?, description = ?, status = ?, sequence = ?, "
	    "parent = ?, agenda = ? WHERE id = ?",
	[Q_MEET_LIST] = "SELECT " MCOLS " FROM meetings m WHERE m.end_ >= ? "
	    "ORDER BY m.start, m.id",
	[Q_MEET_COUNT_KIND] = "SELECT count(*) FROM meetings WHERE "
	    "substr(code, 1, 1) = ?",
	[Q_REG_GET] = "SELECT " RCOLS " FROM registrations WHERE meeting = ? AND "
	    "addr = ?",
	[Q_REG_BY_UID] = "SELECT " RCOLS " FROM registrations WHERE uid = ?",
	[Q_REG_PUT] = "INSERT INTO registrations (meeting, addr, name, note, uid, "
	    "state, guest, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT "
	    "(meeting, addr) DO UPDATE SET name = excluded.name, note = "
	    "excluded.note, uid = excluded.uid, state = excluded.state, guest = "
	    "excluded.guest, created = excluded.created, partstat = NULL, "
	    "reminded = NULL",
	[Q_REG_STATE] = "UPDATE registrations SET state = ? WHERE id = ?",
	[Q_REG_PARTSTAT] = "UPDATE registrations SET partstat = ? WHERE id = ?",
	[Q_REG_LIST] = "SELECT " RCOLS " FROM registrations WHERE meeting = ? "
	    "AND state != 'cancelled' ORDER BY created, id",
	[Q_REG_LIST_STATE] = "SELECT " RCOLS " FROM registrations WHERE "
	    "meeting = ? AND state = ? ORDER BY created, id",
	[Q_REG_POS] = "SELECT count(*) FROM registrations WHERE meeting = ? AND "
	    "state = 'waiting' AND (created < ? OR (created = ? AND id <= ?))",
	[Q_MEET_REMIND_RESET] = "UPDATE meetings SET reminded = NULL WHERE id = ?",
	[Q_REG_REMIND_RESET] = "UPDATE registrations SET reminded = NULL WHERE "
	    "meeting = ?",
};

static void		 store_meeting_read(sqlite3_stmt *, void *);
static void		 store_meeting_clear(void *);
static int		 store_meeting_bind(sqlite3_stmt *, int,
			    const struct meeting *);
static void		 store_reg_read(sqlite3_stmt *, void *);
static void		 store_reg_clear(void *);
static int		 store_reg_one(struct store *, sqlite3_stmt *,
			    struct registration *);

static const struct store_rowtype store_meeting_rows = {
	sizeof(struct meeting), store_meeting_read, store_meeting_clear
};

static const struct store_rowtype store_reg_rows = {
	sizeof(struct registration), store_reg_read, store_reg_clear
};

static void
store_meeting_read(sqlite3_stmt *s, void *p)
{
	struct meeting	*m = p;

	m->id = sqlite3_column_int64(s, 0);
	m->code = store_col_dup(s, 1);
	m->title = store_col_dup(s, 2);
	m->kind = store_col_dup(s, 3);
	m->start = (time_t)sqlite3_column_int64(s, 4);
	m->end = (time_t)sqlite3_column_int64(s, 5);
	m->place = store_col_dup(s, 6);
	m->host = store_col_dup(s, 7);
	m->host_contact = store_col_dup(s, 8);
	m->capacity = sqlite3_column_int(s, 9);
	m->deadline = (time_t)sqlite3_column_int64(s, 10);
	m->open = sqlite3_column_int(s, 11) != 0;
	m->description = store_col_dup(s, 12);
	m->status = store_col_dup(s, 13);
	m->sequence = sqlite3_column_int(s, 14);
	m->parent = sqlite3_column_int64(s, 15);
	m->taken = sqlite3_column_int(s, 16);
	m->waiting = sqlite3_column_int(s, 17);
	m->agenda = store_col_dup(s, 18);
}

/* Binds the fields that add and update share, from index i on. */
static int
store_meeting_bind(sqlite3_stmt *s, int i, const struct meeting *m)
{
	store_bind_text(s, i++, m->title);
	store_bind_text(s, i++, m->kind);
	sqlite3_bind_int64(s, i++, m->start);
	sqlite3_bind_int64(s, i++, m->end);
	store_bind_text(s, i++, m->place);
	store_bind_text(s, i++, m->host);
	store_bind_text(s, i++, m->host_contact);
	sqlite3_bind_int(s, i++, m->capacity);
	if (m->deadline != 0)
		sqlite3_bind_int64(s, i++, m->deadline);
	else
		sqlite3_bind_null(s, i++);
	sqlite3_bind_int(s, i++, m->open);
	store_bind_text(s, i++, m->description);
	return i;
}

int
store_meeting_add(struct store *st, const struct meeting *m, time_t now,
    char **code)
{
	sqlite3_stmt	*s;
	char		 letter[2];
	int64_t		 n;
	int		 i;

	*code = NULL;
	if (m->code != NULL)
		*code = xstrdup(m->code);
	else {
		letter[0] = strcmp(m->kind, "outing") == 0 ? 'U' :
		    strcmp(m->kind, "conference") == 0 ? 'K' :
		    strcmp(m->kind, "workshop") == 0 ? 'W' : 'M';
		letter[1] = '\0';
		if ((s = store_stmt(st, sql[Q_MEET_COUNT_KIND])) == NULL)
			return -1;
		store_bind_text(s, 1, letter);
		if (store_count(st, s, &n) == -1)
			return -1;
		*code = xasprintf("%s%lld", letter, (long long)n + 1);
	}
	if ((s = store_stmt(st, sql[Q_MEET_ADD])) == NULL)
		goto fail;
	store_bind_text(s, 1, *code);
	i = store_meeting_bind(s, 2, m);
	if (m->parent != 0)
		sqlite3_bind_int64(s, i++, m->parent);
	else
		sqlite3_bind_null(s, i++);
	sqlite3_bind_int64(s, i++, now);
	store_bind_text(s, i, m->agenda);
	if (store_exec_done(st, s) == 0)
		return 0;
 fail:
	free(*code);
	*code = NULL;
	return -1;
}

int
store_meeting_get(struct store *st, const char *code, struct meeting *m)
{
	sqlite3_stmt	*s;
	int		 r;

	memset(m, 0, sizeof(*m));
	if ((s = store_stmt(st, sql[Q_MEET_GET])) == NULL)
		return -1;
	store_bind_text(s, 1, code);
	if ((r = sqlite3_step(s)) == SQLITE_ROW)
		store_meeting_read(s, m);
	sqlite3_reset(s);
	if (r == SQLITE_ROW)
		return 1;
	return r == SQLITE_DONE ? 0 : -1;
}

int
store_meeting_by_id(struct store *st, int64_t id, struct meeting *m)
{
	sqlite3_stmt	*s;
	int		 r;

	memset(m, 0, sizeof(*m));
	if ((s = store_stmt(st, sql[Q_MEET_GET_ID])) == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, id);
	if ((r = sqlite3_step(s)) == SQLITE_ROW)
		store_meeting_read(s, m);
	sqlite3_reset(s);
	if (r == SQLITE_ROW)
		return 1;
	return r == SQLITE_DONE ? 0 : -1;
}

int
store_meeting_update(struct store *st, const struct meeting *m)
{
	sqlite3_stmt	*s;
	int		 i;

	if ((s = store_stmt(st, sql[Q_MEET_UPDATE])) == NULL)
		return -1;
	i = store_meeting_bind(s, 1, m);
	store_bind_text(s, i++, m->status);
	sqlite3_bind_int(s, i++, m->sequence);
	if (m->parent != 0)
		sqlite3_bind_int64(s, i++, m->parent);
	else
		sqlite3_bind_null(s, i++);
	store_bind_text(s, i++, m->agenda);
	sqlite3_bind_int64(s, i, m->id);
	return store_exec_done(st, s);
}

static void
store_meeting_clear(void *p)
{
	meeting_clear(p);
}

int
store_meeting_list(struct store *st, time_t since, struct meeting **v,
    size_t *n)
{
	sqlite3_stmt	*s;

	*v = NULL;
	*n = 0;
	if ((s = store_stmt(st, sql[Q_MEET_LIST])) == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, since);
	return store_rows(st, s, &store_meeting_rows, v, n);
}

void
meeting_clear(struct meeting *m)
{
	free(m->code);
	free(m->title);
	free(m->kind);
	free(m->place);
	free(m->host);
	free(m->host_contact);
	free(m->description);
	free(m->agenda);
	free(m->status);
	memset(m, 0, sizeof(*m));
}

void
meetings_free(struct meeting *v, size_t n)
{
	store_rows_free(&store_meeting_rows, v, n);
}

static void
store_reg_read(sqlite3_stmt *s, void *p)
{
	struct registration	*g = p;

	g->id = sqlite3_column_int64(s, 0);
	g->meeting = sqlite3_column_int64(s, 1);
	g->addr = store_col_dup(s, 2);
	g->name = store_col_dup(s, 3);
	g->note = store_col_dup(s, 4);
	g->uid = store_col_dup(s, 5);
	g->state = store_col_dup(s, 6);
	g->partstat = store_col_dup(s, 7);
	g->guest = sqlite3_column_int(s, 8) != 0;
	g->created = (time_t)sqlite3_column_int64(s, 9);
	g->reminded = (time_t)sqlite3_column_int64(s, 10);
}

static int
store_reg_one(struct store *st, sqlite3_stmt *s, struct registration *g)
{
	int	 r;

	if ((r = sqlite3_step(s)) == SQLITE_ROW)
		store_reg_read(s, g);
	sqlite3_reset(s);
	if (r == SQLITE_ROW)
		return 1;
	if (r != SQLITE_DONE)
		store_warn(st);
	return r == SQLITE_DONE ? 0 : -1;
}

int
store_reg_get(struct store *st, int64_t meeting, const char *addr,
    struct registration *g)
{
	sqlite3_stmt	*s;

	memset(g, 0, sizeof(*g));
	if ((s = store_stmt(st, sql[Q_REG_GET])) == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, meeting);
	store_bind_text(s, 2, addr);
	return store_reg_one(st, s, g);
}

int
store_reg_by_uid(struct store *st, const char *uid, struct registration *g)
{
	sqlite3_stmt	*s;

	memset(g, 0, sizeof(*g));
	if ((s = store_stmt(st, sql[Q_REG_BY_UID])) == NULL)
		return -1;
	store_bind_text(s, 1, uid);
	return store_reg_one(st, s, g);
}

int
store_reg_put(struct store *st, const struct registration *g, time_t now)
{
	sqlite3_stmt	*s;

	if ((s = store_stmt(st, sql[Q_REG_PUT])) == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, g->meeting);
	store_bind_text(s, 2, g->addr);
	store_bind_text(s, 3, g->name);
	store_bind_text(s, 4, g->note);
	store_bind_text(s, 5, g->uid);
	store_bind_text(s, 6, g->state);
	sqlite3_bind_int(s, 7, g->guest);
	sqlite3_bind_int64(s, 8, now);
	return store_exec_done(st, s);
}

int
store_reg_set_state(struct store *st, int64_t id, const char *state)
{
	sqlite3_stmt	*s;

	if ((s = store_stmt(st, sql[Q_REG_STATE])) == NULL)
		return -1;
	store_bind_text(s, 1, state);
	sqlite3_bind_int64(s, 2, id);
	return store_exec_done(st, s);
}

int
store_reg_set_partstat(struct store *st, int64_t id, const char *partstat)
{
	sqlite3_stmt	*s;

	if ((s = store_stmt(st, sql[Q_REG_PARTSTAT])) == NULL)
		return -1;
	store_bind_text(s, 1, partstat);
	sqlite3_bind_int64(s, 2, id);
	return store_exec_done(st, s);
}

static void
store_reg_clear(void *p)
{
	registration_clear(p);
}

int
store_reg_list(struct store *st, int64_t meeting, const char *state,
    struct registration **v, size_t *n)
{
	sqlite3_stmt	*s;

	*v = NULL;
	*n = 0;
	if ((s = store_stmt(st,
	    sql[state ? Q_REG_LIST_STATE : Q_REG_LIST])) == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, meeting);
	if (state != NULL)
		store_bind_text(s, 2, state);
	return store_rows(st, s, &store_reg_rows, v, n);
}

int
store_reg_position(struct store *st, const struct registration *g, int *pos)
{
	sqlite3_stmt	*s;
	int64_t		 n;

	*pos = 0;
	if ((s = store_stmt(st, sql[Q_REG_POS])) == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, g->meeting);
	sqlite3_bind_int64(s, 2, g->created);
	sqlite3_bind_int64(s, 3, g->created);
	sqlite3_bind_int64(s, 4, g->id);
	if (store_count(st, s, &n) == -1)
		return -1;
	*pos = (int)n;
	return 0;
}

void
registration_clear(struct registration *g)
{
	free(g->addr);
	free(g->name);
	free(g->note);
	free(g->uid);
	free(g->state);
	free(g->partstat);
	memset(g, 0, sizeof(*g));
}

void
registrations_free(struct registration *v, size_t n)
{
	store_rows_free(&store_reg_rows, v, n);
}

/* Reminders (remind.c). */
int
store_meeting_remind_due(struct store *st, time_t now, time_t until,
    struct meeting **v, size_t *n)
{
	sqlite3_stmt	*s;

	*v = NULL;
	*n = 0;
	if ((s = store_stmt(st, "SELECT " MCOLS " FROM meetings m "
	    "WHERE m.status = 'planned' AND m.start > ? AND m.start <= ? AND "
	    "((m.reminded IS NULL AND m.host_contact IS NOT NULL) OR EXISTS "
	    "(SELECT 1 FROM registrations r WHERE r.meeting = m.id AND "
	    "r.state = 'registered' AND r.reminded IS NULL)) "
	    "ORDER BY m.start, m.id")) == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, now);
	sqlite3_bind_int64(s, 2, until);
	return store_rows(st, s, &store_meeting_rows, v, n);
}

/* An UPDATE of one row by id, setting now; 1 if it changed a row. */
static int
store_mark_once(struct store *st, const char *q, int64_t id, time_t now)
{
	sqlite3_stmt	*s = NULL;
	int		 rc = -1;

	if ((s = store_stmt(st, q)) != NULL) {
		sqlite3_bind_int64(s, 1, now);
		sqlite3_bind_int64(s, 2, id);
		if (sqlite3_step(s) == SQLITE_DONE)
			rc = sqlite3_changes(st->db) > 0 ? 1 : 0;
	}
	if (rc == -1)
		store_warn(st);
	sqlite3_reset(s);
	return rc;
}

int
store_meeting_set_reminded(struct store *st, int64_t id, time_t now)
{
	return store_mark_once(st, "UPDATE meetings SET reminded = ? "
	    "WHERE id = ? AND reminded IS NULL", id, now);
}

int
store_reg_set_reminded(struct store *st, int64_t id, time_t now)
{
	return store_mark_once(st, "UPDATE registrations SET reminded = ? "
	    "WHERE id = ? AND reminded IS NULL AND state = 'registered'", id,
	    now);
}

int
store_meeting_reminders_reset(struct store *st, int64_t id)
{
	sqlite3_stmt	*s;

	if ((s = store_stmt(st, sql[Q_MEET_REMIND_RESET])) == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, id);
	if (store_exec_done(st, s) == -1 ||
	    (s = store_stmt(st, sql[Q_REG_REMIND_RESET])) == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, id);
	return store_exec_done(st, s);
}
