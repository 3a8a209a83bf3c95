/*
 * mime_build.c: outgoing mail from a struct mime_out, with libetpan:
 * header fields (RFC 5322, RFC 2047 words for non-ASCII), a
 * quoted-printable text part, files with RFC 2231 names, and iMIP
 * invitations (RFC 6047). Checks what it is given before it builds:
 * no header can be ended early by a CR or LF from a member's input.
 *
 * libetpan memory rules relied on here (who frees what):
 * - Building: every *_new() takes ownership of its malloc'ed arguments
 *   (strings included) and returns NULL on OOM without taking them;
 *   mailmime_set_imf_fields() and mailmime_smart_add_part() hand the
 *   fields and the part to the message, so one mailmime_free() frees
 *   all. A mailmime_data of type TEXT (mailmime_data_new(),
 *   mailmime_set_body_text()) does NOT copy or free its bytes: they
 *   must outlive mailmime_write_mem() and are freed by us.
 *   mailmime_param_new_with_data() and mailmime_content_new_with_str()
 *   copy their arguments.
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

/*
 * RFC 2047 2: an encoded word is at most 75 characters. libetpan folds a
 * header before a word that would pass column 72, so words stay short
 * enough that "Subject: " plus the first one fits on the first line
 * (otherwise the value starts with a folded blank, shown as a space).
 */
#define MIME_EW_MAX		60
#define MIME_EW_PREFIX		"=?UTF-8?Q?"
#define MIME_EW_SUFFIX		"?="
/* Parameters go on a new header line rather than pass this column. */
#define MIME_HDR_COL		76
/* ASCII fallback file names (filename="...") are cut to this many bytes. */
#define MIME_NAME_MAX		60
/* RFC 2045 5.1: the token characters besides letters and digits. */
#define MIME_TOKEN_CHARS	"!#$%&'*+-.^_`{|}~"
/* RFC 2231 7: attribute-char, the same without "*", "'" and "%". */
#define MIME_ATTR_CHARS		"!#$&+-.^_`{|}~"
/* The name of the calendar's copy attached as a file. */
#define MIME_ICS_NAME		"invite.ics"

static void	*mime_nn(void *);
static bool	 mime_is_safe(const char *);
static bool	 mime_q_plain(unsigned char);
static struct mailimf_mailbox *mime_mailbox_new(const char *, const char *);
static struct mailimf_date_time *mime_date_new(time_t);
static clist	*mime_idlist_new(const char *);
static void	 mime_field_add(struct mailimf_fields *, const char *,
		    const char *);
static struct mailimf_fields *mime_build_fields(const struct mime_out *);
static void	 mime_extra_add(struct mailimf_fields *, const char *const *);
static char	*mime_qp_dup(const char *);
static char	*mime_build_text_dup(const char *);
static bool	 mime_out_is_ok(const struct mime_out *);
static bool	 mime_cal_is_ok(const char *, const char *);
static struct mailmime *mime_build_part(const char *);
static bool	 mime_is_token(const char *);
static void	 mime_hdr_item(struct buf *, size_t *, const char *);
static void	 mime_param_put(struct buf *, size_t *, const char *,
		    const char *, bool);
static void	 mime_rfc2231_put(struct buf *, size_t *, const char *,
		    const char *);
static char	*mime_ascii_name_dup(const char *);
static void	 mime_names_put(struct buf *, size_t *, const char *,
		    const char *, bool);
static struct mailmime_content *mime_ct_new(const char *, const char *,
		    const char *);
static struct mailmime_disposition *mime_disp_new(const char *);
static struct mailmime *mime_leaf_new(struct mailmime_content *,
		    struct mailmime_disposition *, const char *, size_t);
static struct mailmime *mime_multi_new(const char *, const char *);
static void	 mime_part_add(struct mailmime *, struct mailmime *);
static struct mailmime *mime_build_body(const struct mime_out *,
		    const char *);

/*
 * ASCII for U+00C0-U+00FF in fallback file names, so that "møde.csv"
 * reads "moede.csv" in a client that ignores RFC 2231 (Danish style,
 * as util_fold_dup() but keeping case).
 */
