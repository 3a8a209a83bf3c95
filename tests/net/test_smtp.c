/*
 * test_smtp.c: daemon/smtp.c against the real loopback stack that
 * tests/net.sh starts (Postfix submission with STARTTLS and AUTH, and a
 * second stack in OAuth2 mode). What is sent is read back over IMAP with
 * imap.c, and Postfix's log shows how many sessions carried it.
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "imap.h"
#include "log.h"
#include "smtp.h"
#include "util.h"
#include "net.h"

#define SYSTEM_CA	"/etc/ssl/certs/ca-certificates.crt"

static const char	*user, *pass, *ca, *other_ca, *logdir;
static unsigned		 imap_port;
static char		 err[1024];

static struct smtp_params
ts_params(const char *scheme, const char *portvar, const char *cafile)
{
	static char		 url[8][128];
	static int		 slot;
	struct smtp_params	 p;
	char			*u = url[slot++ % 8];

	memset(&p, 0, sizeof(p));
	snprintf(u, sizeof(url[0]), "%s://localhost:%s", scheme,
	    net_env(portvar));
	p.url = u;
	p.ca_file = cafile;
	p.login.mech = MECH_PASSWORD;
	p.login.user = user;
	p.login.secret = pass;
	p.timeout = 10;
	p.require_tls = 1;
	return p;
}

/* A message with a unique subject, a dot line and CRLF line ends. */
static char *
ts_msg(const char *subject, size_t pad)
{
	struct buf	 b;
	size_t		 i;

	buf_init(&b);
	/* Complete headers, so that Postfix adds none after ours. */
	buf_addf(&b, "From: <%s>\r\nTo: <%s>\r\nSubject: %s\r\n"
	    "Date: Sun, 22 Nov 2026 12:00:00 +0100\r\n"
	    "Message-ID: <%s.%d@test>\r\n\r\n.starts with a dot\r\n",
	    user, user, subject, subject, (int)getpid());
	for (i = 0; i < pad; i += 78)
		buf_adds(&b, "0123456789abcdefghijklmnopqrstuvwxyz"
		    "0123456789abcdefghijklmnopqrstuvwxyz0123\r\n");
	buf_adds(&b, "..two dots\r\nend\r\n");
	return buf_release(&b);
}

/* Sends msg to one recipient; says why when the result is not want. */
static bool
ts_send(struct smtp *s, const char *from, const char *to, const char *msg,
    enum smtp_result want)
{
	const char		*rcpt[1] = { to };
	enum smtp_result	 r;

	if (s == NULL)
		return false;
	r = smtp_send(s, from, rcpt, 1, msg, strlen(msg), err, sizeof(err));
	if (r != want)
		fprintf(stderr, "  send: got %d, want %d: %s\n", (int)r,
		    (int)want, err);
	return r == want;
}

static struct imap *
ts_imap(const char *host, unsigned port, const char *cafile,
    enum net_mech mech, const char *u, const char *secret)
{
	struct imap_params	 p;
	struct imap		*im;
	uint32_t		 uv;

	memset(&p, 0, sizeof(p));
	p.host = host;
	p.port = port;
	p.security = SEC_STARTTLS;
	p.ca_file = cafile;
	p.login.mech = mech;
	p.login.user = u;
	p.login.secret = secret;
	p.timeout = 10;
	if ((im = imap_connect(&p, err, sizeof(err))) == NULL) {
		fprintf(stderr, "  imap: %s\n", err);
		return NULL;
	}
	if (imap_select(im, "INBOX", &uv) == -1) {
		imap_close(im);
		return NULL;
	}
	return im;
}

/* The highest UID in the inbox now. */
static uint32_t
ts_maxuid(struct imap *im)
{
	struct imap_entry	*e = NULL;
	size_t			 n = 0;
	uint32_t		 max = 0;

	if (imap_list_new(im, 0, &e, &n) == 0 && n > 0)
		max = e[n - 1].uid;
	free(e);
	return max;
}

/*
 * Waits up to 15 s for a message after UID after whose text contains
 * subject; gives its full text (caller frees) or NULL.
 */
static char *
ts_arrived(struct imap *im, uint32_t after, const char *subject)
{
	struct imap_entry	*e = NULL;
	double			 end = net_now() + 15;
	char			*data, hdr[256];
	size_t			 n = 0, i, len;
	bool			 trunc;

	snprintf(hdr, sizeof(hdr), "Subject: %s\r\n", subject);
	while (net_now() < end) {
		if (imap_noop(im) == -1 ||
		    imap_list_new(im, after, &e, &n) == -1)
			return NULL;
		for (i = 0; i < n; i++) {
			if (imap_fetch(im, e[i].uid, 16 << 20, &data, &len,
			    &trunc) == -1)
				continue;
			if (strstr(data, hdr) != NULL) {
				free(e);
				return data;
			}
			free(data);
		}
		free(e);
		e = NULL;
		usleep(100 * 1000);
	}
	return NULL;
}

static int
ts_log_count(const char *needle)
{
	char	 path[512], line[4096];
	FILE	*f;
	int	 n = 0;

	snprintf(path, sizeof(path), "%s/postfix.log", logdir);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		if (strstr(line, needle) != NULL)
			n++;
	fclose(f);
	return n;
}

