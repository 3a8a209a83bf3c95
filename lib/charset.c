/*
 * charset.c: bytes in any MIME charset to valid UTF-8, and RFC 2047
 * header values to UTF-8 text. Invalid bytes become U+FFFD, never '?',
 * and unknown charsets fall back to UTF-8-if-valid-else-windows-1252,
 * which is what Danish mail without a label turns out to be.
 *
 * libetpan's charconv() (used by mailmime_encoded_phrase_parse() for
 * every encoded and raw word) calls our hook with a result buffer of
 * 6 * length bytes and frees it itself on error.
 */
#include <sys/types.h>

#include <ctype.h>
#include <errno.h>
#include <iconv.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libetpan/charconv.h>
#include <uninorm.h>
#include <libetpan/mailmime.h>

#include "log.h"
#include "mime.h"
#include "mime_int.h"
#include "util.h"

static const char *mime_charset_canon(const char *, char *, size_t);
static void	 mime_cp1252_add(struct buf *, const char *, size_t);
static int	 mime_iconv_add(struct buf *, const char *, size_t,
		    const char *);
static void	 mime_conv_add(struct buf *, const char *, size_t,
		    const char *);
static int	 mime_charconv_hook(const char *, const char *, const char *,
		    size_t, char *, size_t *);
static void	 mime_decode_raw_word(struct buf *, const char *, size_t,
		    size_t *);
static char	*mime_nfc(char *);

/* windows-1252 0x80-0x9f; the five undefined bytes give U+FFFD. */
static const uint16_t mime_cp1252[32] = {
	0x20ac, 0xfffd, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021,
	0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0xfffd, 0x017d, 0xfffd,
	0xfffd, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014,
	0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0xfffd, 0x017e, 0x0178
};

/* MIME charset labels that iconv spells differently or not at all. */
static const struct {
	const char	*label;
	const char	*name;
} mime_charset_alias[] = {
	{ "646",		"auto" },
	{ "ansi_x3.4-1968",	"auto" },
	{ "ascii",		"auto" },
	{ "cp1252",		"cp1252" },
	{ "gb2312",		"GBK" },
	{ "iso-2022-jp",	"ISO-2022-JP-2" },
	{ "iso-8859-1",		"cp1252" },
	{ "iso-8859-8-i",	"ISO-8859-8" },
	{ "iso8859-1",		"cp1252" },
	{ "iso_8859-1",		"cp1252" },
	{ "ks_c_5601-1987",	"CP949" },
	{ "l1",			"cp1252" },
	{ "latin1",		"cp1252" },
	{ "shift-jis",		"SHIFT_JIS" },
	{ "unicode-1-1-utf-7",	"UTF-7" },
	{ "unknown",		"auto" },
	{ "unknown-8bit",	"auto" },
	{ "us-ascii",		"auto" },
	{ "utf-8",		"utf-8" },
	{ "utf8",		"utf-8" },
	{ "windows-1252",	"cp1252" },
	{ "x-cp1252",		"cp1252" },
	{ "x-sjis",		"SHIFT_JIS" },
	{ "x-unknown",		"auto" },
	{ "x-user-defined",	"auto" },
};

/*
 * libetpan's charconv() (used by mailmime_encoded_phrase_parse for every
 * encoded word and raw word) turns invalid bytes into '?' and fails the
 * whole phrase on unknown charsets. Its documented extension point,
 * extended_charconv, lets us decode with our own rules instead. The hook
 * only answers conversions to UTF-8 and declines all others, so other
 * users of libetpan in the process are unaffected.
 */
void
mime_init(void)
{
	extended_charconv = mime_charconv_hook;
}

/* Length of the valid UTF-8 sequence at p, or 0 (RFC 3629 table 4). */
size_t
mime_utf8_len(const unsigned char *p, size_t n)
{
	unsigned char	 lo = 0x80, hi = 0xbf;
	size_t		 need, i;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		need = 1;
	else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		need = 2;
		if (p[0] == 0xe0)
			lo = 0xa0;
		else if (p[0] == 0xed)
			hi = 0x9f;
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		need = 3;
		if (p[0] == 0xf0)
			lo = 0x90;
		else if (p[0] == 0xf4)
			hi = 0x8f;
	} else
		return 0;
	if (n < need + 1)
		return 0;
	for (i = 1; i <= need; i++) {
		if (p[i] < lo || p[i] > hi)
			return 0;
		lo = 0x80;
		hi = 0xbf;
	}
	return need + 1;
}

