/*
 * test_imap.c: lib/imap.c against the real loopback stack that
 * tests/net.sh starts (Dovecot, Postfix, and a second stack in OAuth2
 * mode). Mail is seeded over SMTP with smtp.c. Flags are read back with
 * libetpan directly, so the test does not trust imap.c to check itself.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <libetpan/libetpan.h>

#include "check.h"
#include "imap.h"
#include "log.h"
#include "smtp.h"
#include "util.h"
#include "net.h"

#define SYSTEM_CA	"/etc/ssl/certs/ca-certificates.crt"
#define MAXFD		1024

static const char	*user, *pass, *ca, *other_ca, *logdir;
static unsigned		 imap_port, imaps_port, smtp_port;
static char		 err[512];

static struct imap_params
tp_params(enum net_security sec, const char *host, const char *cafile)
{
	struct imap_params	 p;

	memset(&p, 0, sizeof(p));
	p.host = host;
	p.port = sec == SEC_TLS ? imaps_port : imap_port;
	p.security = sec;
	p.ca_file = cafile;
	p.login.mech = MECH_PASSWORD;
	p.login.user = user;
	p.login.secret = pass;
	p.timeout = 10;
	return p;
}

static struct imap *
tp_connect(enum net_security sec, const char *host, const char *cafile)
{
	struct imap_params	 p = tp_params(sec, host, cafile);
	struct imap		*im;

	if ((im = imap_connect(&p, err, sizeof(err))) == NULL)
		fprintf(stderr, "  connect: %s\n", err);
	return im;
}

/* Sends one message to the test user over plain SMTP; 0 when accepted. */
static int
tp_deliver(const char *subject)
{
	struct smtp_params	 sp;
	struct smtp		*s;
	const char		*rcpt[1] = { user };
	char			 url[64], *msg;
	enum smtp_result	 r = SMTP_DOWN;

	memset(&sp, 0, sizeof(sp));
	snprintf(url, sizeof(url), "smtp://127.0.0.1:%u", smtp_port);
	sp.url = url;
	sp.timeout = 10;
	msg = xasprintf("From: <sender@example.com>\r\nTo: <%s>\r\n"
	    "Subject: %s\r\nMessage-ID: <%s.%d@test>\r\n\r\n"
	    "first line of %s\r\n.dotline\r\nlast line\r\n",
	    user, subject, subject, (int)getpid(), subject);
	if ((s = smtp_new(&sp)) != NULL) {
		r = smtp_send(s, "sender@example.com", rcpt, 1, msg,
		    strlen(msg), err, sizeof(err));
		if (r != SMTP_OK)
			fprintf(stderr, "  deliver: %s\n", err);
	}
	smtp_free(s);
	free(msg);
	return r == SMTP_OK ? 0 : -1;
}

/* Waits until list_new(after) has at least want entries; gives the count. */
static size_t
tp_wait_count(struct imap *im, uint32_t after, size_t want,
    struct imap_entry **e)
{
	double	 end = net_now() + 15;
	size_t	 n = 0;

	*e = NULL;
	while (net_now() < end) {
		free(*e);
		*e = NULL;
		if (imap_noop(im) == -1 ||
		    imap_list_new(im, after, e, &n) == -1)
			return 0;
		if (n >= want)
			return n;
		usleep(100 * 1000);
	}
	return n;
}

/* Counts lines with needle in a log file of the stack. */
static int
tp_log_count(const char *file, const char *needle)
{
	char	 path[512], line[4096];
	FILE	*f;
	int	 n = 0;

	snprintf(path, sizeof(path), "%s/%s", logdir, file);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		if (strstr(line, needle) != NULL)
			n++;
	fclose(f);
	return n;
}

/* Waits up to 3 s for the count of needle to exceed before. */
static int
tp_log_wait(const char *file, const char *needle, int before)
{
	double	 end = net_now() + 3;
	int	 n;

	do {
		if ((n = tp_log_count(file, needle)) > before)
			return n;
		usleep(50 * 1000);
	} while (net_now() < end);
	return n;
}

