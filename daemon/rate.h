/*
 * rate.h: the submission server's limits (messages a minute, recipients
 * a day) and slowing down after a temporary refusal. Pure but for
 * rate_load(): the times of what was sent, in a sliding window, decide
 * when the next mail may go.
 */
#ifndef FFNET_RATE_H
#define FFNET_RATE_H

#include <stddef.h>
#include <time.h>

struct store;

struct rate {
	int	 per_minute;	/* 0: no limit */
	int	 per_day;	/* 0: no limit */
	time_t	*t;		/* send times, oldest first */
	size_t	 first, n, cap;	/* t[first..n) are in the window */
	time_t	 hold;		/* nothing starts before this (after 4xx) */
	int	 slow;		/* temporary refusals in a row */
};

void	rate_init(struct rate *, int per_minute, int per_day);
void	rate_clear(struct rate *);
/* The sends of the last day, from the store. -1 on a store error. */
int	rate_load(struct rate *, struct store *, time_t now);
/* The earliest time, now or later, when the next mail may start. */
time_t	rate_next(struct rate *, time_t now);
/* A mail went at t (t never before the last one noted). */
void	rate_note(struct rate *, time_t t);
/* A temporary refusal: hold everything 30 s, doubling up to 15 min. */
void	rate_tempfail(struct rate *, time_t now);
/* An accepted mail ends the slow-down. */
void	rate_ok(struct rate *);
/* When n more mails, sent as fast as allowed from now, are all out. */
time_t	rate_eta(const struct rate *, size_t n, time_t now);

#endif
