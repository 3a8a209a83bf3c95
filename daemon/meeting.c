/*
 * meeting.c: the rules for creating and changing meetings. cli.c and
 * the secretariat's mail commands call it inside their transaction;
 * it writes the store and queues calendar mail through invite.c.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "env.h"
#include "ical.h"
#include "invite.h"
#include "meeting.h"
#include "store.h"
#include "util.h"

static int meeting_fill(const struct env *, const struct meeting *, time_t);

static void
meeting_str(char **field, const char *v, struct meeting_edit *e,
    bool significant)
{
	if (*field != NULL && strcmp(*field, v) == 0)
		return;
	free(*field);
	*field = xstrdup(v);
	e->changed = true;
	e->moved |= significant;
	e->shown = true;
}

static int
meeting_time(const struct conf *conf, time_t *t, const char *v,
    struct meeting_edit *e, bool significant)
{
	time_t	 n;

	if (ical_local_to_utc(conf->timezone, v, &n) == -1)
		return -1;
	if (*t != n) {
		*t = n;
		e->changed = true;
		e->moved |= significant;
	}
	return 0;
}

static int
meeting_parent(struct store *st, struct meeting *m, const char *code,
    struct meeting_edit *e)
{
	struct meeting	 p;
	int		 rc = -1;

	if (store_meeting_get(st, code, &p) == 1 &&
	    strcmp(p.kind, "conference") == 0) {
		m->parent = p.id;
		meeting_str(&m->kind, "workshop", e, false);
		rc = 0;
	}
	meeting_clear(&p);
	return rc;
}

int
meeting_set(struct store *st, const struct conf *conf, struct meeting *m,
    const char *name, const char *v, struct meeting_edit *e, char *err,
    size_t errlen)
{
	const char	*errstr;
	int		 n, rc = 0;

	if (strcmp(name, "title") == 0 && *v != '\0')
		meeting_str(&m->title, v, e, false);
	else if (strcmp(name, "place") == 0)
		meeting_str(&m->place, v, e, true);
	else if (strcmp(name, "host") == 0)
		meeting_str(&m->host, v, e, false);
	else if (strcmp(name, "description") == 0)
		meeting_str(&m->description, v, e, false);
	else if (strcmp(name, "agenda") == 0)
		meeting_str(&m->agenda, v, e, false);
	else if (strcmp(name, "contact") == 0 && util_is_addr(v)) {
		meeting_str(&m->host_contact, v, e, false);
		e->shown = false;	/* not in the invite */
	} else if (strcmp(name, "kind") == 0 && (strcmp(v, "meeting") == 0 ||
	    strcmp(v, "outing") == 0 || strcmp(v, "conference") == 0)) {
		meeting_str(&m->kind, v, e, false);
		e->shown = false;
	}
	else if (strcmp(name, "open") == 0 && (strcmp(v, "yes") == 0 ||
	    strcmp(v, "no") == 0)) {
		e->changed |= m->open != (v[0] == 'y');
		m->open = v[0] == 'y';
	} else if (strcmp(name, "capacity") == 0) {
		n = (int)util_strtonum(v, 0, 100000, &errstr);
		if (errstr != NULL)
			rc = -1;
		else {
			e->changed |= m->capacity != n;
			m->capacity = n;
		}
	} else if (strcmp(name, "start") == 0)
		rc = meeting_time(conf, &m->start, v, e, true);
	else if (strcmp(name, "end") == 0)
		rc = meeting_time(conf, &m->end, v, e, true);
	else if (strcmp(name, "deadline") == 0)
		rc = meeting_time(conf, &m->deadline, v, e, false);
	else if (strcmp(name, "parent") == 0)
		rc = meeting_parent(st, m, v, e);
	else
		rc = -1;
	if (rc == -1)
		snprintf(err, errlen, "%s: \"%s\" is not a valid value", name, v);
	return rc;
}