/* The first certificate of a PEM file as DER; caller frees. */
static unsigned char *
tp_der(const char *path, size_t *len)
{
	gnutls_datum_t		 pem = { NULL, 0 }, der = { NULL, 0 };
	gnutls_x509_crt_t	 crt = NULL;
	unsigned char		*out = NULL;

	if (gnutls_load_file(path, &pem) < 0 ||
	    gnutls_x509_crt_init(&crt) < 0 ||
	    gnutls_x509_crt_import(crt, &pem, GNUTLS_X509_FMT_PEM) < 0 ||
	    gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_DER, &der) < 0)
		goto out;
	out = xmalloc(der.size);
	memcpy(out, der.data, der.size);
	*len = der.size;
 out:
	if (crt != NULL)
		gnutls_x509_crt_deinit(crt);
	gnutls_free(pem.data);
	gnutls_free(der.data);
	return out;
}

/* Does a FETCH (FLAGS) result show \Seen? */
static int
tp_has_seen(clist *res)
{
	clistiter			*it, *j, *f;
	struct mailimap_msg_att		*ma;
	struct mailimap_msg_att_item	*item;
	struct mailimap_flag_fetch	*ff;
	int				 seen = 0;

	for (it = clist_begin(res); it != NULL; it = clist_next(it)) {
		ma = clist_content(it);
		for (j = clist_begin(ma->att_list); j; j = clist_next(j)) {
			item = clist_content(j);
			if (item->att_type != MAILIMAP_MSG_ATT_ITEM_DYNAMIC ||
			    item->att_data.att_dyn->att_list == NULL)
				continue;
			f = clist_begin(item->att_data.att_dyn->att_list);
			for (; f != NULL; f = clist_next(f)) {
				ff = clist_content(f);
				if (ff->fl_type == MAILIMAP_FLAG_FETCH_OTHER &&
				    ff->fl_flag->fl_type == MAILIMAP_FLAG_SEEN)
					seen = 1;
			}
		}
	}
	return seen;
}

/*
 * A raw libetpan session, to look at flags without imap.c. Gives 1 if
 * the UID has \Seen, 0 if not, -1 on error; set adds \Seen first.
 */
static int
tp_raw_seen(uint32_t uid, bool set)
{
	mailimap			*mi;
	struct mailimap_set		*s;
	struct mailimap_fetch_type	*ft;
	struct mailimap_store_att_flags	*sf;
	struct mailimap_flag_list	*fl;
	clist				*res = NULL;
	int				 r, seen = -1;

	mi = mailimap_new(0, NULL);
	mailimap_set_timeout(mi, 10);
	s = mailimap_set_new_single(uid);
	ft = mailimap_fetch_type_new_fetch_att_list_empty();
	mailimap_fetch_type_new_fetch_att_list_add(ft,
	    mailimap_fetch_att_new_flags());
	r = mailimap_socket_connect(mi, "127.0.0.1", imap_port);
	if ((r != MAILIMAP_NO_ERROR_NON_AUTHENTICATED &&
	    r != MAILIMAP_NO_ERROR_AUTHENTICATED) ||
	    mailimap_login(mi, user, pass) != MAILIMAP_NO_ERROR ||
	    mailimap_select(mi, "INBOX") != MAILIMAP_NO_ERROR)
		goto out;
	if (set) {
		fl = mailimap_flag_list_new_empty();
		mailimap_flag_list_add(fl, mailimap_flag_new_seen());
		sf = mailimap_store_att_flags_new_add_flags(fl);
		r = mailimap_uid_store(mi, s, sf);
		mailimap_store_att_flags_free(sf);
		if (r != MAILIMAP_NO_ERROR)
			goto out;
	}
	if (mailimap_uid_fetch(mi, s, ft, &res) != MAILIMAP_NO_ERROR)
		goto out;
	seen = tp_has_seen(res);
	mailimap_logout(mi);
 out:
	if (res != NULL)
		mailimap_fetch_list_free(res);
	mailimap_fetch_type_free(ft);
	mailimap_set_free(s);
	mailimap_free(mi);
	return seen;
}

