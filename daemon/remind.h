/*
 * remind.h: reminders before a meeting, to each registered participant
 * and to the host company's contact, reminder_days ahead ([meetings]).
 */
#ifndef FFNET_REMIND_H
#define FFNET_REMIND_H

#include <time.h>

struct env;
struct conf;
struct store;
struct tmpls;

/*
 * Queues the reminders that are due at now, each with its mark, in one
 * store transaction of its own; called once a round by main.c, before
 * the outbox is drained. Returns the number queued, or -1 when the
 * transaction was rolled back (tried again next round).
 */
int	remind_run(const struct env *, time_t now);

#endif
