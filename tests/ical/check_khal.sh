#!/bin/sh
# check_khal.sh: reads the golden .ics files with khal 0.10.5 (Debian),
# in a throwaway config, vdir and cache: "printics" must find one event
# at the expected local time (Europe/Copenhagen), CANCELLED only for the
# whole-meeting CANCEL; each REQUEST is imported with "import --batch"
# and "khal list" must show it on its day at that time, filed under its
# UID. Prints "ok ..." / "not ok ..." per check.
# Usage: check_khal.sh EXPECT.TSV DIR
set -u
expect=$1 dir=$2
tmp=$(mktemp -d /tmp/ffnet-khal.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/vdir/net" "$tmp/home"
cat >"$tmp/khal.conf" <<CONF
[calendars]
[[net]]
path = $tmp/vdir/net
type = calendar
[sqlite]
path = $tmp/khal.db
[locale]
timeformat = %H:%M
dateformat = %Y-%m-%d
longdateformat = %Y-%m-%d
datetimeformat = %Y-%m-%d %H:%M
longdatetimeformat = %Y-%m-%d %H:%M
local_timezone = Europe/Copenhagen
default_timezone = Europe/Copenhagen
CONF
# khal must not read or write anything of the user's.
export HOME="$tmp/home" XDG_CONFIG_HOME="$tmp/home" XDG_DATA_HOME="$tmp/home"
export LC_ALL=C.UTF-8 TZ=UTC
passed=0 failed=0

check() {
	if [ "$1" -eq 0 ]; then
		passed=$((passed + 1)); echo "ok $2"
	else
		failed=$((failed + 1)); echo "not ok $2"
	fi
}

has() {
	printf '%s\n' "$1" | grep -qF -- "$2"
}

while IFS='	' read -r file method uid seq org att rsvp status utc local summary
do
	[ "$file" = file ] && continue
	out=$(khal -c "$tmp/khal.conf" printics "$dir/$file" 2>&1)
	rc=$?
	check $(( rc != 0 )) "$file: printics exits 0"
	has "$out" "1 events found"; check $? "$file: printics finds one event"
	# "2026-06-11 14:00-2026-06-11 16:00 Netværksmøde …", CANCELLED first
	# when STATUS:CANCELLED.
	line=$(printf '%s\n' "$out" | grep -F -- "$summary" | head -1)
	has "$line" "$local-"; check $? "$file: printics at $local local"
	case $line in
	CANCELLED*) c=CANCELLED ;;
	*) c=- ;;
	esac
	[ "$status" = CANCELLED ] && want=CANCELLED || want=-
	[ "$c" = "$want" ]; check $? "$file: printics cancelled=$want"
	[ "$method" = REQUEST ] || continue
	khal -c "$tmp/khal.conf" import --batch -a net "$dir/$file" >/dev/null 2>&1
	check $? "$file: import --batch"
	[ -f "$tmp/vdir/net/$uid.ics" ]; check $? "$file: filed under its UID"
	day=${local%% *}
	out=$(khal -c "$tmp/khal.conf" list --day-format '' \
	    --format '{start} | {title}' "$day" 1d 2>&1)
	has "$out" "$local | $summary"; check $? "$file: list shows $local"
done <"$expect"
echo "khal: $passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