/* A port where nothing listens (bound, read, then closed). */
static unsigned
tp_free_port(void)
{
	struct sockaddr_in	 sa;
	socklen_t		 sl = sizeof(sa);
	int			 fd;
	unsigned		 port = 1;

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		return port;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&sa, &sl) == 0)
		port = ntohs(sa.sin_port);
	close(fd);
	return port;
}

static void
tp_fd_snapshot(bool *open_fds)
{
	int	 fd;

	for (fd = 0; fd < MAXFD; fd++)
		open_fds[fd] = fcntl(fd, F_GETFD) != -1;
}

/* The TCP socket to port that is open now but was not in before. */
static int
tp_new_socket(const bool *before, unsigned port)
{
	struct sockaddr_in	 sa;
	socklen_t		 sl;
	int			 fd;

	for (fd = 0; fd < MAXFD; fd++) {
		if (before[fd] || fcntl(fd, F_GETFD) == -1)
			continue;
		sl = sizeof(sa);
		if (getpeername(fd, (struct sockaddr *)&sa, &sl) == 0 &&
		    sa.sin_family == AF_INET && ntohs(sa.sin_port) == port)
			return fd;
	}
	return -1;
}

static void
t_verify_cert(void)
{
	unsigned char	*der;
	size_t		 len = 0;
	const char	*leaf = net_env("MAILSTACK_TLS_CERT");
	const char	*other_leaf = net_env("OAUTH_TLS_CERT");
	unsigned char	 junk[64];

	der = tp_der(leaf, &len);
	CHECK(der != NULL && len > 100);
	if (der == NULL)
		return;
	CHECK(net_verify_cert(der, len, ca, "localhost", err,
	    sizeof(err)) == 0);
	CHECK(net_verify_cert(der, len, ca, "127.0.0.1", err,
	    sizeof(err)) == 0);
	/* The right CA, the wrong name: refused. */
	CHECK(net_verify_cert(der, len, ca, "mail.example.net", err,
	    sizeof(err)) == -1);
	CHECK(strstr(err, "does not match host mail.example.net") != NULL);
	CHECK(net_verify_cert(der, len, ca, "127.0.0.2", err,
	    sizeof(err)) == -1);
	/* The system CAs do not know the test CA. */
	CHECK(net_verify_cert(der, len, NULL, "localhost", err,
	    sizeof(err)) == -1);
	CHECK(strstr(err, "not trusted (signer not found") != NULL);
	CHECK(net_verify_cert(der, len, SYSTEM_CA, "localhost", err,
	    sizeof(err)) == -1);
	CHECK(strstr(err, "ca_file " SYSTEM_CA) != NULL);
	/* Another test CA (the OAuth2 stack's) is just as wrong. */
	CHECK(net_verify_cert(der, len, other_ca, "localhost", err,
	    sizeof(err)) == -1);
	CHECK(net_verify_cert(der, len, "/nonexistent/ca.pem", "localhost",
	    err, sizeof(err)) == -1);
	CHECK(strstr(err, "cannot load") != NULL);
	memset(junk, 0x30, sizeof(junk));
	CHECK(net_verify_cert(junk, sizeof(junk), ca, "localhost", err,
	    sizeof(err)) == -1);
	free(der);
	/* And the other stack's certificate under its own CA is fine. */
	der = tp_der(other_leaf, &len);
	CHECK(der != NULL && net_verify_cert(der, len, other_ca, "localhost",
	    err, sizeof(err)) == 0);
	free(der);
}

