/*
 * members.c: the secretariat's member tools on the command line
 * ("ffnet -c FILE members …" and "member …"; main.c calls members_main()
 * with the store open), the member list as CSV for Danish Excel (also
 * for MEDLEMMER by mail) and the reader of the network's own list. Each
 * change is one transaction with its audit and consent rows, and with
 * the welcome mail when asked for, which the daemon's outbox sends.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "compose.h"
#include "conf.h"
#include "env.h"
#include "log.h"
#include "members.h"
#include "mime.h"
#include "store.h"
#include "tmpl.h"
#include "util.h"

#define MEMBERS_FILE_MAX	(8 * 1024 * 1024)	/* bytes of a list */

enum members_opt {
	MO_CSV = 1, MO_STATUS, MO_NAME, MO_ORG, MO_CONSENT, MO_WELCOME,
	MO_LANG, MO_DRY_RUN,
};

static const struct option members_opts[] = {
	{ "csv",	no_argument,		NULL, MO_CSV },
	{ "status",	required_argument,	NULL, MO_STATUS },
	{ "name",	required_argument,	NULL, MO_NAME },
	{ "org",	required_argument,	NULL, MO_ORG },
	{ "consent",	required_argument,	NULL, MO_CONSENT },
	{ "welcome",	no_argument,		NULL, MO_WELCOME },
	{ "lang",	required_argument,	NULL, MO_LANG },
	{ "dry-run",	no_argument,		NULL, MO_DRY_RUN },
	{ NULL, 0, NULL, 0 },
};

struct members_cli {
	const struct env	*env;
	time_t			 now;
	bool			 csv, welcome, dry_run;
	const char		*status, *name, *org, *consent, *lang;
};

/*
 * The header names an imported list may use, folded (util_fold_dup)
 * and without spaces and dashes: "E-mail", "Email" and "E-mail adresse"
 * are one name each.
 */
static const char *const members_addr_names[] = {
	"email", "mail", "emailadresse", "adresse",
};
static const char *const members_name_names[] = { "navn", "name" };
static const char *const members_org_names[] = {
	"organisation", "virksomhed", "organization", "firma", "company",
};

/* A record's fields while it is read. */
struct members_fields {
	char	**v;
	size_t	 n;
};

static int	 members_options(struct members_cli *, int, char **);
static int	 members_list(struct members_cli *);
static int	 members_show(struct members_cli *, const char *);
static int	 members_former(struct members_cli *, const char *,
		    struct member *);
static int	 members_add_one(struct members_cli *, const char *,
		    const char *, const char *, const char *);
static int	 members_add(struct members_cli *, const char *);
static int	 members_change(struct members_cli *, const char *,
		    const char *);
static int	 members_import(struct members_cli *, const char *);
static char	*members_read_dup(const char *, size_t *);
static char	 members_sep(const char *);
static bool	 members_record(const char **, char, size_t *,
		    struct members_fields *);
static void	 members_fields_clear(struct members_fields *);
static char	*members_cell_dup(const struct members_fields *, int);
static int	 members_column(const struct members_fields *,
		    const char *const *, size_t);
static int	 members_usage(void);

static int
members_options(struct members_cli *c, int argc, char **argv)
{
	int	 ch;

	optind = 0;	/* a fresh scan; main's "+" does not apply here */
	while ((ch = getopt_long(argc, argv, "", members_opts, NULL)) != -1) {
		switch (ch) {
		case MO_CSV:
			c->csv = true;
			break;
		case MO_STATUS:
			c->status = optarg;
			break;
		case MO_NAME:
			c->name = optarg;
			break;
		case MO_ORG:
			c->org = optarg;
			break;
		case MO_CONSENT:
			c->consent = optarg;
			break;
		case MO_WELCOME:
			c->welcome = true;
			break;
		case MO_LANG:
			c->lang = optarg;
			break;
		case MO_DRY_RUN:
			c->dry_run = true;
			break;
		default:
			return -1;
		}
	}
	if (optind != argc)
		return -1;
	if (c->lang != NULL && strcmp(c->lang, "da") != 0 &&
	    strcmp(c->lang, "en") != 0)
		return -1;
	if (c->status != NULL && strcmp(c->status, "active") != 0 &&
	    strcmp(c->status, "paused") != 0 &&
	    strcmp(c->status, "pending") != 0 && strcmp(c->status, "left") != 0)
		return -1;
	return 0;
}

