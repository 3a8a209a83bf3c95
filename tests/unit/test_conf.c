/*
 * test_conf.c: conf_load() on the fixtures in tests/unit/conf/: a full
 * file, a minimal one (the defaults), and one bad file per mistake an
 * operator makes, each with the exact "FILE:LINE:" and reason. Run
 * from the top of the tree (the fixtures name paths relative to it).
 */
#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "conf.h"
#include "log.h"
#include "testlib.h"
#include "util.h"

#define DIR	"tests/unit/conf/"

static char	*write_tmp(const char *, size_t);
static void	 test_good(void);
static void	 test_minimal(void);
static void	 test_ports(void);
static void	 test_bad(void);
static void	 test_odd_files(void);
static void	 test_secret_perms(void);
static void	 test_secretariat(void);
static void	 test_print_keys(void);

/* Writes a temporary file; returns its name, which the caller frees. */
static char *
write_tmp(const char *data, size_t len)
{
	char	 tmpl[] = "/tmp/test_conf.XXXXXX";
	int	 fd;

	if ((fd = mkstemp(tmpl)) == -1 ||
	    write(fd, data, len) != (ssize_t)len) {
		perror("write_tmp");
		exit(1);
	}
	close(fd);
	return strdup(tmpl);
}

static void
test_good(void)
{
	struct conf	 c;
	char		 err[512];
	char		*log;
	int		 rc;

	chmod(DIR "imap.secret", 0600);
	capture_begin(2);
	rc = conf_load(DIR "good.conf", &c, err, sizeof(err));
	log = capture_end(2);
	CHECK(rc == 0);
	if (rc == -1) {
		fprintf(stderr, "good.conf: %s\n", err);
		free(log);
		return;
	}
	/* smtp:// without TLS, and an inline password in a 644 file. */
	CHECK(strstr(log, "require_tls = no") != NULL);
	free(log);

	CHECK_STR(c.path, DIR "good.conf");
	CHECK_STR(c.name, "Flere Faglærte Netværket");
	CHECK_STR(c.address, "flerefaglaerte@slagelse.dk");
	CHECK(c.secretariat != NULL);
	CHECK_STR(c.secretariat[0], "anne.hansen@slagelse.dk");
	CHECK_STR(c.secretariat[1], "jens@slagelse.dk");
	CHECK_STR(c.secretariat[2], "mette@slagelse.dk");
	CHECK(c.secretariat[3] == NULL);	/* the duplicate went */
	CHECK_STR(c.language, "en");
	CHECK_STR(c.timezone, "Europe/Berlin");

	CHECK_STR(c.imap_host, "imap.slagelse.dk");
	CHECK(c.imap_port == 1993);
	CHECK(c.imap_security == SEC_STARTTLS);
	CHECK_STR(c.imap_ca_file, DIR "ca.pem");
	CHECK(c.imap_auth == MECH_PASSWORD);
	CHECK_STR(c.imap_user, "flerefaglaerte");
	CHECK_STR(c.imap_password, "imap-hemmelig");
	CHECK_STR(c.mailbox, "Indbakke");
	CHECK_STR(c.done_folder, "Behandlet");
	CHECK_STR(c.hold_folder, "Manuel/Ærø");
	CHECK(c.idle == false);
	CHECK(c.poll_seconds == 120);
	CHECK(c.idle_seconds == 1740);
	CHECK(c.imap_timeout == 30);
	CHECK(c.verp == false);		/* [list] verp = no: Exchange */

	CHECK_STR(c.smtp_url, "smtp://smtp.slagelse.dk:587");
	CHECK_STR(c.smtp_user, "ffnet-smtp");
	CHECK_STR(c.smtp_password, "s3cret#not-a-comment");
	CHECK_STR(c.smtp_ca_file, DIR "ca.pem");
	CHECK(c.smtp_auth == MECH_PASSWORD);
	CHECK(c.smtp_timeout == 45);
	CHECK(c.smtp_require_tls == false);

	CHECK_STR(c.store_path, "/var/lib/ffnet/ffnet.db");
	CHECK_STR(c.secret_path, "/var/lib/ffnet/ffnet.db.secret");
	CHECK_STR(c.templates_dir, "/usr/share/ffnet/templates");
	CHECK(c.max_message_kb == 2048);
	CHECK(c.max_arg_len == 300);
	CHECK(c.replies_per_hour == 20);
	CHECK(c.confirm_days == 14);
	CHECK(c.retry_max_hours == 48);

	conf_clear(&c);
	CHECK(c.name == NULL && c.imap_password == NULL &&
	    c.secretariat == NULL && c.imap_port == 0 && c.path == NULL);
}

