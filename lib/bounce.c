/*
 * bounce.c: tells bounces and delivery status notifications apart from
 * other mail and reads who failed, how (permanent, temporary, success)
 * and why. RFC 3464 DSNs first (as parts, or pasted into the text),
 * then Amazon SES notifications, X-Failed-Recipients (Exim), qmail and
 * the wording of the common non-standard bounces (Exchange, Lotus
 * Domino, Sendmail, LISTSERV, AOL...), then a bounce forwarded as an
 * attachment, and last the returned copy of our message. Pure:
 * works on a parsed struct msg, does no I/O; the struct bounce owns
 * its strings.
 */
#include <ctype.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bounce.h"
#include "mime.h"
#include "util.h"

#define BOUNCE_MAX_RCPTS	64
#define BOUNCE_MAX_LINE		4096
#define BOUNCE_MAX_DEPTH	1	/* bounces forwarded as attachments */

/* One per-recipient block of a DSN (RFC 3464 2.3). */
struct bounce_dsn_rcpt {
	char			*addr;		/* Final-Recipient */
	char			*orig;		/* Original-Recipient, rfc822 */
	enum bounce_kind	 kind;
	char			 status[16];
	char			*diag;
};

/* What the text scan works on: the bounce's own words, not the copy. */
struct bounce_scan {
	const struct msg	*m;
	struct bounce		*b;
	char			**excl;	/* addresses never reported */
	size_t			 nexcl;
	/*
	 * The address stands alone in a list of failed recipients: report
	 * it even when it is the bounce's addressee or a postmaster.
	 */
	bool			 listed;
	bool			 kind_known;	/* set by a structured format */
};

static int	 bounce_parse_depth(const struct msg *, struct bounce *, int);
static size_t	 bounce_ids_add(const char *, char **, size_t, size_t);
static void	 bounce_add(struct bounce_scan *, const char *, size_t);
static void	 bounce_replace(struct bounce_scan *, size_t, const char *,
		    size_t);
static bool	 bounce_is_excluded(const struct bounce_scan *, const char *);
static void	 bounce_excl_init(struct bounce_scan *);
static void	 bounce_excl_clear(struct bounce_scan *);
static const char *bounce_next_addr(const char *, const char *, size_t *);
static bool	 bounce_is_after_from(const char *, const char *);
static void	 bounce_scan_addrs(struct bounce_scan *, const char *);
static void	 bounce_dsn(struct bounce_dsn_rcpt *, size_t *, const char *,
		    size_t);
static void	 bounce_dsn_text(struct bounce_dsn_rcpt *, size_t *,
		    const char *);
static void	 bounce_dsn_field(struct bounce_dsn_rcpt *, const char *,
		    char *);
static void	 bounce_dsn_end(struct bounce_dsn_rcpt *, size_t *);
static void	 bounce_dsn_pick(struct bounce_scan *,
		    struct bounce_dsn_rcpt *, size_t);
static const char *bounce_body(const struct msg *);
static size_t	 bounce_cut_at(const char *);
static bool	 bounce_is_cut(const char *);
static const char *bounce_phrase_end(const char *, const char *const *,
		    size_t);
static bool	 bounce_is_trigger(const char *);
static bool	 bounce_is_rcpt_line(const char *);
static bool	 bounce_is_listing(const char *);
static bool	 bounce_is_hdr(const char *, const char *);
static bool	 bounce_is_blank(const char *);
static bool	 bounce_is_field(const char *);
static bool	 bounce_is_echo(char **, size_t, size_t);
static void	 bounce_alias(struct bounce_scan *, const char *, size_t,
		    bool);
static void	 bounce_nondsn(struct bounce_scan *, const char *,
		    const char *);
static void	 bounce_text(struct bounce_scan *, const char *);
static void	 bounce_qmail(struct bounce_scan *, const char *);
static void	 bounce_aol(struct bounce_scan *, const char *);
static const char *bounce_json_str(const char *, char *, size_t);
static void	 bounce_ses(struct bounce_scan *, const char *);
static int	 bounce_nested(const struct msg *, struct bounce *, int);
static void	 bounce_copy_hdrs(struct bounce_scan *, const char *, size_t);
static void	 bounce_copy_to(struct bounce_scan *, const char *);
static bool	 bounce_is_status(const char *, size_t *);
static enum bounce_kind bounce_text_kind(const char *, char *, size_t);
static bool	 bounce_has_signal(const struct msg *);
static bool	 bounce_is_dmarc(const char *);
static bool	 bounce_has_word(const char *, const char *const *, size_t);
static bool	 bounce_icontains(const char *, const char *);
static bool	 bounce_is_local_char(int);
static bool	 bounce_is_domain_char(int);

/* Lines after which the returned message begins: not ours to read. */
static const char *const bounce_cuts[] = {
	"copy of the message",
	"copy of your message",
	"original message follow",
	"original message --",
	"original message-",
	"unsent message below",
	"returned message",
	"header of the original message",
	"headers of the original message",
	"original message headers",
	"message headers follow",
	"text of the original message",
	"your message reads",
	"--- original message",
	"content-type: message/rfc822",
	"this is the original message",
	"below is a copy",
	"original message header",
	"the message you sent",
	"message was not delivered:",
	"--- message follows",
	"returned mail follows",
	"unsent message follows",
	"original message:",
};

/* Lines that name a cut but are none. */
static const char *const bounce_nocuts[] = {
	/* "The following addresses did not receive a copy of your message" */
	"following address",
	"following recipient",
	/* Postfix: "delete your own text from the attached returned message" */
	"your own text",
};

