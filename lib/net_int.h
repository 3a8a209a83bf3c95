/*
 * net_int.h: the certificate check on a whole chain, for imap.c, which
 * reads the chain from libetpan's GnuTLS session. Not for use outside
 * lib/net.c and lib/imap.c.
 */
#ifndef FFNET_NET_INT_H
#define FFNET_NET_INT_H

#include <stddef.h>

#include <gnutls/gnutls.h>

/*
 * Checks the chain der[0..n) (leaf first) against the CA file (NULL:
 * the system CAs) and the leaf against host. 0 when trusted; -1 with
 * the reason in err.
 */
int	 net_verify_chain(const gnutls_datum_t *, unsigned, const char *,
	    const char *, char *, size_t);

#endif
