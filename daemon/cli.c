/*
 * cli.c: "ffnet -c FILE meeting add|change|cancel|list" and
 * "registrations CODE [--csv]". main.c calls cli_main() with the store
 * open; every change is one transaction with the calendar mail it
 * causes (invite.c), which the daemon's outbox sends.
 */
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "conf.h"
#include "env.h"
#include "ical.h"
#include "invite.h"
#include "log.h"
#include "meeting.h"
#include "rate.h"
#include "store.h"
#include "tmpl.h"
#include "util.h"

enum cli_opt {
	O_TITLE = 1, O_START, O_END, O_PLACE, O_HOST, O_CAPACITY, O_KIND,
	O_OPEN, O_DEADLINE, O_PARENT, O_CONTACT, O_DESCRIPTION, O_AGENDA,
	O_CSV,
};

static const struct option cli_opts[] = {
	{ "title",	 required_argument, NULL, O_TITLE },
	{ "start",	 required_argument, NULL, O_START },
	{ "end",	 required_argument, NULL, O_END },
	{ "place",	 required_argument, NULL, O_PLACE },
	{ "host",	 required_argument, NULL, O_HOST },
	{ "capacity",	 required_argument, NULL, O_CAPACITY },
	{ "kind",	 required_argument, NULL, O_KIND },
	{ "open",	 optional_argument, NULL, O_OPEN },
	{ "deadline",	 required_argument, NULL, O_DEADLINE },
	{ "parent",	 required_argument, NULL, O_PARENT },
	{ "contact",	 required_argument, NULL, O_CONTACT },
	{ "description", required_argument, NULL, O_DESCRIPTION },
	{ "agenda",	 required_argument, NULL, O_AGENDA },
	{ "csv",	 no_argument,	    NULL, O_CSV },
	{ NULL, 0, NULL, 0 },
};

struct cli {
	const struct env	*env;
	bool			 csv;
	struct meeting_edit	 edit;
};

/* Applies one option to m; -1 with a message on stderr when it is bad. */
static int
cli_option(struct cli *c, struct meeting *m, int opt, const char *arg)
{
	char	 err[256];

	if (opt == O_CSV) {
		c->csv = true;
		return 0;
	}
	if (opt < 1 || opt >= O_CSV)
		return -1;
	if (meeting_set(c->env->st, c->env->conf, m, cli_opts[opt - 1].name,
	    arg ? arg : "yes", &c->edit, err, sizeof(err)) == -1) {
		fprintf(stderr, "ffnet: --%s\n", err);
		return -1;
	}
	return 0;
}

static int
cli_options(struct cli *c, struct meeting *m, int argc, char **argv)
{
	int	 ch;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "", cli_opts, NULL)) != -1)
		if (ch == '?' || cli_option(c, m, ch, optarg) == -1)
			return -1;
	return 0;
}

static int
cli_add(struct cli *c, int argc, char **argv)
{
	struct meeting	 m;
	char		*code = NULL, err[256];
	int		 rc = 1;

	memset(&m, 0, sizeof(m));
	m.capacity = -1;
	if (cli_options(c, &m, argc, argv) == -1)
		goto out;
	if (store_begin(c->env->st) == -1 ||
	    meeting_add(c->env->st, &m, time(NULL), &code, err,
	    sizeof(err)) == -1 ||
	    store_commit(c->env->st) == -1) {
		store_rollback(c->env->st);
		fprintf(stderr, "ffnet: meeting add: %s\n", err);
		goto out;
	}
	printf("%s\n", code);
	log_info("meeting %s added: %s", code, m.title);
	rc = 0;
 out:
	free(code);
	meeting_clear(&m);
	return rc;
}

/* change and cancel: one transaction with the mails they cause. */
static int
cli_change(struct cli *c, const char *code, bool cancel, int argc,
    char **argv)
{
	struct meeting	 m;
	char		 err[256] = "store error";
	int		 n = 0, rc = 1;

	if (store_meeting_get(c->env->st, code, &m) != 1) {
		fprintf(stderr, "ffnet: no meeting %s\n", code);
		goto out;
	}
	if (!cancel && cli_options(c, &m, argc, argv) == -1)
		goto out;
	if (!cancel && !c->edit.changed) {
		printf("%s: nothing changed\n", m.code);
		rc = 0;
		goto out;
	}
	if (store_begin(c->env->st) == -1 ||
	    meeting_commit(c->env, &m, cancel, &c->edit, time(NULL), &n, err,
	    sizeof(err)) == -1 ||
	    store_commit(c->env->st) == -1) {
		store_rollback(c->env->st);
		fprintf(stderr, "ffnet: %s: not changed: %s\n", m.code, err);
		goto out;
	}
	printf("%s: %s; %d calendar mail%s queued (SEQUENCE %d)\n", m.code,
	    cancel ? "cancelled" : "changed", n, n == 1 ? "" : "s",
	    m.sequence);
	log_info("meeting %s %s; %d mails queued", m.code, cancel ?
	    "cancelled" : "changed", n);
	rc = 0;
 out:
	meeting_clear(&m);
	return rc;
}

