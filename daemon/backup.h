/*
 * backup.h: ffnet -c FILE backup [--force] DEST, a consistent copy of
 * the store taken while the daemon runs.
 */
#ifndef FFNET_BACKUP_H
#define FFNET_BACKUP_H

/* argv[0] is "backup". Returns the exit code: 0 copied, 1 failed, 2 usage. */
int	backup_main(const char *conf_path, int argc, char **argv);

#endif
