/*
 * oauth2.c: the access token for XOAUTH2 logins. imap.c and smtp.c ask
 * oauth2_token_dup() before each login and report a refusal; conf.c
 * makes the handle from [oauth2]. It owns the token (memory only), the
 * key and certificate, and one mutex: the outbox's threads never call
 * it, but nothing breaks if a caller does. The token endpoint speaks
 * form-encoded POST and answers with one flat JSON object (RFC 6749 5).
 */
#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include <gnutls/abstract.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <jansson.h>

#include "log.h"
#include "oauth2.h"
#include "util.h"

#define OAUTH2_BODY_MAX		(64 * 1024)	/* bytes of an answer */
#define OAUTH2_JSON_DEPTH	16
#define OAUTH2_JWT_LIFE		600		/* seconds an assertion lives */
#define OAUTH2_WAIT_MIN		5		/* back-off without Retry-After */
#define OAUTH2_WAIT_MAX		300
#define OAUTH2_QUIET		300	/* a config error is not asked again sooner */

struct oauth2 {
	pthread_mutex_t		 mu;
	char			*token_url;
	char			*client_id;
	char			*client_secret;
	char			*scope;
	char			*ca_file;
	char			*subject;
	int			 timeout;
	gnutls_privkey_t	 key;		/* NULL: a secret */
	char			*x5t;		/* the certificate's, or NULL */
	char			*token;
	unsigned		 gen;		/* tokens got so far */
	time_t			 renew_at;
	time_t			 not_before;	/* Retry-After */
	int			 wait;		/* the last back-off, seconds */
	bool			 lasting;
	time_t			 quiet_until;	/* the config error stands till then */
	char			 lasterr[512];
	int			 refusals;	/* logins refused since the last OK */
};

static char	*oauth2_b64url_dup(const void *, size_t);
static int	 oauth2_load_key(struct oauth2 *, const char *, const char *,
		    char *, size_t);
static size_t	 oauth2_write_cb(char *, size_t, size_t, void *);
static char	*oauth2_form_dup(struct oauth2 *, CURL *);
static int	 oauth2_fetch(struct oauth2 *, char *, size_t);
static void	 oauth2_refusal_fmt(struct oauth2 *,
		    const struct oauth2_answer *, long, char *, size_t);

/* What to fix, by Entra ID's AADSTS code (learn.microsoft.com error table). */
static const struct {
	long		 code;
	const char	*fix;
} oauth2_aadsts[] = {
	{ 7000215, "the client secret is wrong: put the secret's Value (not "
	    "its Secret ID) in [oauth2] client_secret_file" },
	{ 7000222, "the client secret has expired: make a new one under "
	    "Certificates & secrets in the app registration and put it in "
	    "[oauth2] client_secret_file" },
	{ 7000218, "no credential was sent: set [oauth2] client_secret_file, "
	    "or certificate_file and key_file" },
	{ 700016, "the app is not in this tenant: check [oauth2] client_id "
	    "(the Application (client) ID) and tenant" },
	{ 90002, "the tenant was not found: check [oauth2] tenant (the "
	    "Directory (tenant) ID or a verified domain)" },
	{ 900023, "the tenant is not valid: check [oauth2] tenant (the "
	    "Directory (tenant) ID or a verified domain)" },
	{ 70011, "the scope is not valid: use [oauth2] scope = "
	    "https://outlook.office365.com/.default" },
	{ 1002012, "the scope is not valid: use [oauth2] scope = "
	    "https://outlook.office365.com/.default" },
	{ 500011, "the resource in [oauth2] scope is not in the tenant: use "
	    "https://outlook.office365.com/.default" },
	{ 700027, "the certificate assertion was refused: upload the "
	    "certificate (public part) to the app under Certificates & "
	    "secrets, and check that [oauth2] certificate_file and key_file "
	    "belong together" },
	{ 700024, "the assertion is outside its time range: check this "
	    "machine's clock" },
	{ 7000112, "the app is disabled in the tenant: an administrator must "
	    "enable it under Enterprise applications" },
	{ 70003, "the endpoint does not take this grant: check [oauth2] "
	    "token_url" },
	{ 65001, "admin consent is missing: grant admin consent for "
	    "IMAP.AccessAsApp and SMTP.SendAsApp in the app registration" },
};