static int
cli_list(struct cli *c)
{
	struct meeting	*v = NULL;
	char		*when;
	size_t		 n = 0, i;

	if (store_meeting_list(c->env->st, 0, &v, &n) == -1)
		return 1;
	for (i = 0; i < n; i++) {
		when = ical_when_dup(c->env->conf->timezone, v[i].start, "da",
		    false);
		printf("%-5s %-10s %3d/%-3d venter %-2d %-9s %s | %s | %s\n",
		    v[i].code, v[i].kind, v[i].taken, v[i].capacity,
		    v[i].waiting, v[i].status, when, v[i].title,
		    v[i].place ? v[i].place : "");
		free(when);
	}
	meetings_free(v, n);
	return 0;
}

/* One CSV field: quoted when it holds ; " or a line break (RFC 4180). */
void
cli_csv_field(struct buf *b, const char *s, bool last)
{
	bool	 quote, formula;

	if (s == NULL)
		s = "";
	/*
	 * A cell that starts like a formula is one in Excel: a name sent
	 * in a TILMELD as "=HYPERLINK(…)" would run on the secretariat's
	 * machine. A leading ' keeps it text (OWASP's CSV injection rule);
	 * member import drops it again.
	 */
	formula = *s != '\0' && strchr(CLI_CSV_FORMULA, *s) != NULL;
	quote = strpbrk(s, ";\"\r\n") != NULL;
	if (quote)
		buf_addc(b, '"');
	if (formula)
		buf_addc(b, '\'');
	for (; *s; s++) {
		if (*s == '"')
			buf_addc(b, '"');
		buf_addc(b, *s);
	}
	if (quote)
		buf_addc(b, '"');
	buf_adds(b, last ? "\r\n" : ";");
}

void
cli_csv_header(struct buf *b, const struct tmpls *t, const char *lang,
    const char *tmpl)
{
	const struct tvar	 none[] = { { NULL, NULL } };
	char			*subject = NULL, *header = NULL;

	buf_adds(b, "\xef\xbb\xbf");	/* Excel reads UTF-8 only with a BOM */
	if (tmpl_render(t, lang, tmpl, none, &subject, &header) == 0)
		buf_adds(b, util_trim(header));
	buf_adds(b, "\r\n");
	free(subject);
	free(header);
}

char *
cli_csv_dup(struct store *st, const struct tmpls *t, const struct meeting *m,
    const char *lang)
{
	struct registration	*v = NULL;
	struct member		 mem;
	struct buf		 b;
	size_t			 n = 0, i;

	if (store_reg_list(st, m->id, NULL, &v, &n) == -1)
		return NULL;
	buf_init(&b);
	cli_csv_header(&b, t, lang, "csv.header");
	for (i = 0; i < n; i++) {
		int r = store_member_get(st, v[i].addr, &mem);

		cli_csv_field(&b, v[i].name, false);
		cli_csv_field(&b, v[i].addr, false);
		cli_csv_field(&b, r == 1 ? mem.org : NULL, false);
		cli_csv_field(&b, v[i].state, false);
		cli_csv_field(&b, v[i].guest ? "x" : "", false);
		cli_csv_field(&b, v[i].note, false);
		cli_csv_field(&b, v[i].partstat, true);
		member_clear(&mem);
	}
	registrations_free(v, n);
	return buf_release(&b);
}

static int
cli_registrations(struct cli *c, const char *code, int argc, char **argv)
{
	struct meeting	 m, dummy;
	char		*csv = NULL;
	int		 rc = 1;

	memset(&m, 0, sizeof(m));
	memset(&dummy, 0, sizeof(dummy));
	if (cli_options(c, &dummy, argc, argv) == -1)
		goto out;
	if (store_meeting_get(c->env->st, code, &m) != 1) {
		fprintf(stderr, "ffnet: no meeting %s\n", code);
		goto out;
	}
	if ((csv = cli_csv_dup(c->env->st, c->env->tmpls, &m,
		 c->env->conf->language)) == NULL)
		goto out;
	if (c->csv)
		fputs(csv, stdout);
	else
		printf("%s %s: %d of %d seats taken, %d waiting\n%s", m.code,
		    m.title, m.taken, m.capacity, m.waiting, csv + 3);
	rc = 0;
 out:
	free(csv);
	meeting_clear(&m);
	meeting_clear(&dummy);
	return rc;
}

