/*
 * test_invite.c: the calendar mails ffnet sends, as whole messages from
 * the outbox: a new REQUEST, a change, a personal CANCEL and a meeting
 * CANCEL. Checks the MIME layout (RFC 6047 2.4: text/plain and
 * text/calendar; method=M inside multipart/alternative, invite.ics
 * beside it), the calendar (METHOD equal to the parameter, UID stable,
 * SEQUENCE, one ATTENDEE, STATUS, CRLF, lines of at most 75 octets) and
 * libical's icalrestriction_check. With FFNET_GOLDEN_DIR set it writes
 * the messages there for tests/ical/validate.sh. (It includes libical
 * directly, so not ical.h, whose names would clash.)
 */
#include <libical/ical.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "conf.h"
#include "env.h"
#include "invite.h"
#include "mime.h"
#include "store.h"
#include "tmpl.h"
#include "util.h"

static struct conf	 conf;
static struct tmpls	*tmpls;
static struct store	*st;

/* The newest outbox row's message. Caller frees. */
static char *
last_mail(size_t *len)
{
	int64_t			*ids = NULL;
	size_t			 n = 0;
	struct outbox_row	 row;
	char			*data = NULL;

	if (store_outbox_due(st, 0, true, 0, 1000, &ids, &n) == 0 && n > 0 &&
	    store_outbox_load(st, ids[n - 1], &row) == 0) {
		data = row.data;
		*len = row.len;
		row.data = NULL;
		outbox_row_clear(&row);
	}
	free(ids);
	return data;
}

/* Lines of the calendar: CRLF only, none over 75 octets (RFC 5545 3.1). */
static bool
cal_lines_ok(const char *cal)
{
	const char	*p = cal, *e;

	while (*p != '\0') {
		if ((e = strstr(p, "\r\n")) == NULL || e - p > 75 ||
		    memchr(p, '\n', (size_t)(e - p)) != NULL)
			return false;
		p = e + 2;
	}
	return true;
}

static void
check_mail(const char *what, const char *method, const char *uid, int seq,
    const char *status)
{
	struct mime_limits	 lim;
	struct msg		 m;
	const struct mime_part	*cal = NULL, *ics = NULL;
	icalcomponent		*c, *ev;
	char			*raw, *path, *seqs;
	size_t			 len = 0, i;

	raw = last_mail(&len);
	CHECK(raw != NULL);
	if (raw == NULL)
		return;
	if (getenv("FFNET_GOLDEN_DIR") != NULL) {
		FILE *f;

		path = xasprintf("%s/%s.eml", getenv("FFNET_GOLDEN_DIR"), what);
		if ((f = fopen(path, "wb")) != NULL) {
			fwrite(raw, 1, len, f);
			fclose(f);
		}
		free(path);
	}
	CHECK(strstr(raw, "Content-Type: multipart/mixed") != NULL);
	CHECK(strstr(raw, "multipart/alternative") != NULL);
	mime_limits_default(&lim);
	CHECK(mime_parse(raw, len, &lim, &m) == 0);
	CHECK_STR(m.content_type, "multipart/mixed");
	for (i = 0; i < m.nparts; i++) {
		if (strcmp(m.parts[i].type, "text/calendar") == 0)
			cal = &m.parts[i];
		else if (m.parts[i].filename != NULL &&
		    strcmp(m.parts[i].filename, "invite.ics") == 0)
			ics = &m.parts[i];
	}
	CHECK(cal != NULL && ics != NULL);
	if (cal == NULL || ics == NULL)
		goto out;
	CHECK(cal->method != NULL && strcmp(cal->method, method) == 0);
	CHECK(cal->len == ics->len && memcmp(cal->data, ics->data, cal->len) ==
	    0);
	CHECK(cal_lines_ok(cal->data));
	CHECK(strlen(m.text) > 20);	/* a text for people, too */
	c = icalparser_parse_string(cal->data);
	CHECK(c != NULL);
	if (c == NULL)
		goto out;
	CHECK(icalcomponent_get_method(c) == icalenum_string_to_method(method));
	CHECK(icalrestriction_check(c) == 1);
	ev = icalcomponent_get_first_component(c, ICAL_VEVENT_COMPONENT);
	CHECK(ev != NULL && strcmp(icalcomponent_get_uid(ev), uid) == 0);
	CHECK(ev != NULL && icalcomponent_get_sequence(ev) == seq);
	CHECK(ev != NULL && icalcomponent_get_description(ev) != NULL &&
	    strstr(icalcomponent_get_description(ev), "Markedspladsen: ideer "
	    "søger partnere") != NULL);	/* the agenda, unfolded */
	CHECK(ev != NULL && icalcomponent_count_properties(ev,
	    ICAL_ATTENDEE_PROPERTY) == 1);
	CHECK(ev != NULL && icalcomponent_count_properties(ev,
	    ICAL_ORGANIZER_PROPERTY) == 1);
	if (status == NULL)
		CHECK(strstr(cal->data, "STATUS:") == NULL);
	else
		CHECK(strstr(cal->data, status) != NULL);
	CHECK(strstr(cal->data, "BEGIN:VTIMEZONE") != NULL);
	CHECK(strstr(cal->data, "DTSTART;TZID=Europe/Copenhagen:20300613T140000"
	    "\r\n") != NULL);
	seqs = xasprintf("SEQUENCE:%d\r\n", seq);
	CHECK(strstr(cal->data, seqs) != NULL);
	free(seqs);
	icalcomponent_free(c);
 out:
	msg_clear(&m);
	free(raw);
}

