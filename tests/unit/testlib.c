/*
 * testlib.c: helpers the unit and network tests share (testlib.h).
 * Linked into every test binary; depends on lib/ alone.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testlib.h"
#include "util.h"

static char	*capture_path;
static int	 capture_saved = -1;

bool
t_has(const char *s, const char *needle)
{
	return s != NULL && strstr(s, needle) != NULL;
}

/*
 * Reads to the end rather than trusting a size from fseek()/ftell(),
 * so a pipe or a file that changes meanwhile reads whole too; a read
 * error gives NULL, not a short text. len may be NULL.
 */
char *
t_slurp(const char *path, size_t *len)
{
	FILE		*f;
	struct buf	 b;
	char		 chunk[65536];
	size_t		 n;

	if ((f = fopen(path, "rb")) == NULL)
		return NULL;
	buf_init(&b);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_add(&b, chunk, n);
	if (ferror(f)) {
		fclose(f);
		buf_clear(&b);
		return NULL;
	}
	fclose(f);
	if (len != NULL)
		*len = b.len;
	return buf_release(&b);
}

void
capture_begin(int fd)
{
	char	 tmpl[] = "/tmp/ffnet-test-capture.XXXXXX";
	int	 t;

	fflush(stdout);
	fflush(stderr);
	if ((t = mkstemp(tmpl)) == -1) {
		perror("mkstemp");
		exit(1);
	}
	capture_path = xstrdup(tmpl);
	if ((capture_saved = dup(fd)) == -1 || dup2(t, fd) == -1) {
		perror("dup");
		exit(1);
	}
	close(t);
}

char *
capture_end(int fd)
{
	char	*s;

	fflush(stdout);
	fflush(stderr);
	dup2(capture_saved, fd);
	close(capture_saved);
	capture_saved = -1;
	if ((s = t_slurp(capture_path, NULL)) == NULL) {
		perror(capture_path);
		exit(1);
	}
	unlink(capture_path);
	free(capture_path);
	capture_path = NULL;
	return s;
}
