/*
 * meeting.h: creating, changing and cancelling meetings, shared by the
 * command line (cli.c) and the secretariat's commands by mail
 * (handlers/meetingadmin.c). Each runs inside the caller's transaction
 * and queues the calendar mail the change causes.
 */
#ifndef FFNET_MEETING_H
#define FFNET_MEETING_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

struct env;
struct conf;
struct meeting;
struct store;
struct tmpls;

struct meeting_edit {
	bool	 changed;
	bool	 moved;		/* time, place or status: raise SEQUENCE */
	bool	 shown;		/* title, host or text: the invite shows it */
};

/*
 * Sets one field by name: title, start, end, place, host, contact,
 * description, agenda, kind, open (yes/no), capacity, deadline, parent; times
 * as "YYYY-MM-DD HH:MM" local. -1 with a reason in err.
 */
int	meeting_set(struct store *, const struct conf *, struct meeting *,
	    const char *name, const char *value, struct meeting_edit *,
	    char *err, size_t errlen);
/* Checks and adds a new meeting; *code new (caller frees). -1 with err. */
int	meeting_add(struct store *, struct meeting *, time_t now, char **code,
	    char *err, size_t errlen);
/*
 * Stores a changed (or, with cancel, cancelled) meeting and tells
 * everyone registered: a new time, place or status raises SEQUENCE
 * (RFC 5545 3.8.7.4); a new title or text goes out with the same
 * SEQUENCE (a minor update); capacity, deadline and the like send
 * nothing. Seats that appear go to the waiting list. *queued gets the
 * number of calendar mails. -1 with err.
 */
int	meeting_commit(const struct env *, struct meeting *, bool cancel,
	    const struct meeting_edit *, time_t now, int *queued, char *err,
	    size_t errlen);
/*
 * The first on the waiting list takes the free seat of m, if there is
 * one, and gets its invitation (in the caller's transaction). -1 on
 * failure.
 */
int	meeting_promote(const struct env *, const struct meeting *, time_t now);
/* Is s (up to white space) a meeting code like "M3"? Upper-cased into out. */
bool	meeting_code_ok(const char *s, char out[16]);

#endif
