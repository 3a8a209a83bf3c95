/*
 * test_oauth2.c: oauth2.c's pure parts as case tables: the flat JSON
 * reader (escapes, nesting, bad input), the token endpoint's answers
 * (Entra ID's success and error bodies), the AADSTS fixes, the renewal
 * time, and the signed JWTs (Microsoft's client assertion, Google's JWT
 * bearer grant): their header and claims decode, and the signature
 * verifies with the certificate's public key. Fixtures: tests/unit/oauth2/
 * (app.pem + app.key, other.pem: a certificate of another key).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gnutls/abstract.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "check.h"
#include "oauth2.h"
#include "util.h"

#define DIR		"tests/unit/oauth2/"
#define URL		"https://login.example/tenant/oauth2/v2.0/token"
/* openssl x509 -in app.pem -outform DER | openssl dgst -sha1 -binary | base64url */
#define APP_X5T		"E7TFrt7TlFfOTIQUbf10K33gUy0"

static const struct {
	const char	*json;
	const char	*key;
	int		 rc;
	const char	*want;
} json_cases[] = {
	{ "{\"a\":\"b\"}", "a", 0, "b" },
	{ " { \"a\" : \"b\" , \"c\" : 1 } ", "c", 0, "1" },
	{ "{\"a\":\"b\"}", "x", 1, NULL },
	{ "{}", "a", 1, NULL },
	{ "{\"n\":-12.5e3}", "n", 0, "-12500" },
	{ "{\"t\":true,\"f\":false,\"z\":null}", "f", 0, "false" },
	{ "{\"s\":\"q\\\"b\\\\s\\/n\\nt\\tr\\r\"}", "s", 0, "q\"b\\s/n\nt\tr\r" },
	{ "{\"u\":\"\\u00e6\\u00F8\\u00e5\"}", "u", 0, "æøå" },
	{ "{\"u\":\"\\u20ac \\ud83d\\ude00\"}", "u", 0, "€ 😀" },
	{ "{\"u\":\"\\ud83d\"}", "u", -1, NULL },		/* lone high */
	{ "{\"u\":\"\\ude00\"}", "u", -1, NULL },		/* lone low */
	{ "{\"u\":\"\\u0000\"}", "u", -1, NULL },		/* NUL */
	{ "{\"u\":\"\\x41\"}", "u", -1, NULL },
	{ "{\"u\":\"\\u12G4\"}", "u", -1, NULL },
	{ "{\"u\":\"a\nb\"}", "u", -1, NULL },		/* raw control */
	{ "{\"a\":\"b\"", "a", -1, NULL },			/* unclosed */
	{ "{\"a\":\"b}", "a", -1, NULL },
	{ "{\"a\" \"b\"}", "a", -1, NULL },
	{ "{\"a\":\"b\",}", "a", -1, NULL },
	{ "{\"a\":\"b\"} x", "a", -1, NULL },			/* trailing */
	{ "[\"a\"]", "a", -1, NULL },
	{ "", "a", -1, NULL },
	{ "{\"a\":bogus}", "a", -1, NULL },
	/* nested values are skipped, the members after them still read */
	{ "{\"e\":[700016,{\"x\":[1,2]}],\"a\":\"b\"}", "a", 0, "b" },
	{ "{\"e\":{\"a\":\"inner\"},\"a\":\"outer\"}", "a", 0, "outer" },
	{ "{\"e\":[1,2}", "e", -1, NULL },
	{ "{\"a\":\"first\",\"a\":\"second\"}", "a", -1, NULL },	/* twice */
	{ "{\"e\":[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]}", "e", 1, NULL },	/* nested */
};