static void
t_connect(void)
{
	struct imap_params	 p;
	struct imap		*im;
	int			 logins, noauth;

	logins = tp_log_count("dovecot.log", "Login: user=<");
	CHECK((im = tp_connect(SEC_NONE, "127.0.0.1", NULL)) != NULL);
	CHECK(im != NULL && imap_has_idle(im));
	CHECK(im != NULL && imap_noop(im) == 0);
	imap_close(im);
	CHECK((im = tp_connect(SEC_STARTTLS, "127.0.0.1", ca)) != NULL);
	imap_close(im);
	CHECK((im = tp_connect(SEC_TLS, "127.0.0.1", ca)) != NULL);
	imap_close(im);
	CHECK((im = tp_connect(SEC_TLS, "localhost", ca)) != NULL);
	imap_close(im);
	CHECK((im = tp_connect(SEC_STARTTLS, "localhost", ca)) != NULL);
	imap_close(im);

	/* A wrong CA: refused before any login is tried. */
	logins = tp_log_wait("dovecot.log", "Login: user=<", logins + 4);
	noauth = tp_log_count("dovecot.log", "no auth attempts");
	p = tp_params(SEC_TLS, "127.0.0.1", SYSTEM_CA);
	CHECK(imap_connect(&p, err, sizeof(err)) == NULL);
	CHECK(strstr(err, "imap: certificate for 127.0.0.1 not trusted "
	    "(signer not found; ca_file " SYSTEM_CA ")") != NULL);
	p = tp_params(SEC_STARTTLS, "localhost", other_ca);
	CHECK(imap_connect(&p, err, sizeof(err)) == NULL);
	CHECK(strstr(err, "certificate for localhost not trusted") != NULL);
	CHECK(tp_log_wait("dovecot.log", "no auth attempts", noauth + 1) >=
	    noauth + 2);
	CHECK(logins >= 0 &&
	    tp_log_count("dovecot.log", "Login: user=<") == logins);

	/* A wrong password, and a port where nothing listens. */
	p = tp_params(SEC_NONE, "127.0.0.1", NULL);
	p.login.secret = "wrong";
	CHECK(imap_connect(&p, err, sizeof(err)) == NULL);
	CHECK(strstr(err, "LOGIN as") != NULL &&
	    strstr(err, "Authentication failed") != NULL);
	p = tp_params(SEC_NONE, "127.0.0.1", NULL);
	p.port = tp_free_port();
	CHECK(imap_connect(&p, err, sizeof(err)) == NULL);
	CHECK(strstr(err, "cannot connect to 127.0.0.1") != NULL);
}

/* Seeds three messages and lists them. Gives their UIDs. */
static void
t_list(struct imap *im, uint32_t uids[3])
{
	struct imap_entry	*e = NULL;
	size_t			 n = 99;
	uint32_t		 uv = 0;

	memset(uids, 0, 3 * sizeof(uids[0]));
	CHECK(imap_select(im, "INBOX", &uv) == 0 && uv != 0);
	CHECK(imap_select(im, "NoSuchFolder", &uv) == -1);
	CHECK(imap_last_error(im)[0] != '\0');
	CHECK(imap_select(im, "INBOX", &uv) == 0);
	CHECK(imap_list_new(im, 0, &e, &n) == 0 && n == 0);
	free(e);
	CHECK(tp_deliver("ffnet one") == 0 && tp_deliver("ffnet two") == 0 &&
	    tp_deliver("ffnet three") == 0);
	CHECK(tp_wait_count(im, 0, 3, &e) == 3);
	if (e == NULL)
		return;
	CHECK(e[0].uid < e[1].uid && e[1].uid < e[2].uid && e[0].size > 0);
	uids[0] = e[0].uid;
	uids[1] = e[1].uid;
	uids[2] = e[2].uid;
	free(e);
	/* "UID FETCH n:*" returns the last message even past it. */
	CHECK(imap_list_new(im, uids[2], &e, &n) == 0 && n == 0);
	free(e);
	CHECK(imap_list_new(im, uids[2] + 100, &e, &n) == 0 && n == 0);
	free(e);
	CHECK(imap_list_new(im, uids[0], &e, &n) == 0 && n == 2 &&
	    e[0].uid == uids[1] && e[1].uid == uids[2]);
	free(e);
}

