/*
 * check.h: the unit tests' tiny harness. CHECK(expr) counts and prints
 * a failure with its line; check_done() prints "N passed, M failed"
 * and gives the exit code.
 */
#ifndef FFNET_CHECK_H
#define FFNET_CHECK_H

#include <stdio.h>
#include <string.h>

static int check_passed, check_failed;

#define CHECK(expr) do {						\
	if (expr)							\
		check_passed++;						\
	else {								\
		check_failed++;						\
		fprintf(stderr, "%s:%d: FAIL: %s\n", __FILE__, __LINE__,	\
		    #expr);						\
	}								\
} while (0)

#define CHECK_STR(got, want) do {					\
	const char *check_g = (got), *check_w = (want);			\
	if (check_g != NULL && check_w != NULL &&			\
	    strcmp(check_g, check_w) == 0)				\
		check_passed++;						\
	else {								\
		check_failed++;						\
		fprintf(stderr, "%s:%d: FAIL: %s\n  got:  [%s]\n  want: [%s]\n",\
		    __FILE__, __LINE__, #got, check_g ? check_g : "(null)",\
		    check_w ? check_w : "(null)");			\
	}								\
} while (0)

static inline int
check_done(const char *name)
{
	printf("%s: %d passed, %d failed\n", name, check_passed, check_failed);
	return check_failed ? 1 : 0;
}

#endif
