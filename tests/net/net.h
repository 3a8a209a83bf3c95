/*
 * net.h: what the IMAP and SMTP module tests share: their settings
 * from tests/net.sh's environment, and a monotonic clock.
 */
#ifndef FFNET_NET_TEST_H
#define FFNET_NET_TEST_H

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

/* A variable tests/net.sh sets; exits 2 when it is missing. */
static inline const char *
net_env(const char *k)
{
	const char	*v = getenv(k);

	if (v == NULL || *v == '\0') {
		fprintf(stderr, "%s is not set: run tests/net.sh\n", k);
		exit(2);
	}
	return v;
}

static inline double
net_now(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

#endif