/* Lines announcing failed recipients on the lines that follow. */
static const char *const bounce_triggers[] = {
	"following address",
	"following recipient",
	"following destination",
	"permanent fatal error",
	"could not be delivered to",
	"not be delivered to",
	"couldn't be delivered to",
	"delivery has failed to",
	"delivery to the following",
	"failed to deliver to",
	"undeliverable to",
	"unable to deliver",
	"was not delivered to",
	"wasn't delivered to",
	"delivery failed",
	"failed recipient",
	"invalid recipient",
	"unknown recipient",
	"destinataires suivants",
	"destinatari",
	"destinatario",
	"empf\xc3\xa4nger",
	"recipient address",
	"addressed to",
	"following e-mail address",
	"following email address",
	"errors occurred",
	"delivery problems",
	"could not deliver",
	"problem delivering",
	"message could not be delivered",
	"did not reach",
	"non remis",
	"undeliverable",
	"delivery to",
	"recipient(s)",
	"mailbox",
	/* Exim's delay warning */
	"not yet been delivered",
	/* "Your message to:" on a line of its own */
	"message to:",
	"to this address",
	/* Lotus Domino: "Failure Reasons", the reason, then the address */
	"failure reason",
};

/* Phrases naming the failed recipient later on the same line only. */
static const char *const bounce_inline[] = {
	"was addressed",
	"error delivering",
};

/* Words that make every address on the line a failed recipient. */
static const char *const bounce_rcpt_words[] = {
	"user unknown", "unknown user", "does not exist", "no such",
	"not found", "mailbox", "rcpt to", "unknown or", "invalid",
	"rejected", "quota", "disabled", "unavailable", "unrouteable",
	"undeliverable", "failed", "not exist", "inactive", "refused",
	"recipient", "no longer", "not known", "unknown address",
	"host unknown", "is full", "over quota", "denied", "blocked",
	"user doesn't", "account", "not valid", "unknown", "550", "551",
	"552", "553", "554", "5.1.", "5.2.", "5.7.", "4.2.", "4.4.",
	"delayed", "retry", "expired",
};

/* Sendmail "(expanded from: x)", Exim "(generated from x)". */
static const char *const bounce_alias_words[] = {
	"expanded from", "generated from",
};

static const char *const bounce_temp_words[] = {
	"delay", "will retry", "will be retried", "temporar",
	"still trying", "will keep trying", "not yet been delivered",
	"retry timeout", "is being retried", "will try again",
	"postponed", "attempts will continue", "continue to attempt",
	"will continue to try",
};

/* A warning says so: temporary whatever codes it quotes. */
static const char *const bounce_warn_words[] = {
	"warning only", "warning message only", "just a warning",
	"advisory-only", "no action is required",
	"do not need to resend", "don't need to resend",
};

static const char *const bounce_dmarc_words[] = {
	"dmarc", "dkim", "5.7.26", "spf ", "spf:", "spf)", "spf-",
	"sender policy framework", "unauthenticated email",
};

int
bounce_parse(const struct msg *m, struct bounce *b)
{
	return bounce_parse_depth(m, b, 0);
}

void
bounce_clear(struct bounce *b)
{
	size_t	i;

	for (i = 0; i < b->nrcpts; i++)
		free(b->rcpts[i]);
	free(b->rcpts);
	free(b->diagnostic);
	memset(b, 0, sizeof(*b));
}

static int
bounce_parse_depth(const struct msg *m, struct bounce *b, int depth)
{
	struct bounce_scan	 s;
	struct bounce_dsn_rcpt	 r[BOUNCE_MAX_RCPTS];
	const char		*text;
	char			*human = NULL;
	size_t			 i, n = 0;
	int			 rc = -1, dsn = -1;

	memset(b, 0, sizeof(*b));
	memset(&s, 0, sizeof(s));
	s.m = m;
	s.b = b;
	bounce_excl_init(&s);
	text = bounce_body(m);
	human = xstrndup(text, bounce_cut_at(text));

	memset(r, 0, sizeof(r));
	for (i = 0; i < m->nparts; i++)
		if (strcmp(m->parts[i].type, "message/delivery-status") == 0 ||
		    strcmp(m->parts[i].type,
		    "message/global-delivery-status") == 0)
			bounce_dsn(r, &n, m->parts[i].data, m->parts[i].len);
	if (n == 0 && bounce_has_signal(m))
		bounce_dsn_text(r, &n, human);
	bounce_dsn_pick(&s, r, n);
	if (b->nrcpts > 0)
		dsn = 0;

	if (dsn == -1) {
		/* a DSN that named no usable recipient: read the text */
		b->kind = BOUNCE_NONE;
		b->status[0] = '\0';
		free(b->diagnostic);
		b->diagnostic = NULL;
		bounce_nondsn(&s, text, human);
	}
	if (dsn == -1 && b->nrcpts == 0 && !bounce_has_signal(m))
		goto out;
	if (dsn == -1 && b->nrcpts == 0 && depth < BOUNCE_MAX_DEPTH &&
	    bounce_nested(m, b, depth) == 0) {
		rc = 0;
		goto out;
	}
	if (dsn == -1 && b->nrcpts == 0)
		bounce_copy_to(&s, text);
	if (dsn == -1 && !s.kind_known)
		b->kind = bounce_text_kind(human, b->status,
		    sizeof(b->status));
	b->dmarc = bounce_is_dmarc(b->diagnostic) || bounce_is_dmarc(human);
	rc = 0;
 out:
	if (rc == -1)
		bounce_clear(b);
	for (i = 0; i < n; i++) {
		free(r[i].addr);
		free(r[i].diag);
	}
	bounce_excl_clear(&s);
	free(human);
	return rc;
}

/*
 * The bounce goes to the original sender: that address never failed.
 * A bounce that passed through a mailing list carries the list's own
 * address, which is not a recipient either.
 */
