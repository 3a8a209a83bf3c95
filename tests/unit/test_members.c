/*
 * test_members.c: the reader of the network's own member list
 * (members_csv_parse) as a table of files as Excel and others save
 * them: ";" and ",", with and without a BOM, Windows-1252, quoted
 * fields, blank rows, extra columns, Danish and English headers in any
 * order; and what "members --csv" writes (cli_csv_field) read back.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "cli.h"
#include "members.h"
#include "util.h"

struct test_case {
	const char	*what;
	const char	*in;
	int		 rc;
	const char	*want;	/* "line:addr/name/org\n" per row; error: a word of it */
};

static const struct test_case cases[] = {
	{ "semicolons, CRLF, UTF-8",
	  "Navn;E-mail;Organisation\r\nJens Hansen;Jens@Example.com;"
	  "Hansen VVS\r\n", 0,
	  "2:jens@example.com/Jens Hansen/Hansen VVS\n" },
	{ "commas, a BOM, English header",
	  "\xef\xbb\xbfName,Email,Company\nAnna Berg,anna@x.dk,Berg ApS\n", 0,
	  "2:anna@x.dk/Anna Berg/Berg ApS\n" },
	{ "Windows-1252 with æøå",
	  "Navn;E-mail;Firma\r\nS\xf8ren \xc6" "blegr\xe5" "d;soren@x.dk;"
	  "\xc5rhus \xc6g\r\n", 0,
	  "2:soren@x.dk/S\xc3\xb8ren \xc3\x86" "blegr\xc3\xa5" "d/"
	  "\xc3\x85rhus \xc3\x86g\n" },
	{ "UTF-8 æøå is not taken for Windows-1252",
	  "Navn;Mail\nS\xc3\xb8ren;s@x.dk\n", 0, "2:s@x.dk/S\xc3\xb8ren/-\n" },
	{ "quoted fields: separator, \"\" and a line break inside",
	  "E-mail;Navn;Organisation\r\nbo@x.dk;\"Ek; Bo\";\"Ek \"\"&\"\" "
	  "S\xc3\xb8n\"\r\ncy@x.dk;\"Cy\r\nDahl\";X\r\ndy@x.dk;Dy;Y\r\n", 0,
	  "2:bo@x.dk/Ek; Bo/Ek \"&\" S\xc3\xb8n\n3:cy@x.dk/Cy\nDahl/X\n"
	  "5:dy@x.dk/Dy/Y\n" },
	{ "blank rows and extra columns",
	  "Nr;Navn;Telefon;Mail;Virksomhed\n\n1;A;123;a@x.dk;AA\n;;;;\n"
	  "   \n2;B;456;b@x.dk;\n", 0,
	  "3:a@x.dk/A/AA\n6:b@x.dk/B/-\n" },
	{ "header in another order and case",
	  "VIRKSOMHED,e-mailadresse,NAVN\nFirma A/S,X@Y.DK,Eva\n", 0,
	  "2:x@y.dk/Eva/Firma A/S\n" },
	{ "Adresse, Name, Organization",
	  "Adresse;Name;Organization\nq@x.dk;Q;Org\n", 0, "2:q@x.dk/Q/Org\n" },
	{ "\"E-mail adresse\", spaces in the header",
	  "Navn ; E-mail adresse ;Firma\na;a@x.dk;b\n", 0, "2:a@x.dk/a/b\n" },
	{ "E-Mail with a capital M, no name column",
	  "E-Mail\na@x.dk\n", 0, "2:a@x.dk/-/-\n" },
	{ "commas in the fields of a semicolon file",
	  "Navn;E-mail;Organisation\nHansen, Jens;j@x.dk;A, B\n", 0,
	  "2:j@x.dk/Hansen, Jens/A, B\n" },
	{ "what members --csv writes",
	  "\xef\xbb\xbf" "E-mail;Navn;Organisation;Status;Siden\r\n"
	  "a@x.dk;A;B;active;2026-12-03\r\n", 0, "2:a@x.dk/A/B\n" },
	{ "blank lines before the header, no line end at the end",
	  "\r\n\r\nE-mail\r\na@x.dk", 0, "4:a@x.dk/-/-\n" },
	{ "old Mac line ends (CR)",
	  "E-mail\ra@x.dk\rb@x.dk\r", 0, "2:a@x.dk/-/-\n3:b@x.dk/-/-\n" },
	{ "a short row, spaces around the address",
	  "Navn;E-mail\r\nJens\r\nAnne; A@X.DK \r\n", 0,
	  "2:/Jens/-\n3:a@x.dk/Anne/-\n" },
	{ "an unclosed quote takes the rest",
	  "E-mail;Navn\na@x.dk;\"Anne\n", 0, "2:a@x.dk/Anne/-\n" },
	{ "only the header", "Navn;E-mail\r\n", 0, "" },
	{ "no address column", "Navn;Telefon\nJens;123\n", -1, "E-mail" },
	{ "an empty file", "", -1, "empty" },
	{ "only blank lines", "\r\n;;\r\n", -1, "empty" },
};

