/*
 * test_net.c: unit tests of lib/net.c, the server certificate check,
 * as a case table without a network: certificates made here with
 * GnuTLS (one good, one expired), CA files that are right, wrong,
 * missing or not certificates, host names that match or do not. Every
 * refusal must say why in words an operator can act on. The loopback
 * stack's real certificates are tried in tests/net/test_imap.c. Links
 * lib/ alone.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "check.h"
#include "net.h"
#include "testlib.h"
#include "util.h"

enum t_ca { CA_SYSTEM, CA_SELF, CA_MISSING, CA_NOTPEM, CA_EMPTY };

/*
 * A self-signed certificate for x.dk (its own CA), valid from from to
 * until; DER in *der, PEM written to pem_path. 0 on success.
 */
static int
t_cert(time_t from, time_t until, gnutls_datum_t *der, const char *pem_path)
{
	gnutls_x509_privkey_t	 key = NULL;
	gnutls_x509_crt_t	 crt = NULL;
	gnutls_datum_t		 pem = { NULL, 0 };
	FILE			*f;
	int			 rc = -1;

	if (gnutls_x509_privkey_init(&key) < 0 ||
	    gnutls_x509_privkey_generate(key, GNUTLS_PK_ECDSA,
	    GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1), 0) < 0 ||
	    gnutls_x509_crt_init(&crt) < 0 ||
	    gnutls_x509_crt_set_version(crt, 3) < 0 ||
	    gnutls_x509_crt_set_serial(crt, "\x01", 1) < 0 ||
	    gnutls_x509_crt_set_activation_time(crt, from) < 0 ||
	    gnutls_x509_crt_set_expiration_time(crt, until) < 0 ||
	    gnutls_x509_crt_set_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME,
	    0, "x.dk", 4) < 0 ||
	    gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_DNSNAME,
	    "x.dk", 4, GNUTLS_FSAN_SET) < 0 ||
	    gnutls_x509_crt_set_basic_constraints(crt, 1, -1) < 0 ||
	    gnutls_x509_crt_set_key(crt, key) < 0 ||
	    gnutls_x509_crt_sign2(crt, crt, key, GNUTLS_DIG_SHA256, 0) < 0 ||
	    gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_DER, der) < 0 ||
	    gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_PEM, &pem) < 0)
		goto out;
	if ((f = fopen(pem_path, "w")) == NULL)
		goto out;
	fwrite(pem.data, 1, pem.size, f);
	rc = fclose(f) == 0 ? 0 : -1;
 out:
	gnutls_free(pem.data);
	if (crt != NULL)
		gnutls_x509_crt_deinit(crt);
	if (key != NULL)
		gnutls_x509_privkey_deinit(key);
	return rc;
}

int
main(void)
{
	static const unsigned char	 junk[64] = { 0x30, 0x82, 0x01, 0x0a };
	static const struct {
		const char	*why;
		int		 cert;	/* 0 none, 1 junk, 2 good, 3 expired */
		enum t_ca	 ca;
		const char	*host;
		const char	*want;	/* NULL: trusted; else in err */
	} cases[] = {
		{ "good, its own CA, its name", 2, CA_SELF, "x.dk", NULL },
		{ "good, its own CA, upper-case name", 2, CA_SELF, "X.DK",
		    NULL },
		{ "good, another name", 2, CA_SELF, "mail.x.dk",
		    "does not match host mail.x.dk" },
		{ "good, the system CAs do not know it", 2, CA_SYSTEM, "x.dk",
		    "not trusted (signer not found" },
		{ "expired", 3, CA_SELF, "x.dk", "expired" },
		{ "a ca_file that is not there", 2, CA_MISSING, "x.dk",
		    "cannot load" },
		{ "a ca_file that holds no certificate", 2, CA_NOTPEM, "x.dk",
		    "cannot load" },
		{ "an empty ca_file", 2, CA_EMPTY, "x.dk", "cannot load" },
		{ "no certificate at all", 0, CA_SELF, "x.dk",
		    "certificate for x.dk missing" },
		{ "bytes that are not a certificate", 1, CA_SELF, "x.dk",
		    "certificate for x.dk unreadable" },
	};
	char		 dir[] = "/tmp/ffnet-net-XXXXXX", err[256];
	char		*good_pem, *old_pem, *notpem, *empty;
	const char	*ca = NULL;
	gnutls_datum_t	 good = { NULL, 0 }, old = { NULL, 0 };
	const unsigned char *der;
	size_t		 i, len;
	time_t		 now = time(NULL);
	FILE		*f;
	int		 r;

	CHECK(mkdtemp(dir) != NULL);
	good_pem = xasprintf("%s/good.pem", dir);
	old_pem = xasprintf("%s/old.pem", dir);
	notpem = xasprintf("%s/notpem.pem", dir);
	empty = xasprintf("%s/empty.pem", dir);
	CHECK(t_cert(now - 3600, now + 86400, &good, good_pem) == 0);
	CHECK(t_cert(now - 2 * 86400, now - 86400, &old, old_pem) == 0);
	if ((f = fopen(notpem, "w")) != NULL) {
		fputs("password = not a certificate\n", f);
		fclose(f);
	}
	if ((f = fopen(empty, "w")) != NULL)
		fclose(f);

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		switch (cases[i].cert) {
		case 0:
			der = NULL, len = 0;
			break;
		case 1:
			der = junk, len = sizeof(junk);
			break;
		case 2:
			der = good.data, len = good.size;
			break;
		default:
			der = old.data, len = old.size;
			break;
		}
		switch (cases[i].ca) {
		case CA_SYSTEM:
			ca = NULL;
			break;
		case CA_SELF:
			ca = cases[i].cert == 3 ? old_pem : good_pem;
			break;
		case CA_MISSING:
			ca = "/nonexistent/ca.pem";
			break;
		case CA_NOTPEM:
			ca = notpem;
			break;
		case CA_EMPTY:
			ca = empty;
			break;
		}
		err[0] = '\0';
		r = net_verify_cert(der, len, ca, cases[i].host, err,
		    sizeof(err));
		if (cases[i].want == NULL ? r != 0 :
		    (r != -1 || !t_has(err, cases[i].want)))
			fprintf(stderr, "case %zu (%s): %d [%s]\n", i,
			    cases[i].why, r, err);
		if (cases[i].want == NULL)
			CHECK(r == 0);
		else
			CHECK(r == -1 && t_has(err, cases[i].want));
	}
	unlink(good_pem);
	unlink(old_pem);
	unlink(notpem);
	unlink(empty);
	rmdir(dir);
	free(good_pem);
	free(old_pem);
	free(notpem);
	free(empty);
	gnutls_free(good.data);
	gnutls_free(old.data);
	return check_done("test_net");
}
