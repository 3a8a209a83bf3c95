#!/bin/sh
# tests/layers.sh: dependencies point down only (HACKING.md). Reads every
# '#include "x.h"' in lib/, daemon/ and handlers/, finds the folder that
# holds x.h, and fails on an upward edge:
#   lib/      may include lib/ only
#   daemon/   may include lib/ and daemon/ (main.c sees all three)
#   handlers/ may include all three
# Prints each upward edge and the count; exits 1 when there is one.
# With an argument, checks that tree instead (consistency.sh shows that
# an upward include is caught).
cd "${1:-$(dirname "$0")/..}" || exit 2
rank() {
	case "$1" in lib) echo 0 ;; daemon) echo 1 ;; handlers) echo 2 ;; esac
}
up=0 edges=0
for f in lib/*.[ch] daemon/*.[ch] handlers/*.[ch]; do
	from=${f%%/*}
	for h in $(sed -n 's/^#include "\([^"]*\)".*/\1/p' "$f"); do
		to=
		for d in lib daemon handlers; do
			[ -f "$d/$h" ] && to=$d
		done
		if [ -z "$to" ]; then
			echo "layers: $f includes $h, which is in no folder"
			up=$((up + 1))
			continue
		fi
		edges=$((edges + 1))
		[ "$f" = daemon/main.c ] && continue
		if [ "$(rank "$to")" -gt "$(rank "$from")" ]; then
			echo "layers: upward: $f includes $to/$h"
			up=$((up + 1))
		fi
	done
done
echo "layers: $((edges - up)) passed, $up failed ($edges includes read)"
[ "$up" -eq 0 ]
