/*
 * bounce.h: recognising bounces and delivery status notifications
 * (RFC 3464 DSNs and the common non-standard formats) in a parsed
 * message. Pure: no I/O, never fatal on message content.
 */
#ifndef FFNET_BOUNCE_H
#define FFNET_BOUNCE_H

#include <stdbool.h>
#include <stddef.h>

#include "mime.h"

enum bounce_kind {
	BOUNCE_NONE,
	BOUNCE_PERMANENT,
	BOUNCE_TEMPORARY,
	BOUNCE_SUCCESS
};

struct bounce {
	enum bounce_kind kind;
	char		**rcpts;	/* lower case, unique; owned */
	size_t		  nrcpts;
	char		  status[16];	/* "5.1.1" or "" */
	char		 *diagnostic;	/* the server's words, or NULL; owned */
	/* Refused for DMARC/DKIM/SPF policy: not the reader's fault. */
	bool		  dmarc;
};

/*
 * Reads a parsed message. Returns 0 and fills *b (call bounce_clear
 * afterwards) when it is a bounce or DSN; -1 (b cleared) when not.
 */
int		 bounce_parse(const struct msg *, struct bounce *b);
void		 bounce_clear(struct bounce *);
/*
 * The Message-IDs a bounce gives for the mail that bounced: its
 * In-Reply-To and References (Exchange's NDRs set them to the
 * original's), then the Message-ID of the original attached as
 * message/rfc822 or text/rfc822-headers. At most max, without <>, each
 * a new string the caller frees; returns how many.
 */
size_t		 bounce_orig_ids(const struct msg *, char **ids, size_t max);

#endif
