/*
 * store.h: all state, in SQLite (WAL, prepared statements, migrations
 * by PRAGMA user_version). One public header for the store*.c files;
 * no sqlite3 type leaves them. Strings returned in structs are copies
 * the caller frees with the matching *_clear function.
 */
#ifndef FFNET_STORE_H
#define FFNET_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct store;

#define STORE_ROOM_KB	1024	/* free on the store's disk to send mail */

/* Opening, transactions. */
int	store_open(const char *path, struct store **out, char *err, size_t);
void	store_close(struct store *);
int	store_begin(struct store *);
int	store_commit(struct store *);
void	store_rollback(struct store *);
/*
 * The store's disk is full: a write failed for it (SQLITE_FULL, or an
 * I/O error) and none has worked since, or less than STORE_ROOM_KB is
 * free there. Then no mail is sent: a mail the server took must be
 * marked sent, or it would go again. Handling needs no room of its own
 * (its transaction fails whole). Said once in the log, with the fix,
 * and once more when there is room again. store_probe() tries a small
 * write after a failed one: 0 when the store takes writes, else -1.
 */
bool	store_is_full(struct store *);
int	store_probe(struct store *);

/* Where the mailbox was read up to. 0 when unknown. */
int	store_mailbox_get(struct store *, const char *mailbox,
	    uint32_t *uidvalidity, uint32_t *last_uid);
int	store_mailbox_set(struct store *, const char *mailbox,
	    uint32_t uidvalidity, uint32_t last_uid);

/* Incoming messages: one row each, keyed by Message-ID (or a digest). */
struct inbox_row {
	char		*msgkey;
	uint32_t	 uidvalidity;
	uint32_t	 uid;
	char		*folder;	/* where it goes; NULL: it stays */
};
/* 1 when the key was seen before, 0 when not, -1 on error. */
int	store_inbox_seen(struct store *, const char *msgkey,
	    struct inbox_row *row);
int	store_inbox_add(struct store *, const char *msgkey,
	    uint32_t uidvalidity, uint32_t uid, const char *sender,
	    const char *subject, const char *kind, const char *disp, const char *folder,
	    const char *reason, time_t now);
/* Rows to be moved in this UIDVALIDITY; *rows new, caller frees with inbox_rows_free. */
int	store_inbox_unmoved(struct store *, uint32_t uidvalidity,
	    struct inbox_row **rows, size_t *n);
int	store_inbox_moved(struct store *, const char *msgkey);
void	inbox_rows_free(struct inbox_row *, size_t);
/* How many incoming rows carry this disposition ("done", "park"…). */
int	store_inbox_count(struct store *, const char *disp, int64_t *n);

/* Members. */
struct member {
	int64_t	 id;
	char	*addr;
	char	*name;
	char	*org;
	char	*lang;
	char	*status;	/* "active", or "paused" (bounces) */
	time_t	 joined;
	char	*token;		/* proves the member in List-Unsubscribe */
};
/* 1 found, 0 not, -1 error. */
int	store_member_get(struct store *, const char *addr, struct member *);
int	store_member_add(struct store *, const char *addr, const char *name,
	    const char *org, const char *lang, time_t now);
int	store_member_delete(struct store *, const char *addr);
/* Members with this status ("active", "paused"). */
int	store_member_count(struct store *, const char *status, int64_t *n);
void	member_clear(struct member *);

/* Pending confirmations (double opt-in and the like). */
struct pending {
	int64_t	 id;
	char	*addr;
	char	*action;	/* "join", "leave", "post", "unregister"… */
	char	*args;		/* what the action needs, as text */
	char	*lang;
	char	*code;
	time_t	 expires;
	time_t	 cancelled;	/* when a reply said no; 0: not */
};
int	store_pending_add(struct store *, const char *addr, const char *action,
	    const char *args, const char *lang, time_t expires, time_t now,
	    int64_t *id);
int	store_pending_set_code(struct store *, int64_t id, const char *code,
	    const char *mail_id);
/* By code (any address); 1 found, 0 not. Used or expired rows are found too. */
int	store_pending_by_code(struct store *, const char *code,
	    struct pending *, bool *used);
/* By the Message-ID of the confirmation mail; 1 found, 0 not. */
int	store_pending_by_mail(struct store *, const char *mail_id,
	    struct pending *, bool *used);
