/*
 * net.c: what the IMAP and SMTP clients share below the protocol: the
 * server certificate check, with GnuTLS. libetpan does not verify the
 * certificate it is shown, so imap.c hands the chain here before it
 * sends anything; libcurl verifies for SMTP itself, against the same
 * ca_file. A refusal says why in words an operator can act on.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "log.h"
#include "net.h"
#include "net_int.h"
#include "util.h"

static void	 net_status_str(unsigned, char *, size_t);
static int	 net_trust_new(const char *, gnutls_x509_trust_list_t *,
		    char *, size_t);

/* GnuTLS status bits as a short list of reasons. */
static void
net_status_str(unsigned status, char *buf, size_t len)
{
	static const struct {
		unsigned	 bit;
		const char	*what;
	} reasons[] = {
		{ GNUTLS_CERT_SIGNER_NOT_FOUND, "signer not found" },
		{ GNUTLS_CERT_SIGNER_NOT_CA, "signer is not a CA" },
		{ GNUTLS_CERT_EXPIRED, "expired" },
		{ GNUTLS_CERT_NOT_ACTIVATED, "not yet valid" },
		{ GNUTLS_CERT_REVOKED, "revoked" },
		{ GNUTLS_CERT_SIGNATURE_FAILURE, "bad signature" },
		{ GNUTLS_CERT_INSECURE_ALGORITHM, "insecure algorithm" },
		{ GNUTLS_CERT_PURPOSE_MISMATCH, "not for TLS servers" },
		{ GNUTLS_CERT_UNEXPECTED_OWNER, "unexpected owner" },
	};
	size_t	 i, off = 0;
	int	 r;

	buf[0] = '\0';
	for (i = 0; i < nitems(reasons) && off < len; i++) {
		if ((status & reasons[i].bit) == 0)
			continue;
		r = snprintf(buf + off, len - off, "%s%s", off ? ", " : "",
		    reasons[i].what);
		if (r < 0)
			break;
		off += r;
	}
	if (off == 0)
		snprintf(buf, len, "status 0x%x", status);
}

/* A trust list from the CA file, or from the system CAs when NULL. */
static int
net_trust_new(const char *ca_file, gnutls_x509_trust_list_t *tl, char *err,
    size_t errlen)
{
	int	 r;

	if ((r = gnutls_x509_trust_list_init(tl, 0)) < 0) {
		*tl = NULL;
		snprintf(err, errlen, "GnuTLS: %s", gnutls_strerror(r));
		return -1;
	}
	if (ca_file != NULL)
		r = gnutls_x509_trust_list_add_trust_file(*tl, ca_file, NULL,
		    GNUTLS_X509_FMT_PEM, 0, 0);
	else
		r = gnutls_x509_trust_list_add_system_trust(*tl, 0, 0);
	if (r <= 0) {
		snprintf(err, errlen, "cannot load CAs from %s: %s",
		    ca_file != NULL ? ca_file : "the system",
		    r < 0 ? gnutls_strerror(r) : "no certificates");
		gnutls_x509_trust_list_deinit(*tl, 1);
		*tl = NULL;
		return -1;
	}
	return 0;
}

/*
 * Verifies a chain (leaf first, then any intermediates the server sent)
 * against the CA file or the system trust, then the leaf against host:
 * its DNS names, or for an IP literal its IP addresses (RFC 6125 6.2).
 */
int
net_verify_chain(const gnutls_datum_t *der, unsigned n, const char *ca_file,
    const char *host, char *err, size_t errlen)
{
	gnutls_x509_trust_list_t	 tl = NULL;
	gnutls_x509_crt_t		*crt;
	unsigned			 i, ncrt, status = 0;
	char				 why[256], from[512];
	int				 r, rc = -1;

	if (errlen > 0)
		err[0] = '\0';
	snprintf(from, sizeof(from), "%s%s", ca_file != NULL ? "ca_file " : "",
	    ca_file != NULL ? ca_file : "the system CAs");
	crt = xcalloc(n, sizeof(*crt));
	for (ncrt = 0; ncrt < n; ncrt++) {
		if (gnutls_x509_crt_init(&crt[ncrt]) < 0)
			goto out;
		if (gnutls_x509_crt_import(crt[ncrt], &der[ncrt],
		    GNUTLS_X509_FMT_DER) < 0) {
			ncrt++;
			goto out;
		}
	}
	if (net_trust_new(ca_file, &tl, err, errlen) == -1)
		goto out;
	r = gnutls_x509_trust_list_verify_crt(tl, crt, ncrt, 0, &status, NULL);
	if (r < 0 || status != 0) {
		if (r < 0)
			snprintf(why, sizeof(why), "%s", gnutls_strerror(r));
		else
			net_status_str(status, why, sizeof(why));
		snprintf(err, errlen, "certificate for %s not trusted (%s; %s)",
		    host, why, from);
		goto out;
	}
	if (!gnutls_x509_crt_check_hostname(crt[0], host)) {
		snprintf(err, errlen, "certificate does not match host %s "
		    "(%s)", host, from);
		goto out;
	}
	rc = 0;
 out:
	if (rc == -1 && errlen > 0 && err[0] == '\0')
		snprintf(err, errlen, "certificate for %s unreadable", host);
	for (i = 0; i < ncrt; i++)
		gnutls_x509_crt_deinit(crt[i]);
	free(crt);
	if (tl != NULL)
		gnutls_x509_trust_list_deinit(tl, 1);
	return rc;
}

int
net_verify_cert(const unsigned char *der, size_t derlen, const char *ca_file,
    const char *host, char *err, size_t errlen)
{
	gnutls_datum_t	 d;
	int		 rc;

	if (der == NULL || derlen == 0 || derlen > UINT32_MAX) {
		snprintf(err, errlen, "certificate for %s missing", host);
		return -1;
	}
	/* A copy, as gnutls_datum_t has no const member. */
	d.data = xmalloc(derlen);
	memcpy(d.data, der, derlen);
	d.size = derlen;
	rc = net_verify_chain(&d, 1, ca_file, host, err, errlen);
	free(d.data);
	return rc;
}
