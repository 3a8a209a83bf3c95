/*
 * conf.c: reads ffnet.conf (INI, parsed by libinih) into struct conf.
 * Every key is one row of conf_keys[]: section, name, type, limits,
 * default and field. main.c calls conf_load() at start, on SIGHUP and
 * for "ffnet check"; the struct conf owns all its strings until
 * conf_clear(). Nothing here calls fatal() except on out of memory.
 */
#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <ini.h>

#include "conf.h"
#include "log.h"
#include "oauth2.h"
#include "util.h"

#ifdef FFNET_DATADIR
#define CONF_TEMPLATES	FFNET_DATADIR "/templates"
#else
#define CONF_TEMPLATES	"templates"
#endif

#define CONF_SECRET_MAX	8192	/* bytes read from a password_file */

enum conf_type {
	CT_STRING,
	CT_INT,
	CT_BOOL,
	CT_ENUM,	/* a word from a list, stored as its int value */
	CT_WORD,	/* a word from a list, stored as a string */
	CT_ADDR,	/* stored lower case */
	CT_ADDRLIST,	/* a NULL-terminated array, lower case */
	CT_PATH,
	CT_SECRET,	/* wiped before it is freed */
	CT_SECRET_FILE,	/* a path: the file's first line is the secret */
};

#define CK_REQUIRED	0x01	/* must be given (CK_ONE_OF: one of them) */
#define CK_ONE_OF	0x02	/* one key of those sharing its field */
#define CK_READABLE	0x04	/* a file that must be readable at load */
#define CK_ZERO		0x08	/* 0 is accepted too: "the default" */

struct conf_word {
	const char	*word;
	int		 value;
	int		 later;	/* known, but not supported yet */
};

struct conf_key {
	const char		*section;
	const char		*key;
	enum conf_type		 type;
	long long		 min, max;	/* CT_INT */
	const char		*def;	/* parsed like a value; NULL: none */
	size_t			 off;	/* the field in struct conf */
	int			 flags;
	const struct conf_word	*words;	/* CT_ENUM, CT_WORD */
	/* An extra check of a string value; NULL or a reason to refuse. */
	const char		*(*check)(const char *);
};

static const char	*conf_check_host(const char *);
static const char	*conf_check_tz(const char *);
static const char	*conf_check_url(const char *);
static const char	*conf_check_https(const char *);
static const char	*conf_check_tenant(const char *);
static const char	*conf_check_token_url(const char *);

static const struct conf_word conf_languages[] = {
	{ "da", 0, 0 }, { "en", 1, 0 }, { NULL, 0, 0 },
};
static const struct conf_word conf_securities[] = {
	{ "tls", SEC_TLS, 0 }, { "starttls", SEC_STARTTLS, 0 },
	{ "none", SEC_NONE, 0 }, { NULL, 0, 0 },
};
/* XOAUTH2: the token comes from [oauth2] (oauth2.c). */
static const struct conf_word conf_mechs[] = {
	{ "password", MECH_PASSWORD, 0 }, { "xoauth2", MECH_XOAUTH2, 0 },
	{ NULL, 0, 0 },
};
static const struct conf_word conf_summaries[] = {
	{ "daily", SUMMARY_DAILY, 0 }, { "weekly", SUMMARY_WEEKLY, 0 },
	{ "off", SUMMARY_OFF, 0 }, { NULL, 0, 0 },
};

_Static_assert(sizeof(enum net_security) == sizeof(int) &&
    sizeof(enum net_mech) == sizeof(int) &&
    sizeof(enum summary_mode) == sizeof(int), "CT_ENUM stores an int");

#define F(field)	offsetof(struct conf, field)