static void
bounce_excl_init(struct bounce_scan *s)
{
	const char	*v;
	const char	*names[] = { "To", "From", "Return-Path", "List-Post",
	    "X-BeenThere" };
	size_t		 i;
	struct bounce	 tmp;
	struct bounce_scan t;

	memset(&tmp, 0, sizeof(tmp));
	memset(&t, 0, sizeof(t));
	t.b = &tmp;
	for (i = 0; i < nitems(names); i++)
		if ((v = mime_header(s->m, names[i])) != NULL)
			bounce_scan_addrs(&t, v);
	s->excl = tmp.rcpts;
	s->nexcl = tmp.nrcpts;
}

static void
bounce_excl_clear(struct bounce_scan *s)
{
	size_t	i;

	for (i = 0; i < s->nexcl; i++)
		free(s->excl[i]);
	free(s->excl);
	s->excl = NULL;
	s->nexcl = 0;
}

static bool
bounce_is_excluded(const struct bounce_scan *s, const char *a)
{
	size_t	i;

	if (strncmp(a, "mailer-daemon@", 14) == 0 ||
	    strncmp(a, "mailer_daemon@", 14) == 0 ||
	    strcmp(a, "mailer-daemon") == 0)
		return true;
	if (s->listed)
		return false;
	if (strncmp(a, "postmaster@", 11) == 0 || strcmp(a, "postmaster") == 0)
		return true;
	for (i = 0; i < s->nexcl; i++)
		if (strcmp(s->excl[i], a) == 0)
			return true;
	return false;
}

/* Adds one address (lower case, without <> or quotes), once. */
static void
bounce_add(struct bounce_scan *s, const char *p, size_t n)
{
	struct bounce	*b = s->b;
	char		*a, *q;
	size_t		 i;

	while (n > 0 && (isspace((unsigned char)*p) || *p == '<' ||
	    *p == '"' || *p == '\''))
		p++, n--;
	while (n > 0 && (isspace((unsigned char)p[n - 1]) ||
	    p[n - 1] == '>' || p[n - 1] == '"' || p[n - 1] == '\'' ||
	    p[n - 1] == '.' || p[n - 1] == ':' || p[n - 1] == ',' ||
	    p[n - 1] == ';'))
		n--;
	if (n == 0 || n > 254 || b->nrcpts >= BOUNCE_MAX_RCPTS)
		return;
	a = xstrndup(p, n);
	for (q = a; *q != '\0'; q++)
		*q = (char)tolower((unsigned char)*q);
	if (bounce_is_excluded(s, a))
		goto drop;
	for (i = 0; i < b->nrcpts; i++)
		if (strcmp(b->rcpts[i], a) == 0)
			goto drop;
	b->rcpts = xrealloc(b->rcpts, (b->nrcpts + 1) * sizeof(*b->rcpts));
	b->rcpts[b->nrcpts++] = a;
	return;
 drop:
	free(a);
}

/*
 * Puts p in place of recipient i, an alias of what we sent to; the
 * alias is not reported again (a transcript further down names it).
 */
static void
bounce_replace(struct bounce_scan *s, size_t i, const char *p, size_t n)
{
	struct bounce	*b = s->b;

	s->excl = xrealloc(s->excl, (s->nexcl + 1) * sizeof(*s->excl));
	s->excl[s->nexcl++] = b->rcpts[i];
	memmove(&b->rcpts[i], &b->rcpts[i + 1],
	    (b->nrcpts - i - 1) * sizeof(*b->rcpts));
	b->nrcpts--;
	bounce_add(s, p, n);
}

static bool
bounce_is_local_char(int c)
{
	return isalnum(c) || (c != '\0' && strchr("._%+-=!#$&*/?^`{|}~", c));
}

static bool
bounce_is_domain_char(int c)
{
	return isalnum(c) || c == '.' || c == '-' || c == '_';
}

/*
 * The next local@domain in str at or after from: returns its start and
 * sets *len, or NULL. An X.400 "dda:SMTP=" attribute is not part of
 * the address; a VERP local part ("list+jens=example.dk") is kept
 * whole.
 */
static const char *
bounce_next_addr(const char *str, const char *from, size_t *len)
{
	const char	*at, *l, *r;

	for (at = strchr(from, '@'); at != NULL; at = strchr(at + 1, '@')) {
		for (l = at; l > from && bounce_is_local_char(
		    (unsigned char)l[-1]); l--)
			;
		for (r = at + 1; bounce_is_domain_char((unsigned char)*r); r++)
			;
		while (r > at + 1 && r[-1] == '.')
			r--;
		while (l < at && *l == '.')
			l++;
		if (l > str && l[-1] == ':' && at - l > 5 &&
		    strncasecmp(l, "smtp=", 5) == 0)
			l += 5;
		if (l == at || r == at + 1 || memchr(at + 1, '.',
		    (size_t)(r - at - 1)) == NULL)
			continue;
		*len = (size_t)(r - l);
		return l;
	}
	return NULL;
}

/* "MAIL FROM:<a>", "mail from a": the sender, not a recipient. */
static bool
bounce_is_after_from(const char *str, const char *l)
{
	while (l > str && strchr(" \t<\"':", l[-1]) != NULL)
		l--;
	return l - str >= 4 && strncasecmp(l - 4, "from", 4) == 0 &&
	    (l - str == 4 || !isalnum((unsigned char)l[-5]));
}

/* Adds every local@domain found in the string. */
static void
bounce_scan_addrs(struct bounce_scan *s, const char *str)
{
	const char	*p = str, *a;
	size_t		 n;

	while ((a = bounce_next_addr(str, p, &n)) != NULL) {
		if (!bounce_is_after_from(str, a))
			bounce_add(s, a, n);
		p = a + n;
	}
}

static bool
bounce_icontains(const char *hay, const char *needle)
{
	return hay != NULL && strcasestr(hay, needle) != NULL;
}

