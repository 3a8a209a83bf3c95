/*
 * test_tmpl.c: tmpl_load() on tests/unit/tmpl/{da,en} and on bad
 * directories made in /tmp; tmpl_render() with variables, fallback,
 * missing and literal braces. Run from the top of the tree.
 */
#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "log.h"
#include "testlib.h"
#include "tmpl.h"
#include "util.h"

#define DIR	"tests/unit/tmpl"

static char	*mkdirs(void);
static void	 put(const char *, const char *, const char *, size_t);
static void	 rmdirs(char *);
static void	 test_load(void);
static void	 test_render(void);
static void	 test_fallback(void);
static void	 test_literal(void);
static void	 test_bad(void);
static int	 load_one(const char *, size_t, char *, size_t);

/* A new template directory with empty da/ and en/; caller rmdirs(). */
static char *
mkdirs(void)
{
	char	 tmpl[] = "/tmp/test_tmpl.XXXXXX";
	char	*d, *p;

	if (mkdtemp(tmpl) == NULL) {
		perror("mkdtemp");
		exit(1);
	}
	d = strdup(tmpl);
	p = xasprintf("%s/da", d);
	mkdir(p, 0755);
	free(p);
	p = xasprintf("%s/en", d);
	mkdir(p, 0755);
	free(p);
	return d;
}

static void
put(const char *dir, const char *rel, const char *data, size_t len)
{
	FILE	*f;
	char	*p;

	p = xasprintf("%s/%s", dir, rel);
	if ((f = fopen(p, "w")) == NULL || fwrite(data, 1, len, f) != len) {
		perror(p);
		exit(1);
	}
	fclose(f);
	free(p);
}

static void
rmdirs(char *d)
{
	char	*cmd;

	cmd = xasprintf("rm -rf '%s'", d);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", d);
	free(cmd);
	free(d);
}

static void
test_load(void)
{
	struct tmpls	*t = NULL;
	char		 err[512];

	CHECK(tmpl_load(DIR, &t, err, sizeof(err)) == 0);
	CHECK(t != NULL);
	CHECK(tmpl_has(t, "da", "join.confirm"));
	CHECK(tmpl_has(t, "en", "join.confirm"));
	CHECK(tmpl_has(t, "da", "meetings"));
	CHECK(!tmpl_has(t, "en", "meetings"));	/* no fallback here */
	CHECK(tmpl_has(t, "en", "help"));
	CHECK(!tmpl_has(t, "da", "help"));
	CHECK(!tmpl_has(t, "da", "join"));
	CHECK(!tmpl_has(t, "da", "join.confirm.txt"));
	CHECK(!tmpl_has(t, "de", "join.confirm"));
	CHECK(!tmpl_has(NULL, "da", "join.confirm"));
	tmpl_free(t);
	tmpl_free(NULL);
}

static void
test_render(void)
{
	static const struct tvar vars[] = {
		{ "network", "Flere Faglærte Netværket" },
		{ "name", "Søren Ågård" },
		{ "code", "K7Q2-ZX" },
		{ NULL, NULL },
	};
	struct tmpls	*t = NULL;
	char		 err[512], *subject = NULL, *body = NULL, *log;

	if (tmpl_load(DIR, &t, err, sizeof(err)) == -1) {
		CHECK(!"load");
		return;
	}
	capture_begin(2);
	CHECK(tmpl_render(t, "da", "join.confirm", vars, &subject,
	    &body) == 0);
	log = capture_end(2);
	CHECK_STR(log, "");		/* every key had a value */
	CHECK_STR(subject, "Bekræft din tilmelding til Flere Faglærte "
	    "Netværket");
	CHECK_STR(body, "Kære Søren Ågård\n\nTak for din tilmelding til "
	    "Flere Faglærte Netværket. Svar på denne mail for at\nbekræfte "
	    "den, eller skriv BEKRÆFT K7Q2-ZX.\n\nVi ses til mødet – med "
	    "æblekage, ørred og ål.\n");
	free(subject);
	free(body);
	free(log);

	CHECK(tmpl_render(t, "en", "join.confirm", vars, &subject,
	    &body) == 0);
	CHECK_STR(subject, "Confirm that you want to join Flere Faglærte "
	    "Netværket");
	CHECK(body != NULL && strncmp(body, "Dear Søren Ågård\n", 18) == 0);
	free(subject);
	free(body);

	/* A name ffnet does not know: "Kære", not "Kære " (nor "Kære\t"). */
	{
		const struct tvar noname[] = {
			{ "network", "Netværket" }, { "name", "" },
			{ "code", "K7Q2-ZX" }, { NULL, NULL },
		};

		CHECK(tmpl_render(t, "da", "join.confirm", noname, &subject,
		    &body) == 0);
		CHECK(body != NULL && strncmp(body, "Kære\n\nTak", 10) == 0);
		CHECK(body != NULL && strstr(body, " \n") == NULL);
		free(subject);
		free(body);
	}
	/* A member's text keeps its signature separator "-- ". */
	{
		const struct tvar sig[] = {
			{ "network", "Netværket" },
			{ "name", "Jens  \n-- \nJens Hansen\t" },
			{ "code", "K7Q2-ZX" }, { NULL, NULL },
		};

		CHECK(tmpl_render(t, "da", "join.confirm", sig, &subject,
		    &body) == 0);
		CHECK(body != NULL && strncmp(body, "Kære Jens\n-- \nJens "
		    "Hansen\n\nTak", 30) == 0);
		free(subject);
		free(body);
	}

	/* {{key|one|other}}: the word that goes with the number. */
	{
		static const struct {
			const char	*n, *want;
		} cases[] = {
			{ "1", "1 modtager" }, { "2", "2 modtagere" },
			{ "0", "0 modtagere" }, { "11", "11 modtagere" },
		};
		size_t	 i;

		for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
			const struct tvar nv[] = { { "count", cases[i].n },
			    { NULL, NULL } };
			char	*want;

			capture_begin(2);
			CHECK(tmpl_render(t, "da", "plural", nv, &subject,
			    &body) == 0);
			free(capture_end(2));	/* {{missing|a|b}} is logged */
			want = xasprintf("Send til %s?", cases[i].want);
			CHECK_STR(subject, want);
			free(want);
			/* an unknown key gives nothing; a malformed one stays */
			want = xasprintf("%s; ; {{count|x}} {{count|a|b\n}} ok\n",
			    cases[i].want);
			CHECK_STR(body, want);
			free(want);
			free(subject);
			free(body);
		}
	}

	/* No such text in either language. */
	subject = body = (char *)1;
	CHECK(tmpl_render(t, "da", "nothing.here", vars, &subject,
	    &body) == -1);
	CHECK(subject == NULL && body == NULL);
	tmpl_free(t);
}

