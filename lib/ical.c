/*
 * ical.c: iCalendar objects with libical (RFC 5545). Builds the iTIP
 * REQUEST and CANCEL (RFC 5546 3.2.2, 3.2.5) that handlers queue and
 * mime_build.c sends per RFC 6047, parses the REPLY and COUNTER that come
 * back, and turns local times into UTC and back for templates. Owns
 * nothing between calls but the cached Europe/Copenhagen zone.
 *
 * libical memory rules relied on here (who frees what):
 * - icalcomponent_add_property(), icalcomponent_add_component() and
 *   icalproperty_add_parameter() hand the child to its parent: only the
 *   root component is freed, with icalcomponent_free().
 * - icalcomponent_as_ical_string_r(), icalproperty_get_value_as_string_r()
 *   and icalproperty_get_parameter_as_string_r() return heap strings we
 *   free with icalmemory_free_buffer(). The plain (non-_r) calls return
 *   buffers in libical's ring that a later call overwrites: never used.
 * - icalcomponent_get_uid(), icalproperty_get_attendee(),
 *   icalparameter_get_tzid() and friends return pointers into the tree:
 *   copy them before the tree is freed.
 * - icaltimezone_set_component() makes the zone own the VTIMEZONE; such
 *   a zone is freed with icaltimezone_free(zone, 1). Builtin zones and
 *   the UTC zone belong to libical and are never freed.
 * - icalparser_parse_string() needs a NUL-terminated string and returns
 *   NULL or a tree; broken lines become X-LIC-ERROR properties, not
 *   failures. libical's error state is global: errors are set non-fatal
 *   before every parse.
 */
#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "ical.h"

#include <libical/ical.h>

#include "log.h"
#include "util.h"

#define ICAL_PRODID	"-//Slagelse Kommune//ffnet//DA"
#define ICAL_CPH	"Europe/Copenhagen"
#define ICAL_FOLD	75		/* RFC 5545 3.1: octets, without CRLF */
#define ICAL_MAX_PARSE	(1024 * 1024)	/* bytes of calendar we parse */
#define ICAL_MAX_OBS	16		/* observances in a sender's zone */
#define ICAL_MIN_YEAR	2000		/* range ical_local_to_utc accepts */
#define ICAL_MAX_YEAR	2199

/*
 * RFC 5545 3.6.5: every TZID used needs its VTIMEZONE in the object, and
 * iMIP has no timezone by reference. Written by hand (the EU rule since
 * 1996, no UNTIL, like Google's): libical's builtin zone carries a
 * /freeassociation.sourceforge.net/ prefix and RRULE UNTILs that
 * python3-icalendar 4.0.3 and khal 0.10.5 reject. Conversions for
 * Europe/Copenhagen use this same text, so the DTSTART we write always
 * means, to a client, the instant we meant. (Before 1996 Danish summer
 * time ended in September, and before 1980 there was none: hence
 * ICAL_MIN_YEAR.)
 */
static const char ical_vtz_cph[] =
    "BEGIN:VTIMEZONE\r\n"
    "TZID:" ICAL_CPH "\r\n"
    "BEGIN:STANDARD\r\n"
    "DTSTART:19701025T030000\r\n"
    "TZOFFSETFROM:+0200\r\n"
    "TZOFFSETTO:+0100\r\n"
    "TZNAME:CET\r\n"
    "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\n"
    "END:STANDARD\r\n"
    "BEGIN:DAYLIGHT\r\n"
    "DTSTART:19700329T020000\r\n"
    "TZOFFSETFROM:+0100\r\n"
    "TZOFFSETTO:+0200\r\n"
    "TZNAME:CEST\r\n"
    "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\n"
    "END:DAYLIGHT\r\n"
    "END:VTIMEZONE\r\n";

/* Indexed by icaltime_day_of_week() - 1 (Sunday first) and month - 1. */
static const char *const ical_da_wday[] = {
	"søndag", "mandag", "tirsdag", "onsdag", "torsdag", "fredag",
	"lørdag",
};
static const char *const ical_en_wday[] = {
	"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday",
	"Saturday",
};
static const char *const ical_da_month[] = {
	"januar", "februar", "marts", "april", "maj", "juni", "juli",
	"august", "september", "oktober", "november", "december",
};
static const char *const ical_en_month[] = {
	"January", "February", "March", "April", "May", "June", "July",
	"August", "September", "October", "November", "December",
};

static void		 ical_lib_init(void);
static icaltimezone	*ical_zone_cph(void);
static bool		 ical_is_zone_name(const char *);
static icaltimezone	*ical_zone(const char *);
static char		*ical_text_clean_dup(const char *);
static void		 ical_add_text(icalcomponent *, icalproperty_kind,
			    const char *);
