/*
 * cli.c: "ffnet -c FILE meeting add|change|cancel|list" and
 * "registrations CODE [--csv]". main.c calls cli_main() with the store
 * open; every change is one transaction with the calendar mail it
 * causes (invite.c), which the daemon's outbox sends.
 */
#include <getopt.h>
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
#include "store.h"
#include "tmpl.h"
#include "util.h"

enum cli_opt {
	O_TITLE = 1, O_START, O_END, O_PLACE, O_HOST, O_CAPACITY, O_KIND,
	O_OPEN, O_DEADLINE, O_PARENT, O_CONTACT, O_DESCRIPTION, O_CSV,
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
	{ "csv",	 no_argument,	    NULL, O_CSV },
	{ NULL, 0, NULL, 0 },
};

struct cli {
	struct store		*st;
	const struct conf	*conf;
	const struct tmpls	*tmpls;
	bool			 csv;
	bool			 moved;		/* time, place or status changed */
	bool			 changed;
};

static void
cli_set(char **field, const char *v, struct cli *c, bool significant)
{
	if (*field != NULL && strcmp(*field, v) == 0)
		return;
	free(*field);
	*field = xstrdup(v);
	c->changed = true;
	c->moved |= significant;
}

/* Applies one option to m; -1 with a message on stderr when it is bad. */
static int
cli_option(struct cli *c, struct meeting *m, int opt, const char *arg)
{
	struct meeting	 p;
	const char	*errstr;
	time_t		 t;
	int		 n;

	switch (opt) {
	case O_TITLE:
		cli_set(&m->title, arg, c, false);
		break;
	case O_PLACE:
		cli_set(&m->place, arg, c, true);
		break;
	case O_HOST:
		cli_set(&m->host, arg, c, false);
		break;
	case O_CONTACT:
		if (!util_is_addr(arg))
			goto bad;
		cli_set(&m->host_contact, arg, c, false);
		break;
	case O_DESCRIPTION:
		cli_set(&m->description, arg, c, false);
		break;
	case O_KIND:
		if (strcmp(arg, "meeting") && strcmp(arg, "outing") &&
		    strcmp(arg, "conference") && strcmp(arg, "workshop"))
			goto bad;
		cli_set(&m->kind, arg, c, false);
		break;
	case O_OPEN:
		n = arg == NULL || strcmp(arg, "yes") == 0;
		if (arg != NULL && strcmp(arg, "yes") && strcmp(arg, "no"))
			goto bad;
		c->changed |= m->open != (n != 0);
		m->open = n != 0;
		break;
	case O_CAPACITY:
		n = (int)util_strtonum(arg, 0, 100000, &errstr);
		if (errstr != NULL)
			goto bad;
		c->changed |= m->capacity != n;
		m->capacity = n;
		break;
	case O_START:
	case O_END:
	case O_DEADLINE:
		if (ical_local_to_utc(c->conf->timezone, arg, &t) == -1)
			goto bad;
		if (opt == O_DEADLINE)
			m->deadline = t;
		else if ((opt == O_START ? m->start : m->end) != t) {
			*(opt == O_START ? &m->start : &m->end) = t;
			c->moved = c->changed = true;
		}
		break;
	case O_PARENT:
		if (store_meeting_get(c->st, arg, &p) != 1 ||
		    strcmp(p.kind, "conference") != 0) {
			meeting_clear(&p);
			fprintf(stderr, "ffnet: --parent %s: no such conference\n",
			    arg);
			return -1;
		}
		m->parent = p.id;
		meeting_clear(&p);
		cli_set(&m->kind, "workshop", c, false);
		break;
	case O_CSV:
		c->csv = true;
		break;
	default:
		return -1;
	}
	return 0;
 bad:
	fprintf(stderr, "ffnet: --%s %s: not a valid value\n",
	    cli_opts[opt - 1].name, arg ? arg : "");
	return -1;
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
	char		*code = NULL;
	int		 rc = 1;

	memset(&m, 0, sizeof(m));
	m.kind = xstrdup("meeting");
	m.capacity = -1;
	if (cli_options(c, &m, argc, argv) == -1)
		goto out;
	if (m.title == NULL || m.start == 0 || m.end == 0 || m.capacity < 0) {
		fprintf(stderr, "ffnet: meeting add needs --title, --start, "
		    "--end and --capacity\n");
		goto out;
	}
	if (m.end <= m.start) {
		fprintf(stderr, "ffnet: --end must come after --start\n");
		goto out;
	}
	if (store_begin(c->st) == -1 ||
	    store_meeting_add(c->st, &m, time(NULL), &code) == -1 ||
	    store_commit(c->st) == -1) {
		store_rollback(c->st);
		fprintf(stderr, "ffnet: the store refused the meeting\n");
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
	time_t		 now = time(NULL);
	int		 n = 0, rc = 1;

	if (store_meeting_get(c->st, code, &m) != 1) {
		fprintf(stderr, "ffnet: no meeting %s\n", code);
		goto out;
	}
	if (cancel)
		cli_set(&m.status, "cancelled", c, true);
	else if (cli_options(c, &m, argc, argv) == -1)
		goto out;
	if (!c->changed) {
		printf("%s: nothing changed\n", m.code);
		rc = 0;
		goto out;
	}
	if (m.end <= m.start) {
		fprintf(stderr, "ffnet: the end must come after the start\n");
		goto out;
	}
	m.sequence++;	/* RFC 5545 3.8.7.4 */
	if (store_begin(c->st) == -1 || store_meeting_update(c->st, &m) == -1 ||
	    (n = invite_all(c->st, c->conf, c->tmpls, &m, cancel ?
	    INV_CANCEL_MEETING : INV_UPDATE, now)) == -1 ||
	    (!cancel && meeting_promote(c->st, c->conf, c->tmpls, &m,
	    now) == -1) || store_commit(c->st) == -1) {
		store_rollback(c->st);
		fprintf(stderr, "ffnet: %s: not changed (store error)\n",
		    m.code);
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
	    "[--parent CODE] [--contact ADDR] [--description TEXT]\n"
	    "       ffnet -c file meeting change CODE --field value ...\n"
	    "       ffnet -c file meeting cancel CODE\n"
	    "       ffnet -c file meeting list\n"
	    "       ffnet -c file registrations CODE [--csv]\n");
	return 2;
}
