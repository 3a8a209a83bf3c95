#!/usr/bin/env bash
# make check: unit tests (under valgrind), consistency checks, the
# real-world corpus, the network modules and the end-to-end tests
# against a real Dovecot and Postfix on loopback. Skips nothing: a
# missing server is a failure. Ends with "N passed, M failed".
set -u
cd "$(dirname "$0")/.."
export LC_ALL=C.UTF-8
VG=${FFNET_VALGRIND-valgrind -q --suppressions=tests/valgrind.supp --leak-check=full --errors-for-leak-kinds=definite --show-leak-kinds=definite --error-exitcode=99}
passed=0 failed=0
log=$(mktemp -d /tmp/ffnet-check.XXXXXX)
trap 'rm -rf "$log"' EXIT

# Runs a test command; adds up its "N passed, M failed" lines. A crash,
# a leak (valgrind exit 99) or a run without such a line counts as one
# failure more.
suite() {
	name=$1; shift
	start=$(date +%s)
	"$@" >"$log/$name.out" 2>&1
	rc=$?
	p=0 f=0 seen=0
	while read -r a b c d; do
		p=$((p + a)); f=$((f + c)); seen=1
	done < <(grep -oE '[0-9]+ passed, [0-9]+ failed' "$log/$name.out" |
	    sed 's/,//')
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
	if [ "$seen" -eq 0 ] && [ "$rc" -eq 0 ]; then f=$((f + 1)); fi
	passed=$((passed + p)); failed=$((failed + f))
	printf '%-14s %4d passed, %d failed (%ds)%s\n' "$name" "$p" "$f" \
	    $(( $(date +%s) - start )) "$([ "$rc" -eq 99 ] && echo ', valgrind errors')"
	# notes a suite wants read even when it passes
	grep -A40 '^NOTE' "$log/$name.out" | head -80 | sed 's/^/    /'
	if [ "$f" -ne 0 ]; then
		grep -E 'FAIL|fail|error|Error|ERROR|==[0-9]+==' "$log/$name.out" |
		    head -40 | sed 's/^/    /'
	fi
}

for t in build/tests/test_*; do
	[ -x "$t" ] || continue
	n=${t##*/}
	[ "$n" = test_corpus ] && continue
	suite "$n" $VG "$t"
done
suite consistency sh tests/consistency.sh
suite install sh tests/install.sh
corpora=tests/corpus
[ -d ../shared/corpus ] && corpora="$corpora ../shared/corpus"
suite corpus env FFNET_CORPUS="$corpora" $VG build/tests/test_corpus
suite net env NET_WRAP="$VG" bash tests/net.sh
suite ical sh tests/ical/validate.sh
suite e2e python3 tests/e2e/e2e.py
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
