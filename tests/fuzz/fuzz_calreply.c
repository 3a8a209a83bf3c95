/*
 * fuzz_calreply.c: libFuzzer target for a calendar app's answer (iTIP
 * REPLY, COUNTER) the whole way main.c takes it: the raw mail through
 * mime_parse(), recog_classify() (which finds the calendar part and
 * reads it with ical_parse()), then dispatch_msg() into
 * handlers/calreply.c, against an in-memory store that holds the
 * registrations whose UIDs the seeds (tests/fuzz/seeds/calreply)
 * answer. Each input runs in a transaction that is rolled back, so
 * every input meets the same store. Run from the top directory: it
 * loads templates/. Built and run by `make fuzz`; with FUZZ_VERBOSE set
 * in the environment it prints how each answer ended, to see what a new
 * seed reaches: FUZZ_VERBOSE=1 build/fuzz/fuzz_calreply seed.eml
 */
#include <ctype.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "dispatch.h"
#include "handler.h"
#include "log.h"
#include "recog.h"
#include "util.h"

/* 2030-05-02 12:00 UTC: M1 lies ahead, M3 began an hour ago. */
#define FUZZ_NOW	((time_t)1903953600)

int		LLVMFuzzerInitialize(int *, char ***);
int		LLVMFuzzerTestOneInput(const uint8_t *, size_t);
static void	fuzz_calreply_setup(void);
static void	fuzz_calreply_msg_check(const struct msg *);
static void	fuzz_calreply_cal_check(const struct ical_reply *);
static void	fuzz_calreply_outcome(const struct ctx *, const struct msg *,
		    const struct ical_reply *, const struct registration *,
		    int, enum disp, const char *);

/* Meetings, as code M1, M2, M3 in this order. */
static const struct {
	const char	*title;
	time_t		 start;
	const char	*status;
	int		 sequence;
} fuzz_meetings[] = {
	{ "Netværksmøde hos Hansen VVS", 1907582400, "planned", 2 },
	{ "Virksomhedsbesøg på Ærø Smedie", 1908187200, "cancelled", 3 },
	{ "Morgenmøde: praktik og lærepladser", FUZZ_NOW - 3600,
	    "planned", 0 },
};

/*
 * The registrations the seeds answer, by UID. A member's language
 * decides the reply's; NULL: a guest, not a member.
 */
static const struct {
	int		 meeting;	/* index into fuzz_meetings */
	const char	*state;
	const char	*lang;
	const char	*addr;
	const char	*name;
	const char	*uid;
} fuzz_regs[] = {
	{ 0, "registered", "da", "jens@hansen-vvs.dk", "Jens Hansen",
	    "5f1c0d2e8a9b4c7d9e0f1a2b3c4d5e6f@slagelse.dk" },
	{ 0, "registered", "en", "mette.holm@gmail.com", "Mette Holm",
	    "a7e3910c44d25b6f8e1d0c9b7a6f5e4d@slagelse.dk" },
	{ 0, "registered", "da", "lars@nielsen-el.dk", "Lars Nielsen",
	    "0b9d8c7e6f5a4b3c2d1e0f9a8b7c6d5e@slagelse.dk" },
	{ 0, "registered", "da", "soeren@aeroe-smed.dk", "Søren Ærø",
	    "c3d4e5f60718293a4b5c6d7e8f901a2b@slagelse.dk" },
	{ 0, "waiting", "da", "karen@bager-jensen.dk", "Karen Bager Jensen",
	    "9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b@slagelse.dk" },
	{ 0, "cancelled", "da", "ole@toemrer-ole.dk", "Ole Tømrer",
	    "1a2b3c4d5e6f70819a2b3c4d5e6f7081@slagelse.dk" },
	{ 0, "registered", NULL, "gitte@example.org", "Gitte Å. Berg",
	    "f0e1d2c3b4a5968778695a4b3c2d1e0f@slagelse.dk" },
	{ 1, "registered", "da", "jens@hansen-vvs.dk", "Jens Hansen",
	    "6e5d4c3b2a1908f7e6d5c4b3a2918070@slagelse.dk" },
	{ 2, "registered", "da", "lars@nielsen-el.dk", "Lars Nielsen",
	    "d1c2b3a4958677685a4b3c2d1e0f9a8b@slagelse.dk" },
};

static char		*fuzz_secretariat[] = {
	"sekretariat@slagelse.dk", NULL
};
static struct conf	 fuzz_conf;
static struct tmpls	*fuzz_tmpls;
static struct store	*fuzz_st;
static struct mime_limits fuzz_lim;
static unsigned char	 fuzz_secret[AUTH_SECRET_LEN];
static bool		 fuzz_verbose;

