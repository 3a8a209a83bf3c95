/*
 * auth.c: the installation secret and the confirmation codes. Called by
 * main.c at start (secret) and by the handlers that ask for or take a
 * confirmation. Owns nothing beyond the caller's buffers.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <gnutls/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "auth.h"
#include "conf.h"
#include "log.h"
#include "mime.h"
#include "util.h"

/* Crockford's base32: no I, L, O or U, so it reads and types well. */
static const char b32[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

static int	auth_secret_create(const char *, unsigned char *, char *,
		    size_t);
static int	auth_b32_value(int);
static int	auth_hex_value(int);
static bool	auth_id_trusted(const char *, const char *, size_t);
static bool	auth_aligned(const char *, const char *, size_t);
static bool	auth_resinfo_pass(const char *, size_t, const char *);

static int
auth_secret_create(const char *path, unsigned char *secret, char *err,
    size_t errlen)
{
	char	 hex[AUTH_SECRET_LEN * 2 + 2];
	size_t	 i;
	int	 fd = -1, rc = -1;

	if (util_random(secret, AUTH_SECRET_LEN) == -1) {
		snprintf(err, errlen, "getrandom: %s", strerror(errno));
		goto out;
	}
	for (i = 0; i < AUTH_SECRET_LEN; i++)
		snprintf(hex + 2 * i, 3, "%02x", secret[i]);
	hex[AUTH_SECRET_LEN * 2] = '\n';
	hex[AUTH_SECRET_LEN * 2 + 1] = '\0';
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600)) == -1 ||
	    write(fd, hex, AUTH_SECRET_LEN * 2 + 1) !=
	    AUTH_SECRET_LEN * 2 + 1 || fsync(fd) == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto out;
	}
	log_info("created the secret for confirmation codes: %s", path);
	rc = 0;
 out:
	explicit_bzero(hex, sizeof(hex));
	if (fd != -1)
		close(fd);
	return rc;
}

