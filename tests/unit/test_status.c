/*
 * test_status.c: what the operator is told. The plain lines with their
 * fix for IMAP and SMTP problems (status.c), the store's part of ffnet
 * status (store_status.c) on a real SQLite file, and a failing IMAP
 * login told to the secretariat once per kind (status_imap_down).
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "conf.h"
#include "env.h"
#include "smtp.h"
#include "status.h"
#include "store.h"
#include "tmpl.h"
#include "util.h"

static void
test_lines(void)
{
	struct conf	 c;
	char		 buf[1024];

	memset(&c, 0, sizeof(c));
	c.smtp_url = "smtp://localhost:25";
	c.address = "net@example.org";
	status_smtp_line(&c, SMTP_WHY_CERT, "smtp: server certificate "
	    "verification failed", buf, sizeof(buf));
	CHECK_STR(buf, "smtp: the server's certificate is not trusted (server "
	    "certificate verification failed) at smtp://localhost:25; set "
	    "[smtp] ca_file to the CA that signed it, or require_tls = no for "
	    "a relay on this machine");
	status_smtp_line(&c, SMTP_WHY_LOGIN, "smtp: Login denied (reply 535)",
	    buf, sizeof(buf));
	CHECK(strstr(buf, "login refused by smtp://localhost:25") != NULL);
	CHECK(strstr(buf, "this server wants a login") != NULL);
	c.smtp_user = "net@example.org";
	status_smtp_line(&c, SMTP_WHY_LOGIN, "x", buf, sizeof(buf));
	CHECK(strstr(buf, "[smtp] user and password") != NULL &&
	    strstr(buf, "wants a login") == NULL);
	status_smtp_line(&c, SMTP_WHY_SENDER, "MAIL failed: 553", buf,
	    sizeof(buf));
	CHECK(strstr(buf, "refuses the sender net@example.org") != NULL);
	status_smtp_line(&c, SMTP_WHY_CONNECT, "refused", buf, sizeof(buf));
	CHECK(strstr(buf, "does not answer") != NULL);
	status_smtp_line(&c, SMTP_WHY_TLS, "STARTTLS", buf, sizeof(buf));
	CHECK(strstr(buf, "no TLS with") != NULL);

	status_imap_line(&c, "imap: certificate for h not trusted (signer not "
	    "found)", buf, sizeof(buf));
	CHECK_STR(buf, "imap: certificate for h not trusted (signer not "
	    "found); set [imap] ca_file to the CA that signed it");
	status_imap_line(&c, "imap: LOGIN as u refused by h: no", buf,
	    sizeof(buf));
	CHECK(strstr(buf, "login refused: check [imap] user and password") !=
	    NULL);
	status_imap_line(&c, "imap: cannot connect to h:9: refused", buf,
	    sizeof(buf));
	CHECK(strstr(buf, "the host does not answer") != NULL);
	status_imap_line(&c, "imap: something new", buf, sizeof(buf));
	CHECK_STR(buf, "imap: something new");

	CHECK(smtp_why_is_lasting(SMTP_WHY_CERT));
	CHECK(smtp_why_is_lasting(SMTP_WHY_LOGIN));
	CHECK(smtp_why_is_lasting(SMTP_WHY_SENDER));
	CHECK(!smtp_why_is_lasting(SMTP_WHY_CONNECT));
	CHECK(!smtp_why_is_lasting(SMTP_WHY_REFUSED));
	CHECK_STR(status_imap_kind("imap: LOGIN as u refused by h: no"),
	    "login");
	CHECK_STR(status_imap_kind("imap: certificate for h not trusted (x)"),
	    "certificate");
	CHECK_STR(status_imap_kind("imap: cannot connect to h:9: refused"),
	    "connect");
	CHECK_STR(status_imap_kind("imap: h refuses LOGIN without TLS "
	    "(LOGINDISABLED): use security starttls or tls"), "login");
	CHECK_STR(status_imap_kind("imap: cannot select INBOX: NO"),
	    "mailbox");
	CHECK_STR(status_imap_kind("imap: something new"), "other");
	CHECK_STR(smtp_why_name(SMTP_WHY_CERT), "certificate");
	CHECK_STR(smtp_why_name((enum smtp_why)99), "other");
}

static void
test_store(struct store *st)
{
	char	*v = NULL, *s = NULL, *r = NULL;
	time_t	 at, oldest;
	int64_t	 rows, copies, n;

	CHECK(store_state_get(st, "notice", &v, &at) == 0 && v == NULL);
	CHECK(store_state_set(st, "notice", "certificate", 100) == 0);
	CHECK(store_state_set(st, "notice", "login", 200) == 0);
	CHECK(store_state_get(st, "notice", &v, &at) == 1 && at == 200);
	CHECK_STR(v, "login");
	free(v);
	CHECK(store_state_set(st, "imap_ok", NULL, 300) == 0);
	CHECK(store_state_get(st, "imap_ok", &v, &at) == 1 && v == NULL &&
	    at == 300);
	CHECK(store_state_del(st, "notice") == 0);
	CHECK(store_state_get(st, "notice", &v, &at) == 0);

	CHECK(store_queue_depth(st, &rows, &copies, &oldest) == 0);
	CHECK(rows == 0 && copies == 0 && oldest == 0);
	CHECK(store_outbox_add(st, "net@x.dk", "a@x.dk", "m1@x", "reply", NULL,
	    "x", 1, 1000) == 0);
	CHECK(store_outbox_add(st, "net@x.dk", "b@x.dk", "m2@x", "reply", NULL,
	    "x", 1, 900) == 0);
	CHECK(store_queue_depth(st, &rows, &copies, &oldest) == 0);
	CHECK(rows == 2 && copies == 0 && oldest == 900);
	CHECK(store_queue_error(st, &v) == 0 && v == NULL);

	CHECK(store_held(st, 0, &n, &s, &r, &at) == 0 && n == 0 && s == NULL);
	CHECK(store_inbox_add(st, "k1", 1, 1, "a@x.dk",
	    NULL, "join", "park", "Manuel", "first", 50) == 0);
	CHECK(store_inbox_add(st, "k2", 1, 2, "b@x.dk",
	    NULL, "join", "park", "Manuel", "second", 60) == 0);
	CHECK(store_inbox_add(st, "k3", 1, 3, "c@x.dk",
	    NULL, "help", "done", "Done", "", 70) == 0);
	CHECK(store_held(st, 0, &n, &s, &r, &at) == 0 && n == 2 && at == 60);
	CHECK_STR(s, "b@x.dk");
	CHECK_STR(r, "second");
	free(s);
	free(r);
	CHECK(store_held(st, 55, &n, &s, &r, &at) == 0 && n == 1);
	free(s);
	free(r);
}

/* Notices queued to the secretariat (outbox kind "notice"). */
static int64_t
test_notices(struct store *st)
{
	int64_t	 n = -1;

	if (store_outbox_count_to(st, "sek@x.dk", "notice", 0, &n) == -1)
		return -1;
	return n;
}