static const char *const mime_latin1_ascii[64] = {
	"A", "A", "A", "A", "Ae", "Aa", "Ae", "C",
	"E", "E", "E", "E", "I", "I", "I", "I",
	"D", "N", "O", "O", "O", "O", "Oe", "x",
	"Oe", "U", "U", "U", "Ue", "Y", "Th", "ss",
	"a", "a", "a", "a", "ae", "aa", "ae", "c",
	"e", "e", "e", "e", "i", "i", "i", "i",
	"d", "n", "o", "o", "o", "o", "oe", "_",
	"oe", "u", "u", "u", "ue", "y", "th", "y"
};

/* libetpan constructors fail only when out of memory: like xmalloc. */
static void *
mime_nn(void *p)
{
	if (p == NULL)
		fatal("libetpan: out of memory");
	return p;
}

/* No CR, LF or other control bytes that could end a header early. */
static bool
mime_is_safe(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return false;
	return true;
}

/* RFC 2047 5(3) with Q encoding: only these stay as they are. */
static bool
mime_q_plain(unsigned char c)
{
	return isalnum(c) || c == '!' || c == '*' || c == '+' || c == '-' ||
	    c == '/';
}

/* Encodes s[0..n) as one or more encoded words (Q) onto b. */
static void
mime_encode_run(struct buf *b, const char *s, size_t n)
{
	const char	*p;
	size_t		 i, k, wlen = 0, need;

	for (i = 0; i < n; i += k) {
		k = mime_utf8_len((const unsigned char *)s + i, n - i);
		if (k == 0)
			k = 1;
		need = k == 1 && (mime_q_plain((unsigned char)s[i]) ||
		    s[i] == ' ') ? 1 : 3 * k;
		/* Never split a UTF-8 sequence across encoded words. */
		if (wlen > 0 && wlen + need + strlen(MIME_EW_SUFFIX) >
		    MIME_EW_MAX) {
			buf_adds(b, MIME_EW_SUFFIX " ");
			wlen = 0;
		}
		if (wlen == 0) {
			buf_adds(b, MIME_EW_PREFIX);
			wlen = strlen(MIME_EW_PREFIX);
		}
		for (p = s + i; p < s + i + k; p++) {
			if (*p == ' ')
				buf_addc(b, '_');
			else if (k == 1 && mime_q_plain((unsigned char)*p))
				buf_addc(b, *p);
			else
				buf_addf(b, "=%02X", (unsigned char)*p);
		}
		wlen += need;
	}
	if (wlen > 0)
		buf_adds(b, MIME_EW_SUFFIX);
}

/* A word that may stand as it is in a phrase (RFC 5322 atext). */
static bool
mime_word_plain(const char *s, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) &&
		    strchr("!#$%&'*+-/^_`{|}~", s[i]) == NULL)
			return false;
	return n > 0;
}

/*
 * Words that need it are encoded, the rest stay plain, and a run of
 * words that need it goes into one encoded word with its spaces inside
 * (the space between two encoded words does not count, RFC 2047 6.2;
 * some decoders, Python's address parser among them, keep it anyway,
 * so a break between encoded words is avoided where a plain word can
 * stand).
 */
char *
mime_encode_header_dup(const char *s)
{
	struct buf	 clean, b;
	const char	*p, *w, *e, *run = NULL, *runend = NULL;
	bool		 plain = strstr(s, "=?") == NULL;

	for (p = s; *p != '\0' && plain; p++)
		if ((unsigned char)*p >= 0x7f || (unsigned char)*p < 0x20)
			plain = false;
	if (plain)
		return xstrdup(s);
	buf_init(&clean);
	buf_init(&b);
	mime_utf8_clean(&clean, s, strlen(s));
	for (w = clean.data; w != NULL; w = *e ? e + 1 : NULL) {
		e = w + strcspn(w, " ");
		if (!mime_word_plain(w, (size_t)(e - w)) ||
		    strstr(w, "=?") == w) {
			if (run == NULL)
				run = w;
			runend = e;
			if (*e)
				continue;
		}
		if (run != NULL) {
			if (b.len > 0)
				buf_addc(&b, ' ');
			mime_encode_run(&b, run, (size_t)(runend - run));
			run = NULL;
			if (runend == e)
				continue;
		}
		if (b.len > 0 || w > clean.data)
			buf_addc(&b, ' ');
		buf_add(&b, w, (size_t)(e - w));
	}
	buf_clear(&clean);
	return buf_release(&b);
}

