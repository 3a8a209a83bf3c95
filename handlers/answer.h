/*
 * answer.h: what a reply to a confirmation mail says. Pure code over
 * the new text of the reply (recog_new_text_dup): yes, no, or a
 * question for a person. handlers/confirm.c decides on it.
 */
#ifndef FFNET_ANSWER_H
#define FFNET_ANSWER_H

#include <stdbool.h>

enum answer {
	ANSWER_YES,		/* confirms, as the confirmation mail says */
	ANSWER_NO,		/* says no: the pending act is cancelled */
	ANSWER_QUESTION,	/* asks something: left for the secretariat */
};

/*
 * Classifies the new text of a reply to the confirmation of act
 * ("join", "leave", "post", "unregister", "meetingcancel"…; may be
 * NULL). *why (may be NULL) gets a static reason for the log line.
 * When in doubt between yes and no, the answer is no.
 */
enum answer	 answer_classify(const char *text, const char *act,
		    const char **why);
/* Does the text ask something, even in a no? ('?' outside a link, …) */
bool		 answer_is_question(const char *text);
/* "yes", "no" or "question", for logs. */
const char	*answer_name(enum answer);
/*
 * Ends s, in place, at its first sign-off line ("Mvh", "Med venlig
 * hilsen", "Best regards") or disclaimer ("Denne e-mail kan indeholde
 * fortrolige oplysninger"): what follows is a signature, not words the
 * person wrote for us. Works on raw or folded text.
 */
void		 answer_cut_signoff(char *s);

#endif