/* Every key ffnet knows; ffnet.conf.5 documents each one. */
static const struct conf_key conf_keys[] = {
	{ "network", "name", CT_STRING, .off = F(name),
	    .flags = CK_REQUIRED },
	{ "network", "address", CT_ADDR, .off = F(address),
	    .flags = CK_REQUIRED },
	{ "network", "secretariat", CT_ADDRLIST, .off = F(secretariat),
	    .flags = CK_REQUIRED },
	{ "network", "language", CT_WORD, .def = "da", .off = F(language),
	    .words = conf_languages },
	{ "network", "timezone", CT_STRING, .def = "Europe/Copenhagen",
	    .off = F(timezone), .check = conf_check_tz },

	{ "imap", "host", CT_STRING, .off = F(imap_host),
	    .flags = CK_REQUIRED, .check = conf_check_host },
	{ "imap", "port", CT_INT, 1, 65535, "0", .off = F(imap_port),
	    .flags = CK_ZERO },
	{ "imap", "security", CT_ENUM, .def = "tls", .off = F(imap_security),
	    .words = conf_securities },
	{ "imap", "ca_file", CT_PATH, .off = F(imap_ca_file),
	    .flags = CK_READABLE },
	{ "imap", "auth", CT_ENUM, .def = "password", .off = F(imap_auth),
	    .words = conf_mechs },
	{ "imap", "user", CT_STRING, .off = F(imap_user),
	    .flags = CK_REQUIRED },
	/* required with auth = password: conf_finish_rules() */
	{ "imap", "password", CT_SECRET, .off = F(imap_password),
	    .flags = CK_ONE_OF },
	{ "imap", "password_file", CT_SECRET_FILE, .off = F(imap_password),
	    .flags = CK_ONE_OF },
	{ "imap", "mailbox", CT_STRING, .def = "INBOX", .off = F(mailbox) },
	{ "imap", "done_folder", CT_STRING, .def = "ffnet/Behandlet",
	    .off = F(done_folder) },
	{ "imap", "hold_folder", CT_STRING,
	    .def = "ffnet/Til manuel behandling", .off = F(hold_folder) },
	{ "imap", "idle", CT_BOOL, .def = "yes", .off = F(idle) },
	/* RFC 2177: re-issue IDLE within 29 minutes; servers drop it sooner. */
	{ "imap", "poll_seconds", CT_INT, 5, 3600, "60",
	    .off = F(poll_seconds) },
	{ "imap", "idle_seconds", CT_INT, 30, 1740, "600",
	    .off = F(idle_seconds) },
	{ "imap", "timeout", CT_INT, 5, 600, "60", .off = F(imap_timeout) },

	{ "smtp", "url", CT_STRING, .off = F(smtp_url),
	    .flags = CK_REQUIRED, .check = conf_check_url },
	{ "smtp", "user", CT_STRING, .off = F(smtp_user) },
	{ "smtp", "password", CT_SECRET, .off = F(smtp_password),
	    .flags = CK_ONE_OF },
	{ "smtp", "password_file", CT_SECRET_FILE, .off = F(smtp_password),
	    .flags = CK_ONE_OF },
	{ "smtp", "ca_file", CT_PATH, .off = F(smtp_ca_file),
	    .flags = CK_READABLE },
	{ "smtp", "auth", CT_ENUM, .def = "password", .off = F(smtp_auth),
	    .words = conf_mechs },
	{ "smtp", "timeout", CT_INT, 5, 600, "60", .off = F(smtp_timeout) },
	{ "smtp", "require_tls", CT_BOOL, .def = "yes",
	    .off = F(smtp_require_tls) },

	{ "store", "path", CT_PATH, .off = F(store_path),
	    .flags = CK_REQUIRED },

	{ "templates", "dir", CT_PATH, .def = CONF_TEMPLATES,
	    .off = F(templates_dir) },

	{ "limits", "max_message_kb", CT_INT, 16, 102400, "10240",
	    .off = F(max_message_kb) },
	{ "limits", "max_arg_len", CT_INT, 16, 10000, "200",
	    .off = F(max_arg_len) },
	{ "limits", "replies_per_hour", CT_INT, 1, 1000, "10",
	    .off = F(replies_per_hour) },
	{ "limits", "confirm_days", CT_INT, 1, 30, "7",
	    .off = F(confirm_days) },
	{ "limits", "code_guesses_per_day", CT_INT, 1, 1000, "10",
	    .off = F(code_guesses_per_day) },
	{ "limits", "retry_max_hours", CT_INT, 1, 720, "72",
	    .off = F(retry_max_hours) },
	{ "limits", "messages_per_minute", CT_INT, 0, 100000, "0",
	    .off = F(messages_per_minute) },
	{ "limits", "recipients_per_message", CT_INT, 1, 100000, "100",
	    .off = F(recipients_per_message) },
	{ "limits", "recipients_per_day", CT_INT, 0, 10000000, "0",
	    .off = F(recipients_per_day) },
	{ "limits", "connections", CT_INT, 1, 32, "3",
	    .off = F(connections) },
	{ "limits", "stuck_after", CT_INT, 0, 10080, "60",
	    .off = F(stuck_after) },
	{ "meetings", "reminder_days", CT_INT, 0, 30, "2",
	    .off = F(reminder_days) },
	{ "list", "unsubscribe_url", CT_STRING, .off = F(unsubscribe_url),
	    .check = conf_check_https },
	{ "list", "verp", CT_BOOL, .def = "yes", .off = F(verp) },
	{ "list", "bounce_days", CT_INT, 1, 100, "3",
	    .off = F(bounce_days) },
	/* RFC 6749 4.4 client credentials; RFC 7523 JWTs (oauth2.c) */
	{ "oauth2", "tenant", CT_STRING, .off = F(oauth2_tenant),
	    .check = conf_check_tenant },
	{ "oauth2", "token_url", CT_STRING, .off = F(oauth2_token_url),
	    .check = conf_check_token_url },
	{ "oauth2", "client_id", CT_STRING, .off = F(oauth2_client_id) },
	{ "oauth2", "client_secret", CT_SECRET,
	    .off = F(oauth2_client_secret), .flags = CK_ONE_OF },
	{ "oauth2", "client_secret_file", CT_SECRET_FILE,
	    .off = F(oauth2_client_secret), .flags = CK_ONE_OF },
	{ "oauth2", "scope", CT_STRING,
	    .def = "https://outlook.office365.com/.default",
	    .off = F(oauth2_scope) },
	{ "oauth2", "ca_file", CT_PATH, .off = F(oauth2_ca_file),
	    .flags = CK_READABLE },
	{ "oauth2", "certificate_file", CT_PATH, .off = F(oauth2_cert_file),
	    .flags = CK_READABLE },
	{ "oauth2", "key_file", CT_PATH, .off = F(oauth2_key_file),
	    .flags = CK_READABLE },
	{ "oauth2", "subject", CT_ADDR, .off = F(oauth2_subject) },
	{ "auth", "trusted_authserv_id", CT_STRING,
	    .off = F(trusted_authserv_id) },
	/* summary.c: the secretariat's summary, at summary_hour local time */
	{ "secretariat", "summary", CT_ENUM, .def = "daily", .off = F(summary),
	    .words = conf_summaries },
	{ "secretariat", "summary_hour", CT_INT, 0, 23, "7",
	    .off = F(summary_hour) },
	/* privacy.c: retention, in days */
	{ "privacy", "notes_days", CT_INT, 1, 3650, "30",
	    .off = F(notes_days) },
	{ "privacy", "sent_mail_days", CT_INT, 1, 3650, "30",
	    .off = F(sent_mail_days) },
	{ "privacy", "mail_log_days", CT_INT, 30, 3650, "365",
	    .off = F(mail_log_days) },
	{ "privacy", "former_days", CT_INT, 30, 3650, "365",
	    .off = F(former_days) },
};