/* BODY.PEEK[], the header alone past max, and \Seen left alone. */
static void
t_fetch(struct imap *im, const uint32_t uids[3])
{
	struct imap_entry	*e = NULL;
	size_t			 n = 0, len = 0, size = 0;
	char			*data = NULL;
	bool			 trunc = true;
	struct imap_entry	 gone;

	CHECK(imap_list_new(im, 0, &e, &n) == 0 && n == 3);
	size = n == 3 ? e[0].size : 0;
	free(e);
	CHECK(imap_fetch(im, uids[0], 1 << 20, &data, &len, &trunc) == 0);
	CHECK(data != NULL && !trunc && len == size && strlen(data) == len);
	CHECK(data != NULL && strstr(data, "\r\nSubject: ffnet ") != NULL &&
	    strstr(data, "\r\n\r\nfirst line of ffnet ") != NULL &&
	    strstr(data, "\r\n.dotline\r\nlast line\r\n") != NULL);
	free(data);
	/* BODY.PEEK: still unseen. The checker itself can see \Seen. */
	CHECK(tp_raw_seen(uids[0], false) == 0);
	CHECK(tp_raw_seen(uids[1], true) == 1);

	CHECK(imap_fetch(im, uids[0], 10, &data, &len, &trunc) == 0);
	CHECK(trunc && data != NULL && len < size && len > 10);
	CHECK(data != NULL && strstr(data, "\r\nSubject: ffnet ") != NULL &&
	    strstr(data, "first line") == NULL &&
	    len >= 4 && strcmp(data + len - 4, "\r\n\r\n") == 0);
	free(data);
	CHECK(tp_raw_seen(uids[0], false) == 0);
	CHECK(imap_fetch(im, uids[2] + 100, 1 << 20, &data, &len,
	    &trunc) == -1 && data == NULL);
	/* a listed message fetched in one command; one gone since: 1 */
	gone.uid = uids[0];
	gone.size = size;
	CHECK(imap_fetch_entry(im, &gone, 1 << 20, &data, &len, &trunc) == 0 &&
	    data != NULL && len == size && !trunc);
	free(data);
	gone.uid = uids[2] + 100;
	CHECK(imap_fetch_entry(im, &gone, 1 << 20, &data, &len, &trunc) == 1 &&
	    data == NULL && len == 0);

	CHECK(imap_exists(im, uids[0]) == 1);
	CHECK(imap_exists(im, uids[2] + 100) == 0);
}

static void
t_folder_move(struct imap *im, const uint32_t uids[3])
{
	struct imap		*other;
	struct imap_entry	*e = NULL;
	char			*data = NULL, *moved = NULL, *subj;
	size_t			 n = 0, len;
	bool			 trunc;
	uint32_t		 uv;

	/* Delivery order is not sending order: note what is moved. */
	if (imap_fetch(im, uids[2], 1 << 20, &moved, &len, &trunc) == 0 &&
	    (subj = strstr(moved, "Subject: ")) != NULL)
		subj[strcspn(subj, "\r")] = '\0';
	else
		subj = NULL;
	CHECK(subj != NULL);
	CHECK(imap_ensure_folder(im, "Done") == 0);
	CHECK(imap_ensure_folder(im, "Done") == 0);
	CHECK(imap_move(im, uids[2], "Done") == 0);
	CHECK(imap_exists(im, uids[2]) == 0);
	CHECK(imap_list_new(im, 0, &e, &n) == 0 && n == 2 &&
	    e[0].uid == uids[0] && e[1].uid == uids[1]);
	free(e);
	/* No such folder: the message stays. */
	CHECK(imap_move(im, uids[1], "NoSuchFolder") == -1);
	CHECK(imap_exists(im, uids[1]) == 1);

	/* Another session finds it in Done. */
	CHECK((other = tp_connect(SEC_NONE, "127.0.0.1", NULL)) != NULL);
	n = 0;
	CHECK(other != NULL && imap_select(other, "Done", &uv) == 0 &&
	    imap_list_new(other, 0, &e, &n) == 0 && n == 1);
	CHECK(n == 1 && imap_fetch(other, e[0].uid, 1 << 20, &data, &len,
	    &trunc) == 0 && subj != NULL && strstr(data, subj) != NULL);
	free(data);
	free(moved);
	free(e);
	imap_close(other);
}

/* Is the wake-up as wanted, within [tmin, tmax] seconds? Says if not. */
static bool
tp_wake(enum imap_wake w, enum imap_wake want, double t, double tmin,
    double tmax)
{
	static const char	*names[] = { "DATA", "TIMEOUT", "FD", "ERROR" };

	if (w == want && t >= tmin && t <= tmax)
		return true;
	fprintf(stderr, "  idle: %s after %.2f s, want %s in [%.1f, %.1f]\n",
	    names[w], t, names[want], tmin, tmax);
	return false;
}

