/*
 * rate.c: see rate.h. A rolling window, as Microsoft 365 counts: the
 * per-minute limit looks at the last 60 s, the daily one at the last
 * 24 h. With at most L sends allowed in a window W, the next send may
 * start once the L-th most recent is W old.
 */
#include <stdlib.h>
#include <string.h>

#include "rate.h"
#include "store.h"
#include "util.h"

#define RATE_DAY	86400
#define RATE_HOLD_MIN	30
#define RATE_HOLD_MAX	900

static void	rate_prune(struct rate *, time_t);

void
rate_init(struct rate *r, int per_minute, int per_day)
{
	memset(r, 0, sizeof(*r));
	r->per_minute = per_minute;
	r->per_day = per_day;
}

void
rate_clear(struct rate *r)
{
	free(r->t);
	memset(r, 0, sizeof(*r));
}

int
rate_load(struct rate *r, struct store *st, time_t now)
{
	time_t	*v = NULL;
	size_t	 n = 0, i;

	if (r->per_minute == 0 && r->per_day == 0)
		return 0;
	if (store_sent_times(st, now - RATE_DAY, &v, &n) == -1)
		return -1;
	r->first = r->n = 0;
	for (i = 0; i < n; i++)
		rate_note(r, v[i]);
	free(v);
	return 0;
}

/* Forgets sends older than a day; compacts now and then. */
static void
rate_prune(struct rate *r, time_t now)
{
	while (r->first < r->n && r->t[r->first] <= now - RATE_DAY)
		r->first++;
	if (r->first > 0 && r->first >= r->n / 2) {
		memmove(r->t, r->t + r->first, (r->n - r->first) *
		    sizeof(*r->t));
		r->n -= r->first;
		r->first = 0;
	}
}

time_t
rate_next(struct rate *r, time_t now)
{
	time_t	 t = now > r->hold ? now : r->hold;
	size_t	 have;

	rate_prune(r, now);
	have = r->n - r->first;
	if (r->per_minute > 0 && have >= (size_t)r->per_minute &&
	    r->t[r->n - (size_t)r->per_minute] + 60 > t)
		t = r->t[r->n - (size_t)r->per_minute] + 60;
	if (r->per_day > 0 && have >= (size_t)r->per_day &&
	    r->t[r->n - (size_t)r->per_day] + RATE_DAY > t)
		t = r->t[r->n - (size_t)r->per_day] + RATE_DAY;
	return t;
}

void
rate_note(struct rate *r, time_t t)
{
	if (r->per_minute == 0 && r->per_day == 0)
		return;
	if (r->n == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 256;
		r->t = xrealloc(r->t, r->cap * sizeof(*r->t));
	}
	r->t[r->n++] = t;
}

void
rate_tempfail(struct rate *r, time_t now)
{
	long	 s = RATE_HOLD_MIN;
	int	 i;

	for (i = 0; i < r->slow && s < RATE_HOLD_MAX; i++)
		s *= 2;
	if (s > RATE_HOLD_MAX)
		s = RATE_HOLD_MAX;
	r->slow++;
	r->hold = now + s;
}

void
rate_ok(struct rate *r)
{
	r->slow = 0;
}

time_t
rate_eta(const struct rate *r, size_t n, time_t now)
{
	struct rate	 sim;
	time_t		 t = now;
	size_t		 i;

	if (r->per_minute == 0 && r->per_day == 0)
		return now > r->hold ? now : r->hold;
	rate_init(&sim, r->per_minute, r->per_day);
	sim.hold = r->hold;
	for (i = r->first; i < r->n; i++)
		rate_note(&sim, r->t[i]);
	for (i = 0; i < n; i++) {
		t = rate_next(&sim, t);
		rate_note(&sim, t);
	}
	rate_clear(&sim);
	return t;
}