/*
 * A refused login: the first failure is recorded and nothing told;
 * past stuck_after one Danish notice is queued to the secretariat, not
 * again on the next failure; another kind of problem is told once too;
 * a login ends the run, and a new run is told again.
 */
static void
test_imap_down(struct store *st)
{
	struct conf	 c;
	struct tmpls	*t = NULL;
	char		*v = NULL, err[256];
	char		*sek[] = { "sek@x.dk", NULL };
	const char	*login = "imap: LOGIN as net@x.dk refused by h: "
			    "Authentication failed.";
	time_t		 at, since, oldest;
	int64_t		 rows, copies, before = -1;

	CHECK(tmpl_load("templates", &t, err, sizeof(err)) == 0);
	CHECK(store_queue_depth(st, &before, &copies, &oldest) == 0);
	if (t == NULL)
		return;
	memset(&c, 0, sizeof(c));
	c.name = "Netværket";
	c.address = "net@x.dk";
	c.language = "da";
	c.secretariat = sek;
	c.imap_host = "h";
	c.stuck_after = 60;
	status_imap_down(&(const struct env){ &c, t, st, NULL }, login);
	CHECK(store_state_get(st, "imap_down", &v, &since) == 1);
	CHECK_STR(v, "login");
	free(v);
	CHECK(test_notices(st) == 0);
	/* restarts measure from the first failure */
	status_imap_down(&(const struct env){ &c, t, st, NULL }, login);
	CHECK(store_state_get(st, "imap_down", &v, &at) == 1 && at == since);
	free(v);
	CHECK(test_notices(st) == 0);
	CHECK(store_state_set(st, "imap_down", "login", since - 7200) == 0);
	status_imap_down(&(const struct env){ &c, t, st, NULL }, login);
	CHECK(test_notices(st) == 1);
	CHECK(store_state_get(st, "imap_notice", &v, &at) == 1);
	CHECK_STR(v, "login");
	free(v);
	status_imap_down(&(const struct env){ &c, t, st, NULL }, login);
	CHECK(test_notices(st) == 1);
	/*
	 * a new kind in the same run is told when it lasts two failures in
	 * a row; an old one again is not
	 */
	status_imap_down(&(const struct env){&c, t, st, NULL},
	    "imap: cannot connect to h:993: timeout");
	CHECK(test_notices(st) == 1);
	CHECK(store_state_get(st, "imap_down", &v, &at) == 1 && at == since -
	    7200);
	CHECK_STR(v, "connect");
	free(v);
	status_imap_down(&(const struct env){ &c, t, st, NULL }, login);
	CHECK(test_notices(st) == 1);
	status_imap_down(&(const struct env){&c, t, st, NULL},
	    "imap: cannot connect to h:993: timeout");
	status_imap_down(&(const struct env){&c, t, st, NULL},
	    "imap: cannot connect to h:993: timeout");
	CHECK(test_notices(st) == 2);
	status_imap_down(&(const struct env){ &c, t, st, NULL }, login);
	status_imap_down(&(const struct env){ &c, t, st, NULL }, login);
	CHECK(test_notices(st) == 2);
	CHECK(store_state_get(st, "imap_notice", &v, &at) == 1);
	CHECK_STR(v, "login,connect");
	free(v);
	CHECK(store_queue_depth(st, &rows, &copies, &oldest) == 0 &&
	    rows == before + 2);
	/* logged in: the run is over, and the unsent notices withdrawn */
	status_imap_up(st, &c);
	CHECK(store_state_get(st, "imap_down", &v, &at) == 0);
	CHECK(store_state_get(st, "imap_notice", &v, &at) == 0);
	CHECK(store_state_get(st, "imap_mail", &v, &at) == 0);
	CHECK(store_queue_depth(st, &rows, &copies, &oldest) == 0 &&
	    rows == before);
	/* a short run, not told: the login ends it */
	status_imap_down(&(const struct env){ &c, t, st, NULL }, login);
	status_imap_up(st, &c);
	CHECK(store_state_get(st, "imap_down", &v, &at) == 0);
	/* a new run: told again once it lasts */
	status_imap_down(&(const struct env){ &c, t, st, NULL }, login);
	CHECK(store_state_get(st, "imap_down", &v, &since) == 1);
	free(v);
	CHECK(store_state_set(st, "imap_down", "login", since - 3600) == 0);
	status_imap_down(&(const struct env){ &c, t, st, NULL }, login);
	CHECK(test_notices(st) == 3);
	/* stuck_after 0: never told */
	status_imap_up(st, &c);
	c.stuck_after = 0;
	status_imap_down(&(const struct env){ &c, t, st, NULL }, login);
	CHECK(store_state_set(st, "imap_down", "login", 1) == 0);
	status_imap_down(&(const struct env){ &c, t, st, NULL }, login);
	CHECK(test_notices(st) == 3);
	tmpl_free(t);
}

int
main(void)
{
	struct store	*st = NULL;
	char		 path[] = "/tmp/ffnet-test-status.XXXXXX", err[256];
	char		*db;
	int		 fd;

	test_lines();
	CHECK((fd = mkstemp(path)) != -1);
	close(fd);
	db = xasprintf("%s.db", path);
	CHECK(store_open(db, &st, err, sizeof(err)) == 0);
	if (st != NULL) {
		test_store(st);
		test_imap_down(st);
	}
	store_close(st);
	unlink(path);
	unlink(db);
	free(db);
	return check_done("test_status");
}