static void		 ical_add_when(icalcomponent *, icalproperty_kind,
			    time_t, icaltimezone *);
static enum icalproperty_status ical_status(enum ical_status);
static icalproperty	*ical_person_new(bool, const char *, const char *,
			    bool);
static icalcomponent	*ical_vevent_new(enum ical_method,
			    const struct ical_event *, icaltimezone *);
static void		 ical_line_quote(struct buf *, const char *, size_t);
static void		 ical_line_fold(struct buf *, const char *, size_t);
static void		 ical_line_put(struct buf *, const struct buf *);
static char		*ical_serialise_dup(icalcomponent *);
static icalcomponent	*ical_event_find(icalcomponent *, icalcomponent **);
static icalcomponent	*ical_event_in(icalcomponent *);
static char		*ical_upper_dup(const char *);
static char		*ical_addr_dup(const char *);
static icalproperty	*ical_attendee_pick(icalcomponent *);
static size_t		 ical_by_count(const short *, size_t);
static bool		 ical_is_dst_rule(const struct icalrecurrencetype *);
static bool		 ical_is_tame_zone(icalcomponent *);
static icaltimezone	*ical_sender_zone_new(icalcomponent *,
			    const char *);
static time_t		 ical_start_utc(icalcomponent *, icalcomponent *);
static int		 ical_digits(const char *, size_t);
static int		 ical_parse_local(const char *, struct icaltimetype *);
static struct icaltimetype ical_utc_tt(time_t);

/* libical aborts on some errors unless told not to; content must not. */
static void
ical_lib_init(void)
{
	icalerror_set_errors_are_fatal(0);
	icalerror_clear_errno();
}

/* Our Europe/Copenhagen zone, from ical_vtz_cph; built once, kept. */
static icaltimezone *
ical_zone_cph(void)
{
	static icaltimezone	*zone;
	icalcomponent		*c;

	if (zone != NULL)
		return zone;
	ical_lib_init();
	if ((c = icalparser_parse_string(ical_vtz_cph)) == NULL)
		fatalx("ical: the static VTIMEZONE does not parse");
	if ((zone = icaltimezone_new()) == NULL)
		fatalx("ical: icaltimezone_new");
	if (icaltimezone_set_component(zone, c) == 0)
		fatalx("ical: the static VTIMEZONE is not a zone");
	return zone;
}

/*
 * An IANA name safe to hand to libical: its builtin lookup opens
 * <zoneinfo>/<name> for names not in zone.tab, so "../" must not pass.
 */
static bool
ical_is_zone_name(const char *s)
{
	const char	*p;

	if (s == NULL || *s == '\0' || *s == '/' || strlen(s) > 64)
		return false;
	for (p = s; *p; p++)
		if (!isalnum((unsigned char)*p) && strchr("/_+-", *p) == NULL)
			return false;
	return strstr(s, "//") == NULL;
}

/* A zone by name: ours for Copenhagen, libical's for others; borrowed. */
static icaltimezone *
ical_zone(const char *tzid)
{
	if (tzid == NULL)
		return NULL;
	if (strcmp(tzid, ICAL_CPH) == 0)
		return ical_zone_cph();
	if (strcasecmp(tzid, "UTC") == 0 || strcasecmp(tzid, "GMT") == 0)
		return icaltimezone_get_utc_timezone();
	if (!ical_is_zone_name(tzid))
		return NULL;
	return icaltimezone_get_builtin_timezone(tzid);
}

static struct icaltimetype
ical_utc_tt(time_t t)
{
	return icaltime_from_timet_with_zone(t, 0,
	    icaltimezone_get_utc_timezone());
}

/*
 * TEXT for a property: CRLF and CR become LF (libical writes "\n", RFC
 * 5545 3.3.11), other control characters but TAB go (3.3.11 forbids
 * them). NULL for NULL or empty: empty properties are omitted (Google
 * sends "DESCRIPTION:", which libical itself then flags). Caller frees.
 */
static char *
ical_text_clean_dup(const char *s)
{
	struct buf	 b;
	const char	*p;

	if (s == NULL || *s == '\0')
		return NULL;
	buf_init(&b);
	for (p = s; *p; p++) {
		if (*p == '\r') {
			if (p[1] != '\n')
				buf_addc(&b, '\n');
		} else if (*p == '\n' || *p == '\t' ||
		    ((unsigned char)*p >= 0x20 && *p != 0x7f))
			buf_addc(&b, *p);
	}
	if (b.len == 0) {
		buf_clear(&b);
		return NULL;
	}
	return buf_release(&b);
}