static void
test_minimal(void)
{
	struct conf	 c;
	struct stat	 st;
	char		 err[512], *log;

	capture_begin(2);
	CHECK(conf_load(DIR "minimal.conf", &c, err, sizeof(err)) == 0);
	log = capture_end(2);
	/* An inline password in a file everyone may read is worth a word. */
	if (stat(DIR "minimal.conf", &st) == 0 && (st.st_mode & S_IROTH))
		CHECK(strstr(log, "holds a password and is readable by "
		    "everyone") != NULL);
	free(log);
	CHECK_STR(c.name, "Flere Faglærte Netværket");
	CHECK(c.secretariat != NULL && c.secretariat[1] == NULL);
	CHECK_STR(c.language, "da");
	CHECK_STR(c.timezone, "Europe/Copenhagen");
	CHECK(c.imap_port == 993);
	CHECK(c.imap_security == SEC_TLS);
	CHECK(c.imap_ca_file == NULL);
	CHECK(c.imap_auth == MECH_PASSWORD);
	CHECK_STR(c.imap_password, "hemmelig");
	CHECK_STR(c.mailbox, "INBOX");
	CHECK_STR(c.done_folder, "ffnet/Behandlet");
	CHECK_STR(c.hold_folder, "ffnet/Til manuel behandling");
	CHECK(c.idle == true);
	CHECK(c.poll_seconds == 60);
	CHECK(c.idle_seconds == 600);
	CHECK(c.imap_timeout == 60);
	CHECK(c.verp == true);
	CHECK(c.summary == SUMMARY_DAILY && c.summary_hour == 7);
	CHECK(c.smtp_user == NULL && c.smtp_password == NULL);
	CHECK(c.smtp_ca_file == NULL);
	CHECK(c.smtp_auth == MECH_PASSWORD);
	CHECK(c.smtp_timeout == 60);
	CHECK(c.smtp_require_tls == true);
	CHECK_STR(c.secret_path, "/var/lib/ffnet/ffnet.db.secret");
#ifdef FFNET_DATADIR
	CHECK_STR(c.templates_dir, FFNET_DATADIR "/templates");
#else
	CHECK_STR(c.templates_dir, "templates");
#endif
	CHECK(c.max_message_kb == 10240);
	CHECK(c.max_arg_len == 200);
	CHECK(c.replies_per_hour == 10);
	CHECK(c.confirm_days == 7);
	CHECK(c.retry_max_hours == 72);
	conf_clear(&c);
}

static const char conf_head[] =
    "[network]\nname = N\naddress = n@example.org\n"
    "secretariat = s@example.org\n"
    "[smtp]\nurl = smtps://smtp.example.org\n"
    "[store]\npath = /tmp/x.db\n"
    "[imap]\nhost = imap.example.org\nuser = u\npassword = p\n";

/* Port 0 or none: 993 with TLS, 143 otherwise. */
static void
test_ports(void)
{
	static const struct {
		const char	*extra;
		int		 port;
	} t[] = {
		{ "", 993 },
		{ "port = 0\n", 993 },
		{ "security = starttls\n", 143 },
		{ "security = none\n", 143 },
		{ "security = none\nport = 10143\n", 10143 },
		{ "port = 65535\n", 65535 },
	};
	struct conf	 c;
	char		 err[512], *s, *path;
	size_t		 i;
	int		 rc;

	for (i = 0; i < nitems(t); i++) {
		s = xasprintf("%s%s", conf_head, t[i].extra);
		path = write_tmp(s, strlen(s));
		capture_begin(2);	/* "security = none" warns */
		rc = conf_load(path, &c, err, sizeof(err));
		free(capture_end(2));
		CHECK(rc == 0);
		CHECK(c.imap_port == t[i].port);
		conf_clear(&c);
		unlink(path);
		free(path);
		free(s);
	}
}

