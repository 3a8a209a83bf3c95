/*
 * fuzz_conf.c: libFuzzer target for conf_load(). libinih reads files,
 * so each input is written to one temporary file and loaded from it.
 * fatal() ends in exit(), which libFuzzer reports as a crash ("fuzz
 * target exited"): no content may reach it. Seeds: tests/unit/conf/.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "log.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static char	 fuzz_conf_path[] = "/tmp/fuzz_conf.XXXXXX";
static int	 fuzz_conf_fd = -1;

static void
fuzz_conf_cleanup(void)
{
	unlink(fuzz_conf_path);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct conf	 c;
	char		 err[512];

	if (fuzz_conf_fd == -1) {
		log_init(1, 0, "fuzz_conf");
		if ((fuzz_conf_fd = mkstemp(fuzz_conf_path)) == -1) {
			perror("mkstemp");
			abort();
		}
		atexit(fuzz_conf_cleanup);
	}
	if (ftruncate(fuzz_conf_fd, 0) == -1 ||
	    (len > 0 && pwrite(fuzz_conf_fd, data, len, 0) != (ssize_t)len)) {
		perror(fuzz_conf_path);
		abort();
	}
	if (conf_load(fuzz_conf_path, &c, err, sizeof(err)) == 0) {
		/* A loaded conf is whole: the invariants main.c relies on. */
		if (c.name == NULL || c.address == NULL ||
		    c.secretariat == NULL || c.secretariat[0] == NULL ||
		    c.imap_password == NULL || c.imap_port <= 0 ||
		    c.secret_path == NULL || c.templates_dir == NULL)
			abort();
		conf_clear(&c);
	} else if (err[0] == '\0' || strchr(err, '\n') != NULL)
		abort();	/* an error is one line, never empty */
	return 0;
}
