#!/bin/sh
# Installs what ffnet needs to build and test on Debian 12, if missing.
# Quiet and idempotent: a second run installs nothing.
set -eu
pkgs="gcc make pkg-config libetpan-dev libcurl4-gnutls-dev libsqlite3-dev
libical-dev libinih-dev libgnutls28-dev libjansson-dev libunistring-dev
valgrind python3 sqlite3
python3-icalendar khal"
# ical.js (Thunderbird's parser) checks the invites: it needs node and npm.
command -v npm >/dev/null 2>&1 || pkgs="$pkgs nodejs npm"
# tests/install.sh checks the unit with systemd-analyze (package systemd).
command -v systemd-analyze >/dev/null 2>&1 || pkgs="$pkgs systemd"
# make fuzz and make asan also need clang (installed on demand there).
[ "${FFNET_FUZZ-}" = 1 ] || [ "${FFNET_ASAN-}" = 1 ] && pkgs="$pkgs clang"
missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done
if [ -n "$missing" ]; then
	if [ "$(id -u)" != 0 ]; then
		echo "deps: missing:$missing; run as root (sudo make deps)" >&2
		exit 1
	fi
	echo "deps: installing$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >/dev/null
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi
# The loopback mail stack (Dovecot, Postfix) for the tests and the demo.
bash "$(dirname "$0")/mailstack/mailstack" install >/dev/null
