/*
 * mime.c: parses incoming mail into a struct msg and builds outgoing
 * mail, both with libetpan (IMF, MIME, RFC 2047 phrases). main.c calls
 * mime_parse() on every fetched message and mime_build() on every reply;
 * handlers only read struct msg. Owns nothing beyond each call, except
 * libetpan's charconv hook, which it installs (see mime_init()).
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
 * - Building: every *_new() takes ownership of its malloc'ed arguments
 *   (strings included) and returns NULL on OOM without taking them;
 *   mailmime_set_imf_fields() and mailmime_smart_add_part() hand the
 *   fields and the part to the message, so one mailmime_free() frees
 *   all. A mailmime_data of type TEXT (mailmime_data_new(),
 *   mailmime_set_body_text()) does NOT copy or free its bytes: they
 *   must outlive mailmime_write_mem() and are freed by us.
 *   mailmime_param_new_with_data() and mailmime_content_new_with_str()
 *   copy their arguments.
 * - charconv() calls our hook with a result buffer of 6 * length bytes
 *   and frees it itself on error.
 */
#include <sys/types.h>

#include <ctype.h>
#include <errno.h>
#include <iconv.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <libetpan/charconv.h>
#include <libetpan/mailimf.h>
#include <libetpan/mailmime.h>
#include <libetpan/mmapstring.h>

#include "log.h"
#include "mime.h"
#include "util.h"

/* Comment nesting kept per logical line; libetpan recurses on each '('. */
#define MIME_MAX_COMMENT_DEPTH	64
/* Blockquote levels shown as "> " in text from HTML. */
#define MIME_MAX_QUOTE		8
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

/* Output of the HTML to text conversion, line by line. */
struct mime_h2t {
	struct buf	 out;
	int		 quote;		/* blockquote depth */
	int		 pre;		/* inside <pre> */
	int		 newlines;	/* "\n" just written, at most 2 */
	bool		 bol;		/* at the beginning of a line */
	bool		 space;		/* a space is pending */
	bool		 blank;		/* the line holds only &nbsp; */
	unsigned int	 noclose;	/* skipped elements with no end tag */
};

/* A parameter seen in Content-Type or Content-Disposition. */
struct mime_param {
	const char	*name;
	const char	*value;
};

static void	 mime_init(void);
static size_t	 mime_utf8_len(const unsigned char *, size_t);
static void	 mime_utf8_put(struct buf *, uint32_t);
static void	 mime_utf8_clean(struct buf *, const char *, size_t);
static const char *mime_charset_canon(const char *, char *, size_t);
static void	 mime_cp1252_add(struct buf *, const char *, size_t);
static int	 mime_iconv_add(struct buf *, const char *, size_t,
		    const char *);
static void	 mime_conv_add(struct buf *, const char *, size_t,
		    const char *);
static int	 mime_charconv_hook(const char *, const char *, const char *,
		    size_t, char *, size_t *);
static void	 mime_decode_raw_word(struct buf *, const char *, size_t,
		    size_t *);
static char	*mime_text_clean_dup(const char *, size_t);
static char	*mime_text_cap(char *, size_t, bool *);
static char	*mime_unflow_dup(const char *, bool);
static void	 mime_h2t_text(struct mime_h2t *, const char *, size_t);
static void	 mime_h2t_newline(struct mime_h2t *, bool);
static void	 mime_h2t_space(struct mime_h2t *);
static size_t	 mime_h2t_entity(struct mime_h2t *, const char *, size_t);
static size_t	 mime_h2t_tag(struct mime_h2t *, const char *, size_t);
static void	 mime_h2t_tag_action(struct mime_h2t *, const char *, bool);
static size_t	 mime_h2t_skip_to(const char *, size_t, size_t,
		    const char *);
static void	 mime_canon(const char *, size_t, struct buf *);
static size_t	 mime_line_end(const char *, size_t, size_t);
static bool	 mime_is_field_at(const char *, size_t, size_t);
static void	 mime_fields_take(struct mime_hdrlist *, struct mailimf_fields *,
		    const struct mime_limits *, bool *);
static size_t	 mime_header_block(const char *, size_t, struct buf *,
		    struct mime_hdrlist *, const struct mime_limits *, bool *);
static char	*mime_unfold_dup(const char *, size_t, bool *);
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
static char	*mime_type_dup(const struct mailmime_content *);
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
static char	*mime_qp_dup(const char *);
static char	*mime_build_text_dup(const char *);