int	store_pending_use(struct store *, int64_t id, time_t now);
/* Closes the row without its act (a reply said no); used stays set too. */
int	store_pending_cancel(struct store *, int64_t id, time_t now);
void	pending_clear(struct pending *);

/* Outbox: every mail ffnet sends, written before it is sent. */
struct outbox_row {
	int64_t	 id;
	char	*env_from;
	char	*rcpt;
	char	*msgid;
	char	*data;
	size_t	 len;
	int	 attempts;
	time_t	 created;
};
int	store_outbox_add(struct store *, const char *env_from, const char *rcpt,
	    const char *msgid, const char *kind, const char *subject,
	    const char *data, size_t len, time_t now);
/*
 * Ids above after that are due at now (every unsent one with force),
 * oldest first, at most max. *ids is new; caller frees.
 */
int	store_outbox_due(struct store *, time_t now, bool force, int64_t after,
	    size_t max, int64_t **ids, size_t *n);
int	store_outbox_load(struct store *, int64_t id, struct outbox_row *);
int	store_outbox_sent(struct store *, int64_t id, time_t now);
int	store_outbox_retry(struct store *, int64_t id, time_t next,
	    const char *error);
int	store_outbox_failed(struct store *, int64_t id, time_t now,
	    const char *error);
/* Mails of this kind queued to rcpt since the time given. */
int	store_outbox_count_to(struct store *, const char *rcpt,
	    const char *kind, time_t since, int64_t *n);
/* Is this Message-ID one that ffnet sent? 1/0/-1 */
int	store_outbox_has_msgid(struct store *, const char *msgid);
/* Earliest next_try of an unsent row; 0 when none. */
int	store_outbox_next(struct store *, time_t *when);
int	store_outbox_unsent(struct store *, int64_t *n);
void	outbox_row_clear(struct outbox_row *);

/* Meetings, outings, conferences and their workshops. */
struct meeting {
	int64_t	 id;
	char	*code;		/* "M3", upper case */
	char	*title;
	char	*kind;		/* meeting | outing | conference | workshop */
	time_t	 start;		/* UTC */
	time_t	 end;
	char	*place;
	char	*host;
	char	*host_contact;	/* address of the host company's contact */
	int	 capacity;
	time_t	 deadline;	/* UTC; 0: none */
	bool	 open;		/* non-members may register */
	char	*description;
	char	*agenda;	/* the agenda, as text */
	char	*status;	/* planned | cancelled */
	int	 sequence;	/* RFC 5545 3.8.7.4 */
	int64_t	 parent;	/* the conference of a workshop, or 0 */
	int	 taken;		/* registered seats (filled by the get/list calls) */
	int	 waiting;
};
/*
 * Adds a meeting; m->code NULL makes one from the kind ("M4", "U1",
 * "K1", "W2"). *code gets the code; caller frees.
 */
int	store_meeting_add(struct store *, const struct meeting *, time_t now,
	    char **code);
/* 1 found, 0 not; code case-insensitive. */
int	store_meeting_get(struct store *, const char *code, struct meeting *);
int	store_meeting_by_id(struct store *, int64_t, struct meeting *);
/* Writes every field of m back (by id), raising nothing by itself. */
int	store_meeting_update(struct store *, const struct meeting *);
/* Meetings ending after since, by start; *v new, caller frees with meetings_free. */
int	store_meeting_list(struct store *, time_t since, struct meeting **v,
	    size_t *n);
void	meeting_clear(struct meeting *);
void	meetings_free(struct meeting *, size_t);

struct registration {
	int64_t	 id;
	int64_t	 meeting;
	char	*addr;
	char	*name;
	char	*note;
	char	*uid;		/* the calendar UID, stable for the registration */
	char	*state;		/* registered | waiting | cancelled */
	char	*partstat;	/* the last calendar answer, or NULL */
	bool	 guest;		/* not a member (open events) */
	time_t	 created;
	time_t	 reminded;
};
/* 1 found, 0 not. */
int	store_reg_get(struct store *, int64_t meeting, const char *addr,
	    struct registration *);
int	store_reg_by_uid(struct store *, const char *uid,
	    struct registration *);
/* Adds or renews (a cancelled row comes back with a new UID). */
int	store_reg_put(struct store *, const struct registration *, time_t now);
int	store_reg_set_state(struct store *, int64_t id, const char *state);
int	store_reg_set_partstat(struct store *, int64_t id, const char *);
/* Of a meeting, in order of arrival; state NULL: all. Caller frees. */
int	store_reg_list(struct store *, int64_t meeting, const char *state,
	    struct registration **v, size_t *n);
