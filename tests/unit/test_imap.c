/*
 * test_imap.c: the pure parts of imap.c: folder names from the config
 * in the server's delimiter and modified UTF-7 (RFC 3501 5.1.3), and
 * certificate checks that need no server.
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

int
main(void)
{
	char	 err[256];

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
