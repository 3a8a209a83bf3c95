/*
 * tmpl.c: the reply texts. tmpl_load() reads every *.txt under
 * <dir>/da and <dir>/en into memory (at start and on SIGHUP, from
 * main.c); handlers and outbox.c call tmpl_render() to fill one in.
 * The struct tmpls owns every text; nothing here touches the disk
 * after the load.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "log.h"
#include "tmpl.h"
#include "util.h"

#define TMPL_MAX	(1024 * 1024)	/* bytes per file */

struct tmpl {
	char	 lang[3];
	char	*name;		/* "join.confirm" */
	char	*subject;	/* one line, trimmed */
	char	*body;		/* lines end in "\n" */
};

struct tmpls {
	struct tmpl	*v;
	size_t		 n;
};

/* The languages, Danish first: the order of the fallback too. */
static const char *const tmpl_langs[] = { "da", "en" };

static int	 tmpl_load_lang(struct tmpls *, const char *, const char *,
		    char *, size_t);
static int	 tmpl_load_file(struct tmpls *, const char *, const char *,
		    const char *, char *, size_t);
static int	 tmpl_is_name(const char *, size_t);
static int	 tmpl_cmp(const void *, const void *);
static const char *tmpl_parse(const char *, size_t, char **, char **);
static const struct tmpl *tmpl_find(const struct tmpls *, const char *,
		    const char *);
static char	*tmpl_rstrip_lines(char *);
static char	*tmpl_expand(const char *, const struct tvar *, int,
		    struct buf *);
static void	 tmpl_add_value(struct buf *, const char *, int);
static void	 tmpl_add_missing(struct buf *, const char *, size_t);

int
tmpl_load(const char *dir, struct tmpls **out, char *err, size_t errlen)
{
	struct tmpls	*t;
	size_t		 i;
	int		 rc = -1;

	*out = NULL;
	if (errlen > 0)
		err[0] = '\0';
	t = xcalloc(1, sizeof(*t));
	for (i = 0; i < nitems(tmpl_langs); i++)
		if (tmpl_load_lang(t, dir, tmpl_langs[i], err, errlen) == -1)
			goto out;
	*out = t;
	t = NULL;
	rc = 0;
out:
	tmpl_free(t);
	return rc;
}

void
tmpl_free(struct tmpls *t)
{
	size_t	 i;

	if (t == NULL)
		return;
	for (i = 0; i < t->n; i++) {
		free(t->v[i].name);
		free(t->v[i].subject);
		free(t->v[i].body);
	}
	free(t->v);
	free(t);
}

bool
tmpl_has(const struct tmpls *t, const char *lang, const char *name)
{
	return tmpl_find(t, lang, name) != NULL;
}

/*
 * Drops the blanks at the end of each line, in place: a greeting
 * "Hej {{name}}" to someone whose name ffnet does not know reads
 * "Hej", not "Hej ". A signature separator "-- " (RFC 3676 4.3) in a
 * member's text keeps its blank.
 */
static char *
tmpl_rstrip_lines(char *s)
{
	char	*r = s, *w = s, *line = s, *blank = NULL;

	for (; *r != '\0'; r++) {
		if (*r == '\n' && blank != NULL &&
		    !(w - line == 3 && strncmp(line, "-- ", 3) == 0))
			w = blank;
		if (*r == ' ' || *r == '\t') {
			if (blank == NULL)
				blank = w;
		} else
			blank = NULL;
		*w++ = *r;
		if (*r == '\n')
			line = w;
	}
	*(blank != NULL ? blank : w) = '\0';
	return s;
}

int
tmpl_render(const struct tmpls *t, const char *lang, const char *name,
    const struct tvar *vars, char **subject, char **body)
{
	const struct tmpl	*tp;
	struct buf		 missing;
	const char		*other;

	*subject = *body = NULL;
	/* The language asked for, then the other one; Danish first. */
	if (lang == NULL || strcmp(lang, "en") != 0)
		lang = "da";
	other = strcmp(lang, "da") == 0 ? "en" : "da";
	if ((tp = tmpl_find(t, lang, name)) == NULL &&
	    (tp = tmpl_find(t, other, name)) == NULL)
		return -1;

	buf_init(&missing);
	*subject = util_trim(tmpl_expand(tp->subject, vars, 1, &missing));
	*body = tmpl_rstrip_lines(tmpl_expand(tp->body, vars, 0, &missing));
	if (missing.len > 0)
		log_warnx("template %s/%s: no value for %s", tp->lang,
		    tp->name, missing.data);
	buf_clear(&missing);
	return 0;
}

