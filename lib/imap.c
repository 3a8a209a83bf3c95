/*
 * imap.c: the IMAP client (RFC 3501) on libetpan. main.c connects, selects
 * the inbox, lists and fetches new mail with BODY.PEEK, moves handled mail
 * away and waits in IDLE (RFC 2177). It owns the libetpan session and
 * checks the server certificate itself with GnuTLS, since libetpan never
 * does. Writes to a dead socket raise SIGPIPE: main.c ignores that signal.
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <libetpan/libetpan.h>

#include "imap.h"
#include "log.h"
#include "net_int.h"
#include "oauth2.h"
#include "util.h"

/* RFC 2177: re-issue IDLE at least every 29 minutes. */
#define IMAP_IDLE_MAX	(29 * 60)

struct imap {
	mailimap	*mi;
	char		*host;
	char		 delim;		/* the server's hierarchy delimiter */
	bool		 selected;	/* a SELECT succeeded: IDLE is safe */
	bool		 dead;		/* the stream failed: no LOGOUT */
	const char	*why;		/* the last failure, in our words */
};

/* What one FETCH response holds, pointing into libetpan's result. */
struct imap_att {
	uint32_t	 uid;
	bool		 has_size;
	size_t		 size;
	const char	*body;
	size_t		 bodylen;
	bool		 has_body;
};

static const char	*imap_strerror(int);
static int		 imap_failed(struct imap *, int, const char *);
static bool		 imap_is_ip(const char *);
static void		 imap_tls_cb(struct mailstream_ssl_context *, void *);
static void		 imap_keepalive(struct imap *);
static void		 imap_delim_load(struct imap *);
static void		 imap_utf7_close(struct buf *, uint32_t, int);
static void		 imap_utf7_unit(struct buf *, uint32_t, uint32_t *, int *);
static int		 imap_open(struct imap *, const struct imap_params *,
			    char *, size_t);
static int		 imap_verify_peer(struct imap *, const char *, char *,
			    size_t);
static int		 imap_caps_load(struct imap *);
static int		 imap_login(struct imap *, const struct net_login *,
			    char *, size_t);
static int		 imap_login_xoauth2(struct imap *,
			    const struct net_login *, char *, size_t);
static void		 imap_free(struct imap *);
static int		 imap_ft_add(struct mailimap_fetch_type *,
			    struct mailimap_fetch_att *);
static void		 imap_att_scan(struct mailimap_msg_att *,
			    struct imap_att *);
static int		 imap_uid_fetch(struct imap *, uint32_t, uint32_t,
			    struct mailimap_fetch_att *, clist **);
static int		 imap_entry_cmp(const void *, const void *);
static int		 imap_size(struct imap *, uint32_t, size_t *);
static int		 imap_store_flags(struct imap *,
			    struct mailimap_set *, bool);
static bool		 imap_is_junk(const struct mailimap_mailbox_list *);
static int		 imap_copy_away(struct imap *, struct mailimap_set *,
			    const char *);
static bool		 imap_time_left(const struct timespec *,
			    struct timespec *);
static bool		 imap_fd_ready(int);
static enum imap_wake	 imap_wait(int, int, int);
static enum imap_wake	 imap_idle_poll(struct imap *, int, int);

static const char *
imap_strerror(int r)
{
	switch (r) {
	case MAILIMAP_ERROR_STREAM:
		return "connection lost";
	case MAILIMAP_ERROR_PARSE:
		return "unparsable reply";
	case MAILIMAP_ERROR_CONNECTION_REFUSED:
		return "cannot connect";
	case MAILIMAP_ERROR_MEMORY:
		return "out of memory";
	case MAILIMAP_ERROR_FATAL:
		return "server closed the session";
	case MAILIMAP_ERROR_PROTOCOL:
		return "protocol error";
	case MAILIMAP_ERROR_DONT_ACCEPT_CONNECTION:
		return "server refuses connections";
	case MAILIMAP_ERROR_SSL:
		return "TLS handshake failed";
	case MAILIMAP_ERROR_STARTTLS:
		return "STARTTLS refused";
	case MAILIMAP_ERROR_LOGIN:
		return "login refused";
	case MAILIMAP_ERROR_BAD_STATE:
		return "command not allowed in this state";
	default:
		return "command failed";
	}
}

/*
 * Notes a failed libetpan call at debug level (the caller decides and
 * logs) and remembers a broken stream, so imap_close() skips LOGOUT.
 */
static int
imap_failed(struct imap *im, int r, const char *what)
{
	if (r == MAILIMAP_ERROR_STREAM || r == MAILIMAP_ERROR_FATAL ||
	    r == MAILIMAP_ERROR_PARSE)
		im->dead = true;
	im->why = imap_strerror(r);
	log_debug("imap %s: %s failed: %s (%s)", im->host, what,
	    imap_strerror(r), imap_last_error(im));
	return -1;
}

static bool
imap_is_ip(const char *host)
{
	unsigned char	 a[sizeof(struct in6_addr)];

	return inet_pton(AF_INET, host, a) == 1 ||
	    inet_pton(AF_INET6, host, a) == 1;
}

/* Sends SNI; RFC 6066 3 forbids IP literals there. */
static void
imap_tls_cb(struct mailstream_ssl_context *ctx, void *arg)
{
	struct imap	*im = arg;

	if (!imap_is_ip(im->host))
		mailstream_ssl_set_server_name(ctx, im->host);
}

