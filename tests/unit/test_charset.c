/*
 * test_charset.c: unit tests of lib/charset.c, as case tables: bytes in
 * a MIME charset to UTF-8 (mime_to_utf8_dup), RFC 2047 header values
 * (mime_decode_header_dup), and the UTF-8 helpers the other MIME files
 * share (mime_int.h). Links lib/ alone.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "mime.h"
#include "mime_int.h"
#include "util.h"

/* U+FFFD as UTF-8: what an invalid byte becomes. */
#define T_BAD	"\xef\xbf\xbd"

static const struct {
	const char	*in;
	size_t		 len;
	const char	*charset;
	const char	*want;
} to_utf8[] = {
	{ "\xa4", 1, "ISO-8859-15", "€" },
	/* iso-8859-1 is read as windows-1252, as mail clients do. */
	{ "\xa4", 1, "iso-8859-1", "¤" },
	{ "\x80\x96", 2, "iso-8859-1", "€–" },
	{ "\x80\x96", 2, "CP1252", "€–" },
	{ "\x81", 1, "windows-1252", T_BAD },
	{ "\xf0\xd2\xc9\xd7\xc5\xd4", 6, "koi8-r", "Привет" },
	{ "\x1b$B$3$s$K$A$O\x1b(B", 16, "ISO-2022-JP", "こんにちは" },
	{ "+AOYA+ADl-", 10, "utf-7", "æøå" },
	{ "+AOYA+ADl-", 10, "unicode-1-1-utf-7", "æøå" },
	{ "a\xff" "b\xc3", 4, "utf-8", "a" T_BAD "b" T_BAD },
	{ "\xc3\xa6", 2, "UTF8", "æ" },
	/* No label, or one iconv does not know: UTF-8 if valid, else cp1252. */
	{ "\xe6", 1, NULL, "æ" },
	{ "\xc3\xa6", 2, NULL, "æ" },
	{ "\xe6", 1, "no-such-charset-at-all", "æ" },
	{ "\xe6\xf8\xe5", 3, "us-ascii", "æøå" },
	{ "R\xc3\xa6kke", 7, "x-unknown", "Række" },
	/* Overlong and surrogate forms are not UTF-8 (RFC 3629). */
	{ "\xc0\xaf", 2, "utf-8", T_BAD T_BAD },
	{ "\xed\xa0\x80", 3, "utf-8", T_BAD T_BAD T_BAD },
	/* Decomposed (a Mac, an iPhone) comes out composed (NFC). */
	{ "A\xcc\x8agaard ide\xcc\x81", 14, "utf-8", "Ågaard idé" },
	{ "A\xcc\x8a", 3, NULL, "Å" },
	/* A NUL never reaches the text. */
	{ "a\0b", 3, "utf-8", "ab" },
	{ "", 0, "utf-8", "" },
};

static const struct {
	const char	*in;
	const char	*want;	/* NULL: any valid UTF-8 */
} rfc2047[] = {
	{ "=?UTF-8?Q?M=C3=B8de?= =?UTF-8?Q?_p=C3=A5?=\t=?UTF-8?B?IG1hbmRhZw==?=",
	    "Møde på mandag" },
	/* A UTF-8 sequence split across two B words. */
	{ "=?utf-8?b?w6bD?= =?utf-8?b?uMOl?=", "æøå" },
	{ "SV: =?ISO-8859-1?Q?=C6bler_og_=E6g?= x", "SV: Æbler og æg x" },
	{ "=?iso-8859-15?q?=A4?= =?koi8-r?B?8NLJ18XU?=", "€Привет" },
	/* RFC 2231 language tag in an encoded word (RFC 2231 5). */
	{ "=?ISO-8859-1*da?Q?K=F8benhavn?=", "København" },
	/* Broken words keep their text. */
	{ "Pris =? her", "Pris =? her" },
	{ "=?utf-8?X?bad?= tekst", "=?utf-8?X?bad?= tekst" },
	{ "=?utf-8?Q?uafsluttet", NULL },
	{ "=?x-unknown?Q?M=C3=B8de?=", "Møde" },
	{ "=?utf-8?Q?M=F8de?=", "M" T_BAD "de" },
	/* Raw 8-bit: UTF-8 kept, anything else read as windows-1252. */
	{ "R\xe6kke m\xf8" "de \x80", "Række møde €" },
	{ "R\xc3\xa6kke", "Række" },
	{ "  a\tb\r\n c ", "a b c" },
	{ "=?UTF-8?Q?S=C3=B8ren_A=CC=8Ag=C3=A5rd?=", "Søren Ågård" },
	{ "", "" },
};