struct oauth2 *
oauth2_new(const struct oauth2_params *p, char *err, size_t errlen)
{
	struct oauth2	*o, *rv = NULL;

	o = xcalloc(1, sizeof(*o));
	pthread_mutex_init(&o->mu, NULL);
	o->token_url = xstrdup(p->token_url);
	o->client_id = xstrdup(p->client_id);
	o->client_secret = p->client_secret ? xstrdup(p->client_secret) :
	    NULL;
	o->scope = xstrdup(p->scope);
	o->ca_file = p->ca_file ? xstrdup(p->ca_file) : NULL;
	o->subject = p->subject ? xstrdup(p->subject) : NULL;
	o->timeout = p->timeout > 0 ? p->timeout : 30;
	if (p->key_file != NULL &&
	    oauth2_load_key(o, p->key_file, p->cert_file, err, errlen) == -1)
		goto out;
	rv = o;
	o = NULL;
 out:
	oauth2_free(o);
	return rv;
}

void
oauth2_free(struct oauth2 *o)
{
	if (o == NULL)
		return;
	if (o->client_secret != NULL)
		explicit_bzero(o->client_secret, strlen(o->client_secret));
	if (o->token != NULL)
		explicit_bzero(o->token, strlen(o->token));
	if (o->key != NULL)
		gnutls_privkey_deinit(o->key);
	free(o->token_url);
	free(o->client_id);
	free(o->client_secret);
	free(o->scope);
	free(o->ca_file);
	free(o->subject);
	free(o->x5t);
	free(o->token);
	pthread_mutex_destroy(&o->mu);
	free(o);
}

/*
 * The PEM key, and the certificate whose SHA-1 thumbprint goes in the
 * assertion's x5t header (Microsoft's certificate credential); the two
 * must carry the same public key.
 */
static int
oauth2_load_key(struct oauth2 *o, const char *keyf, const char *certf,
    char *err, size_t errlen)
{
	gnutls_datum_t		 d = { NULL, 0 };
	gnutls_x509_crt_t	 crt = NULL;
	gnutls_pubkey_t		 pub = NULL;
	unsigned char		 fp[20], id1[64], id2[64];
	size_t			 fplen = sizeof(fp), n1 = sizeof(id1),
				 n2 = sizeof(id2);
	int			 r, rc = -1;

	if ((r = gnutls_load_file(keyf, &d)) < 0 ||
	    (r = gnutls_privkey_init(&o->key)) < 0 ||
	    (r = gnutls_privkey_import_x509_raw(o->key, &d,
	    GNUTLS_X509_FMT_PEM, NULL, 0)) < 0) {
		snprintf(err, errlen, "[oauth2] key_file: %s: %s", keyf,
		    gnutls_strerror(r));
		goto out;
	}
	if (gnutls_privkey_get_pk_algorithm(o->key, NULL) != GNUTLS_PK_RSA) {
		snprintf(err, errlen, "[oauth2] key_file: %s: an RSA key is "
		    "needed (RS256)", keyf);
		goto out;
	}
	if (certf == NULL) {
		rc = 0;
		goto out;
	}
	gnutls_free(d.data);
	d.data = NULL;
	if ((r = gnutls_load_file(certf, &d)) < 0 ||
	    (r = gnutls_x509_crt_init(&crt)) < 0 ||
	    (r = gnutls_x509_crt_import(crt, &d, GNUTLS_X509_FMT_PEM)) < 0 ||
	    (r = gnutls_x509_crt_get_fingerprint(crt, GNUTLS_DIG_SHA1, fp,
	    &fplen)) < 0) {
		snprintf(err, errlen, "[oauth2] certificate_file: %s: %s",
		    certf, gnutls_strerror(r));
		goto out;
	}
	if (gnutls_pubkey_init(&pub) < 0 ||
	    gnutls_pubkey_import_privkey(pub, o->key, 0, 0) < 0 ||
	    gnutls_pubkey_get_key_id(pub, 0, id1, &n1) < 0 ||
	    gnutls_x509_crt_get_key_id(crt, 0, id2, &n2) < 0 ||
	    n1 != n2 || memcmp(id1, id2, n1) != 0) {
		snprintf(err, errlen, "[oauth2] certificate_file: %s does not "
		    "belong to the key in key_file", certf);
		goto out;
	}
	o->x5t = oauth2_b64url_dup(fp, fplen);
	rc = 0;
 out:
	gnutls_free(d.data);
	gnutls_x509_crt_deinit(crt);
	gnutls_pubkey_deinit(pub);
	return rc;
}