/* Adds SUMMARY, LOCATION or DESCRIPTION; libical escapes , ; \ and LF. */
static void
ical_add_text(icalcomponent *ev, icalproperty_kind kind, const char *s)
{
	icalproperty	*p = NULL;
	char		*t;

	if ((t = ical_text_clean_dup(s)) == NULL)
		return;
	if (kind == ICAL_SUMMARY_PROPERTY)
		p = icalproperty_new_summary(t);
	else if (kind == ICAL_LOCATION_PROPERTY)
		p = icalproperty_new_location(t);
	else if (kind == ICAL_DESCRIPTION_PROPERTY)
		p = icalproperty_new_description(t);
	if (p != NULL)
		icalcomponent_add_property(ev, p);
	free(t);
}

/*
 * DTSTART or DTEND: local time with TZID when there is a zone (RFC 5545
 * 3.3.5 form 3), else UTC with Z (form 2).
 */
static void
ical_add_when(icalcomponent *ev, icalproperty_kind kind, time_t t,
    icaltimezone *zone)
{
	struct icaltimetype	 tt;
	icalproperty		*p;

	tt = ical_utc_tt(t);
	if (zone != NULL) {
		tt = icaltime_convert_to_zone(tt, zone);
		/* A bare local time: the TZID parameter says which zone. */
		tt.zone = NULL;
	}
	if (kind == ICAL_DTSTART_PROPERTY)
		p = icalproperty_new_dtstart(tt);
	else
		p = icalproperty_new_dtend(tt);
	if (zone != NULL)
		icalproperty_add_parameter(p, icalparameter_new_tzid(ICAL_CPH));
	icalcomponent_add_property(ev, p);
}

/* RFC 5545 3.8.1.11: VEVENT status values. */
static enum icalproperty_status
ical_status(enum ical_status s)
{
	switch (s) {
	case FFNET_STATUS_TENTATIVE:
		return ICAL_STATUS_TENTATIVE;
	case FFNET_STATUS_CANCELLED:
		return ICAL_STATUS_CANCELLED;
	default:
		return ICAL_STATUS_CONFIRMED;
	}
}

/*
 * ORGANIZER or ATTENDEE: a mailto: URI (RFC 6047 3), CN when a name is
 * known. The attendee is REQ-PARTICIPANT and NEEDS-ACTION, with RSVP=TRUE
 * when a reply is wanted (RFC 5545 3.2.17: the default is FALSE, and
 * Evolution and Thunderbird then offer no reply).
 */
static icalproperty *
ical_person_new(bool organizer, const char *name, const char *addr,
    bool rsvp)
{
	icalproperty	*p;
	char		*uri, *cn;

	uri = xasprintf("mailto:%s", addr);
	p = organizer ? icalproperty_new_organizer(uri) :
	    icalproperty_new_attendee(uri);
	free(uri);
	if ((cn = ical_text_clean_dup(name)) != NULL)
		icalproperty_add_parameter(p, icalparameter_new_cn(cn));
	free(cn);
	if (organizer)
		return p;
	icalproperty_add_parameter(p,
	    icalparameter_new_role(ICAL_ROLE_REQPARTICIPANT));
	icalproperty_add_parameter(p,
	    icalparameter_new_partstat(ICAL_PARTSTAT_NEEDSACTION));
	if (rsvp)
		icalproperty_add_parameter(p,
		    icalparameter_new_rsvp(ICAL_RSVP_TRUE));
	icalproperty_add_parameter(p,
	    icalparameter_new_cutype(ICAL_CUTYPE_INDIVIDUAL));
	return p;
}

/*
 * The VEVENT, in the order RFC 5546 3.2.2 (REQUEST) and 3.2.5 (CANCEL)
 * list: both need UID, DTSTAMP, SEQUENCE, ORGANIZER and the ATTENDEE. A
 * personal CANCEL has no STATUS; STATUS:CANCELLED cancels for everyone.
 */