void
mime_utf8_put(struct buf *b, uint32_t cp)
{
	char	 s[4];

	if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		cp = 0xfffd;
	if (cp < 0x80) {
		buf_addc(b, (int)cp);
	} else if (cp < 0x800) {
		s[0] = (char)(0xc0 | (cp >> 6));
		s[1] = (char)(0x80 | (cp & 0x3f));
		buf_add(b, s, 2);
	} else if (cp < 0x10000) {
		s[0] = (char)(0xe0 | (cp >> 12));
		s[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		s[2] = (char)(0x80 | (cp & 0x3f));
		buf_add(b, s, 3);
	} else {
		s[0] = (char)(0xf0 | (cp >> 18));
		s[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		s[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		s[3] = (char)(0x80 | (cp & 0x3f));
		buf_add(b, s, 4);
	}
}

/* Appends s, replacing each invalid byte with U+FFFD, without NULs. */
void
mime_utf8_clean(struct buf *b, const char *s, size_t n)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 i = 0, k;

	while (i < n) {
		if (p[i] == '\0') {
			i++;
			continue;
		}
		if ((k = mime_utf8_len(p + i, n - i)) == 0) {
			mime_utf8_put(b, 0xfffd);
			i++;
			continue;
		}
		buf_add(b, s + i, k);
		i += k;
	}
}

/*
 * Maps a MIME charset label to "auto" (UTF-8 if valid, else
 * windows-1252), "utf-8", "cp1252" or a name for iconv_open().
 */
static const char *
mime_charset_canon(const char *cs, char *tmp, size_t tmpsz)
{
	size_t	 i, n;

	if (cs == NULL)
		return "auto";
	while (*cs == ' ' || *cs == '\t' || *cs == '"' || *cs == '\'')
		cs++;
	for (n = 0; cs[n] != '\0' && cs[n] != '"' && cs[n] != '\'' &&
	    cs[n] != ' ' && cs[n] != '*' && n + 1 < tmpsz; n++)
		tmp[n] = (char)tolower((unsigned char)cs[n]);
	tmp[n] = '\0';
	if (n == 0)
		return "auto";
	for (i = 0; i < nitems(mime_charset_alias); i++)
		if (strcmp(tmp, mime_charset_alias[i].label) == 0)
			return mime_charset_alias[i].name;
	return tmp;
}

static void
mime_cp1252_add(struct buf *b, const char *s, size_t n)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 i;

	for (i = 0; i < n; i++) {
		if (p[i] < 0x80)
			buf_addc(b, p[i]);
		else if (p[i] < 0xa0)
			mime_utf8_put(b, mime_cp1252[p[i] - 0x80]);
		else
			mime_utf8_put(b, p[i]);
	}
}

/* Converts with iconv; invalid input gives U+FFFD. -1: unknown charset. */
static int
mime_iconv_add(struct buf *b, const char *s, size_t n, const char *cs)
{
	iconv_t	 cd;
	char	 tmp[1024], *ip, *op;
	size_t	 il = n, ol, r;

	if ((cd = iconv_open("UTF-8", cs)) == (iconv_t)-1)
		return -1;
	/* iconv(3) takes char ** but does not write through it. */
	ip = (char *)(uintptr_t)s;
	while (il > 0) {
		op = tmp;
		ol = sizeof(tmp);
		r = iconv(cd, &ip, &il, &op, &ol);
		buf_add(b, tmp, sizeof(tmp) - ol);
		if (r != (size_t)-1 || errno == E2BIG)
			continue;
		mime_utf8_put(b, 0xfffd);
		if (errno != EILSEQ)
			break;		/* EINVAL: truncated at the end */
		ip++;
		il--;
	}
	op = tmp;
	ol = sizeof(tmp);
	iconv(cd, NULL, NULL, &op, &ol);
	buf_add(b, tmp, sizeof(tmp) - ol);
	iconv_close(cd);
	return 0;
}

/* Appends s converted from charset cs to UTF-8 (possibly invalid). */
static void
mime_conv_add(struct buf *b, const char *s, size_t n, const char *cs)
{
	char		 tmp[64];
	const char	*c;

	c = mime_charset_canon(cs, tmp, sizeof(tmp));
	if (strcmp(c, "auto") == 0)
		c = util_is_utf8(s, n) ? "utf-8" : "cp1252";
	if (strcmp(c, "utf-8") == 0)
		buf_add(b, s, n);
	else if (strcmp(c, "cp1252") == 0)
		mime_cp1252_add(b, s, n);
	else if (mime_iconv_add(b, s, n, c) == -1) {
		log_debug("mime: unknown charset \"%s\"", c);
		if (util_is_utf8(s, n))
			buf_add(b, s, n);
		else
			mime_cp1252_add(b, s, n);
	}
}

/*
 * s (valid UTF-8, NUL-terminated) in Normalization Form C, so that a
 * word typed on a Mac or an iPhone ("e" and a combining accent) is the
 * same word as one typed elsewhere. Takes s; returns it or a new string.
 */
static char *
mime_nfc(char *s)
{
	uint8_t	*n;
	size_t	 len = 0;
	char	*res;

	if (s == NULL)
		return NULL;
	if ((n = u8_normalize(UNINORM_NFC, (const uint8_t *)s, strlen(s),
	    NULL, &len)) == NULL)
		return s;	/* out of memory: the text as it came */
	res = xmalloc(len + 1);
	memcpy(res, n, len);
	res[len] = '\0';
	free(n);
	free(s);
	return res;
}

char *
mime_to_utf8_dup(const char *s, size_t n, const char *charset)
{
	struct buf	 raw, out;

	buf_init(&raw);
	buf_init(&out);
	mime_conv_add(&raw, s, n, charset);
	mime_utf8_clean(&out, raw.data != NULL ? raw.data : "", raw.len);
	buf_clear(&raw);
	return mime_nfc(buf_release(&out));
}

/* libetpan's extended_charconv: see mime_init(). */
static int
mime_charconv_hook(const char *tocode, const char *fromcode,
    const char *str, size_t len, char *result, size_t *result_len)
{
	char	*s;
	size_t	 n;
	int	 rc = MAIL_CHARCONV_ERROR_UNKNOWN_CHARSET;

	if (strcasecmp(tocode, "utf-8") != 0 && strcasecmp(tocode, "utf8") != 0)
		return rc;
	s = mime_to_utf8_dup(str, len, fromcode);
	n = strlen(s);
	if (n > *result_len) {
		rc = MAIL_CHARCONV_ERROR_MEMORY;
		goto out;
	}
	memcpy(result, s, n);
	*result_len = n;
	rc = MAIL_CHARCONV_NO_ERROR;
out:
	free(s);
	return rc;
}

/*
 * Header values (RFC 2047)
 */

/* Appends one raw word of s at *idx and the white space after it. */
static void
mime_decode_raw_word(struct buf *b, const char *s, size_t n, size_t *idx)
{
	size_t	 i = *idx, end = *idx + 1;
	char	*w;

	while (end < n && !isspace((unsigned char)s[end]))
		end++;
	w = mime_to_utf8_dup(s + i, end - i, NULL);
	buf_adds(b, w);
	free(w);
	if (end < n) {
		buf_addc(b, ' ');
		while (end < n && isspace((unsigned char)s[end]))
			end++;
	}
	*idx = end;
}

/*
 * RFC 2047 6.2: libetpan decodes the encoded words, drops the white
 * space between adjacent ones and joins words split inside a UTF-8
 * sequence. It stops at a stray "=?" or gives up on a malformed word:
 * we then take one raw word and go on, so nothing is lost.
 */
char *
mime_decode_header_dup(const char *s)
{
	struct buf	 b, out;
	size_t		 n, idx = 0, start, i;
	char		*res;
	int		 r;

	mime_init();
	buf_init(&b);
	buf_init(&out);
	n = strlen(s);
	while (idx < n) {
		start = idx;
		res = NULL;
		r = mailmime_encoded_phrase_parse("us-ascii", s, n, &idx,
		    "utf-8", &res);
		if (r == MAILIMF_NO_ERROR && idx > start) {
			buf_adds(&b, res);
			free(res);
			continue;
		}
		free(res);
		idx = start;
		mime_decode_raw_word(&b, s, n, &idx);
	}
	/* No control characters in a header: fold them into spaces. */
	for (i = 0; i < b.len; i++)
		if ((unsigned char)b.data[i] < 0x20 || b.data[i] == 0x7f)
			b.data[i] = ' ';
	mime_utf8_clean(&out, b.data != NULL ? b.data : "", b.len);
	buf_clear(&b);
	res = mime_nfc(buf_release(&out));
	util_trim(res);
	return res;
}

/* UTF-8 text with "\n" line ends and no NUL or other control bytes. */
char *
mime_text_clean_dup(const char *s, size_t n)
{
	struct buf	 raw;
	size_t		 i;
	unsigned char	 c;
	char		*res;

	buf_init(&raw);
	for (i = 0; i < n; i++) {
		c = (unsigned char)s[i];
		if (c == '\r') {
			if (i + 1 < n && s[i + 1] == '\n')
				i++;
			buf_addc(&raw, '\n');
		} else if (c >= 0x20 || c == '\n' || c == '\t')
			buf_addc(&raw, c);
	}
	res = mime_to_utf8_dup(raw.data != NULL ? raw.data : "", raw.len,
	    "utf-8");
	buf_clear(&raw);
	return res;
}
