/*
 * summary.h: the secretariat's daily or weekly summary ([secretariat]
 * summary and summary_hour): what happened since the last one.
 */
#ifndef FFNET_SUMMARY_H
#define FFNET_SUMMARY_H

#include <stdbool.h>
#include <time.h>

struct env;
struct conf;
struct store;
struct tmpls;

/*
 * The latest moment at or before now when a summary falls due:
 * summary_hour local time ([network] timezone), every day or on
 * Mondays; 0 when summaries are off.
 */
time_t	summary_slot(const struct conf *, time_t now);
/* Is one due at now, the last made at last (0: never)? */
bool	summary_is_due(const struct conf *, time_t last, time_t now);
/*
 * If one is due at now: queues it to every secretariat address and
 * records it, in one transaction of its own (a period in which nothing
 * happened is recorded and sends nothing). 1 queued, 0 not, -1 rolled
 * back (tried again later). main.c calls it at most once a minute.
 */
int	summary_run(const struct env *, time_t now);
/* "ffnet summary [--now TIME] [--print]"; argv[0] is "summary". Exit code. */
int	summary_main(const struct env *, int argc, char **argv);

#endif