/* The place in the waiting list (1 = next), or 0. */
int	store_reg_position(struct store *, const struct registration *,
	    int *pos);
void	registration_clear(struct registration *);
void	registrations_free(struct registration *, size_t);
/*
 * Reminders (remind.c). Planned meetings starting after now and by
 * until that still owe a reminder: a registered participant not yet
 * reminded, or a host contact not yet told. Caller frees with
 * meetings_free.
 */
int	store_meeting_remind_due(struct store *, time_t now, time_t until,
	    struct meeting **v, size_t *n);
/*
 * Mark the host contact's mail, or a registration's reminder, as sent
 * in the caller's transaction: 1 marked now, 0 marked before (or the
 * registration is no longer registered), -1 error.
 */
int	store_meeting_set_reminded(struct store *, int64_t id, time_t now);
int	store_reg_set_reminded(struct store *, int64_t id, time_t now);
/* A meeting moved in time: its reminders are due again. */
int	store_meeting_reminders_reset(struct store *, int64_t id);

/* Markedspladsen: members' ideas, and who wants to join in. */
struct idea {
	int64_t	 id;		/* the number members use */
	char	*author;	/* address */
	char	*title;
	char	*body;
	int	 theme;		/* 1, 2, 3 or 0 */
	char	*seeking;	/* what partners are wanted, or NULL */
	char	*status;	/* open | closed */
	time_t	 created;
};
int	store_idea_add(struct store *, const struct idea *, time_t now,
	    int64_t *id);
/* 1 found, 0 not. */
int	store_idea_get(struct store *, int64_t id, struct idea *);
/* Oldest first; *v new, caller frees with ideas_free. */
int	store_idea_list(struct store *, bool open_only, struct idea **v,
	    size_t *n);
int	store_idea_close(struct store *, int64_t id);
/* 1 new, 0 already interested, -1 error. */
int	store_interest_add(struct store *, int64_t idea, const char *addr,
	    time_t now);
void	idea_clear(struct idea *);
void	ideas_free(struct idea *, size_t);

/*
 * The list (listmail.c, outbox.c; store_list.c): a post is stored
 * once, as the message every recipient gets minus the personal header
 * lines; each recipient is a row of its own, sent and marked one by
 * one.
 */
struct post {
	int64_t	 id;
	char	*kind;		/* post | agenda | minutes */
	int64_t	 meeting;	/* agenda and minutes: the meeting, or 0 */
	char	*sender;
	char	*sender_name;
	char	*subject;
	char	*body;		/* the text as sent */
	char	*files;		/* attachment names, one per line, or NULL */
	char	*msgid;
	char	*data;		/* the shared message (see above) */
	size_t	 len;
	char	*state;		/* preview | sending | done */
	time_t	 created;
	time_t	 started;
	time_t	 finished;
	/* Filled by store_post_get and store_post_list: */
	int64_t	 total, sent, failed;
};
int	store_post_add(struct store *, const struct post *, time_t now,
	    int64_t *id);
/* 1 found, 0 not. with_data: load the message too. */
int	store_post_get(struct store *, int64_t id, bool with_data,
	    struct post *);
/* Newest first, without data; *v new, caller frees with posts_free. */
int	store_post_list(struct store *, size_t max, struct post **v,
	    size_t *n);
/*
 * Makes the recipient rows of a post (active members; for a meeting,
 * its registered guests too), sets it sending; *n gets how many.
 */
int	store_post_start(struct store *, int64_t id, int64_t meeting,
	    time_t now, int64_t *n);
/* Posts still sending whose copies are all sent or failed become done. */
int	store_post_finish(struct store *, time_t now);
void	post_clear(struct post *);
void	posts_free(struct post *, size_t);

struct post_rcpt {
	int64_t	 id;
	int64_t	 post;
	char	*addr;
	char	*token;		/* this copy's bounce token (VERP) */
	char	*unsub;		/* the member's token; NULL for a guest */
	int	 attempts;
	bool	 gone;		/* no longer a member, or paused: skip */
};
/* Due copies after id after, oldest first, at most max; caller frees. */
int	store_rcpt_due(struct store *, time_t now, bool force, int64_t after,
	    size_t max, struct post_rcpt **v, size_t *n);
int	store_rcpt_sent(struct store *, int64_t id, time_t now);
int	store_rcpt_retry(struct store *, int64_t id, time_t next,
	    const char *error);