/* Loads dir/lang/ *.txt, in name order so that errors are stable. */
static int
tmpl_load_lang(struct tmpls *t, const char *dir, const char *lang,
    char *err, size_t errlen)
{
	DIR		*d = NULL;
	struct dirent	*de;
	char		*path, **names = NULL;
	size_t		 n = 0, i, len;
	int		 rc = -1;

	path = xasprintf("%s/%s", dir, lang);
	if ((d = opendir(path)) == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto out;
	}
	while ((de = readdir(d)) != NULL) {
		len = strlen(de->d_name);
		if (de->d_name[0] == '.' || len <= 4 ||
		    strcmp(de->d_name + len - 4, ".txt") != 0)
			continue;
		names = xrealloc(names, (n + 1) * sizeof(*names));
		names[n++] = xstrdup(de->d_name);
	}
	if (n > 0)
		qsort(names, n, sizeof(*names), tmpl_cmp);
	for (i = 0; i < n; i++)
		if (tmpl_load_file(t, path, lang, names[i], err, errlen) == -1)
			goto out;
	rc = 0;
out:
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	if (d != NULL)
		closedir(d);
	free(path);
	return rc;
}

static int
tmpl_load_file(struct tmpls *t, const char *dirpath, const char *lang,
    const char *fname, char *err, size_t errlen)
{
	struct tmpl	*tp;
	struct stat	 st;
	const char	*why = NULL;
	char		*path, *data = NULL, *subject = NULL, *body = NULL;
	size_t		 namelen = strlen(fname) - 4;
	ssize_t		 n = 0;
	int		 fd, rc = -1;

	path = xasprintf("%s/%s", dirpath, fname);
	data = xmalloc(TMPL_MAX + 1);
	if ((fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)) == -1 ||
	    fstat(fd, &st) == -1)
		why = strerror(errno);
	else if (!S_ISREG(st.st_mode))
		why = "not a regular file";
	else if (!tmpl_is_name(fname, namelen))
		why = "the name may hold only a-z, 0-9, '.', '_' and '-'";
	else if ((n = read(fd, data, TMPL_MAX + 1)) == -1)
		why = strerror(errno);
	else if (n > TMPL_MAX)
		why = "larger than 1 MiB";
	else
		why = tmpl_parse(data, (size_t)n, &subject, &body);
	if (why != NULL) {
		snprintf(err, errlen, "%s: %s", path, why);
		goto out;
	}
	t->v = xrealloc(t->v, (t->n + 1) * sizeof(*t->v));
	tp = &t->v[t->n++];
	memcpy(tp->lang, lang, sizeof(tp->lang));
	tp->name = xstrndup(fname, namelen);
	tp->subject = subject;
	tp->body = body;
	subject = body = NULL;
	rc = 0;
out:
	if (fd != -1)
		close(fd);
	free(subject);
	free(body);
	free(data);
	free(path);
	return rc;
}

static int
tmpl_is_name(const char *s, size_t len)
{
	size_t	 i;

	for (i = 0; i < len; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '.' ||
		    s[i] == '_' || s[i] == '-'))
			return 0;
	return len > 0;
}

static int
tmpl_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * Splits a text into its subject and body: "Subject: …" or "Emne: …",
 * an empty line, the body. Line ends become "\n"; a UTF-8 byte order
 * mark goes. Returns NULL, or why the text is refused.
 */
static const char *
tmpl_parse(const char *data, size_t len, char **subject, char **body)
{
	struct buf	 b;
	const char	*why = NULL, *s, *nl;
	size_t		 i;

	buf_init(&b);
	if (memchr(data, '\0', len) != NULL)
		why = "contains a NUL byte";
	else if (!util_is_utf8(data, len))
		why = "not valid UTF-8";
	if (why != NULL)
		goto out;
	i = len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0 ? 3 : 0;
	for (; i < len; i++) {
		if (data[i] == '\r' && i + 1 < len && data[i + 1] == '\n')
			continue;
		buf_addc(&b, data[i] == '\r' ? '\n' : data[i]);
	}
	s = b.data != NULL ? b.data : "";
	if (strncasecmp(s, "Subject:", 8) == 0)
		s += 8;
	else if (strncasecmp(s, "Emne:", 5) == 0)
		s += 5;
	else {
		why = "the first line must be a Subject: or Emne: line";
		goto out;
	}
	if ((nl = strchr(s, '\n')) == NULL || nl[1] != '\n') {
		why = "the Subject line must be followed by an empty line";
		goto out;
	}
	*subject = util_trim(xstrndup(s, (size_t)(nl - s)));
	if (**subject == '\0') {
		free(*subject);
		*subject = NULL;
		why = "the Subject is empty";
		goto out;
	}
	*body = xstrdup(nl + 2);
out:
	buf_clear(&b);
	return why;
}

