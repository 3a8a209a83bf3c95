/*
 * util.c: allocation wrappers, the growable buffer, number parsing,
 * address helpers and the folding used to match command words.
 * Pure code; every module may call it.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include <unicase.h>
#include <uninorm.h>

#include "log.h"
#include "util.h"

void *
xmalloc(size_t n)
{
	void	*p;

	if ((p = malloc(n ? n : 1)) == NULL)
		fatal("malloc");
	return p;
}

void *
xcalloc(size_t n, size_t size)
{
	void	*p;

	if ((p = calloc(n ? n : 1, size ? size : 1)) == NULL)
		fatal("calloc");
	return p;
}

void *
xrealloc(void *p, size_t n)
{
	if ((p = realloc(p, n ? n : 1)) == NULL)
		fatal("realloc");
	return p;
}

char *
xstrdup(const char *s)
{
	char	*p;

	if ((p = strdup(s)) == NULL)
		fatal("strdup");
	return p;
}

char *
xstrndup(const char *s, size_t n)
{
	char	*p;

	if ((p = strndup(s, n)) == NULL)
		fatal("strndup");
	return p;
}

char *
xasprintf(const char *fmt, ...)
{
	char	*p;
	va_list	 ap;

	va_start(ap, fmt);
	if (vasprintf(&p, fmt, ap) == -1)
		fatal("vasprintf");
	va_end(ap);
	return p;
}

void
buf_init(struct buf *b)
{
	b->data = NULL;
	b->len = b->cap = 0;
}

void
buf_clear(struct buf *b)
{
	free(b->data);
	buf_init(b);
}

static void
buf_grow(struct buf *b, size_t need)
{
	size_t	 cap;

	if (b->len + need + 1 <= b->cap)
		return;
	cap = b->cap ? b->cap : 256;
	while (cap < b->len + need + 1) {
		if (cap > SIZE_MAX / 2)
			fatalx("buffer too large");
		cap *= 2;
	}
	b->data = xrealloc(b->data, cap);
	b->cap = cap;
}

void
buf_add(struct buf *b, const void *p, size_t n)
{
	buf_grow(b, n);
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void
buf_adds(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

void
buf_addc(struct buf *b, int c)
{
	char	 ch = (char)c;

	buf_add(b, &ch, 1);
}

void
buf_addf(struct buf *b, const char *fmt, ...)
{
	va_list	 ap;
	char	*s;
	int	 n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		fatal("vasprintf");
	buf_add(b, s, (size_t)n);
	free(s);
}

char *
buf_release(struct buf *b)
{
	char	*p;

	if (b->data == NULL)
		return xstrdup("");
	p = b->data;
	buf_init(b);
	return p;
}

long long
util_strtonum(const char *s, long long min, long long max,
    const char **errstr)
{
	long long	 v;
	char		*end;

	*errstr = NULL;
	if (s == NULL || *s == '\0') {
		*errstr = "empty";
		return 0;
	}
	errno = 0;
	v = strtoll(s, &end, 10);
	if (*end != '\0' || end == s) {
		*errstr = "not a number";
		return 0;
	}
	if (errno == ERANGE || v < min) {
		*errstr = "too small";
		return 0;
	}
	if (v > max) {
		*errstr = "too large";
		return 0;
	}
	return v;
}

/* Two-byte UTF-8 sequences (after 0xC3) and what they fold to. */
static const struct {
	unsigned char	 b2;
	const char	*to;
} fold_c3[] = {
	{ 0x80, "a" }, { 0x81, "a" }, { 0x82, "a" }, { 0x84, "ae" },
	{ 0x85, "aa" }, { 0x86, "ae" }, { 0x87, "c" }, { 0x88, "e" },
	{ 0x89, "e" }, { 0x8a, "e" }, { 0x8b, "e" }, { 0x8d, "i" },
	{ 0x91, "n" }, { 0x93, "o" }, { 0x96, "oe" }, { 0x98, "oe" },
	{ 0x9a, "u" }, { 0x9c, "u" }, { 0xa0, "a" }, { 0xa1, "a" },
	{ 0xa2, "a" }, { 0xa4, "ae" }, { 0xa5, "aa" }, { 0xa6, "ae" },
	{ 0xa7, "c" }, { 0xa8, "e" }, { 0xa9, "e" }, { 0xaa, "e" },
	{ 0xab, "e" }, { 0xad, "i" }, { 0xb1, "n" }, { 0xb3, "o" },
	{ 0xb6, "oe" }, { 0xb8, "oe" }, { 0xba, "u" }, { 0xbc, "u" },
};