static const struct {
	const char	*body;
	int		 rc;
	const char	*token;
	long		 expires_in;
	const char	*error;
	long		 aadsts;
} answer_cases[] = {
	{ "{\"token_type\":\"Bearer\",\"expires_in\":3599,\"ext_expires_in\":"
	    "3599,\"access_token\":\"eyJ0eXAi.x-y_z\"}", 0, "eyJ0eXAi.x-y_z",
	    3599, NULL, 0 },
	/* some providers send the number as a string */
	{ "{\"access_token\":\"t\",\"expires_in\":\"300\"}", 0, "t", 300, NULL,
	    0 },
	{ "{\"access_token\":\"t\",\"expires_in\":0}", 0, "t", 0, NULL, 0 },
	{ "{\"access_token\":\"t\",\"expires_in\":\"soon\"}", 0, "t", 0, NULL,
	    0 },
	{ "{\"error\":\"invalid_client\",\"error_description\":\"AADSTS7000215"
	    ": Invalid client secret provided.\\r\\nTrace ID: 1\",\"error_codes"
	    "\":[7000215],\"timestamp\":\"2026-12-03 10:00:00Z\"}", 0, NULL, 0,
	    "invalid_client", 7000215 },
	{ "{\"error\":\"invalid_scope\",\"error_description\":\"AADSTS1002012: "
	    "The provided value for scope\"}", 0, NULL, 0, "invalid_scope",
	    1002012 },
	{ "{\"error\":\"invalid_grant\",\"error_description\":\"Invalid JWT "
	    "Signature.\"}", 0, NULL, 0, "invalid_grant", 0 },
	{ "<html>502 Bad Gateway</html>", -1, NULL, 0, NULL, 0 },
};

static const struct {
	long		 code;
	const char	*word;	/* NULL: no fix known */
} aadsts_cases[] = {
	{ 7000215, "client_secret_file" },
	{ 7000222, "expired" },
	{ 700016, "client_id" },
	{ 90002, "tenant" },
	{ 70011, "scope" },
	{ 1002012, "scope" },
	{ 700027, "certificate" },
	{ 12345, NULL },
};

static const struct {
	time_t	 got;
	long	 expires_in;
	time_t	 want;
} renew_cases[] = {
	{ 1000, 3599, 1000 + 2879 },	/* Entra: about an hour */
	{ 1000, 5400, 1000 + 4320 },	/* 90 minutes */
	{ 1000, 300, 1000 + 240 },
	{ 1000, 5, 1000 + 4 },
	{ 1000, 1, 1000 + 1 },		/* never now: at least a second */
	{ 1000, 0, 1000 + 1 },
};

/* base64url (RFC 7515 2) to bytes; a new datum (gnutls_free). */
static int
b64url_decode(const char *s, size_t len, gnutls_datum_t *out)
{
	gnutls_datum_t	 in;
	char		*b;
	size_t		 i, n = (len + 3) / 4 * 4;
	int		 r;

	b = xcalloc(1, n + 1);
	for (i = 0; i < n; i++)
		b[i] = i >= len ? '=' : s[i] == '-' ? '+' : s[i] == '_' ? '/' :
		    s[i];
	in.data = (unsigned char *)b;
	in.size = (unsigned)n;
	r = gnutls_base64_decode2(&in, out);
	free(b);
	return r < 0 ? -1 : 0;
}

static char *
part_json(const char *jwt, int k)
{
	gnutls_datum_t	 d;
	const char	*p = jwt, *e;
	char		*s;

	while (k-- > 0 && (p = strchr(p, '.')) != NULL)
		p++;
	if (p == NULL)
		return NULL;
	e = p + strcspn(p, ".");
	if (b64url_decode(p, (size_t)(e - p), &d) == -1)
		return NULL;
	s = xstrndup((char *)d.data, d.size);
	gnutls_free(d.data);
	return s;
}

static bool
claim_is(const char *json, const char *key, const char *want)
{
	char	*v = NULL;
	bool	 ok;

	ok = oauth2_json_get(json, strlen(json), key, &v) == 0 &&
	    (want == NULL || strcmp(v, want) == 0);
	free(v);
	return ok;
}

