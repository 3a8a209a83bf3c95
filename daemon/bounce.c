/*
 * bounce.c: tells bounces and delivery status notifications apart from
 * other mail and reads who failed, how (permanent, temporary, success)
 * and why. RFC 3464 DSNs first, then X-Failed-Recipients (Exim), qmail
 * and the wording of the common non-standard bounces. Pure: works on a
 * parsed struct msg, does no I/O; the struct bounce owns its strings.
 */
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bounce.h"
#include "mime.h"
#include "util.h"

#define BOUNCE_MAX_RCPTS	64
#define BOUNCE_MAX_LINE		4096

/* One per-recipient block of a DSN (RFC 3464 2.3). */
struct bounce_dsn_rcpt {
	char			*addr;		/* Final-Recipient */
	char			*orig;		/* Original-Recipient */
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
};

static void	 bounce_add(struct bounce_scan *, const char *, size_t);
static bool	 bounce_is_excluded(const struct bounce_scan *, const char *);
static void	 bounce_excl_init(struct bounce_scan *);
static void	 bounce_excl_clear(struct bounce_scan *);
static void	 bounce_scan_addrs(struct bounce_scan *, const char *);
static void	 bounce_dsn(struct bounce_dsn_rcpt *, size_t *, const char *,
		    size_t);
static void	 bounce_dsn_field(struct bounce_dsn_rcpt *, const char *,
		    char *);
static void	 bounce_dsn_end(struct bounce_dsn_rcpt *, size_t *);
static void	 bounce_dsn_pick(struct bounce_scan *,
		    struct bounce_dsn_rcpt *, size_t);
static char	*bounce_human_dup(const char *);
static bool	 bounce_is_cut(const char *);
static bool	 bounce_is_odd_final(const char *);
static bool	 bounce_is_trigger(const char *);
static bool	 bounce_is_rcpt_line(const char *);
static void	 bounce_text(struct bounce_scan *, const char *);
static void	 bounce_qmail(struct bounce_scan *, const char *);
static void	 bounce_aol(struct bounce_scan *, const char *);
static enum bounce_kind bounce_text_kind(const char *, char *, size_t);
static bool	 bounce_has_signal(const struct msg *);
static bool	 bounce_is_dmarc(const char *);
static bool	 bounce_icontains(const char *, const char *);
static bool	 bounce_is_local_char(int);
static bool	 bounce_is_domain_char(int);

