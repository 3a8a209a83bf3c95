/*
 * html.c: the text of an HTML part, for mail that has no text/plain
 * (Outlook on the phone, some web forms). A small tag scanner, not an
 * HTML parser: blocks give line breaks, <blockquote> gives "> ",
 * <script>, <style> and <head> are dropped, and the entities that
 * Danish and English mail uses are decoded. The result goes through
 * mime_text_clean_dup() like any text part.
 */
#include <sys/types.h>

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mime.h"
#include "mime_int.h"
#include "util.h"

/* Blockquote levels shown as "> " in text from HTML. */
#define MIME_MAX_QUOTE		8

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

static void	 mime_h2t_text(struct mime_h2t *, const char *, size_t);
static void	 mime_h2t_newline(struct mime_h2t *, bool);
static void	 mime_h2t_space(struct mime_h2t *);
static size_t	 mime_h2t_entity(struct mime_h2t *, const char *, size_t);
static size_t	 mime_h2t_skip_to(const char *, size_t, size_t,
		    const char *);
static void	 mime_h2t_tag_action(struct mime_h2t *, const char *, bool);
static size_t	 mime_h2t_tag(struct mime_h2t *, const char *, size_t);

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
