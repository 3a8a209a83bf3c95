/*
 * ical.h: calendar objects, with libical. Builds the iTIP REQUEST and
 * CANCEL that ffnet sends (RFC 5546, by mail per RFC 6047) with a static
 * Europe/Copenhagen VTIMEZONE, and reads the REPLY and COUNTER that
 * calendar apps send back. No libical type leaves ical.c.
 */
#ifndef FFNET_ICAL_H
#define FFNET_ICAL_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

enum ical_method {
	ICAL_REQUEST,
	ICAL_CANCEL,
};

enum ical_status {
	FFNET_STATUS_NONE,	/* no STATUS property (a personal CANCEL) */
	FFNET_STATUS_CONFIRMED,
	FFNET_STATUS_TENTATIVE,
	FFNET_STATUS_CANCELLED,
};

/* One event as ffnet sends it: one registrant, one attendee. */
struct ical_event {
	const char		*uid;		/* stable for the registration */
	int			 sequence;	/* RFC 5545 3.8.7.4 */
	time_t			 dtstamp;	/* new on every send */
	time_t			 start;		/* UTC instants */
	time_t			 end;
	const char		*tzid;		/* "Europe/Copenhagen" */
	const char		*summary;	/* UTF-8 */
	const char		*location;
	const char		*description;
	enum ical_status	 status;
	const char		*organizer_name;
	const char		*organizer_addr;
	const char		*attendee_name;	/* may be NULL */
	const char		*attendee_addr;
};

/*
 * Builds a VCALENDAR with METHOD, PRODID, VERSION, the VTIMEZONE and
 * the VEVENT: CRLF line ends, lines folded at 75 octets without
 * splitting a UTF-8 character, TEXT escaped, parameters quoted.
 * Returns a new string; caller frees. NULL on failure.
 */
char	*ical_build(enum ical_method, const struct ical_event *);

/* What a calendar app sent back. */
struct ical_reply {
	char	*method;	/* "REPLY", "COUNTER", "REQUEST"… upper case */
	char	*uid;
	char	*attendee;	/* lower-case address, "mailto:" removed */
	char	*partstat;	/* "ACCEPTED", "DECLINED", "TENTATIVE"… */
	int	 sequence;	/* 0 when absent */
	time_t	 start;		/* proposed (COUNTER) or given start; 0 if none */
};

/*
 * Parses an iCalendar object (buf, len): the first VEVENT and the
 * METHOD. Tolerates what real clients send (LF line ends, an empty
 * DESCRIPTION, no ORGANIZER, X-LIC-ERROR). -1 when there is no VEVENT
 * with a UID. No I/O; never fatal on content.
 */
int	ical_parse(const char *, size_t, struct ical_reply *);
void	ical_reply_clear(struct ical_reply *);

/*
 * "YYYY-MM-DD HH:MM" local time in the zone (e.g. Europe/Copenhagen) to
 * a UTC instant; -1 if malformed or not a real local time.
 */
int	ical_local_to_utc(const char *tzid, const char *, time_t *);
/*
 * The local date of a UTC instant in the zone (UTC if unknown); wday 0
 * is Monday.
 */
void	ical_local_date(const char *tzid, time_t, int *year, int *month,
	    int *day, int *wday);
/*
 * A UTC instant as local time for people: "torsdag den 12. marts 2026
 * kl. 14.00" (da) or "Thursday 12 March 2026 at 14:00" (en); with
 * what "time" only the time ("14.00" / "14:00"). Caller frees.
 */
char	*ical_when_dup(const char *tzid, time_t, const char *lang,
	    bool time_only);

#endif