void
members_date(time_t t, bool with_time, char *buf, size_t len)
{
	struct tm	 tm;

	if (t == 0 || localtime_r(&t, &tm) == NULL || strftime(buf, len,
	    with_time ? "%Y-%m-%d %H:%M" : "%Y-%m-%d", &tm) == 0)
		snprintf(buf, len, "-");
}

char *
members_csv_dup(struct store *st, const struct tmpls *t, const char *lang,
    const char *status, time_t now)
{
	struct member	*v = NULL;
	struct buf	 b;
	char		 since[32];
	size_t		 n = 0, i;

	if (store_member_list(st, status, now, &v, &n) == -1)
		return NULL;
	buf_init(&b);
	cli_csv_header(&b, t, lang, "members.csv");
	for (i = 0; i < n; i++) {
		members_date(v[i].joined, false, since, sizeof(since));
		cli_csv_field(&b, v[i].addr, false);
		cli_csv_field(&b, v[i].name, false);
		cli_csv_field(&b, v[i].org, false);
		cli_csv_field(&b, v[i].status, false);
		cli_csv_field(&b, since, true);
	}
	members_free(v, n);
	return buf_release(&b);
}

int
members_count(struct store *st, time_t now, struct members_counts *k)
{
	struct member	*v = NULL;
	size_t		 n = 0;

	memset(k, 0, sizeof(*k));
	if (store_member_count(st, "active", &k->active) == -1 ||
	    store_member_count(st, "paused", &k->paused) == -1 ||
	    store_member_list(st, "pending", now, &v, &n) == -1)
		return -1;
	k->pending = (int64_t)n;
	members_free(v, n);
	return 0;
}

/* members [--csv] [--status S]: a table, or the CSV. */
static int
members_list(struct members_cli *c)
{
	struct member	*v = NULL;
	char		*csv, since[32];
	size_t		 n = 0, i;

	if (c->csv) {
		if ((csv = members_csv_dup(c->env->st, c->env->tmpls,
			 c->env->conf->language, c->status, c->now)) == NULL)
			return 1;
		fputs(csv, stdout);
		free(csv);
		return 0;
	}
	if (store_member_list(c->env->st, c->status, c->now, &v, &n) == -1)
		return 1;
	for (i = 0; i < n; i++) {
		members_date(v[i].joined, false, since, sizeof(since));
		printf("%-40s %-7s %s  %s | %s\n", v[i].addr, v[i].status,
		    since, v[i].name ? v[i].name : "-",
		    v[i].org ? v[i].org : "-");
	}
	members_free(v, n);
	return 0;
}

/*
 * One who is no member, among those waiting to confirm or those who
 * left: 1 found (m filled; caller clears), 0 not, -1 error.
 */
static int
members_former(struct members_cli *c, const char *addr, struct member *m)
{
	static const char *const which[] = { "pending", "left" };
	struct member	*v = NULL;
	size_t		 n, i, k;
	int		 found = 0;

	for (k = 0; k < nitems(which) && !found; k++) {
		if (store_member_list(c->env->st, which[k], c->now, &v, &n) ==
		    -1)
			return -1;
		for (i = 0; i < n && !found; i++)
			if (strcmp(v[i].addr, addr) == 0) {
				*m = v[i];
				memset(&v[i], 0, sizeof(v[i]));
				found = 1;
			}
		members_free(v, n);
	}
	return found;
}