static const struct tmpl *
tmpl_find(const struct tmpls *t, const char *lang, const char *name)
{
	size_t	 i;

	if (t == NULL || lang == NULL || name == NULL)
		return NULL;
	for (i = 0; i < t->n; i++)
		if (strcmp(t->v[i].lang, lang) == 0 &&
		    strcmp(t->v[i].name, name) == 0)
			return &t->v[i];
	return NULL;
}

/*
 * Replaces each {{key}} (key: [a-z0-9_]+) with its value, in one pass:
 * a value's own "{{…}}" stays as it is. Anything else is copied. Keys
 * without a value render as "" and are added to missing.
 * Returns a new string; caller frees.
 */
static char *
tmpl_expand(const char *src, const struct tvar *vars, int subject,
    struct buf *missing)
{
	struct buf		 b;
	const struct tvar	*v;
	const char		*p, *q, *one = NULL, *bar = NULL;
	size_t			 klen;

	buf_init(&b);
	while ((p = strstr(src, "{{")) != NULL) {
		buf_add(&b, src, (size_t)(p - src));
		for (q = p + 2; (*q >= 'a' && *q <= 'z') ||
		    (*q >= '0' && *q <= '9') || *q == '_'; q++)
			;
		klen = (size_t)(q - p - 2);
		/* {{count|modtager|modtagere}}: the word for the number */
		one = NULL;
		if (klen > 0 && q[0] == '|' &&
		    (bar = strpbrk(q + 1, "|\n}")) != NULL && *bar == '|' &&
		    (one = strpbrk(bar + 1, "|\n}")) != NULL &&
		    strncmp(one, "}}", 2) == 0) {
			const char *end = one;

			one = q + 1;
			q = end;
		} else
			one = NULL;
		if (klen == 0 || q[0] != '}' || q[1] != '}') {
			buf_addc(&b, '{');	/* "{{{x}}}" keeps a '{' */
			src = p + 1;
			continue;
		}
		for (v = vars; v != NULL && v->key != NULL; v++)
			if (strncmp(v->key, p + 2, klen) == 0 &&
			    v->key[klen] == '\0')
				break;
		if (v == NULL || v->key == NULL)
			tmpl_add_missing(missing, p + 2, klen);
		else if (one != NULL && strcmp(v->value, "1") == 0)
			buf_add(&b, one, (size_t)(bar - one));
		else if (one != NULL)
			buf_add(&b, bar + 1, (size_t)(q - bar - 1));
		else
			tmpl_add_value(&b, v->value, subject);
		src = q + 2;
	}
	buf_adds(&b, src);
	return buf_release(&b);
}

/*
 * A value: in the subject a line end becomes a space (a header is one
 * line); in the body line ends become "\n" like the text's own.
 */
static void
tmpl_add_value(struct buf *b, const char *v, int subject)
{
	if (v == NULL)
		return;
	for (; *v != '\0'; v++) {
		if (*v == '\r' && v[1] == '\n')
			continue;
		if (*v == '\r' || *v == '\n')
			buf_addc(b, subject ? ' ' : '\n');
		else
			buf_addc(b, *v);
	}
}

/* Adds a key to the comma-separated list, once. */
static void
tmpl_add_missing(struct buf *missing, const char *key, size_t len)
{
	const char	*p = missing->data;
	size_t		 n;

	while (p != NULL && *p != '\0') {
		n = strcspn(p, ",");
		if (n == len && strncmp(p, key, len) == 0)
			return;
		p += n;
		p += strspn(p, ", ");
	}
	if (missing->len > 0)
		buf_adds(missing, ", ");
	buf_add(missing, key, len);
}