static void
test_fallback(void)
{
	static const struct tvar vars[] = {
		{ "network", "FFN" },
		{ "list", "A\r\nB" },
		{ NULL, NULL },
	};
	struct tmpls	*t = NULL;
	char		 err[512], *subject = NULL, *body = NULL;

	if (tmpl_load(DIR, &t, err, sizeof(err)) == -1) {
		CHECK(!"load");
		return;
	}
	/* English asked for, only Danish there. */
	CHECK(tmpl_render(t, "en", "meetings", vars, &subject, &body) == 0);
	CHECK_STR(subject, "Møder i FFN");
	CHECK_STR(body, "Kommende møder:\nA\nB\n");
	free(subject);
	free(body);

	/* Danish asked for, only English there. */
	CHECK(tmpl_render(t, "da", "help", vars, &subject, &body) == 0);
	CHECK_STR(subject, "Help for FFN");
	free(subject);
	free(body);

	/* An unknown language or none: Danish first. */
	capture_begin(2);	/* no name, no code */
	CHECK(tmpl_render(t, "de", "join.confirm", vars, &subject,
	    &body) == 0);
	free(capture_end(2));
	CHECK(subject != NULL && strncmp(subject, "Bekræft", 8) == 0);
	free(subject);
	free(body);
	CHECK(tmpl_render(t, NULL, "help", vars, &subject, &body) == 0);
	CHECK_STR(subject, "Help for FFN");
	free(subject);
	free(body);

	/* No variables at all: keys render as "", the subject is trimmed. */
	capture_begin(2);
	CHECK(tmpl_render(t, "en", "help", NULL, &subject, &body) == 0);
	free(capture_end(2));
	CHECK_STR(subject, "Help for");
	free(subject);
	free(body);
	tmpl_free(t);
}

static void
test_literal(void)
{
	static const struct tvar vars[] = {
		{ "code", "{{name}} stays, and a\r\nnew line" },
		{ "name", "NAME" },
		{ NULL, NULL },
	};
	struct tmpls	*t = NULL;
	char		 err[512], *subject = NULL, *body = NULL, *log;

	if (tmpl_load(DIR, &t, err, sizeof(err)) == -1) {
		CHECK(!"load");
		return;
	}
	capture_begin(2);
	CHECK(tmpl_render(t, "da", "literal", vars, &subject, &body) == 0);
	log = capture_end(2);
	/* "subject:" in lower case, blanks around the text trimmed. */
	CHECK_STR(subject, "Klammer {{ x");
	CHECK_STR(body, "Disse bliver stående: {{ x, {{X}}, {{a-b}}, {{}}, "
	    "{{name}, }} og {{\nDenne erstattes: {{{name}} stays, and a\n"
	    "new line}\nTom: [] og igen [] og []\n");
	/* One line per render, each missing key named once. */
	CHECK(strstr(log, "da/literal") != NULL);
	CHECK(strstr(log, "nothing, other_missing\n") != NULL);
	CHECK(strchr(log, '\n') == strrchr(log, '\n'));
	free(subject);
	free(body);
	free(log);
	tmpl_free(t);

	/* A line end in a value cannot split the subject. */
	t = NULL;
	if (tmpl_load(DIR, &t, err, sizeof(err)) == -1)
		return;
	CHECK(tmpl_render(t, "da", "meetings", (const struct tvar[]){
	    { "network", "Flere\r\nBcc: x@example.org\nY" }, { "list", "" },
	    { NULL, NULL } }, &subject, &body) == 0);
	CHECK_STR(subject, "Møder i Flere Bcc: x@example.org Y");
	free(subject);
	free(body);
	tmpl_free(t);
}