/* The rows as "line:addr/name/org\n", "-" for none. Caller frees. */
static char *
test_rows_dup(const struct members_file *f)
{
	struct buf	 b;
	size_t		 i;

	buf_init(&b);
	buf_adds(&b, "");
	for (i = 0; i < f->n; i++)
		buf_addf(&b, "%zu:%s/%s/%s\n", f->v[i].line, f->v[i].addr,
		    f->v[i].name ? f->v[i].name : "-",
		    f->v[i].org ? f->v[i].org : "-");
	return buf_release(&b);
}

static void
test_cases(void)
{
	struct members_file	 f;
	char			 err[256], *got;
	size_t			 i;
	int			 rc;

	for (i = 0; i < nitems(cases); i++) {
		err[0] = '\0';
		rc = members_csv_parse(cases[i].in, strlen(cases[i].in), &f,
		    err, sizeof(err));
		if (rc != cases[i].rc)
			fprintf(stderr, "case \"%s\": rc %d\n", cases[i].what, rc);
		CHECK(rc == cases[i].rc);
		if (rc == -1) {
			CHECK(f.n == 0 && f.v == NULL);
			if (strstr(err, cases[i].want) == NULL)
				fprintf(stderr, "case \"%s\": err \"%s\"\n",
				    cases[i].what, err);
			CHECK(strstr(err, cases[i].want) != NULL);
			continue;
		}
		got = test_rows_dup(&f);
		if (strcmp(got, cases[i].want) != 0)
			fprintf(stderr, "case \"%s\":\n", cases[i].what);
		CHECK_STR(got, cases[i].want);
		free(got);
		members_file_clear(&f);
	}
}

/* Whatever cli_csv_field quotes, the reader gives back. */
static void
test_round_trip(void)
{
	static const char *const names[] = { "Plain", "Semi; colon",
	    "Quote \"x\"", "Line\r\nbreak", "Komma, ok", "\xc3\xa6\xc3\xb8\xc3\xa5",
	    "=HYPERLINK(\"http://x\";\"Klik\")", "+45 12 34", "-1+2", "@SUM(1)",
	    "'quoted already" };
	struct members_file	 f;
	struct buf		 b;
	char			 err[64], addr[32];
	size_t			 i;

	buf_init(&b);
	buf_adds(&b, "\xef\xbb\xbf");
	cli_csv_field(&b, "E-mail", false);
	cli_csv_field(&b, "Navn", true);
	for (i = 0; i < nitems(names); i++) {
		snprintf(addr, sizeof(addr), "m%zu@x.dk", i);
		cli_csv_field(&b, addr, false);
		cli_csv_field(&b, names[i], true);
	}
	/* no cell starts a formula in Excel: a ' keeps it text */
	CHECK(strstr(b.data, ";=") == NULL && strstr(b.data, ";\"=") == NULL &&
	    strstr(b.data, ";+") == NULL && strstr(b.data, ";-") == NULL &&
	    strstr(b.data, ";@") == NULL);
	CHECK(strstr(b.data, ";\"'=HYPERLINK(") != NULL &&
	    strstr(b.data, ";'+45 12 34\r\n") != NULL);
	CHECK(members_csv_parse(b.data, b.len, &f, err, sizeof(err)) == 0);
	CHECK(f.n == nitems(names));
	for (i = 0; i < f.n && i < nitems(names); i++) {
		snprintf(addr, sizeof(addr), "m%zu@x.dk", i);
		CHECK_STR(f.v[i].addr, addr);
		CHECK_STR(f.v[i].name, i == 3 ? "Line\nbreak" : names[i]);
	}
	CHECK(f.n == nitems(names) && f.v[4].line == 7);
	members_file_clear(&f);
	buf_clear(&b);
}

int
main(void)
{
	test_cases();
	test_round_trip();
	return check_done("test_members");
}