static bool
bounce_has_word(const char *s, const char *const *words, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (bounce_icontains(s, words[i]))
			return true;
	return false;
}

/* "rfc822; addr" → addr. */
static char *
bounce_dsn_addr(char *v)
{
	char	*p;

	if ((p = strchr(v, ';')) != NULL)
		v = p + 1;
	v = util_trim(v);
	if (*v == '<' && (p = strchr(v, '>')) != NULL) {
		*p = '\0';
		v++;
	}
	return v;
}

static void
bounce_dsn_field(struct bounce_dsn_rcpt *r, const char *name, char *v)
{
	char	*semi;

	v = util_trim(v);
	if (strcasecmp(name, "Final-Recipient") == 0) {
		free(r->addr);
		r->addr = xstrdup(bounce_dsn_addr(v));
	} else if (strcasecmp(name, "Original-Recipient") == 0) {
		/* only an Internet address is one we sent to */
		semi = strchr(v, ';');
		if (semi != NULL && (semi - v < 6 ||
		    strncasecmp(util_trim(v), "rfc822", 6) != 0))
			return;
		free(r->orig);
		r->orig = xstrdup(bounce_dsn_addr(v));
	} else if (strcasecmp(name, "Action") == 0) {
		if (strncasecmp(v, "deliver", 7) == 0 ||
		    strncasecmp(v, "relayed", 7) == 0 ||
		    strncasecmp(v, "expanded", 8) == 0)
			r->kind = BOUNCE_SUCCESS;
		else if (strncasecmp(v, "delayed", 7) == 0 ||
		    strncasecmp(v, "expired", 7) == 0)
			/* not RFC 3464; time ran out, like 4.4.7 */
			r->kind = BOUNCE_TEMPORARY;
		else
			r->kind = BOUNCE_PERMANENT;
	} else if (strcasecmp(name, "Status") == 0) {
		snprintf(r->status, sizeof(r->status), "%.*s",
		    (int)strspn(v, "0123456789."), v);
	} else if (strcasecmp(name, "Diagnostic-Code") == 0 && r->diag == NULL)
		r->diag = xstrdup(bounce_dsn_addr(v));
}

/* Ends a block: keeps it when it named a recipient. */
static void
bounce_dsn_end(struct bounce_dsn_rcpt *r, size_t *n)
{
	struct bounce_dsn_rcpt	*cur = &r[*n];

	/*
	 * RFC 3464 2.3.1: Original-Recipient is the address as the sender
	 * gave it; Final-Recipient is what the reporting MTA saw after
	 * aliasing and forwarding (a mailbox on another domain, an X.400
	 * name, a source route or a bare local part). The member list
	 * holds what we sent to, so an rfc822 Original-Recipient wins.
	 */
	if (cur->orig != NULL && util_is_addr(cur->orig)) {
		free(cur->addr);
		cur->addr = cur->orig;
		cur->orig = NULL;
	}
	free(cur->orig);
	cur->orig = NULL;
	if (cur->addr == NULL || *n + 1 >= BOUNCE_MAX_RCPTS) {
		free(cur->addr);
		free(cur->diag);
		memset(cur, 0, sizeof(*cur));
		return;
	}
	/* RFC 3464 2.3.4: a 4.x.x status on "failed" is still transient. */
	if (cur->kind == BOUNCE_NONE || cur->kind == BOUNCE_PERMANENT) {
		if (cur->status[0] == '4')
			cur->kind = BOUNCE_TEMPORARY;
		else if (cur->status[0] == '2' && cur->kind == BOUNCE_NONE)
			cur->kind = BOUNCE_SUCCESS;
		else
			cur->kind = BOUNCE_PERMANENT;
	}
	(*n)++;
}

/* Reports the recipients of the gravest kind the DSN holds. */
static void
bounce_dsn_pick(struct bounce_scan *s, struct bounce_dsn_rcpt *r, size_t n)
{
	const enum bounce_kind	 order[] = { BOUNCE_PERMANENT,
	    BOUNCE_TEMPORARY, BOUNCE_SUCCESS };
	size_t			 i, k;

	for (k = 0; k < nitems(order) && s->b->kind == BOUNCE_NONE; k++)
		for (i = 0; i < n; i++) {
			if (r[i].kind != order[k])
				continue;
			s->b->kind = order[k];
			bounce_add(s, r[i].addr, strlen(r[i].addr));
			if (s->b->status[0] == '\0')
				snprintf(s->b->status, sizeof(s->b->status),
				    "%s", r[i].status);
			if (s->b->diagnostic == NULL && r[i].diag != NULL)
				s->b->diagnostic = xstrdup(r[i].diag);
		}
}

/*
 * RFC 3464 2.1: a per-message block, then per-recipient blocks, blank
 * lines between; fields may be folded. Some MTAs leave out the blank
 * line, so a second Final-Recipient also starts a block. Appends the
 * recipient blocks to r[*n].
 */
static void
bounce_dsn(struct bounce_dsn_rcpt *r, size_t *n, const char *data,
    size_t len)
{
	struct buf		 field;
	char			*copy, *p, *line, *colon, *name;

	if (data == NULL)
		return;
	buf_init(&field);
	copy = xstrndup(data, len);
	p = copy;
	while (p != NULL) {
		line = strsep(&p, "\n");
		line[strcspn(line, "\r")] = '\0';
		if ((*line == ' ' || *line == '\t') && field.len > 0) {
			buf_adds(&field, line);
			continue;
		}
		if (field.len > 0 && (colon = strchr(field.data, ':')) != NULL) {
			*colon = '\0';
			name = util_trim(field.data);
			/* the returned message pasted into the report */
			if (strcasecmp(name, "Received") == 0 ||
			    strcasecmp(name, "Return-Path") == 0)
				break;
			if (strcasecmp(name, "Final-Recipient") == 0 &&
			    r[*n].addr != NULL)
				bounce_dsn_end(r, n);
			bounce_dsn_field(&r[*n], name, colon + 1);
		}
		buf_clear(&field);
		if (util_trim(line)[0] == '\0')
			bounce_dsn_end(r, n);
		else
			buf_adds(&field, line);
	}
	bounce_dsn_end(r, n);
	buf_clear(&field);
	free(copy);
}