/* A peer that vanished without a RST is noticed after about 2 minutes. */
static void
imap_keepalive(struct imap *im)
{
	int	 fd, on = 1, idle = 60, intvl = 20, cnt = 3;

	if ((fd = mailimap_idle_get_fd(im->mi)) == -1)
		return;
	if (setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof(on)) == -1 ||
	    setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle,
	    sizeof(idle)) == -1 ||
	    setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &intvl,
	    sizeof(intvl)) == -1 ||
	    setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &cnt, sizeof(cnt)) == -1)
		log_debug("imap %s: keepalive: %s", im->host, strerror(errno));
}

/* Connects, does TLS or STARTTLS and verifies the peer. */
static int
imap_open(struct imap *im, const struct imap_params *p, char *err,
    size_t errlen)
{
	struct mailimap_capability_data	*cap = NULL;
	int				 r;

	if (p->security == SEC_TLS)
		r = mailimap_ssl_connect_with_callback(im->mi, p->host,
		    p->port, imap_tls_cb, im);
	else
		r = mailimap_socket_connect(im->mi, p->host, p->port);
	if (r != MAILIMAP_NO_ERROR_AUTHENTICATED &&
	    r != MAILIMAP_NO_ERROR_NON_AUTHENTICATED) {
		snprintf(err, errlen, "imap: cannot connect to %s:%u: %s",
		    p->host, p->port, imap_strerror(r));
		return -1;
	}
	imap_keepalive(im);
	if (p->security == SEC_STARTTLS) {
		r = mailimap_socket_starttls_with_callback(im->mi,
		    imap_tls_cb, im);
		if (r != MAILIMAP_NO_ERROR) {
			snprintf(err, errlen, "imap: STARTTLS with %s:%u "
			    "failed: %s", p->host, p->port, imap_strerror(r));
			return -1;
		}
	}
	if (p->security != SEC_NONE &&
	    imap_verify_peer(im, p->ca_file, err, errlen) == -1)
		return -1;
	if (p->security == SEC_STARTTLS) {
		/* RFC 3501 6.2.1: forget what was said before TLS. */
		r = mailimap_capability(im->mi, &cap);
		if (r != MAILIMAP_NO_ERROR)
			return imap_failed(im, r, "CAPABILITY");
		mailimap_capability_data_free(cap);
	}
	return 0;
}

/*
 * libetpan gives the peer's chain (leaf first) or at least the leaf;
 * net_verify_chain() decides. Nothing is sent before this returns 0.
 */
static int
imap_verify_peer(struct imap *im, const char *ca_file, char *err,
    size_t errlen)
{
	carray		*chain = NULL;
	unsigned char	*der = NULL;
	gnutls_datum_t	*certs = NULL;
	MMAPString	*s;
	ssize_t		 len;
	unsigned	 i, n = 0;
	char		 why[512];
	int		 rc = -1;

	chain = mailstream_get_certificate_chain(im->mi->imap_stream);
	if (chain != NULL && carray_count(chain) > 0) {
		n = carray_count(chain);
		certs = xcalloc(n, sizeof(*certs));
		for (i = 0; i < n; i++) {
			s = carray_get(chain, i);
			certs[i].data = (unsigned char *)s->str;
			certs[i].size = s->len;
		}
	} else {
		len = mailstream_ssl_get_certificate(im->mi->imap_stream, &der);
		if (len <= 0) {
			snprintf(err, errlen, "imap: %s sent no certificate",
			    im->host);
			goto out;
		}
		n = 1;
		certs = xcalloc(1, sizeof(*certs));
		certs[0].data = der;
		certs[0].size = len;
	}
	if (net_verify_chain(certs, n, ca_file, im->host, why,
	    sizeof(why)) == -1) {
		snprintf(err, errlen, "imap: %s", why);
		goto out;
	}
	rc = 0;
 out:
	free(certs);
	free(der);
	if (chain != NULL)
		mailstream_certificate_chain_free(chain);
	return rc;
}

/* Servers that send no [CAPABILITY] code get asked. */
static int
imap_caps_load(struct imap *im)
{
	struct mailimap_capability_data	*cap = NULL;
	int				 r;

	if (im->mi->imap_connection_info != NULL &&
	    im->mi->imap_connection_info->imap_capability != NULL)
		return 0;
	if ((r = mailimap_capability(im->mi, &cap)) != MAILIMAP_NO_ERROR)
		return imap_failed(im, r, "CAPABILITY");
	mailimap_capability_data_free(cap);
	return 0;
}

/* One switch over the mechanisms; a new one is one more case. */
static int
imap_login(struct imap *im, const struct net_login *l, char *err,
    size_t errlen)
{
	const char	*mech;
	int		 r;

	if (imap_caps_load(im) == -1) {
		snprintf(err, errlen, "imap: %s: CAPABILITY failed: %s",
		    im->host, imap_last_error(im));
		return -1;
	}
	switch (l->mech) {
	case MECH_PASSWORD:
		mech = "LOGIN";
		/* RFC 3501 6.2.3: LOGINDISABLED forbids LOGIN here. */
		if (mailimap_has_extension(im->mi, "LOGINDISABLED")) {
			snprintf(err, errlen, "imap: %s refuses LOGIN without "
			    "TLS (LOGINDISABLED): use security starttls or "
			    "tls", im->host);
			return -1;
		}
		r = mailimap_login(im->mi, l->user, l->secret);
		break;
	case MECH_XOAUTH2:
		if (l->oauth2 != NULL)
			return imap_login_xoauth2(im, l, err, errlen);
		mech = "XOAUTH2";
		r = mailimap_oauth2_authenticate(im->mi, l->user, l->secret);
		break;
	default:
		snprintf(err, errlen, "imap: unknown login mechanism %d",
		    (int)l->mech);
		return -1;
	}
	if (r != MAILIMAP_NO_ERROR) {
		imap_failed(im, r, mech);
		snprintf(err, errlen, "imap: %s as %s refused by %s: %s", mech,
		    l->user, im->host, r == MAILIMAP_ERROR_LOGIN ?
		    imap_last_error(im) : imap_strerror(r));
		return -1;
	}
	/* Capabilities may grow after login (RFC 3501 7.2.1). */
	if (imap_caps_load(im) == -1) {
		snprintf(err, errlen, "imap: %s: CAPABILITY failed",
		    im->host);
		return -1;
	}
	return 0;
}

