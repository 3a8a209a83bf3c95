#!/usr/bin/env bash
# make check: unit tests (under valgrind), consistency checks, the
# real-world corpus, the network modules and the end-to-end tests
# against a real Dovecot and Postfix on loopback. Skips nothing: a
# missing server is a failure. Ends with "N passed, M failed".
#
# FFNET_BUILD names the build directory (default build). make asan sets
# it to build-asan and FFNET_SANITIZE=1: the binaries carry ASan, LSan
# and UBSan, valgrind is off (it cannot run them), and every process of
# a suite writes its sanitizer reports into a directory of its own,
# whoever reads its stderr or exit status (a daemon's log, a check that
# expects a failure): each report there is a failure of that suite.
set -u
cd "$(dirname "$0")/.."
export LC_ALL=C.UTF-8
export FFNET_BUILD=${FFNET_BUILD:-build}
VG=${FFNET_VALGRIND-valgrind -q --suppressions=tests/valgrind.supp --leak-check=full --errors-for-leak-kinds=definite --show-leak-kinds=definite --error-exitcode=99}
passed=0 failed=0
log=$(mktemp -d /tmp/ffnet-check.XXXXXX)
trap 'rm -rf "$log"' EXIT
san=
if [ "${FFNET_SANITIZE:-0}" = 1 ]; then
	VG=
	export FFNET_VALGRIND=
	# tests/install.sh runs the installed binary as nobody
	san=$log/san
	chmod 755 "$log" && mkdir -m 755 "$san" || exit 1
	export LSAN_OPTIONS="suppressions=$PWD/tests/lsan.supp:print_suppressions=0"
fi

# Runs a test command; adds up its "N passed, M failed" lines. A crash,
# a leak (valgrind or sanitizer exit 99) or a run without such a line
# counts as one failure more; under FFNET_SANITIZE each report file too.
suite() {
	name=$1; shift
	start=$(date +%s)
	if [ -n "$san" ]; then
		mkdir -m 1777 "$san/$name"
		so="log_path=$san/$name/report:exitcode=99"
		export ASAN_OPTIONS="$so:detect_leaks=1:detect_stack_use_after_return=1"
		export UBSAN_OPTIONS="$so:halt_on_error=1:print_stacktrace=1"
	fi
	"$@" >"$log/$name.out" 2>&1
	rc=$?
	nsan=0
	[ -n "$san" ] && nsan=$(find "$san/$name" -type f | wc -l)
	p=0 f=0 seen=0
	while read -r a b c d; do
		p=$((p + a)); f=$((f + c)); seen=1
	done < <(grep -oE '[0-9]+ passed, [0-9]+ failed' "$log/$name.out" |
	    sed 's/,//')
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
	if [ "$seen" -eq 0 ] && [ "$rc" -eq 0 ]; then f=$((f + 1)); fi
	f=$((f + nsan))
	passed=$((passed + p)); failed=$((failed + f))
	printf '%-14s %4d passed, %d failed (%ds)%s%s\n' "$name" "$p" "$f" \
	    $(( $(date +%s) - start )) \
	    "$([ "$rc" -eq 99 ] && echo ', valgrind or sanitizer errors')" \
	    "$([ "$nsan" -ne 0 ] && echo ", $nsan sanitizer reports")"
	if [ "$nsan" -ne 0 ]; then
		for r in $(find "$san/$name" -type f | head -5); do
			echo "    $r:"
			head -40 "$r" | sed 's/^/    /'
		done
	fi
	# notes a suite wants read even when it passes
	grep -A40 '^NOTE' "$log/$name.out" | head -80 | sed 's/^/    /'
	if [ "$f" -ne 0 ]; then
		grep -E 'FAIL|fail|error|Error|ERROR|==[0-9]+==' "$log/$name.out" |
		    head -40 | sed 's/^/    /'
	fi
}

for t in "$FFNET_BUILD"/tests/test_*; do
	[ -x "$t" ] || continue
	n=${t##*/}
	[ "$n" = test_corpus ] && continue
	suite "$n" $VG "$t"
done
suite consistency sh tests/consistency.sh
suite install sh tests/install.sh
corpora=tests/corpus
[ -d ../shared/corpus ] && corpora="$corpora ../shared/corpus"
suite corpus env FFNET_CORPUS="$corpora" $VG "$FFNET_BUILD"/tests/test_corpus
suite net env NET_WRAP="$VG" bash tests/net.sh
suite ical sh tests/ical/validate.sh
suite e2e python3 tests/e2e/e2e.py
if [ -n "$san" ] && [ -n "$(find "$san" -type f | head -1)" ]; then
	keep=$(mktemp -d /tmp/ffnet-sanitizer.XXXXXX) &&
	    cp -r "$san"/. "$keep" && echo "sanitizer reports kept in $keep"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
