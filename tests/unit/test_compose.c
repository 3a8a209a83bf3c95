/*
 * test_compose.c: unit tests of daemon/compose.c, as a case table of
 * the threads a reply answers: what goes out in In-Reply-To,
 * References and Auto-Submitted (RFC 5322 3.6.4, RFC 3834 5), with
 * the network's Message-ID, X-Loop and the out-of-office suppression
 * on every mail. Each mail goes through the real templates, mime_build
 * and the outbox of a store in a temporary directory, and is read back
 * with mime_parse.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "compose.h"
#include "conf.h"
#include "env.h"
#include "mime.h"
#include "store.h"
#include "testlib.h"
#include "tmpl.h"
#include "util.h"

/* "<r0@x.dk> <r1@x.dk> ..." with n ids. */
static char *
t_refs_dup(int n)
{
	struct buf	 b;
	int		 i;

	buf_init(&b);
	for (i = 0; i < n; i++)
		buf_addf(&b, "%s<r%d@gmail.example>", i ? " " : "", i);
	return buf_release(&b);
}

/* How many times c occurs in s. */
static size_t
t_count_lt(const char *s, char c)
{
	size_t	 n = 0;

	for (; s != NULL && *s != '\0'; s++)
		n += *s == c;
	return n;
}

/* The longest line of s, without its CRLF. */
static size_t
t_lines_max(const char *s)
{
	size_t	 max = 0, n;

	while (s != NULL && *s != '\0') {
		n = strcspn(s, "\r\n");
		if (n > max)
			max = n;
		s += n;
		s += strspn(s, "\r\n");
	}
	return max;
}

