/*
 * handler.h: what an email command is, and what it may touch. A
 * handler's check() reads its arguments without side effects; run()
 * gets a store in an open transaction and only adds rows: state, audit
 * and queued replies (reply_*). main.c commits them together with the
 * "handled" mark of the incoming message. Handlers do no I/O.
 */
#ifndef FFNET_HANDLER_H
#define FFNET_HANDLER_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "auth.h"
#include "compose.h"
#include "conf.h"
#include "env.h"
#include "ical.h"
#include "mime.h"
#include "store.h"
#include "tmpl.h"

/* How a message ends (STYLE.md 3). */
enum disp {
	D_DONE,		/* state and replies committed; moved to done_folder */
	D_REJECT,	/* user error answered; moved to done_folder */
	D_TEMPFAIL,	/* rolled back; tried again next round */
	D_PARK,		/* moved to hold_folder for a person, with a log line */
	D_SKIP,		/* not ffnet's: stays in the inbox, untouched */
};

enum who {
	WHO_ANYONE,
	WHO_MEMBER,
	WHO_SECRETARIAT,
};

enum argspec {
	ARGS_NONE,	/* the word alone: trailing words mean human mail */
	ARGS_OPTIONAL,
	ARGS_REQUIRED,
};

/* Everything a handler sees of the message and the daemon. */
struct ctx {
	const struct env *env; /* its store in a transaction */
	const struct msg	*m;
	const char		*sender;	/* lower-case From address */
	const char		*sender_name;	/* display name or NULL */
	const struct member	*member;	/* NULL: not a member */
	const char		*lang;		/* "da" or "en" */
	const char		*word;		/* the command word, folded */
	const char		*args;		/* after the word, trimmed */
	const char		*rest;		/* new text after the command line */
	const char		*code;		/* code-shaped token in Subject, or NULL */
	int64_t			 ref_pending;	/* pending row this replies to, or 0 */
	const char		*suggest;	/* near-miss: the word meant */
	const struct ical_reply	*cal;		/* a calendar answer, or NULL */
	time_t			 now;
	char			 code_buf[AUTH_CODE_LEN + 1];
	char			 why[200];	/* reason for a park or reject */
};

struct pending;

/*
 * One command: everything about it is here (HACKING.md). A command that
 * asks for a confirmation stores its name in the pending row; when the
 * answer comes back, confirm.c finds the descriptor by that name
 * (handler_find) and calls its confirmed hook.
 */
struct handler {
	const char	*name;		/* English, as in handlers/<name>.c */
	enum who	 who;
	enum argspec	 args;
	/* 0 ok; -1: answer with <name>.usage; 1: not a command after all */
	int		(*check)(struct ctx *);
	enum disp	(*run)(struct ctx *);
	/* its confirmation came back (or a trusted server vouched): carry
	 * it out. NULL: it never asks. */
	enum disp	(*confirmed)(struct ctx *, const struct pending *);
	/* every template it may send, NULL-terminated */
	const char *const *tmpls;
	/* its confirmation was answered no: the short mail that says
	 * nothing was done (confirm_no_send). NULL: confirm.no.meeting */
	int		(*declined)(struct ctx *, const struct pending *);
};

/* One accepted word (folded: lower case, æ→ae, ø→oe, å→aa). */
struct command {
	const char		*word;
	const struct handler	*h;
	const char		*lang;	/* the language the word is in */
};

/* The table (handlers/table.c): sorted, unique. */
extern const struct command	 commands[];
extern const size_t		 ncommands;
/* Finds a folded word; NULL when it is not a command. */
const struct command	*command_find(const char *);
/*
 * The descriptor named name (a pending row's action), or NULL. Knows
 * the names that rows written before descriptors carried their hooks
 * still hold ("meeting-new" is "meetingnew").
 */
const struct handler	*handler_find(const char *name);
/* Every descriptor once, those without a word too; NULL-terminated. */
extern const struct handler *const handlers[];
/*
 * Every template ffnet may send, once: the descriptors' and the daemon
 * services' (compose_service_tmpls). Up to max names into out; returns
 * how many.
 */
size_t	handler_tmpls_all(const char **out, size_t max);
/* The meeting named in the arguments (handlers/meetingref.c). */
/* A check(): 0 when args start with a meeting code, else 1 (not a command). */
int	meeting_code_check(struct ctx *);
/*
 * The meeting named in args: 1 found (m filled; caller clears), 0 none
 * (register.unknown answered, *d says how it ended), -1 store error.
 */
int	meeting_find(struct ctx *, struct meeting *m, enum disp *d);
/*
 * Answers with a text template about meeting m (NULL: unknown code):
 * {{code}}, {{title}} and one more variable. -1 on failure.
 */
