#!/usr/bin/python3
# check_py.py: reads the golden .ics files with python3-icalendar (Debian
# package, so run it with /usr/bin/python3) and checks each against
# expect.tsv: METHOD, UID, SEQUENCE, ORGANIZER, the one ATTENDEE, STATUS,
# SUMMARY, and that DTSTART with its TZID and our VTIMEZONE is the right
# UTC instant. Prints "ok ..." / "not ok ..." per check.
# Usage: check_py.py EXPECT.TSV DIR
import csv
import datetime
import sys

import icalendar

results = []


def check(cond, what):
    results.append(bool(cond))
    print(("ok " if cond else "not ok ") + what)


def one(row, path):
    name = row["file"]
    with open(path, "rb") as f:
        data = f.read()
    try:
        cal = icalendar.Calendar.from_ical(data)
    except Exception as e:  # a parser that raises fails the check
        check(False, "%s: parses (%r)" % (name, e))
        return
    check(True, "%s: parses" % name)
    check(str(cal.get("METHOD")) == row["method"], "%s: METHOD" % name)
    tzs = [str(z["TZID"]) for z in cal.walk("VTIMEZONE")]
    check(tzs == ["Europe/Copenhagen"], "%s: one VTIMEZONE %s" % (name, tzs))
    evs = cal.walk("VEVENT")
    check(len(evs) == 1, "%s: one VEVENT" % name)
    if not evs:
        return
    ev = evs[0]
    check(str(ev["UID"]) == row["uid"], "%s: UID" % name)
    check(int(ev["SEQUENCE"]) == int(row["sequence"]), "%s: SEQUENCE" % name)
    org = ev.get("ORGANIZER")
    check(org is not None and str(org) == "mailto:" + row["organizer"]
          and org.params.get("CN") == "Erhvervsnetværk Slagelse",
          "%s: ORGANIZER %r" % (name, org))
    att = ev.get("ATTENDEE")
    check(att is not None and not isinstance(att, list)
          and str(att) == "mailto:" + row["attendee"],
          "%s: one ATTENDEE %r" % (name, att))
    if att is not None and not isinstance(att, list):
        p = att.params
        check(p.get("PARTSTAT") == "NEEDS-ACTION"
              and p.get("ROLE") == "REQ-PARTICIPANT"
              and p.get("CN") == "Søren Østergård",
              "%s: ATTENDEE parameters" % name)
        want = None if row["rsvp"] == "-" else row["rsvp"]
        check(p.get("RSVP") == want, "%s: RSVP=%s" % (name, want))
    want = None if row["status"] == "-" else row["status"]
    got = ev.get("STATUS")
    check((str(got) if got is not None else None) == want,
          "%s: STATUS %s" % (name, want))
    check(str(ev["SUMMARY"]) == row["summary"], "%s: SUMMARY" % name)
    check(ev["DTSTART"].params.get("TZID") == "Europe/Copenhagen",
          "%s: DTSTART TZID" % name)
    start = ev.decoded("DTSTART")
    utc = datetime.datetime.strptime(row["start_utc"], "%Y-%m-%dT%H:%M:%SZ")
    utc = utc.replace(tzinfo=datetime.timezone.utc)
    check(start.tzinfo is not None and start == utc
          and start.strftime("%Y-%m-%d %H:%M") == row["start_local"],
          "%s: DTSTART %s is %s" % (name, start.isoformat(), row["start_utc"]))


def main():
    with open(sys.argv[1], encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    for row in rows:
        one(row, "%s/%s" % (sys.argv[2], row["file"]))
    print("python-icalendar: %d passed, %d failed" %
          (results.count(True), results.count(False)))
    return 0 if results and all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