#define CONF_NKEYS	nitems(conf_keys)

/* The state of one conf_load(). */
struct conf_ctx {
	struct conf	*c;
	const char	*path;
	FILE		*fp;
	char		*line;		/* getline(3)'s buffer */
	size_t		 linesize;
	int		 lineno;
	int		 err_line;	/* first error's line; -1: none */
	char		*err;
	size_t		 errlen;
	int		 seen[CONF_NKEYS];	/* the line of each key */
};

static char	*conf_reader(char *, int, void *);
static void	 conf_reader_section(struct conf_ctx *, const char *);
static int	 conf_handler(void *, const char *, const char *,
		    const char *);
static void	 conf_error(struct conf_ctx *, int, const char *, ...)
		    __attribute__((format(printf, 3, 4)));
static int	 conf_find(const char *, const char *);
static int	 conf_is_section(const char *);
static char	*conf_value_dup(const char *);
static void	*conf_field(struct conf *, const struct conf_key *);
static int	 conf_check_value(struct conf_ctx *, int, const char *);
static int	 conf_set(struct conf_ctx *, int, const char *);
static int	 conf_other(struct conf_ctx *, int);
static int	 conf_set_word(struct conf_ctx *, const struct conf_key *,
		    const char *);
static int	 conf_set_addrlist(struct conf_ctx *, const struct conf_key *,
		    const char *);
static int	 conf_set_secret_file(struct conf_ctx *,
		    const struct conf_key *, const char *);
static const char *conf_readable(const char *);
static int	 conf_finish(struct conf_ctx *);
static int	 conf_finish_required(struct conf_ctx *);
static int	 conf_finish_defaults(struct conf_ctx *);
static int	 conf_finish_rules(struct conf_ctx *);
static int	 conf_finish_oauth2(struct conf_ctx *);
static int	 conf_line_of(const char *, const char *, struct conf_ctx *);
static void	 conf_free_str(char **, int);

int
conf_load(const char *path, struct conf *c, char *err, size_t errlen)
{
	struct conf_ctx	 x;
	int		 r, rc = -1;

	memset(c, 0, sizeof(*c));
	memset(&x, 0, sizeof(x));
	x.c = c;
	x.path = path;
	x.err = err;
	x.errlen = errlen;
	x.err_line = -1;
	if (errlen > 0)
		err[0] = '\0';

	if ((x.fp = fopen(path, "re")) == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto out;
	}
	c->path = xstrdup(path);
	r = ini_parse_stream(conf_reader, &x, conf_handler, &x);
	if (ferror(x.fp)) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto out;
	}
	/* inih reports the first bad line: a syntax error or ours. */
	if (r > 0 && (x.err_line == -1 || r < x.err_line)) {
		snprintf(err, errlen, "%s:%d: syntax error: expected "
		    "\"key = value\" or \"[section]\"", path, r);
		goto out;
	}
	if (r < 0) {
		snprintf(err, errlen, "%s: cannot parse", path);
		goto out;
	}
	if (x.err_line != -1)
		goto out;
	if (conf_finish(&x) == -1)
		goto out;
	rc = 0;
out:
	if (x.fp != NULL)
		fclose(x.fp);
	if (x.line != NULL)
		explicit_bzero(x.line, x.linesize);
	free(x.line);
	if (rc == -1)
		conf_clear(c);
	return rc;
}

