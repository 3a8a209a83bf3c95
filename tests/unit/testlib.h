/*
 * testlib.h: helpers the unit and network tests share. They use lib/
 * alone (util.h), never daemon/ or handlers/, and none of check.h's
 * counters: a test CHECKs what they return, so each test file keeps
 * its own pass and fail counts.
 */
#ifndef FFNET_TESTLIB_H
#define FFNET_TESTLIB_H

#include <stdbool.h>
#include <stddef.h>

/* True if s is not NULL and holds needle. */
bool		 t_has(const char *, const char *);
/* A whole file, NUL-terminated, its length in *len; NULL if unreadable. */
char		*t_slurp(const char *, size_t *);
/* Sends fd (1 or 2) to a temporary file until capture_end(fd). */
void		 capture_begin(int);
/* Restores fd; returns what was written to it meanwhile; caller frees. */
char		*capture_end(int);

#endif