static icalcomponent *
ical_vevent_new(enum ical_method method, const struct ical_event *ev,
    icaltimezone *zone)
{
	icalcomponent	*v;
	time_t		 stamp;

	v = icalcomponent_new_vevent();
	icalcomponent_add_property(v, icalproperty_new_uid(ev->uid));
	/* RFC 5546 2.1.5: DTSTAMP, in UTC, orders messages of one SEQUENCE. */
	stamp = ev->dtstamp ? ev->dtstamp : time(NULL);
	icalcomponent_add_property(v,
	    icalproperty_new_dtstamp(ical_utc_tt(stamp)));
	/* RFC 5545 3.8.7.4: the caller raises it on each significant change. */
	icalcomponent_add_property(v,
	    icalproperty_new_sequence(ev->sequence < 0 ? 0 : ev->sequence));
	ical_add_when(v, ICAL_DTSTART_PROPERTY, ev->start, zone);
	if (ev->end > ev->start)
		ical_add_when(v, ICAL_DTEND_PROPERTY, ev->end, zone);
	ical_add_text(v, ICAL_SUMMARY_PROPERTY, ev->summary);
	ical_add_text(v, ICAL_LOCATION_PROPERTY, ev->location);
	ical_add_text(v, ICAL_DESCRIPTION_PROPERTY, ev->description);
	if (ev->status != FFNET_STATUS_NONE)
		icalcomponent_add_property(v,
		    icalproperty_new_status(ical_status(ev->status)));
	icalcomponent_add_property(v, ical_person_new(true,
	    ev->organizer_name, ev->organizer_addr, false));
	icalcomponent_add_property(v, ical_person_new(false,
	    ev->attendee_name, ev->attendee_addr, method == ICAL_REQUEST));
	icalcomponent_add_property(v,
	    icalproperty_new_transp(ICAL_TRANSP_OPAQUE));
	icalcomponent_add_property(v,
	    icalproperty_new_class(ICAL_CLASS_PUBLIC));
	return v;
}

char *
ical_build(enum ical_method method, const struct ical_event *ev)
{
	icalcomponent	*cal = NULL, *vtz;
	icaltimezone	*zone = NULL;
	char		*out = NULL;

	if (ev == NULL || ev->uid == NULL || *ev->uid == '\0' ||
	    !util_is_addr(ev->organizer_addr) ||
	    !util_is_addr(ev->attendee_addr) ||
	    (method != ICAL_REQUEST && method != ICAL_CANCEL)) {
		log_debug("ical: build: missing uid or bad address");
		goto out;
	}
	ical_lib_init();
	/* Only our own zone has a VTIMEZONE to ship; others go out in UTC. */
	if (ev->tzid != NULL && strcmp(ev->tzid, ICAL_CPH) == 0)
		zone = ical_zone_cph();
	cal = icalcomponent_new_vcalendar();
	/* RFC 5545 3.7.2 and RFC 6047 2.4: METHOD matches method= of MIME. */
	icalcomponent_add_property(cal, icalproperty_new_method(
	    method == ICAL_REQUEST ? ICAL_METHOD_REQUEST : ICAL_METHOD_CANCEL));
	icalcomponent_add_property(cal, icalproperty_new_prodid(ICAL_PRODID));
	icalcomponent_add_property(cal, icalproperty_new_version("2.0"));
	icalcomponent_add_property(cal, icalproperty_new_calscale("GREGORIAN"));
	if (zone != NULL) {
		if ((vtz = icalparser_parse_string(ical_vtz_cph)) == NULL)
			goto out;
		icalcomponent_add_component(cal, vtz);
	}
	icalcomponent_add_component(cal, ical_vevent_new(method, ev, zone));
	out = ical_serialise_dup(cal);
 out:
	if (cal != NULL)
		icalcomponent_free(cal);
	return out;
}

/*
 * Writes one unfolded content line with every parameter value that
 * holds a space or a non-ASCII byte in DQUOTEs (RFC 5545 3.2 allows
 * quoting any value; libical quotes only those with , ; or :, and writes
 * a DQUOTE inside a value as ^' per RFC 6868, so values never hold one).
 */
static void
ical_line_quote(struct buf *b, const char *s, size_t n)
{
	size_t	 i = 0, j;
	bool	 need;

	while (i < n && s[i] != ';' && s[i] != ':')
		i++;
	buf_add(b, s, i);
	while (i < n && s[i] == ';') {
		/* ";NAME=" */
		for (j = i + 1; j < n && s[j] != '=' && s[j] != ':'; j++)
			;
		buf_add(b, s + i, j - i);
		i = j;
		if (i >= n || s[i] != '=')
			break;
		do {
			buf_addc(b, s[i++]);	/* '=' or ',' */
			if (i < n && s[i] == '"') {
				for (j = i + 1; j < n && s[j] != '"'; j++)
					;
				j = j < n ? j + 1 : n;
				buf_add(b, s + i, j - i);
				i = j;
				continue;
			}
			need = false;
			for (j = i; j < n && s[j] != ',' && s[j] != ';' &&
			    s[j] != ':'; j++)
				if (s[j] == ' ' || (unsigned char)s[j] >= 0x80)
					need = true;
			if (need)
				buf_addc(b, '"');
			buf_add(b, s + i, j - i);
			if (need)
				buf_addc(b, '"');
			i = j;
		} while (i < n && s[i] == ',');
	}
	buf_add(b, s + i, n - i);
}

