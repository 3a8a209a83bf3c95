/*
 * util.h: allocation wrappers that never fail, a growable buffer,
 * number parsing, and the text folding used to match command words.
 */
#ifndef FFNET_UTIL_H
#define FFNET_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define nitems(a)	(sizeof(a) / sizeof((a)[0]))

/* Allocation: these call fatal() on failure and never return NULL. */
void		*xmalloc(size_t);
void		*xcalloc(size_t, size_t);
void		*xrealloc(void *, size_t);
char		*xstrdup(const char *);
char		*xstrndup(const char *, size_t);
/* Returns a new string; caller frees. */
char		*xasprintf(const char *, ...)
		    __attribute__((format(printf, 1, 2)));

/* A growable byte buffer, always NUL-terminated after the last byte. */
struct buf {
	char	*data;
	size_t	 len;
	size_t	 cap;
};
void		 buf_init(struct buf *);
void		 buf_clear(struct buf *);
void		 buf_add(struct buf *, const void *, size_t);
void		 buf_adds(struct buf *, const char *);
void		 buf_addc(struct buf *, int);
void		 buf_addf(struct buf *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
/* Hands over the data (never NULL); the buffer is empty afterwards. */
char		*buf_release(struct buf *);

/* Parses a whole decimal number in [min, max]; *errstr is NULL on success. */
long long	 util_strtonum(const char *, long long, long long,
		    const char **);

/*
 * Folds UTF-8 text for matching command words: ASCII lower case,
 * æ→ae, ø→oe, å→aa (either case), é/è/ë→e, ü→u, ö→oe, ä→ae, other
 * non-ASCII kept as is. Returns a new string; caller frees.
 */
char		*util_fold_dup(const char *);

/* Lower-cases and trims an address. Returns a new string; caller frees. */
char		*util_addr_norm_dup(const char *);
/* A plausible mailbox: local@domain, no spaces or control bytes. */
bool		 util_is_addr(const char *);
/* Case-insensitive comparison of two addresses. */
bool		 util_addr_eq(const char *, const char *);

/* Trims ASCII white space at both ends, in place; returns its argument. */
char		*util_trim(char *);
/* Is the string valid UTF-8? */
bool		 util_is_utf8(const char *, size_t);
/* Constant-time comparison of two equal-length byte strings. */
bool		 util_ct_eq(const void *, const void *, size_t);
/* Fills the buffer with random bytes from getrandom(2); -1 on failure. */
int		 util_random(void *, size_t);

#endif
