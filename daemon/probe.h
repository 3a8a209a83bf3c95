/*
 * probe.h: ffnet check --connect, the servers as the daemon sees them.
 */
#ifndef FFNET_PROBE_H
#define FFNET_PROBE_H

struct conf;
struct imap_params;
struct smtp_params;

/* Prints one line per finding; 0 when the daemon can work, else 1. */
int	probe_run(const struct conf *);
/*
 * The connection settings from the config: the daemon, the outbox and
 * check --connect all use these, so that the probe logs in exactly as
 * the daemon will. The strings stay the config's.
 */
void	probe_imap_params(const struct conf *, struct imap_params *);
void	probe_smtp_params(const struct conf *, struct smtp_params *);

#endif