/* file, line (0: none), and a part of the reason. */
static const struct {
	const char	*file;
	int		 line;
	const char	*why;
} bad[] = {
	{ "bad-port.conf", 9,
	    "[imap] port: must be a number from 1 to 65535" },
	{ "unknown-key.conf", 9, "[imap] hots: unknown key" },
	{ "unknown-section.conf", 18, "unknown section [imapp]" },
	{ "unknown-empty-section.conf", 18, "unknown section [extra]" },
	{ "bad-bool.conf", 9, "[imap] idle: must be one of yes, no, true, "
	    "false, on, off, 1, 0" },
	{ "bad-security.conf", 9,
	    "[imap] security: must be one of tls, starttls, none" },
	{ "missing-host.conf", 0, "[imap] host is missing" },
	{ "both-passwords.conf", 11, "[imap] password_file: password is "
	    "already given on line 10" },
	{ "no-password.conf", 0,
	    "[imap] password or password_file is missing" },
	{ "missing-secret.conf", 10, "[imap] password_file: "
	    "tests/unit/conf/no-such.secret: No such file or directory" },
	{ "dir-secret.conf", 10, "not a regular file" },
	{ "bad-secretariat.conf", 5, "[network] secretariat: "
	    "\"not-an-address\" is not an e-mail address" },
	{ "bad-language.conf", 6, "[network] language: must be one of da, en" },
	{ "bad-summary.conf", 20,
	    "[secretariat] summary: must be one of daily, weekly, off" },
	{ "bad-summary-hour.conf", 21,
	    "[secretariat] summary_hour: must be a number from 0 to 23" },
	{ "duplicate-key.conf", 10,
	    "[imap] host: duplicate key (first on line 8)" },
	{ "bad-poll.conf", 9,
	    "[imap] poll_seconds: must be a number from 5 to 3600" },
	{ "bad-idle-seconds.conf", 9,
	    "[imap] idle_seconds: must be a number from 30 to 1740" },
	{ "bad-number.conf", 9,
	    "[imap] timeout: must be a number from 5 to 600" },
	{ "syntax-error.conf", 9, "syntax error" },
	{ "syntax-then-bad.conf", 9, "syntax error" },
	{ "bad-then-syntax.conf", 9, "[imap] port: must be a number" },
	{ "xoauth2.conf", 0, "[oauth2] tenant or token_url is missing" },
	{ "oauth2-no-client.conf", 0, "[oauth2] client_id is missing" },
	{ "oauth2-bad-tenant.conf", 19, "[oauth2] tenant: must be the tenant "
	    "id or a domain" },
	{ "oauth2-both.conf", 23, "[oauth2] key_file: give client_secret" },
	{ "oauth2-cert-mismatch.conf", 0, "[oauth2] certificate_file: "
	    "tests/unit/oauth2/other.pem does not belong to the key" },
	{ "oauth2-no-secret.conf", 0, "[oauth2] client_secret_file, "
	    "client_secret or key_file is missing" },
	{ "bad-url.conf", 13,
	    "[smtp] url: must start with smtp:// or smtps://" },
	{ "smtp-user-no-password.conf", 14,
	    "[smtp] user: password or password_file is missing" },
	{ "smtp-password-no-user.conf", 14,
	    "[smtp] password: user is missing" },
	{ "outside-section.conf", 2, "name: the key is outside a section" },
	{ "bad-address.conf", 4,
	    "[network] address: \"flerefaglaerte\" is not an e-mail address" },
	{ "same-folders.conf", 0, "three different folders" },
	{ "empty-value.conf", 8, "[imap] host: the value is missing" },
	{ "secretariat-self.conf", 5, "must not hold the network's own" },
	{ "bad-timezone.conf", 6, "[network] timezone: must be a time zone" },
	{ "url-as-host.conf", 8, "[imap] host: a host name is needed, not" },
	{ "no-such-file.conf", 0, "No such file or directory" },
};