int	meeting_reply(struct ctx *, const char *tmpl, const struct meeting *m,
	    const char *key, const char *value);

/*
 * Gives up registration g for meeting m (FRAMELD, or a confirmed
 * calendar decline; handlers/unregister.c): cancelled, with an audit
 * row; a registered person's entry gets a personal CANCEL in c->lang
 * answering c->m, the first on the waiting list moves up and, after the
 * deadline, the secretariat is told (unless tell_late is false: SLET MIG
 * tells it without the name). Lowers m->taken for a seat given up.
 * *was_registered: it held a seat (else it was waiting). -1 on failure.
 */
int	meeting_unregister(struct ctx *, struct meeting *,
	    const struct registration *, bool tell_late, bool *was_registered);

/*
 * A secretariat act (MØDE OPRET/ÆNDR/AFLYS, IDÉ LUK, MEDLEMMER;
 * handlers/meetingadmin.c): h's args are "code\nthe mail's lines".
 * Carried out at once through h->confirmed when a trusted server vouches
 * for the sender (auth.c); else the secretariat address is asked to
 * confirm, with title naming the act in the Subject.
 */
enum disp secretariat_ask(struct ctx *, const struct handler *h,
	    const char *code, const char *title);
/*
 * In a confirmed hook of a secretariat act: 1 when p's address is still
 * secretariat (*code and *fields point into a new string in *buf;
 * caller frees), 0 when not (parked, c->why says why).
 */
int	secretariat_args(struct ctx *, const struct pending *, char **buf,
	    const char **code, const char **fields);

/*
 * Mail to ffnet's tagged addresses (handlers/listaddr.c): a personal
 * List-Unsubscribe mailto, and bounces (token NULL: to the network
 * address, the DSN names the recipients).
 */
enum disp list_unsubscribe(struct ctx *, const char *token);
enum disp list_bounce(struct ctx *, const char *token);

/* Reached by a plain reply to a confirmation mail, too. */
extern const struct handler	 h_confirm;
/* The handlers that are not reached by a word. */
extern const struct handler	 h_unknown, h_notmember, h_toolarge;
/* A calendar app's REPLY or COUNTER (handlers/calreply.c). */
extern const struct handler	 h_calreply;

/*
 * Splits TILMELD's "Jens Hansen; Hansen VVS" (or with a comma) into
 * name and organisation; "mig"/"me" first is dropped. New strings, or
 * NULL when absent.
 */
void	join_parse_args(const char *, char **name, char **org);

/*
 * Starts a confirmation round trip (handlers/confirm.c): a pending
 * action for the sender, its code, and the mail tmpl that asks for it
 * ({{code}}, {{days}}, {{name}}, {{org}}). confirm.c carries it out.
 */
int	confirm_ask(struct ctx *, const char *action, const char *args,
	    const char *tmpl, const char *name, const char *org);
/*
 * Answers a no to p with tmpl: {{code}}, {{name}} (NULL: the member's),
 * {{meeting}}, {{title}}, {{subject}} (NULL: empty). -1 on failure.
 */
int	confirm_no_send(struct ctx *, const struct pending *, const char *tmpl,
	    const char *name, const char *meeting, const char *title,
	    const char *subject);
/* confirm_ask() with no args, naming the sender as the member row does. */
int	confirm_ask_sender(struct ctx *, const char *action, const char *tmpl);
/* The same, with more template variables (may be NULL). */
int	confirm_ask_vars(struct ctx *, const char *action, const char *args,
	    const char *tmpl, const char *name, const char *org,
	    const struct tvar *more);

/*
 * Queues a reply to the sender of the message, threaded to it, from
 * the template name in ctx->lang. mail_id (may be NULL) receives the
 * new Message-ID, without <>; caller frees. -1 on failure.
 * A reply over the hourly limit for the address is dropped with a log
 * line and counts as success.
 */
int	reply_queue(struct ctx *, const char *tmpl, const struct tvar *vars,
	    char **mail_id);
/* The same, with files attached (attach may be NULL when nattach is 0). */
int	reply_queue_attach(struct ctx *, const char *tmpl,
	    const struct tvar *vars, const struct mime_attach *attach,
	    size_t nattach, char **mail_id);
/*
 * Queues template tmpl, in the network's language, to every secretariat
 * address (outbox kind "notice"). -1 on failure.
 */
int	reply_secretariat(struct ctx *, const char *tmpl,
	    const struct tvar *vars);
/*
 * The command list (templates commands.txt) in ctx->lang; every reply
 * may use it as {{commands}}. Caller frees.
 */
char	*reply_commands_dup(struct ctx *);

#endif
