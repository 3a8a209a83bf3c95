/*
 * listmail.h: list mail. A post (UDSEND, DAGSORDEN, REFERAT) is built once
 * as the message every recipient gets and stored with its recipients;
 * the outbox adds each copy's personal header lines (its own
 * Message-ID, with the copy's bounce token in it) and its own return
 * path (VERP, unless [list] verp = no) when it sends it. Also the
 * addresses ffnet hands out for one-step unsubscribing and for
 * bounces, and Markedspladsen's agenda.
 */
#ifndef FFNET_LISTMAIL_H
#define FFNET_LISTMAIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "conf.h"
#include "mime.h"
#include "store.h"
#include "tmpl.h"

#define LISTMAIL_TOKEN_MAX	32

struct listmail_in {
	const char		*kind;		/* post | agenda | minutes */
	int64_t			 meeting;	/* or 0 */
	const char		*sender;
	const char		*sender_name;	/* may be NULL */
	const char		*subject;
	const char		*text;		/* the whole body */
	const struct mime_attach *attach;
	size_t			 nattach;
};

/*
 * Builds the shared message and stores the post in state (preview or
 * sending, without recipients yet). -1 on failure.
 */
int	listmail_create(struct store *, const struct conf *, const struct listmail_in *,
	    const char *state, time_t now, int64_t *id);
/*
 * The header lines of one copy (its Message-ID when msgid, then
 * List-Unsubscribe and friends), ending in CRLF; the copy is these and
 * then post->data. Caller frees.
 */
char	*listmail_copy_head_dup(const struct conf *, const struct post_rcpt *,
	    bool msgid);
/* Was the post's shared message stored with a Message-ID of its own? */
bool	listmail_data_has_msgid(const struct post *);
/*
 * A copy's Message-ID, "ffnet.b-<token>.<post>@<domain>" (no <>): the
 * token comes back in a bounce that names the original. Caller frees.
 */
char	*listmail_copy_msgid_dup(const struct conf *, int64_t post,
	    const char *token);
/* Is msgid (with or without <>) a copy's? Then its token to out and true. */
bool	listmail_msgid_token(const struct conf *, const char *msgid,
	    char out[LISTMAIL_TOKEN_MAX + 1]);
/* The network address with "+<tag>-<token>" in it. Caller frees. */
char	*listmail_tag_addr_dup(const struct conf *, char tag, const char *token);
/*
 * Does addr carry one of ffnet's tags ("+b-", "+u-") at the network's
 * address? Then the token goes to out (lower case) and true.
 */
bool	listmail_tag_find(const struct conf *, const char *addr, char tag,
	    char out[LISTMAIL_TOKEN_MAX + 1]);

/*
 * Markedspladsen on a meeting's agenda: the open ideas that arrived
 * after the meeting before it (of kind meeting) and before it starts.
 * *v new; caller frees with ideas_free.
 */
int	listmail_meeting_ideas(struct store *, const struct meeting *,
	    struct idea **v, size_t *n);
/*
 * The ideas as text, each with number, title, theme, the author's
 * organisation and what they seek (template ideas.item). Caller frees.
 */
char	*listmail_ideas_text_dup(struct store *, const struct tmpls *,
	    const char *lang, const struct idea *, size_t);

#endif