/* [oauth2] with a tenant: Microsoft's token URL and the default scope. */
static void
test_oauth2_ok(void)
{
	struct conf	 c;
	char		 err[512];

	CHECK(conf_load(DIR "oauth2-ok.conf", &c, err, sizeof(err)) == 0);
	if (c.path == NULL) {
		fprintf(stderr, "  %s\n", err);
		return;
	}
	CHECK(c.imap_auth == MECH_XOAUTH2 && c.imap_password == NULL);
	CHECK(c.oauth2 != NULL);
	CHECK_STR(c.oauth2_token_url, "https://login.microsoftonline.com/"
	    "kommune.onmicrosoft.com/oauth2/v2.0/token");
	CHECK_STR(c.oauth2_scope, "https://outlook.office365.com/.default");
	CHECK_STR(c.oauth2_client_secret, "imap-hemmelig");
	conf_clear(&c);
}

static void
test_bad(void)
{
	struct conf	 c;
	char		 err[512], *want, *path;
	size_t		 i;
	int		 rc;

	for (i = 0; i < nitems(bad); i++) {
		memset(&c, 0xa5, sizeof(c));
		err[0] = '\0';
		path = xasprintf("%s%s", DIR, bad[i].file);
		rc = conf_load(path, &c, err, sizeof(err));
		free(path);
		CHECK(rc == -1);
		if (bad[i].line > 0)
			want = xasprintf("%s%s:%d: ", DIR, bad[i].file,
			    bad[i].line);
		else
			want = xasprintf("%s%s: ", DIR, bad[i].file);
		if (strncmp(err, want, strlen(want)) != 0 ||
		    strstr(err, bad[i].why) == NULL) {
			fprintf(stderr, "%s:\n  got:  %s\n  want: %s...%s\n",
			    bad[i].file, err, want, bad[i].why);
			CHECK(!"bad config message");
		} else
			CHECK(1);
		/* A failed load leaves nothing behind. */
		CHECK(c.name == NULL && c.path == NULL &&
		    c.imap_password == NULL && c.secretariat == NULL);
		free(want);
	}
}

/* What fixtures cannot hold well: a BOM, long lines, NUL bytes. */
static void
test_odd_files(void)
{
	struct conf	 c;
	struct buf	 b;
	char		 err[512], *path, *want;

	buf_init(&b);
	buf_adds(&b, "\xef\xbb\xbf");
	buf_adds(&b, conf_head);
	path = write_tmp(b.data, b.len);
	CHECK(conf_load(path, &c, err, sizeof(err)) == 0);
	CHECK_STR(c.name, "N");
	conf_clear(&c);
	unlink(path);
	free(path);
	buf_clear(&b);

	/* inih's line buffer is 200 bytes: longer is an error, not a cut. */
	buf_adds(&b, conf_head);
	buf_adds(&b, "mailbox = ");
	while (b.len < 1000)
		buf_addc(&b, 'x');
	buf_adds(&b, "\nhost = dup\n");
	path = write_tmp(b.data, b.len);
	CHECK(conf_load(path, &c, err, sizeof(err)) == -1);
	want = xasprintf("%s:13: the line is longer than", path);
	CHECK(strncmp(err, want, strlen(want)) == 0);
	free(want);
	unlink(path);
	free(path);
	buf_clear(&b);

	buf_adds(&b, conf_head);
	buf_add(&b, "mailbox = a\0b\n", 14);
	path = write_tmp(b.data, b.len);
	CHECK(conf_load(path, &c, err, sizeof(err)) == -1);
	want = xasprintf("%s:13: the line contains a NUL byte", path);
	CHECK_STR(err, want);
	free(want);
	unlink(path);
	free(path);
	buf_clear(&b);

	/* Not UTF-8: Latin-1 "æ". */
	buf_adds(&b, conf_head);
	buf_adds(&b, "[network]\nlanguage = da\ntimezone = \xe6\n");
	path = write_tmp(b.data, b.len);
	CHECK(conf_load(path, &c, err, sizeof(err)) == -1);
	want = xasprintf("%s:15: [network] timezone: the value is not "
	    "valid UTF-8", path);
	CHECK_STR(err, want);
	free(want);
	unlink(path);
	free(path);
	buf_clear(&b);
}