/*
 * Some MTAs paste the delivery-status fields into the text of their
 * notice instead of sending a message/delivery-status part: read them
 * from the block holding the first recipient field on.
 */
static void
bounce_dsn_text(struct bounce_dsn_rcpt *r, size_t *n, const char *human)
{
	const char	*p, *start;

	for (p = human; strncasecmp(p, "Final-Recipient:", 16) != 0 &&
	    strncasecmp(p, "Original-Recipient:", 19) != 0; p++)
		if ((p = strchr(p, '\n')) == NULL)
			return;
	/* back to the blank line before: Action may come first */
	for (start = p; start - human >= 2; start--)
		if (start[-1] == '\n' && start[-2] == '\n')
			break;
	if (start - human < 2)
		start = human;
	bounce_dsn(r, n, start, strlen(start));
}

/* The text to read: the main text, or a part the MIME parse left whole. */
static const char *
bounce_body(const struct msg *m)
{
	size_t	i;

	if (m->text != NULL && !bounce_is_blank(m->text))
		return m->text;
	/*
	 * A multipart whose boundary parameter was broken reaches us as
	 * one leaf: its text is still in there.
	 */
	for (i = 0; i < m->nparts; i++)
		if (m->parts[i].data != NULL &&
		    strncmp(m->parts[i].type, "multipart/", 10) == 0 &&
		    strlen(m->parts[i].data) == m->parts[i].len)
			return m->parts[i].data;
	return m->text != NULL ? m->text : "";
}

/* The formats without a DSN part, the most structured first. */
static void
bounce_nondsn(struct bounce_scan *s, const char *text, const char *human)
{
	const char	*xf;

	bounce_ses(s, text);
	if (s->kind_known)
		return;
	if ((xf = mime_header(s->m, "X-Failed-Recipients")) != NULL)
		bounce_scan_addrs(s, xf);
	if (s->b->nrcpts == 0)
		bounce_qmail(s, text);
	if (s->b->nrcpts == 0)
		bounce_text(s, human);
	if (s->b->nrcpts == 0)
		bounce_aol(s, human);
}

static bool
bounce_is_cut(const char *line)
{
	if (strncasecmp(line, "Received:", 9) == 0 ||
	    strncasecmp(line, "Return-Path:", 12) == 0 ||
	    strncasecmp(line, "DKIM-Signature:", 15) == 0)
		return true;
	if (bounce_has_word(line, bounce_nocuts, nitems(bounce_nocuts)))
		return false;
	return bounce_has_word(line, bounce_cuts, nitems(bounce_cuts));
}

/*
 * The bounce's own words end where the returned copy starts: returns
 * the offset of the line that starts it, or the length of the text.
 */
static size_t
bounce_cut_at(const char *text)
{
	const char	*p, *nl;
	char		 line[BOUNCE_MAX_LINE];
	size_t		 n;

	for (p = text; *p != '\0'; p = nl + 1) {
		if ((nl = strchr(p, '\n')) == NULL)
			nl = p + strlen(p);
		n = (size_t)(nl - p);
		if (n >= sizeof(line))
			n = sizeof(line) - 1;
		memcpy(line, p, n);
		line[n] = '\0';
		if (bounce_is_cut(line))
			return (size_t)(p - text);
		if (*nl == '\0')
			break;
	}
	return strlen(text);
}

/* The end of the first of the phrases in the line, or NULL. */
static const char *
bounce_phrase_end(const char *line, const char *const *words, size_t n)
{
	const char	*p, *best = NULL, *end = NULL;
	size_t		 i;

	for (i = 0; i < n; i++)
		if ((p = strcasestr(line, words[i])) != NULL &&
		    (best == NULL || p < best)) {
			best = p;
			end = p + strlen(words[i]);
		}
	return end;
}

static bool
bounce_is_trigger(const char *line)
{
	return bounce_phrase_end(line, bounce_triggers,
	    nitems(bounce_triggers)) != NULL;
}

static bool
bounce_is_blank(const char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	return *s == '\0';
}

/* The line, indented or not, is the header field name ("to:"). */
static bool
bounce_is_hdr(const char *line, const char *name)
{
	while (isspace((unsigned char)*line))
		line++;
	return strncasecmp(line, name, strlen(name)) == 0;
}

/* "Name: value" at the start of the line, as in a header. */
static bool
bounce_is_field(const char *line)
{
	const char	*p;

	for (p = line; isalnum((unsigned char)*p) || *p == '-'; p++)
		;
	return p > line && *p == ':';
}

static bool
bounce_is_rcpt_line(const char *line)
{
	const char	*t = line;

	while (isspace((unsigned char)*t))
		t++;
	if (bounce_icontains(line, "mail from") ||
	    bounce_icontains(line, "received at") ||
	    strncasecmp(t, "from:", 5) == 0 ||
	    strncasecmp(t, "sender:", 7) == 0 ||
	    strncasecmp(t, "reply-to:", 9) == 0)
		return false;
	/* LISTSERV and L-Soft LSMTP: "Error-for:  addr" */
	if (*t == '<' || strncasecmp(t, "to:", 3) == 0 ||
	    strncasecmp(t, "rcpt to", 7) == 0 ||
	    strncasecmp(t, "recipient:", 10) == 0 ||
	    strncasecmp(t, "error-for:", 10) == 0)
		return true;
	return bounce_has_word(line, bounce_rcpt_words,
	    nitems(bounce_rcpt_words));
}