/*
 * Writes one content line folded (RFC 5545 3.1): at most 75 octets a
 * line without the CRLF, continuation lines start with a space, and a
 * fold never falls inside a UTF-8 sequence.
 */
static void
ical_line_fold(struct buf *b, const char *s, size_t n)
{
	size_t	 max = ICAL_FOLD, cut;

	for (;;) {
		if (n <= max) {
			buf_add(b, s, n);
			buf_adds(b, "\r\n");
			return;
		}
		cut = max;
		while (cut > 1 && ((unsigned char)s[cut] & 0xc0) == 0x80)
			cut--;
		buf_add(b, s, cut);
		buf_adds(b, "\r\n ");
		s += cut;
		n -= cut;
		max = ICAL_FOLD - 1;
	}
}

/* Quotes and folds one unfolded line into out. */
static void
ical_line_put(struct buf *out, const struct buf *line)
{
	struct buf	 q;

	if (line->len == 0)
		return;
	buf_init(&q);
	ical_line_quote(&q, line->data, line->len);
	ical_line_fold(out, q.data, q.len);
	buf_clear(&q);
}

/*
 * Serialises with libical, then unfolds its output and writes every
 * line again through ical_line_quote() and ical_line_fold(), so quoting
 * and folding do not depend on the libical version. Caller frees.
 */
static char *
ical_serialise_dup(icalcomponent *cal)
{
	struct buf	 out, line;
	char		*s, *p;

	if ((s = icalcomponent_as_ical_string_r(cal)) == NULL)
		return NULL;
	buf_init(&out);
	buf_init(&line);
	for (p = s; *p != '\0'; p++) {
		if (*p == '\r')
			continue;
		if (*p != '\n') {
			buf_addc(&line, *p);
			continue;
		}
		if (p[1] == ' ' || p[1] == '\t') {
			p++;	/* a fold: drop the newline and the space */
			continue;
		}
		ical_line_put(&out, &line);
		line.len = 0;
	}
	ical_line_put(&out, &line);
	buf_clear(&line);
	icalmemory_free_buffer(s);
	return buf_release(&out);
}

/* The first VEVENT with a non-empty UID directly inside c, or NULL. */
static icalcomponent *
ical_event_in(icalcomponent *c)
{
	icalcomponent	*ev;
	const char	*uid;

	for (ev = icalcomponent_get_first_component(c, ICAL_VEVENT_COMPONENT);
	    ev != NULL;
	    ev = icalcomponent_get_next_component(c, ICAL_VEVENT_COMPONENT)) {
		uid = icalcomponent_get_uid(ev);
		if (uid != NULL && *uid != '\0')
			return ev;
	}
	return NULL;
}

/*
 * The event to read: the first VEVENT with a UID, in the root VCALENDAR,
 * in the first VCALENDAR of several (libical wraps them in an XROOT), or
 * a bare VEVENT. *calp is its VCALENDAR, or NULL.
 */
static icalcomponent *
ical_event_find(icalcomponent *root, icalcomponent **calp)
{
	icalcomponent	*c, *ev;
	const char	*uid;

	*calp = NULL;
	switch (icalcomponent_isa(root)) {
	case ICAL_VCALENDAR_COMPONENT:
		*calp = root;
		return ical_event_in(root);
	case ICAL_VEVENT_COMPONENT:
		uid = icalcomponent_get_uid(root);
		return uid != NULL && *uid != '\0' ? root : NULL;
	case ICAL_XROOT_COMPONENT:
		for (c = icalcomponent_get_first_component(root,
		    ICAL_VCALENDAR_COMPONENT); c != NULL;
		    c = icalcomponent_get_next_component(root,
		    ICAL_VCALENDAR_COMPONENT))
			if ((ev = ical_event_in(c)) != NULL) {
				*calp = c;
				return ev;
			}
		return ical_event_in(root);
	default:
		return NULL;
	}
}

/* ASCII upper case copy, NULL for NULL or empty. Caller frees. */
static char *
ical_upper_dup(const char *s)
{
	char	*u, *p;

	if (s == NULL || *s == '\0')
		return NULL;
	u = xstrdup(s);
	for (p = u; *p; p++)
		*p = (char)toupper((unsigned char)*p);
	return u;
}

/*
 * The address in an ATTENDEE value: "mailto:" (any case, RFC 3986 3.1)
 * removed, lower case; NULL unless it looks like a mailbox, in UTF-8,
 * with no other scheme left ("MAILTO:mailto:…"). Caller frees.
 */
