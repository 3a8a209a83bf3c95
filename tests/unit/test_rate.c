/*
 * test_rate.c: the submission server's limits (rate.c) on a made-up
 * clock: Microsoft 365's 30 a minute and 10,000 a day, the rolling
 * windows, the slow-down after a 4xx, and the estimate the secretariat
 * is told.
 */
#include <stdlib.h>

#include "check.h"
#include "rate.h"

#define T0	((time_t)1800000000)

/* Sends n as fast as allowed from t0; returns when the last one went. */
static time_t
test_send(struct rate *r, size_t n, time_t t0)
{
	time_t	 t = t0;
	size_t	 i;

	for (i = 0; i < n; i++) {
		t = rate_next(r, t);
		rate_note(r, t);
	}
	return t;
}

int
main(void)
{
	struct rate	 r;
	time_t		 t, eta;

	/* no limits: everything at once */
	rate_init(&r, 0, 0);
	CHECK(test_send(&r, 5000, T0) == T0);
	CHECK(rate_eta(&r, 5000, T0) == T0);
	rate_clear(&r);

	/* 30 a minute: 150 copies take five minutes (the last starts at 4:00) */
	rate_init(&r, 30, 10000);
	eta = rate_eta(&r, 150, T0);
	CHECK(eta == T0 + 240);
	t = test_send(&r, 150, T0);
	CHECK(t == eta);
	/* the 151st waits for the window: 60 s after the 121st */
	CHECK(rate_next(&r, t) == T0 + 300);
	rate_clear(&r);

	/* 10,000 a day: 12,000 copies go on the next day */
	rate_init(&r, 30, 10000);
	eta = rate_eta(&r, 12000, T0);
	CHECK(eta >= T0 + 86400 && eta < T0 + 2 * 86400);
	/* at 30 a minute, 10,000 take 333 minutes; the 10,001st waits a day */
	t = test_send(&r, 10000, T0);
	CHECK(t == T0 + 333 * 60);
	CHECK(rate_next(&r, t + 60) == T0 + 86400);
	rate_clear(&r);

	/* sends already made in the window count */
	rate_init(&r, 2, 0);
	rate_note(&r, T0 - 30);
	rate_note(&r, T0 - 10);
	CHECK(rate_next(&r, T0) == T0 + 30);
	CHECK(rate_next(&r, T0 + 31) == T0 + 31);
	rate_clear(&r);

	/* a 4xx holds everything 30 s, doubling, at most 15 minutes */
	rate_init(&r, 0, 0);
	rate_tempfail(&r, T0);
	CHECK(rate_next(&r, T0) == T0 + 30);
	rate_tempfail(&r, T0);
	CHECK(rate_next(&r, T0) == T0 + 60);
	rate_tempfail(&r, T0);
	rate_tempfail(&r, T0);
	rate_tempfail(&r, T0);
	rate_tempfail(&r, T0);
	rate_tempfail(&r, T0);
	CHECK(rate_next(&r, T0) == T0 + 900);
	CHECK(rate_eta(&r, 1, T0) == T0 + 900);
	rate_ok(&r);
	rate_tempfail(&r, T0);
	CHECK(rate_next(&r, T0) == T0 + 30);
	rate_clear(&r);
	return check_done("test_rate");
}