/* RFC 7515 2: base64url without padding. Returns a new string. */
static char *
oauth2_b64url_dup(const void *data, size_t len)
{
	gnutls_datum_t	 in = { (unsigned char *)(uintptr_t)data,
			    (unsigned)len }, out = { NULL, 0 };
	struct buf	 b;
	unsigned	 i;

	buf_init(&b);
	if (gnutls_base64_encode2(&in, &out) < 0)
		fatalx("oauth2: base64: out of memory");
	for (i = 0; i < out.size; i++) {
		switch (out.data[i]) {
		case '+':
			buf_addc(&b, '-');
			break;
		case '/':
			buf_addc(&b, '_');
			break;
		case '=': case '\n': case '\r':
			break;
		default:
			buf_addc(&b, out.data[i]);
		}
	}
	gnutls_free(out.data);
	return buf_release(&b);
}

/*
 * RFC 7523: an RS256 JWT. With a subject it is Google's JWT bearer
 * grant (2.1: iss the service account, sub the mailbox, scope); else
 * Microsoft's client assertion (2.2: iss = sub = client_id, jti, x5t).
 * Both have aud = the token URL.
 */
char *
oauth2_jwt_dup(struct oauth2 *o, time_t now)
{
	gnutls_datum_t	 data, sig = { NULL, 0 };
	struct buf	 h, c, out;
	unsigned char	 rnd[16];
	json_t		*hdr = NULL, *claims = NULL;
	char		*h64 = NULL, *c64 = NULL, *s64 = NULL, jti[33];
	char		*hs = NULL, *cs = NULL, *rv = NULL;
	size_t		 i;

	buf_init(&h);
	buf_init(&c);
	buf_init(&out);
	if (o->key == NULL)
		goto out;
	hdr = json_pack("{s:s, s:s}", "alg", "RS256", "typ", "JWT");
	if (o->x5t != NULL)
		json_object_set_new(hdr, "x5t", json_string(o->x5t));
	claims = json_pack("{s:s, s:s, s:s, s:I, s:I}", "aud", o->token_url,
	    "iss", o->client_id, "sub", o->subject ? o->subject :
	    o->client_id, "iat", (json_int_t)now, "exp",
	    (json_int_t)(now + OAUTH2_JWT_LIFE));
	if (hdr == NULL || claims == NULL)
		goto out;
	if (o->subject != NULL)
		json_object_set_new(claims, "scope", json_string(o->scope));
	else {
		if (util_random(rnd, sizeof(rnd)) == -1)
			goto out;
		for (i = 0; i < sizeof(rnd); i++)
			snprintf(jti + 2 * i, 3, "%02x", rnd[i]);
		json_object_set_new(claims, "jti", json_string(jti));
		json_object_set_new(claims, "nbf", json_integer(now));
	}
	if ((hs = json_dumps(hdr, JSON_COMPACT)) == NULL ||
	    (cs = json_dumps(claims, JSON_COMPACT)) == NULL)
		goto out;
	buf_adds(&h, hs);
	buf_adds(&c, cs);
	h64 = oauth2_b64url_dup(h.data, h.len);
	c64 = oauth2_b64url_dup(c.data, c.len);
	buf_addf(&out, "%s.%s", h64, c64);
	data.data = (unsigned char *)out.data;
	data.size = (unsigned)out.len;
	/* RFC 7518 3.3: RSASSA-PKCS1-v1_5 with SHA-256 */
	if (gnutls_privkey_sign_data(o->key, GNUTLS_DIG_SHA256, 0, &data,
	    &sig) < 0) {
		log_warnx("oauth2: cannot sign the assertion");
		goto out;
	}
	s64 = oauth2_b64url_dup(sig.data, sig.size);
	buf_addf(&out, ".%s", s64);
	rv = buf_release(&out);
 out:
	gnutls_free(sig.data);
	buf_clear(&h);
	buf_clear(&c);
	buf_clear(&out);
	free(h64);
	free(c64);
	free(s64);
	free(hs);
	free(cs);
	json_decref(hdr);
	json_decref(claims);
	return rv;
}