/* Loads a directory holding one file (and an empty en/). */
static int
load_one(const char *data, size_t len, char *err, size_t errlen)
{
	struct tmpls	*t = (struct tmpls *)1;
	char		*d;
	int		 rc;

	d = mkdirs();
	put(d, "da/x.txt", data, len);
	rc = tmpl_load(d, &t, err, errlen);
	if (rc == -1)
		CHECK(t == NULL);
	tmpl_free(t);
	rmdirs(d);
	return rc;
}

static void
test_bad(void)
{
	struct tmpls	*t = NULL;
	char		 err[512], *d, *big, *subject, *body;

	/* Each refusal names the file. */
	CHECK(load_one("Hej\n\nMere tekst\n", 16, err, sizeof(err)) == -1);
	CHECK(strstr(err, "/da/x.txt: the first line must be a Subject:") !=
	    NULL);
	CHECK(load_one("Emne: Hej\nTekst\n", 16, err, sizeof(err)) == -1);
	CHECK(strstr(err, "/da/x.txt: the Subject line must be followed by "
	    "an empty line") != NULL);
	CHECK(load_one("Emne: Hej", 9, err, sizeof(err)) == -1);
	CHECK(load_one("Emne:  \n\nTekst\n", 15, err, sizeof(err)) == -1);
	CHECK(strstr(err, "the Subject is empty") != NULL);
	/* Latin-1 "Bekræft": not UTF-8. */
	CHECK(load_one("Emne: Bekr\xe6" "ft\n\nTekst\n", 20, err,
	    sizeof(err)) == -1);
	CHECK(strstr(err, "/da/x.txt: not valid UTF-8") != NULL);
	CHECK(load_one("Emne: a\n\nb\0c\n", 13, err, sizeof(err)) == -1);
	CHECK(strstr(err, "NUL") != NULL);

	/* CRLF, a byte order mark, an empty body: all fine. */
	CHECK(load_one("\xef\xbb\xbf" "Emne: Hej\r\n\r\nLinje 1\r\nLinje 2\r\n",
	    34, err, sizeof(err)) == 0);
	d = mkdirs();
	put(d, "da/x.txt", "Emne: Hej\r\n\r\nLinje 1\r\nLinje 2\r\n", 31);
	put(d, "en/empty.txt", "Subject: S\n\n", 12);
	put(d, "en/notes.md", "not a template", 14);
	put(d, "en/.hidden.txt", "not a template", 14);
	CHECK(tmpl_load(d, &t, err, sizeof(err)) == 0);
	CHECK(tmpl_render(t, "da", "x", NULL, &subject, &body) == 0);
	CHECK_STR(subject, "Hej");
	CHECK_STR(body, "Linje 1\nLinje 2\n");
	free(subject);
	free(body);
	CHECK(tmpl_render(t, "en", "empty", NULL, &subject, &body) == 0);
	CHECK_STR(body, "");
	free(subject);
	free(body);
	CHECK(!tmpl_has(t, "en", "notes"));
	CHECK(!tmpl_has(t, "en", ".hidden"));
	tmpl_free(t);
	t = NULL;

	/* A file name that is no template name. */
	put(d, "en/Join Confirm.txt", "Subject: S\n\n", 12);
	CHECK(tmpl_load(d, &t, err, sizeof(err)) == -1);
	CHECK(strstr(err, "/en/Join Confirm.txt: the name may hold") != NULL);
	rmdirs(d);

	/* Larger than 1 MiB. */
	big = xmalloc(1024 * 1024 + 2);
	memset(big, 'a', 1024 * 1024 + 2);
	memcpy(big, "Emne: x\n\n", 9);
	CHECK(load_one(big, 1024 * 1024, err, sizeof(err)) == 0);
	CHECK(load_one(big, 1024 * 1024 + 1, err, sizeof(err)) == -1);
	CHECK(strstr(err, "larger than 1 MiB") != NULL);
	free(big);

	/* No en/, or no directory at all. */
	d = mkdirs();
	big = xasprintf("%s/en", d);
	rmdir(big);
	CHECK(tmpl_load(d, &t, err, sizeof(err)) == -1);
	CHECK(t == NULL);
	CHECK(strstr(err, "/en: No such file or directory") != NULL);
	free(big);
	rmdirs(d);
	CHECK(tmpl_load("/nonexistent/ffnet", &t, err, sizeof(err)) == -1);
	CHECK_STR(err, "/nonexistent/ffnet/da: No such file or directory");
}

int
main(void)
{
	if (access(DIR "/da", R_OK) == -1) {
		fprintf(stderr, "test_tmpl: run from the top of the tree\n");
		return 1;
	}
	log_init(1, 0, "test_tmpl");
	test_load();
	test_render();
	test_fallback();
	test_literal();
	test_bad();
	return check_done("test_tmpl");
}