/* member show ADDRESS: everything held about the address. */
static int
members_show(struct members_cli *c, const char *addr)
{
	static const struct {
		const char	*kind, *title;
	} sections[] = { { "status", "history" }, { "consent", "consent" },
	    { "confirmation", "confirmation" },
	    { "registration", "registrations" }, { "idea", "ideas" },
	    { "interest", "interests" }, { "bounce", "bounces" },
	    { "mail-in", "mails from" }, { "mail-out", "mails to" },
	    { "list", "list mails to" } };
	struct member		 m;
	struct member_fact	*v = NULL;
	char			 when[32];
	size_t			 n = 0, i, k, shown;
	int			 r, rc = 1;

	/* store_member_get() clears m first, so m is always cleared */
	if ((r = store_member_get(c->env->st, addr, &m)) == -1 ||
	    (r == 0 && (r = members_former(c, addr, &m)) == -1) ||
	    store_member_facts(c->env->st, addr, &v, &n) == -1)
		goto out;
	if (r == 0 && n == 0) {
		fprintf(stderr, "ffnet: %s: unknown address\n", addr);
		goto out;
	}
	members_date(m.joined, false, when, sizeof(when));
	printf("address: %s\nname: %s\norganisation: %s\nlanguage: %s\n"
	    "status: %s%s%s\n", addr, m.name ? m.name : "-",
	    m.org ? m.org : "-", m.lang && *m.lang ? m.lang : "-",
	    r ? m.status : "not a member", r ? " since " : "", r ? when : "");
	for (k = 0; k < nitems(sections); k++) {
		printf("%s:\n", sections[k].title);
		for (i = shown = 0; i < n; i++) {
			if (strcmp(v[i].kind, sections[k].kind) != 0)
				continue;
			members_date(v[i].at, true, when, sizeof(when));
			printf("  %s  %s", when, v[i].a ? v[i].a : "-");
			if (v[i].b != NULL)
				printf("  %s", v[i].b);
			if (v[i].c != NULL)
				printf("  %s", v[i].c);
			if (v[i].d != NULL)
				printf("  note: %s", v[i].d);
			printf("\n");
			shown++;
		}
		if (shown == 0)
			printf("  none\n");
	}
	rc = 0;
 out:
	member_clear(&m);
	member_facts_free(v, n);
	return rc;
}

/*
 * Adds one member in the caller's transaction: the member, an audit
 * row ("added" or "imported", with the name, as "joined" has), the
 * consent, and with --welcome the welcome mail of a confirmed join.
 */
static int
members_add_one(struct members_cli *c, const char *addr, const char *name,
    const char *org, const char *source)
{
	const char	*lang = c->lang ? c->lang : c->env->conf->language;

	if (store_member_add(c->env->st, addr, name, org, lang, c->now) == -1 ||
	    store_audit(c->env->st, addr, strcmp(source, "add") == 0 ? "added" :
	    "imported", name, c->now) == -1 ||
	    store_consent_add(c->env->st, addr, source, NULL, c->consent,
	    c->now) == -1)
		return -1;
	if (c->welcome) {
		struct outmail		 o;
		const struct tvar	 v[] = { { "name", name ? name : "" },
		    { NULL, NULL } };

		memset(&o, 0, sizeof(o));
		o.to = addr;
		o.to_name = name;
		o.lang = lang;
		o.tmpl = "join.welcome";
		o.vars = v;
		o.kind = "reply";
		if (compose_mail(c->env, &o, c->now, NULL) == -1)
			return -1;
	}
	return 0;
}

/* member add ADDRESS --consent TEXT [--name N] [--org O] [--welcome] */
static int
members_add(struct members_cli *c, const char *addr)
{
	struct member	 m;
	int		 r;

	if (!util_is_addr(addr)) {
		fprintf(stderr, "ffnet: %s: not a valid address\n", addr);
		return 1;
	}
	if ((r = store_member_get(c->env->st, addr, &m)) == -1)
		return 1;
	member_clear(&m);
	if (r == 1) {
		fprintf(stderr, "ffnet: %s: already a member\n", addr);
		return 1;
	}
	if (store_begin(c->env->st) == -1 ||
	    members_add_one(c, addr, c->name, c->org, "add") == -1 ||
	    store_commit(c->env->st) == -1) {
		store_rollback(c->env->st);
		fprintf(stderr, "ffnet: %s: not added\n", addr);
		return 1;
	}
	printf("%s: added%s\n", addr, c->welcome ? "; welcome mail queued" :
	    "");
	log_info("%s added by the secretariat", addr);
	return 0;
}

