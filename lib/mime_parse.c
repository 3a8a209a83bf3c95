/*
 * mime_parse.c: an incoming message into a struct msg, with libetpan
 * (IMF fields, MIME tree, RFC 2047 phrases). main.c calls mime_parse()
 * on every fetched message; handlers only read struct msg. Takes
 * (buf, len), does no I/O, never calls fatal(), and owns nothing
 * beyond each call.
 *
 * libetpan memory rules relied on here (who frees what):
 * - mailmime_parse() returns a tree freed with mailmime_free(). The tree
 *   points into the buffer it parsed (mm_mime_start, dt_data), so that
 *   buffer must outlive the tree. mailmime_free() recurses, as does the
 *   parser: mime_parse_len() bounds the depth before parsing.
 * - mailimf_optional_fields_parse(), mailimf_address_list_parse(),
 *   mailimf_mailbox_list_parse(), mailimf_date_time_parse() return
 *   objects freed with their *_free(); mailimf_msg_id_parse() and
 *   mailmime_encoded_phrase_parse() return malloc'ed strings: free().
 *   On error they leave *result untouched and allocate nothing.
 * - mailmime_part_parse() returns an MMAPString buffer: free it with
 *   mailmime_decoded_part_free(), never free().
 * - mailmime_single_fields_init() only borrows pointers into the tree.
 */
#include <sys/types.h>

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <libetpan/mailimf.h>
#include <libetpan/mailmime.h>
#include <libetpan/mmapstring.h>

#include "log.h"
#include "mime.h"
#include "mime_int.h"
#include "util.h"

/* Comment nesting kept per logical line; libetpan recurses on each '('. */
#define MIME_MAX_COMMENT_DEPTH	64

/* All header fields of the message, before the max_headers cap. */
struct mime_hdrlist {
	struct mime_header	*v;
	size_t			 n;
	size_t			 cap;
};

/* State of the walk over the MIME tree. */
struct mime_walk {
	const struct mime_limits *lim;
	struct msg		*m;
	size_t			 nvisited;
	size_t			 partcap;
	bool			 have_text;
	struct mailmime		*html;	/* first inline text/html, borrowed */
};

/* A parameter seen in Content-Type or Content-Disposition. */
struct mime_param {
	const char	*name;
	const char	*value;
};

static char	*mime_text_cap(char *, size_t, bool *);
static char	*mime_unflow_dup(const char *, bool);
static void	 mime_canon(const char *, size_t, struct buf *);
static size_t	 mime_line_end(const char *, size_t, size_t);
static bool	 mime_is_field_at(const char *, size_t, size_t);
static char	*mime_unfold_dup(const char *, size_t, bool *);
static void	 mime_fields_take(struct mime_hdrlist *, struct mailimf_fields *,
		    const struct mime_limits *, bool *);
static size_t	 mime_header_block(const char *, size_t, struct buf *,
		    struct mime_hdrlist *, const struct mime_limits *, bool *);
static const char *mime_hl_get(const struct mime_hdrlist *, const char *);
static void	 mime_hl_clear(struct mime_hdrlist *);
static struct mailimf_mailbox *mime_first_mailbox(
		    struct mailimf_address_list *);
static int	 mime_addr_parse(const char *, char **, char **);
static char	*mime_return_path_dup(const char *);
static char	*mime_msgid_dup(const char *);
static time_t	 mime_date_parse(const char *);
static void	 mime_envelope(struct msg *, const struct mime_hdrlist *);
static size_t	 mime_parse_len(const struct buf *, size_t,
		    const struct mime_limits *, bool *);
static void	 mime_boundaries(struct mailmime *, size_t,
		    const struct mime_limits *, char **, size_t *, size_t);
static bool	 mime_is_delim(const char *, size_t, const char *);
static bool	 mime_repair(const char *, size_t, char **, size_t,
		    struct buf *);
static struct mailmime *mime_parse_tree(struct buf *, size_t *,
		    const struct mime_limits *);
static char	*mime_param_get(struct mailmime_content *, const char *);
static void	 mime_decode(struct mailmime *, char **, size_t *);
static size_t	 mime_params_collect(struct mailmime_single_fields *,
		    struct mime_param *, size_t);
static char	*mime_rfc2231_dup(const struct mime_param *, size_t,
		    const char *);
static char	*mime_filename_dup(struct mailmime_single_fields *);
static bool	 mime_is_attachment(struct mailmime_single_fields *);
static char	*mime_part_text_dup(struct mailmime *,
		    struct mailmime_single_fields *, bool);
static bool	 mime_set_text(struct mime_walk *, struct mailmime *,
		    struct mailmime_single_fields *, bool);
static void	 mime_add_part(struct mime_walk *, struct mailmime *,
		    struct mailmime_single_fields *, char *);
static void	 mime_leaf(struct mime_walk *, struct mailmime *);
static void	 mime_walk(struct mime_walk *, struct mailmime *, size_t);
static void	 mime_body(struct msg *, struct mailmime *,
		    const struct mime_limits *);
static void	 mime_hdrs_keep(struct msg *, struct mime_hdrlist *,
		    const struct mime_limits *);

void
mime_limits_default(struct mime_limits *l)
{
	l->max_message = 10 * 1024 * 1024;
	l->max_header = 16 * 1024;
	l->max_headers = 256;
	l->max_text = 512 * 1024;
	l->max_parts = 128;
	l->max_depth = 20;
}

/*
 * Body text
 */

/* Cuts s to at most max bytes on a UTF-8 boundary. */
static char *
mime_text_cap(char *s, size_t max, bool *truncated)
{
	size_t	 n = strlen(s);

	if (n <= max)
		return s;
	while (max > 0 && ((unsigned char)s[max] & 0xc0) == 0x80)
		max--;
	s[max] = '\0';
	*truncated = true;
	return s;
}

