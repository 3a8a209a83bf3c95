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
#include "handler.h"
#include "ical.h"
#include "invite.h"
#include "log.h"
#include "meeting.h"
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
	struct store		*st;
	const struct conf	*conf;
	const struct tmpls	*tmpls;
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
	if (meeting_set(c->st, c->conf, m, cli_opts[opt - 1].name,
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
	if (store_begin(c->st) == -1 ||
	    meeting_add(c->st, &m, time(NULL), &code, err, sizeof(err)) == -1 ||
	    store_commit(c->st) == -1) {
		store_rollback(c->st);
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

	if (store_meeting_get(c->st, code, &m) != 1) {
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
	if (store_begin(c->st) == -1 || meeting_commit(c->st, c->conf,
	    c->tmpls, &m, cancel, &c->edit, time(NULL), &n, err,
	    sizeof(err)) == -1 ||
	    store_commit(c->st) == -1) {
		store_rollback(c->st);
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

	if (store_meeting_list(c->st, 0, &v, &n) == -1)
		return 1;
	for (i = 0; i < n; i++) {
		when = ical_when_dup(c->conf->timezone, v[i].start, "da", false);
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
static void
cli_csv_field(struct buf *b, const char *s, bool last)
{
	if (s == NULL)
		s = "";
	if (strpbrk(s, ";\"\r\n") != NULL) {
		buf_addc(b, '"');
		for (; *s; s++) {
			if (*s == '"')
				buf_addc(b, '"');
			buf_addc(b, *s);
		}
		buf_addc(b, '"');
	} else
		buf_adds(b, s);
	buf_adds(b, last ? "\r\n" : ";");
}

char *
cli_csv_dup(struct store *st, const struct tmpls *t, const struct meeting *m,
    const char *lang)
{
	struct registration	*v = NULL;
	struct member		 mem;
	struct buf		 b;
	char			*subject = NULL, *header = NULL;
	const struct tvar	 none[] = { { NULL, NULL } };
	size_t			 n = 0, i;

	if (store_reg_list(st, m->id, NULL, &v, &n) == -1)
		return NULL;
	buf_init(&b);
	buf_adds(&b, "\xef\xbb\xbf");	/* Excel reads UTF-8 only with a BOM */
	if (tmpl_render(t, lang, "csv.header", none, &subject, &header) == 0)
		buf_adds(&b, util_trim(header));
	buf_adds(&b, "\r\n");
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
	free(subject);
	free(header);
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
	if (store_meeting_get(c->st, code, &m) != 1) {
		fprintf(stderr, "ffnet: no meeting %s\n", code);
		goto out;
	}
	if ((csv = cli_csv_dup(c->st, c->tmpls, &m, c->conf->language)) == NULL)
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
		if (errstr != NULL || store_idea_close(c->st, id) == -1) {
			fprintf(stderr, "ffnet: ideas close %s: not done\n",
			    argv[2]);
			return 1;
		}
		printf("idea %lld closed\n", (long long)id);
		return 0;
	}
	if (store_idea_list(c->st, false, &v, &n) == -1)
		return 1;
	buf_init(&b);
	if (csv)
		buf_adds(&b, "\xef\xbb\xbfNr;Titel;Tema;Status;Organisation;"
		    "Forfatter;Søger;Idé\r\n");
	for (i = 0; i < n; i++) {
		if (store_member_get(c->st, v[i].author, &a) == -1)
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

int
cli_main(struct store *st, const struct conf *conf, const struct tmpls *t,
    int argc, char **argv)
{
	struct cli	 c;

	memset(&c, 0, sizeof(c));
	c.st = st;
	c.conf = conf;
	c.tmpls = t;
	if (strcmp(argv[0], "registrations") == 0 && argc >= 2)
		return cli_registrations(&c, argv[1], argc - 1, argv + 1);
	if (strcmp(argv[0], "ideas") == 0)
		return cli_ideas(&c, argc, argv);
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
	    "       ffnet -c file ideas [--csv] | ideas close N\n");
	return 2;
}
