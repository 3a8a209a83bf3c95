/*
 * test_imap.c: the pure parts of imap.c: folder names from the config
 * in the server's delimiter and modified UTF-7 (RFC 3501 5.1.3), and
 * certificate checks that need no server, and Exchange's throttling
 * hint.
 */
#include <stdlib.h>

#include "check.h"
#include "imap.h"

static void
name(char delim, const char *in, const char *want)
{
	char	*s = imap_folder_dup(delim, in);

	CHECK_STR(s, want);
	free(s);
}

/* Exchange: "BAD Request is throttled. Suggested Backoff Time: N milliseconds" */
static const struct {
	const char	*text;
	int		 want;
} backoff_cases[] = {
	{ "Request is throttled. Suggested Backoff Time: 299961 milliseconds",
	    300 },
	{ "imap: x: NO Suggested Backoff Time: 1000 milliseconds", 1 },
	{ "suggested backoff time: 1 milliseconds", 1 },
	{ "Suggested Backoff Time: 0 milliseconds", 0 },
	{ "Suggested Backoff Time: soon", 0 },
	{ "Suggested Backoff Time: 99999999999 milliseconds", 3600 },
	{ "User is authenticated but not connected.", 0 },
	{ "", 0 },
	{ NULL, 0 },
};

int
main(void)
{
	char	 err[256];
	size_t	 i;

	for (i = 0; i < sizeof(backoff_cases) / sizeof(backoff_cases[0]); i++)
		CHECK(imap_backoff_hint(backoff_cases[i].text) ==
		    backoff_cases[i].want);

	name('/', "INBOX", "INBOX");
	name('.', "ffnet/Behandlet", "ffnet.Behandlet");
	name('/', "ffnet/Behandlet", "ffnet/Behandlet");
	name('.', "ffnet/Til manuel behandling", "ffnet.Til manuel behandling");
	name('/', "Færdige", "F&AOY-rdige");
	name('/', "Møder & ideer", "M&APg-der &- ideer");
	name('/', "åæø", "&AOUA5gD4-");
	/* RFC 3501 5.1.3's own example */
	name('/', "~peter/mail/台北/日本語", "~peter/mail/&U,BTFw-/&ZeVnLIqe-");
	name('/', "\xf0\x9f\x93\x85", "&2D3cxQ-");	/* U+1F4C5, a surrogate pair */
	name('/', "a\xff" "b", "a&,,0-b");		/* a broken byte: U+FFFD */
	CHECK(net_verify_cert((const unsigned char *)"junk", 4, NULL,
	    "localhost", err, sizeof(err)) == -1);
	return check_done("test_imap");
}