int
main(void)
{
	static char		 dir[] = "/tmp/ffnet-compose-XXXXXX";
	char			 err[256], *path, *mail_id, *long_refs;
	struct store		*st = NULL;
	struct tmpls		*tmpls = NULL;
	struct conf		 conf;
	struct msg		 thread, got;
	struct outbox_row	 row;
	struct mime_limits	 lim;
	int64_t			*ids;
	size_t			 i, n;
	const char		*h;
	struct {
		const char	*why;
		const char	*msgid;		/* the mail answered; NULL: none */
		const char	*refs;		/* its References */
		bool		 thread;
		const char	*irt;		/* In-Reply-To wanted, or NULL */
		const char	*refs_has[3];	/* in References */
		const char	*refs_not;	/* not in References */
		const char	*autosub;
	} cases[] = {
		{ "no thread: a notice", NULL, NULL, false, NULL, { NULL },
		    NULL, "auto-generated" },
		{ "a first mail", "a1@outlook.example", NULL, true,
		    "<a1@outlook.example>", { "<a1@outlook.example>" }, NULL,
		    "auto-replied" },
		{ "a reply in a thread", "a3@gmail.example",
		    "<a1@gmail.example> <a2@gmail.example>", true,
		    "<a3@gmail.example>", { "<a1@gmail.example> "
		    "<a2@gmail.example> <a3@gmail.example>" }, NULL,
		    "auto-replied" },
		{ "a long thread keeps its first and last ids", "last@x.dk",
		    NULL /* long_refs */, true, "<last@x.dk>",
		    { "<r0@gmail.example> ", "<r79@gmail.example> <last@x.dk>" },
		    "<r20@gmail.example>", "auto-replied" },
		{ "a mail with no Message-ID", NULL, "<a1@x.dk>", true, NULL,
		    { "<a1@x.dk>" }, NULL, "auto-replied" },
		/* RFC 5322 3.2.2: folding white space may be a TAB */
		{ "References folded with a TAB", "a4@x.dk",
		    "<a1@x.dk>\t<a2@x.dk>", true, "<a4@x.dk>",
		    { "<a1@x.dk> <a2@x.dk> <a4@x.dk>" }, NULL, "auto-replied" },
		/* a broken Message-ID costs the threading, not the answer */
		{ "a Message-ID with a control byte", "a5\x01@x.dk",
		    "<a1@x.dk>", true, NULL, { "<a1@x.dk>" }, "a5",
		    "auto-replied" },
	};

	CHECK(mkdtemp(dir) != NULL);
	path = xasprintf("%s/ffnet.db", dir);
	CHECK(store_open(path, &st, err, sizeof(err)) == 0);
	CHECK(tmpl_load("templates", &tmpls, err, sizeof(err)) == 0);
	if (st == NULL || tmpls == NULL)
		return check_done("test_compose");
	memset(&conf, 0, sizeof(conf));
	conf.name = "Flere Faglærte Netværket";
	conf.address = "flerefaglaerte@slagelse.dk";
	conf.language = "da";
	conf.timezone = "Europe/Copenhagen";
	long_refs = t_refs_dup(80);
	cases[3].refs = long_refs;
	mime_limits_default(&lim);

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct env	 e = { &conf, tmpls, st, NULL };
		struct outmail		 o;

		memset(&thread, 0, sizeof(thread));
		thread.message_id = cases[i].msgid ?
		    xstrdup(cases[i].msgid) : NULL;
		thread.references = cases[i].refs ?
		    xstrdup(cases[i].refs) : NULL;
		memset(&o, 0, sizeof(o));
		o.to = "jens@hansen-vvs.dk";
		o.lang = "da";
		o.tmpl = "help";
		o.thread = cases[i].thread ? &thread : NULL;
		o.kind = "reply";
		fprintf(stderr, "case %zu: %s\n", i, cases[i].why);
		CHECK(compose_mail(&e, &o, 1000 + (time_t)i, &mail_id) == 0);
		CHECK(store_outbox_due(st, 0, true, 0, 100, &ids, &n) == 0 &&
		    n == i + 1);
		if (n != i + 1 || mail_id == NULL)
			break;
		CHECK(store_outbox_load(st, ids[i], &row) == 0);
		free(ids);
		CHECK(mime_parse(row.data, row.len, &lim, &got) == 0);
		CHECK_STR(got.message_id, mail_id);
		CHECK(t_has(mail_id, "@slagelse.dk"));
		CHECK_STR(row.msgid, mail_id);
		h = mime_header(&got, "In-Reply-To");
		if (cases[i].irt == NULL)
			CHECK(h == NULL);
		else
			CHECK(t_has(h, cases[i].irt));
		h = mime_header(&got, "References");
		if (cases[i].refs_has[0] == NULL)
			CHECK(h == NULL);
		for (n = 0; n < 3 && cases[i].refs_has[n] != NULL; n++)
			CHECK(t_has(h, cases[i].refs_has[n]));
		if (cases[i].refs_not != NULL)
			CHECK(!t_has(h, cases[i].refs_not));
		CHECK(h == NULL || strlen(h) < 1000);
		CHECK_STR(mime_header(&got, "Auto-Submitted"),
		    cases[i].autosub);
		CHECK_STR(mime_header(&got, "X-Loop"), conf.address);
		CHECK(mime_header(&got, "X-Auto-Response-Suppress") != NULL);
		CHECK_STR(got.from_addr, conf.address);
		CHECK(t_has(got.text, conf.address));	/* {{address}} */
		msg_clear(&got);
		msg_clear(&thread);
		outbox_row_clear(&row);
		free(mail_id);
	}
	/*
	 * Hostile input cannot add a header or a recipient: CR, LF and
	 * RFC 2047 words that decode to them in a name, a title (Subject)
	 * and the text; a very long title.
	 */
	{
		const struct env	 e = { &conf, tmpls, st, NULL };
		char			*longt = xcalloc(1, 3001);
		const char		*evil[] = {
			"Jens\r\nBcc: evil@x.dk",
			"Jens\nTo: evil@x.dk",
			"=?UTF-8?Q?Jens=0D=0ABcc:_evil@x.dk?=",
			longt,
		};
		size_t			 k, before = i;

		memset(longt, 'x', 3000);
		for (k = 0; k < nitems(evil); k++) {
			const struct tvar vars[] = { { "number", "7" },
			    { "title", evil[k] }, { "name", evil[k] },
			    { NULL, NULL } };
			struct outmail	 o;

			memset(&o, 0, sizeof(o));
			o.to = "jens@hansen-vvs.dk";
			o.to_name = evil[k];
			o.lang = "da";
			o.tmpl = "idea.thanks";
			o.vars = vars;
			o.kind = "reply";
			CHECK(compose_mail(&e, &o, 2000, &mail_id) == 0);
			free(mail_id);
		}
		CHECK(store_outbox_due(st, 0, true, 0, 100, &ids, &n) == 0);
		for (k = before; k < n; k++) {
			CHECK(store_outbox_load(st, ids[k], &row) == 0);
			CHECK(mime_parse(row.data, row.len, &lim, &got) == 0);
			CHECK(mime_header(&got, "Bcc") == NULL);
			/* CR and LF in a name become blanks in one phrase */
			CHECK(t_count_lt(mime_header(&got, "To"), '<') == 1);
			CHECK(t_lines_max(row.data) <= 998);	/* RFC 5322 2.1.1 */
			CHECK(!t_has(mime_header(&got, "Cc"), "evil"));
			CHECK(t_has(mime_header(&got, "To"),
			    "jens@hansen-vvs.dk"));
			CHECK(got.subject != NULL &&
			    strchr(got.subject, '\n') == NULL);
			msg_clear(&got);
			outbox_row_clear(&row);
		}
		CHECK(n == before + nitems(evil));
		free(ids);
		free(longt);
	}
	free(long_refs);
	tmpl_free(tmpls);
	store_close(st);
	unlink(path);
	free(path);
	return check_done("test_compose");
}
