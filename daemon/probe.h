/*
 * probe.h: ffnet check --connect, the servers as the daemon sees them.
 */
#ifndef FFNET_PROBE_H
#define FFNET_PROBE_H

struct conf;

/* Prints one line per finding; 0 when the daemon can work, else 1. */
int	probe_run(const struct conf *);

#endif