void
conf_clear(struct conf *c)
{
	const struct conf_key	*k;
	char			**p, ***list;
	size_t			 i;

	for (i = 0; i < CONF_NKEYS; i++) {
		k = &conf_keys[i];
		switch (k->type) {
		case CT_STRING:
		case CT_WORD:
		case CT_ADDR:
		case CT_PATH:
		case CT_SECRET:
		case CT_SECRET_FILE:
			p = conf_field(c, k);
			conf_free_str(p, k->type == CT_SECRET ||
			    k->type == CT_SECRET_FILE);
			break;
		case CT_ADDRLIST:
			list = conf_field(c, k);
			if (*list == NULL)
				break;
			for (p = *list; *p != NULL; p++)
				free(*p);
			free(*list);
			*list = NULL;
			break;
		case CT_INT:
		case CT_BOOL:
		case CT_ENUM:
			break;
		}
	}
	oauth2_free(c->oauth2);
	free(c->path);
	free(c->secret_path);
	memset(c, 0, sizeof(*c));
}

bool
conf_is_secretariat(const struct conf *c, const char *addr)
{
	char	**p;

	if (c->secretariat == NULL || addr == NULL)
		return false;
	for (p = c->secretariat; *p != NULL; p++)
		if (util_addr_eq(*p, addr))
			return true;
	return false;
}

void
conf_print_keys(void)
{
	size_t	 i;

	for (i = 0; i < CONF_NKEYS; i++)
		printf("%s.%s\n", conf_keys[i].section, conf_keys[i].key);
}

/*
 * inih's reader: one line per call, so that lineno is the line inih
 * is at when it calls conf_handler(). Leading blanks go, which turns
 * off inih's continuation lines; a line longer than inih's buffer is
 * an error here rather than being cut in two.
 */
static char *
conf_reader(char *str, int num, void *arg)
{
	struct conf_ctx	*x = arg;
	ssize_t		 n;
	size_t		 len;
	char		*s;

	if ((n = getline(&x->line, &x->linesize, x->fp)) == -1)
		return NULL;
	x->lineno++;
	s = x->line;
	if (x->lineno == 1 && strncmp(s, "\xef\xbb\xbf", 3) == 0)
		s += 3;
	str[0] = '\0';
	if ((size_t)n != strlen(x->line)) {
		conf_error(x, x->lineno, "the line contains a NUL byte");
		return str;
	}
	while (isspace((unsigned char)*s))
		s++;
	len = strcspn(s, "\r\n");
	if (len >= (size_t)num) {
		conf_error(x, x->lineno, "the line is longer than %d bytes",
		    num - 1);
		return str;
	}
	memcpy(str, s, len);
	str[len] = '\0';
	if (str[0] == '[')
		conf_reader_section(x, str);
	return str;
}

/* A section line: inih never tells the handler, so check it here. */
static void
conf_reader_section(struct conf_ctx *x, const char *s)
{
	const char	*end;
	char		*name;

	if ((end = strchr(s, ']')) == NULL)
		return;		/* inih says "syntax error" */
	name = xstrndup(s + 1, (size_t)(end - s - 1));
	if (!conf_is_section(name))
		conf_error(x, x->lineno, "unknown section [%s]", name);
	free(name);
}

static int
conf_handler(void *arg, const char *section, const char *name,
    const char *value)
{
	struct conf_ctx	*x = arg;
	char		*v = NULL;
	int		 i, ok = 0;

	if (name == NULL)	/* INI_CALL_HANDLER_ON_NEW_SECTION */
		return 1;
	if (*section == '\0') {
		conf_error(x, x->lineno, "%s: the key is outside a section",
		    name);
		goto out;
	}
	if (!conf_is_section(section)) {
		conf_error(x, x->lineno, "unknown section [%s]", section);
		goto out;
	}
	if ((i = conf_find(section, name)) == -1) {
		conf_error(x, x->lineno, "[%s] %s: unknown key", section,
		    name);
		goto out;
	}
	if (x->seen[i] != 0) {
		conf_error(x, x->lineno, "[%s] %s: duplicate key (first on "
		    "line %d)", section, name, x->seen[i]);
		goto out;
	}
	x->seen[i] = x->lineno;
	v = conf_value_dup(value);
	if (conf_set(x, i, v) == -1)
		goto out;
	ok = 1;
out:
	if (v != NULL)
		explicit_bzero(v, strlen(v));
	free(v);
	return ok;
}

/* Keeps the first error only: it is the one the operator fixes first. */
static void
conf_error(struct conf_ctx *x, int line, const char *fmt, ...)
{
	char	 msg[512];
	va_list	 ap;

	if (x->err_line != -1)
		return;
	x->err_line = line;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (line > 0)
		snprintf(x->err, x->errlen, "%s:%d: %s", x->path, line, msg);
	else
		snprintf(x->err, x->errlen, "%s: %s", x->path, msg);
}

static int
conf_find(const char *section, const char *key)
{
	size_t	 i;

	for (i = 0; i < CONF_NKEYS; i++)
		if (strcmp(conf_keys[i].section, section) == 0 &&
		    strcmp(conf_keys[i].key, key) == 0)
			return (int)i;
	return -1;
}