int	store_rcpt_failed(struct store *, int64_t id, time_t now,
	    const char *error);
/* Earliest next_try of an unsent copy; 0 when none. */
int	store_rcpt_next(struct store *, time_t *when);
/* 1 found (addr, post filled, caller frees addr), 0 not. */
int	store_rcpt_by_token(struct store *, const char *token, char **addr,
	    int64_t *post);
void	post_rcpts_free(struct post_rcpt *, size_t);
/*
 * The times of every mail (outbox and list copies) accepted since
 * since, oldest first: the rate limits read them. Caller frees.
 */
int	store_sent_times(struct store *, time_t since, time_t **v,
	    size_t *n);
/* Runs the hot path of the list without a sync per copy (see store.c). */
int	store_fast_sync(struct store *, bool on);

/* Members by list token; 1 found, 0 not. */
int	store_member_by_token(struct store *, const char *token,
	    struct member *);
/* status "active" or "paused"; 0 rows changed is not an error. */
int	store_member_set_status(struct store *, const char *addr,
	    const char *status);
/*
 * How many store_post_start() would make copies for: active members
 * and, for a meeting, its registered guests, each address once.
 */
int	store_post_audience(struct store *, int64_t meeting, int64_t *n);

/* Permanent bounces, one row each. */
int	store_bounce_add(struct store *, const char *addr, int64_t post,
	    const char *status, const char *diagnostic, time_t now,
	    const char *day);
/* On how many different days addr bounced since it was last cleared. */
int	store_bounce_days(struct store *, const char *addr, int64_t *n);
/* A member resumes: old bounces no longer count. */
int	store_bounce_clear(struct store *, const char *addr);

/* The audit trail of membership changes. */
int	store_audit(struct store *, const char *addr, const char *action,
	    const char *detail, time_t now);
/* How many audit rows of action addr has since a time. */
int	store_audit_count(struct store *, const char *addr, const char *action,
	    time_t since, int64_t *n);

/*
 * The secretariat's member tools (store_members.c). Members by status:
 * "active" or "paused" (the members table), "pending" (an open join
 * confirmation; joined = when it was asked) or "left" (the last
 * membership event was a leave and the address is no member now;
 * joined = when it left); NULL: active and paused. By address; *v new,
 * caller frees with members_free.
 */
int	store_member_list(struct store *, const char *status, time_t now,
	    struct member **v, size_t *n);
void	members_free(struct member *, size_t);
/* Sets a member's name and organisation; NULL leaves one as it is. */
int	store_member_set(struct store *, const char *addr, const char *name,
	    const char *org);
/* How consent was given: source "confirm", "import" or "add". */
int	store_consent_add(struct store *, const char *addr, const char *source,
	    const char *msgid, const char *text, time_t now);
/*
 * Everything held about an address, one row per fact, in this order of
 * kind, each by time: "status" (audit: action, detail), "consent"
 * (source, msgid, text), "confirmation" (the join confirmed: code),
 * "registration" (code, title, state), "idea" (number, title, status),
 * "interest" (number, title), "bounce" (status, diagnostic, "cleared"),
 * and the log of mails: "mail-in" (subject, how it ended), "mail-out"
 * (subject, kind, sent/failed/queued) and "list" (subject, kind, the
 * same). A registration's note is in d; d is NULL elsewhere.
 * *v new; caller frees with member_facts_free.
 */
struct member_fact {
	char	*kind;
	time_t	 at;
	char	*a, *b, *c, *d;
};
int	store_member_facts(struct store *, const char *addr,
	    struct member_fact **v, size_t *n);
void	member_facts_free(struct member_fact *, size_t);
/*
 * SLET MIG (GDPR art. 17), in the caller's transaction: the member,
 * consent, interests and the ideas no agenda has carried are deleted;
 * registrations (name and note emptied), ideas on a past agenda,
 * bounces, list copies, confirmation rows (closed), the mail log and
 * the audit keep hash instead of addr. Mail to addr still in the
 * outbox is sent, then emptied. The message being handled keeps the
 * hash too (store_inbox_add) when it commits. Cancel the person's
 * coming registrations first (seats, waiting list, CANCELs).
 */
struct forget_counts {
	int	registrations;	/* rows now anonymous */
	int	ideas_kept;	/* on a past agenda: anonymous */
	int	ideas_removed;
};
int	store_forget(struct store *, const char *addr, const char *hash,
	    time_t now, struct forget_counts *);