/*
 * SASL XOAUTH2 with a token from oauth2.c: a refusal gets one fresh
 * token and one more try; a second is a configuration error. libetpan
 * sends the initial response and acks the error challenge (Dovecot's
 * and Gmail's) with an empty line; Exchange answers NO at once. An OK
 * proves little on Exchange: without the service principal or the
 * mailbox permission the next command gets "BAD User is authenticated
 * but not connected", so a NOOP asks at once.
 */
static int
imap_login_xoauth2(struct imap *im, const struct net_login *l, char *err,
    size_t errlen)
{
	char		*tok, what[256], grant[768];
	unsigned	 gen;
	int		 r;

	snprintf(what, sizeof(what), "IMAP %s as %s", im->host, l->user);
	for (;;) {
		if ((tok = oauth2_token_dup(l->oauth2, &gen, err, errlen)) ==
		    NULL)
			return -1;
		r = mailimap_oauth2_authenticate(im->mi, l->user, tok);
		explicit_bzero(tok, strlen(tok));
		free(tok);
		/* a throttled login is no refusal of the token: wait */
		if (r == MAILIMAP_ERROR_LOGIN &&
		    imap_backoff_hint(imap_last_error(im)) > 0) {
			snprintf(err, errlen, "imap: %s throttles logins: %s",
			    im->host, imap_last_error(im));
			return -1;
		}
		if (r != MAILIMAP_ERROR_LOGIN || !oauth2_refused(l->oauth2,
		    gen, what))
			break;
	}
	if (r == MAILIMAP_ERROR_LOGIN) {
		oauth2_grant_fmt(l->oauth2, l->user, grant, sizeof(grant));
		snprintf(err, errlen, "imap: XOAUTH2 as %s refused by %s, "
		    "also with a fresh token (%s): a configuration error; "
		    "check that [imap] user is the mailbox the app was "
		    "granted, and IMAP.AccessAsApp with admin consent; %s",
		    l->user, im->host, imap_last_error(im), grant);
		return -1;
	}
	if (r != MAILIMAP_NO_ERROR) {
		imap_failed(im, r, "XOAUTH2");
		snprintf(err, errlen, "imap: XOAUTH2 as %s failed at %s: %s",
		    l->user, im->host, imap_strerror(r));
		return -1;
	}
	if ((r = mailimap_noop(im->mi)) != MAILIMAP_NO_ERROR) {
		imap_failed(im, r, "NOOP");
		if (strcasestr(imap_last_error(im), "not connected") != NULL) {
			oauth2_grant_fmt(l->oauth2, l->user, grant,
			    sizeof(grant));
			snprintf(err, errlen, "imap: %s accepted the token but "
			    "not the mailbox (%s): %s", im->host,
			    imap_last_error(im), grant);
		} else
			snprintf(err, errlen, "imap: %s: the first command "
			    "after XOAUTH2 failed: %s", im->host,
			    imap_last_error(im));
		return -1;
	}
	oauth2_accepted(l->oauth2);
	if (imap_caps_load(im) == -1) {
		snprintf(err, errlen, "imap: %s: CAPABILITY failed",
		    im->host);
		return -1;
	}
	return 0;
}

int
imap_backoff_hint(const char *text)
{
	const char	*p;
	long long	 ms;

	if (text == NULL ||
	    (p = strcasestr(text, "Suggested Backoff Time:")) == NULL)
		return 0;
	ms = strtoll(p + 23, NULL, 10);
	if (ms <= 0)
		return 0;
	if (ms > 3600 * 1000LL)
		ms = 3600 * 1000LL;
	return (int)((ms + 999) / 1000);
}

struct imap *
imap_connect(const struct imap_params *p, char *err, size_t errlen)
{
	struct imap	*im, *rv = NULL;

	if (errlen > 0)
		err[0] = '\0';
	im = xcalloc(1, sizeof(*im));
	im->host = xstrdup(p->host);
	if ((im->mi = mailimap_new(0, NULL)) == NULL) {
		snprintf(err, errlen, "imap: out of memory");
		goto out;
	}
	mailimap_set_timeout(im->mi, p->timeout);
	if (imap_open(im, p, err, errlen) == -1)
		goto out;
	if (imap_login(im, &p->login, err, errlen) == -1)
		goto out;
	imap_delim_load(im);
	log_debug("imap %s:%u: logged in as %s%s, delimiter '%c'", p->host,
	    p->port, p->login.user, mailimap_has_idle(im->mi) ? " (IDLE)" : "",
	    im->delim);
	rv = im;
	im = NULL;
 out:
	imap_free(im);
	return rv;
}

/*
 * Frees without LOGOUT: for sessions that failed or were never trusted.
 * mailimap_free() itself sends LOGOUT on an open stream, and waits the
 * whole timeout on a dead one: close the stream first.
 */
static void
imap_free(struct imap *im)
{
	if (im == NULL)
		return;
	if (im->mi != NULL && im->mi->imap_stream != NULL) {
		mailstream_close(im->mi->imap_stream);
		im->mi->imap_stream = NULL;
	}
	if (im->mi != NULL)
		mailimap_free(im->mi);
	free(im->host);
	free(im);
}