/* Lines after which the returned message begins: not ours to read. */
static const char *const bounce_cuts[] = {
	"copy of the message",
	"copy of your message",
	"original message follows",
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

static const char *const bounce_temp_words[] = {
	"delay", "will retry", "will be retried", "temporar",
	"still trying", "will keep trying", "warning message only",
	"not yet been delivered", "no action is required",
	"retry timeout", "is being retried", "will try again",
};

static const char *const bounce_dmarc_words[] = {
	"dmarc", "dkim", "5.7.26", "spf ", "spf:", "spf)", "spf-",
	"sender policy framework", "unauthenticated email",
};

int
bounce_parse(const struct msg *m, struct bounce *b)
{
	struct bounce_scan	 s;
	struct bounce_dsn_rcpt	 r[BOUNCE_MAX_RCPTS];
	const char		*xf;
	char			*human = NULL;
	size_t			 i, n = 0;
	int			 rc = -1, dsn = -1;

	memset(b, 0, sizeof(*b));
	memset(&s, 0, sizeof(s));
	s.m = m;
	s.b = b;
	bounce_excl_init(&s);

	memset(r, 0, sizeof(r));
	for (i = 0; i < m->nparts; i++)
		if (strcmp(m->parts[i].type, "message/delivery-status") == 0 ||
		    strcmp(m->parts[i].type,
		    "message/global-delivery-status") == 0)
			bounce_dsn(r, &n, m->parts[i].data, m->parts[i].len);
	bounce_dsn_pick(&s, r, n);
	if (b->nrcpts > 0)
		dsn = 0;

	human = bounce_human_dup(m->text != NULL ? m->text : "");
	if (dsn == -1 && (xf = mime_header(m, "X-Failed-Recipients")) != NULL)
		bounce_scan_addrs(&s, xf);
	if (dsn == -1 && b->nrcpts == 0)
		bounce_qmail(&s, m->text != NULL ? m->text : "");
	if (dsn == -1 && b->nrcpts == 0)
		bounce_text(&s, human);
	if (dsn == -1 && b->nrcpts == 0)
		bounce_aol(&s, human);

	if (dsn == -1) {
		/* a DSN that named no usable recipient: read the text */
		b->kind = BOUNCE_NONE;
		b->status[0] = '\0';
		free(b->diagnostic);
		b->diagnostic = NULL;
	}
	if (dsn == -1 && b->nrcpts == 0 && !bounce_has_signal(m))
		goto out;
	if (dsn == -1)
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

/* The bounce goes to the original sender: that address never failed. */
static void
bounce_excl_init(struct bounce_scan *s)
{
	const char	*v;
	const char	*names[] = { "To", "From", "Return-Path" };
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
	    strncmp(a, "postmaster@", 11) == 0 ||
	    strncmp(a, "mailer_daemon@", 14) == 0 ||
	    strcmp(a, "mailer-daemon") == 0 || strcmp(a, "postmaster") == 0)
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

/* Adds every local@domain found in the string. */
static void
bounce_scan_addrs(struct bounce_scan *s, const char *str)
{
	const char	*at, *l, *r;

	for (at = strchr(str, '@'); at != NULL; at = strchr(at + 1, '@')) {
		for (l = at; l > str && bounce_is_local_char(
		    (unsigned char)l[-1]); l--)
			;
		for (r = at + 1; bounce_is_domain_char((unsigned char)*r); r++)
			;
		while (r > at + 1 && r[-1] == '.')
			r--;
		while (l < at && *l == '.')
			l++;
		if (l == at || r == at + 1 || memchr(at + 1, '.',
		    (size_t)(r - at - 1)) == NULL)
			continue;
		bounce_add(s, l, (size_t)(r - l));
	}
}

static bool
bounce_icontains(const char *hay, const char *needle)
{
	return hay != NULL && strcasestr(hay, needle) != NULL;
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
	v = util_trim(v);
	if (strcasecmp(name, "Final-Recipient") == 0) {
		free(r->addr);
		r->addr = xstrdup(bounce_dsn_addr(v));
	} else if (strcasecmp(name, "Original-Recipient") == 0) {
		free(r->orig);
		r->orig = xstrdup(bounce_dsn_addr(v));
	} else if (strcasecmp(name, "Action") == 0) {
		if (strncasecmp(v, "deliver", 7) == 0 ||
		    strncasecmp(v, "relayed", 7) == 0 ||
		    strncasecmp(v, "expanded", 8) == 0)
			r->kind = BOUNCE_SUCCESS;
		else if (strncasecmp(v, "delayed", 7) == 0)
			r->kind = BOUNCE_TEMPORARY;
		else
			r->kind = BOUNCE_PERMANENT;
	} else if (strcasecmp(name, "Status") == 0) {
		snprintf(r->status, sizeof(r->status), "%.*s",
		    (int)strspn(v, "0123456789."), v);
	} else if (strcasecmp(name, "Diagnostic-Code") == 0 && r->diag == NULL)
		r->diag = xstrdup(bounce_dsn_addr(v));
}

static bool
bounce_is_odd_final(const char *a)
{
	const char	*at;

	if (a == NULL || strchr(a, '/') != NULL)
		return true;
	if (*a == '@' || (at = strrchr(a, '@')) == NULL)
		return false;
	return strchr(at, '.') == NULL;
}

/* Ends a block: keeps it when it named a recipient. */
static void
bounce_dsn_end(struct bounce_dsn_rcpt *r, size_t *n)
{
	struct bounce_dsn_rcpt	*cur = &r[*n];

	/*
	 * RFC 3464 2.3.2: Final-Recipient is what the reporting MTA saw;
	 * when that is no mailbox (X.400 "/s=…/", a host-local name) the
	 * Original-Recipient is the address the sender gave. A source
	 * route or a bare local part is reported as it came.
	 */
	if (cur->orig != NULL && util_is_addr(cur->orig) &&
	    bounce_is_odd_final(cur->addr)) {
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

static bool
bounce_is_cut(const char *line)
{
	size_t	i;

	if (strncasecmp(line, "Received:", 9) == 0 ||
	    strncasecmp(line, "Return-Path:", 12) == 0 ||
	    strncasecmp(line, "DKIM-Signature:", 15) == 0)
		return true;
	for (i = 0; i < nitems(bounce_cuts); i++)
		if (bounce_icontains(line, bounce_cuts[i]))
			return true;
	return false;
}

/* The bounce's own words: the text up to where the returned copy starts. */
static char *
bounce_human_dup(const char *text)
{
	struct buf	 out;
	const char	*p, *nl;
	char		 line[BOUNCE_MAX_LINE];
	size_t		 n;

	buf_init(&out);
	for (p = text; *p != '\0'; p = nl + 1) {
		if ((nl = strchr(p, '\n')) == NULL)
			nl = p + strlen(p);
		n = (size_t)(nl - p);
		if (n >= sizeof(line))
			n = sizeof(line) - 1;
		memcpy(line, p, n);
		line[n] = '\0';
		if (bounce_is_cut(line))
			break;
		buf_adds(&out, line);
		buf_addc(&out, '\n');
		if (*nl == '\0')
			break;
	}
	return buf_release(&out);
}

static bool
bounce_is_trigger(const char *line)
{
	size_t	i;

	for (i = 0; i < nitems(bounce_triggers); i++)
		if (bounce_icontains(line, bounce_triggers[i]))
			return true;
	return false;
}

static bool
bounce_is_rcpt_line(const char *line)
{
	const char	*t = line;
	size_t		 i;

	while (isspace((unsigned char)*t))
		t++;
	if (bounce_icontains(line, "mail from") ||
	    bounce_icontains(line, "received at") ||
	    strncasecmp(t, "from:", 5) == 0 ||
	    strncasecmp(t, "sender:", 7) == 0 ||
	    strncasecmp(t, "reply-to:", 9) == 0)
		return false;
	if (*t == '<' || strncasecmp(t, "to:", 3) == 0 ||
	    strncasecmp(t, "rcpt to", 7) == 0 ||
	    strncasecmp(t, "recipient:", 10) == 0)
		return true;
	for (i = 0; i < nitems(bounce_rcpt_words); i++)
		if (bounce_icontains(line, bounce_rcpt_words[i]))
			return true;
	return false;
}

/*
 * The common plain-text bounces: addresses on lines that say why they
 * failed, or in the block after a line announcing failed recipients.
 */
static void
bounce_text(struct bounce_scan *s, const char *human)
{
	char		*copy, *p, *line;
	int		 after = 0;

	copy = xstrdup(human);
	p = copy;
	while (p != NULL) {
		line = strsep(&p, "\n");
		if (util_trim(line)[0] == '\0') {
			if (after > 0)
				after--;
			continue;
		}
		if (strchr(line, '@') != NULL &&
		    (after > 0 || bounce_is_rcpt_line(line)))
			bounce_scan_addrs(s, line);
		if (bounce_is_trigger(line))
			after = 2;
	}
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

/* AOL names only the screen name: "screenname" ... → screenname@aol.com. */
static void
bounce_aol(struct bounce_scan *s, const char *human)
{
	const char	*p, *e;
	char		*a;

	if (!bounce_icontains(human, "aol") ||
	    (p = strcasestr(human, "screen name")) == NULL)
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

/* Permanent unless the codes say 4xx or the wording says it will retry. */
static enum bounce_kind
bounce_text_kind(const char *h, char *status, size_t statussz)
{
	const char	*p;
	bool		 perm = false, temp = false, tempword = false;
	size_t		 i;

	for (i = 0; i < nitems(bounce_temp_words); i++)
		if (bounce_icontains(h, bounce_temp_words[i]))
			tempword = true;
	for (p = h; *p != '\0'; p++) {
		if ((p != h && isalnum((unsigned char)p[-1])) ||
		    (*p != '4' && *p != '5'))
			continue;
		if (p[1] == '.' && isdigit((unsigned char)p[2])) {
			i = strspn(p, "0123456789.");
			if (status[0] == '\0' && i < statussz)
				snprintf(status, statussz, "%.*s", (int)i, p);
		} else if (!(isdigit((unsigned char)p[1]) &&
		    isdigit((unsigned char)p[2]) &&
		    (p[3] == ' ' || p[3] == '-')))
			continue;
		if (*p == '5')
			perm = true;
		else
			temp = true;
	}
	if (tempword && !perm)
		return BOUNCE_TEMPORARY;
	if (temp && !perm)
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
	    bounce_icontains(subj, "delivery failure") ||
	    bounce_icontains(subj, "failure notice");
}

static bool
bounce_is_dmarc(const char *s)
{
	size_t	i;

	if (s == NULL)
		return false;
	for (i = 0; i < nitems(bounce_dmarc_words); i++)
		if (bounce_icontains(s, bounce_dmarc_words[i]))
			return true;
	return false;
}
