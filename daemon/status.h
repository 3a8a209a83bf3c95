/*
 * status.h: what the person who runs ffnet is told. The daemon records
 * its state in the store (a few values, about once a minute) and holds
 * a lock beside the store; ffnet status reads both. A stuck outbox, or
 * an IMAP login failing for as long, is told to the secretariat once per
 * problem, in its language.
 */
#ifndef FFNET_STATUS_H
#define FFNET_STATUS_H

#include <stddef.h>

struct env;
struct conf;
struct imap;
struct outbox_stats;
struct store;
struct tmpls;

/*
 * ffnet run: takes the lock "<store>.pid" (flock) and writes the pid
 * into it; exits with a line when another ffnet holds it. Records the
 * start in the store.
 */
void	status_start(struct store *, const struct conf *);
/* After each drain: records contact and problems, tells the secretariat. */
void	status_round(const struct env *, struct imap *,
	    const struct outbox_stats *);
/* Records a failure outside the outbox (IMAP), as a line with its fix. */
void	status_error(struct store *, const struct conf *, const char *err);
/* An IMAP failure: logged as one line with its fix, and recorded. */
void	status_imap_error(struct store *, const struct conf *, const char *);
/*
 * A failed IMAP connect or login: status_imap_error(), and the run of
 * failures recorded from its first; past stuck_after the secretariat's
 * notice is queued in the outbox (the caller drains), once per kind.
 */
void	status_imap_down(const struct env *, const char *err);
/* Logged in again: the run of IMAP failures and its notices are over. */
void	status_imap_up(struct store *, const struct conf *);
/* The kind of an IMAP error ("login", "certificate", ...; "other"). */
const char *status_imap_kind(const char *err);
/* ffnet once: 1 when the last drain met a problem that will not pass. */
int	status_once_rc(void);
/* ffnet status: prints the state; 0 healthy, 1 not running or stuck. */
int	status_print(struct store *, const struct conf *);
/*
 * One plain line with the fix, for an IMAP error from imap_connect()
 * or an SMTP problem (enum smtp_why) with libcurl's words.
 */
void	status_imap_line(const struct conf *, const char *err, char *buf,
	    size_t);
void	status_smtp_line(const struct conf *, int why, const char *detail,
	    char *buf, size_t);

#endif
