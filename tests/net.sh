#!/bin/sh
# tests/net.sh: the network tests of lib/imap.c and lib/smtp.c,
# against two loopback mail stacks from tests/mailstack: a plain one and
# one in OAuth2 mode (XOAUTH2). From the repository root, as root:
#   make build/tests/net_test_imap build/tests/net_test_smtp
#   sh tests/net.sh
# NET_WRAP="valgrind ..." runs each binary under a wrapper; NET_DEBUG=1
# shows ffnet's debug log; NET_KEEP=1 keeps the stacks' directories;
# FFNET_BUILD names the build directory (default build).
set -u
cd "$(dirname "$0")/.." || exit 1
MS=tests/mailstack/mailstack
BD=${FFNET_BUILD:-build}
for t in imap smtp; do
	if [ ! -x "$BD/tests/net_test_$t" ]; then
		echo "net.sh: $BD/tests/net_test_$t is missing:" \
		    "make $BD/tests/net_test_$t" >&2
		exit 1
	fi
done

A=$(mktemp -d /tmp/ffnet-net.XXXXXX) || exit 1
B=$(mktemp -d /tmp/ffnet-net.XXXXXX) || { rmdir "$A"; exit 1; }
cleanup() {
	"$MS" stop "$A" >/dev/null 2>&1
	"$MS" stop "$B" >/dev/null 2>&1
	if [ "${NET_KEEP:-0}" = 1 ]; then
		echo "net.sh: kept $A and $B" >&2
	else
		rm -rf "$A" "$B"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# seconds since a "date +%s%N" stamp, with one decimal (no bc on a new machine)
since() { awk -v a="$1" -v b="$(date +%s%N)" 'BEGIN { printf "%.1f", (b - a) / 1e9 }'; }
T0=$(date +%s%N)
"$MS" start "$A" >/dev/null || exit 1
MAILSTACK_OAUTH2=1 "$MS" start "$B" >/dev/null || exit 1
# adduser waits for the next second; the two stacks do it side by side.
{ "$MS" adduser "$A" ffnet@example.org secret &&
    "$MS" adduser "$A" smtptest@example.org secret2; } >/dev/null &
PA=$!
"$MS" adduser "$B" ffnet@example.org secret >/dev/null || exit 1
wait "$PA" || exit 1
TOKEN=$("$MS" oauth2 "$B" token) || exit 1
[ -n "$TOKEN" ] || exit 1

set -a
OAUTH_TOKEN=$TOKEN
. "$B/mailstack.env"
OAUTH_IMAP_PORT=$IMAP_PORT
OAUTH_SUBMISSION_PORT=$SUBMISSION_PORT
OAUTH_CA_CERT=$MAILSTACK_CA_CERT
OAUTH_TLS_CERT=$MAILSTACK_TLS_CERT
OAUTH_LOG_DIR=$MAILSTACK_LOG_DIR
OAUTH_USER=ffnet@example.org
. "$A/mailstack.env"
NET_IMAP_USER=ffnet@example.org
NET_IMAP_PASS=secret
NET_SMTP_USER=smtptest@example.org
NET_SMTP_PASS=secret2
set +a
echo "net.sh: stacks up in $(since "$T0") s"

rc=0
for t in imap smtp; do
	t1=$(date +%s%N)
	${NET_WRAP:-} "$BD/tests/net_test_$t"
	r=$?
	s=$(since "$t1")
	if [ "$r" -ne 0 ]; then
		echo "net.sh: net_test_$t exited $r after $s s" >&2
		rc=1
	else
		echo "net.sh: net_test_$t took $s s"
	fi
done
exit $rc
