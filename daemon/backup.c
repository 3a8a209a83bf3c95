/*
 * backup.c: "ffnet -c FILE backup [--force] DEST". main.c calls
 * backup_main() with logging set up. The store is copied into DEST.tmp
 * (store_backup.c, SQLite's online backup API, while the daemon may run),
 * checked, synced and renamed over DEST: DEST is whole or absent.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backup.h"
#include "conf.h"
#include "log.h"
#include "store.h"
#include "util.h"

static int	backup_copy(const char *, const char *, int, char *, size_t);
static int	backup_unlink_stale(const char *, char *, size_t);
static int	backup_sync_dir(const char *);

/*
 * What an interrupted backup left is never used: SQLite would replay an
 * old "-wal" beside the new copy into it.
 */
static int
backup_unlink_stale(const char *tmp, char *err, size_t errlen)
{
	static const char	*sfx[] = { "", "-wal", "-shm", "-journal" };
	char			*p;
	size_t			 i;
	int			 rc = 0;

	for (i = 0; i < nitems(sfx) && rc == 0; i++) {
		p = xasprintf("%s%s", tmp, sfx[i]);
		if (unlink(p) == -1 && errno != ENOENT) {
			snprintf(err, errlen, "%s: %s", p, strerror(errno));
			rc = -1;
		}
		free(p);
	}
	return rc;
}

/* Makes the rename durable: fsync(2) of the directory holding path. */
static int
backup_sync_dir(const char *path)
{
	char	*copy = xstrdup(path);
	int	 fd, rc = -1;

	if ((fd = open(dirname(copy), O_RDONLY | O_DIRECTORY)) != -1) {
		rc = fsync(fd);
		close(fd);
	}
	free(copy);
	return rc;
}

static int
backup_copy(const char *store_path, const char *dest, int force, char *err,
    size_t errlen)
{
	struct store	*st = NULL;
	struct stat	 sb, db;
	char		*tmp = NULL;
	int64_t		 pages, members;
	int		 fd = -1, rc = -1;

	if (stat(store_path, &sb) == -1) {
		snprintf(err, errlen, "store %s: %s", store_path,
		    strerror(errno));
		goto out;
	}
	if (stat(dest, &db) == 0) {
		if (db.st_dev == sb.st_dev && db.st_ino == sb.st_ino) {
			snprintf(err, errlen, "%s is the store itself", dest);
			goto out;
		}
		if (!force) {
			snprintf(err, errlen, "%s exists; give --force to "
			    "replace it", dest);
			goto out;
		}
	}
	tmp = xasprintf("%s.tmp", dest);
	if (backup_unlink_stale(tmp, err, errlen) == -1)
		goto out;
	/* a new file of our own: fails plainly where dest cannot be */
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) ==
	    -1) {
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		goto out;
	}
	close(fd);
	if (store_open(store_path, &st, err, errlen) == -1)
		goto out;
	if (store_backup(st, tmp, &pages, &members, err, errlen) == -1)
		goto out;
	if (stat(tmp, &db) == -1 || rename(tmp, dest) == -1) {
		snprintf(err, errlen, "%s: %s", dest, strerror(errno));
		goto out;
	}
	if (backup_sync_dir(dest) == -1)
		log_warn("backup: fsync of the directory of %s", dest);
	printf("%s: %lld pages, %lld bytes, %lld members, copied from %s\n",
	    dest, (long long)pages, (long long)db.st_size,
	    (long long)members, store_path);
	rc = 0;
 out:
	store_close(st);
	if (rc == -1 && fd != -1)
		(void)unlink(tmp);
	free(tmp);
	return rc;
}

int
backup_main(const char *conf_path, int argc, char **argv)
{
	struct conf	 conf;
	const char	*dest = NULL;
	char		 err[1024];
	int		 i, force = 0, bad = 0, rc = 1;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--force") == 0)
			force = 1;
		else if (dest == NULL && argv[i][0] != '-')
			dest = argv[i];
		else
			bad = 1;
	}
	if (dest == NULL || bad) {
		fprintf(stderr, "usage: ffnet -c file backup [--force] "
		    "dest\n");
		return 2;
	}
	memset(&conf, 0, sizeof(conf));
	if (conf_load(conf_path, &conf, err, sizeof(err)) == -1) {
		log_warnx("%s", err);
		return 1;
	}
	/* the copy holds the members' addresses: for its owner only */
	umask(077);
	if (backup_copy(conf.store_path, dest, force, err, sizeof(err)) == 0)
		rc = 0;
	else
		log_warnx("backup: %s", err);
	conf_clear(&conf);
	return rc;
}
