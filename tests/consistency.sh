#!/bin/sh
# Consistency checks that need no compiler: the README's map and the
# layout it promises, the CI script, man pages present.
set -u
p=0 f=0
ok() { if "$@" >/dev/null 2>&1; then p=$((p + 1)); else f=$((f + 1)); echo "FAIL: $*"; fi; }
ok grep -q 'make check' .ci/run
ok head -40 README.md
ok sh -c 'head -40 README.md | grep -q "make demo"'
ok sh -c 'head -40 README.md | grep -q "make check"'
for d in daemon handlers templates/da templates/en conf tests; do ok test -d "$d"; done
ok test -f conf/ffnet.conf.example
ok test -f conf/ffnet.conf.5
ok test -f conf/ffnet@.service
ok test -f conf/ffnet-backup@.service
ok test -f conf/ffnet-backup@.timer
ok test -f conf/ffnet.sysusers
ok test -f conf/ffnet.tmpfiles
ok test -f daemon/ffnet.8
# every handler file is listed in the README's command table or map
for h in handlers/*.c; do
	n=$(basename "$h" .c)
	case "$n" in table|refuse) continue ;; esac
	ok grep -q "handlers/$n.c" README.md
done
# the layer rule (tests/layers.sh) holds, and catches an upward include
ok sh tests/layers.sh
t=$(mktemp -d) && cp -r lib daemon handlers "$t" &&
    printf '#include "handler.h"\n' >>"$t/lib/util.c"
ok sh -c "sh tests/layers.sh $t | grep -q 'upward: lib/util.c includes handlers/handler.h'"
ok sh -c "! sh tests/layers.sh $t >/dev/null"
rm -rf "$t"
for d in lib daemon handlers; do
	ok test -d "$d"
	ok grep -qF "| \`$d/\` |" HACKING.md	# the map names it
done
# -h is help, on stdout with exit 0; a wrong option is a usage error (2)
ffnet=${FFNET_BUILD:-build}/ffnet
if [ -x "$ffnet" ]; then
	ok sh -c "$ffnet -h 2>/dev/null | grep -q '^usage: ffnet'"
	ok sh -c "$ffnet --help 2>/dev/null | grep -q '^usage: ffnet'"
	ok sh -c "$ffnet -x >/dev/null 2>&1; [ \$? -eq 2 ]"
	ok sh -c "$ffnet -x 2>&1 >/dev/null | grep -q '^usage: ffnet'"
fi
echo "consistency: $p passed, $f failed"
[ "$f" -eq 0 ]