/* A child that sleeps, then delivers or writes to a pipe or kills a fd. */
static pid_t
tp_child(int what, int fd)
{
	pid_t	 pid;

	if ((pid = fork()) != 0)
		return pid;
	usleep(300 * 1000);
	if (what == 0)
		_exit(tp_deliver("ffnet idle") == 0 ? 0 : 1);
	if (what == 1)
		_exit(write(fd, "x", 1) == 1 ? 0 : 1);
	_exit(shutdown(fd, SHUT_RDWR) == 0 ? 0 : 1);
}

static bool
tp_child_ok(pid_t pid)
{
	int	 st;

	return pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) &&
	    WEXITSTATUS(st) == 0;
}

/*
 * IDLE for 1 s where nothing should happen (an itimer may be armed for
 * each try). Dovecot may still report an earlier change late (seen once
 * in 30 runs: DATA after 1.00 s), so DATA gets two more tries; a wait
 * that never times out still fails.
 */
static enum imap_wake
tp_idle_quiet(struct imap *im, int fd, const struct itimerval *it, double *t)
{
	enum imap_wake	 w = IMAP_WAKE_DATA;
	int		 i;

	for (i = 0; i < 3 && w == IMAP_WAKE_DATA; i++) {
		if (i > 0)
			fprintf(stderr, "  idle: DATA after %.2f s while "
			    "quiet, again\n", *t);
		if (it != NULL)
			setitimer(ITIMER_REAL, it, NULL);
		*t = net_now();
		w = imap_idle(im, 1, fd);
		*t = net_now() - *t;
	}
	return w;
}

static int	 sig_fd = -1;

/* A signal handler as main.c has one: it writes to a self-pipe. */
static void
tp_on_alarm(int sig)
{
	(void)sig;
	if (sig_fd != -1 && write(sig_fd, "s", 1) == -1)
		return;
}

/*
 * Signals as main.c has them: blocked, with handlers that write to a
 * self-pipe, so they land only in imap_idle()'s wait and never cut
 * libetpan's reads short. FD when the pipe has data, else wait on.
 */
static void
t_idle_signal(struct imap *im)
{
	struct sigaction	 sa;
	struct itimerval	 it;
	enum imap_wake		 w;
	sigset_t		 set, old;
	double			 t;
	int			 p[2];

	sigemptyset(&set);
	sigaddset(&set, SIGALRM);
	sigprocmask(SIG_BLOCK, &set, &old);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = tp_on_alarm;
	sigaction(SIGALRM, &sa, NULL);
	memset(&it, 0, sizeof(it));
	it.it_value.tv_usec = 300 * 1000;
	CHECK(pipe(p) == 0);

	sig_fd = -1;
	w = tp_idle_quiet(im, p[0], &it, &t);
	CHECK(tp_wake(w, IMAP_WAKE_TIMEOUT, t, 0.9, 2.5));

	sig_fd = p[1];
	setitimer(ITIMER_REAL, &it, NULL);
	t = net_now();
	w = imap_idle(im, 10, p[0]);
	t = net_now() - t;
	CHECK(tp_wake(w, IMAP_WAKE_FD, t, 0, 3.0));
	sig_fd = -1;
	signal(SIGALRM, SIG_DFL);
	sigprocmask(SIG_SETMASK, &old, NULL);
	close(p[0]);
	close(p[1]);
}