/*
 * Retention (store_privacy.c; daemon/privacy.c says what each rule
 * keeps). cut is now less the rule's days. store_privacy_due: how many
 * rows are due, and the time of the next one to fall due after them (0:
 * none; it falls due that many days after it). store_privacy_prune
 * prunes them in the caller's transaction; *changed rows.
 */
enum privacy_rule {
	PRIV_NOTES,		/* registration notes, by the meeting's end */
	PRIV_SENT_MAIL,		/* the text of sent mails */
	PRIV_MAIL_LOG,		/* who, when, what; codes; bounces */
};
int	store_privacy_due(struct store *, enum privacy_rule, time_t cut,
	    int64_t *due, time_t *next);
int	store_privacy_prune(struct store *, enum privacy_rule, time_t cut,
	    int64_t *changed);
/*
 * An address that is no member, and when it was last seen: those last
 * seen before cut, oldest first, at most max; and the time the oldest
 * of the others was last seen (0: none).
 */
struct store_former {
	char	*addr;
	time_t	 last;
};
int	store_privacy_former(struct store *, time_t cut, size_t max,
	    struct store_former **v, size_t *n);
int	store_privacy_former_next(struct store *, time_t cut, time_t *next);
void	store_former_free(struct store_former *, size_t);
/* Count i of what is held (*what names it): 1, 0 past the last, -1. */
int	store_privacy_held(struct store *, size_t i, const char **what,
	    int64_t *n);

/*
 * The daemon's state for ffnet status (store_status.c): a few named
 * values with a time ("pid", "imap_ok", "smtp_ok", "error", "notice",
 * "imap_down", "imap_notice", "imap_mail"; "store_ok": store_probe()).
 */
int	store_state_set(struct store *, const char *key, const char *value,
	    time_t at);
/* 1 found (*value a new string or NULL; caller frees), 0 not, -1 error. */
int	store_state_get(struct store *, const char *key, char **value,
	    time_t *at);
int	store_state_del(struct store *, const char *key);
/*
 * Withdraws an outbox row not yet sent (a notice that is no longer
 * true): marked failed with why. 1 withdrawn, 0 sent or gone, -1 error.
 */
int	store_outbox_withdraw(struct store *, const char *msgid, time_t now,
	    const char *why);
/* Mail that waits to be sent (outbox rows and list copies), the oldest. */
int	store_queue_depth(struct store *, int64_t *rows, int64_t *copies,
	    time_t *oldest);
/* The last error a waiting outbox row got; *err a new string or NULL. */
int	store_queue_error(struct store *, char **err);
/*
 * Mail parked for a person since a time: how many, and the newest's
 * sender and reason (new strings or NULL; caller frees).
 */
int	store_held(struct store *, time_t since, int64_t *n, char **sender,
	    char **reason, time_t *at);

/*
 * Backup (store_backup.c): copies the store, as one snapshot taken while
 * the daemon may write, into the new file dest (which must not exist),
 * checks the copy and counts its pages and members.
 */
int	store_backup(struct store *, const char *dest, int64_t *pages,
	    int64_t *members, char *err, size_t errlen);

/*
 * The secretariat's summary (store_summary.c), for the period
 * [since, until): rows of one kind, oldest first, at most 200; *v new,
 * caller frees with summary_rows_free.
 */
/* The last row when there were more than the cap: why is their count. */
#define SUMMARY_MORE	"more"
struct summary_row {
	time_t	 at;
	char	*who;		/* the address */
	char	*what;	/* audit action; held: subject; failed: kind */
	char	*why;	/* audit detail; held: reason; failed: error */
};
/* Members who joined, left, were paused, resumed or removed. */
int	store_summary_members(struct store *, time_t since, time_t until,
	    struct summary_row **v, size_t *n);
/* Incoming mail parked for a person. */
int	store_summary_held(struct store *, time_t since, time_t until,
	    struct summary_row **v, size_t *n);
/* Mail given up (outbox and list copies), and mail waiting with an error. */
int	store_summary_failed(struct store *, time_t since, time_t until,
	    struct summary_row **v, size_t *n);
/* Registrations (seats and waiting list) made in the period. */
int	store_summary_regs(struct store *, int64_t meeting, time_t since,
	    time_t until, int64_t *n);
void	summary_rows_free(struct summary_row *, size_t);

#endif