/* windows-1252 0x80-0x9f; the five undefined bytes give U+FFFD. */
static const uint16_t mime_cp1252[32] = {
	0x20ac, 0xfffd, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021,
	0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0xfffd, 0x017d, 0xfffd,
	0xfffd, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014,
	0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0xfffd, 0x017e, 0x0178
};

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

/* MIME charset labels that iconv spells differently or not at all. */
static const struct {
	const char	*label;
	const char	*name;
} mime_charset_alias[] = {
	{ "646",		"auto" },
	{ "ansi_x3.4-1968",	"auto" },
	{ "ascii",		"auto" },
	{ "cp1252",		"cp1252" },
	{ "gb2312",		"GBK" },
	{ "iso-2022-jp",	"ISO-2022-JP-2" },
	{ "iso-8859-1",		"cp1252" },
	{ "iso-8859-8-i",	"ISO-8859-8" },
	{ "iso8859-1",		"cp1252" },
	{ "iso_8859-1",		"cp1252" },
	{ "ks_c_5601-1987",	"CP949" },
	{ "l1",			"cp1252" },
	{ "latin1",		"cp1252" },
	{ "shift-jis",		"SHIFT_JIS" },
	{ "unicode-1-1-utf-7",	"UTF-7" },
	{ "unknown",		"auto" },
	{ "unknown-8bit",	"auto" },
	{ "us-ascii",		"auto" },
	{ "utf-8",		"utf-8" },
	{ "utf8",		"utf-8" },
	{ "windows-1252",	"cp1252" },
	{ "x-cp1252",		"cp1252" },
	{ "x-sjis",		"SHIFT_JIS" },
	{ "x-unknown",		"auto" },
	{ "x-user-defined",	"auto" },
};

/* HTML entities that Danish and English mail actually uses. */
static const struct {
	const char	*name;
	uint32_t	 cp;
} mime_entities[] = {
	{ "AElig", 0xc6 }, { "Aring", 0xc5 }, { "Auml", 0xc4 },
	{ "Eacute", 0xc9 }, { "Oslash", 0xd8 }, { "Ouml", 0xd6 },
	{ "Uuml", 0xdc }, { "aacute", 0xe1 }, { "aelig", 0xe6 },
	{ "agrave", 0xe0 }, { "amp", '&' }, { "apos", '\'' },
	{ "aring", 0xe5 }, { "auml", 0xe4 }, { "bull", 0x2022 },
	{ "copy", 0xa9 }, { "deg", 0xb0 }, { "eacute", 0xe9 },
	{ "egrave", 0xe8 }, { "euro", 0x20ac }, { "gt", '>' },
	{ "hellip", 0x2026 }, { "laquo", 0xab }, { "ldquo", 0x201c },
	{ "lsquo", 0x2018 }, { "lt", '<' }, { "mdash", 0x2014 },
	{ "middot", 0xb7 }, { "nbsp", ' ' }, { "ndash", 0x2013 },
	{ "oacute", 0xf3 }, { "oslash", 0xf8 }, { "ouml", 0xf6 },
	{ "quot", '"' }, { "raquo", 0xbb }, { "rdquo", 0x201d },
	{ "reg", 0xae }, { "rsquo", 0x2019 }, { "sect", 0xa7 },
	{ "shy", 0 }, { "szlig", 0xdf }, { "trade", 0x2122 },
	{ "uuml", 0xfc }, { "zwj", 0 }, { "zwnj", 0 },
};

/* Elements whose content is dropped. */
static const char *const mime_skip_tags[] = {
	"head", "script", "style", "title",
};

/* Tags after which the text goes on on a new line. */
static const char *const mime_block_tags[] = {
	"address", "article", "caption", "center", "dd", "div", "dl",
	"dt", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6",
	"header", "li", "ol", "p", "section", "table", "tbody", "tr",
	"ul",
};

/*
 * libetpan's charconv() (used by mailmime_encoded_phrase_parse for every
 * encoded word and raw word) turns invalid bytes into '?' and fails the
 * whole phrase on unknown charsets. Its documented extension point,
 * extended_charconv, lets us decode with our own rules instead. The hook
 * only answers conversions to UTF-8 and declines all others, so other
 * users of libetpan in the process are unaffected.
 */
static void
mime_init(void)
{
	extended_charconv = mime_charconv_hook;
}

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
 * UTF-8 and charsets
 */