/* The line is one address and nothing else ("  <a@b>:", "> a@b"). */
static bool
bounce_is_listing(const char *line)
{
	const char	*p = line, *e, *q;

	while (*p != '\0' && (isspace((unsigned char)*p) ||
	    strchr("<>*-\"'", *p) != NULL))
		p++;
	e = p + strlen(p);
	while (e > p && (isspace((unsigned char)e[-1]) ||
	    strchr("<>:;,.\"'", e[-1]) != NULL))
		e--;
	for (q = p; q < e; q++)
		if (isspace((unsigned char)*q))
			return false;
	return e > p && memchr(p, '@', (size_t)(e - p)) != NULL;
}

/*
 * "To:" or "Cc:" in a block that also gives "Subject:", "Sent:" or
 * "Date:" echoes the header of the returned message (Exchange: "Your
 * message\n\n  To: list@…\n  Subject: …\n\ndid not reach the following
 * recipient(s):"); it says where the message went, not who failed.
 */
static bool
bounce_is_echo(char **lines, size_t n, size_t i)
{
	size_t	j;

	if (!bounce_is_hdr(lines[i], "to:") && !bounce_is_hdr(lines[i], "cc:"))
		return false;
	for (j = i; j > 0 && !bounce_is_blank(lines[j - 1]); j--)
		;
	for (; j < n && !bounce_is_blank(lines[j]); j++)
		if (bounce_is_hdr(lines[j], "subject:") ||
		    bounce_is_hdr(lines[j], "sent:") ||
		    bounce_is_hdr(lines[j], "date:"))
			return true;
	return false;
}

/*
 * "(expanded from: a)" under the address that failed: a is what we
 * sent to and what the member list knows, so it takes the place of
 * recipient i, the one the lines above named (SIZE_MAX: none, as in
 * Exim's "an undisclosed address"; a is then added when listed).
 */
static void
bounce_alias(struct bounce_scan *s, const char *line, size_t i, bool listed)
{
	const char	*a;
	size_t		 n;

	if ((a = bounce_next_addr(line, line, &n)) == NULL)
		return;
	if (i < s->b->nrcpts)
		bounce_replace(s, i, a, n);
	else if (listed)
		bounce_add(s, a, n);
}

/*
 * The common plain-text bounces: addresses on lines that say why they
 * failed, in the block after a line announcing failed recipients, or
 * after such a phrase on its own line.
 */
static void
bounce_text(struct bounce_scan *s, const char *human)
{
	char		*copy, *p, **lines = NULL;
	const char	*from;
	size_t		 n = 0, cap = 0, i, before, first = 0;
	bool		 have = false;
	int		 after = 0;

	copy = xstrdup(human);
	for (p = copy; p != NULL; ) {
		if (n == cap) {
			cap = cap > 0 ? cap * 2 : 64;
			lines = xrealloc(lines, cap * sizeof(*lines));
		}
		lines[n++] = strsep(&p, "\n");
	}
	for (i = 0; i < n; i++) {
		if (bounce_is_blank(lines[i])) {
			if (after > 0)
				after--;
			have = false;
			continue;
		}
		if (bounce_has_word(lines[i], bounce_alias_words,
		    nitems(bounce_alias_words))) {
			bounce_alias(s, lines[i], have ? first : SIZE_MAX,
			    after > 0);
			have = false;
			continue;
		}
		before = s->b->nrcpts;
		if (strchr(lines[i], '@') != NULL &&
		    !bounce_is_echo(lines, n, i)) {
			s->listed = after > 0 && bounce_is_listing(lines[i]);
			if (after > 0 || bounce_is_rcpt_line(lines[i]))
				bounce_scan_addrs(s, lines[i]);
			else if ((from = bounce_phrase_end(lines[i],
			    bounce_triggers, nitems(bounce_triggers))) != NULL ||
			    (from = bounce_phrase_end(lines[i], bounce_inline,
			    nitems(bounce_inline))) != NULL)
				bounce_scan_addrs(s, from);
			s->listed = false;
		}
			if (s->b->nrcpts == before + 1) {
			have = true;
			first = before;
		} else if (s->b->nrcpts > before)
			have = false;
		if (bounce_is_trigger(lines[i]))
			after = 2;
	}
	free(lines);
	free(copy);
}

/* qmail-send: "<addr>:" lines after its greeting (qmail bounce format). */
static void
bounce_qmail(struct bounce_scan *s, const char *text)
{
	const char	*p, *e;

	if ((p = strstr(text, "This is the qmail-send program")) == NULL &&
	    (p = strstr(text, "I'm afraid I wasn't able to deliver")) == NULL)
		return;
	for (; (p = strchr(p, '\n')) != NULL; p++) {
		if (strncmp(p, "\n--- Below", 10) == 0 ||
		    strncmp(p, "\n--- Enclosed", 13) == 0)
			break;
		if (p[1] == '<' && (e = strstr(p, ">:")) != NULL &&
		    memchr(p + 1, '\n', (size_t)(e - p - 1)) == NULL)
			bounce_add(s, p + 2, (size_t)(e - p - 2));
	}
}

/*
 * AOL names only the screen name, after "screen name" or, in its
 * "Mail Delivery Problem" notices, on the line after "the following
 * recipients": "screenname" → screenname@aol.com.
 */