/* A world-readable password file works, with a warning. */
static void
test_secret_perms(void)
{
	struct conf	 c;
	char		*secret, *s, *path, *log, err[512];
	int		 rc;

	secret = write_tmp("pw\n", 3);
	s = xasprintf("%.*s\n[smtp]\nuser = u\npassword_file = %s\n",
	    (int)(strlen(conf_head) - 1), conf_head, secret);
	path = write_tmp(s, strlen(s));

	chmod(secret, 0600);
	capture_begin(2);
	rc = conf_load(path, &c, err, sizeof(err));
	log = capture_end(2);
	CHECK(rc == 0);
	CHECK_STR(c.smtp_password, "pw");
	CHECK(strstr(log, "readable by everyone") == NULL);
	conf_clear(&c);
	free(log);

	chmod(secret, 0644);
	capture_begin(2);
	rc = conf_load(path, &c, err, sizeof(err));
	log = capture_end(2);
	CHECK(rc == 0);
	CHECK(strstr(log, "[smtp] password_file") != NULL &&
	    strstr(log, "readable by everyone") != NULL);
	CHECK(strstr(log, "pw\n") == NULL);
	conf_clear(&c);
	free(log);

	unlink(path);
	unlink(secret);
	free(path);
	free(secret);
	free(s);
}

static void
test_secretariat(void)
{
	struct conf	 c;
	char		 err[512];

	chmod(DIR "imap.secret", 0600);
	capture_begin(2);
	CHECK(conf_load(DIR "good.conf", &c, err, sizeof(err)) == 0);
	free(capture_end(2));
	CHECK(conf_is_secretariat(&c, "anne.hansen@slagelse.dk"));
	CHECK(conf_is_secretariat(&c, "ANNE.Hansen@Slagelse.DK"));
	CHECK(conf_is_secretariat(&c, "mette@slagelse.dk"));
	CHECK(!conf_is_secretariat(&c, "anne.hansen@slagelse.dk.evil.org"));
	CHECK(!conf_is_secretariat(&c, "hansen@slagelse.dk"));
	CHECK(!conf_is_secretariat(&c, "flerefaglaerte@slagelse.dk"));
	CHECK(!conf_is_secretariat(&c, ""));
	CHECK(!conf_is_secretariat(&c, NULL));
	conf_clear(&c);
	CHECK(!conf_is_secretariat(&c, "mette@slagelse.dk"));
}

static void
test_print_keys(void)
{
	char	*out, *p;
	int	 n = 0;

	capture_begin(1);
	conf_print_keys();
	out = capture_end(1);
	for (p = out; (p = strchr(p, '\n')) != NULL; p++)
		n++;
	CHECK(n >= 36);	/* every key; ffnet.conf.5 is checked by test_docs */
	CHECK(strstr(out, "\nauth.trusted_authserv_id\n") != NULL);
	CHECK(strncmp(out, "network.name\n", 13) == 0);
	CHECK(strstr(out, "\nimap.password_file\n") != NULL);
	CHECK(strstr(out, "\nsmtp.require_tls\n") != NULL);
	CHECK(strstr(out, "\nlimits.retry_max_hours\n") != NULL);
	free(out);
}

int
main(void)
{
	if (access(DIR "good.conf", R_OK) == -1) {
		fprintf(stderr, "test_conf: run from the top of the tree\n");
		return 1;
	}
	log_init(1, 0, "test_conf");
	test_good();
	test_minimal();
	test_ports();
	test_bad();
	test_oauth2_ok();
	test_odd_files();
	test_secret_perms();
	test_secretariat();
	test_print_keys();
	return check_done("test_conf");
}