/* "ideas [--csv]" and "ideas close N": Markedspladsen for the secretariat. */
static int
cli_ideas(struct cli *c, int argc, char **argv)
{
	struct idea	*v = NULL;
	struct member	 a;
	struct buf	 b;
	const char	*errstr;
	char		 num[24];
	size_t		 n = 0, i;
	int64_t		 id;
	bool		 csv = argc >= 2 && strcmp(argv[1], "--csv") == 0;

	if (argc >= 3 && strcmp(argv[1], "close") == 0) {
		id = util_strtonum(argv[2], 1, INT64_MAX, &errstr);
		if (errstr != NULL || store_idea_close(c->env->st, id) == -1) {
			fprintf(stderr, "ffnet: ideas close %s: not done\n",
			    argv[2]);
			return 1;
		}
		printf("idea %lld closed\n", (long long)id);
		return 0;
	}
	if (store_idea_list(c->env->st, false, &v, &n) == -1)
		return 1;
	buf_init(&b);
	if (csv)
		buf_adds(&b, "\xef\xbb\xbfNr;Titel;Tema;Status;Organisation;"
		    "Forfatter;Søger;Idé\r\n");
	for (i = 0; i < n; i++) {
		if (store_member_get(c->env->st, v[i].author, &a) == -1)
			break;
		snprintf(num, sizeof(num), "%lld", (long long)v[i].id);
		if (csv) {
			cli_csv_field(&b, num, false);
			cli_csv_field(&b, v[i].title, false);
			snprintf(num, sizeof(num), "%d", v[i].theme);
			cli_csv_field(&b, v[i].theme ? num : "", false);
			cli_csv_field(&b, v[i].status, false);
			cli_csv_field(&b, a.org, false);
			cli_csv_field(&b, v[i].author, false);
			cli_csv_field(&b, v[i].seeking, false);
			cli_csv_field(&b, v[i].body, true);
		} else
			buf_addf(&b, "%4s %-6s tema %d  %s | %s | %s\n", num,
			    v[i].status, v[i].theme, v[i].title,
			    a.org ? a.org : "-", v[i].author);
		member_clear(&a);
	}
	fputs(b.data ? b.data : "", stdout);
	buf_clear(&b);
	ideas_free(v, n);
	return 0;
}

/* A local time as "2027-03-11 14:00". */
static void
cli_time(const struct cli *c, time_t t, char *out, size_t len)
{
	char	*s;

	if (t == 0) {
		snprintf(out, len, "-");
		return;
	}
	s = ical_when_dup(c->env->conf->timezone, t, "da", false);
	snprintf(out, len, "%s", s ? s : "?");
	free(s);
}

/* ffnet archive [N]: every list mail, or one in full. */
static int
cli_archive(struct cli *c, int argc, char **argv)
{
	struct post	*v = NULL, p;
	const char	*errstr;
	char		 when[64];
	size_t		 n = 0, i;
	int64_t		 id;

	if (argc >= 2) {
		id = util_strtonum(argv[1], 1, INT64_MAX, &errstr);
		if (errstr != NULL ||
		    store_post_get(c->env->st, id, false, &p) != 1 ||
		    strcmp(p.state, "preview") == 0) {
			fprintf(stderr, "ffnet: archive %s: no such list mail\n",
			    argv[1]);
			if (errstr == NULL)
				post_clear(&p);
			return 1;
		}
		cli_time(c, p.started, when, sizeof(when));
		printf("Nr: %lld\nType: %s\nDato: %s\nFra: %s%s%s%s\n"
		    "Emne: %s\nModtagere: %lld\n", (long long)p.id, p.kind,
		    when, p.sender_name ? p.sender_name : "", p.sender_name ?
		    " <" : "", p.sender, p.sender_name ? ">" : "", p.subject,
		    (long long)p.total);
		if (p.files != NULL)
			printf("Filer:\n%s", p.files);
		printf("\n%s\n", p.body);
		post_clear(&p);
		return 0;
	}
	if (store_post_list(c->env->st, SIZE_MAX / 2, &v, &n) == -1)
		return 1;
	for (i = 0; i < n; i++) {
		size_t nf = 0;
		const char *f;

		for (f = v[i].files; f != NULL && *f; f++)
			nf += *f == '\n';
		cli_time(c, v[i].started, when, sizeof(when));
		printf("%4lld %s %-7s %-28s %s", (long long)v[i].id, when,
		    v[i].kind, v[i].sender, v[i].subject);
		if (nf > 0)
			printf(" [%zu fil%s]", nf, nf == 1 ? "" : "er");
		printf("\n");
	}
	posts_free(v, n);
	return 0;
}