/* A mailbox with an RFC 2047 display name when needed. */
static struct mailimf_mailbox *
mime_mailbox_new(const char *name, const char *addr)
{
	char	*dn = NULL, *clean;

	if (name != NULL && *name != '\0') {
		clean = xstrdup(name);
		for (dn = clean; *dn != '\0'; dn++)
			if ((unsigned char)*dn < 0x20 || *dn == 0x7f)
				*dn = ' ';
		dn = mime_encode_header_dup(clean);
		free(clean);
	}
	return mime_nn(mailimf_mailbox_new(dn, xstrdup(addr)));
}

/* RFC 5322 3.3 date-time in the local zone. */
static struct mailimf_date_time *
mime_date_new(time_t t)
{
	struct tm	 tm;
	long		 off;
	int		 zone;

	if (localtime_r(&t, &tm) == NULL)
		memset(&tm, 0, sizeof(tm));
	off = tm.tm_gmtoff / 60;
	zone = (int)((off < 0 ? -off : off) / 60 * 100 +
	    (off < 0 ? -off : off) % 60);
	if (off < 0)
		zone = -zone;
	return mime_nn(mailimf_date_time_new(tm.tm_mday, tm.tm_mon + 1,
	    tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec, zone));
}

/* A clist of message ids (without <>) from "<a> <b>", or NULL. */
static clist *
mime_idlist_new(const char *s)
{
	clist	*l = NULL;
	size_t	 idx = 0;

	if (mailimf_msg_id_list_parse(s, strlen(s), &idx, &l) !=
	    MAILIMF_NO_ERROR)
		return NULL;
	return l;
}

static void
mime_field_add(struct mailimf_fields *f, const char *name, const char *value)
{
	struct mailimf_field	*fld;

	fld = mime_nn(mailimf_field_new_custom(xstrdup(name), xstrdup(value)));
	if (mailimf_fields_add(f, fld) != MAILIMF_NO_ERROR)
		fatal("libetpan: out of memory");
}

static struct mailimf_fields *
mime_build_fields(const struct mime_out *o)
{
	struct mailimf_mailbox_list	*from;
	struct mailimf_address_list	*to, *rt = NULL;
	struct mailimf_fields		*f;
	clist				*irt = NULL, *refs = NULL;
	char				*subj;

	from = mime_nn(mailimf_mailbox_list_new_empty());
	if (mailimf_mailbox_list_add(from, mime_mailbox_new(o->from_name,
	    o->from_addr)) != MAILIMF_NO_ERROR)
		fatal("libetpan: out of memory");
	to = mime_nn(mailimf_address_list_new_empty());
	if (mailimf_address_list_add(to, mime_nn(mailimf_address_new(
	    MAILIMF_ADDRESS_MAILBOX, mime_mailbox_new(o->to_name, o->to_addr),
	    NULL))) != MAILIMF_NO_ERROR)
		fatal("libetpan: out of memory");
	if (o->reply_to != NULL) {
		rt = mime_nn(mailimf_address_list_new_empty());
		if (mailimf_address_list_add(rt, mime_nn(mailimf_address_new(
		    MAILIMF_ADDRESS_MAILBOX, mime_mailbox_new(NULL,
		    o->reply_to), NULL))) != MAILIMF_NO_ERROR)
			fatal("libetpan: out of memory");
	}
	if (o->in_reply_to != NULL) {
		irt = mime_nn(clist_new());
		if (clist_append(irt, xstrdup(o->in_reply_to)) < 0)
			fatal("libetpan: out of memory");
	}
	if (o->references != NULL)
		refs = mime_idlist_new(o->references);
	subj = mime_encode_header_dup(o->subject != NULL ? o->subject : "");
	f = mime_nn(mailimf_fields_new_with_data_all(mime_date_new(o->date),
	    from, NULL, rt, to, NULL, NULL, o->message_id != NULL ?
	    xstrdup(o->message_id) : NULL, irt, refs, subj));
	if (o->auto_submitted != NULL)
		mime_field_add(f, "Auto-Submitted", o->auto_submitted);
	if (o->language != NULL)
		mime_field_add(f, "Content-Language", o->language);
	mime_extra_add(f, o->extra_headers);
	return f;
}