/* Anything that fails here is the harness's fault: stop at once. */
static void
fuzz_calreply_setup(void)
{
	struct meeting		 m;
	struct registration	 g;
	char			 err[256], *code = NULL;
	int64_t			 ids[nitems(fuzz_meetings)];
	size_t			 i;

	log_init(1, 0, "fuzz_calreply");
	fuzz_verbose = getenv("FUZZ_VERBOSE") != NULL;
	memset(&fuzz_conf, 0, sizeof(fuzz_conf));
	fuzz_conf.name = "Flere Faglærte Netværket";
	fuzz_conf.address = "flerefaglaerte@slagelse.dk";
	fuzz_conf.secretariat = fuzz_secretariat;
	fuzz_conf.language = "da";
	fuzz_conf.timezone = "Europe/Copenhagen";
	fuzz_conf.max_arg_len = 200;
	fuzz_conf.replies_per_hour = 10;
	fuzz_conf.code_guesses_per_day = 10;
	fuzz_conf.confirm_days = 7;
	mime_limits_default(&fuzz_lim);
	for (i = 0; i < sizeof(fuzz_secret); i++)
		fuzz_secret[i] = (unsigned char)(i * 7 + 1);
	if (tmpl_load("templates", &fuzz_tmpls, err, sizeof(err)) == -1 ||
	    store_open(":memory:", &fuzz_st, err, sizeof(err)) == -1) {
		fprintf(stderr, "fuzz_calreply (run from the top "
		    "directory): %s\n", err);
		exit(1);
	}
	for (i = 0; i < nitems(fuzz_meetings); i++) {
		memset(&m, 0, sizeof(m));
		m.title = xstrdup(fuzz_meetings[i].title);
		m.kind = xstrdup("meeting");
		m.start = fuzz_meetings[i].start;
		m.end = m.start + 9000;
		m.place = xstrdup("Industrivej 1, 4200 Slagelse");
		m.host = xstrdup("Hansen VVS");
		m.capacity = 10;
		if (store_meeting_add(fuzz_st, &m, FUZZ_NOW - 86400 * 30,
		    &code) == -1)
			abort();
		meeting_clear(&m);
		if (store_meeting_get(fuzz_st, code, &m) != 1)
			abort();
		free(code);
		free(m.status);
		m.status = xstrdup(fuzz_meetings[i].status);
		m.sequence = fuzz_meetings[i].sequence;
		if (store_meeting_update(fuzz_st, &m) == -1)
			abort();
		ids[i] = m.id;
		meeting_clear(&m);
	}
	for (i = 0; i < nitems(fuzz_regs); i++) {
		memset(&g, 0, sizeof(g));
		g.meeting = ids[fuzz_regs[i].meeting];
		g.addr = xstrdup(fuzz_regs[i].addr);
		g.name = xstrdup(fuzz_regs[i].name);
		g.uid = xstrdup(fuzz_regs[i].uid);
		g.state = xstrdup(fuzz_regs[i].state);
		g.guest = fuzz_regs[i].lang == NULL;
		if (store_reg_put(fuzz_st, &g, FUZZ_NOW - 86400 * 20) == -1 ||
		    (fuzz_regs[i].lang != NULL && store_member_add(fuzz_st,
		    g.addr, g.name, NULL, fuzz_regs[i].lang,
		    FUZZ_NOW - 86400 * 90) == -1))
			abort();
		registration_clear(&g);
	}
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_calreply_setup();
	return 0;
}

/* What recognition and every handler take for granted of a message. */
static void
fuzz_calreply_msg_check(const struct msg *m)
{
	const char	*p;
	size_t		 i;

	if (m->subject == NULL || m->text == NULL ||
	    !util_is_utf8(m->subject, strlen(m->subject)) ||
	    !util_is_utf8(m->text, strlen(m->text)))
		abort();
	if (m->from_addr != NULL)
		for (p = m->from_addr; *p; p++)
			if (isupper((unsigned char)*p))
				abort();
	for (i = 0; i < m->nparts; i++) {
		if (m->parts[i].type == NULL ||
		    (m->parts[i].data == NULL && m->parts[i].len > 0))
			abort();
		for (p = m->parts[i].type; *p; p++)
			if (isupper((unsigned char)*p))
				abort();
	}
}

/*
 * A calendar answer as recognised: a non-empty UID, METHOD REPLY or
 * COUNTER in upper case (calreply.c compares it exactly), PARTSTAT in
 * upper case, ATTENDEE a lower-case address without "mailto:".
 */
static void
fuzz_calreply_cal_check(const struct ical_reply *r)
{
	const char	*p;

	if (r->uid == NULL || *r->uid == '\0' || r->sequence < 0 ||
	    r->method == NULL || (strcmp(r->method, "REPLY") != 0 &&
	    strcmp(r->method, "COUNTER") != 0))
		abort();
	for (p = r->partstat; p != NULL && *p; p++)
		if (islower((unsigned char)*p))
			abort();
	if (r->attendee != NULL && (!util_is_addr(r->attendee) ||
	    strncasecmp(r->attendee, "mailto:", 7) == 0 ||
	    !util_is_utf8(r->attendee, strlen(r->attendee))))
		abort();
	for (p = r->attendee; p != NULL && *p; p++)
		if (isupper((unsigned char)*p))
			abort();
}

