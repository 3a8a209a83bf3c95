/*
 * selftest.h: ffnet check --connect --send-test, one mail from the
 * network to its own "+selftest" address, read back over IMAP.
 */
#ifndef FFNET_SELFTEST_H
#define FFNET_SELFTEST_H

#include <stddef.h>
#include <time.h>

struct conf;
struct tmpls;

/*
 * Sends the test mail, finds it in the mailbox or the Junk folder,
 * prints what it shows (one line each; problems to stderr) and moves
 * it to the done folder. 0 when all is fine, else 1.
 */
int	selftest_run(const struct conf *, const struct tmpls *);
/*
 * The test mail: From and To the network (To its "+selftest" address),
 * X-Loop, Auto-Submitted, the selftest template. NULL on failure;
 * caller frees.
 */
char	*selftest_mail_dup(const struct conf *, const struct tmpls *,
	    const char *msgid, time_t, size_t *len);
/* The network address with "+selftest" in it. Caller frees. */
char	*selftest_addr_dup(const struct conf *);

#endif