/* Length of the valid UTF-8 sequence at p, or 0 (RFC 3629 table 4). */
static size_t
mime_utf8_len(const unsigned char *p, size_t n)
{
	unsigned char	 lo = 0x80, hi = 0xbf;
	size_t		 need, i;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		need = 1;
	else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		need = 2;
		if (p[0] == 0xe0)
			lo = 0xa0;
		else if (p[0] == 0xed)
			hi = 0x9f;
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		need = 3;
		if (p[0] == 0xf0)
			lo = 0x90;
		else if (p[0] == 0xf4)
			hi = 0x8f;
	} else
		return 0;
	if (n < need + 1)
		return 0;
	for (i = 1; i <= need; i++) {
		if (p[i] < lo || p[i] > hi)
			return 0;
		lo = 0x80;
		hi = 0xbf;
	}
	return need + 1;
}

static void
mime_utf8_put(struct buf *b, uint32_t cp)
{
	char	 s[4];

	if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		cp = 0xfffd;
	if (cp < 0x80) {
		buf_addc(b, (int)cp);
	} else if (cp < 0x800) {
		s[0] = (char)(0xc0 | (cp >> 6));
		s[1] = (char)(0x80 | (cp & 0x3f));
		buf_add(b, s, 2);
	} else if (cp < 0x10000) {
		s[0] = (char)(0xe0 | (cp >> 12));
		s[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		s[2] = (char)(0x80 | (cp & 0x3f));
		buf_add(b, s, 3);
	} else {
		s[0] = (char)(0xf0 | (cp >> 18));
		s[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		s[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		s[3] = (char)(0x80 | (cp & 0x3f));
		buf_add(b, s, 4);
	}
}

/* Appends s, replacing each invalid byte with U+FFFD, without NULs. */
static void
mime_utf8_clean(struct buf *b, const char *s, size_t n)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 i = 0, k;

	while (i < n) {
		if (p[i] == '\0') {
			i++;
			continue;
		}
		if ((k = mime_utf8_len(p + i, n - i)) == 0) {
			mime_utf8_put(b, 0xfffd);
			i++;
			continue;
		}
		buf_add(b, s + i, k);
		i += k;
	}
}

/*
 * Maps a MIME charset label to "auto" (UTF-8 if valid, else
 * windows-1252), "utf-8", "cp1252" or a name for iconv_open().
 */
static const char *
mime_charset_canon(const char *cs, char *tmp, size_t tmpsz)
{
	size_t	 i, n;

	if (cs == NULL)
		return "auto";
	while (*cs == ' ' || *cs == '\t' || *cs == '"' || *cs == '\'')
		cs++;
	for (n = 0; cs[n] != '\0' && cs[n] != '"' && cs[n] != '\'' &&
	    cs[n] != ' ' && cs[n] != '*' && n + 1 < tmpsz; n++)
		tmp[n] = (char)tolower((unsigned char)cs[n]);
	tmp[n] = '\0';
	if (n == 0)
		return "auto";
	for (i = 0; i < nitems(mime_charset_alias); i++)
		if (strcmp(tmp, mime_charset_alias[i].label) == 0)
			return mime_charset_alias[i].name;
	return tmp;
}

static void
mime_cp1252_add(struct buf *b, const char *s, size_t n)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 i;

	for (i = 0; i < n; i++) {
		if (p[i] < 0x80)
			buf_addc(b, p[i]);
		else if (p[i] < 0xa0)
			mime_utf8_put(b, mime_cp1252[p[i] - 0x80]);
		else
			mime_utf8_put(b, p[i]);
	}
}

/* Converts with iconv; invalid input gives U+FFFD. -1: unknown charset. */
static int
mime_iconv_add(struct buf *b, const char *s, size_t n, const char *cs)
{
	iconv_t	 cd;
	char	 tmp[1024], *ip, *op;
	size_t	 il = n, ol, r;

	if ((cd = iconv_open("UTF-8", cs)) == (iconv_t)-1)
		return -1;
	/* iconv(3) takes char ** but does not write through it. */
	ip = (char *)(uintptr_t)s;
	while (il > 0) {
		op = tmp;
		ol = sizeof(tmp);
		r = iconv(cd, &ip, &il, &op, &ol);
		buf_add(b, tmp, sizeof(tmp) - ol);
		if (r != (size_t)-1 || errno == E2BIG)
			continue;
		mime_utf8_put(b, 0xfffd);
		if (errno != EILSEQ)
			break;		/* EINVAL: truncated at the end */
		ip++;
		il--;
	}
	op = tmp;
	ol = sizeof(tmp);
	iconv(cd, NULL, NULL, &op, &ol);
	buf_add(b, tmp, sizeof(tmp) - ol);
	iconv_close(cd);
	return 0;
}

/* Appends s converted from charset cs to UTF-8 (possibly invalid). */
static void
mime_conv_add(struct buf *b, const char *s, size_t n, const char *cs)
{
	char		 tmp[64];
	const char	*c;

	c = mime_charset_canon(cs, tmp, sizeof(tmp));
	if (strcmp(c, "auto") == 0)
		c = util_is_utf8(s, n) ? "utf-8" : "cp1252";
	if (strcmp(c, "utf-8") == 0)
		buf_add(b, s, n);
	else if (strcmp(c, "cp1252") == 0)
		mime_cp1252_add(b, s, n);
	else if (mime_iconv_add(b, s, n, c) == -1) {
		log_debug("mime: unknown charset \"%s\"", c);
		if (util_is_utf8(s, n))
			buf_add(b, s, n);
		else
			mime_cp1252_add(b, s, n);
	}
}

char *
mime_to_utf8_dup(const char *s, size_t n, const char *charset)
{
	struct buf	 raw, out;

	buf_init(&raw);
	buf_init(&out);
	mime_conv_add(&raw, s, n, charset);
	mime_utf8_clean(&out, raw.data != NULL ? raw.data : "", raw.len);
	buf_clear(&raw);
	return buf_release(&out);
}

/* libetpan's extended_charconv: see mime_init(). */
static int
mime_charconv_hook(const char *tocode, const char *fromcode,
    const char *str, size_t len, char *result, size_t *result_len)
{
	char	*s;
	size_t	 n;
	int	 rc = MAIL_CHARCONV_ERROR_UNKNOWN_CHARSET;

	if (strcasecmp(tocode, "utf-8") != 0 && strcasecmp(tocode, "utf8") != 0)
		return rc;
	s = mime_to_utf8_dup(str, len, fromcode);
	n = strlen(s);
	if (n > *result_len) {
		rc = MAIL_CHARCONV_ERROR_MEMORY;
		goto out;
	}
	memcpy(result, s, n);
	*result_len = n;
	rc = MAIL_CHARCONV_NO_ERROR;
out:
	free(s);
	return rc;
}

/*
 * Header values
 */

/* Appends one raw word of s at *idx and the white space after it. */
static void
mime_decode_raw_word(struct buf *b, const char *s, size_t n, size_t *idx)
{
	size_t	 i = *idx, end = *idx + 1;
	char	*w;

	while (end < n && !isspace((unsigned char)s[end]))
		end++;
	w = mime_to_utf8_dup(s + i, end - i, NULL);
	buf_adds(b, w);
	free(w);
	if (end < n) {
		buf_addc(b, ' ');
		while (end < n && isspace((unsigned char)s[end]))
			end++;
	}
	*idx = end;
}

/*
 * RFC 2047 6.2: libetpan decodes the encoded words, drops the white
 * space between adjacent ones and joins words split inside a UTF-8
 * sequence. It stops at a stray "=?" or gives up on a malformed word:
 * we then take one raw word and go on, so nothing is lost.
 */
char *
mime_decode_header_dup(const char *s)
{
	struct buf	 b, out;
	size_t		 n, idx = 0, start, i;
	char		*res;
	int		 r;

	mime_init();
	buf_init(&b);
	buf_init(&out);
	n = strlen(s);
	while (idx < n) {
		start = idx;
		res = NULL;
		r = mailmime_encoded_phrase_parse("us-ascii", s, n, &idx,
		    "utf-8", &res);
		if (r == MAILIMF_NO_ERROR && idx > start) {
			buf_adds(&b, res);
			free(res);
			continue;
		}
		free(res);
		idx = start;
		mime_decode_raw_word(&b, s, n, &idx);
	}
	/* No control characters in a header: fold them into spaces. */
	for (i = 0; i < b.len; i++)
		if ((unsigned char)b.data[i] < 0x20 || b.data[i] == 0x7f)
			b.data[i] = ' ';
	mime_utf8_clean(&out, b.data != NULL ? b.data : "", b.len);
	buf_clear(&b);
	res = buf_release(&out);
	util_trim(res);
	return res;
}

/*
 * Body text
 */

/* UTF-8 text with "\n" line ends and no NUL or other control bytes. */
static char *
mime_text_clean_dup(const char *s, size_t n)
{
	struct buf	 raw;
	size_t		 i;
	unsigned char	 c;
	char		*res;

	buf_init(&raw);
	for (i = 0; i < n; i++) {
		c = (unsigned char)s[i];
		if (c == '\r') {
			if (i + 1 < n && s[i + 1] == '\n')
				i++;
			buf_addc(&raw, '\n');
		} else if (c >= 0x20 || c == '\n' || c == '\t')
			buf_addc(&raw, c);
	}
	res = mime_to_utf8_dup(raw.data != NULL ? raw.data : "", raw.len,
	    "utf-8");
	buf_clear(&raw);
	return res;
}

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
 * HTML to text
 */

static void
mime_h2t_text(struct mime_h2t *h, const char *s, size_t n)
{
	int	 i;

	if (n == 0)
		return;
	if (h->bol) {
		/* Bounded: each level would cost 2 bytes on every line. */
		for (i = 0; i < h->quote && i < MIME_MAX_QUOTE; i++)
			buf_adds(&h->out, "> ");
		h->bol = false;
	} else if (h->space)
		buf_addc(&h->out, ' ');
	h->space = false;
	h->blank = false;
	h->newlines = 0;
	buf_add(&h->out, s, n);
}

/* hard: always break (<br>); else only end the current line. */
static void
mime_h2t_newline(struct mime_h2t *h, bool hard)
{
	/* "<p>&nbsp;</p>" is how Outlook writes a blank line. */
	if (!hard && h->bol && !h->blank)
		return;
	if (h->newlines >= 2 || h->out.len == 0)
		goto out;
	while (h->out.len > 0 && h->out.data[h->out.len - 1] == ' ')
		h->out.data[--h->out.len] = '\0';
	buf_addc(&h->out, '\n');
	h->newlines++;
out:
	h->bol = true;
	h->space = false;
	h->blank = false;
}

static void
mime_h2t_space(struct mime_h2t *h)
{
	if (!h->bol)
		h->space = true;
}

/* Decodes the entity at s[0] == '&'; returns the bytes consumed. */
static size_t
mime_h2t_entity(struct mime_h2t *h, const char *s, size_t n)
{
	struct buf	 b;
	char		 name[16];
	size_t		 i = 1, k;
	uint32_t	 cp = 0;
	int		 base = 10;

	if (i < n && s[i] == '#') {
		i++;
		if (i < n && (s[i] == 'x' || s[i] == 'X')) {
			base = 16;
			i++;
		}
		for (k = i; i < n && i - k < 8 && (base == 16 ?
		    isxdigit((unsigned char)s[i]) : isdigit((unsigned char)s[i]));
		    i++)
			cp = cp * (uint32_t)base + (uint32_t)(isdigit(
			    (unsigned char)s[i]) ? s[i] - '0' :
			    tolower((unsigned char)s[i]) - 'a' + 10);
		if (i == k)
			goto literal;
		if (i < n && s[i] == ';')
			i++;
		if (cp == 0)
			cp = 0xfffd;
		goto put;
	}
	for (k = 0; i < n && k + 1 < sizeof(name) &&
	    isalnum((unsigned char)s[i]); i++, k++)
		name[k] = s[i];
	name[k] = '\0';
	if (i >= n || s[i] != ';')
		goto literal;
	i++;
	for (k = 0; k < nitems(mime_entities); k++)
		if (strcmp(name, mime_entities[k].name) == 0)
			break;
	if (k == nitems(mime_entities))
		goto literal;
	if ((cp = mime_entities[k].cp) == 0)
		return i;
	if (cp == ' ') {		/* &nbsp; */
		if (h->bol)
			h->blank = true;
		mime_h2t_space(h);
		return i;
	}
put:
	buf_init(&b);
	mime_utf8_put(&b, cp);
	mime_h2t_text(h, b.data, b.len);
	buf_clear(&b);
	return i;
literal:
	mime_h2t_text(h, "&", 1);
	return 1;
}

/* Index of the first case-insensitive "needle" at or after i, or n. */
static size_t
mime_h2t_skip_to(const char *s, size_t n, size_t i, const char *needle)
{
	size_t	 k = strlen(needle);

	for (; i + k <= n; i++)
		if (strncasecmp(s + i, needle, k) == 0)
			return i;
	return n;
}

static void
mime_h2t_tag_action(struct mime_h2t *h, const char *name, bool close)
{
	size_t	 i;

	if (strcmp(name, "br") == 0) {
		mime_h2t_newline(h, true);
	} else if (strcmp(name, "hr") == 0) {
		mime_h2t_newline(h, false);
		mime_h2t_text(h, "-----", 5);
		mime_h2t_newline(h, false);
	} else if (strcmp(name, "blockquote") == 0) {
		mime_h2t_newline(h, false);
		h->quote += close ? (h->quote > 0 ? -1 : 0) : 1;
	} else if (strcmp(name, "pre") == 0) {
		mime_h2t_newline(h, false);
		h->pre += close ? (h->pre > 0 ? -1 : 0) : 1;
	} else if (strcmp(name, "td") == 0 || strcmp(name, "th") == 0) {
		mime_h2t_space(h);
	} else {
		for (i = 0; i < nitems(mime_block_tags); i++)
			if (strcmp(name, mime_block_tags[i]) == 0) {
				mime_h2t_newline(h, false);
				break;
			}
	}
}

/*
 * Handles the markup at s[0] == '<'; returns the bytes consumed. Drops
 * comments, declarations and the content of head, style, script, title.
 */
static size_t
mime_h2t_tag(struct mime_h2t *h, const char *s, size_t n)
{
	char	 name[16], quote = 0, prev = 0, end[20];
	size_t	 i = 1, k, j;
	bool	 close = false;

	if (n >= 4 && strncmp(s, "<!--", 4) == 0) {
		i = mime_h2t_skip_to(s, n, 4, "-->");
		return i < n ? i + 3 : n;
	}
	if (i < n && s[i] == '/') {
		close = true;
		i++;
	}
	if (i >= n || !(isalpha((unsigned char)s[i]) || s[i] == '!' ||
	    s[i] == '?')) {
		mime_h2t_text(h, "<", 1);
		return 1;
	}
	for (k = 0; i < n && isalnum((unsigned char)s[i]); i++)
		if (k + 1 < sizeof(name))
			name[k++] = (char)tolower((unsigned char)s[i]);
	name[k] = '\0';
	/* Up to '>', skipping quoted attribute values. */
	for (; i < n && (quote != 0 || s[i] != '>'); i++) {
		if (quote != 0 && s[i] == quote)
			quote = 0;
		else if (quote == 0 && prev == '=' &&
		    (s[i] == '"' || s[i] == '\''))
			quote = s[i];
		if (!isspace((unsigned char)s[i]))
			prev = s[i];
	}
	i = i < n ? i + 1 : n;
	for (k = 0; !close && k < nitems(mime_skip_tags); k++) {
		if (strcmp(name, mime_skip_tags[k]) != 0 ||
		    (h->noclose & (1U << k)) != 0)
			continue;
		snprintf(end, sizeof(end), "</%s", name);
		if ((j = mime_h2t_skip_to(s, n, i, end)) < n)
			return j;	/* the end tag is read next */
		/* None further on either: never search again. */
		h->noclose |= 1U << k;
		return i;
	}
	mime_h2t_tag_action(h, name, close);
	return i;
}

char *
mime_html_to_text_dup(const char *s, size_t n)
{
	struct mime_h2t	 h;
	size_t		 i = 0, k;
	char		*res;

	memset(&h, 0, sizeof(h));
	buf_init(&h.out);
	h.bol = true;
	while (i < n) {
		if (s[i] == '<')
			i += mime_h2t_tag(&h, s + i, n - i);
		else if (s[i] == '&')
			i += mime_h2t_entity(&h, s + i, n - i);
		else if (h.pre && s[i] == '\n') {
			mime_h2t_newline(&h, true);
			i++;
		} else if (isspace((unsigned char)s[i]) || s[i] == '\0') {
			if (h.pre && s[i] == ' ')
				mime_h2t_text(&h, " ", 1);
			else
				mime_h2t_space(&h);
			i++;
		} else {
			for (k = i; k < n && s[k] != '<' && s[k] != '&' &&
			    !isspace((unsigned char)s[k]) && s[k] != '\0'; k++)
				;
			mime_h2t_text(&h, s + i, k - i);
			i = k;
		}
	}
	while (h.out.len > 0 && (h.out.data[h.out.len - 1] == '\n' ||
	    h.out.data[h.out.len - 1] == ' '))
		h.out.data[--h.out.len] = '\0';
	if (h.out.len > 0)
		buf_addc(&h.out, '\n');
	res = mime_text_clean_dup(h.out.data != NULL ? h.out.data : "",
	    h.out.len);
	buf_clear(&h.out);
	return res;
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

/*
 * Envelope: addresses, ids, date
 */

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

/*
 * The MIME tree
 */

/* Lower-case "type/subtype"; text/plain when there is no Content-Type. */
static char *
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

/*
 * Building
 */

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