int
meeting_add(struct store *st, struct meeting *m, time_t now, char **code,
    char *err, size_t errlen)
{
	*code = NULL;
	if (m->title == NULL || m->start == 0 || m->end == 0 ||
	    m->capacity < 0) {
		snprintf(err, errlen, "a title, a start, an end and a capacity "
		    "are needed");
		return -1;
	}
	if (m->end <= m->start) {
		snprintf(err, errlen, "the end must come after the start");
		return -1;
	}
	if (m->kind == NULL)
		m->kind = xstrdup("meeting");
	if (store_meeting_add(st, m, now, code) == -1) {
		snprintf(err, errlen, "the store refused the meeting");
		return -1;
	}
	return 0;
}

int
meeting_commit(const struct env *env, struct meeting *m, bool cancel,
    const struct meeting_edit *e, time_t now, int *queued, char *err,
    size_t errlen)
{
	struct store	*st = env->st;
	bool		 tell = cancel || e->moved || e->shown;

	*queued = 0;
	if (m->end <= m->start) {
		snprintf(err, errlen, "the end must come after the start");
		return -1;
	}
	if (cancel) {
		free(m->status);
		m->status = xstrdup("cancelled");
	}
	if (cancel || e->moved)
		m->sequence++;	/* RFC 5545 3.8.7.4 */
	if (store_meeting_update(st, m) == -1 ||
	    (!cancel && e->moved &&
	    store_meeting_reminders_reset(st, m->id) == -1) ||
	    (tell && (*queued = invite_all(env, m, cancel ?
	    INV_CANCEL_MEETING : INV_UPDATE, now)) == -1) ||
	    (!cancel && meeting_fill(env, m, now) == -1)) {
		snprintf(err, errlen, "store error");
		return -1;
	}
	return 0;
}

/* More seats than registered: the waiting list moves up, in order. */
static int
meeting_fill(const struct env *e, const struct meeting *m, time_t now)
{
	struct meeting	 cur;
	int		 i, rc = 0;

	for (i = 0; i <= m->capacity && rc == 0; i++) {
		if (store_meeting_by_id(e->st, m->id, &cur) != 1) {
			rc = -1;
			break;
		}
		if (cur.waiting == 0 || cur.taken >= cur.capacity) {
			meeting_clear(&cur);
			break;
		}
		rc = meeting_promote(e, &cur, now);
		meeting_clear(&cur);
	}
	return rc;
}

/* The first on the waiting list takes the free seat. */
int
meeting_promote(const struct env *e, const struct meeting *m, time_t now)
{
	struct store		*st = e->st;
	const struct conf	*conf = e->conf;
	struct registration	*v = NULL;
	struct member		 mem;
	size_t			 n = 0;
	int			 r, rc = -1;

	if (store_reg_list(st, m->id, "waiting", &v, &n) == -1)
		return -1;
	if (n == 0 || m->taken >= m->capacity) {
		rc = 0;
		goto out;
	}
	free(v[0].state);
	v[0].state = xstrdup("registered");
	if (store_reg_set_state(st, v[0].id, "registered") == -1 ||
	    store_audit(st, v[0].addr, "promoted", m->code, now) == -1 ||
	    (r = store_member_get(st, v[0].addr, &mem)) == -1)
		goto out;
	rc = invite_queue(e, m, &v[0], INV_PROMOTED,
	    r == 1 ? mem.lang : conf->language, NULL, now);
	member_clear(&mem);
 out:
	registrations_free(v, n);
	return rc;
}

bool
meeting_code_ok(const char *s, char out[16])
{
	size_t	 n = strcspn(s, " \t\r\n"), i;

	if (n < 2 || n > 6 || !isalpha((unsigned char)s[0]))
		return false;
	for (i = 1; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return false;
	for (i = 0; i < n; i++)
		out[i] = (char)toupper((unsigned char)s[i]);
	out[n] = '\0';
	return true;
}