/*
 * The endpoint's answer is one JSON object (RFC 8259), read by jansson:
 * strict (no trailing text, no NUL in strings, no key twice).
 */
int
oauth2_json_get(const char *s, size_t len, const char *key, char **out)
{
	json_t		*root, *v;
	int		 rc = 1;

	*out = NULL;
	if ((root = json_loadb(s, len, JSON_REJECT_DUPLICATES, NULL)) ==
	    NULL)
		return -1;
	if (!json_is_object(root))
		rc = -1;
	else if ((v = json_object_get(root, key)) == NULL ||
	    json_is_object(v) || json_is_array(v))
		rc = 1;
	else {
		if (json_is_string(v))
			*out = xstrdup(json_string_value(v));
		else if (json_is_integer(v))
			*out = xasprintf("%" JSON_INTEGER_FORMAT,
			    json_integer_value(v));
		else if (json_is_real(v))
			*out = xasprintf("%.17g", json_real_value(v));
		else
			*out = xstrdup(json_is_true(v) ? "true" :
			    json_is_false(v) ? "false" : "null");
		rc = 0;
	}
	json_decref(root);
	return rc;
}

int
oauth2_answer_parse(const char *s, size_t len, struct oauth2_answer *a)
{
	const char	*p, *errstr = NULL;
	char		*v = NULL;
	int		 r;

	memset(a, 0, sizeof(*a));
	if ((r = oauth2_json_get(s, len, "access_token", &a->access_token))
	    == -1)
		return -1;
	if (oauth2_json_get(s, len, "expires_in", &v) == 0) {
		/* a number, or (some providers) a numeric string */
		a->expires_in = (long)util_strtonum(v, 1, 366L * 86400,
		    &errstr);
		if (errstr != NULL)
			a->expires_in = 0;
		free(v);
	}
	oauth2_json_get(s, len, "error", &a->error);
	oauth2_json_get(s, len, "error_description", &a->description);
	if (a->description != NULL &&
	    (p = strstr(a->description, "AADSTS")) != NULL &&
	    isdigit((unsigned char)p[6]))
		a->aadsts = strtol(p + 6, NULL, 10);
	return 0;
}

void
oauth2_answer_clear(struct oauth2_answer *a)
{
	if (a->access_token != NULL)
		explicit_bzero(a->access_token, strlen(a->access_token));
	free(a->access_token);
	free(a->error);
	free(a->description);
	memset(a, 0, sizeof(*a));
}

const char *
oauth2_aadsts_fix(long code)
{
	size_t	 i;

	for (i = 0; i < nitems(oauth2_aadsts); i++)
		if (oauth2_aadsts[i].code == code)
			return oauth2_aadsts[i].fix;
	return NULL;
}

/* Renew at 80% of the lifetime the endpoint gave, never a constant. */
time_t
oauth2_renew_at(time_t got, long expires_in)
{
	long	 t = expires_in * 4 / 5;

	return got + (t < 1 ? 1 : t);
}

static size_t
oauth2_write_cb(char *data, size_t size, size_t nitems, void *arg)
{
	struct buf	*b = arg;
	size_t		 n = size * nitems;

	if (b->len + n > OAUTH2_BODY_MAX)
		return 0;
	buf_add(b, data, n);
	return n;
}

/* The grant, form-encoded (RFC 6749 4.4.2, RFC 7523 2.1 and 2.2). */
static char *
oauth2_form_dup(struct oauth2 *o, CURL *c)
{
	struct buf	 b;
	char		*jwt = NULL, *e;

	buf_init(&b);
	if (o->key != NULL && (jwt = oauth2_jwt_dup(o, time(NULL))) == NULL)
		return NULL;
	if (o->subject != NULL)
		buf_adds(&b, "grant_type=urn%3Aietf%3Aparams%3Aoauth%3A"
		    "grant-type%3Ajwt-bearer&assertion=");
	else
		buf_adds(&b, "grant_type=client_credentials&client_id=");
	if (o->subject == NULL) {
		e = curl_easy_escape(c, o->client_id, 0);
		buf_adds(&b, e ? e : "");
		curl_free(e);
		e = curl_easy_escape(c, o->scope, 0);
		buf_addf(&b, "&scope=%s", e ? e : "");
		curl_free(e);
		if (jwt != NULL)
			buf_adds(&b, "&client_assertion_type=urn%3Aietf%3A"
			    "params%3Aoauth%3Aclient-assertion-type%3A"
			    "jwt-bearer&client_assertion=");
		else {
			e = curl_easy_escape(c, o->client_secret ?
			    o->client_secret : "", 0);
			buf_addf(&b, "&client_secret=%s", e ? e : "");
			if (e != NULL)
				explicit_bzero(e, strlen(e));
			curl_free(e);
		}
	}
	if (jwt != NULL)
		buf_adds(&b, jwt);	/* base64url: nothing to escape */
	free(jwt);
	buf_addc(&b, '\0');
	return buf_release(&b);
}