static int
conf_is_section(const char *section)
{
	size_t	 i;

	for (i = 0; i < CONF_NKEYS; i++)
		if (strcmp(conf_keys[i].section, section) == 0)
			return 1;
	return 0;
}

/*
 * inih has cut " ; comment" and trimmed the value; cut " # comment"
 * too, so that both comment styles work at the end of a line.
 */
static char *
conf_value_dup(const char *value)
{
	char	*v, *p;

	v = xstrdup(value);
	for (p = v; *p != '\0'; p++)
		if (*p == '#' && (p == v || p[-1] == ' ' || p[-1] == '\t')) {
			*p = '\0';
			break;
		}
	return util_trim(v);
}

static void *
conf_field(struct conf *c, const struct conf_key *k)
{
	return (char *)c + k->off;
}

/* What every value must pass, whatever its type. */
static int
conf_check_value(struct conf_ctx *x, int i, const char *v)
{
	const struct conf_key	*k = &conf_keys[i];
	const char		*why = NULL;
	size_t			 j;
	int			 other;

	if (*v == '\0')
		why = "the value is missing";
	else if (!util_is_utf8(v, strlen(v)))
		why = "the value is not valid UTF-8";
	for (j = 0; why == NULL && v[j] != '\0'; j++)
		if (((unsigned char)v[j] < ' ' && v[j] != '\t') || v[j] == 0x7f)
			why = "the value contains a control character";
	if (why == NULL && k->check != NULL)
		why = k->check(v);
	if (why == NULL && (k->flags & CK_READABLE))
		why = conf_readable(v);
	if (why != NULL) {
		conf_error(x, x->lineno, "[%s] %s: %s", k->section, k->key,
		    why);
		return -1;
	}
	if ((k->flags & CK_ONE_OF) && (other = conf_other(x, i)) != -1) {
		conf_error(x, x->lineno, "[%s] %s: %s is already given on "
		    "line %d; give only one of them", k->section, k->key,
		    conf_keys[other].key, x->seen[other]);
		return -1;
	}
	return 0;
}

/* Parses value for key i and stores it; the line is x->lineno. */
static int
conf_set(struct conf_ctx *x, int i, const char *v)
{
	const struct conf_key	*k = &conf_keys[i];
	const char		*why = NULL;
	char			**s = conf_field(x->c, k);
	long long		 n;

	if (conf_check_value(x, i, v) == -1)
		return -1;
	switch (k->type) {
	case CT_STRING:
	case CT_PATH:
	case CT_SECRET:
		conf_free_str(s, k->type == CT_SECRET);
		*s = xstrdup(v);
		return 0;
	case CT_ADDR:
		if (!util_is_addr(v)) {
			conf_error(x, x->lineno, "[%s] %s: \"%s\" is not an "
			    "e-mail address", k->section, k->key, v);
			return -1;
		}
		free(*s);
		*s = util_addr_norm_dup(v);
		return 0;
	case CT_INT:
		n = util_strtonum(v, k->min, k->max, &why);
		if (why != NULL && !((k->flags & CK_ZERO) &&
		    strcmp(v, "0") == 0)) {
			conf_error(x, x->lineno, "[%s] %s: must be a number "
			    "from %lld to %lld", k->section, k->key, k->min,
			    k->max);
			return -1;
		}
		*(int *)conf_field(x->c, k) = (int)n;
		return 0;
	case CT_BOOL:
	case CT_ENUM:
	case CT_WORD:
		return conf_set_word(x, k, v);
	case CT_ADDRLIST:
		return conf_set_addrlist(x, k, v);
	case CT_SECRET_FILE:
		return conf_set_secret_file(x, k, v);
	}
	return -1;
}

/* A key given before that fills the same field as key i; -1: none. */
static int
conf_other(struct conf_ctx *x, int i)
{
	size_t	 j;

	for (j = 0; j < CONF_NKEYS; j++)
		if ((int)j != i && conf_keys[j].off == conf_keys[i].off &&
		    x->seen[j] != 0)
			return (int)j;
	return -1;
}

static const struct conf_word conf_bools[] = {
	{ "yes", 1, 0 }, { "no", 0, 0 }, { "true", 1, 0 }, { "false", 0, 0 },
	{ "on", 1, 0 }, { "off", 0, 0 }, { "1", 1, 0 }, { "0", 0, 0 },
	{ NULL, 0, 0 },
};

