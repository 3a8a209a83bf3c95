/*
 * recog.h: recognition, before any handler runs. Pure code over a
 * parsed message: is it a command, an auto-reply, a bounce, list mail,
 * ffnet's own mail, or a person's mail that ffnet must leave alone?
 */
#ifndef FFNET_RECOG_H
#define FFNET_RECOG_H

#include <stdbool.h>
#include <stddef.h>

#include "auth.h"
#include "ical.h"
#include "mime.h"

struct command;

enum recog_kind {
	R_NOT_OURS,	/* a person's mail: leave it unread, untouched */
	R_SELF,		/* ffnet's own mail come back */
	R_AUTO,		/* auto-reply, vacation, read receipt, abuse report */
	R_BOUNCE,	/* delivery status notification or other bounce */
	R_LIST,		/* mail from a mailing list */
	R_COMMAND,	/* a command word, in Subject or the first lines */
	R_NEAR,		/* one word that looks like a command but is none */
	R_CALENDAR,	/* a calendar app's answer: iTIP REPLY or COUNTER */
};

struct recog {
	enum recog_kind		 kind;
	const char		*why;		/* static, for log lines */
	const struct command	*cmd;		/* R_COMMAND */
	char			*args;		/* R_COMMAND: after the word */
	char			*rest;		/* new text after the command line */
	const char		*suggest;	/* R_NEAR: the word it resembles */
	bool			 from_subject;	/* the command stood in Subject */
	bool			 args_cut;	/* args were longer than the cap */
	bool			 human;		/* Subject reads as a sentence */
	char			 code[AUTH_CODE_LEN + 1]; /* in Subject, or "" */
	struct ical_reply	 cal;		/* R_CALENDAR: what it says */
};

/*
 * Classifies a message. self is the network's address; max_arg caps
 * the argument text (longer is cut at a character boundary).
 */
void	recog_classify(const struct msg *, const char *self, size_t max_arg,
	    struct recog *);
void	recog_clear(struct recog *);

/* Subject without Re:/Sv:/AW:/Fwd:… and [EKSTERN]-like tags. Caller frees. */
char	*recog_subject_strip_dup(const char *);
/*
 * The new text of a message: up to the first quoted line, signature
 * delimiter or quote header (Outlook, Apple, Gmail; Danish, English
 * and a few more). Caller frees.
 */
char	*recog_new_text_dup(const char *);
/* Why a message must never be answered, or NULL: the RFC 3834 checks. */
const char *recog_noreply_why(const struct msg *, const char *self,
	    enum recog_kind *);
/* Edit distance, for near-miss words (capped: returns > cap early). */
size_t	recog_distance(const char *, const char *, size_t cap);

#endif