/* member set|pause|resume|remove ADDRESS: one transaction with audit. */
static int
members_change(struct members_cli *c, const char *verb, const char *addr)
{
	struct member	 m;
	char		*detail = NULL;
	const char	*done = verb, *no = NULL;
	int		 r, rc = 1;

	if ((r = store_member_get(c->env->st, addr, &m)) != 1) {
		if (r == 0)
			fprintf(stderr, "ffnet: %s: not a member\n", addr);
		return 1;
	}
	if (strcmp(verb, "pause") == 0 && strcmp(m.status, "active") != 0)
		no = "not active";
	else if (strcmp(verb, "resume") == 0 && strcmp(m.status, "paused") != 0)
		no = "not paused";
	if (no != NULL) {
		fprintf(stderr, "ffnet: %s: %s\n", addr, no);
		goto out;
	}
	if (store_begin(c->env->st) == -1)
		goto fail;
	if (strcmp(verb, "set") == 0) {
		detail = xasprintf("%s%s%s%s%s", c->name ? "name: " : "",
		    c->name ? c->name : "", c->name && c->org ? "; " : "",
		    c->org ? "org: " : "", c->org ? c->org : "");
		r = store_member_set(c->env->st, addr, c->name, c->org);
		done = "changed";
	} else if (strcmp(verb, "pause") == 0) {
		r = store_member_set_status(c->env->st, addr, "paused");
		done = "paused";
	} else if (strcmp(verb, "resume") == 0) {
		r = store_member_set_status(c->env->st, addr, "active");
		if (r == 0)
			r = store_bounce_clear(c->env->st, addr);
		done = "resumed";
	} else {
		/* as a leave does (confirm.c): the row goes, the audit stays */
		r = store_member_delete(c->env->st, addr);
		done = "removed";
	}
	if (r == -1 || store_audit(c->env->st, addr, done, detail ? detail :
	    "secretariat", c->now) == -1 || store_commit(c->env->st) == -1)
		goto fail;
	printf("%s: %s\n", addr, done);
	log_info("%s %s by the secretariat", addr, done);
	rc = 0;
	goto out;
 fail:
	store_rollback(c->env->st);
	fprintf(stderr, "ffnet: %s: not %s\n", addr, done);
 out:
	free(detail);
	member_clear(&m);
	return rc;
}

/* The whole file, NUL-terminated; NULL with a line on stderr. */
static char *
members_read_dup(const char *path, size_t *len)
{
	FILE		*f;
	struct buf	 b;
	char		 chunk[8192];
	size_t		 n;
	bool		 bad;

	if ((f = fopen(path, "rb")) == NULL) {
		fprintf(stderr, "ffnet: %s: %s\n", path, strerror(errno));
		return NULL;
	}
	buf_init(&b);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0 &&
	    b.len <= MEMBERS_FILE_MAX)
		buf_add(&b, chunk, n);
	bad = ferror(f) || b.len > MEMBERS_FILE_MAX;
	fclose(f);
	if (bad) {
		fprintf(stderr, "ffnet: %s: %s\n", path, b.len >
		    MEMBERS_FILE_MAX ? "too large for a member list" :
		    "read error");
		buf_clear(&b);
		return NULL;
	}
	*len = b.len;
	return buf_release(&b);
}

/*
 * member import FILE --consent TEXT [--dry-run] [--welcome]. All or
 * nothing: one invalid address or duplicate and nothing is imported;
 * those already members are passed over.
 */
static int
members_import(struct members_cli *c, const char *path)
{
	struct members_file	 f;
	struct member		 m;
	char			*data = NULL, err[256];
	bool			*add = NULL;
	size_t			 len = 0, i, j, added = 0, known = 0, bad = 0;
	size_t			 dups = 0;
	int			 r, rc = 1;

	memset(&f, 0, sizeof(f));
	if ((data = members_read_dup(path, &len)) == NULL)
		goto out;
	if (members_csv_parse(data, len, &f, err, sizeof(err)) == -1) {
		fprintf(stderr, "ffnet: %s: %s\n", path, err);
		goto out;
	}
	add = xcalloc(f.n + 1, sizeof(*add));
	for (i = 0; i < f.n; i++) {
		const struct members_row *w = &f.v[i];

		for (j = 0; j < i && strcmp(f.v[j].addr, w->addr) != 0; j++)
			;
		if (!util_is_addr(w->addr)) {
			printf("line %zu: %s: invalid address\n", w->line,
			    *w->addr ? w->addr : "(empty)");
			bad++;
		} else if (j < i) {
			printf("line %zu: %s: duplicate in the file (first on "
			    "line %zu)\n", w->line, w->addr, f.v[j].line);
			dups++;
		} else if ((r = store_member_get(c->env->st, w->addr, &m)) ==
		    -1)
			goto out;
		else {
			member_clear(&m);
			printf("line %zu: %s: %s\n", w->line, w->addr, r ?
			    "already a member" : "added");
			add[i] = r == 0;
			known += r;
			added += r == 0;
		}
	}
	printf("%zu added, %zu already members, %zu invalid, %zu duplicates\n",
	    added, known, bad, dups);
	if (bad + dups > 0) {
		printf("nothing imported; fix the lines above\n");
		goto out;
	}
	if (c->dry_run) {
		printf("dry run: nothing imported\n");
		rc = 0;
		goto out;
	}
	if (store_begin(c->env->st) == -1)
		goto fail;
	for (i = 0; i < f.n; i++)
		if (add[i] && members_add_one(c, f.v[i].addr, f.v[i].name,
		    f.v[i].org, "import") == -1)
			goto fail;
	if (store_commit(c->env->st) == -1)
		goto fail;
	log_info("%zu members imported from %s", added, path);
	rc = 0;
	goto out;
 fail:
	store_rollback(c->env->st);
	printf("nothing imported: the store failed\n");
 out:
	free(add);
	free(data);
	members_file_clear(&f);
	return rc;
}