/* "oauth2: token refused (HTTP 401, AADSTS7000215): <fix>" */
static void
oauth2_refusal_fmt(struct oauth2 *o, const struct oauth2_answer *a,
    long status, char *err, size_t errlen)
{
	const char	*fix = oauth2_aadsts_fix(a->aadsts);
	char		 code[32] = "", desc[256] = "";

	if (a->aadsts != 0)
		snprintf(code, sizeof(code), ", AADSTS%ld", a->aadsts);
	if (a->description != NULL)	/* up to the trace id */
		snprintf(desc, sizeof(desc), "%.*s",
		    (int)strcspn(a->description, "\r\n"), a->description);
	snprintf(err, errlen, "oauth2: %s refused the token request "
	    "(HTTP %ld, %s%s): %s", o->token_url, status,
	    a->error ? a->error : "no error code", code,
	    fix ? fix : desc[0] ? desc : "check [oauth2] client_id and the "
	    "secret or key");
}

/* One token request; the caller holds the mutex. */
static int
oauth2_fetch(struct oauth2 *o, char *err, size_t errlen)
{
	struct oauth2_answer	 a;
	struct buf		 body;
	CURL			*c;
	CURLcode		 rc;
	curl_off_t		 retry = 0;
	char			*form = NULL, ebuf[CURL_ERROR_SIZE] = "";
	long			 status = 0;
	time_t			 now;
	int			 ret = -1;

	memset(&a, 0, sizeof(a));
	buf_init(&body);
	o->lasting = false;
	if ((c = curl_easy_init()) == NULL) {
		snprintf(err, errlen, "oauth2: cannot make a libcurl handle");
		goto out;
	}
	if ((form = oauth2_form_dup(o, c)) == NULL) {
		snprintf(err, errlen, "oauth2: cannot sign the assertion "
		    "with [oauth2] key_file");
		o->lasting = true;
		goto out;
	}
	curl_easy_setopt(c, CURLOPT_URL, o->token_url);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, form);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, oauth2_write_cb);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &body);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, ebuf);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, (long)o->timeout);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https,http");
	if (o->ca_file != NULL)
		curl_easy_setopt(c, CURLOPT_CAINFO, o->ca_file);
	rc = curl_easy_perform(c);
	now = time(NULL);
	if (rc != CURLE_OK) {
		snprintf(err, errlen, "oauth2: cannot reach the token endpoint "
		    "%s: %s", o->token_url, ebuf[0] ? ebuf :
		    curl_easy_strerror(rc));
		o->lasting = rc == CURLE_PEER_FAILED_VERIFICATION ||
		    rc == CURLE_SSL_CACERT_BADFILE || rc == CURLE_URL_MALFORMAT;
		goto out;
	}
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	if (status == 429 || status >= 500) {
		/* busy or down: wait as asked (RFC 6585 4), else back off */
		curl_easy_getinfo(c, CURLINFO_RETRY_AFTER, &retry);
		if (retry > 0)
			o->wait = retry > 3600 ? 3600 : (int)retry;
		else
			o->wait = o->wait * 2 < OAUTH2_WAIT_MIN ?
			    OAUTH2_WAIT_MIN : o->wait * 2 > OAUTH2_WAIT_MAX ?
			    OAUTH2_WAIT_MAX : o->wait * 2;
		o->not_before = now + o->wait;
		snprintf(err, errlen, "oauth2: the token endpoint %s is busy "
		    "or down (HTTP %ld); asking again in %d s", o->token_url,
		    status, o->wait);
		goto out;
	}
	o->wait = 0;
	o->not_before = 0;
	if (oauth2_answer_parse(body.data ? body.data : "", body.len,
	    &a) == -1) {
		snprintf(err, errlen, "oauth2: %s answered HTTP %ld without "
		    "JSON: check [oauth2] token_url", o->token_url, status);
		o->lasting = true;
		goto out;
	}
	if (status != 200 || a.access_token == NULL || a.expires_in == 0) {
		oauth2_refusal_fmt(o, &a, status, err, errlen);
		o->lasting = true;
		goto out;
	}
	if (o->token != NULL)
		explicit_bzero(o->token, strlen(o->token));
	free(o->token);
	o->token = a.access_token;
	a.access_token = NULL;
	o->gen++;
	o->renew_at = oauth2_renew_at(now, a.expires_in);
	log_info("oauth2: new token %.6s… for %ld s; renewed in %lld s",
	    o->token, a.expires_in, (long long)(o->renew_at - now));
	ret = 0;
 out:
	if (form != NULL)
		explicit_bzero(form, strlen(form));
	free(form);
	oauth2_answer_clear(&a);
	buf_clear(&body);
	curl_easy_cleanup(c);
	return ret;
}

