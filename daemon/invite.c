/*
 * invite.c: calendar mail for registrations. Handlers (DELTAG, FRAMELD)
 * and the secretariat's meeting commands call it inside their store
 * transaction; it builds the VCALENDAR with ical.c and queues it with
 * the text from templates/<lang>/invite.*.txt. Owns nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compose.h"
#include "conf.h"
#include "env.h"
#include "ical.h"
#include "invite.h"
#include "log.h"
#include "store.h"
#include "tmpl.h"
#include "util.h"

static const char *const invite_tmpl[] = {
	[INV_NEW] = "invite.new",
	[INV_PROMOTED] = "invite.promoted",
	[INV_UPDATE] = "invite.update",
	[INV_CANCEL_MEETING] = "invite.cancel",
	[INV_CANCEL_PERSONAL] = "invite.unregistered",
};

/* DESCRIPTION: the text, the agenda and the host, in paragraphs. */
static char *
invite_desc_dup(const struct meeting *m, const char *lang)
{
	struct buf	 b;
	const char	*part[2] = { m->description, m->agenda };
	size_t		 i;

	buf_init(&b);
	for (i = 0; i < nitems(part); i++) {
		if (part[i] == NULL || *part[i] == '\0')
			continue;
		if (b.len > 0)
			buf_adds(&b, "\n\n");
		buf_adds(&b, part[i]);
	}
	if (m->host != NULL && *m->host != '\0')
		buf_addf(&b, "%s%s%s", b.len > 0 ? "\n\n" : "",
		    strcmp(lang, "en") == 0 ? "Host: " : "Vært: ", m->host);
	return buf_release(&b);
}

char *
invite_uid_dup(const struct conf *conf)
{
	unsigned char	 r[16];
	char		 hex[33];
	const char	*at = strrchr(conf->address, '@');
	size_t		 i;

	if (util_random(r, sizeof(r)) == -1)
		fatal("getrandom");	/* the kernel's RNG is an invariant */
	for (i = 0; i < sizeof(r); i++)
		snprintf(hex + 2 * i, 3, "%02x", r[i]);
	return xasprintf("%s@%s", hex, at ? at + 1 : "localhost");
}

int
invite_queue(const struct env *e, const struct meeting *m,
    const struct registration *g, enum invite_what what, const char *lang,
    const struct msg *thread, time_t now)
{
	const struct conf	*conf = e->conf;
	struct ical_event	 ev;
	struct outmail		 o;
	char			*cal = NULL, *when = NULL, *until = NULL;
	char			*desc = NULL;
	bool			 cancel;
	int			 rc = -1;

	cancel = what == INV_CANCEL_MEETING || what == INV_CANCEL_PERSONAL;
	desc = invite_desc_dup(m, lang);
	memset(&ev, 0, sizeof(ev));
	ev.uid = g->uid;
	ev.sequence = m->sequence;
	ev.dtstamp = now;
	ev.start = m->start;
	ev.end = m->end;
	ev.tzid = conf->timezone;
	ev.summary = m->title;
	ev.location = m->place;
	ev.description = desc;
	ev.status = what == INV_CANCEL_MEETING ? FFNET_STATUS_CANCELLED :
	    what == INV_CANCEL_PERSONAL ? FFNET_STATUS_NONE :
	    FFNET_STATUS_CONFIRMED;
	ev.organizer_name = conf->name;
	ev.organizer_addr = conf->address;
	ev.attendee_name = g->name;
	ev.attendee_addr = g->addr;
	if ((cal = ical_build(cancel ? ICAL_CANCEL : ICAL_REQUEST, &ev)) ==
	    NULL) {
		log_warnx("%s: cannot build the calendar for %s", m->code,
		    g->addr);
		goto out;
	}
	when = ical_when_dup(conf->timezone, m->start, lang, false);
	until = ical_when_dup(conf->timezone, m->end, lang, true);
	{
		const struct tvar v[] = { { "code", m->code },
		    { "title", m->title }, { "when", when }, { "until", until },
		    { "place", m->place ? m->place : "" },
		    { "host", m->host ? m->host : "" },
		    { "description", m->description ? m->description : "" },
		    { "note", g->note && *g->note ? g->note : "-" },
		    { "name", g->name ? g->name : "" }, { NULL, NULL } };

		memset(&o, 0, sizeof(o));
		o.to = g->addr;
		o.to_name = g->name;
		o.lang = lang;
		o.tmpl = invite_tmpl[what];
		o.vars = v;
		o.thread = thread;
		o.calendar = cal;
		o.cal_method = cancel ? "CANCEL" : "REQUEST";
		o.kind = "invite";
		rc = compose_mail(e, &o, now, NULL);
	}
 out:
	free(cal);
	free(when);
	free(until);
	free(desc);
	return rc;
}

int
invite_all(const struct env *e, const struct meeting *m, enum invite_what what,
    time_t now)
{
	struct store		*st = e->st;
	const struct conf	*conf = e->conf;
	struct registration	*v = NULL;
	struct member		 mem;
	size_t			 n = 0, i;
	int			 r, sent = 0, rc = -1;

	if (store_reg_list(st, m->id, "registered", &v, &n) == -1)
		return -1;
	for (i = 0; i < n; i++) {
		if ((r = store_member_get(st, v[i].addr, &mem)) == -1)
			goto out;
		r = invite_queue(e, m, &v[i], what,
		    r == 1 ? mem.lang : conf->language, NULL, now);
		member_clear(&mem);
		if (r == -1)
			goto out;
		sent++;
	}
	rc = sent;
 out:
	registrations_free(v, n);
	return rc;
}