/*
 * The separator of the header line: ";" or ",", whichever it has more
 * of outside quotes (Danish Excel writes ";", others ",").
 */
static char
members_sep(const char *p)
{
	size_t	 semi = 0, comma = 0;
	bool	 quoted = false;

	while (*p == '\r' || *p == '\n' || *p == ' ' || *p == '\t')
		p++;
	for (; *p != '\0' && (quoted || (*p != '\r' && *p != '\n')); p++) {
		if (*p == '"')
			quoted = !quoted;
		else if (!quoted && *p == ';')
			semi++;
		else if (!quoted && *p == ',')
			comma++;
	}
	return comma > semi ? ',' : ';';
}

/*
 * Reads the record at *pp into f (RFC 4180: a field that starts with a
 * quote runs to the closing quote, "" is a quote, line breaks inside
 * stay) and moves past its line end; *line counts the lines passed.
 * false at the end of the text.
 */
static bool
members_record(const char **pp, char sep, size_t *line,
    struct members_fields *f)
{
	const char	*p = *pp;
	struct buf	 b;
	bool		 quoted = false, start = true;

	if (*p == '\0')
		return false;
	buf_init(&b);
	for (;;) {
		if (quoted && *p == '\0')
			quoted = false;		/* unclosed: take what came */
		if (quoted) {
			if (*p == '"' && p[1] != '"') {
				quoted = false;
				p++;
				continue;
			}
			if (*p == '"' || (*p == '\r' && p[1] == '\n'))
				p++;	/* "" is a quote; CRLF a line break */
			if (*p == '\n' || *p == '\r')
				(*line)++;
			buf_addc(&b, *p++);
			continue;
		}
		if (*p == '"' && start) {
			quoted = true;
			start = false;
			p++;
			continue;
		}
		if (*p == sep || *p == '\0' || *p == '\r' || *p == '\n') {
			f->v = xrealloc(f->v, (f->n + 1) * sizeof(*f->v));
			f->v[f->n++] = xstrdup(util_trim(b.data ? b.data : ""));
			buf_clear(&b);
			start = true;
			if (*p == sep) {
				p++;
				continue;
			}
			break;
		}
		start = false;
		buf_addc(&b, *p++);
	}
	if (*p == '\r' && p[1] == '\n')
		p++;
	if (*p != '\0') {
		p++;
		(*line)++;
	}
	*pp = p;
	return true;
}

static void
members_fields_clear(struct members_fields *f)
{
	size_t	 i;

	for (i = 0; i < f->n; i++)
		free(f->v[i]);
	free(f->v);
	f->v = NULL;
	f->n = 0;
}

/* The first column whose header is one of names, or -1. */
static int
members_column(const struct members_fields *hdr, const char *const *names,
    size_t nnames)
{
	char	*h, *p, *q;
	size_t	 i, k;
	int	 col = -1;

	for (i = 0; i < hdr->n && col == -1; i++) {
		h = util_fold_dup(hdr->v[i]);
		for (p = q = h; *p != '\0'; p++)
			if (*p != ' ' && *p != '-')
				*q++ = *p;
		*q = '\0';
		for (k = 0; k < nnames; k++)
			if (strcmp(h, names[k]) == 0)
				col = (int)i;
		free(h);
	}
	return col;
}