/* A word from a fixed list: a bool, an enum or a word kept as text. */
static int
conf_set_word(struct conf_ctx *x, const struct conf_key *k, const char *v)
{
	const struct conf_word	*w, *words;
	struct buf		 b;
	void			*p = conf_field(x->c, k);
	int			 rc = -1;

	buf_init(&b);
	words = k->type == CT_BOOL ? conf_bools : k->words;
	for (w = words; w->word != NULL; w++)
		if (strcasecmp(w->word, v) == 0)
			break;
	if (w->word != NULL && w->later) {
		conf_error(x, x->lineno, "[%s] %s = %s is not supported yet",
		    k->section, k->key, w->word);
		goto out;
	}
	if (w->word == NULL) {
		for (w = words; w->word != NULL; w++)
			if (!w->later)
				buf_addf(&b, "%s%s", b.len ? ", " : "",
				    w->word);
		conf_error(x, x->lineno, "[%s] %s: must be one of %s",
		    k->section, k->key, b.data);
		goto out;
	}
	if (k->type == CT_BOOL)
		*(bool *)p = w->value != 0;
	else if (k->type == CT_ENUM)
		*(int *)p = w->value;	/* the enums are int-sized */
	else {
		free(*(char **)p);
		*(char **)p = xstrdup(w->word);
	}
	rc = 0;
out:
	buf_clear(&b);
	return rc;
}

/* Addresses separated by commas and/or blanks; duplicates dropped. */
static int
conf_set_addrlist(struct conf_ctx *x, const struct conf_key *k,
    const char *v)
{
	char	***out = conf_field(x->c, k);
	char	**list = NULL, *copy, *tok, *save = NULL, *a;
	size_t	 n = 0, j;
	int	 rc = -1;

	copy = xstrdup(v);
	for (tok = strtok_r(copy, ", \t", &save); tok != NULL;
	    tok = strtok_r(NULL, ", \t", &save)) {
		if (!util_is_addr(tok)) {
			conf_error(x, x->lineno, "[%s] %s: \"%s\" is not an "
			    "e-mail address", k->section, k->key, tok);
			goto out;
		}
		a = util_addr_norm_dup(tok);
		for (j = 0; j < n && strcmp(list[j], a) != 0; j++)
			;
		if (j < n) {
			free(a);
			continue;
		}
		list = xrealloc(list, (n + 2) * sizeof(*list));
		list[n++] = a;
		list[n] = NULL;
	}
	if (n == 0) {
		conf_error(x, x->lineno, "[%s] %s: at least one address is "
		    "needed", k->section, k->key);
		goto out;
	}
	*out = list;
	list = NULL;
	rc = 0;
out:
	for (j = 0; list != NULL && j < n; j++)
		free(list[j]);
	free(list);
	free(copy);
	return rc;
}

/*
 * The secret is the file's first line, without its line end. The file
 * should be readable by ffnet alone; a world-readable one still works,
 * with a warning, so that a chmod slip does not stop the service.
 */
static int
conf_set_secret_file(struct conf_ctx *x, const struct conf_key *k,
    const char *v)
{
	char		 data[CONF_SECRET_MAX + 1];
	char		**s = conf_field(x->c, k);
	const char	*why = NULL;
	struct stat	 st;
	ssize_t		 n = 0;
	size_t		 len;
	int		 fd, rc = -1;

	/* O_NONBLOCK: a FIFO must not hang the start. */
	if ((fd = open(v, O_RDONLY | O_NONBLOCK | O_CLOEXEC)) == -1 ||
	    fstat(fd, &st) == -1)
		why = strerror(errno);
	else if (!S_ISREG(st.st_mode))
		why = "not a regular file";
	else if ((n = read(fd, data, sizeof(data) - 1)) == -1)
		why = strerror(errno);
	if (why != NULL) {
		conf_error(x, x->lineno, "[%s] %s: %s: %s", k->section,
		    k->key, v, why);
		goto out;
	}
	data[n] = '\0';
	len = strcspn(data, "\r\n");
	if (len == 0)
		why = "the first line is empty";
	else if (len == CONF_SECRET_MAX)
		why = "the first line is too long";
	else if ((ssize_t)len < n && data[len] == '\0')
		why = "the first line contains a NUL byte";
	if (why != NULL) {
		conf_error(x, x->lineno, "[%s] %s: %s: %s", k->section,
		    k->key, v, why);
		goto out;
	}
	if (st.st_mode & S_IROTH)
		log_warnx("%s:%d: [%s] %s: %s is readable by everyone; "
		    "chmod o-r it", x->path, x->lineno, k->section, k->key, v);
	conf_free_str(s, 1);
	*s = xstrndup(data, len);
	rc = 0;
out:
	explicit_bzero(data, sizeof(data));
	if (fd != -1)
		close(fd);
	return rc;
}

/* NULL if path is a regular file we can read now, else the reason. */
static const char *
conf_readable(const char *path)
{
	struct stat	 st;
	const char	*why = NULL;
	int		 fd;

	if ((fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)) == -1 ||
	    fstat(fd, &st) == -1)
		why = strerror(errno);
	else if (!S_ISREG(st.st_mode))
		why = "not a regular file";
	if (fd != -1)
		close(fd);
	return why;
}