/*
 * What calreply.c promises, checked in the store before the rollback:
 * it never fails on content; a park or a skip says why; it leaves ctx
 * pointing at the message again. Mail goes only to the registration's
 * address, one at most, and only when the ATTENDEE is that address;
 * a PARTSTAT is recorded only from such a REPLY, current, for a seat;
 * no registration changes state (a decline only asks).
 */
static void
fuzz_calreply_outcome(const struct ctx *c, const struct msg *m,
    const struct ical_reply *cal, const struct registration *before,
    int found, enum disp d, const char *kind)
{
	struct registration	 after;
	struct meeting		 mt;
	struct outbox_row	 row;
	int64_t			*ids = NULL;
	size_t			 n = 0, i;
	bool			 ours;

	if (d != D_DONE && d != D_PARK && d != D_SKIP)
		abort();
	if ((d == D_PARK || d == D_SKIP) && c->why[0] == '\0')
		abort();
	if (c->sender != m->from_addr || c->sender_name != m->from_name)
		abort();
	if (strcmp(kind, "calendar") != 0)
		return;		/* a tagged address: listaddr.c's */
	ours = found == 1 && cal->attendee != NULL &&
	    util_addr_eq(cal->attendee, before->addr);
	if (store_outbox_due(fuzz_st, 0, true, 0, 100, &ids, &n) == -1 ||
	    n > 1 || (n > 0 && (!ours || d != D_DONE)))
		abort();
	for (i = 0; i < n; i++) {
		if (store_outbox_load(fuzz_st, ids[i], &row) == -1 ||
		    !util_addr_eq(row.rcpt, before->addr))
			abort();
		outbox_row_clear(&row);
	}
	free(ids);
	if (found != 1) {
		if (d != D_SKIP)
			abort();
		return;
	}
	memset(&after, 0, sizeof(after));
	memset(&mt, 0, sizeof(mt));
	if (store_reg_by_uid(fuzz_st, cal->uid, &after) != 1 ||
	    store_meeting_by_id(fuzz_st, after.meeting, &mt) != 1 ||
	    strcmp(after.state, before->state) != 0)
		abort();
	if ((after.partstat == NULL) != (before->partstat == NULL) ||
	    (after.partstat != NULL &&
	    strcmp(after.partstat, before->partstat) != 0)) {
		if (!ours || strcmp(cal->method, "REPLY") != 0 ||
		    strcmp(before->state, "registered") != 0 ||
		    cal->sequence < mt.sequence || cal->partstat == NULL ||
		    after.partstat == NULL ||
		    strcmp(after.partstat, cal->partstat) != 0)
			abort();
	}
	registration_clear(&after);
	meeting_clear(&mt);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct msg		 m;
	struct recog		 r;
	struct member		 mem;
	struct registration	 before;
	struct ctx		 c;
	struct env		 e = { &fuzz_conf, fuzz_tmpls, fuzz_st,
				    fuzz_secret };
	const char		*kind = NULL;
	enum disp		 d;
	int			 is_member = 0, found;

	if (mime_parse((const char *)data, size, &fuzz_lim, &m) == -1)
		return 0;
	fuzz_calreply_msg_check(&m);
	recog_classify(&m, fuzz_conf.address, (size_t)fuzz_conf.max_arg_len,
	    &r);
	if (r.kind != R_CALENDAR) {
		if (fuzz_verbose)
			fprintf(stderr, "calreply: not a calendar answer: "
			    "%s\n", r.why);
		goto out;
	}
	fuzz_calreply_cal_check(&r.cal);
	/* as daemon_handle() in main.c, inside the message's transaction */
	if (store_begin(fuzz_st) == -1)
		abort();
	memset(&before, 0, sizeof(before));
	memset(&mem, 0, sizeof(mem));
	memset(&c, 0, sizeof(c));
	if ((found = store_reg_by_uid(fuzz_st, r.cal.uid, &before)) == -1)
		abort();
	c.env = &e;
	c.m = &m;
	c.sender = m.from_addr;
	c.sender_name = m.from_name;
	c.now = FUZZ_NOW;
	if (m.from_addr != NULL &&
	    (is_member = store_member_get(fuzz_st, m.from_addr, &mem)) == -1)
		abort();
	c.member = is_member ? &mem : NULL;
	d = dispatch_msg(&c, &r, &kind);
	if (fuzz_verbose)
		fprintf(stderr, "calreply: %s %s %s %s seq %d: %s, disp %d: "
		    "%s\n", kind, r.cal.method, r.cal.attendee ?
		    r.cal.attendee : "-", r.cal.partstat ? r.cal.partstat : "-",
		    r.cal.sequence, found == 1 ? "registered" : "unknown UID",
		    (int)d, c.why);
	fuzz_calreply_outcome(&c, &m, &r.cal, &before, found, d, kind);
	store_rollback(fuzz_st);
	registration_clear(&before);
	member_clear(&mem);
 out:
	recog_clear(&r);
	msg_clear(&m);
	return 0;
}