static long
claim_num(const char *json, const char *key)
{
	char	*v = NULL;
	long	 n = -1;

	if (oauth2_json_get(json, strlen(json), key, &v) == 0)
		n = strtol(v, NULL, 10);
	free(v);
	return n;
}

/* The signature over header.claims verifies with the certificate's key. */
static bool
jwt_verifies(const char *jwt, const char *certfile)
{
	gnutls_datum_t		 pem = { NULL, 0 }, data, sig = { NULL, 0 };
	gnutls_x509_crt_t	 crt = NULL;
	gnutls_pubkey_t		 pub = NULL;
	const char		*dot;
	bool			 ok = false;

	if ((dot = strrchr(jwt, '.')) == NULL ||
	    gnutls_load_file(certfile, &pem) < 0 ||
	    gnutls_x509_crt_init(&crt) < 0 ||
	    gnutls_x509_crt_import(crt, &pem, GNUTLS_X509_FMT_PEM) < 0 ||
	    gnutls_pubkey_init(&pub) < 0 ||
	    gnutls_pubkey_import_x509(pub, crt, 0) < 0 ||
	    b64url_decode(dot + 1, strlen(dot + 1), &sig) == -1)
		goto out;
	data.data = (unsigned char *)(uintptr_t)jwt;
	data.size = (unsigned)(dot - jwt);
	ok = gnutls_pubkey_verify_data2(pub, GNUTLS_SIGN_RSA_SHA256, 0, &data,
	    &sig) >= 0;
 out:
	gnutls_free(pem.data);
	gnutls_free(sig.data);
	gnutls_x509_crt_deinit(crt);
	gnutls_pubkey_deinit(pub);
	return ok;
}

static void
test_json(void)
{
	size_t	 i;
	char	*v;
	int	 rc;

	for (i = 0; i < nitems(json_cases); i++) {
		rc = oauth2_json_get(json_cases[i].json,
		    strlen(json_cases[i].json), json_cases[i].key, &v);
		CHECK(rc == json_cases[i].rc);
		if (rc != json_cases[i].rc)
			fprintf(stderr, "  case %zu: %s -> %d\n", i,
			    json_cases[i].json, rc);
		if (json_cases[i].want != NULL)
			CHECK_STR(v, json_cases[i].want);
		else
			CHECK(v == NULL);
		free(v);
	}
}

static void
test_answers(void)
{
	struct oauth2_answer	 a;
	size_t			 i;

	for (i = 0; i < nitems(answer_cases); i++) {
		CHECK(oauth2_answer_parse(answer_cases[i].body,
		    strlen(answer_cases[i].body), &a) == answer_cases[i].rc);
		if (answer_cases[i].token != NULL)
			CHECK_STR(a.access_token, answer_cases[i].token);
		else
			CHECK(a.access_token == NULL);
		if (answer_cases[i].error != NULL)
			CHECK_STR(a.error, answer_cases[i].error);
		CHECK(a.expires_in == answer_cases[i].expires_in);
		CHECK(a.aadsts == answer_cases[i].aadsts);
		oauth2_answer_clear(&a);
	}
	for (i = 0; i < nitems(aadsts_cases); i++) {
		const char *fix = oauth2_aadsts_fix(aadsts_cases[i].code);

		if (aadsts_cases[i].word == NULL)
			CHECK(fix == NULL);
		else
			CHECK(fix != NULL &&
			    strstr(fix, aadsts_cases[i].word) != NULL);
	}
	for (i = 0; i < nitems(renew_cases); i++)
		CHECK(oauth2_renew_at(renew_cases[i].got,
		    renew_cases[i].expires_in) == renew_cases[i].want);
}