/* Checks what single lines cannot, and fills in the defaults. */
static int
conf_finish(struct conf_ctx *x)
{
	struct conf	*c = x->c;
	struct stat	 st;

	if (conf_finish_required(x) == -1 || conf_finish_defaults(x) == -1 ||
	    conf_finish_rules(x) == -1)
		return -1;
	if (c->imap_port == 0)
		c->imap_port = c->imap_security == SEC_TLS ? 993 : 143;
	c->secret_path = xasprintf("%s.secret", c->store_path);

	if (c->imap_security == SEC_NONE)
		log_warnx("%s: [imap] security = none: the password crosses "
		    "the network in clear text", x->path);
	if (c->smtp_user != NULL && !c->smtp_require_tls &&
	    strncasecmp(c->smtp_url, "smtps://", 8) != 0)
		log_warnx("%s: [smtp] require_tls = no: the password may "
		    "cross the network in clear text", x->path);
	if ((conf_line_of("imap", "password", x) ||
	    conf_line_of("smtp", "password", x) ||
	    conf_line_of("oauth2", "client_secret", x)) &&
	    fstat(fileno(x->fp), &st) == 0 && (st.st_mode & S_IROTH))
		log_warnx("%s: holds a password and is readable by everyone; "
		    "chmod o-r it, or use password_file", x->path);
	return 0;
}

static int
conf_finish_required(struct conf_ctx *x)
{
	const struct conf_key	*k;
	size_t			 i, j;

	for (i = 0; i < CONF_NKEYS; i++) {
		k = &conf_keys[i];
		if (!(k->flags & CK_REQUIRED) || x->seen[i] != 0)
			continue;
		if (!(k->flags & CK_ONE_OF)) {
			conf_error(x, 0, "[%s] %s is missing", k->section,
			    k->key);
			return -1;
		}
		for (j = i + 1; j < CONF_NKEYS; j++)
			if (conf_keys[j].off == k->off && x->seen[j] == 0) {
				conf_error(x, 0, "[%s] %s or %s is missing",
				    k->section, k->key, conf_keys[j].key);
				return -1;
			}
	}
	return 0;
}

/* Defaults go through conf_set() too, so the table's are checked. */
static int
conf_finish_defaults(struct conf_ctx *x)
{
	size_t	 i;

	x->lineno = 0;
	for (i = 0; i < CONF_NKEYS; i++)
		if (x->seen[i] == 0 && conf_keys[i].def != NULL &&
		    conf_set(x, (int)i, conf_keys[i].def) == -1)
			return -1;
	return 0;
}

/* Rules between keys. */
static int
conf_finish_rules(struct conf_ctx *x)
{
	struct conf	*c = x->c;
	int		 line;

	if (c->imap_auth == MECH_PASSWORD && c->imap_password == NULL) {
		conf_error(x, 0, "[imap] password or password_file is missing");
		return -1;
	}
	if (c->smtp_auth == MECH_XOAUTH2 && c->smtp_user == NULL) {
		conf_error(x, conf_line_of("smtp", "auth", x), "[smtp] auth = "
		    "xoauth2: user (the mailbox) is missing");
		return -1;
	}
	if (c->smtp_auth == MECH_PASSWORD && c->smtp_user != NULL &&
	    c->smtp_password == NULL) {
		conf_error(x, conf_line_of("smtp", "user", x), "[smtp] user: "
		    "password or password_file is missing");
		return -1;
	}
	if (conf_finish_oauth2(x) == -1)
		return -1;
	if (c->smtp_user == NULL && c->smtp_password != NULL) {
		line = conf_line_of("smtp", "password", x);
		conf_error(x, line ? line : conf_line_of("smtp",
		    "password_file", x), "[smtp] password: user is missing");
		return -1;
	}
	/* Case-blind, since INBOX is (RFC 3501 5.1). */
	if (strcasecmp(c->mailbox, c->done_folder) == 0 ||
	    strcasecmp(c->mailbox, c->hold_folder) == 0 ||
	    strcasecmp(c->done_folder, c->hold_folder) == 0) {
		conf_error(x, 0, "[imap] mailbox, done_folder and hold_folder "
		    "must be three different folders");
		return -1;
	}
	if (conf_is_secretariat(c, c->address)) {
		conf_error(x, conf_line_of("network", "secretariat", x),
		    "[network] secretariat: must not hold the network's own "
		    "address");
		return -1;
	}
	return 0;
}

/*
 * [oauth2]: needed when either login is xoauth2; one credential (a
 * secret, or a key); the handle is made here so that a bad key or
 * certificate is a config error with the key's name.
 */