static const struct {
	const char	*in;
	size_t		 want;
} utf8_len[] = {
	{ "a", 1 }, { "\xc3\xa6", 2 }, { "\xe2\x82\xac", 3 },
	{ "\xf0\x9f\x98\x80", 4 }, { "\xc3", 0 }, { "\x80", 0 },
	{ "\xc0\xaf", 0 }, { "\xe0\x80\xaf", 0 }, { "\xed\xa0\x80", 0 },
	{ "\xf4\x90\x80\x80", 0 }, { "\xff", 0 },
};

static const struct {
	const char	*in;
	const char	*want;
} text_clean[] = {
	{ "a\r\nb\rc\n", "a\nb\nc\n" },
	{ "tab\tkeep\x01\x1b[0m", "tab\tkeep[0m" },
	{ "\xe6", T_BAD },
	{ "", "" },
};

static void
test_to_utf8(void)
{
	size_t	 i;
	char	*s;

	for (i = 0; i < sizeof(to_utf8) / sizeof(to_utf8[0]); i++) {
		s = mime_to_utf8_dup(to_utf8[i].in, to_utf8[i].len,
		    to_utf8[i].charset);
		CHECK_STR(s, to_utf8[i].want);
		free(s);
	}
	/* A multibyte charset gives valid UTF-8 whatever it decodes to. */
	s = mime_to_utf8_dup("\xa4\xa2", 2, "big5");
	CHECK(util_is_utf8(s, strlen(s)) && strlen(s) == 3);
	free(s);
}

static void
test_rfc2047(void)
{
	size_t	 i;
	char	*s;

	for (i = 0; i < sizeof(rfc2047) / sizeof(rfc2047[0]); i++) {
		s = mime_decode_header_dup(rfc2047[i].in);
		if (rfc2047[i].want != NULL)
			CHECK_STR(s, rfc2047[i].want);
		else
			CHECK(s != NULL && util_is_utf8(s, strlen(s)));
		free(s);
	}
}

static void
test_utf8(void)
{
	struct buf	 b;
	size_t		 i;
	const uint32_t	 cps[] = { 'A', 0xe6, 0x20ac, 0x1f600 };

	for (i = 0; i < sizeof(utf8_len) / sizeof(utf8_len[0]); i++)
		CHECK(mime_utf8_len((const unsigned char *)utf8_len[i].in,
		    strlen(utf8_len[i].in)) == utf8_len[i].want);
	/* A sequence cut by the end of the input is not valid. */
	CHECK(mime_utf8_len((const unsigned char *)"\xe2\x82\xac", 2) == 0);

	buf_init(&b);
	for (i = 0; i < sizeof(cps) / sizeof(cps[0]); i++)
		mime_utf8_put(&b, cps[i]);
	buf_addc(&b, '\0');
	CHECK_STR(b.data, "Aæ€😀");
	buf_clear(&b);

	buf_init(&b);
	mime_utf8_clean(&b, "ok\xc3\xa6\xff\0x", 7);
	buf_addc(&b, '\0');
	CHECK_STR(b.data, "okæ" T_BAD "x");
	buf_clear(&b);
}

static void
test_text_clean(void)
{
	size_t	 i;
	char	*s;

	for (i = 0; i < sizeof(text_clean) / sizeof(text_clean[0]); i++) {
		s = mime_text_clean_dup(text_clean[i].in,
		    strlen(text_clean[i].in));
		CHECK_STR(s, text_clean[i].want);
		free(s);
	}
}

int
main(void)
{
	test_to_utf8();
	test_rfc2047();
	test_utf8();
	test_text_clean();
	return check_done("test_charset");
}