/*
 * RFC 3676 4.2: a line ending in a space is joined to the next one at
 * the same quote depth, except the signature separator "-- ". With
 * DelSp=yes that space is removed. Space-stuffing is undone.
 */
static char *
mime_unflow_dup(const char *s, bool delsp)
{
	struct buf	 b;
	const char	*p = s, *e;
	size_t		 depth, prev = 0, len;
	bool		 soft = false;

	buf_init(&b);
	while (*p != '\0') {
		if ((e = strchr(p, '\n')) == NULL)
			e = p + strlen(p);
		for (depth = 0; p + depth < e && p[depth] == '>'; depth++)
			;
		if (soft && depth != prev)
			buf_addc(&b, '\n');
		if (!soft || depth != prev) {
			for (len = 0; len < depth; len++)
				buf_addc(&b, '>');
			if (depth > 0)
				buf_addc(&b, ' ');
		}
		p += depth;
		if (p < e && *p == ' ')
			p++;
		len = (size_t)(e - p);
		soft = len > 0 && p[len - 1] == ' ' &&
		    !(len == 3 && strncmp(p, "-- ", 3) == 0);
		buf_add(&b, p, soft && delsp ? len - 1 : len);
		if (!soft && *e != '\0')
			buf_addc(&b, '\n');
		prev = depth;
		p = *e != '\0' ? e + 1 : e;
	}
	return buf_release(&b);
}

/*
 * Canonical form and header fields
 */

/*
 * Copies the message with CRLF line ends (libetpan reads CRLF and LF,
 * not CR alone) and with two inputs that break libetpan 1.9.4 made
 * harmless, within one logical line (a field and its continuations):
 * - '(' nested deeper than MIME_MAX_COMMENT_DEPTH becomes '[': comments
 *   are parsed recursively and ~300000 '(' overflow the stack;
 * - boundary="\"" becomes boundary="\\": mailmime_extract_boundary()
 *   copies strlen - 2 bytes of a value that starts with '"', which for
 *   that one-byte value is SIZE_MAX (a crash).
 */
static void
mime_canon(const char *s, size_t n, struct buf *b)
{
	size_t	 i, depth = 0;
	bool	 bol = false, bnd = false;

	for (i = 0; i < n; i++) {
		if (bol && s[i] != ' ' && s[i] != '\t')
			depth = 0, bnd = false;
		bol = false;
		if (i >= 7 && strncasecmp(s + i - 7, "boundary", 8) == 0)
			bnd = true;
		if (s[i] == '\r' || s[i] == '\n') {
			if (s[i] == '\r' && i + 1 < n && s[i + 1] == '\n')
				i++;
			buf_add(b, "\r\n", 2);
			bol = true;
		} else if (s[i] == '(' && ++depth > MIME_MAX_COMMENT_DEPTH)
			buf_addc(b, '[');
		else if (bnd && s[i] == '"' && n - i >= 4 &&
		    memcmp(s + i, "\"\\\"\"", 4) == 0) {
			buf_add(b, "\"\\\\\"", 4);
			i += 3;
		} else {
			if (s[i] == ')' && depth > 0)
				depth--;
			buf_addc(b, s[i]);
		}
	}
	/* libetpan reads a field only up to its line end. */
	if (n > 0 && s[n - 1] != '\r' && s[n - 1] != '\n')
		buf_add(b, "\r\n", 2);
}

/* Index just after the CRLF that ends the line at i, or n. */
static size_t
mime_line_end(const char *s, size_t n, size_t i)
{
	const char	*p;

	if ((p = memchr(s + i, '\n', n - i)) == NULL)
		return n;
	return (size_t)(p - s) + 1;
}

/* Does a header field start at i? */
static bool
mime_is_field_at(const char *s, size_t n, size_t i)
{
	struct mailimf_fields	*f = NULL;
	size_t			 idx = i;
	bool			 yes = false;

	if (mailimf_optional_fields_parse(s, n, &idx, &f) == MAILIMF_NO_ERROR) {
		yes = clist_count(f->fld_list) > 0;
		mailimf_fields_free(f);
	}
	return yes;
}

/* Unfolds (RFC 5322 2.2.3) and caps a raw header value. */
static char *
mime_unfold_dup(const char *s, size_t max, bool *truncated)
{
	struct buf	 b;
	size_t		 i, back;

	buf_init(&b);
	for (i = 0; s[i] != '\0'; i++)
		if (s[i] != '\r' && s[i] != '\n')
			buf_addc(&b, s[i]);
	if (b.len > max) {
		/* Stay on a UTF-8 boundary when the value is UTF-8. */
		for (back = 0; back < 3 && max > back &&
		    ((unsigned char)b.data[max - back] & 0xc0) == 0x80; back++)
			;
		if (back < 3)
			max -= back;
		b.data[max] = '\0';
		b.len = max;
		*truncated = true;
	}
	while (b.len > 0 && isspace((unsigned char)b.data[b.len - 1]))
		b.data[--b.len] = '\0';
	return buf_release(&b);
}

static void
mime_fields_take(struct mime_hdrlist *hl, struct mailimf_fields *f,
    const struct mime_limits *lim, bool *truncated)
{
	clistiter			*it;
	struct mailimf_field		*fld;
	struct mailimf_optional_field	*of;

	for (it = clist_begin(f->fld_list); it != NULL; it = clist_next(it)) {
		fld = clist_content(it);
		if (fld->fld_type != MAILIMF_FIELD_OPTIONAL_FIELD)
			continue;
		of = fld->fld_data.fld_optional_field;
		if (hl->n == hl->cap) {
			hl->cap = hl->cap ? hl->cap * 2 : 32;
			hl->v = xrealloc(hl->v, hl->cap * sizeof(*hl->v));
		}
		hl->v[hl->n].name = xstrdup(of->fld_name);
		hl->v[hl->n].value = mime_unfold_dup(of->fld_value,
		    lim->max_header, truncated);
		hl->n++;
	}
}

