/*
 * invite.h: the calendar mail for a registration: an iTIP REQUEST
 * (new, changed, moved up from the waiting list) or CANCEL (the meeting
 * cancelled, or one person's entry), built with ical.c and queued with
 * compose_mail(). Used by the handlers and by the secretariat's commands.
 */
#ifndef FFNET_INVITE_H
#define FFNET_INVITE_H

#include <time.h>

struct env;
struct conf;
struct meeting;
struct msg;
struct registration;
struct store;
struct tmpls;

enum invite_what {
	INV_NEW,		/* REQUEST: template invite.new */
	INV_PROMOTED,		/* REQUEST: invite.promoted */
	INV_UPDATE,		/* REQUEST, higher SEQUENCE: invite.update */
	INV_CANCEL_MEETING,	/* CANCEL, STATUS:CANCELLED: invite.cancel */
	INV_CANCEL_PERSONAL,	/* CANCEL of one entry: invite.unregistered */
};

/*
 * Queues the mail for one registration, in lang, answering thread (may
 * be NULL), with the meeting's details as template variables: code,
 * title, when, until, place, host, description, note. -1 on failure.
 */
int	invite_queue(const struct env *, const struct meeting *,
    const struct registration *, enum invite_what, const char *lang,
    const struct msg *thread, time_t now);
/*
 * The same to every registered person of the meeting, each in their
 * own language (members' choice, else the network's). Returns how many
 * were queued, or -1.
 */
int	invite_all(const struct env *, const struct meeting *,
	    enum invite_what, time_t now);
/* A new calendar UID (random, at the network's domain). Caller frees. */
char	*invite_uid_dup(const struct conf *);

#endif