static char *
ical_addr_dup(const char *v)
{
	char	*a;

	if (v == NULL)
		return NULL;
	while (isspace((unsigned char)*v))
		v++;
	if (strncasecmp(v, "mailto:", 7) == 0)
		v += 7;
	a = util_addr_norm_dup(v);
	if (!util_is_addr(a) || strchr(a, ':') != NULL ||
	    !util_is_utf8(a, strlen(a))) {
		free(a);
		a = NULL;
	}
	return a;
}

/*
 * The replier. RFC 5546 3.2.3: a REPLY has exactly one ATTENDEE, but
 * some clients list more (djcb/mu PR #1403); the first one that carries
 * a PARTSTAT is the answer, else the first one. Borrowed, or NULL.
 */
static icalproperty *
ical_attendee_pick(icalcomponent *ev)
{
	icalproperty	*p, *first;

	first = icalcomponent_get_first_property(ev, ICAL_ATTENDEE_PROPERTY);
	for (p = first; p != NULL;
	    p = icalcomponent_get_next_property(ev, ICAL_ATTENDEE_PROPERTY))
		if (icalproperty_get_first_parameter(p,
		    ICAL_PARTSTAT_PARAMETER) != NULL)
			return p;
	return first;
}

/* Entries used in one of libical's BY* arrays. */
static size_t
ical_by_count(const short *a, size_t n)
{
	size_t	 i;

	for (i = 0; i < n && a[i] != ICAL_RECURRENCE_ARRAY_MAX; i++)
		;
	return i;
}

/*
 * Is an observance's RRULE a DST rule: yearly, in one month, on one
 * weekday or up to a week of month days, at one time of day? Real zones
 * (Exchange, Google, Apple, Domino) all are.
 */
static bool
ical_is_dst_rule(const struct icalrecurrencetype *r)
{
	size_t	 month, day, mday;

	month = ical_by_count(r->by_month, ICAL_BY_MONTH_SIZE);
	day = ical_by_count(r->by_day, ICAL_BY_DAY_SIZE);
	mday = ical_by_count(r->by_month_day, ICAL_BY_MONTHDAY_SIZE);
	return r->freq == ICAL_YEARLY_RECURRENCE && month <= 1 && day <= 1 &&
	    mday <= 7 && (month == 1 || (day == 0 && mday == 0)) &&
	    ical_by_count(r->by_second, ICAL_BY_SECOND_SIZE) <= 1 &&
	    ical_by_count(r->by_minute, ICAL_BY_MINUTE_SIZE) <= 1 &&
	    ical_by_count(r->by_hour, ICAL_BY_HOUR_SIZE) <= 1 &&
	    ical_by_count(r->by_year_day, ICAL_BY_YEARDAY_SIZE) == 0 &&
	    ical_by_count(r->by_week_no, ICAL_BY_WEEKNO_SIZE) == 0 &&
	    ical_by_count(r->by_set_pos, ICAL_BY_SETPOS_SIZE) == 0;
}

/*
 * Is a sender's VTIMEZONE cheap to expand? libical expands every
 * observance's RRULE from its DTSTART up to the year converted:
 * "FREQ=MINUTELY" there makes one conversion run for minutes and eat
 * memory. So: few observances, DST rules only, starting after 1600
 * (Exchange writes 1601), and ical_start_utc() asks only for 1900-2200.
 */
static bool
ical_is_tame_zone(icalcomponent *vtz)
{
	icalcomponent			*o;
	icalproperty			*p;
	struct icalrecurrencetype	 r;
	size_t				 nobs = 0;

	for (o = icalcomponent_get_first_component(vtz, ICAL_ANY_COMPONENT);
	    o != NULL;
	    o = icalcomponent_get_next_component(vtz, ICAL_ANY_COMPONENT)) {
		if (++nobs > ICAL_MAX_OBS ||
		    icalcomponent_get_dtstart(o).year < 1600)
			return false;
		for (p = icalcomponent_get_first_property(o,
		    ICAL_RRULE_PROPERTY); p != NULL;
		    p = icalcomponent_get_next_property(o,
		    ICAL_RRULE_PROPERTY)) {
			r = icalproperty_get_rrule(p);
			if (!ical_is_dst_rule(&r))
				return false;
		}
	}
	return true;
}

/*
 * The zone a sender's VTIMEZONE with that TZID defines (Exchange's
 * "W. Europe Standard Time" exists only there), if tame. A new zone:
 * free with icaltimezone_free(z, 1). NULL if none.
 */