static void
t_idle(struct imap *im, const uint32_t uids[3])
{
	struct imap		*fresh, *other;
	struct imap_entry	*e = NULL;
	enum imap_wake		 w;
	double			 t;
	size_t			 n = 0;
	uint32_t		 base, uv;
	int			 p[2];
	pid_t			 pid;

	w = tp_idle_quiet(im, -1, NULL, &t);
	CHECK(tp_wake(w, IMAP_WAKE_TIMEOUT, t, 0.9, 2.5));

	pid = tp_child(0, -1);
	t = net_now();
	w = imap_idle(im, 10, -1);
	t = net_now() - t;
	CHECK(tp_wake(w, IMAP_WAKE_DATA, t, 0, 3.0));
	CHECK(tp_child_ok(pid));
	CHECK(imap_list_new(im, uids[2], &e, &n) == 0 && n == 1);
	free(e);

	CHECK(pipe(p) == 0);
	pid = tp_child(1, p[1]);
	t = net_now();
	w = imap_idle(im, 10, p[0]);
	t = net_now() - t;
	CHECK(tp_wake(w, IMAP_WAKE_FD, t, 0, 3.0));
	CHECK(tp_child_ok(pid));
	close(p[0]);
	close(p[1]);
	t_idle_signal(im);

	/* Mail that came before IDLE is announced with "+ idling". */
	CHECK(imap_list_new(im, uids[2], &e, &n) == 0);
	base = n > 0 ? e[n - 1].uid : uids[2];
	free(e);
	CHECK(tp_deliver("ffnet before idle") == 0);
	CHECK((other = tp_connect(SEC_NONE, "127.0.0.1", NULL)) != NULL &&
	    imap_select(other, "INBOX", &uv) == 0 &&
	    tp_wait_count(other, base, 1, &e) == 1);
	free(e);
	imap_close(other);
	t = net_now();
	w = imap_idle(im, 5, -1);
	t = net_now() - t;
	CHECK(tp_wake(w, IMAP_WAKE_DATA, t, 0, 1.0));
	/* The session is still in order after each wake. */
	CHECK(imap_noop(im) == 0);

	/* Before any SELECT IDLE must not be sent (libetpan would crash). */
	CHECK((fresh = tp_connect(SEC_NONE, "127.0.0.1", NULL)) != NULL);
	if (fresh != NULL) {
		t = net_now();
		w = imap_idle(fresh, 1, -1);
		t = net_now() - t;
		CHECK(tp_wake(w, IMAP_WAKE_TIMEOUT, t, 0.9, 2.5));
		imap_close(fresh);
	}
}

/* The connection dies during IDLE: ERROR, and every later call fails. */
static void
t_dead(void)
{
	static bool		 before[MAXFD];
	struct imap		*im;
	struct imap_entry	*e = NULL;
	enum imap_wake		 w;
	size_t			 n;
	uint32_t		 uv;
	double			 t;
	pid_t			 pid;
	socklen_t		 sl;
	int			 fd, on, idle;

	tp_fd_snapshot(before);
	CHECK((im = tp_connect(SEC_TLS, "localhost", ca)) != NULL);
	if (im == NULL)
		return;
	CHECK(imap_select(im, "INBOX", &uv) == 0);
	CHECK((fd = tp_new_socket(before, imaps_port)) != -1);
	/* Keepalive notices a peer that vanished without a word. */
	on = idle = 0;
	sl = sizeof(on);
	CHECK(getsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &on, &sl) == 0 &&
	    on == 1);
	sl = sizeof(idle);
	CHECK(getsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, &sl) == 0 &&
	    idle == 60);
	pid = tp_child(2, fd);
	t = net_now();
	w = imap_idle(im, 10, -1);
	t = net_now() - t;
	CHECK(tp_wake(w, IMAP_WAKE_ERROR, t, 0, 3.0));
	CHECK(tp_child_ok(pid));
	CHECK(imap_noop(im) == -1);
	CHECK(imap_list_new(im, 0, &e, &n) == -1 && e == NULL);
	CHECK(imap_idle(im, 1, -1) == IMAP_WAKE_ERROR);
	t = net_now();
	imap_close(im);
	CHECK(net_now() - t < 1.0);
}

/* The mpid= of the last Dovecot login line: the imap process serving it. */
static pid_t
tp_last_login_pid(void)
{
	char	 path[512], line[4096], *m;
	FILE	*f;
	pid_t	 pid = -1;

	snprintf(path, sizeof(path), "%s/dovecot.log", logdir);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		if (strstr(line, "Login: user=<") != NULL &&
		    (m = strstr(line, "mpid=")) != NULL)
			pid = (pid_t)atoi(m + 5);
	fclose(f);
	return pid;
}

