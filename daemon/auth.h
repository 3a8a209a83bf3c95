/*
 * auth.h: proof. The per-installation secret, and the confirmation
 * codes made from it (HMAC-SHA256 bound to id, address, action and
 * expiry). Later: secretariat proof (Authentication-Results).
 */
#ifndef FFNET_AUTH_H
#define FFNET_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define AUTH_SECRET_LEN	32
#define AUTH_CODE_LEN	9	/* "XXXX-XXXX" */

/*
 * Reads the secret from path; on first start creates it (random,
 * mode 0600). Never logs it. -1 with a reason in err.
 */
int	auth_secret_load(const char *path, unsigned char *secret,
	    char *err, size_t errlen);
/*
 * Makes the code for a pending action: 40 bits of
 * HMAC-SHA256(secret, id | addr | action | expires) in Crockford
 * base32 (no I, L, O, U), written "XXXX-XXXX", NUL-terminated.
 */
void	auth_code_make(const unsigned char *secret, int64_t id,
	    const char *addr, const char *action, time_t expires,
	    char out[AUTH_CODE_LEN + 1]);
/*
 * What SLET MIG keeps of an address: "forgotten-" and 96 bits of
 * HMAC-SHA256(secret, address in lower case) in hex. The same address
 * always gives the same hash; without the secret it cannot be
 * reversed by trying addresses. Never contains an "@".
 */
#define AUTH_HASH_PREFIX	"forgotten-"
#define AUTH_HASH_LEN		(sizeof(AUTH_HASH_PREFIX) - 1 + 24)
void	auth_addr_hash(const unsigned char *secret, const char *addr,
	    char out[AUTH_HASH_LEN + 1]);
/* Does code belong to these facts? Constant time. */
bool	auth_code_ok(const unsigned char *secret, int64_t id,
	    const char *addr, const char *action, time_t expires,
	    const char *code);
/*
 * Reads a typed code ("k7qf m2xd", "K7QF-M2XD", "k7qfm2xd", O for 0,
 * I/L for 1) into the canonical form. false when it is not code-shaped.
 */
bool	auth_code_norm(const char *in, char out[AUTH_CODE_LEN + 1]);
/* Finds the first code-shaped token ("XXXX-XXXX") in a text. */
bool	auth_code_find(const char *text, char out[AUTH_CODE_LEN + 1]);

struct conf;
struct msg;

/*
 * Does the receiving mail server vouch for the sender (RFC 8601)? True
 * when the topmost Authentication-Results header whose authserv-id is in
 * [auth] trusted_authserv_id says dkim=pass with header.d, or dmarc=pass
 * with header.from, for the From address's domain (or a parent domain
 * of it, as DMARC's relaxed alignment allows).
 */
bool	auth_sender_proven(const struct conf *, const struct msg *);

#endif