/* One message over submission: STARTTLS, the test CA, AUTH. */
static void
t_submission(struct imap *im)
{
	struct smtp_params	 p = ts_params("smtp", "SUBMISSION_PORT", ca);
	struct smtp		*s;
	uint32_t		 base = ts_maxuid(im);
	char			*msg, *got;

	msg = ts_msg("smtp one", 0);
	CHECK((s = smtp_new(&p)) != NULL);
	CHECK(ts_send(s, user, user, msg, SMTP_OK));
	smtp_free(s);
	got = ts_arrived(im, base, "smtp one");
	CHECK(got != NULL);
	/* libcurl stuffed the dots and the server removed them again. */
	CHECK(got != NULL && strstr(got, "\r\n\r\n.starts with a dot\r\n") &&
	    strstr(got, "\r\n..two dots\r\nend\r\n") != NULL);
	free(got);
	free(msg);
}

/* Two messages, then a refused one, then one more: one session. */
static void
t_reuse(struct imap *im)
{
	struct smtp_params	 p = ts_params("smtp", "SUBMISSION_PORT", ca);
	struct smtp		*s;
	uint32_t		 base = ts_maxuid(im);
	char			*m1, *m2, *m3, *got;
	int			 before;
	double			 end;

	before = ts_log_count(" mail=2 rcpt=2 data=2 ");
	m1 = ts_msg("smtp reuse 1", 0);
	m2 = ts_msg("smtp reuse 2", 0);
	m3 = ts_msg("smtp after refusal", 0);
	CHECK((s = smtp_new(&p)) != NULL);
	if (s != NULL) {
		CHECK(ts_send(s, user, user, m1, SMTP_OK));
		CHECK(ts_send(s, user, user, m2, SMTP_OK));
		smtp_free(s);
	}
	CHECK((got = ts_arrived(im, base, "smtp reuse 1")) != NULL);
	free(got);
	CHECK((got = ts_arrived(im, base, "smtp reuse 2")) != NULL);
	free(got);
	/* Postfix logs one session with two transactions. */
	end = net_now() + 3;
	while (ts_log_count(" mail=2 rcpt=2 data=2 ") <= before &&
	    net_now() < end)
		usleep(50 * 1000);
	CHECK(ts_log_count(" mail=2 rcpt=2 data=2 ") == before + 1);

	/* After a refused recipient the same handle still sends. */
	CHECK((s = smtp_new(&p)) != NULL);
	if (s != NULL) {
		CHECK(ts_send(s, user, "nobody@example.net", m3, SMTP_PERM));
		CHECK(strstr(err, "554") != NULL);
		CHECK(ts_send(s, user, user, m3, SMTP_OK));
		smtp_free(s);
	}
	CHECK((got = ts_arrived(im, base, "smtp after refusal")) != NULL);
	free(got);
	free(m1);
	free(m2);
	free(m3);
}

/* No session: certificate, connection or AUTH fails: DOWN. */
static void
t_failures(void)
{
	struct smtp_params	 p;
	struct smtp		*s;
	struct sockaddr_in	 sa;
	socklen_t		 sl = sizeof(sa);
	char			*msg = ts_msg("smtp fail", 0), url[64];
	int			 fd;

	p = ts_params("smtp", "SUBMISSION_PORT", SYSTEM_CA);
	s = smtp_new(&p);
	CHECK(ts_send(s, user, user, msg, SMTP_DOWN));
	CHECK(strstr(err, "certificate") != NULL);
	smtp_free(s);
	p = ts_params("smtp", "SUBMISSION_PORT", other_ca);
	s = smtp_new(&p);
	CHECK(ts_send(s, user, user, msg, SMTP_DOWN));
	smtp_free(s);

	/* Nothing listens on a port just released. */
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	CHECK(fd != -1 && bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&sa, &sl) == 0);
	close(fd);
	snprintf(url, sizeof(url), "smtp://127.0.0.1:%u", ntohs(sa.sin_port));
	p = ts_params("smtp", "SUBMISSION_PORT", ca);
	p.url = url;
	s = smtp_new(&p);
	CHECK(ts_send(s, user, user, msg, SMTP_DOWN));
	smtp_free(s);

	p = ts_params("smtp", "SUBMISSION_PORT", ca);
	p.login.secret = "wrong";
	s = smtp_new(&p);
	CHECK(ts_send(s, user, user, msg, SMTP_DOWN));
	CHECK(strstr(err, "535") != NULL && strstr(err, "wrong") == NULL);
	smtp_free(s);

	free(msg);
}

