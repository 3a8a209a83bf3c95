/*
 * test_exchange.c: list mail through a server that rewrites the
 * envelope sender (Exchange Online). A copy's Message-ID carries its
 * bounce token; an Exchange-shaped NDR (the files in tests/exchange)
 * names the original by In-Reply-To, References, the attached
 * message/rfc822 or text/rfc822-headers; the token is read back. A
 * Message-ID that is not ffnet's gives no token.
 * Run from the repository root.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bounce.h"
#include "check.h"
#include "conf.h"
#include "mime.h"
#include "listmail.h"
#include "testlib.h"
#include "util.h"

#define TEST_TOKEN	"0123456789abcdef"

static size_t	 test_tokens(const struct conf *, const char *, char **,
		    size_t, char *);
static void	 test_msgid(const struct conf *);
static void	 test_ndrs(const struct conf *);

/*
 * Parses the NDR in path; its original's ids go to ids (at most max),
 * the first copy token found to tok. Returns how many ids, or 99 when
 * the file does not parse.
 */
static size_t
test_tokens(const struct conf *c, const char *path, char **ids, size_t max,
    char *tok)
{
	struct mime_limits	 lim;
	struct msg		 m;
	struct bounce		 b;
	char			*raw, t[LISTMAIL_TOKEN_MAX + 1];
	size_t			 len, n, i;

	tok[0] = '\0';
	mime_limits_default(&lim);
	if ((raw = t_slurp(path, &len)) == NULL ||
	    mime_parse(raw, len, &lim, &m) == -1) {
		free(raw);
		return 99;
	}
	/* the NDR is still an ordinary permanent bounce for bo */
	CHECK(bounce_parse(&m, &b) == 0);
	CHECK(b.kind == BOUNCE_PERMANENT);
	CHECK(b.nrcpts == 1 && strcmp(b.rcpts[0], "bo@medlem.example") == 0);
	bounce_clear(&b);
	n = bounce_orig_ids(&m, ids, max);
	for (i = 0; i < n; i++)
		if (tok[0] == '\0' && listmail_msgid_token(c, ids[i], t))
			memcpy(tok, t, sizeof(t));
	msg_clear(&m);
	free(raw);
	return n;
}

static void
test_msgid(const struct conf *c)
{
	struct post	 p;
	char		 tok[LISTMAIL_TOKEN_MAX + 1], *id;

	id = listmail_copy_msgid_dup(c, 7, TEST_TOKEN);
	CHECK_STR(id, "ffnet.b-" TEST_TOKEN ".7@ffnet.example");
	CHECK(listmail_msgid_token(c, id, tok));
	CHECK_STR(tok, TEST_TOKEN);
	free(id);
	CHECK(listmail_msgid_token(c, "<ffnet.b-ABCDEF01.12@FFNET.example>", tok));
	CHECK_STR(tok, "abcdef01");
	/* another domain's, a reply's, and broken ones are not copies */
	CHECK(!listmail_msgid_token(c, "ffnet.b-" TEST_TOKEN ".7@evil.example",
	    tok));
	CHECK(!listmail_msgid_token(c,
	    "ffnet.b-" TEST_TOKEN ".7@ffnet.example.evil", tok));
	CHECK(!listmail_msgid_token(c, "ffnet.18c2f.0a1b2c3d4e5f@ffnet.example",
	    tok));
	CHECK(!listmail_msgid_token(c, "ffnet.b-xyz.7@ffnet.example", tok));
	CHECK(!listmail_msgid_token(c, "ffnet.b-.7@ffnet.example", tok));
	CHECK(!listmail_msgid_token(c, "ffnet.b-" TEST_TOKEN ".@ffnet.example",
	    tok));
	CHECK(!listmail_msgid_token(c, "ffnet.b-0123456789abcdef0123456789abcdef0"
	    ".7@ffnet.example", tok));
	CHECK(!listmail_msgid_token(c, NULL, tok));

	/* a shared message from before: it keeps its own Message-ID */
	memset(&p, 0, sizeof(p));
	p.data = (char *)(uintptr_t)"From: a@b.example\r\nMessage-ID: <x@y>\r\n"
	    "\r\nMessage-ID: not a header\r\n";
	p.len = strlen(p.data);
	CHECK(listmail_data_has_msgid(&p));
	p.data = (char *)(uintptr_t)"From: a@b.example\r\n\r\n"
	    "Message-ID: in the body\r\n";
	p.len = strlen(p.data);
	CHECK(!listmail_data_has_msgid(&p));
}

static void
test_ndrs(const struct conf *c)
{
	char	*ids[8], tok[LISTMAIL_TOKEN_MAX + 1];
	size_t	 n, i;

	/* In-Reply-To, References and the attached original all name it */
	n = test_tokens(c, "tests/exchange/ndr-exchange.eml", ids, 8, tok);
	CHECK(n == 3);
	for (i = 0; i < n && n != 99; i++) {
		CHECK_STR(ids[i], "ffnet.b-" TEST_TOKEN ".7@ffnet.example");
		free(ids[i]);
	}
	CHECK_STR(tok, TEST_TOKEN);

	n = test_tokens(c, "tests/exchange/ndr-headers-only.eml", ids, 8, tok);
	CHECK(n == 1);
	for (i = 0; i < n && n != 99; i++)
		free(ids[i]);
	CHECK_STR(tok, TEST_TOKEN);

	n = test_tokens(c, "tests/exchange/ndr-in-reply-to-only.eml", ids, 8,
	    tok);
	CHECK(n == 2);
	for (i = 0; i < n && n != 99; i++)
		free(ids[i]);
	CHECK_STR(tok, TEST_TOKEN);

	/* a bounce of someone else's mail: no copy of ours */
	n = test_tokens(c, "tests/exchange/ndr-not-ours.eml", ids, 8, tok);
	CHECK(n == 3);
	for (i = 0; i < n && n != 99; i++) {
		CHECK_STR(ids[i], "CAF8x2=abc123@mail.gmail.com");
		free(ids[i]);
	}
	CHECK(tok[0] == '\0');

	/* max is kept */
	n = test_tokens(c, "tests/exchange/ndr-exchange.eml", ids, 2, tok);
	CHECK(n == 2);
	for (i = 0; i < n && n != 99; i++)
		free(ids[i]);
}

int
main(void)
{
	struct conf	 c;

	memset(&c, 0, sizeof(c));
	c.address = (char *)(uintptr_t)"netvaerk@ffnet.example";
	test_msgid(&c);
	test_ndrs(&c);
	return check_done("test_exchange");
}