/*
 * Reads the header fields of the canonical message a with libetpan into
 * hl and copies the message to out without the lines it cannot read (an
 * mbox "From " line, a line with no colon) when a field follows them;
 * otherwise such a line starts the body. Returns where the body starts
 * in out (at the blank line, if any).
 */
static size_t
mime_header_block(const char *a, size_t n, struct buf *out,
    struct mime_hdrlist *hl, const struct mime_limits *lim, bool *truncated)
{
	struct mailimf_fields	*f;
	size_t			 idx = 0, start, eol, body;

	/* Blank lines before the first field, as some tools save files. */
	for (eol = 0; eol < n; eol = mime_line_end(a, n, eol)) {
		while (eol < n && (a[eol] == ' ' || a[eol] == '\t'))
			eol++;
		if (eol >= n || a[eol] != '\r')
			break;
	}
	if (eol > 0 && eol < n && a[eol - 1] == '\n' &&
	    mime_is_field_at(a, n, eol))
		idx = eol;
	for (;;) {
		start = idx;
		f = NULL;
		if (mailimf_optional_fields_parse(a, n, &idx, &f) ==
		    MAILIMF_NO_ERROR) {
			mime_fields_take(hl, f, lim, truncated);
			mailimf_fields_free(f);
		} else
			idx = start;
		buf_add(out, a + start, idx - start);
		if (idx >= n || a[idx] == '\r')
			break;		/* end of input or the blank line */
		eol = mime_line_end(a, n, idx);
		if (eol >= n || !mime_is_field_at(a, n, eol))
			break;
		log_debug("mime: skipping a malformed header line");
		idx = eol;
	}
	body = out->len;
	buf_add(out, a + idx, n - idx);
	return body;
}

static const char *
mime_hl_get(const struct mime_hdrlist *hl, const char *name)
{
	size_t	 i;

	for (i = 0; i < hl->n; i++)
		if (strcasecmp(hl->v[i].name, name) == 0)
			return hl->v[i].value;
	return NULL;
}

static void
mime_hl_clear(struct mime_hdrlist *hl)
{
	size_t	 i;

	for (i = 0; i < hl->n; i++) {
		free(hl->v[i].name);
		free(hl->v[i].value);
	}
	free(hl->v);
	memset(hl, 0, sizeof(*hl));
}

static struct mailimf_mailbox *
mime_first_mailbox(struct mailimf_address_list *al)
{
	clistiter		*it;
	struct mailimf_address	*a;
	struct mailimf_group	*g;

	for (it = clist_begin(al->ad_list); it != NULL; it = clist_next(it)) {
		a = clist_content(it);
		if (a->ad_type == MAILIMF_ADDRESS_MAILBOX)
			return a->ad_data.ad_mailbox;
		g = a->ad_data.ad_group;
		if (g != NULL && g->grp_mb_list != NULL &&
		    clist_begin(g->grp_mb_list->mb_list) != NULL)
			return clist_content(clist_begin(
			    g->grp_mb_list->mb_list));
	}
	return NULL;
}

/*
 * Envelope: addresses, ids, date
 */

/*
 * The first mailbox of an address list: its lower-case address and, if
 * name is not NULL, its decoded display name (NULL if none).
 */
static int
mime_addr_parse(const char *v, char **addr, char **name)
{
	struct mailimf_address_list	*al = NULL;
	struct mailimf_mailbox_list	*ml = NULL;
	struct mailimf_mailbox		*mb = NULL;
	size_t				 idx = 0;
	int				 rc = -1;

	*addr = NULL;
	if (name != NULL)
		*name = NULL;
	if (mailimf_address_list_parse(v, strlen(v), &idx, &al) ==
	    MAILIMF_NO_ERROR)
		mb = mime_first_mailbox(al);	/* NULL for an empty group */
	else {
		idx = 0;
		if (mailimf_mailbox_list_parse(v, strlen(v), &idx, &ml) ==
		    MAILIMF_NO_ERROR && clist_begin(ml->mb_list) != NULL)
			mb = clist_content(clist_begin(ml->mb_list));
	}
	if (mb == NULL || mb->mb_addr_spec == NULL)
		goto out;
	*addr = util_addr_norm_dup(mb->mb_addr_spec);
	if (name != NULL && mb->mb_display_name != NULL) {
		*name = mime_decode_header_dup(mb->mb_display_name);
		if (**name == '\0') {
			free(*name);
			*name = NULL;
		}
	}
	rc = 0;
out:
	if (al != NULL)
		mailimf_address_list_free(al);
	if (ml != NULL)
		mailimf_mailbox_list_free(ml);
	return rc;
}

/* RFC 5321 4.4: Return-Path: <> is the null reverse-path. */
static char *
mime_return_path_dup(const char *v)
{
	char	*addr, *s, *p;
	size_t	 n;

	s = xstrdup(v);
	for (p = s, n = 0; *p != '\0'; p++)
		if (!isspace((unsigned char)*p))
			s[n++] = *p;
	s[n] = '\0';
	if (strcmp(s, "<>") == 0 || n == 0) {
		*s = '\0';
		return s;
	}
	if (mime_addr_parse(v, &addr, NULL) == 0) {
		free(s);
		return addr;
	}
	if (s[0] == '<' && s[n - 1] == '>') {
		s[n - 1] = '\0';
		memmove(s, s + 1, n - 1);
	}
	addr = util_addr_norm_dup(s);
	free(s);
	return addr;
}

