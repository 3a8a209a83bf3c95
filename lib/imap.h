/*
 * imap.h: the IMAP client, with libetpan. Connects (none, STARTTLS or
 * TLS, verifying the server certificate itself because libetpan does
 * not), logs in, selects, lists and fetches new mail with BODY.PEEK,
 * moves messages, and waits with IDLE. No libetpan type leaves imap.c.
 */
#ifndef FFNET_IMAP_H
#define FFNET_IMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net.h"

struct imap_params {
	const char		*host;
	unsigned		 port;
	enum net_security	 security;
	const char		*ca_file;	/* NULL: the system CAs */
	struct net_login	 login;
	int			 timeout;	/* seconds per network operation */
};

struct imap;

/* One message listed by imap_list_new(). */
struct imap_entry {
	uint32_t	 uid;
	size_t		 size;		/* RFC822.SIZE */
};

enum imap_wake {
	IMAP_WAKE_DATA,		/* the server said something (new mail?) */
	IMAP_WAKE_TIMEOUT,	/* nothing within the time given */
	IMAP_WAKE_FD,		/* the extra fd became readable (a signal) */
	IMAP_WAKE_ERROR,	/* the connection is unusable: reconnect */
};

/*
 * Connects, verifies the certificate (tls/starttls) and logs in.
 * Returns a new session, or NULL with a one-line reason in err (e.g.
 * "certificate not trusted for host imap.example.org").
 */
struct imap	*imap_connect(const struct imap_params *, char *err, size_t);
/* Logs out and frees; NULL is a no-op. */
void		 imap_close(struct imap *);

/* Selects a mailbox read-write; gives its UIDVALIDITY. */
int		 imap_select(struct imap *, const char *, uint32_t *uidvalidity);
/*
 * A configured folder name ("/" between levels, UTF-8) as the server
 * wants it: its delimiter, modified UTF-7 (RFC 3501 5.1.3). Caller frees.
 */
char		*imap_folder_dup(char delim, const char *);
/* Creates a folder unless it exists. */
int		 imap_ensure_folder(struct imap *, const char *);
/* Does the folder exist? 1/0/-1 */
int		 imap_folder_exists(struct imap *, const char *);
/* Adds a message (CRLF lines) to a folder, not flagged \Seen. */
int		 imap_append(struct imap *, const char *folder, const char *data,
		    size_t len);
bool		 imap_has_idle(struct imap *);

/*
 * Lists the messages with UID > after (ascending), with their sizes.
 * *out is a new array (caller frees), *n its length.
 */
int		 imap_list_new(struct imap *, uint32_t after,
		    struct imap_entry **out, size_t *n);
/*
 * Fetches one message with BODY.PEEK[] (never sets \Seen). At most max
 * bytes: a larger message gives its header only and *truncated set.
 * *data is a new NUL-terminated buffer; caller frees.
 */
int		 imap_fetch(struct imap *, uint32_t uid, size_t max,
		    char **data, size_t *len, bool *truncated);
/*
 * The same for a listed message, whose size is known: one command. 0
 * fetched; 1 the message is gone (expunged since it was listed); -1
 * failure.
 */
int		 imap_fetch_entry(struct imap *, const struct imap_entry *,
		    size_t max, char **data, size_t *len, bool *truncated);
/* Does a message with this UID still exist in the selected mailbox? 1/0/-1 */
int		 imap_exists(struct imap *, uint32_t uid);
/*
 * Moves one message to a folder: UID MOVE where offered, else UID COPY
 * and, with UIDPLUS, \Deleted + UID EXPUNGE of that UID only. Without
 * either the copy is made and the original flagged \Seen and $ffnet.
 */
int		 imap_move(struct imap *, uint32_t uid, const char *folder);
/* The same for n messages in one command (n 0: nothing to do). */
int		 imap_move_uids(struct imap *, const uint32_t *uids, size_t n,
		    const char *folder);

/*
 * Waits for the server: IDLE where offered (call only after a select),
 * for at most the given seconds, also waking when fd (-1: none) turns
 * readable. Ends IDLE before returning.
 */
enum imap_wake	 imap_idle(struct imap *, int seconds, int fd);
/*
 * UID SEARCH HEADER field value in the selected mailbox: 1 and the
 * (last) match's UID, 0 none, -1 failure.
 */
int		 imap_search_header(struct imap *, const char *field,
		    const char *value, uint32_t *uid);
/*
 * The folder the server files junk in: the one LIST marks \Junk (RFC
 * 6154), else the first that exists of "Junk", "Junk E-mail", "Uønsket
 * mail", "Uønsket e-mail", "Spam". The name as a configured folder is
 * written ("/" between levels, UTF-8), or NULL. Caller frees.
 */
char		*imap_junk_folder_dup(struct imap *);
/* A NOOP, to notice a dead connection and new mail where IDLE is absent. */
int		 imap_noop(struct imap *);
/*
 * Exchange's throttling ("Suggested Backoff Time: N milliseconds" in a
 * NO, BAD or BYE): the seconds to wait before reconnecting; 0: none.
 */
int		 imap_backoff_hint(const char *);
/*
 * The server's last response text, for log lines; when it said nothing
 * (the connection ended), the last failure in our words ("connection
 * lost"). Borrowed, never NULL.
 */
const char	*imap_last_error(struct imap *);

#endif
