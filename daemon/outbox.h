/*
 * outbox.h: drains the outbox to SMTP. Each row is marked sent the
 * moment the server accepts it; a refused or failed row waits with
 * back-off and is given up only after retry_max_hours.
 */
#ifndef FFNET_OUTBOX_H
#define FFNET_OUTBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

struct conf;
struct store;

struct outbox_stats {
	size_t	 sent;
	size_t	 deferred;
	size_t	 failed;
	bool	 down;		/* the server could not be reached */
	bool	 more;		/* stopped for time: call again at once */
	time_t	 wake;		/* the limits allow more then; 0: none */
	int	 why;		/* enum smtp_why of the drain's problem */
	char	 err[512];	/* its line, with the server's words */
};

/*
 * Sends what is due now; with force, every unsent mail (ffnet once),
 * still within the server's limits. Without force it returns after
 * about two seconds with more set, so that new mail is read between
 * the parts of a long post. Returns 0, or -1 on a store error.
 */
int	outbox_drain(struct store *, const struct conf *, bool force,
	    struct outbox_stats *);
/*
 * Says QUIT on the SMTP sessions that drains keep open between them;
 * the next drain connects anew (after a reload, before a long wait).
 */
void	outbox_close(void);
/* Seconds to wait after the given number of failed attempts. */
long	outbox_backoff(int attempts);

#endif