/* ffnet stats: how far the list mail has come, and the outbox. */
static int
cli_stats(struct cli *c)
{
	struct post	*v = NULL;
	struct rate	 r;
	char		 when[64], eta[64];
	size_t		 n = 0, i;
	int64_t		 unsent = 0, active = 0, paused = 0, waiting = 0;
	time_t		 now = time(NULL);

	if (store_post_list(c->env->st, 20, &v, &n) == -1 ||
	    store_outbox_unsent(c->env->st, &unsent) == -1 ||
	    store_member_count(c->env->st, "active", &active) == -1 ||
	    store_member_count(c->env->st, "paused", &paused) == -1)
		return 1;
	rate_init(&r, c->env->conf->messages_per_minute,
	    c->env->conf->recipients_per_day);
	if (rate_load(&r, c->env->st, now) == -1)
		return 1;
	printf("members: %lld active, %lld paused for bounces\n"
	    "outbox: %lld mails waiting\n", (long long)active,
	    (long long)paused, (long long)unsent);
	for (i = 0; i < n; i++)
		if (strcmp(v[i].state, "sending") == 0)
			waiting += v[i].total - v[i].sent - v[i].failed;
	for (i = 0; i < n; i++) {
		int64_t left = v[i].total - v[i].sent - v[i].failed;

		cli_time(c, v[i].started, when, sizeof(when));
		printf("%4lld %s %-7s %s\n     %lld of %lld sent, %lld "
		    "failed, %lld waiting", (long long)v[i].id, when, v[i].kind,
		    v[i].subject, (long long)v[i].sent, (long long)v[i].total,
		    (long long)v[i].failed, (long long)left);
		if (strcmp(v[i].state, "done") == 0) {
			cli_time(c, v[i].finished, eta, sizeof(eta));
			printf("; done %s\n", eta);
		} else {
			cli_time(c, rate_eta(&r, (size_t)waiting, now), eta,
			    sizeof(eta));
			printf("; all out by about %s\n", eta);
		}
	}
	rate_clear(&r);
	posts_free(v, n);
	return 0;
}

int
cli_main(const struct env *e, int argc, char **argv)
{
	struct cli	 c;

	memset(&c, 0, sizeof(c));
	c.env = e;
	if (strcmp(argv[0], "registrations") == 0 && argc >= 2)
		return cli_registrations(&c, argv[1], argc - 1, argv + 1);
	if (strcmp(argv[0], "ideas") == 0)
		return cli_ideas(&c, argc, argv);
	if (strcmp(argv[0], "archive") == 0)
		return cli_archive(&c, argc, argv);
	if (strcmp(argv[0], "stats") == 0)
		return cli_stats(&c);
	if (strcmp(argv[0], "meeting") != 0 || argc < 2)
		goto usage;
	if (strcmp(argv[1], "add") == 0)
		return cli_add(&c, argc - 1, argv + 1);
	if (strcmp(argv[1], "list") == 0)
		return cli_list(&c);
	if (argc >= 3 && strcmp(argv[1], "change") == 0)
		return cli_change(&c, argv[2], false, argc - 2, argv + 2);
	if (argc >= 3 && strcmp(argv[1], "cancel") == 0)
		return cli_change(&c, argv[2], true, argc - 2, argv + 2);
 usage:
	fprintf(stderr, "usage: ffnet -c file meeting add --title T --start "
	    "\"YYYY-MM-DD HH:MM\" --end \"YYYY-MM-DD HH:MM\" --place P "
	    "--host H --capacity N [--kind K] [--open] [--deadline D] "
	    "[--parent CODE] [--contact ADDR] [--description TEXT] "
	    "[--agenda TEXT]\n"
	    "       ffnet -c file meeting change CODE --field value ...\n"
	    "       ffnet -c file meeting cancel CODE\n"
	    "       ffnet -c file meeting list\n"
	    "       ffnet -c file registrations CODE [--csv]\n"
	    "       ffnet -c file ideas [--csv] | ideas close N\n"
	    "       ffnet -c file archive [N]\n"
	    "       ffnet -c file stats\n");
	return 2;
}