char *
oauth2_token_dup(struct oauth2 *o, unsigned *gen, char *err, size_t errlen)
{
	char	*t = NULL;
	time_t	 now = time(NULL);

	pthread_mutex_lock(&o->mu);
	if (o->token == NULL || now >= o->renew_at) {
		/* a refused request is not repeated for every login */
		if (o->lasting && now < o->quiet_until)
			snprintf(err, errlen, "%s", o->lasterr);
		else if (now < o->not_before)
			snprintf(err, errlen, "oauth2: the token endpoint %s "
			    "asked to wait; asking again in %lld s",
			    o->token_url, (long long)(o->not_before - now));
		else if (oauth2_fetch(o, err, errlen) == -1) {
			if (o->lasting) {
				o->quiet_until = now + OAUTH2_QUIET;
				snprintf(o->lasterr, sizeof(o->lasterr), "%s",
				    err);
			}
		}
		else
			t = xstrdup(o->token);
	} else
		t = xstrdup(o->token);
	if (gen != NULL)
		*gen = o->gen;
	pthread_mutex_unlock(&o->mu);
	return t;
}

bool
oauth2_is_lasting(struct oauth2 *o)
{
	bool	 v;

	pthread_mutex_lock(&o->mu);
	v = o->lasting;
	pthread_mutex_unlock(&o->mu);
	return v;
}

int
oauth2_wait(struct oauth2 *o)
{
	time_t	 now = time(NULL);
	int	 w = 0;

	if (o == NULL)
		return 0;
	pthread_mutex_lock(&o->mu);
	if (o->not_before > now)
		w = (int)(o->not_before - now);
	pthread_mutex_unlock(&o->mu);
	return w;
}

bool
oauth2_refused(struct oauth2 *o, unsigned gen, const char *what)
{
	bool	 retry = true;

	pthread_mutex_lock(&o->mu);
	if (gen != o->gen) {		/* a newer token is there: try it */
		pthread_mutex_unlock(&o->mu);
		return retry;
	}
	o->refusals++;
	retry = o->refusals == 1;
	if (retry) {
		log_info("oauth2: %s refused the token %.6s…; getting a "
		    "fresh one", what, o->token ? o->token : "");
		if (o->token != NULL)
			explicit_bzero(o->token, strlen(o->token));
		free(o->token);
		o->token = NULL;
	} else if (o->refusals == 2)
		log_warnx("oauth2: %s refused a fresh token too: a "
		    "configuration error, not retried until a login succeeds",
		    what);
	pthread_mutex_unlock(&o->mu);
	return retry;
}

void
oauth2_accepted(struct oauth2 *o)
{
	pthread_mutex_lock(&o->mu);
	o->refusals = 0;
	pthread_mutex_unlock(&o->mu);
}

void
oauth2_grant_fmt(struct oauth2 *o, const char *mailbox, char *buf,
    size_t len)
{
	snprintf(buf, len, "a permissions problem in the tenant, not a "
	    "protocol error: the app (client id %s) has no access to the "
	    "mailbox %s. An Exchange administrator fixes it with "
	    "New-ServicePrincipal -AppId %s -ObjectId <the Enterprise "
	    "application's object id> and Add-MailboxPermission -Identity "
	    "%s -User <that service principal's id> -AccessRights FullAccess",
	    o->client_id, mailbox, o->client_id, mailbox);
}