int
auth_secret_load(const char *path, unsigned char *secret, char *err,
    size_t errlen)
{
	char		 hex[AUTH_SECRET_LEN * 2 + 8];
	struct stat	 sb;
	ssize_t		 n;
	size_t		 i;
	unsigned int	 byte;
	int		 fd = -1, rc = -1;

	if ((fd = open(path, O_RDONLY)) == -1) {
		if (errno == ENOENT)
			return auth_secret_create(path, secret, err, errlen);
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (fstat(fd, &sb) == 0 && (sb.st_mode & 077) != 0) {
		log_warnx("%s: readable by others; setting mode 0600", path);
		fchmod(fd, 0600);
	}
	n = read(fd, hex, sizeof(hex) - 1);
	if (n >= 0)
		hex[n] = '\0';
	if (n < AUTH_SECRET_LEN * 2) {
		snprintf(err, errlen, "%s: too short to be ffnet's secret",
		    path);
		goto out;
	}
	for (i = 0; i < AUTH_SECRET_LEN; i++) {
		if (!isxdigit((unsigned char)hex[2 * i]) ||
		    !isxdigit((unsigned char)hex[2 * i + 1])) {
			snprintf(err, errlen, "%s: not ffnet's secret", path);
			goto out;
		}
		byte = (unsigned)auth_hex_value(hex[2 * i]) << 4 |
		    (unsigned)auth_hex_value(hex[2 * i + 1]);
		secret[i] = (unsigned char)byte;
	}
	rc = 0;
 out:
	explicit_bzero(hex, sizeof(hex));
	if (fd != -1)
		close(fd);
	return rc;
}

void
auth_addr_hash(const unsigned char *secret, const char *addr,
    char out[AUTH_HASH_LEN + 1])
{
	static const char	 hex[] = "0123456789abcdef";
	unsigned char		 mac[32];
	char			*data, *p;
	size_t			 i;

	data = xasprintf("ffnet-forget-v1\n%s", addr);
	for (p = data; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	if (gnutls_hmac_fast(GNUTLS_MAC_SHA256, secret, AUTH_SECRET_LEN,
	    data, strlen(data), mac) < 0)
		fatalx("gnutls_hmac_fast failed");	/* broken invariant */
	free(data);
	memcpy(out, AUTH_HASH_PREFIX, sizeof(AUTH_HASH_PREFIX) - 1);
	p = out + sizeof(AUTH_HASH_PREFIX) - 1;
	for (i = 0; i < 12; i++) {
		*p++ = hex[mac[i] >> 4];
		*p++ = hex[mac[i] & 15];
	}
	*p = '\0';
	explicit_bzero(mac, sizeof(mac));
}

void
auth_code_make(const unsigned char *secret, int64_t id, const char *addr,
    const char *action, time_t expires, char out[AUTH_CODE_LEN + 1])
{
	unsigned char	 mac[32];
	uint64_t	 v = 0;
	char		*data;
	int		 i, k = 0;

	data = xasprintf("ffnet-code-v1\n%lld\n%s\n%s\n%lld", (long long)id,
	    addr, action, (long long)expires);
	if (gnutls_hmac_fast(GNUTLS_MAC_SHA256, secret, AUTH_SECRET_LEN,
	    data, strlen(data), mac) < 0)
		fatalx("gnutls_hmac_fast failed");	/* broken invariant */
	free(data);
	for (i = 0; i < 5; i++)
		v = (v << 8) | mac[i];
	for (i = 0; i < 8; i++) {
		if (i == 4)
			out[k++] = '-';
		out[k++] = b32[(v >> (35 - 5 * i)) & 31];
	}
	out[k] = '\0';
	explicit_bzero(mac, sizeof(mac));
}

bool
auth_code_ok(const unsigned char *secret, int64_t id, const char *addr,
    const char *action, time_t expires, const char *code)
{
	char	 want[AUTH_CODE_LEN + 1];

	if (code == NULL || strlen(code) != AUTH_CODE_LEN)
		return false;
	auth_code_make(secret, id, addr, action, expires, want);
	return util_ct_eq(want, code, AUTH_CODE_LEN);
}

static int
auth_hex_value(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	return tolower(c) - 'a' + 10;
}

static int
auth_b32_value(int c)
{
	const char	*p;

	c = toupper(c);
	if (c == 'O')
		c = '0';
	else if (c == 'I' || c == 'L')
		c = '1';
	if (c == '\0' || (p = strchr(b32, c)) == NULL)
		return -1;
	return (int)(p - b32);
}

bool
auth_code_norm(const char *in, char out[AUTH_CODE_LEN + 1])
{
	char	 raw[8];
	int	 n = 0, v;

	for (; *in; in++) {
		if (*in == '-' || *in == ' ' || *in == '\t')
			continue;
		if ((v = auth_b32_value((unsigned char)*in)) == -1 || n == 8)
			return false;
		raw[n++] = b32[v];
	}
	if (n != 8)
		return false;
	memcpy(out, raw, 4);
	out[4] = '-';
	memcpy(out + 5, raw + 4, 4);
	out[AUTH_CODE_LEN] = '\0';
	return true;
}

bool
auth_code_find(const char *text, char out[AUTH_CODE_LEN + 1])
{
	const unsigned char	*p = (const unsigned char *)text;
	size_t			 i, len = strlen(text);
	char			 tok[AUTH_CODE_LEN + 1];

	for (i = 0; i + AUTH_CODE_LEN <= len; i++) {
		if (i > 0 && isalnum(p[i - 1]))
			continue;
		if (p[i + 4] != '-' || (i + AUTH_CODE_LEN < len &&
		    isalnum(p[i + AUTH_CODE_LEN])))
			continue;
		memcpy(tok, text + i, AUTH_CODE_LEN);
		tok[AUTH_CODE_LEN] = '\0';
		if (auth_code_norm(tok, out))
			return true;
	}
	return false;
}

/* Is id one of the comma- or space-separated trusted ids? */
static bool
auth_id_trusted(const char *list, const char *id, size_t idlen)
{
	const char	*p = list;
	size_t		 n;

	while (p != NULL && *p != '\0') {
		p += strspn(p, ", \t");
		n = strcspn(p, ", \t");
		if (n > 0 && n == idlen && strncasecmp(p, id, n) == 0)
			return true;
		p += n;
	}
	return false;
}

/* Is d the From domain, or a parent of it (relaxed alignment)? */
static bool
auth_aligned(const char *from_domain, const char *d, size_t dlen)
{
	size_t	 fl = strlen(from_domain);

	if (dlen == 0 || dlen > fl)
		return false;
	if (strncasecmp(from_domain + fl - dlen, d, dlen) != 0)
		return false;
	return dlen == fl || from_domain[fl - dlen - 1] == '.';
}

/* In one resinfo: "dkim=pass … header.d=x" or "dmarc=pass … header.from=x". */
static bool
auth_resinfo_pass(const char *r, size_t len, const char *domain)
{
	static const struct { const char *method, *prop; } ok[] = {
		{ "dkim=pass", "header.d=" }, { "dmarc=pass", "header.from=" },
	};
	char		*s;
	const char	*p, *v;
	size_t		 i, vl;
	bool		 hit = false;

	s = xstrndup(r, len);
	p = s + strspn(s, " \t");
	for (i = 0; i < nitems(ok) && !hit; i++) {
		if (strncasecmp(p, ok[i].method, strlen(ok[i].method)) != 0 ||
		    (v = strcasestr(p, ok[i].prop)) == NULL)
			continue;
		v += strlen(ok[i].prop);
		vl = strcspn(v, " \t;()");
		hit = auth_aligned(domain, v, vl);
	}
	free(s);
	return hit;
}

bool
auth_sender_proven(const struct conf *conf, const struct msg *m)
{
	const char	*v, *domain, *semi;
	size_t		 i, idlen;

	if (conf->trusted_authserv_id == NULL || m->from_addr == NULL ||
	    (domain = strrchr(m->from_addr, '@')) == NULL)
		return false;
	domain++;
	for (i = 0; i < m->nhdrs; i++) {
		if (strcasecmp(m->hdrs[i].name, "Authentication-Results") != 0)
			continue;
		v = m->hdrs[i].value + strspn(m->hdrs[i].value, " \t");
		idlen = strcspn(v, " \t;");
		if (!auth_id_trusted(conf->trusted_authserv_id, v, idlen))
			continue;
		/*
		 * The topmost header of a trusted server is its own (RFC 8601
		 * 5: it removes forged ones with its id); later ones are not
		 * looked at.
		 */
		for (v = strchr(v, ';'); v != NULL; v = semi) {
			semi = strchr(v + 1, ';');
			if (auth_resinfo_pass(v + 1, semi ? (size_t)(semi - v -
			    1) : strlen(v + 1), domain))
				return true;
		}
		return false;
	}
	return false;
}