static int
conf_finish_oauth2(struct conf_ctx *x)
{
	struct conf		*c = x->c;
	struct oauth2_params	 p;
	char			 err[512];

	if (c->imap_auth != MECH_XOAUTH2 && c->smtp_auth != MECH_XOAUTH2)
		return 0;
	if (c->oauth2_token_url == NULL && c->oauth2_tenant == NULL) {
		conf_error(x, 0, "[oauth2] tenant or token_url is missing");
		return -1;
	}
	if (c->oauth2_token_url != NULL && c->oauth2_tenant != NULL) {
		conf_error(x, conf_line_of("oauth2", "token_url", x),
		    "[oauth2] token_url: give tenant or token_url, not both");
		return -1;
	}
	if (c->oauth2_token_url == NULL)
		c->oauth2_token_url = xasprintf("https://login.microsoftonline"
		    ".com/%s/oauth2/v2.0/token", c->oauth2_tenant);
	if (strncasecmp(c->oauth2_token_url, "http://", 7) == 0)
		log_warnx("%s: [oauth2] token_url is http://: the secret and "
		    "the token cross the network in clear text", x->path);
	if (c->oauth2_client_id == NULL) {
		conf_error(x, 0, "[oauth2] client_id is missing");
		return -1;
	}
	if ((c->oauth2_cert_file != NULL || c->oauth2_subject != NULL) &&
	    c->oauth2_key_file == NULL) {
		conf_error(x, conf_line_of("oauth2", c->oauth2_subject ?
		    "subject" : "certificate_file", x), "[oauth2] key_file "
		    "is missing");
		return -1;
	}
	if (c->oauth2_key_file != NULL && c->oauth2_client_secret != NULL) {
		conf_error(x, conf_line_of("oauth2", "key_file", x), "[oauth2] "
		    "key_file: give client_secret(_file) or a key, not both");
		return -1;
	}
	if (c->oauth2_key_file != NULL && c->oauth2_subject == NULL &&
	    c->oauth2_cert_file == NULL) {
		conf_error(x, conf_line_of("oauth2", "key_file", x), "[oauth2] "
		    "certificate_file is missing (or subject, for a Google "
		    "service account)");
		return -1;
	}
	if (c->oauth2_key_file == NULL && c->oauth2_client_secret == NULL) {
		conf_error(x, 0, "[oauth2] client_secret_file, client_secret "
		    "or key_file is missing");
		return -1;
	}
	memset(&p, 0, sizeof(p));
	p.token_url = c->oauth2_token_url;
	p.client_id = c->oauth2_client_id;
	p.client_secret = c->oauth2_client_secret;
	p.scope = c->oauth2_scope;
	p.ca_file = c->oauth2_ca_file;
	p.cert_file = c->oauth2_cert_file;
	p.key_file = c->oauth2_key_file;
	p.subject = c->oauth2_subject;
	p.timeout = c->smtp_timeout;
	if ((c->oauth2 = oauth2_new(&p, err, sizeof(err))) == NULL) {
		conf_error(x, 0, "%s", err);
		return -1;
	}
	return 0;
}

/* A tenant id (GUID) or domain: one path segment of the token URL. */
static const char *
conf_check_tenant(const char *v)
{
	const char	*p;

	for (p = v; *p != '\0'; p++)
		if (!isalnum((unsigned char)*p) && strchr(".-", *p) == NULL)
			return "must be the tenant id or a domain, as in "
			    "kommune.onmicrosoft.com";
	return NULL;
}

static const char *
conf_check_token_url(const char *v)
{
	if ((strncasecmp(v, "https://", 8) != 0 &&
	    strncasecmp(v, "http://", 7) != 0) || strpbrk(v, " \t") != NULL)
		return "must be an https:// address (http:// for a test "
		    "endpoint on this machine)";
	return NULL;
}

/* The line a key was given on; 0 when it was not. */
static int
conf_line_of(const char *section, const char *key, struct conf_ctx *x)
{
	int	 i;

	if ((i = conf_find(section, key)) == -1)
		return 0;
	return x->seen[i];
}

static void
conf_free_str(char **s, int secret)
{
	if (*s != NULL && secret)
		explicit_bzero(*s, strlen(*s));
	free(*s);
	*s = NULL;
}

/* A host name or address literal, not a URL. */
static const char *
conf_check_host(const char *v)
{
	if (strstr(v, "://") != NULL)
		return "a host name is needed, not a URL";
	if (strpbrk(v, " \t/@") != NULL)
		return "must be a host name";
	return NULL;
}

/* A zoneinfo name such as Europe/Copenhagen; no path tricks. */
static const char *
conf_check_tz(const char *v)
{
	const char	*p;

	for (p = v; *p != '\0'; p++)
		if (!isalnum((unsigned char)*p) && strchr("/_+-", *p) == NULL)
			break;
	if (*p != '\0' || *v == '/' || strstr(v, "..") != NULL)
		return "must be a time zone name such as Europe/Copenhagen";
	return NULL;
}

static const char *
conf_check_url(const char *v)
{
	size_t	 n;

	if (strncasecmp(v, "smtp://", 7) == 0)
		n = 7;
	else if (strncasecmp(v, "smtps://", 8) == 0)
		n = 8;
	else
		return "must start with smtp:// or smtps://";
	if (v[n] == '\0' || v[n] == '/' || v[n] == ':' ||
	    strpbrk(v, " \t") != NULL)
		return "must name a host, as in smtps://smtp.example.org";
	return NULL;
}

/* RFC 8058 one-click unsubscribe needs an https URI. */
static const char *
conf_check_https(const char *v)
{
	if (strncasecmp(v, "https://", 8) != 0 || v[8] == '\0' ||
	    v[8] == '/' || strpbrk(v, " \t<>,\"") != NULL)
		return "must be an https:// address, as in "
		    "https://example.org/afmeld";
	return NULL;
}