static void
bounce_aol(struct bounce_scan *s, const char *human)
{
	const char	*p, *e, *from = s->m->from_addr;
	char		*a;

	if ((p = strcasestr(human, "screen name")) != NULL &&
	    bounce_icontains(human, "aol"))
		;
	else if (from != NULL && (e = strrchr(from, '@')) != NULL &&
	    strcasecmp(e, "@aol.com") == 0 &&
	    (p = strcasestr(human, "following recipient")) != NULL)
		;
	else
		return;
	for (; *p != '\0'; p++) {
		if (*p != '"' && *p != '\n')
			continue;
		while (*p == '"' || isspace((unsigned char)*p))
			p++;
		for (e = p; *e != '\0' && (isalnum((unsigned char)*e) ||
		    *e == '.' || *e == '_'); e++)
			;
		if (e > p && (*e == '"' || *e == '\n') && e - p < 64) {
			a = xasprintf("%.*s@aol.com", (int)(e - p), p);
			bounce_add(s, a, strlen(a));
			free(a);
			return;
		}
		if (*p == '\0')
			return;
	}
}

/*
 * The JSON string after p (a key's ':' may come first) into out;
 * returns the position after it, or NULL.
 */
static const char *
bounce_json_str(const char *p, char *out, size_t outsz)
{
	size_t	n = 0;

	while (isspace((unsigned char)*p) || *p == ':')
		p++;
	if (*p != '"')
		return NULL;
	for (p++; *p != '\0' && *p != '"'; p++) {
		if (*p == '\\' && p[1] != '\0')
			p++;
		if (n + 1 < outsz)
			out[n++] = *p;
	}
	out[n] = '\0';
	return *p == '"' ? p + 1 : NULL;
}

/*
 * Amazon SES notifications (JSON, as SNS mails them): "Bounce" with
 * bounceType and bouncedRecipients[].emailAddress, or "Delivery" with
 * delivery.recipients[]. Complaints are no delivery report.
 */
static void
bounce_ses(struct bounce_scan *s, const char *text)
{
	const char	*p;
	char		 v[256];

	while (isspace((unsigned char)*text))
		text++;
	if (*text != '{' || (p = strstr(text, "\"notificationType\"")) == NULL ||
	    bounce_json_str(p + 18, v, sizeof(v)) == NULL)
		return;
	if (strcmp(v, "Bounce") == 0) {
		s->b->kind = BOUNCE_PERMANENT;
		if ((p = strstr(text, "\"bounceType\"")) != NULL &&
		    bounce_json_str(p + 12, v, sizeof(v)) != NULL &&
		    strcmp(v, "Transient") == 0)
			s->b->kind = BOUNCE_TEMPORARY;
		for (p = text; (p = strstr(p, "\"emailAddress\"")) != NULL &&
		    (p = bounce_json_str(p + 14, v, sizeof(v))) != NULL; )
			bounce_add(s, v, strlen(v));
		if ((p = strstr(text, "\"status\"")) != NULL &&
		    bounce_json_str(p + 8, v, sizeof(v)) != NULL)
			snprintf(s->b->status, sizeof(s->b->status), "%.*s",
			    (int)strspn(v, "0123456789."), v);
		if ((p = strstr(text, "\"diagnosticCode\"")) != NULL &&
		    bounce_json_str(p + 16, v, sizeof(v)) != NULL)
			s->b->diagnostic = xstrdup(v);
	} else if (strcmp(v, "Delivery") == 0) {
		s->b->kind = BOUNCE_SUCCESS;
		if ((p = strstr(text, "\"recipients\"")) == NULL)
			return;
		for (p += 12; isspace((unsigned char)*p) || *p == ':'; p++)
			;
		if (*p++ == '[')
			while ((p = bounce_json_str(p, v, sizeof(v))) != NULL) {
				bounce_add(s, v, strlen(v));
				while (isspace((unsigned char)*p) || *p == ',')
					p++;
			}
	} else
		return;
	s->kind_known = true;
}

/*
 * A bounce forwarded as an attachment (by a virus scanner, a relay, a
 * person): the report is the attached message. Takes its result.
 */
static int
bounce_nested(const struct msg *m, struct bounce *b, int depth)
{
	struct mime_limits	 lim;
	struct msg		 in;
	struct bounce		 nb;
	size_t			 i;
	int			 rc = -1;

	mime_limits_default(&lim);
	for (i = 0; i < m->nparts && rc == -1; i++) {
		if (strcmp(m->parts[i].type, "message/rfc822") != 0 &&
		    strcmp(m->parts[i].type, "message/global") != 0)
			continue;
		if (mime_parse(m->parts[i].data, m->parts[i].len, &lim,
		    &in) == -1)
			continue;
		if (bounce_has_signal(&in) &&
		    bounce_parse_depth(&in, &nb, depth + 1) == 0) {
			if (nb.nrcpts > 0) {
				bounce_clear(b);
				*b = nb;
				rc = 0;
			} else
				bounce_clear(&nb);
		}
		msg_clear(&in);
	}
	return rc;
}

/*
 * The header of the returned copy (from its first header line to the
 * blank line): when it is To one address, without Cc and not sent
 * through a list, that address is the recipient.
 */
static void
bounce_copy_hdrs(struct bounce_scan *s, const char *data, size_t len)
{
	struct buf	 to;
	char		*copy, *p, *line;
	const char	*a;
	size_t		 n, ntos = 0;
	bool		 started = false, in_to = false, other = false;

	buf_init(&to);
	copy = xstrndup(data, len);
	for (p = copy; p != NULL; ) {
		line = strsep(&p, "\n");
		line[strcspn(line, "\r")] = '\0';
		if (!started && !bounce_is_field(line))
			continue;
		started = true;
		if (bounce_is_blank(line))
			break;
		if (*line == ' ' || *line == '\t') {
			if (in_to)
				buf_adds(&to, line);
			continue;
		}
		in_to = strncasecmp(line, "To:", 3) == 0;
		if (in_to) {
			buf_adds(&to, line + 3);
			ntos++;
		} else if (strncasecmp(line, "Cc:", 3) == 0 ||
		    strncasecmp(line, "List-Id:", 8) == 0 ||
		    strncasecmp(line, "List-Post:", 10) == 0)
			other = true;
	}
	if (!other && ntos == 1 && to.data != NULL &&
	    (a = bounce_next_addr(to.data, to.data, &n)) != NULL &&
	    bounce_next_addr(to.data, a + n, &n) == NULL) {
		a = bounce_next_addr(to.data, to.data, &n);
		bounce_add(s, a, n);
	}
	buf_clear(&to);
	free(copy);
}