/* The server refuses this message: 5xx is PERM, 4xx is TEMP. */
static void
t_refusals(void)
{
	struct smtp_params	 p;
	struct smtp		*s;
	char			*msg = ts_msg("smtp refused", 0);
	const char		**many;
	size_t			 i, nmany = 1001;

	/* A foreign domain: 554 relay access denied. */
	p = ts_params("smtp", "SUBMISSION_PORT", ca);
	s = smtp_new(&p);
	CHECK(s != NULL &&
	    ts_send(s, user, "someone@example.net", msg, SMTP_PERM));
	CHECK(strstr(err, "reply 554") != NULL);

	/* Postfix's smtpd_recipient_limit (1000): 452 for the next one. */
	many = xcalloc(nmany, sizeof(*many));
	for (i = 0; i < nmany; i++)
		many[i] = user;
	CHECK(s != NULL && smtp_send(s, user, many, nmany, msg, strlen(msg),
	    err, sizeof(err)) == SMTP_TEMP);
	CHECK(strstr(err, "reply 452") != NULL);
	CHECK(s != NULL && smtp_send(s, user, many, 0, msg, strlen(msg),
	    err, sizeof(err)) == SMTP_PERM);
	free(many);
	smtp_free(s);
	free(msg);
}

/* SMTPS, the null sender and a 2 MB message. */
static void
t_variants(struct imap *im)
{
	struct smtp_params	 p;
	struct smtp		*s;
	uint32_t		 base = ts_maxuid(im);
	char			*m1, *m2, *m3, *got;
	size_t			 len;

	m1 = ts_msg("smtp smtps", 0);
	m2 = ts_msg("smtp null sender", 0);
	m3 = ts_msg("smtp big", 2 << 20);
	p = ts_params("smtps", "SMTPS_PORT", ca);
	p.require_tls = 0;
	s = smtp_new(&p);
	CHECK(ts_send(s, user, user, m1, SMTP_OK));
	CHECK(ts_send(s, "<>", user, m2, SMTP_OK));
	CHECK(ts_send(s, user, user, m3, SMTP_OK));
	smtp_free(s);
	CHECK((got = ts_arrived(im, base, "smtp smtps")) != NULL);
	free(got);
	got = ts_arrived(im, base, "smtp null sender");
	CHECK(got != NULL && strstr(got, "Return-Path: <>") != NULL);
	free(got);
	got = ts_arrived(im, base, "smtp big");
	len = got != NULL ? strlen(got) : 0;
	/* All of it came through, each line intact. */
	CHECK(got != NULL && len > strlen(m3) &&
	    strstr(got, "\r\n..two dots\r\nend\r\n") != NULL &&
	    memcmp(got + len - strlen(m3), m3, strlen(m3)) == 0);
	free(got);
	free(m1);
	free(m2);
	free(m3);
}

/* XOAUTH2 on the OAuth2 stack: a good token sends, a bad one is DOWN. */
static void
t_xoauth2(void)
{
	struct smtp_params	 p;
	struct smtp		*s;
	struct imap		*im;
	const char		*ouser = net_env("OAUTH_USER");
	const char		*token = net_env("OAUTH_TOKEN");
	char			*msg, *got, *bad;
	uint32_t		 base;

	im = ts_imap("localhost", (unsigned)atoi(net_env("OAUTH_IMAP_PORT")),
	    other_ca, MECH_XOAUTH2, ouser, token);
	CHECK(im != NULL);
	if (im == NULL)
		return;
	base = ts_maxuid(im);
	p = ts_params("smtp", "OAUTH_SUBMISSION_PORT", other_ca);
	p.login.mech = MECH_XOAUTH2;
	p.login.user = ouser;
	p.login.secret = token;
	msg = ts_msg("smtp xoauth2", 0);
	s = smtp_new(&p);
	CHECK(ts_send(s, ouser, ouser, msg, SMTP_OK));
	smtp_free(s);
	CHECK((got = ts_arrived(im, base, "smtp xoauth2")) != NULL);
	free(got);
	/* XOAUTH2 itself, not the OAUTHBEARER libcurl prefers. */
	logdir = net_env("OAUTH_LOG_DIR");
	CHECK(ts_log_count("sasl_method=XOAUTH2") == 1);

	bad = xstrdup(token);
	bad[strlen(bad) / 2] ^= 1;
	p.login.secret = bad;
	s = smtp_new(&p);
	CHECK(ts_send(s, ouser, ouser, msg, SMTP_DOWN));
	CHECK(strstr(err, bad) == NULL);
	smtp_free(s);
	free(bad);
	free(msg);
	imap_close(im);
}

int
main(void)
{
	struct imap	*im;

	signal(SIGPIPE, SIG_IGN);
	log_init(1, getenv("NET_DEBUG") != NULL &&
	    strcmp(getenv("NET_DEBUG"), "0") != 0, "test_smtp");
	user = net_env("NET_SMTP_USER");
	pass = net_env("NET_SMTP_PASS");
	ca = net_env("MAILSTACK_CA_CERT");
	other_ca = net_env("OAUTH_CA_CERT");
	logdir = net_env("MAILSTACK_LOG_DIR");
	imap_port = (unsigned)atoi(net_env("IMAP_PORT"));

	im = ts_imap("localhost", imap_port, ca, MECH_PASSWORD, user, pass);
	CHECK(im != NULL);
	if (im != NULL) {
		t_submission(im);
		t_reuse(im);
		t_variants(im);
		imap_close(im);
	}
	t_failures();
	t_refusals();
	t_xoauth2();
	return check_done("net_test_smtp");
}