static void
test_jwt(void)
{
	struct oauth2_params	 p;
	struct oauth2		*o;
	char			 err[512], *jwt, *h, *c;
	time_t			 now = 1764756000;

	/* Microsoft: client assertion with x5t (RFC 7523 2.2) */
	memset(&p, 0, sizeof(p));
	p.token_url = URL;
	p.client_id = "11111111-2222-3333-4444-555555555555";
	p.scope = "https://outlook.office365.com/.default";
	p.cert_file = DIR "app.pem";
	p.key_file = DIR "app.key";
	o = oauth2_new(&p, err, sizeof(err));
	CHECK(o != NULL);
	if (o == NULL) {
		fprintf(stderr, "  %s\n", err);
		return;
	}
	jwt = oauth2_jwt_dup(o, now);
	CHECK(jwt != NULL && strchr(jwt, '=') == NULL &&
	    strchr(jwt, '+') == NULL && strchr(jwt, '/') == NULL);
	h = part_json(jwt, 0);
	c = part_json(jwt, 1);
	CHECK(h != NULL && c != NULL);
	CHECK(claim_is(h, "alg", "RS256") && claim_is(h, "typ", "JWT"));
	CHECK(claim_is(h, "x5t", APP_X5T));
	CHECK(claim_is(c, "aud", URL));
	CHECK(claim_is(c, "iss", p.client_id) && claim_is(c, "sub", p.client_id));
	CHECK(claim_is(c, "jti", NULL) && !claim_is(c, "scope", NULL));
	CHECK(claim_num(c, "nbf") == now && claim_num(c, "exp") == now + 600);
	CHECK(jwt_verifies(jwt, DIR "app.pem"));
	CHECK(!jwt_verifies(jwt, DIR "other.pem"));
	/* a changed claim breaks the signature */
	jwt[strlen(h) / 2] ^= 1;
	CHECK(!jwt_verifies(jwt, DIR "app.pem"));
	free(h);
	free(c);
	free(jwt);
	oauth2_free(o);

	/* Google: JWT bearer grant for a mailbox (RFC 7523 2.1), no x5t */
	p.cert_file = NULL;
	p.client_id = "ffnet@project.iam.gserviceaccount.com";
	p.scope = "https://mail.google.com/";
	p.subject = "netvaerk@kommune.dk";
	p.token_url = "https://oauth2.googleapis.com/token";
	o = oauth2_new(&p, err, sizeof(err));
	CHECK(o != NULL);
	if (o == NULL)
		return;
	jwt = oauth2_jwt_dup(o, now);
	h = part_json(jwt, 0);
	c = part_json(jwt, 1);
	CHECK(h != NULL && !claim_is(h, "x5t", NULL) &&
	    claim_is(h, "alg", "RS256"));
	CHECK(claim_is(c, "iss", p.client_id) && claim_is(c, "sub", p.subject));
	CHECK(claim_is(c, "scope", p.scope) && claim_is(c, "aud", p.token_url));
	CHECK(claim_num(c, "iat") == now && claim_num(c, "exp") == now + 600);
	CHECK(jwt_verifies(jwt, DIR "app.pem"));
	free(h);
	free(c);
	free(jwt);
	oauth2_free(o);

	/* the errors name the key */
	p.subject = NULL;
	p.cert_file = DIR "other.pem";
	CHECK(oauth2_new(&p, err, sizeof(err)) == NULL &&
	    strstr(err, "[oauth2] certificate_file") != NULL &&
	    strstr(err, "does not belong") != NULL);
	p.key_file = DIR "no-such.key";
	CHECK(oauth2_new(&p, err, sizeof(err)) == NULL &&
	    strncmp(err, "[oauth2] key_file: ", 19) == 0);
	p.key_file = DIR "app.pem";	/* a certificate is not a key */
	CHECK(oauth2_new(&p, err, sizeof(err)) == NULL &&
	    strncmp(err, "[oauth2] key_file: ", 19) == 0);
}

int
main(void)
{
	test_json();
	test_answers();
	test_jwt();
	return check_done("test_oauth2");
}