void
imap_close(struct imap *im)
{
	if (im == NULL)
		return;
	if (im->mi != NULL && im->mi->imap_stream != NULL && !im->dead)
		mailimap_logout(im->mi);
	imap_free(im);
}

/*
 * RFC 3501 6.3.8: LIST "" "" gives the hierarchy delimiter. Dovecot's
 * Maildir++ uses ".", Exchange "/"; ffnet's config always says "/".
 */
static void
imap_delim_load(struct imap *im)
{
	clist				*list = NULL;
	struct mailimap_mailbox_list	*mb;

	im->delim = '/';
	if (mailimap_list(im->mi, "", "", &list) == MAILIMAP_NO_ERROR &&
	    list != NULL && clist_begin(list) != NULL) {
		mb = clist_content(clist_begin(list));
		if (mb->mb_delimiter != '\0')
			im->delim = mb->mb_delimiter;
	}
	if (list != NULL)
		mailimap_list_result_free(list);
}

/* Appends what is left of a modified-BASE64 run, and its closing "-". */
static void
imap_utf7_close(struct buf *b, uint32_t bits, int nbits)
{
	static const char b64[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";

	if (nbits > 0)
		buf_addc(b, b64[(bits << (6 - nbits)) & 63]);
	buf_addc(b, '-');
}

/* Adds one UTF-16 unit to a modified-BASE64 run. */
static void
imap_utf7_unit(struct buf *b, uint32_t unit, uint32_t *bits, int *nbits)
{
	static const char b64[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";

	*bits = (*bits << 16) | (unit & 0xffff);
	*nbits += 16;
	while (*nbits >= 6) {
		*nbits -= 6;
		buf_addc(b, b64[(*bits >> *nbits) & 63]);
	}
}

char *
imap_folder_dup(char delim, const char *name)
{
	const unsigned char	*p = (const unsigned char *)name;
	struct buf		 b;
	uint32_t		 cp, bits = 0;
	int			 nbits = 0, len, i;
	bool			 in64 = false;

	buf_init(&b);
	while (*p != '\0') {
		if (*p >= 0x20 && *p < 0x7f) {
			if (in64)
				imap_utf7_close(&b, bits, nbits);
			in64 = false;
			nbits = 0;
			if (*p == '&')
				buf_adds(&b, "&-");
			else
				buf_addc(&b, *p == '/' ? delim : (char)*p);
			p++;
			continue;
		}
		/* one UTF-8 character; a broken one is U+FFFD */
		len = *p >= 0xf0 ? 4 : *p >= 0xe0 ? 3 : *p >= 0xc0 ? 2 : 1;
		cp = len == 1 ? 0xfffd : (uint32_t)(*p & (0x3f >> (len - 1)));
		for (i = 1; i < len; i++) {
			if ((p[i] & 0xc0) != 0x80) {
				cp = 0xfffd;
				len = i;
				break;
			}
			cp = (cp << 6) | (p[i] & 0x3f);
		}
		p += len;
		if (!in64)
			buf_addc(&b, '&');
		in64 = true;
		if (cp >= 0x10000 && cp <= 0x10ffff) {	/* a surrogate pair */
			cp -= 0x10000;
			imap_utf7_unit(&b, 0xd800 | (cp >> 10), &bits, &nbits);
			cp = 0xdc00 | (cp & 0x3ff);
		}
		imap_utf7_unit(&b, cp, &bits, &nbits);
	}
	if (in64)
		imap_utf7_close(&b, bits, nbits);
	return buf_release(&b);
}

int
imap_select(struct imap *im, const char *mbox, uint32_t *uidvalidity)
{
	char	*name;
	int	 r;

	im->selected = false;
	*uidvalidity = 0;
	name = imap_folder_dup(im->delim, mbox);
	r = mailimap_select(im->mi, name);
	free(name);
	if (r != MAILIMAP_NO_ERROR)
		return imap_failed(im, r, "SELECT");
	im->selected = true;
	if (im->mi->imap_selection_info != NULL)
		*uidvalidity = im->mi->imap_selection_info->sel_uidvalidity;
	/* RFC 3501 2.3.1.1: without it, stored UIDs mean nothing. */
	if (*uidvalidity == 0) {
		log_debug("imap %s: SELECT %s gave no UIDVALIDITY", im->host,
		    mbox);
		return -1;
	}
	return 0;
}

int
imap_ensure_folder(struct imap *im, const char *folder)
{
	struct mailimap_response_info	*ri;
	char				*name;
	int				 r, rc;

	/* LIST first: CREATE of an existing folder is an error. */
	if ((rc = imap_folder_exists(im, folder)) != 0)
		return rc == 1 ? 0 : -1;
	name = imap_folder_dup(im->delim, folder);
	if ((r = mailimap_create(im->mi, name)) == MAILIMAP_NO_ERROR)
		log_debug("imap %s: created folder %s", im->host, name);
	/* Another client may have made it meanwhile: RFC 5530 ALREADYEXISTS. */
	else if ((ri = im->mi->imap_response_info) == NULL ||
	    r != MAILIMAP_ERROR_CREATE || ri->rsp_atom == NULL ||
	    strcasecmp(ri->rsp_atom, "ALREADYEXISTS") != 0)
		rc = imap_failed(im, r, "CREATE");
	free(name);
	return rc;
}

bool
imap_has_idle(struct imap *im)
{
	return mailimap_has_idle(im->mi) != 0;
}

/* Adds att to ft; on failure att is freed here, as libetpan does not. */
static int
imap_ft_add(struct mailimap_fetch_type *ft, struct mailimap_fetch_att *att)
{
	if (att == NULL)
		return -1;
	if (mailimap_fetch_type_new_fetch_att_list_add(ft, att) !=
	    MAILIMAP_NO_ERROR) {
		mailimap_fetch_att_free(att);
		return -1;
	}
	return 0;
}

/* att_number is the sequence number; the UID is a static item. */
static void
imap_att_scan(struct mailimap_msg_att *ma, struct imap_att *a)
{
	clistiter			*it;
	struct mailimap_msg_att_item	*item;
	struct mailimap_msg_att_static	*st;

	memset(a, 0, sizeof(*a));
	for (it = clist_begin(ma->att_list); it != NULL; it = clist_next(it)) {
		item = clist_content(it);
		if (item->att_type != MAILIMAP_MSG_ATT_ITEM_STATIC)
			continue;
		st = item->att_data.att_static;
		switch (st->att_type) {
		case MAILIMAP_MSG_ATT_UID:
			a->uid = st->att_data.att_uid;
			break;
		case MAILIMAP_MSG_ATT_RFC822_SIZE:
			a->size = st->att_data.att_rfc822_size;
			a->has_size = true;
			break;
		case MAILIMAP_MSG_ATT_BODY_SECTION:
			a->body = st->att_data.att_body_section->sec_body_part;
			a->bodylen = st->att_data.att_body_section->sec_length;
			a->has_body = true;
			break;
		default:
			break;
		}
	}
}

/*
 * UID FETCH first:last (UID att); last 0 means "*". Takes att. *res is
 * libetpan's list: free it with mailimap_fetch_list_free().
 */
static int
imap_uid_fetch(struct imap *im, uint32_t first, uint32_t last,
    struct mailimap_fetch_att *att, clist **res)
{
	struct mailimap_set		*set = NULL;
	struct mailimap_fetch_type	*ft = NULL;
	int				 r, rc = -1;

	*res = NULL;
	set = mailimap_set_new_interval(first, last);
	ft = mailimap_fetch_type_new_fetch_att_list_empty();
	if (set == NULL || ft == NULL)
		goto out;
	if (imap_ft_add(ft, mailimap_fetch_att_new_uid()) == -1)
		goto out;
	r = imap_ft_add(ft, att);
	att = NULL;
	if (r == -1)
		goto out;
	r = mailimap_uid_fetch(im->mi, set, ft, res);
	if (r != MAILIMAP_NO_ERROR) {
		*res = NULL;
		imap_failed(im, r, "UID FETCH");
		goto out;
	}
	rc = 0;
 out:
	if (att != NULL)
		mailimap_fetch_att_free(att);
	if (ft != NULL)
		mailimap_fetch_type_free(ft);
	if (set != NULL)
		mailimap_set_free(set);
	return rc;
}

static int
imap_entry_cmp(const void *a, const void *b)
{
	const struct imap_entry	*x = a, *y = b;

	return x->uid < y->uid ? -1 : x->uid > y->uid;
}

int
imap_list_new(struct imap *im, uint32_t after, struct imap_entry **out,
    size_t *n)
{
	clist		*res = NULL;
	clistiter	*it;
	struct imap_att	 a;
	struct imap_entry *v = NULL;
	size_t		 nv = 0;
	int		 rc = -1;

	*out = NULL;
	*n = 0;
	if (after == UINT32_MAX)
		return 0;
	if (imap_uid_fetch(im, after + 1, 0,
	    mailimap_fetch_att_new_rfc822_size(), &res) == -1)
		goto out;
	v = xcalloc(clist_count(res), sizeof(*v));
	for (it = clist_begin(res); it != NULL; it = clist_next(it)) {
		imap_att_scan(clist_content(it), &a);
		/*
		 * RFC 3501 6.4.8: "n:*" always matches the highest UID, even
		 * below n. Unsolicited FETCHes (flag changes) have no size.
		 */
		if (a.uid <= after || !a.has_size)
			continue;
		v[nv].uid = a.uid;
		v[nv++].size = a.size;
	}
	qsort(v, nv, sizeof(*v), imap_entry_cmp);
	*n = nv;
	*out = v;
	v = NULL;
	rc = 0;
 out:
	free(v);
	if (res != NULL)
		mailimap_fetch_list_free(res);
	return rc;
}

/* RFC822.SIZE of one UID: 1 found, 0 gone, -1 error. */
static int
imap_size(struct imap *im, uint32_t uid, size_t *size)
{
	clist		*res = NULL;
	clistiter	*it;
	struct imap_att	 a;
	int		 rc = -1;

	if (imap_uid_fetch(im, uid, uid, mailimap_fetch_att_new_rfc822_size(),
	    &res) == -1)
		goto out;
	rc = 0;
	for (it = clist_begin(res); it != NULL; it = clist_next(it)) {
		imap_att_scan(clist_content(it), &a);
		if (a.uid == uid && a.has_size) {
			*size = a.size;
			rc = 1;
			break;
		}
	}
 out:
	if (res != NULL)
		mailimap_fetch_list_free(res);
	return rc;
}

int
imap_fetch(struct imap *im, uint32_t uid, size_t max, char **data,
    size_t *len, bool *truncated)
{
	struct imap_entry	 e;
	int			 r;

	*data = NULL;
	*len = 0;
	*truncated = false;
	e.uid = uid;
	if ((r = imap_size(im, uid, &e.size)) != 1) {
		if (r == 0)
			log_debug("imap %s: uid=%u: no such message",
			    im->host, uid);
		return -1;
	}
	return imap_fetch_entry(im, &e, max, data, len, truncated) == 0 ? 0 :
	    -1;
}

int
imap_fetch_entry(struct imap *im, const struct imap_entry *e, size_t max,
    char **data, size_t *len, bool *truncated)
{
	struct mailimap_section	*sec;
	clist			*res = NULL;
	clistiter		*it;
	struct imap_att		 a;
	int			 rc = -1;

	*data = NULL;
	*len = 0;
	/* BODY.PEEK, never BODY: RFC 3501 6.4.5 says BODY sets \Seen. */
	*truncated = e->size > max;
	sec = *truncated ? mailimap_section_new_header() :
	    mailimap_section_new(NULL);
	if (sec == NULL)
		goto out;
	if (imap_uid_fetch(im, e->uid, e->uid,
	    mailimap_fetch_att_new_body_peek_section(sec), &res) == -1)
		goto out;
	rc = 1;		/* an answer without the message: it is gone */
	for (it = clist_begin(res); it != NULL; it = clist_next(it)) {
		imap_att_scan(clist_content(it), &a);
		if (a.uid != e->uid || !a.has_body)
			continue;
		/* sec_body_part lives in res and has no NUL: copy it. */
		*data = xmalloc(a.bodylen + 1);
		if (a.bodylen > 0)
			memcpy(*data, a.body, a.bodylen);
		(*data)[a.bodylen] = '\0';
		*len = a.bodylen;
		rc = 0;
		break;
	}
	if (rc == 1)
		log_debug("imap %s: uid=%u: gone before it was read", im->host,
		    e->uid);
 out:
	if (res != NULL)
		mailimap_fetch_list_free(res);
	return rc;
}
int
imap_exists(struct imap *im, uint32_t uid)
{
	size_t	 size;

	return imap_size(im, uid, &size);
}

/* UID STORE +FLAGS.SILENT: \Deleted, or \Seen and $ffnet. */
static int
imap_store_flags(struct imap *im, struct mailimap_set *set, bool deleted)
{
	struct mailimap_flag_list	*fl;
	struct mailimap_store_att_flags	*sf = NULL;
	struct mailimap_flag		*f;
	char				*kw;
	int				 r, rc = -1;

	if ((fl = mailimap_flag_list_new_empty()) == NULL)
		goto out;
	if ((sf = mailimap_store_att_flags_new_add_flags_silent(fl)) == NULL) {
		mailimap_flag_list_free(fl);
		goto out;
	}
	if (deleted) {
		if ((f = mailimap_flag_new_deleted()) == NULL ||
		    mailimap_flag_list_add(fl, f) != MAILIMAP_NO_ERROR)
			goto flagfail;
	} else {
		if ((f = mailimap_flag_new_seen()) == NULL ||
		    mailimap_flag_list_add(fl, f) != MAILIMAP_NO_ERROR)
			goto flagfail;
		kw = xstrdup("$ffnet");
		if ((f = mailimap_flag_new_flag_keyword(kw)) == NULL) {
			free(kw);
			goto out;
		}
		if (mailimap_flag_list_add(fl, f) != MAILIMAP_NO_ERROR)
			goto flagfail;
	}
	if ((r = mailimap_uid_store(im->mi, set, sf)) != MAILIMAP_NO_ERROR) {
		imap_failed(im, r, "UID STORE");
		goto out;
	}
	rc = 0;
	goto out;
 flagfail:
	if (f != NULL)
		mailimap_flag_free(f);
 out:
	if (sf != NULL)
		mailimap_store_att_flags_free(sf);
	return rc;
}

/*
 * Without MOVE: UID COPY, then with UIDPLUS (RFC 4315 2.1) \Deleted and
 * UID EXPUNGE of this UID alone, so other clients' \Deleted mail stays.
 * Without UIDPLUS a plain EXPUNGE could remove others' mail: the original
 * is only flagged \Seen and $ffnet.
 */
static int
imap_copy_away(struct imap *im, struct mailimap_set *set, const char *folder)
{
	int	 r;

	if ((r = mailimap_uid_copy(im->mi, set, folder)) != MAILIMAP_NO_ERROR)
		return imap_failed(im, r, "UID COPY");
	if (!mailimap_has_uidplus(im->mi))
		return imap_store_flags(im, set, false);
	if (imap_store_flags(im, set, true) == -1)
		return -1;
	if ((r = mailimap_uid_expunge(im->mi, set)) != MAILIMAP_NO_ERROR)
		return imap_failed(im, r, "UID EXPUNGE");
	return 0;
}

int
imap_move(struct imap *im, uint32_t uid, const char *name)
{
	return imap_move_uids(im, &uid, 1, name);
}

int
imap_move_uids(struct imap *im, const uint32_t *uids, size_t n,
    const char *name)
{
	struct mailimap_set	*set;
	char			*folder = NULL;
	size_t			 i;
	int			 r, rc = -1;

	if (n == 0)
		return 0;
	if ((set = mailimap_set_new_empty()) == NULL)
		return -1;
	for (i = 0; i < n; i++)
		if (mailimap_set_add_single(set, uids[i]) != MAILIMAP_NO_ERROR)
			goto out;
	folder = imap_folder_dup(im->delim, name);
	/* RFC 6851: MOVE is atomic and leaves no \Deleted copy behind. */
	if (mailimap_has_extension(im->mi, "MOVE")) {
		r = mailimap_uid_move(im->mi, set, folder);
		if (r != MAILIMAP_NO_ERROR) {
			imap_failed(im, r, "UID MOVE");
			goto out;
		}
	} else if (imap_copy_away(im, set, folder) == -1)
		goto out;
	for (i = 0; i < n; i++)
		log_debug("imap %s: uid=%u: moved to %s", im->host, uids[i],
		    folder);
	rc = 0;
 out:
	mailimap_set_free(set);
	free(folder);
	return rc;
}

/* Time left until end (CLOCK_MONOTONIC); false when none is left. */
static bool
imap_time_left(const struct timespec *end, struct timespec *left)
{
	struct timespec	 now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	left->tv_sec = end->tv_sec - now.tv_sec;
	left->tv_nsec = end->tv_nsec - now.tv_nsec;
	if (left->tv_nsec < 0) {
		left->tv_sec--;
		left->tv_nsec += 1000000000L;
	}
	if (left->tv_sec < 0)
		left->tv_sec = left->tv_nsec = 0;
	return left->tv_sec > 0 || left->tv_nsec > 0;
}

static bool
imap_fd_ready(int fd)
{
	struct pollfd	 pfd = { .fd = fd, .events = POLLIN };

	return poll(&pfd, 1, 0) == 1 && (pfd.revents & POLLNVAL) == 0;
}

/*
 * Waits until the server socket ifd or the caller's fd (-1: none) is
 * readable, for at most seconds. The caller's fd wins a tie: it is how
 * signals reach the main loop. libetpan takes a read or write cut by a
 * signal (EINTR) for a broken connection, so a caller blocks its signals
 * and they are let in here alone: ppoll() waits with none blocked.
 */
static enum imap_wake
imap_wait(int ifd, int fd, int seconds)
{
	struct pollfd	 pfd[2];
	struct timespec	 end, left;
	sigset_t	 none;
	nfds_t		 nfd = fd >= 0 ? 2 : 1;
	int		 r;

	sigemptyset(&none);
	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += seconds > 0 ? seconds : 0;
	pfd[0].fd = ifd;
	pfd[0].events = POLLIN;
	pfd[1].fd = fd;
	pfd[1].events = POLLIN;
	for (;;) {
		pfd[0].revents = pfd[1].revents = 0;
		imap_time_left(&end, &left);
		r = ppoll(pfd, nfd, &left, &none);
		if (r == -1 && errno == EINTR) {
			if (fd >= 0 && imap_fd_ready(fd))
				return IMAP_WAKE_FD;
			if (!imap_time_left(&end, &left))
				return IMAP_WAKE_TIMEOUT;
			continue;
		}
		if (r == -1)
			return IMAP_WAKE_ERROR;
		if (r == 0)
			return IMAP_WAKE_TIMEOUT;
		if ((pfd[0].revents | pfd[1].revents) & POLLNVAL)
			return IMAP_WAKE_ERROR;
		if (nfd == 2 && pfd[1].revents != 0)
			return IMAP_WAKE_FD;
		return IMAP_WAKE_DATA;
	}
}

/*
 * Without IDLE (or before a SELECT, where libetpan's IDLE crashes):
 * waits on both fds, then a NOOP (RFC 3501 6.1.2) collects what the
 * server has to say. An EXISTS during it means DATA.
 */
static enum imap_wake
imap_idle_poll(struct imap *im, int seconds, int fd)
{
	struct mailimap_selection_info	*si;
	enum imap_wake			 w;
	int				 r;

	w = imap_wait(mailimap_idle_get_fd(im->mi), fd, seconds);
	if (w == IMAP_WAKE_FD || w == IMAP_WAKE_ERROR)
		return w;
	si = im->selected ? im->mi->imap_selection_info : NULL;
	if (si != NULL)
		si->sel_has_exists = 0;
	if ((r = mailimap_noop(im->mi)) != MAILIMAP_NO_ERROR) {
		imap_failed(im, r, "NOOP");
		return IMAP_WAKE_ERROR;
	}
	if (w == IMAP_WAKE_DATA || (si != NULL && si->sel_has_exists))
		return IMAP_WAKE_DATA;
	return IMAP_WAKE_TIMEOUT;
}

/*
 * RFC 2177 IDLE. Anything the server sends (EXISTS, EXPUNGE, "* OK Still
 * here") gives DATA; the caller then simply lists again. DONE is always
 * sent before returning, and it fails on a dead connection: ERROR.
 */
enum imap_wake
imap_idle(struct imap *im, int seconds, int fd)
{
	enum imap_wake	 w;
	int		 r;

	if (im->dead)
		return IMAP_WAKE_ERROR;
	if (seconds > IMAP_IDLE_MAX)
		seconds = IMAP_IDLE_MAX;
	if (!im->selected || !mailimap_has_idle(im->mi))
		return imap_idle_poll(im, seconds, fd);
	if ((r = mailimap_idle(im->mi)) != MAILIMAP_NO_ERROR) {
		imap_failed(im, r, "IDLE");
		return IMAP_WAKE_ERROR;
	}
	/* What came with "+ idling" sits in libetpan's buffer, not the fd. */
	if (im->mi->imap_stream->read_buffer_len > 0)
		w = IMAP_WAKE_DATA;
	else
		w = imap_wait(mailimap_idle_get_fd(im->mi), fd, seconds);
	if ((r = mailimap_idle_done(im->mi)) != MAILIMAP_NO_ERROR) {
		imap_failed(im, r, "IDLE DONE");
		return IMAP_WAKE_ERROR;
	}
	return w;
}

int
imap_noop(struct imap *im)
{
	int	 r;

	if ((r = mailimap_noop(im->mi)) != MAILIMAP_NO_ERROR)
		return imap_failed(im, r, "NOOP");
	return 0;
}

const char *
imap_last_error(struct imap *im)
{
	/* a connection that just ended leaves no server text: ours */
	if (im == NULL)
		return "";
	if (im->mi == NULL || im->mi->imap_response == NULL ||
	    im->mi->imap_response[0] == '\0')
		return im->why != NULL ? im->why : "";
	return im->mi->imap_response;
}

int
imap_folder_exists(struct imap *im, const char *folder)
{
	char				*name = imap_folder_dup(im->delim, folder);
	clist				*list = NULL;
	clistiter			*it;
	struct mailimap_mailbox_list	*mb;
	int				 r, rc = 0;

	if ((r = mailimap_list(im->mi, "", name, &list)) != MAILIMAP_NO_ERROR) {
		rc = imap_failed(im, r, "LIST");
		goto out;
	}
	for (it = clist_begin(list); it != NULL; it = clist_next(it)) {
		mb = clist_content(it);
		/* RFC 3501 6.3.8: INBOX is case-insensitive */
		if (mb->mb_name != NULL && (strcmp(mb->mb_name, name) == 0 ||
		    (strcasecmp(name, "INBOX") == 0 &&
		    strcasecmp(mb->mb_name, "INBOX") == 0)))
			rc = 1;
	}
 out:
	if (list != NULL)
		mailimap_list_result_free(list);
	free(name);
	return rc;
}

/*
 * RFC 3501 6.3.11: puts a message in a folder, unseen, so that a person
 * reading the mailbox finds it: how ffnet tells the secretariat when
 * sending is what is broken.
 */
int
imap_append(struct imap *im, const char *folder, const char *data,
    size_t len)
{
	struct mailimap_flag_list	*flags;
	char				*name;
	int				 r;

	if ((flags = mailimap_flag_list_new_empty()) == NULL)
		return -1;
	name = imap_folder_dup(im->delim, folder);
	r = mailimap_append(im->mi, name, flags, NULL, data, len);
	mailimap_flag_list_free(flags);
	free(name);
	if (r != MAILIMAP_NO_ERROR)
		return imap_failed(im, r, "APPEND");
	log_debug("imap %s: appended %zu bytes to %s", im->host, len, folder);
	return 0;
}

/* RFC 3501 6.4.4: UID SEARCH HEADER field value, in the selected mailbox. */
int
imap_search_header(struct imap *im, const char *field, const char *value,
    uint32_t *uid)
{
	struct mailimap_search_key	*key;
	clist				*res = NULL;
	clistiter			*it;
	int				 r, rc = 0;

	*uid = 0;
	if ((key = mailimap_search_key_new_header(xstrdup(field),
	    xstrdup(value))) == NULL)
		fatal("libetpan: out of memory");
	r = mailimap_uid_search(im->mi, NULL, key, &res);
	mailimap_search_key_free(key);
	if (r != MAILIMAP_NO_ERROR)
		return imap_failed(im, r, "SEARCH");
	for (it = clist_begin(res); it != NULL; it = clist_next(it)) {
		*uid = *(uint32_t *)clist_content(it);
		rc = 1;
	}
	mailimap_search_result_free(res);
	return rc;
}

/* Does a LIST entry carry the RFC 6154 \Junk attribute? */
static bool
imap_is_junk(const struct mailimap_mailbox_list *mb)
{
	struct mailimap_mbx_list_oflag	*of;
	const char			*f;
	clistiter			*it;

	if (mb->mb_flag == NULL || mb->mb_flag->mbf_oflags == NULL)
		return false;
	for (it = clist_begin(mb->mb_flag->mbf_oflags); it != NULL;
	    it = clist_next(it)) {
		of = clist_content(it);
		if (of->of_type != MAILIMAP_MBX_LIST_OFLAG_FLAG_EXT ||
		    (f = of->of_flag_ext) == NULL)
			continue;
		if (*f == '\\')
			f++;
		if (strcasecmp(f, "Junk") == 0)
			return true;
	}
	return false;
}

char *
imap_junk_folder_dup(struct imap *im)
{
	/* Dovecot, Outlook.com, Exchange in Danish (both), Gmail-like */
	static const char *const names[] = { "Junk", "Junk E-mail",
	    "Uønsket mail", "Uønsket e-mail", "Spam", "INBOX/Junk",
	    "INBOX/Spam" };
	clist				*list = NULL;
	clistiter			*it;
	struct mailimap_mailbox_list	*mb;
	char				*found = NULL, *enc, *p;
	size_t				 i;

	if (mailimap_list(im->mi, "", "*", &list) != MAILIMAP_NO_ERROR)
		list = NULL;
	for (it = list ? clist_begin(list) : NULL; it != NULL && !found;
	    it = clist_next(it)) {
		mb = clist_content(it);
		if (mb->mb_name == NULL || !imap_is_junk(mb))
			continue;
		/* back to a configured name: a known one, or plain ASCII */
		for (i = 0; i < nitems(names) && found == NULL; i++) {
			enc = imap_folder_dup(im->delim, names[i]);
			if (strcmp(enc, mb->mb_name) == 0)
				found = xstrdup(names[i]);
			free(enc);
		}
		if (found == NULL && strchr(mb->mb_name, '&') == NULL) {
			found = xstrdup(mb->mb_name);
			for (p = found; *p; p++)
				if (*p == im->delim)
					*p = '/';
		}
	}
	if (list != NULL)
		mailimap_list_result_free(list);
	for (i = 0; i < nitems(names) && found == NULL; i++)
		if (imap_folder_exists(im, names[i]) == 1)
			found = xstrdup(names[i]);
	return found;
}