/*
 * A server that stops answering (its imap process is stopped): IDLE
 * gives ERROR once the 2 s timeout runs out, over STARTTLS too, and
 * closing does not wait for a LOGOUT reply.
 */
static void
t_silent(void)
{
	struct imap_params	 p = tp_params(SEC_STARTTLS, "localhost", ca);
	struct imap		*im;
	enum imap_wake		 w;
	uint32_t		 uv;
	double			 t;
	pid_t			 pid;
	int			 logins;

	p.timeout = 2;
	logins = tp_log_count("dovecot.log", "Login: user=<");
	CHECK((im = imap_connect(&p, err, sizeof(err))) != NULL);
	if (im == NULL)
		return;
	CHECK(imap_select(im, "INBOX", &uv) == 0);
	tp_log_wait("dovecot.log", "Login: user=<", logins);
	CHECK((pid = tp_last_login_pid()) > 1 && kill(pid, SIGSTOP) == 0);
	t = net_now();
	w = imap_idle(im, 1, -1);
	t = net_now() - t;
	CHECK(tp_wake(w, IMAP_WAKE_ERROR, t, 1.5, 6.0));
	t = net_now();
	imap_close(im);
	CHECK(net_now() - t < 1.0);
	if (pid > 1)
		kill(pid, SIGCONT);
}

static void
t_xoauth2(void)
{
	struct imap_params	 p;
	struct imap		*im;
	char			*bad;
	uint32_t		 uv;

	memset(&p, 0, sizeof(p));
	p.host = "localhost";
	p.port = (unsigned)atoi(net_env("OAUTH_IMAP_PORT"));
	p.security = SEC_STARTTLS;
	p.ca_file = other_ca;
	p.login.mech = MECH_XOAUTH2;
	p.login.user = net_env("OAUTH_USER");
	p.login.secret = net_env("OAUTH_TOKEN");
	p.timeout = 10;
	im = imap_connect(&p, err, sizeof(err));
	if (im == NULL)
		fprintf(stderr, "  xoauth2: %s\n", err);
	CHECK(im != NULL && imap_select(im, "INBOX", &uv) == 0 && uv != 0);
	imap_close(im);
	/* XOAUTH2 itself, as Exchange Online offers no OAUTHBEARER. */
	logdir = net_env("OAUTH_LOG_DIR");
	CHECK(tp_log_wait("dovecot.log", "method=XOAUTH2", 0) == 1);
	/* The same token with one character changed. */
	bad = xstrdup(p.login.secret);
	bad[strlen(bad) / 2] ^= 1;
	p.login.secret = bad;
	CHECK(imap_connect(&p, err, sizeof(err)) == NULL);
	CHECK(strstr(err, "XOAUTH2 as") != NULL);
	free(bad);
}

int
main(void)
{
	struct imap	*im;
	uint32_t	 uids[3];

	signal(SIGPIPE, SIG_IGN);
	log_init(1, getenv("NET_DEBUG") != NULL &&
	    strcmp(getenv("NET_DEBUG"), "0") != 0, "test_imap");
	user = net_env("NET_IMAP_USER");
	pass = net_env("NET_IMAP_PASS");
	ca = net_env("MAILSTACK_CA_CERT");
	other_ca = net_env("OAUTH_CA_CERT");
	logdir = net_env("MAILSTACK_LOG_DIR");
	imap_port = (unsigned)atoi(net_env("IMAP_PORT"));
	imaps_port = (unsigned)atoi(net_env("IMAPS_PORT"));
	smtp_port = (unsigned)atoi(net_env("SMTP_PORT"));

	t_verify_cert();
	t_connect();
	CHECK((im = tp_connect(SEC_STARTTLS, "localhost", ca)) != NULL);
	if (im != NULL) {
		t_list(im, uids);
		t_fetch(im, uids);
		t_folder_move(im, uids);
		t_idle(im, uids);
		imap_close(im);
	}
	t_dead();
	t_silent();
	t_xoauth2();
	return check_done("net_test_imap");
}