static icaltimezone *
ical_sender_zone_new(icalcomponent *cal, const char *tzid)
{
	icalcomponent	*vtz;
	icalproperty	*p;
	icaltimezone	*z;

	if (cal == NULL)
		return NULL;
	for (vtz = icalcomponent_get_first_component(cal,
	    ICAL_VTIMEZONE_COMPONENT); vtz != NULL;
	    vtz = icalcomponent_get_next_component(cal,
	    ICAL_VTIMEZONE_COMPONENT)) {
		p = icalcomponent_get_first_property(vtz, ICAL_TZID_PROPERTY);
		if (p == NULL || icalproperty_get_tzid(p) == NULL ||
		    strcmp(icalproperty_get_tzid(p), tzid) != 0)
			continue;
		if (!ical_is_tame_zone(vtz)) {
			log_debug("ical: VTIMEZONE %.40s too costly", tzid);
			return NULL;
		}
		if ((z = icaltimezone_new()) == NULL)
			return NULL;
		if (icaltimezone_set_component(z,
		    icalcomponent_new_clone(vtz)) == 0) {
			icaltimezone_free(z, 1);
			return NULL;
		}
		return z;
	}
	return NULL;
}

/*
 * DTSTART as a UTC instant (RFC 5545 3.3.5): UTC as is; with TZID, the
 * sender's VTIMEZONE, else the IANA zone of that name (libical-style
 * "/freeassociation.sourceforge.net/Tzfile/" prefixes removed); floating
 * times and unknown zones are read as Europe/Copenhagen, where members
 * live. 0 if there is no usable DTSTART.
 */
static time_t
ical_start_utc(icalcomponent *cal, icalcomponent *ev)
{
	icalproperty		*p;
	icalparameter		*tp;
	icaltimezone		*zone = NULL, *own = NULL;
	struct icaltimetype	 tt;
	const char		*tzid, *s;
	time_t			 t = 0;

	if ((p = icalcomponent_get_first_property(ev,
	    ICAL_DTSTART_PROPERTY)) == NULL ||
	    icalproperty_get_value(p) == NULL)
		return 0;
	tt = icalproperty_get_dtstart(p);
	if (icaltime_is_null_time(tt) || !icaltime_is_valid_time(tt))
		return 0;
	if (icaltime_is_utc(tt))
		zone = icaltimezone_get_utc_timezone();
	else if ((tp = icalproperty_get_first_parameter(p,
	    ICAL_TZID_PARAMETER)) != NULL &&
	    (tzid = icalparameter_get_tzid(tp)) != NULL) {
		if (tt.year >= 1900 && tt.year <= 2200 &&
		    (own = ical_sender_zone_new(cal, tzid)) != NULL)
			zone = own;
		else {
			if ((s = strstr(tzid, "sourceforge.net/")) != NULL)
				s += strlen("sourceforge.net/");
			else
				s = tzid;
			if (strncmp(s, "Tzfile/", 7) == 0)
				s += 7;
			zone = ical_zone(s);
		}
	}
	if (zone == NULL)
		zone = ical_zone_cph();
	t = icaltime_as_timet_with_zone(tt, zone);
	if (own != NULL)
		icaltimezone_free(own, 1);
	return t;
}

int
ical_parse(const char *buf, size_t len, struct ical_reply *r)
{
	icalcomponent	*root = NULL, *cal, *ev;
	icalproperty	*p;
	char		*text = NULL, *v;
	int		 rc = -1;

	memset(r, 0, sizeof(*r));
	if (buf == NULL || len == 0 || len > ICAL_MAX_PARSE) {
		log_debug("ical: parse: %zu bytes, not parsed", len);
		goto out;
	}
	ical_lib_init();
	/* libical wants a C string; a NUL in the data ends it. */
	text = xstrndup(buf, len);
	if ((root = icalparser_parse_string(text)) == NULL ||
	    (ev = ical_event_find(root, &cal)) == NULL) {
		log_debug("ical: parse: no VEVENT with a UID");
		goto out;
	}
	r->uid = xstrdup(icalcomponent_get_uid(ev));
	if (cal != NULL && (p = icalcomponent_get_first_property(cal,
	    ICAL_METHOD_PROPERTY)) != NULL &&
	    (v = icalproperty_get_value_as_string_r(p)) != NULL) {
		r->method = ical_upper_dup(v);
		icalmemory_free_buffer(v);
	}
	if ((p = ical_attendee_pick(ev)) != NULL) {
		r->attendee = ical_addr_dup(icalproperty_get_attendee(p));
		if ((v = icalproperty_get_parameter_as_string_r(p,
		    "PARTSTAT")) != NULL) {
			r->partstat = ical_upper_dup(v);
			icalmemory_free_buffer(v);
		}
	}
	/* RFC 5545 3.8.7.4: a non-negative integer, 0 when absent. */
	r->sequence = icalcomponent_get_sequence(ev);
	if (r->sequence < 0)
		r->sequence = 0;
	r->start = ical_start_utc(cal, ev);
	rc = 0;
 out:
	if (rc == -1)
		ical_reply_clear(r);
	if (root != NULL)
		icalcomponent_free(root);
	free(text);
	return rc;
}