static char *
mime_msgid_dup(const char *v)
{
	char	*id = NULL, *s;
	size_t	 idx = 0, n;

	if (mailimf_msg_id_parse(v, strlen(v), &idx, &id) == MAILIMF_NO_ERROR)
		return id;
	s = util_trim(xstrdup(v));
	n = strlen(s);
	if (n >= 2 && s[0] == '<' && s[n - 1] == '>') {
		s[n - 1] = '\0';
		memmove(s, s + 1, n - 1);
	}
	if (*s == '\0') {
		free(s);
		s = NULL;
	}
	return s;
}

/* Date: header to UTC, honouring the zone (RFC 5322 3.3); 0 if bad. */
static time_t
mime_date_parse(const char *v)
{
	struct mailimf_date_time	*dt = NULL;
	size_t				 idx = 0;
	long long			 y, m, d, days, secs, zone;
	time_t				 t = 0;

	if (mailimf_date_time_parse(v, strlen(v), &idx, &dt) !=
	    MAILIMF_NO_ERROR)
		return 0;
	y = dt->dt_year;
	m = dt->dt_month;
	d = dt->dt_day;
	/* RFC 5322 4.3: two- and three-digit years. */
	if (y < 50)
		y += 2000;
	else if (y < 1000)
		y += 1900;
	if (y < 1970 || y > 9999 || m < 1 || m > 12 || d < 1 || d > 31 ||
	    dt->dt_hour < 0 || dt->dt_hour > 23 || dt->dt_min < 0 ||
	    dt->dt_min > 59 || dt->dt_sec < 0 || dt->dt_sec > 60 ||
	    dt->dt_zone < -9959 || dt->dt_zone > 9959)
		goto out;
	/* Days since 1970-01-01 in the proleptic Gregorian calendar. */
	y -= m <= 2;
	days = 365 * y + y / 4 - y / 100 + y / 400 +
	    (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1 - 719468;
	zone = dt->dt_zone < 0 ? -dt->dt_zone : dt->dt_zone;
	zone = (zone / 100) * 3600 + (zone % 100) * 60;
	if (dt->dt_zone < 0)
		zone = -zone;
	secs = days * 86400 + dt->dt_hour * 3600 + dt->dt_min * 60 +
	    dt->dt_sec - zone;
	t = secs > 0 ? (time_t)secs : 0;
out:
	mailimf_date_time_free(dt);
	return t;
}

static void
mime_envelope(struct msg *m, const struct mime_hdrlist *hl)
{
	const char	*v;

	if ((v = mime_hl_get(hl, "From")) != NULL)
		mime_addr_parse(v, &m->from_addr, &m->from_name);
	if ((v = mime_hl_get(hl, "Reply-To")) != NULL)
		mime_addr_parse(v, &m->reply_to, NULL);
	if ((v = mime_hl_get(hl, "Sender")) != NULL)
		mime_addr_parse(v, &m->sender_addr, NULL);
	if ((v = mime_hl_get(hl, "Return-Path")) != NULL)
		m->return_path = mime_return_path_dup(v);
	if ((v = mime_hl_get(hl, "Message-ID")) != NULL)
		m->message_id = mime_msgid_dup(v);
	if ((v = mime_hl_get(hl, "Date")) != NULL)
		m->date = mime_date_parse(v);
	v = mime_hl_get(hl, "Subject");
	m->subject = mime_decode_header_dup(v != NULL ? v : "");
	if ((v = mime_hl_get(hl, "In-Reply-To")) != NULL)
		m->in_reply_to = xstrdup(v);
	if ((v = mime_hl_get(hl, "References")) != NULL)
		m->references = xstrdup(v);
	if ((v = mime_hl_get(hl, "Content-Language")) != NULL)
		m->content_language = xstrdup(v);
}

/*
 * The MIME tree
 */

/*
 * libetpan recurses once per multipart (which needs a boundary=) and per
 * message/rfc822 level, and rescans each level's body: nesting costs
 * stack and quadratic time. It also builds every part, a few bytes
 * each, however many there are. So past max_parts + max_depth such
 * keywords, or 8 * max_parts + 1024 lines starting with "--" (every
 * delimiter does), parse only the text before them.
 */
static size_t
mime_parse_len(const struct buf *b, size_t body, const struct mime_limits *lim,
    bool *truncated)
{
	const char	*d = b->data;
	size_t		 i, nkey = 0, ndash = 0;

	for (i = body; i < b->len; i++) {
		if ((d[i] | 0x20) == 'b' && i + 8 <= b->len &&
		    strncasecmp(d + i, "boundary", 8) == 0)
			nkey++;
		else if ((d[i] | 0x20) == 'r' && i + 6 <= b->len &&
		    strncasecmp(d + i, "rfc822", 6) == 0)
			nkey++;
		else if (d[i] == '-' && i + 1 < b->len && d[i + 1] == '-' &&
		    (i == body || d[i - 1] == '\n'))
			ndash++;
		else
			continue;
		if (nkey > lim->max_parts + lim->max_depth ||
		    ndash > 8 * lim->max_parts + 1024) {
			while (i > body && d[i - 1] != '\n')
				i--;
			log_debug("mime: too many parts or levels, parsing "
			    "%zu of %zu bytes", i, b->len);
			*truncated = true;
			return i;
		}
	}
	return b->len;
}

/*
 * libetpan mishandles an empty part, that is a delimiter line directly
 * followed by another one, or by the end of a truncated message: it
 * drops every part of that multipart, or reads the next delimiter as
 * the part's text. The boundaries of the multiparts found are
 * collected, a blank part is put after each such delimiter, and the
 * message is parsed again.
 */
static void
mime_boundaries(struct mailmime *mm, size_t depth,
    const struct mime_limits *lim, char **v, size_t *n, size_t max)
{
	clistiter	*it;
	char		*b;

	if (mm->mm_type != MAILMIME_MULTIPLE || depth > lim->max_depth ||
	    *n >= max)
		return;
	b = mailmime_extract_boundary(mm->mm_content_type);
	if (b != NULL && *b != '\0')
		v[(*n)++] = b;
	else
		free(b);
	for (it = clist_begin(mm->mm_data.mm_multipart.mm_mp_list);
	    it != NULL; it = clist_next(it))
		mime_boundaries(clist_content(it), depth + 1, lim, v, n, max);
}

/* Is the line at s (n bytes, no CRLF) the delimiter "--b" (RFC 2046 5.1.1)? */
static bool
mime_is_delim(const char *s, size_t n, const char *b)
{
	size_t	 k = strlen(b), i;

	if (n < k + 2 || s[0] != '-' || s[1] != '-' ||
	    memcmp(s + 2, b, k) != 0)
		return false;
	for (i = k + 2; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t')
			return false;
	return true;
}

/* Copies a[0..n) to out with blank parts added; false if none was. */
static bool
mime_repair(const char *a, size_t n, char **bnd, size_t nb, struct buf *out)
{
	size_t	 i = 0, le, next, k, j;
	bool	 changed = false, empty;

	while (i < n) {
		next = mime_line_end(a, n, i);
		le = next;
		while (le > i && (a[le - 1] == '\n' || a[le - 1] == '\r'))
			le--;
		buf_add(out, a + i, next - i);
		for (k = 0; k < nb; k++) {
			if (!mime_is_delim(a + i, le - i, bnd[k]))
				continue;
			for (j = next, empty = true; j < n && empty; j++)
				empty = isspace((unsigned char)a[j]) != 0;
			if (empty || (n - next >= strlen(bnd[k]) + 2 &&
			    a[next] == '-' && a[next + 1] == '-' &&
			    memcmp(a + next + 2, bnd[k], strlen(bnd[k])) == 0)) {
				/* Not blank lines: libetpan skips those. */
				if (next == le)
					buf_add(out, "\r\n", 2);
				buf_adds(out, "Content-Type: text/plain\r\n\r\n");
				changed = true;
			}
			break;
		}
		i = next;
	}
	return changed;
}

/* Parses canon[0..*plen) with libetpan, repairing empty parts. */
static struct mailmime *
mime_parse_tree(struct buf *canon, size_t *plen, const struct mime_limits *lim)
{
	struct mailmime	*top = NULL;
	struct buf	 fixed;
	char		*bnd[8];
	size_t		 idx, nb, i, round;
	bool		 changed;

	for (round = 0; round < 3; round++) {
		idx = 0;
		if (mailmime_parse(canon->data, *plen, &idx, &top) !=
		    MAILIMF_NO_ERROR) {
			log_debug("mime: libetpan cannot parse the body");
			return NULL;
		}
		nb = 0;
		if (top->mm_type == MAILMIME_MESSAGE &&
		    top->mm_data.mm_message.mm_msg_mime != NULL)
			mime_boundaries(top->mm_data.mm_message.mm_msg_mime,
			    1, lim, bnd, &nb, nitems(bnd));
		if (nb == 0)
			break;
		buf_init(&fixed);
		changed = mime_repair(canon->data, *plen, bnd, nb, &fixed);
		for (i = 0; i < nb; i++)
			free(bnd[i]);
		if (!changed) {
			buf_clear(&fixed);
			break;
		}
		log_debug("mime: repairing empty MIME parts");
		/* The tree points into canon: free it before canon. */
		mailmime_free(top);
		top = NULL;
		buf_clear(canon);
		*canon = fixed;
		*plen = canon->len;
	}
	return top;
}

/* Lower-case "type/subtype"; text/plain when there is no Content-Type. */
char *
mime_type_dup(const struct mailmime_content *ct)
{
	const char	*type = "application", *sub;
	char		*s, *p;

	if (ct == NULL || ct->ct_type == NULL)
		return xstrdup("text/plain");
	if (ct->ct_type->tp_type == MAILMIME_TYPE_DISCRETE_TYPE) {
		switch (ct->ct_type->tp_data.tp_discrete_type->dt_type) {
		case MAILMIME_DISCRETE_TYPE_TEXT:
			type = "text";
			break;
		case MAILMIME_DISCRETE_TYPE_IMAGE:
			type = "image";
			break;
		case MAILMIME_DISCRETE_TYPE_AUDIO:
			type = "audio";
			break;
		case MAILMIME_DISCRETE_TYPE_VIDEO:
			type = "video";
			break;
		case MAILMIME_DISCRETE_TYPE_EXTENSION:
			if (ct->ct_type->tp_data.tp_discrete_type->dt_extension)
				type = ct->ct_type->tp_data.tp_discrete_type->
				    dt_extension;
			break;
		default:
			break;
		}
	} else if (ct->ct_type->tp_data.tp_composite_type->ct_type ==
	    MAILMIME_COMPOSITE_TYPE_MESSAGE)
		type = "message";
	else if (ct->ct_type->tp_data.tp_composite_type->ct_type ==
	    MAILMIME_COMPOSITE_TYPE_MULTIPART)
		type = "multipart";
	else if (ct->ct_type->tp_data.tp_composite_type->ct_token != NULL)
		type = ct->ct_type->tp_data.tp_composite_type->ct_token;
	sub = ct->ct_subtype != NULL ? ct->ct_subtype : "octet-stream";
	s = xasprintf("%s/%s", type, sub);
	for (p = s; *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
	return s;
}

/* A Content-Type parameter, unquoted and trimmed. Borrowed or NULL. */
static char *
mime_param_get(struct mailmime_content *ct, const char *name)
{
	clistiter			*it;
	struct mailmime_parameter	*p;

	if (ct == NULL || ct->ct_parameters == NULL)
		return NULL;
	for (it = clist_begin(ct->ct_parameters); it != NULL;
	    it = clist_next(it)) {
		p = clist_content(it);
		if (p->pa_name != NULL && p->pa_value != NULL &&
		    strcasecmp(p->pa_name, name) == 0)
			return p->pa_value;
	}
	return NULL;
}

/* The part's bytes with the transfer encoding undone; *out is malloc'ed. */
static void
mime_decode(struct mailmime *mm, char **out, size_t *outlen)
{
	struct mailmime_data	*d = mm->mm_body;
	char			*res = NULL;
	size_t			 idx = 0, n = 0;
	int			 enc;

	*out = NULL;
	*outlen = 0;
	if (d == NULL)
		d = mm->mm_type == MAILMIME_SINGLE ? mm->mm_data.mm_single : NULL;
	if (d == NULL || d->dt_type != MAILMIME_DATA_TEXT ||
	    d->dt_data.dt_text.dt_data == NULL) {
		*out = xstrdup("");
		return;
	}
	enc = d->dt_encoding;
	if (!d->dt_encoded || (enc != MAILMIME_MECHANISM_BASE64 &&
	    enc != MAILMIME_MECHANISM_QUOTED_PRINTABLE))
		enc = MAILMIME_MECHANISM_8BIT;
	if (mailmime_part_parse(d->dt_data.dt_text.dt_data,
	    d->dt_data.dt_text.dt_length, &idx, enc, &res, &n) !=
	    MAILIMF_NO_ERROR) {
		log_debug("mime: cannot decode a part, kept as is");
		res = NULL;
		n = d->dt_data.dt_text.dt_length;
	}
	*out = xmalloc(n + 1);
	if (n > 0)
		memcpy(*out, res != NULL ? res :
		    d->dt_data.dt_text.dt_data, n);
	(*out)[n] = '\0';
	*outlen = n;
	if (res != NULL)
		mailmime_decoded_part_free(res);
}

/* Gathers Content-Disposition and Content-Type parameters, in that order. */
static size_t
mime_params_collect(struct mailmime_single_fields *sf, struct mime_param *v,
    size_t max)
{
	clistiter			*it;
	struct mailmime_disposition_parm *dp;
	struct mailmime_parameter	*p;
	size_t				 n = 0;

	if (sf->fld_disposition != NULL && sf->fld_disposition->dsp_parms)
		for (it = clist_begin(sf->fld_disposition->dsp_parms);
		    it != NULL && n < max; it = clist_next(it)) {
			dp = clist_content(it);
			if (dp->pa_type == MAILMIME_DISPOSITION_PARM_FILENAME) {
				v[n].name = "filename";
				v[n++].value = dp->pa_data.pa_filename;
			} else if (dp->pa_type ==
			    MAILMIME_DISPOSITION_PARM_PARAMETER) {
				v[n].name = dp->pa_data.pa_parameter->pa_name;
				v[n++].value =
				    dp->pa_data.pa_parameter->pa_value;
			}
		}
	if (sf->fld_content != NULL && sf->fld_content->ct_parameters != NULL)
		for (it = clist_begin(sf->fld_content->ct_parameters);
		    it != NULL && n < max; it = clist_next(it)) {
			p = clist_content(it);
			v[n].name = p->pa_name;
			v[n++].value = p->pa_value;
		}
	return n;
}

/*
 * RFC 2231 3 and 4: name*=charset'lang'%XX..., or continuations
 * name*0*=, name*1=, ... joined in order. NULL if not present.
 */
static char *
mime_rfc2231_dup(const struct mime_param *v, size_t n, const char *name)
{
	struct buf	 b;
	char		*cs = NULL, *res = NULL, *q, hex[3];
	const char	*s, *rest;
	size_t		 i, k, nl = strlen(name), seg;
	bool		 found = true, ext;

	buf_init(&b);
	for (seg = 0; found && seg < 64; seg++) {
		found = false;
		for (i = 0; i < n && !found; i++) {
			if (v[i].name == NULL || v[i].value == NULL ||
			    strncasecmp(v[i].name, name, nl) != 0 ||
			    v[i].name[nl] != '*')
				continue;
			rest = v[i].name + nl + 1;
			if (*rest == '\0' && seg == 0)
				ext = true;		/* name*= */
			else if (isdigit((unsigned char)*rest) &&
			    strtoul(rest, &q, 10) == seg &&
			    (*q == '\0' || (q[0] == '*' && q[1] == '\0')))
				ext = *q == '*';	/* name*N[*]= */
			else
				continue;
			found = true;
			s = v[i].value;
			if (ext && seg == 0 && (q = strchr(s, '\'')) != NULL &&
			    strchr(q + 1, '\'') != NULL) {
				cs = xstrndup(s, (size_t)(q - s));
				s = strchr(q + 1, '\'') + 1;
			}
			for (k = 0; s[k] != '\0'; k++) {
				if (ext && s[k] == '%' &&
				    isxdigit((unsigned char)s[k + 1]) &&
				    isxdigit((unsigned char)s[k + 2])) {
					memcpy(hex, s + k + 1, 2);
					hex[2] = '\0';
					buf_addc(&b, (int)strtol(hex, NULL, 16));
					k += 2;
				} else
					buf_addc(&b, s[k]);
			}
			if (*rest == '\0')
				seg = 64;	/* no continuations */
		}
		if (!found && seg == 0)
			goto out;
	}
	res = mime_to_utf8_dup(b.data != NULL ? b.data : "", b.len,
	    cs != NULL && *cs != '\0' ? cs : NULL);
out:
	free(cs);
	buf_clear(&b);
	return res;
}

/* Decoded file name: RFC 2231 forms first, then RFC 2047 or raw. */
static char *
mime_filename_dup(struct mailmime_single_fields *sf)
{
	struct mime_param	 v[64];
	const char		*raw = NULL;
	char			*s;
	size_t			 n;

	n = mime_params_collect(sf, v, nitems(v));
	if ((s = mime_rfc2231_dup(v, n, "filename")) != NULL ||
	    (s = mime_rfc2231_dup(v, n, "name")) != NULL)
		goto out;
	if (sf->fld_disposition_filename != NULL)
		raw = sf->fld_disposition_filename;
	else if (sf->fld_content_name != NULL)
		raw = sf->fld_content_name;
	if (raw == NULL)
		return NULL;
	s = mime_decode_header_dup(raw);
out:
	if (*s == '\0') {
		free(s);
		s = NULL;
	}
	return s;
}

static bool
mime_is_attachment(struct mailmime_single_fields *sf)
{
	struct mime_param	 v[64];
	size_t			 n, i;

	if (sf->fld_disposition != NULL &&
	    sf->fld_disposition->dsp_type != NULL &&
	    sf->fld_disposition->dsp_type->dsp_type ==
	    MAILMIME_DISPOSITION_TYPE_ATTACHMENT)
		return true;
	if (sf->fld_disposition_filename != NULL ||
	    sf->fld_content_name != NULL)
		return true;
	n = mime_params_collect(sf, v, nitems(v));
	for (i = 0; i < n; i++)
		if (v[i].name != NULL && (strncasecmp(v[i].name,
		    "filename*", 9) == 0 || strncasecmp(v[i].name, "name*",
		    5) == 0))
			return true;
	return false;
}

/* The decoded text of a text/plain or text/html part. Caller frees. */
static char *
mime_part_text_dup(struct mailmime *mm, struct mailmime_single_fields *sf,
    bool html)
{
	char		*raw = NULL, *utf8 = NULL, *text, *flow;
	const char	*fmt, *delsp;
	size_t		 n;

	mime_decode(mm, &raw, &n);
	utf8 = mime_to_utf8_dup(raw, n, sf->fld_content_charset);
	if (html)
		text = mime_html_to_text_dup(utf8, strlen(utf8));
	else
		text = mime_text_clean_dup(utf8, strlen(utf8));
	fmt = mime_param_get(mm->mm_content_type, "format");
	delsp = mime_param_get(mm->mm_content_type, "delsp");
	if (!html && fmt != NULL && strcasecmp(fmt, "flowed") == 0) {
		flow = mime_unflow_dup(text, delsp != NULL &&
		    strcasecmp(delsp, "yes") == 0);
		free(text);
		text = flow;
	}
	n = strlen(text);
	if (n > 0 && text[n - 1] != '\n') {
		text = xrealloc(text, n + 2);
		text[n] = '\n';
		text[n + 1] = '\0';
	}
	free(raw);
	free(utf8);
	return text;
}

/* Sets m->text unless the part holds only white space. */
static bool
mime_set_text(struct mime_walk *w, struct mailmime *mm,
    struct mailmime_single_fields *sf, bool html)
{
	char	*text, *p;

	text = mime_part_text_dup(mm, sf, html);
	for (p = text; *p != '\0' && isspace((unsigned char)*p); p++)
		;
	if (*p == '\0' && !html) {
		free(text);
		return false;
	}
	free(w->m->text);
	w->m->text = mime_text_cap(text, w->lim->max_text, &w->m->truncated);
	w->m->text_from_html = html;
	return true;
}

/* Adds a leaf to m->parts; takes type. */
static void
mime_add_part(struct mime_walk *w, struct mailmime *mm,
    struct mailmime_single_fields *sf, char *type)
{
	struct msg		*m = w->m;
	struct mime_part	*p;
	const char		*method;

	if (m->nparts == w->partcap) {
		w->partcap = w->partcap ? w->partcap * 2 : 4;
		m->parts = xrealloc(m->parts, w->partcap * sizeof(*m->parts));
	}
	p = &m->parts[m->nparts++];
	memset(p, 0, sizeof(*p));
	p->type = type;
	p->filename = mime_filename_dup(sf);
	if ((method = mime_param_get(mm->mm_content_type, "method")) != NULL)
		p->method = util_trim(xstrdup(method));
	mime_decode(mm, &p->data, &p->len);
}

static void
mime_leaf(struct mime_walk *w, struct mailmime *mm)
{
	struct mailmime_single_fields	 sf;
	char				*type;
	bool				 attach;

	memset(&sf, 0, sizeof(sf));
	if (mm->mm_mime_fields != NULL)
		mailmime_single_fields_init(&sf, mm->mm_mime_fields,
		    mm->mm_content_type);
	else
		sf.fld_content = mm->mm_content_type;
	type = mime_type_dup(mm->mm_content_type);
	attach = mime_is_attachment(&sf);
	if (!attach && mm->mm_type == MAILMIME_SINGLE &&
	    strcmp(type, "text/plain") == 0) {
		if (!w->have_text)
			w->have_text = mime_set_text(w, mm, &sf, false);
		free(type);
	} else if (!attach && mm->mm_type == MAILMIME_SINGLE &&
	    strcmp(type, "text/html") == 0) {
		if (w->html == NULL)
			w->html = mm;
		free(type);
	} else
		mime_add_part(w, mm, &sf, type);
}

/* Pre-order walk, bounded by max_depth and max_parts. */
static void
mime_walk(struct mime_walk *w, struct mailmime *mm, size_t depth)
{
	clistiter	*it;
	char		*type, *rt;

	if (depth > w->lim->max_depth || w->nvisited >= w->lim->max_parts) {
		w->m->truncated = true;
		return;
	}
	w->nvisited++;
	if (mm->mm_type != MAILMIME_MULTIPLE) {
		/* message/rfc822 too: kept whole, its text is not ours */
		mime_leaf(w, mm);
		return;
	}
	type = mime_type_dup(mm->mm_content_type);
	rt = mime_param_get(mm->mm_content_type, "report-type");
	if (w->m->report_type == NULL && rt != NULL &&
	    strcmp(type, "multipart/report") == 0) {
		w->m->report_type = util_trim(xstrdup(rt));
		for (rt = w->m->report_type; *rt != '\0'; rt++)
			*rt = (char)tolower((unsigned char)*rt);
	}
	free(type);
	for (it = clist_begin(mm->mm_data.mm_multipart.mm_mp_list);
	    it != NULL; it = clist_next(it))
		mime_walk(w, clist_content(it), depth + 1);
}

static void
mime_body(struct msg *m, struct mailmime *top, const struct mime_limits *lim)
{
	struct mime_walk		 w;
	struct mailmime			*root = NULL;
	struct mailmime_single_fields	 sf;

	memset(&w, 0, sizeof(w));
	w.lim = lim;
	w.m = m;
	if (top != NULL && top->mm_type == MAILMIME_MESSAGE)
		root = top->mm_data.mm_message.mm_msg_mime;
	m->content_type = mime_type_dup(root != NULL ?
	    root->mm_content_type : NULL);
	if (root != NULL)
		mime_walk(&w, root, 1);
	if (!w.have_text && w.html != NULL) {
		memset(&sf, 0, sizeof(sf));
		if (w.html->mm_mime_fields != NULL)
			mailmime_single_fields_init(&sf,
			    w.html->mm_mime_fields, w.html->mm_content_type);
		mime_set_text(&w, w.html, &sf, true);
	}
	if (m->text == NULL)
		m->text = xstrdup("");
}

/* Keeps the first max_headers fields in m; frees the others. */
static void
mime_hdrs_keep(struct msg *m, struct mime_hdrlist *hl,
    const struct mime_limits *lim)
{
	size_t	 i;

	m->nhdrs = hl->n < lim->max_headers ? hl->n : lim->max_headers;
	if (hl->n > m->nhdrs)
		m->truncated = true;
	m->hdrs = xcalloc(m->nhdrs, sizeof(*m->hdrs));
	for (i = 0; i < hl->n; i++) {
		if (i < m->nhdrs)
			m->hdrs[i] = hl->v[i];
		else {
			free(hl->v[i].name);
			free(hl->v[i].value);
		}
	}
	free(hl->v);
	memset(hl, 0, sizeof(*hl));
}

int
mime_parse(const char *buf, size_t len, const struct mime_limits *lim,
    struct msg *m)
{
	struct mime_limits	 deflim;
	struct mime_hdrlist	 hl;
	struct buf		 crlf, canon;
	struct mailmime		*top = NULL;
	size_t			 body, plen;
	int			 rc = -1;

	memset(m, 0, sizeof(*m));
	memset(&hl, 0, sizeof(hl));
	buf_init(&crlf);
	buf_init(&canon);
	mime_init();
	if (lim == NULL) {
		mime_limits_default(&deflim);
		lim = &deflim;
	}
	if (buf == NULL || len == 0)
		goto out;
	m->size = len;
	if (len > lim->max_message) {
		len = lim->max_message;
		m->truncated = true;
	}
	if (len == 0)
		goto out;
	mime_canon(buf, len, &crlf);
	body = mime_header_block(crlf.data, crlf.len, &canon, &hl, lim,
	    &m->truncated);
	if (hl.n == 0 && memchr(buf, '\0', len) != NULL) {
		log_debug("mime: no header and binary content");
		goto out;
	}
	mime_envelope(m, &hl);
	plen = mime_parse_len(&canon, body, lim, &m->truncated);
	top = mime_parse_tree(&canon, &plen, lim);
	mime_body(m, top, lim);
	mime_hdrs_keep(m, &hl, lim);
	rc = 0;
out:
	if (top != NULL)
		mailmime_free(top);
	mime_hl_clear(&hl);
	buf_clear(&crlf);
	buf_clear(&canon);
	if (rc == -1)
		msg_clear(m);
	return rc;
}

void
msg_clear(struct msg *m)
{
	size_t	 i;

	for (i = 0; i < m->nhdrs; i++) {
		free(m->hdrs[i].name);
		free(m->hdrs[i].value);
	}
	free(m->hdrs);
	for (i = 0; i < m->nparts; i++) {
		free(m->parts[i].type);
		free(m->parts[i].filename);
		free(m->parts[i].method);
		free(m->parts[i].data);
	}
	free(m->parts);
	free(m->message_id);
	free(m->from_addr);
	free(m->from_name);
	free(m->reply_to);
	free(m->sender_addr);
	free(m->return_path);
	free(m->subject);
	free(m->in_reply_to);
	free(m->references);
	free(m->content_type);
	free(m->report_type);
	free(m->content_language);
	free(m->text);
	memset(m, 0, sizeof(*m));
}

const char *
mime_header(const struct msg *m, const char *name)
{
	size_t	 i;

	for (i = 0; i < m->nhdrs; i++)
		if (strcasecmp(m->hdrs[i].name, name) == 0)
			return m->hdrs[i].value;
	return NULL;
}

char *
mime_header_decoded_dup(const struct msg *m, const char *name)
{
	const char	*v;

	if ((v = mime_header(m, name)) == NULL)
		return NULL;
	return mime_decode_header_dup(v);
}
