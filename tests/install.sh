#!/bin/sh
# make install into a DESTDIR with PREFIX=/usr, as a normal user (as root,
# the tests run it as nobody where they can; nothing may land outside
# DESTDIR either way): the files and their modes, an example config
# the administrator changed kept, the installed binary finding its
# templates, the unit passing systemd-analyze verify and security, and
# make uninstall. Ends "install: N passed, M failed".
set -u
cd "$(dirname "$0")/.."
p=0 f=0
ok() { if "$@" >/dev/null 2>&1; then p=$((p + 1)); else f=$((f + 1)); echo "FAIL: $*"; fi; }
mode() { [ "$(stat -c %a "$1")" = "$2" ]; }
has() { grep -q -- "$2" "$1"; }
tmp=$(mktemp -d /tmp/ffnet-install.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
D=$tmp/dest

# The paths a PREFIX=/usr install would touch on this machine, and
# whether each is there now: it must be the same afterwards.
outside="/usr/sbin/ffnet /usr/share/ffnet /usr/share/man/man8/ffnet.8
/usr/share/man/man5/ffnet.conf.5 /usr/lib/systemd/system/ffnet@.service
/usr/lib/systemd/system/ffnet-backup@.service
/usr/lib/systemd/system/ffnet-backup@.timer
/usr/lib/sysusers.d/ffnet.conf /usr/lib/tmpfiles.d/ffnet.conf /etc/ffnet"
before=$(for x in $outside; do [ -e "$x" ] && echo "$x"; done)

# Its own build tree (conf.o is rebuilt for PREFIX=/usr): build/ (or
# FFNET_BUILD, with the flags make asan gives through MAKEFLAGS) stays
# as the other tests use it.
bd=${FFNET_BUILD:-build}
[ -d "$bd" ] && cp -a "$bd" "$tmp/build"
as=""
if [ "$(id -u)" = 0 ] && id nobody >/dev/null 2>&1 &&
    setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups \
    test -r Makefile 2>/dev/null; then
	chown -R nobody "$tmp"
	as="setpriv --reuid=nobody --regid=$(id -g nobody) --clear-groups"
fi
owner=$($as id -un)
inst() {
	$as make --no-print-directory B="$tmp/build" PREFIX=/usr \
	    DESTDIR="$D" "$@" >>"$tmp/make.log" 2>&1
}
ok inst install
[ $f -ne 0 ] && tail -20 "$tmp/make.log"

# the files, their modes, no one else's
ok mode "$D/usr/sbin/ffnet" 755
ok mode "$D/usr/share/man/man8/ffnet.8" 644
ok mode "$D/usr/share/man/man5/ffnet.conf.5" 644
ok mode "$D/usr/lib/systemd/system/ffnet@.service" 644
ok mode "$D/usr/lib/systemd/system/ffnet-backup@.service" 644
ok mode "$D/usr/lib/systemd/system/ffnet-backup@.timer" 644
ok mode "$D/usr/lib/sysusers.d/ffnet.conf" 644
ok mode "$D/usr/lib/tmpfiles.d/ffnet.conf" 644
ok mode "$D/etc/ffnet/ffnet.conf.example" 644
ok mode "$D/usr/share/ffnet/templates/da/join.confirm.txt" 644
ok [ "$(ls "$D/usr/share/ffnet/templates/da" | wc -l)" = "$(ls templates/da | wc -l)" ]
ok [ "$(ls "$D/usr/share/ffnet/templates/en" | wc -l)" = "$(ls templates/en | wc -l)" ]
ok [ -z "$(find "$D" ! -user "$owner")" ]
ok has "$D/usr/lib/sysusers.d/ffnet.conf" '^u ffnet - "ffnet mail daemon" /var/lib/ffnet$'
ok has "$D/usr/lib/systemd/system/ffnet@.service" \
    '^ExecStart=/usr/sbin/ffnet -c /etc/ffnet/%i.conf run$'
ok has "$D/usr/lib/systemd/system/ffnet@.service" '^StateDirectory=ffnet/%i$'
ok has "$D/usr/lib/systemd/system/ffnet-backup@.service" \
    '^ExecStart=/usr/sbin/ffnet -c /etc/ffnet/%i.conf backup --force /var/backups/ffnet/%i.db$'
ok has "$D/usr/share/man/man8/ffnet.8" '/usr/share/ffnet/templates'
ok sh -c "! grep -q /usr/local $D/usr/share/man/man8/ffnet.8"
ok grep -aq /usr/share/ffnet/templates "$D/usr/sbin/ffnet"

# a second install keeps what the administrator wrote in /etc/ffnet
echo "; changed by the administrator" >>"$D/etc/ffnet/ffnet.conf.example"
cp "$D/etc/ffnet/ffnet.conf.example" "$tmp/example.changed"
echo "[network]" >"$D/etc/ffnet/net1.conf"
ok inst install
ok cmp "$D/etc/ffnet/ffnet.conf.example" "$tmp/example.changed"
ok has "$D/etc/ffnet/net1.conf" '^\[network\]$'

# the installed binary runs: templates from DESTDIR given, and with no
# [templates] dir from the compiled-in DATADIR of a PREFIX install
cat >"$tmp/test.conf" <<EOT
[network]
name = Test
address = net@example.org
secretariat = sek@example.org
[imap]
host = 127.0.0.1
user = net@example.org
password = x
[smtp]
url = smtps://127.0.0.1
[store]
path = $tmp/ffnet.db
EOT
sed "s|^\[store\]|[templates]\ndir = $D/usr/share/ffnet/templates\n[store]|" \
    "$tmp/test.conf" >"$tmp/dest.conf"
chmod 644 "$tmp/test.conf" "$tmp/dest.conf"
ok sh -c "$as $D/usr/sbin/ffnet -c $tmp/dest.conf check | grep -q 'configuration ok'"
ok $as make --no-print-directory B="$tmp/build" PREFIX="$tmp/prefix" \
    SYSCONFDIR="$tmp/prefix/etc" install
ok sh -c "$as $tmp/prefix/sbin/ffnet -c $tmp/test.conf check | grep -q 'configuration ok'"

# the units, against the installed paths; /bin/kill (ExecReload) is the
# system's (procps), so the root gets a stand-in
mkdir -p "$D/bin" && printf '#!/bin/sh\n' >"$D/bin/kill" && chmod 755 "$D/bin/kill"
vman=--man=no
command -v man >/dev/null 2>&1 && vman=--man=yes
for u in ffnet@test.service ffnet-backup@test.service ffnet-backup@test.timer; do
	if MANPATH="$D/usr/share/man" systemd-analyze verify --root="$D" \
	    $vman --recursive-errors=no "$u" >"$tmp/verify.log" 2>&1; then
		p=$((p + 1))
	else
		f=$((f + 1))
		echo "FAIL: systemd-analyze verify --root=$D $u:"
		sed 's/^/    /' "$tmp/verify.log"
	fi
done
note=""
for u in ffnet@test.service ffnet-backup@test.service; do
	exp=$(systemd-analyze security --offline=yes --root="$D" "$u" \
	    2>/dev/null | sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p')
	note="$note $u ${exp:-unknown}"
	ok awk -v e="$exp" 'BEGIN { exit !(e != "" && e + 0 <= 2.0) }'
done
# verify fails when the binary is missing (the test can fail)
mv "$D/usr/sbin/ffnet" "$D/usr/sbin/ffnet.away"
ok sh -c "! systemd-analyze verify --root=$D --man=no --recursive-errors=no ffnet@test.service"
mv "$D/usr/sbin/ffnet.away" "$D/usr/sbin/ffnet"
rm -r "$D/bin"

# the user and the directories, made in the DESTDIR (chown needs root)
ok systemd-sysusers --root="$D"
ok has "$D/etc/passwd" '^ffnet:x:[0-9]*:[0-9]*:ffnet mail daemon:/var/lib/ffnet:'
if [ "$(id -u)" = 0 ]; then
	# in a root-owned copy, as on a machine (tmpfiles refuses a path
	# that passes from nobody's directory to root's)
	cp -a "$D" "$tmp/root" && chown -R 0:0 "$tmp/root"
	ok systemd-tmpfiles --root="$tmp/root" --create ffnet.conf
	ok mode "$tmp/root/etc/ffnet" 750
	ok mode "$tmp/root/var/backups/ffnet" 750
fi

# uninstall takes ours and leaves the administrator's
ok inst uninstall
ok [ ! -e "$D/usr/sbin/ffnet" ]
ok [ ! -e "$D/usr/share/ffnet" ]
ok [ ! -e "$D/usr/lib/systemd/system/ffnet@.service" ]
ok [ ! -e "$D/usr/lib/systemd/system/ffnet-backup@.timer" ]
ok [ ! -e "$D/usr/lib/sysusers.d/ffnet.conf" ]
ok [ ! -e "$D/usr/share/man/man8/ffnet.8" ]
ok [ -e "$D/etc/ffnet/net1.conf" ]

after=$(for x in $outside; do [ -e "$x" ] && echo "$x"; done)
ok [ "$before" = "$after" ]
echo "NOTE: systemd-analyze security exposure:$note"
echo "install: $p passed, $f failed"
[ "$f" -eq 0 ]