void
ical_reply_clear(struct ical_reply *r)
{
	if (r == NULL)
		return;
	free(r->method);
	free(r->uid);
	free(r->attendee);
	free(r->partstat);
	memset(r, 0, sizeof(*r));
}

/* n decimal digits at s, or -1. */
static int
ical_digits(const char *s, size_t n)
{
	size_t	 i;
	int	 v = 0;

	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

/* "YYYY-MM-DD HH:MM", exactly, and a real calendar date; -1 if not. */
static int
ical_parse_local(const char *s, struct icaltimetype *tt)
{
	int	 y, mo, d, h, mi;

	if (s == NULL || strlen(s) != 16 || s[4] != '-' || s[7] != '-' ||
	    s[10] != ' ' || s[13] != ':')
		return -1;
	y = ical_digits(s, 4);
	mo = ical_digits(s + 5, 2);
	d = ical_digits(s + 8, 2);
	h = ical_digits(s + 11, 2);
	mi = ical_digits(s + 14, 2);
	if (y < ICAL_MIN_YEAR || y > ICAL_MAX_YEAR || mo < 1 || mo > 12 ||
	    d < 1 || d > icaltime_days_in_month(mo, y) || h < 0 || h > 23 ||
	    mi < 0 || mi > 59)
		return -1;
	*tt = icaltime_null_time();
	tt->year = y;
	tt->month = mo;
	tt->day = d;
	tt->hour = h;
	tt->minute = mi;
	return 0;
}

/*
 * A local time that does not exist (the spring-forward gap, e.g.
 * "2026-03-29 02:30" in Copenhagen) is -1: the round trip back to local
 * time differs. In the autumn overlap ("2026-10-25 02:30" happens twice)
 * libical picks the second, standard-time instant.
 */
int
ical_local_to_utc(const char *tzid, const char *s, time_t *out)
{
	struct icaltimetype	 tt, back;
	icaltimezone		*zone;
	time_t			 t;

	ical_lib_init();
	if ((zone = ical_zone(tzid)) == NULL || ical_parse_local(s, &tt) == -1)
		return -1;
	t = icaltime_as_timet_with_zone(tt, zone);
	back = icaltime_convert_to_zone(ical_utc_tt(t), zone);
	if (back.year != tt.year || back.month != tt.month ||
	    back.day != tt.day || back.hour != tt.hour ||
	    back.minute != tt.minute)
		return -1;
	*out = t;
	return 0;
}

void
ical_local_date(const char *tzid, time_t t, int *year, int *month, int *day,
    int *wday)
{
	struct icaltimetype	 tt;
	icaltimezone		*zone;

	ical_lib_init();
	tt = ical_utc_tt(t);
	if ((zone = ical_zone(tzid)) != NULL)
		tt = icaltime_convert_to_zone(tt, zone);
	*year = tt.year;
	*month = tt.month;
	*day = tt.day;
	/* libical: 1 is Sunday */
	*wday = (icaltime_day_of_week(tt) + 5) % 7;
}

/*
 * Month and weekday names are written out here, not taken from the C
 * locale, which the daemon neither sets nor can rely on being
 * installed. An unknown zone gives UTC; a language other than "en…"
 * gives Danish.
 */
char *
ical_when_dup(const char *tzid, time_t t, const char *lang, bool time_only)
{
	struct icaltimetype	 tt;
	icaltimezone		*zone;
	bool			 en;
	int			 wd;

	ical_lib_init();
	en = lang != NULL && strncasecmp(lang, "en", 2) == 0;
	tt = ical_utc_tt(t);
	if ((zone = ical_zone(tzid)) != NULL)
		tt = icaltime_convert_to_zone(tt, zone);
	if (time_only)
		return xasprintf("%02d%c%02d", tt.hour, en ? ':' : '.',
		    tt.minute);
	wd = icaltime_day_of_week(tt) - 1;
	if (wd < 0 || wd > 6 || tt.month < 1 || tt.month > 12)
		return xasprintf("%04d-%02d-%02d %02d:%02d", tt.year,
		    tt.month, tt.day, tt.hour, tt.minute);
	if (en)
		return xasprintf("%s %d %s %d at %02d:%02d", ical_en_wday[wd],
		    tt.day, ical_en_month[tt.month - 1], tt.year, tt.hour,
		    tt.minute);
	return xasprintf("%s den %d. %s %d kl. %02d.%02d", ical_da_wday[wd],
	    tt.day, ical_da_month[tt.month - 1], tt.year, tt.hour, tt.minute);
}
