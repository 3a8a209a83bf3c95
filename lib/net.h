/*
 * net.h: what the IMAP and SMTP clients (and the config that fills
 * them) share: how the connection is secured, how ffnet logs in, and
 * the server certificate check. No GnuTLS type leaves net.c and imap.c
 * (net_int.h).
 */
#ifndef FFNET_NET_H
#define FFNET_NET_H

#include <stddef.h>

enum net_security {
	SEC_NONE,
	SEC_STARTTLS,
	SEC_TLS,
};

/*
 * How ffnet proves who it is. The login step switches on mech, so
 * XOAUTH2 (a bearer token from an OAuth2 client-credentials grant)
 * joins password login without a rewrite.
 */
enum net_mech {
	MECH_PASSWORD,
	MECH_XOAUTH2,
};

struct oauth2;

struct net_login {
	enum net_mech	 mech;
	const char	*user;
	const char	*secret;	/* the password, or a bearer token */
	struct oauth2	*oauth2;	/* XOAUTH2: the token source, or NULL */
};

/*
 * Checks a DER certificate against the CA file (NULL: system CAs) and
 * host name. 0 when trusted; -1 with a reason in err. Used for IMAP
 * (libetpan does not verify) and testable on its own.
 */
int		 net_verify_cert(const unsigned char *der, size_t derlen,
		    const char *ca_file, const char *host, char *err, size_t);

#endif