char *
util_fold_dup(const char *s)
{
	const unsigned char	*p;
	char			*cf = NULL;
	uint8_t			*u;
	size_t			 i, len = 0;
	struct buf		 b;

	/*
	 * Unicode case folding into NFC (GNU libunistring): "TILMELD",
	 * "Tilmeld" and a decomposed "e\u0301" all compare alike. Text
	 * that is not UTF-8 is folded as it is (ASCII only).
	 */
	if ((u = u8_casefold((const uint8_t *)s, strlen(s), NULL, UNINORM_NFC,
	    NULL, &len)) != NULL) {
		cf = xmalloc(len + 1);
		memcpy(cf, u, len);
		cf[len] = '\0';
		free(u);
	}
	p = (const unsigned char *)(cf != NULL ? cf : s);
	buf_init(&b);
	while (*p) {
		if (p[0] == 0xc3 && p[1] != '\0') {
			for (i = 0; i < nitems(fold_c3); i++)
				if (fold_c3[i].b2 == p[1])
					break;
			if (i < nitems(fold_c3)) {
				buf_adds(&b, fold_c3[i].to);
				p += 2;
				continue;
			}
		}
		buf_addc(&b, *p < 0x80 ? tolower(*p) : *p);
		p++;
	}
	free(cf);
	return buf_release(&b);
}

char *
util_trim(char *s)
{
	char	*e;

	while (*s && isspace((unsigned char)*s))
		memmove(s, s + 1, strlen(s));
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

char *
util_addr_norm_dup(const char *a)
{
	char	*s, *p;

	s = xstrdup(a ? a : "");
	util_trim(s);
	for (p = s; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return s;
}

bool
util_is_addr(const char *a)
{
	const char	*at, *p;

	if (a == NULL || (at = strrchr(a, '@')) == NULL || at == a ||
	    at[1] == '\0' || strlen(a) > 254)
		return false;
	for (p = a; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == '<' || *p == '>' ||
		    *p == ',' || *p == ';' || *p == '"' || *p == '\\' ||
		    *p == 0x7f)
			return false;
	return strchr(at + 1, '.') != NULL || strcmp(at + 1, "localhost") == 0;
}

bool
util_addr_eq(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return false;
	return strcasecmp(a, b) == 0;
}

bool
util_is_utf8(const char *s, size_t n)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 i = 0, k, more;
	uint32_t		 cp;

	while (i < n) {
		if (p[i] < 0x80) {
			i++;
			continue;
		}
		if ((p[i] & 0xe0) == 0xc0 && p[i] >= 0xc2) {
			more = 1;
			cp = p[i] & 0x1f;
		} else if ((p[i] & 0xf0) == 0xe0) {
			more = 2;
			cp = p[i] & 0x0f;
		} else if ((p[i] & 0xf8) == 0xf0 && p[i] <= 0xf4) {
			more = 3;
			cp = p[i] & 0x07;
		} else
			return false;
		for (k = 1; k <= more; k++) {
			if (i + k >= n || (p[i + k] & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (p[i + k] & 0x3f);
		}
		if ((more == 2 && cp < 0x800) || (more == 3 && cp < 0x10000) ||
		    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += more + 1;
	}
	return true;
}

bool
util_ct_eq(const void *a, const void *b, size_t n)
{
	const unsigned char	*x = a, *y = b;
	unsigned char		 d = 0;
	size_t			 i;

	for (i = 0; i < n; i++)
		d |= x[i] ^ y[i];
	return d == 0;
}

int
util_random(void *p, size_t n)
{
	unsigned char	*c = p;
	ssize_t		 r;

	while (n > 0) {
		if ((r = getrandom(c, n, 0)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		c += r;
		n -= (size_t)r;
	}
	return 0;
}