int
members_csv_parse(const char *data, size_t len, struct members_file *out,
    char *err, size_t errlen)
{
	struct members_fields	 f;
	struct members_row	*w;
	const char		*p;
	char			*text, sep;
	size_t			 line = 1, at, k;
	int			 col[3] = { -1, -1, -1 }, rc = -1;
	bool			 header = true, blank;

	memset(out, 0, sizeof(*out));
	memset(&f, 0, sizeof(f));
	if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0)
		data += 3, len -= 3;
	/* not UTF-8: Windows-1252, as Excel's "CSV" saves in Denmark */
	text = mime_to_utf8_dup(data, len, NULL);
	sep = members_sep(text);
	for (p = text, at = line; members_record(&p, sep, &line, &f);
	    members_fields_clear(&f), at = line) {
		for (k = 0, blank = true; k < f.n; k++)
			blank = blank && f.v[k][0] == '\0';
		if (blank)
			continue;
		if (header) {
			col[0] = members_column(&f, members_addr_names,
			    nitems(members_addr_names));
			col[1] = members_column(&f, members_name_names,
			    nitems(members_name_names));
			col[2] = members_column(&f, members_org_names,
			    nitems(members_org_names));
			header = false;
			if (col[0] == -1)
				break;
			continue;
		}
		out->v = xrealloc(out->v, (out->n + 1) * sizeof(*out->v));
		w = &out->v[out->n++];
		w->line = at;
		w->addr = util_addr_norm_dup((size_t)col[0] < f.n ?
		    f.v[col[0]] : "");
		w->name = members_cell_dup(&f, col[1]);
		w->org = members_cell_dup(&f, col[2]);
	}
	members_fields_clear(&f);
	if (header)
		snprintf(err, errlen, "no header row: the file is empty");
	else if (col[0] == -1)
		snprintf(err, errlen, "no address column: the header row must "
		    "name one of E-mail, Email, Mail, E-mailadresse, Adresse");
	else
		rc = 0;
	if (rc == -1)
		members_file_clear(out);
	free(text);
	return rc;
}

/*
 * A name or organisation cell, or NULL when empty or absent; without
 * the ' that cli_csv_field() puts before a formula-like cell.
 */
static char *
members_cell_dup(const struct members_fields *f, int col)
{
	const char	*s;

	if (col == -1 || (size_t)col >= f->n || *(s = f->v[col]) == '\0')
		return NULL;
	if (s[0] == '\'' && s[1] != '\0' && strchr(CLI_CSV_FORMULA, s[1]))
		s++;
	return xstrdup(s);
}

void
members_file_clear(struct members_file *f)
{
	size_t	 i;

	for (i = 0; i < f->n; i++) {
		free(f->v[i].addr);
		free(f->v[i].name);
		free(f->v[i].org);
	}
	free(f->v);
	memset(f, 0, sizeof(*f));
}

static int
members_usage(void)
{
	fprintf(stderr, "usage: ffnet -c file members [--csv] "
	    "[--status active|pending|paused|left]\n"
	    "       ffnet -c file member show ADDRESS\n"
	    "       ffnet -c file member add ADDRESS --consent TEXT "
	    "[--name N] [--org O] [--welcome] [--lang da|en]\n"
	    "       ffnet -c file member set ADDRESS [--name N] [--org O]\n"
	    "       ffnet -c file member pause|resume|remove ADDRESS\n"
	    "       ffnet -c file member import FILE --consent TEXT "
	    "[--dry-run] [--welcome] [--lang da|en]\n");
	return 2;
}

int
members_main(const struct env *e, int argc, char **argv)
{
	struct members_cli	 c;
	const char		*verb;
	char			*addr = NULL;
	int			 rc;

	memset(&c, 0, sizeof(c));
	c.env = e;
	c.now = time(NULL);
	if (strcmp(argv[0], "members") == 0)
		return members_options(&c, argc, argv) == -1 ?
		    members_usage() : members_list(&c);
	/* member VERB ARG [options]: ARG stands where getopt skips */
	if (argc < 3 || members_options(&c, argc - 2, argv + 2) == -1)
		return members_usage();
	verb = argv[1];
	if (strcmp(verb, "import") == 0)
		return c.consent == NULL ? members_usage() :
		    members_import(&c, argv[2]);
	addr = util_addr_norm_dup(argv[2]);
	if (strcmp(verb, "show") == 0)
		rc = members_show(&c, addr);
	else if (strcmp(verb, "add") == 0)
		rc = c.consent == NULL ? members_usage() : members_add(&c, addr);
	else if (strcmp(verb, "set") == 0)
		rc = c.name == NULL && c.org == NULL ? members_usage() :
		    members_change(&c, verb, addr);
	else if (strcmp(verb, "pause") == 0 || strcmp(verb, "resume") == 0 ||
	    strcmp(verb, "remove") == 0)
		rc = members_change(&c, verb, addr);
	else
		rc = members_usage();
	free(addr);
	return rc;
}
