#!/bin/sh
# validate.sh: checks what lib/ical.c writes with three independent
# iCalendar parsers: python3-icalendar and khal (Debian) and ical.js
# (npm, the parser Thunderbird ships). gen.c, built here against the
# current lib/ical.c (with CC, CFLAGS and LDFLAGS from the environment:
# make asan's sanitizers), writes the golden REQUEST/CANCEL files into a
# temporary directory; expect.tsv says what each must contain. Installs
# what is missing. Prints "ical: N passed, M failed"; non-zero on failure.
set -u
cd "$(dirname "$0")/../.."
export LC_ALL=C.UTF-8 TZ=UTC	# floating times must not pass by luck
tmp=$(mktemp -d /tmp/ffnet-ical.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0

# Debian packages, installed only when missing; apt-get update only if
# the first attempt fails (stale lists).
need=
/usr/bin/python3 -c 'import icalendar' 2>/dev/null || need="$need python3-icalendar"
command -v khal >/dev/null 2>&1 || need="$need khal"
if [ -n "$need" ]; then
	sudo=; [ "$(id -u)" -ne 0 ] && sudo=sudo
	echo "validate: installing$need"
	export DEBIAN_FRONTEND=noninteractive
	$sudo apt-get install -y -q $need >"$tmp/apt.log" 2>&1 ||
	    { $sudo apt-get update -q >>"$tmp/apt.log" 2>&1 &&
	    $sudo apt-get install -y -q $need >>"$tmp/apt.log" 2>&1; } ||
	    { tail -5 "$tmp/apt.log"; echo "validate: apt-get failed"; }
fi
# ical.js at the exact version of tests/ical/package.json.
if [ ! -f tests/ical/node_modules/ical.js/package.json ]; then
	npm ci --prefix tests/ical --no-audit --no-fund \
	    >"$tmp/npm.log" 2>&1 || { tail -5 "$tmp/npm.log";
	    echo "validate: npm install failed"; }
fi

# Runs one checker; adds up its "ok"/"not ok" lines. A checker that
# fails without saying which check failed counts as one failure more.
run() {
	name=$1; shift
	"$@" >"$tmp/$name.out" 2>&1
	rc=$?
	p=$(grep -c '^ok ' "$tmp/$name.out")
	f=$(grep -c '^not ok ' "$tmp/$name.out")
	[ "$rc" -ne 0 ] && [ "$f" -eq 0 ] && f=1
	[ "$p" -eq 0 ] && [ "$f" -eq 0 ] && f=1
	passed=$((passed + p)); failed=$((failed + f))
	printf '%-18s %3d passed, %d failed\n' "$name" "$p" "$f"
	if [ "$f" -ne 0 ]; then
		grep -v '^ok ' "$tmp/$name.out" | head -20 | sed 's/^/    /'
	fi
}

gen() {
	${CC:-cc} -std=gnu11 -D_GNU_SOURCE -Wall -Wextra ${CFLAGS:-} -Ilib \
	    -o "$tmp/gen" tests/ical/gen.c lib/ical.c lib/util.c \
	    lib/log.c $(pkg-config --cflags --libs libical) -lunistring \
	    ${LDFLAGS:-} &&
	    mkdir "$tmp/ics" && "$tmp/gen" "$tmp/ics" &&
	    for f in request-summer request-winter cancel-meeting \
	    cancel-personal; do
		test -s "$tmp/ics/$f.ics" && echo "ok gen: $f.ics" ||
		    echo "not ok gen: $f.ics"
	    done
}

run gen gen
if [ -d "$tmp/ics" ]; then
	run python-icalendar /usr/bin/python3 tests/ical/check_py.py \
	    tests/ical/expect.tsv "$tmp/ics"
	run khal sh tests/ical/check_khal.sh tests/ical/expect.tsv "$tmp/ics"
	run ical.js node tests/ical/check_icaljs.mjs tests/ical/expect.tsv \
	    "$tmp/ics"
fi
echo "ical: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