int
main(void)
{
	char			 dir[] = "/tmp/ffnet-invite-XXXXXX", err[256];
	char			*path, *code = NULL;
	struct meeting		 m;
	struct registration	 g;

	CHECK(mkdtemp(dir) != NULL);
	path = xasprintf("%s/ffnet.db", dir);
	CHECK(store_open(path, &st, err, sizeof(err)) == 0);
	CHECK(tmpl_load("templates", &tmpls, err, sizeof(err)) == 0);
	memset(&conf, 0, sizeof(conf));
	conf.name = "Flere Faglærte Netværket";
	conf.address = "flerefaglaerte@slagelse.dk";
	conf.language = "da";
	conf.timezone = "Europe/Copenhagen";

	memset(&m, 0, sizeof(m));
	m.title = xstrdup("Netværksmøde hos Hansen VVS & Søn; Markedspladsen");
	m.kind = xstrdup("meeting");
	m.start = 1907582400;	/* 2030-06-13 12:00 UTC, 14:00 in Slagelse */
	m.end = m.start + 9000;
	m.place = xstrdup("Industrivej 1, 4200 Slagelse");
	m.host = xstrdup("Hansen VVS");
	m.description = xstrdup("Dagsorden: velkomst, rundvisning på "
	    "værkstedet, Markedspladsen, næste møde. Kaffe og kage.");
	m.agenda = xstrdup("1. Velkomst 2. Markedspladsen: ideer søger partnere");
	m.capacity = 10;
	CHECK(store_meeting_add(st, &m, 1, &code) == 0);
	meeting_clear(&m);
	CHECK(store_meeting_get(st, code, &m) == 1);
	memset(&g, 0, sizeof(g));
	g.meeting = m.id;
	g.addr = xstrdup("jens@hansen-vvs.dk");
	g.name = xstrdup("Jens Hansen");
	g.uid = invite_uid_dup(&conf);
	g.state = xstrdup("registered");
	CHECK(store_reg_put(st, &g, 2) == 0);

	CHECK(invite_queue(&(const struct env){&conf, tmpls, st, NULL}, &m, &g,
		  INV_NEW, "da", NULL, 10) == 0);
	check_mail("request-new", "REQUEST", g.uid, 0, "STATUS:CONFIRMED");
	m.sequence++;
	CHECK(invite_queue(&(const struct env){&conf, tmpls, st, NULL}, &m, &g,
		  INV_UPDATE, "en", NULL, 11) == 0);
	check_mail("request-change", "REQUEST", g.uid, 1, "STATUS:CONFIRMED");
	CHECK(invite_queue(&(const struct env){&conf, tmpls, st, NULL}, &m, &g,
		  INV_CANCEL_PERSONAL, "da", NULL, 12) == 0);
	check_mail("cancel-personal", "CANCEL", g.uid, 1, NULL);
	m.sequence++;
	CHECK(invite_all(&(const struct env){&conf, tmpls, st, NULL}, &m,
		  INV_CANCEL_MEETING, 13) == 1);
	check_mail("cancel-meeting", "CANCEL", g.uid, 2, "STATUS:CANCELLED");

	registration_clear(&g);
	meeting_clear(&m);
	free(code);
	tmpl_free(tmpls);
	store_close(st);
	unlink(path);
	free(path);
	path = xasprintf("rm -rf %s", dir);
	CHECK(system(path) == 0);
	free(path);
	return check_done("test_invite");
}
