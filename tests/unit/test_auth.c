/*
 * test_auth.c: confirmation codes (shape, binding to id, address,
 * action and expiry; typed forms) and the secret file.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "auth.h"
#include "check.h"
#include "conf.h"
#include "mime.h"
#include "util.h"

static bool
proven(const char *trusted, const char *raw)
{
	struct conf		 c;
	struct mime_limits	 lim;
	struct msg		 m;
	bool			 r;

	memset(&c, 0, sizeof(c));
	c.trusted_authserv_id = (char *)(uintptr_t)trusted;
	mime_limits_default(&lim);
	if (mime_parse(raw, strlen(raw), &lim, &m) == -1)
		return false;
	r = auth_sender_proven(&c, &m);
	msg_clear(&m);
	return r;
}

static void
test_proof(void)
{
	const char *t = "mx.slagelse.dk, mx2.slagelse.dk";

	CHECK(proven(t, "Authentication-Results: mx.slagelse.dk;\r\n"
	    " dkim=pass header.d=slagelse.dk header.s=s1;\r\n"
	    " spf=pass smtp.mailfrom=slagelse.dk\r\n"
	    "From: Sekretariat <sek@slagelse.dk>\r\nSubject: x\r\n\r\n"));
	CHECK(proven(t, "Authentication-Results: MX2.slagelse.dk 1; "
	    "dmarc=pass (p=reject) header.from=slagelse.dk\n"
	    "From: sek@slagelse.dk\nSubject: x\n\n"));
	/* relaxed alignment: a parent domain signs */
	CHECK(proven(t, "Authentication-Results: mx.slagelse.dk; "
	    "dkim=pass header.d=slagelse.dk\nFrom: a@intern.slagelse.dk\n\n"));
	/* not: another server's word, a fail, another domain, no list */
	CHECK(!proven(t, "Authentication-Results: mx.evil.example; "
	    "dkim=pass header.d=slagelse.dk\nFrom: sek@slagelse.dk\n\n"));
	CHECK(!proven(t, "Authentication-Results: mx.slagelse.dk; "
	    "dkim=fail header.d=slagelse.dk\nFrom: sek@slagelse.dk\n\n"));
	CHECK(!proven(t, "Authentication-Results: mx.slagelse.dk; "
	    "dkim=pass header.d=evil.example\nFrom: sek@slagelse.dk\n\n"));
	CHECK(!proven(t, "Authentication-Results: mx.slagelse.dk; "
	    "dkim=pass header.d=agelse.dk\nFrom: sek@slagelse.dk\n\n"));
	CHECK(!proven(NULL, "Authentication-Results: mx.slagelse.dk; "
	    "dkim=pass header.d=slagelse.dk\nFrom: sek@slagelse.dk\n\n"));
	/* a forged pass below the trusted server's own fail counts for nothing */
	CHECK(!proven(t, "Authentication-Results: mx.slagelse.dk; dkim=none\n"
	    "Authentication-Results: mx.slagelse.dk; dkim=pass "
	    "header.d=slagelse.dk\nFrom: sek@slagelse.dk\n\n"));
	CHECK(!proven(t, "From: sek@slagelse.dk\n\n"));
}

int
main(void)
{
	unsigned char	 s1[AUTH_SECRET_LEN], s2[AUTH_SECRET_LEN];
	char		 a[AUTH_CODE_LEN + 1], b[AUTH_CODE_LEN + 1];
	char		 n[AUTH_CODE_LEN + 1], dir[] = "/tmp/ffnet-auth-XXXXXX";
	char		 err[256], *path;
	struct stat	 sb;
	size_t		 i, same = 0;

	CHECK(mkdtemp(dir) != NULL);
	path = xasprintf("%s/store.secret", dir);
	CHECK(auth_secret_load(path, s1, err, sizeof(err)) == 0);
	CHECK(stat(path, &sb) == 0 && (sb.st_mode & 0777) == 0600);
	CHECK(auth_secret_load(path, s2, err, sizeof(err)) == 0);
	CHECK(memcmp(s1, s2, sizeof(s1)) == 0);

	auth_code_make(s1, 7, "jens@x.dk", "join", 1000, a);
	CHECK(strlen(a) == AUTH_CODE_LEN && a[4] == '-');
	CHECK(strpbrk(a, "ILOU") == NULL);
	CHECK(auth_code_ok(s1, 7, "jens@x.dk", "join", 1000, a));
	CHECK(!auth_code_ok(s1, 8, "jens@x.dk", "join", 1000, a));
	CHECK(!auth_code_ok(s1, 7, "anna@x.dk", "join", 1000, a));
	CHECK(!auth_code_ok(s1, 7, "jens@x.dk", "leave", 1000, a));
	CHECK(!auth_code_ok(s1, 7, "jens@x.dk", "join", 1001, a));
	memset(s2, 0x5a, sizeof(s2));
	CHECK(!auth_code_ok(s2, 7, "jens@x.dk", "join", 1000, a));
	/* different requests give different codes */
	for (i = 0; i < 1000; i++) {
		auth_code_make(s1, (int64_t)i, "jens@x.dk", "join", 1000, b);
		if (strcmp(a, b) == 0)
			same++;
	}
	CHECK(same <= 1);

	/* SLET MIG's keyed hash: stable, case-blind, keyed, no "@" */
	{
		char	 h1[AUTH_HASH_LEN + 1], h2[AUTH_HASH_LEN + 1];

		auth_addr_hash(s1, "jens@x.dk", h1);
		CHECK(strlen(h1) == AUTH_HASH_LEN);
		CHECK(strncmp(h1, AUTH_HASH_PREFIX, strlen(AUTH_HASH_PREFIX)) == 0);
		CHECK(strchr(h1, '@') == NULL);
		auth_addr_hash(s1, "Jens@X.dk", h2);
		CHECK_STR(h1, h2);
		auth_addr_hash(s1, "anna@x.dk", h2);
		CHECK(strcmp(h1, h2) != 0);
		auth_addr_hash(s2, "jens@x.dk", h2);
		CHECK(strcmp(h1, h2) != 0);
	}

	CHECK(auth_code_norm("k7qf m2xd", n) && strcmp(n, "K7QF-M2XD") == 0);
	CHECK(auth_code_norm("K7QFM2XD", n) && strcmp(n, "K7QF-M2XD") == 0);
	CHECK(auth_code_norm("abco-il01", n) && strcmp(n, "ABC0-1101") == 0);
	CHECK(!auth_code_norm("K7QF-M2X", n));
	CHECK(!auth_code_norm("K7QF-M2XD9", n));
	CHECK(!auth_code_norm("K7QF-M2X!", n));
	CHECK(!auth_code_norm("", n));
	CHECK(auth_code_find("SV: Bekræft (kode K7QF-M2XD)", n) &&
	    strcmp(n, "K7QF-M2XD") == 0);
	CHECK(!auth_code_find("Møde 2026", n));
	CHECK(!auth_code_find("XK7QF-M2XD", n));

	/* a file that is not a secret is refused, not replaced */
	unlink(path);
	{
		FILE *f = fopen(path, "w");

		fputs("short\n", f);
		fclose(f);
	}
	CHECK(auth_secret_load(path, s2, err, sizeof(err)) == -1);
	CHECK(strstr(err, "secret") != NULL);
	unlink(path);
	rmdir(dir);
	free(path);
	test_proof();
	return check_done("test_auth");
}