/* "Name: value" lines, added as they are. */
static void
mime_extra_add(struct mailimf_fields *f, const char *const *x)
{
	const char	*colon;
	char		*name;

	for (; x != NULL && *x != NULL; x++) {
		if ((colon = strchr(*x, ':')) == NULL || colon == *x) {
			log_debug("mime: extra header without a name");
			continue;
		}
		name = xstrndup(*x, (size_t)(colon - *x));
		mime_field_add(f, util_trim(name), colon + 1 +
		    strspn(colon + 1, " \t"));
		free(name);
	}
}

/*
 * RFC 2045 6.7 quoted-printable with CRLF line ends and lines of at most
 * 76 characters. libetpan 1.9.4's own encoder writes a space or tab at
 * the end of a line both as itself and as "=20", which adds a space.
 */
static char *
mime_qp_dup(const char *s)
{
	struct buf	 b;
	size_t		 col = 0, need;
	unsigned char	 c;
	bool		 eol;

	buf_init(&b);
	for (; *s != '\0'; s++) {
		c = (unsigned char)*s;
		if (c == '\n') {
			buf_add(&b, "\r\n", 2);
			col = 0;
			continue;
		}
		eol = s[1] == '\n' || s[1] == '\0';
		/* Also "From " at the start of a line, which mbox mangles. */
		if ((c >= 33 && c <= 126 && c != '=' && !(col == 0 &&
		    c == 'F' && strncmp(s, "From ", 5) == 0)) ||
		    ((c == ' ' || c == '\t') && !eol))
			need = 1;
		else
			need = 3;
		if (col + need > 75) {
			buf_add(&b, "=\r\n", 3);
			col = 0;
		}
		if (need == 1)
			buf_addc(&b, c);
		else
			buf_addf(&b, "=%02X", c);
		col += need;
	}
	return buf_release(&b);
}

/* Valid UTF-8, "\n" line ends, ending in a newline. */
static char *
mime_build_text_dup(const char *text)
{
	char	*s;
	size_t	 n;

	s = mime_text_clean_dup(text, strlen(text));
	n = strlen(s);
	if (n == 0 || s[n - 1] != '\n') {
		s = xrealloc(s, n + 2);
		s[n] = '\n';
		s[n + 1] = '\0';
	}
	return s;
}

/*
 * Addresses present and plausible, no line breaks in raw headers, a
 * calendar's method matching its METHOD, every attachment with a type.
 */
static bool
mime_out_is_ok(const struct mime_out *o)
{
	const struct mime_attach	*a;
	const char			*const *x, *t;
	size_t				 i;

	if (o->from_addr == NULL || o->to_addr == NULL ||
	    !util_is_addr(o->from_addr) || !util_is_addr(o->to_addr) ||
	    (o->reply_to != NULL && !util_is_addr(o->reply_to)))
		return false;
	if ((o->message_id != NULL && !mime_is_safe(o->message_id)) ||
	    (o->in_reply_to != NULL && !mime_is_safe(o->in_reply_to)) ||
	    (o->references != NULL && !mime_is_safe(o->references)) ||
	    (o->auto_submitted != NULL && !mime_is_safe(o->auto_submitted)) ||
	    (o->language != NULL && !mime_is_safe(o->language)))
		return false;
	for (x = o->extra_headers; x != NULL && *x != NULL; x++)
		if (!mime_is_safe(*x))
			return false;
	if (o->calendar != NULL && !mime_cal_is_ok(o->calendar, o->cal_method))
		return false;
	if (o->nattach > 0 && o->attach == NULL)
		return false;
	for (i = 0; i < o->nattach; i++) {
		a = &o->attach[i];
		if (a->type == NULL || !mime_is_safe(a->type) ||
		    strcspn(a->type, "/") >= strcspn(a->type, ";") ||
		    (a->data == NULL && a->len > 0))
			return false;
		/* Raw 8-bit bytes are not allowed in a header (RFC 2045 5.1). */
		for (t = a->type; *t != '\0'; t++)
			if ((unsigned char)*t >= 0x80)
				return false;
	}
	return true;
}

/*
 * RFC 5545 3.7.2: the METHOD property and the Content-Type method
 * parameter go together and must agree; receivers discard a mismatch
 * (Mailspring-Sync PR #130). The method is an iana-token.
 */