/*
 * Last resort, for a bounce that names no recipient: the returned copy
 * of our message. ffnet sends each message to one recipient, so its
 * To is who failed.
 */
static void
bounce_copy_to(struct bounce_scan *s, const char *text)
{
	const struct msg	*m = s->m;
	size_t			 i, at;

	for (i = 0; i < m->nparts; i++)
		if (strcmp(m->parts[i].type, "message/rfc822") == 0 ||
		    strcmp(m->parts[i].type, "message/global") == 0 ||
		    strcmp(m->parts[i].type, "text/rfc822-headers") == 0) {
			if (m->parts[i].data != NULL)
				bounce_copy_hdrs(s, m->parts[i].data,
				    m->parts[i].len);
			return;
		}
	at = bounce_cut_at(text);
	if (text[at] != '\0')
		bounce_copy_hdrs(s, text + at, strlen(text + at));
}

/* RFC 3463 class.subject.detail; n is the length of the digits and dots. */
static bool
bounce_is_status(const char *p, size_t *n)
{
	size_t	i, dots = 0;

	while (*n > 0 && p[*n - 1] == '.')
		(*n)--;
	for (i = 0; i < *n; i++)
		if (p[i] == '.' && (++dots > 2 || p[i + 1] == '.'))
			return false;
	return dots == 2;
}

/*
 * Permanent unless the codes say 4xx or the wording says it will retry;
 * a notice that calls itself a warning is temporary whatever it quotes.
 */
static enum bounce_kind
bounce_text_kind(const char *h, char *status, size_t statussz)
{
	const char	*p;
	bool		 perm = false, temp = false;
	size_t		 n;

	for (p = h; *p != '\0'; p++) {
		/* "925-423-5635" is a telephone number */
		if ((p != h && (isalnum((unsigned char)p[-1]) ||
		    strchr("-.+/_,=", p[-1]) != NULL)) ||
		    (*p != '4' && *p != '5'))
			continue;
		if (p[1] == '.' && isdigit((unsigned char)p[2])) {
			n = strspn(p, "0123456789.");
			if (!bounce_is_status(p, &n))
				continue;
			if (status[0] == '\0' && n < statussz)
				snprintf(status, statussz, "%.*s", (int)n, p);
		} else if (!(p[1] >= '0' && p[1] <= '5' &&
		    isdigit((unsigned char)p[2]) &&
		    (p[3] == ' ' || p[3] == '-')))
			/* RFC 5321 4.2: reply codes are [2-5][0-5][0-9] */
			continue;
		if (*p == '5')
			perm = true;
		else
			temp = true;
	}
	if (bounce_has_word(h, bounce_warn_words, nitems(bounce_warn_words)))
		return BOUNCE_TEMPORARY;
	if (!perm && (temp || bounce_has_word(h, bounce_temp_words,
	    nitems(bounce_temp_words))))
		return BOUNCE_TEMPORARY;
	return BOUNCE_PERMANENT;
}

/* Signs of an automated failure notice when no recipient was read. */
static bool
bounce_has_signal(const struct msg *m)
{
	const char	*subj = m->subject != NULL ? m->subject : "";

	if (m->report_type != NULL &&
	    strcmp(m->report_type, "delivery-status") == 0)
		return true;
	if (m->from_addr != NULL &&
	    (strncmp(m->from_addr, "mailer-daemon@", 14) == 0 ||
	    strncmp(m->from_addr, "postmaster@", 11) == 0))
		return true;
	return bounce_icontains(subj, "undeliver") ||
	    bounce_icontains(subj, "delivery status notification") ||
	    bounce_icontains(subj, "returned mail") ||
	    bounce_icontains(subj, "delivery fail") ||
	    bounce_icontains(subj, "failure notice");
}

static bool
bounce_is_dmarc(const char *s)
{
	if (s == NULL)
		return false;
	return bounce_has_word(s, bounce_dmarc_words,
	    nitems(bounce_dmarc_words));
}

/* Adds each <id> of a header value to ids[n..max); returns the new n. */
static size_t
bounce_ids_add(const char *v, char **ids, size_t n, size_t max)
{
	const char	*p = v, *e;

	while (v != NULL && n < max && (p = strchr(p, '<')) != NULL &&
	    (e = strchr(p, '>')) != NULL) {
		if (e > p + 1)
			ids[n++] = xstrndup(p + 1, (size_t)(e - p - 1));
		p = e + 1;
	}
	return n;
}

size_t
bounce_orig_ids(const struct msg *m, char **ids, size_t max)
{
	struct mime_limits	 lim;
	struct msg		 orig;
	size_t			 n, i;

	/* Exchange's NDR: In-Reply-To and References are the original's */
	n = bounce_ids_add(m->in_reply_to, ids, 0, max);
	n = bounce_ids_add(m->references, ids, n, max);
	mime_limits_default(&lim);
	for (i = 0; i < m->nparts && n < max; i++) {
		if (strcmp(m->parts[i].type, "message/rfc822") != 0 &&
		    strcmp(m->parts[i].type, "text/rfc822-headers") != 0)
			continue;
		/* libetpan reads the returned headers as a message */
		if (mime_parse(m->parts[i].data, m->parts[i].len, &lim,
		    &orig) == -1)
			continue;
		if (orig.message_id != NULL)
			ids[n++] = xstrdup(orig.message_id);
		msg_clear(&orig);
	}
	return n;
}