static bool
mime_cal_is_ok(const char *cal, const char *method)
{
	const char	*p;
	size_t		 n;

	if (method == NULL || (n = strlen(method)) == 0 || n > 32 ||
	    strspn(method, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz-") != n)
		return false;
	for (p = cal; p != NULL; p = strchr(p, '\n')) {
		if (*p == '\n')
			p++;
		if (strncasecmp(p, "METHOD:", 7) == 0 &&
		    strncasecmp(p + 7, method, n) == 0 &&
		    (p[7 + n] == '\r' || p[7 + n] == '\n'))
			return true;
	}
	return false;
}

/* text/plain; charset=UTF-8, quoted-printable; qp must outlive it. */
static struct mailmime *
mime_build_part(const char *qp)
{
	struct mailmime_content	*ct;
	struct mailmime_fields	*mf;
	struct mailmime_data	*body;

	ct = mime_nn(mailmime_content_new_with_str("text/plain"));
	if (clist_append(ct->ct_parameters, mime_nn(
	    mailmime_param_new_with_data("charset", "UTF-8"))) < 0)
		fatal("libetpan: out of memory");
	mf = mime_nn(mailmime_fields_new_encoding(
	    MAILMIME_MECHANISM_QUOTED_PRINTABLE));
	/* Already encoded (dt_encoded = 1): written as it is. */
	body = mime_nn(mailmime_data_new(MAILMIME_DATA_TEXT,
	    MAILMIME_MECHANISM_QUOTED_PRINTABLE, 1, qp, strlen(qp), NULL));
	return mime_nn(mailmime_new(MAILMIME_SINGLE, NULL, 0, mf, ct, body,
	    NULL, NULL, NULL, NULL, NULL));
}

/*
 * Multipart mail: RFC 6047 2.4 for invites, RFC 2183 and 2231 for files.
 *
 * libetpan writes every Content-Type and Content-Disposition parameter
 * as a quoted string, but an RFC 2231 extended value (filename*=UTF-8''…)
 * must not be quoted, and Google, Thunderbird and Outlook all write
 * method=REQUEST bare. So the parameters are formatted here and handed
 * to libetpan inside the subtype, or as an extension disposition type,
 * both of which it writes as they are (folded lines included).
 */

/* RFC 2045 5.1 token: may be written without quotes. */
static bool
mime_is_token(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s != '\0'; s++)
		if ((unsigned char)*s >= 0x80 || (!isalnum((unsigned char)*s) &&
		    strchr(MIME_TOKEN_CHARS, *s) == NULL))
			return false;
	return true;
}

/* Appends "; item", or ";", CRLF, " item" rather than pass the column. */
static void
mime_hdr_item(struct buf *b, size_t *col, const char *item)
{
	size_t	 n = strlen(item);

	if (*col + 2 + n > MIME_HDR_COL) {
		buf_adds(b, ";\r\n ");
		*col = 1 + n;
	} else {
		buf_adds(b, "; ");
		*col += 2 + n;
	}
	buf_adds(b, item);
}

/* name=value, quoted (RFC 2045 5.1) when asked or when not a token. */
static void
mime_param_put(struct buf *b, size_t *col, const char *name,
    const char *value, bool quote)
{
	struct buf	 v;
	const char	*p;

	buf_init(&v);
	buf_adds(&v, name);
	buf_addc(&v, '=');
	if (quote || !mime_is_token(value)) {
		buf_addc(&v, '"');
		for (p = value; *p != '\0'; p++) {
			if (*p == '"' || *p == '\\')
				buf_addc(&v, '\\');
			buf_addc(&v, *p);
		}
		buf_addc(&v, '"');
	} else
		buf_adds(&v, value);
	mime_hdr_item(b, col, v.data);
	buf_clear(&v);
}

/*
 * RFC 2231 3 and 4: name*=UTF-8''%XX…, or name*0*=, name*1*=, … when
 * one line is too short. Segments end between characters, never inside
 * a UTF-8 sequence, for clients that decode each segment on its own.
 */
static void
mime_rfc2231_put(struct buf *b, size_t *col, const char *name,
    const char *s)
{
	struct buf		 seg;
	const unsigned char	*u = (const unsigned char *)s;
	char			 enc[16], *item;
	size_t			 i, j, k, e, max, n = strlen(s), nseg = 0;

	/* A line holds " name*NN*=", the segment and ";". */
	max = MIME_HDR_COL - strlen(name) - 7;
	buf_init(&seg);
	buf_adds(&seg, "UTF-8''");
	for (i = 0; i < n; i += k) {
		if ((k = mime_utf8_len(u + i, n - i)) == 0)
			k = 1;
		for (e = 0, j = i; j < i + k; j++) {
			if (u[j] < 0x80 && (isalnum(u[j]) ||
			    strchr(MIME_ATTR_CHARS, u[j]) != NULL))
				enc[e++] = (char)u[j];
			else
				e += (size_t)snprintf(enc + e, sizeof(enc) - e,
				    "%%%02X", u[j]);
		}
		enc[e] = '\0';
		if (seg.len + e > max) {
			item = xasprintf("%s*%zu*=%s", name, nseg++, seg.data);
			mime_hdr_item(b, col, item);
			free(item);
			buf_clear(&seg);
		}
		buf_adds(&seg, enc);
	}
	if (nseg == 0)
		item = xasprintf("%s*=%s", name, seg.data);
	else
		item = xasprintf("%s*%zu*=%s", name, nseg, seg.data);
	mime_hdr_item(b, col, item);
	free(item);
	buf_clear(&seg);
}

/*
 * A plain ASCII stand-in for a UTF-8 file name (filename="…" beside
 * filename*=): Latin-1 letters spelt out, other characters, quotes and
 * backslashes as "_", cut to MIME_NAME_MAX bytes keeping the extension.
 * Returns a new string; caller frees.
 */
static char *
mime_ascii_name_dup(const char *s)
{
	struct buf		 b;
	const unsigned char	*u = (const unsigned char *)s;
	char			*res, *dot;
	size_t			 i, k, n = strlen(s), ext;

	buf_init(&b);
	for (i = 0; i < n; i += k) {
		if ((k = mime_utf8_len(u + i, n - i)) == 0)
			k = 1;
		if (k == 1 && u[i] >= 0x20 && u[i] < 0x7f && u[i] != '"' &&
		    u[i] != '\\')
			buf_addc(&b, u[i]);
		else if (k == 2 && u[i] == 0xc3)	/* U+00C0-U+00FF */
			buf_adds(&b, mime_latin1_ascii[u[i + 1] - 0x80]);
		else
			buf_addc(&b, '_');
	}
	res = buf_release(&b);
	if ((n = strlen(res)) > MIME_NAME_MAX) {
		dot = strrchr(res, '.');
		ext = dot != NULL && strlen(dot) <= 10 ? strlen(dot) : 0;
		memmove(res + MIME_NAME_MAX - ext, res + n - ext, ext);
		res[MIME_NAME_MAX] = '\0';
	}
	return res;
}

/*
 * The file name as param*= (RFC 2231) when ext is set and the name is
 * not plain ASCII, then as param="ASCII". RFC 6266 (the same syntax in
 * HTTP) 4.3: a recipient that knows param*= picks it; the fallback may
 * spell out letters (ä as "ae").
 */
static void
mime_names_put(struct buf *b, size_t *col, const char *param,
    const char *name, bool ext)
{
	struct buf	 clean;
	char		*ascii;

	buf_init(&clean);
	mime_utf8_clean(&clean, name, strlen(name));
	ascii = mime_ascii_name_dup(clean.data != NULL ? clean.data : "");
	/*
	 * The extended form first: parsers that keep the first of two
	 * (Python's email package among them) then get the real name;
	 * those that do not know param*= skip it and take the stand-in.
	 */
	if (ext && clean.data != NULL && strcmp(ascii, clean.data) != 0)
		mime_rfc2231_put(b, col, param, clean.data);
	mime_param_put(b, col, param, ascii, true);
	free(ascii);
	buf_clear(&clean);
}

/*
 * A Content-Type for a leaf: type's own parameters kept (but name=
 * when a name is given), then method= in upper case and name= when
 * given. NULL if type is not a discrete type: multipart and message
 * parts cannot be base64 (RFC 2045 6.4).
 */
static struct mailmime_content *
mime_ct_new(const char *type, const char *method, const char *name)
{
	struct mailmime_content		*ct;
	struct mailmime_parameter	*p;
	clistiter			*it;
	struct buf			 b;
	char				*full, *m, *q;
	size_t				 col;

	if ((ct = mailmime_content_new_with_str(type)) == NULL)
		return NULL;
	if (ct->ct_type->tp_type != MAILMIME_TYPE_DISCRETE_TYPE) {
		mailmime_content_free(ct);
		return NULL;
	}
	full = mime_type_dup(ct);
	col = strlen("Content-Type: ") + strlen(full);
	free(full);
	buf_init(&b);
	buf_adds(&b, ct->ct_subtype);
	for (it = ct->ct_parameters != NULL ? clist_begin(ct->ct_parameters) :
	    NULL; it != NULL; it = clist_next(it)) {
		p = clist_content(it);
		if (name == NULL || strncasecmp(p->pa_name, "name", 4) != 0 ||
		    (p->pa_name[4] != '\0' && p->pa_name[4] != '*'))
			mime_param_put(&b, &col, p->pa_name, p->pa_value,
			    false);
		mailmime_parameter_free(p);
	}
	if (ct->ct_parameters != NULL)
		clist_free(ct->ct_parameters);
	ct->ct_parameters = mime_nn(clist_new());
	if (method != NULL) {
		m = xstrdup(method);
		for (q = m; *q != '\0'; q++)
			*q = (char)toupper((unsigned char)*q);
		mime_param_put(&b, &col, "method", m, false);
		free(m);
	}
	if (name != NULL && *name != '\0')
		mime_names_put(&b, &col, "name", name, false);
	free(ct->ct_subtype);
	ct->ct_subtype = buf_release(&b);
	return ct;
}

/* Content-Disposition: attachment, with the file name if there is one. */
static struct mailmime_disposition *
mime_disp_new(const char *name)
{
	struct buf	 b;
	size_t		 col = strlen("Content-Disposition: attachment");

	buf_init(&b);
	buf_adds(&b, "attachment");
	if (name != NULL && *name != '\0')
		mime_names_put(&b, &col, "filename", name, true);
	return mime_nn(mailmime_disposition_new(mime_nn(
	    mailmime_disposition_type_new(MAILMIME_DISPOSITION_TYPE_EXTENSION,
	    buf_release(&b))), mime_nn(clist_new())));
}

/*
 * A base64 leaf; libetpan encodes it (76 columns, CRLF). Takes ct and
 * dsp (NULL: no Content-Disposition); data must outlive it.
 */
static struct mailmime *
mime_leaf_new(struct mailmime_content *ct, struct mailmime_disposition *dsp,
    const char *data, size_t len)
{
	struct mailmime_fields	*mf;
	struct mailmime_data	*body;

	mf = mime_nn(mailmime_fields_new_with_data(mime_nn(
	    mailmime_mechanism_new(MAILMIME_MECHANISM_BASE64, NULL)), NULL,
	    NULL, dsp, NULL));
	body = mime_nn(mailmime_data_new(MAILMIME_DATA_TEXT,
	    MAILMIME_MECHANISM_BASE64, 0, data != NULL ? data : "", len,
	    NULL));
	return mime_nn(mailmime_new(MAILMIME_SINGLE, NULL, 0, mf, ct, body,
	    NULL, NULL, NULL, NULL, NULL));
}

/*
 * An empty multipart. RFC 2046 5.1.1: the boundary must not occur in
 * the parts. "=_" cannot occur in quoted-printable or base64, the only
 * encodings used here, and the tag keeps nested boundaries apart (and
 * neither a prefix of the other). mailmime_new_empty() adds a boundary
 * of its own (time, pid and random()); ours replaces its value. 28
 * characters keep "Content-Type: multipart/alternative;" and the
 * boundary on one line. NULL if there is no randomness.
 */
static struct mailmime *
mime_multi_new(const char *type, const char *tag)
{
	struct mailmime			*mm;
	struct mailmime_parameter	*p;
	clistiter			*it;
	struct buf			 bnd;
	unsigned char			 r[8];
	size_t				 i;

	if (util_random(r, sizeof(r)) == -1) {
		log_debug("mime: no random bytes for a boundary");
		return NULL;
	}
	buf_init(&bnd);
	buf_addf(&bnd, "=_ffnet_%s_", tag);
	for (i = 0; i < sizeof(r); i++)
		buf_addf(&bnd, "%02x", r[i]);
	mm = mime_nn(mailmime_new_empty(mime_nn(
	    mailmime_content_new_with_str(type)),
	    mime_nn(mailmime_fields_new_empty())));
	for (it = clist_begin(mm->mm_content_type->ct_parameters); it != NULL;
	    it = clist_next(it)) {
		p = clist_content(it);
		if (strcasecmp(p->pa_name, "boundary") == 0) {
			free(p->pa_value);
			p->pa_value = xstrdup(bnd.data);
		}
	}
	buf_clear(&bnd);
	return mm;
}

/* Appends a part to a multipart, which fails only when out of memory. */
static void
mime_part_add(struct mailmime *parent, struct mailmime *part)
{
	if (mailmime_add_part(parent, part) != MAILIMF_NO_ERROR)
		fatal("libetpan: out of memory");
}

/*
 * The body: text/plain alone, or multipart/mixed { multipart/alternative
 * { text/plain, text/calendar }, invite.ics, attachments } (RFC 6047
 * 2.4; the alternative is what Outlook and Gmail act on, and it stays
 * when there are attachments: nodemailer #1206), or multipart/mixed
 * { text/plain, attachments }. NULL if an attachment's type is bad.
 */
static struct mailmime *
mime_build_body(const struct mime_out *o, const char *qp)
{
	struct mailmime			*mix = NULL, *alt, *res = NULL;
	struct mailmime_content		*ct;
	const struct mime_attach	*a;
	size_t				 i, clen;

	if (o->calendar == NULL && o->nattach == 0)
		return mime_build_part(qp);
	if ((mix = mime_multi_new("multipart/mixed", "mix")) == NULL)
		goto out;
	if (o->calendar == NULL)
		mime_part_add(mix, mime_build_part(qp));
	else {
		if ((alt = mime_multi_new("multipart/alternative", "alt")) ==
		    NULL)
			goto out;
		mime_part_add(mix, alt);
		mime_part_add(alt, mime_build_part(qp));
		/*
		 * No Content-Disposition: Evolution stops showing an
		 * invitation whose part says attachment (nextcloud/mail
		 * #10416). base64 keeps CRLF and long lines intact.
		 */
		clen = strlen(o->calendar);
		ct = mime_nn(mime_ct_new("text/calendar; charset=UTF-8",
		    o->cal_method, NULL));
		mime_part_add(alt, mime_leaf_new(ct, NULL, o->calendar, clen));
		/*
		 * The same bytes as a file, for clients that only import.
		 * application/ics, as Thunderbird and Google send it, not
		 * text/calendar: a mail carries one iTIP message (RFC 5545
		 * 3.7.2, one METHOD), and clients look for it in the
		 * text/calendar parts, so a second one marked attachment
		 * could be taken for the invitation, or processed twice.
		 */
		ct = mime_nn(mime_ct_new("application/ics", NULL,
		    MIME_ICS_NAME));
		mime_part_add(mix, mime_leaf_new(ct,
		    mime_disp_new(MIME_ICS_NAME), o->calendar, clen));
	}
	for (i = 0; i < o->nattach; i++) {
		a = &o->attach[i];
		if ((ct = mime_ct_new(a->type, NULL, a->filename)) == NULL) {
			log_debug("mime: bad attachment type \"%s\"", a->type);
			goto out;
		}
		mime_part_add(mix, mime_leaf_new(ct, mime_disp_new(a->filename),
		    a->data, a->len));
	}
	res = mix;
	mix = NULL;
out:
	if (mix != NULL)
		mailmime_free(mix);
	return res;
}

char *
mime_build(const struct mime_out *o, size_t *len)
{
	struct mailmime		*msg = NULL, *part;
	MMAPString		*s = NULL;
	char			*text = NULL, *qp = NULL, *res = NULL;
	int			 col = 0;

	*len = 0;
	if (!mime_out_is_ok(o)) {
		log_debug("mime: refusing to build a malformed message");
		goto out;
	}
	text = mime_build_text_dup(o->text != NULL ? o->text : "");
	qp = mime_qp_dup(text);
	msg = mime_nn(mailmime_new_message_data(NULL));
	mailmime_set_imf_fields(msg, mime_build_fields(o));
	if ((part = mime_build_body(o, qp)) == NULL)
		goto out;
	if (mailmime_smart_add_part(msg, part) != MAILIMF_NO_ERROR) {
		mailmime_free(part);
		goto out;
	}
	s = mime_nn(mmap_string_new(""));
	if (mailmime_write_mem(s, &col, msg) != MAILIMF_NO_ERROR)
		goto out;
	res = xmalloc(s->len + 1);
	memcpy(res, s->str, s->len);
	res[s->len] = '\0';
	*len = s->len;
out:
	if (s != NULL)
		mmap_string_free(s);
	if (msg != NULL)
		mailmime_free(msg);
	free(text);
	free(qp);
	return res;
}
