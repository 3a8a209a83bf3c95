"""Reminders before a meeting ([meetings] reminder_days) to the registered
and to the host company's contact, once each; and DELTAGERE, the
participant list as a CSV file for Danish Excel, for the secretariat
only. Loaded by e2e.py."""

import datetime
import time
import zoneinfo

import e2e

TZ = zoneinfo.ZoneInfo("Europe/Copenhagen")


def write_conf(net, extra=""):
    """The e2e config (each Net has a secretariat address of its own)."""
    net.write_conf(limits=extra)


def local(delta):
    """now + delta as "YYYY-MM-DD HH:MM" in Copenhagen, and as a datetime."""
    t = datetime.datetime.now(datetime.timezone.utc).astimezone(TZ) + delta
    t = t.replace(second=0, microsecond=0)
    return t.strftime("%Y-%m-%d %H:%M"), t


def subjects(net, addr, prefix):
    return [m for m in net.replies(addr) if str(m["Subject"]).startswith(prefix)]


def csv_parts(msg):
    return [p for p in msg.walk() if p.get_content_type() == "text/csv"]


def members(net):
    """Anna (Danish), Bo (English) and Cy (Danish), joined in two rounds."""
    who = [("anna", "Anna Berg", "TILMELD Anna Berg; Berg ApS"),
           ("bo", "Bo Ek", "JOIN Bo Ek; Ek Ltd"),
           ("cy", "Cy Dahl", "TILMELD Cy Dahl; Dahl I/S")]
    for w, name, subj in who:
        net.send("From: \"%s\" <%s>\nTo: %s\nSubject: %s\n\n" % (name, net.addr(w), net.user, subj))
    net.once()
    for w, name, subj in who:
        net.send(e2e.outlook_reply(net, net.replies(net.addr(w))[-1], net.addr(w), "Ja tak"))
    net.once()
    return [net.addr(w) for w, _, _ in who]


def t_remind(s):
    """Registered members get one reminder each, in their language, with
    place, time and host; the waiting one none; the host contact one mail
    with the count and the dietary notes; a second run sends nothing; a
    meeting five days ahead is not due yet; reminder_days = 0 is off."""
    net = e2e.Net(s, "remind")
    write_conf(net, "\n[meetings]\nreminder_days = 0\n")
    anna, bo, cy = members(net)
    e2e.check(net.sql("SELECT addr, lang FROM members ORDER BY addr") ==
              sorted([(anna, "da"), (bo, "en"), (cy, "da")]), "remind: three members, Bo in English")
    contact, contact5 = net.addr("kantine"), net.addr("kantine5")
    start, st = local(datetime.timedelta(days=1))
    end, _ = local(datetime.timedelta(days=1, hours=2))
    code = e2e.cli(net, "meeting", "add", "--title", "Netværksmøde hos Hansen VVS", "--start", start,
                   "--end", end, "--place", "Industrivej 1, 4200 Slagelse", "--host", "Hansen VVS",
                   "--capacity", "2", "--contact", contact).strip()
    start5, _ = local(datetime.timedelta(days=5))
    end5, _ = local(datetime.timedelta(days=5, hours=2))
    code5 = e2e.cli(net, "meeting", "add", "--title", "Virksomhedsbesøg", "--start", start5, "--end", end5,
                    "--place", "Havnen 3", "--host", "Ek Ltd", "--capacity", "10",
                    "--contact", contact5).strip()
    e2e.check((code, code5) == ("M1", "M2"), "remind: meeting codes %r" % ((code, code5),))
    net.send("From: Anna Berg <%s>\nTo: %s\nSubject: DELTAG M1\n\nKost: vegetar\n" % (anna, net.user))
    net.send("From: Bo Ek <%s>\nTo: %s\nSubject: REGISTER M1\n\nKost: glutenfri\n" % (bo, net.user))
    net.send("From: Cy Dahl <%s>\nTo: %s\nSubject: DELTAG M1\n\nKost: laktosefri\n" % (cy, net.user))
    net.send("From: Anna Berg <%s>\nTo: %s\nSubject: DELTAG M2\n\n" % (anna, net.user))
    net.once()
    states = net.sql("SELECT r.addr, m.code, r.state FROM registrations r JOIN meetings m ON m.id = r.meeting "
                     "ORDER BY m.code, r.id")
    e2e.check(states == [(anna, "M1", "registered"), (bo, "M1", "registered"), (cy, "M1", "waiting"),
                         (anna, "M2", "registered")], "remind: registrations %r" % states)
    e2e.check(subjects(net, anna, "Påmindelse") == [] and net.replies(contact) == [],
              "remind: reminder_days = 0 sends no reminders")

    write_conf(net)     # reminder_days at its default, 2
    # killed after the reminders and their marks commit, before sending
    rc = net.once(env={"FFNET_CRASH": "before_send"}, expect=None, valgrind=False)
    e2e.check(rc == -9 and subjects(net, anna, "Påmindelse") == [], "remind: killed before sending (rc %d)" % rc)
    e2e.check(net.sql("SELECT count(*) FROM outbox WHERE kind = 'reminder' AND sent IS NULL")[0][0] == 3,
              "remind: three reminders queued with their marks")
    net.once()
    ra = subjects(net, anna, "Påmindelse")
    rb = subjects(net, bo, "Reminder")
    e2e.check(len(ra) == 1 and "M1" in str(ra[0]["Subject"]),
              "remind: Anna gets one Danish reminder for M1: %r" % [str(m["Subject"]) for m in net.replies(anna)])
    e2e.check(len(rb) == 1, "remind: Bo gets one English reminder: %r" % [str(m["Subject"]) for m in net.replies(bo)])
    if ra:
        b = e2e.body(ra[0])
        e2e.check("Industrivej 1, 4200 Slagelse" in b and "Vært: Hansen VVS" in b and
                  st.strftime("kl. %H.%M") in b and ("den %d." % st.day) in b,
                  "remind: place, time and host in the Danish reminder:\n" + b)
        e2e.check(ra[0]["Auto-Submitted"] == "auto-generated" and ra[0]["In-Reply-To"] is None,
                  "remind: a new mail, not a reply")
        e2e.check(calendar_free(ra[0]), "remind: a plain mail, no calendar")
    if rb:
        b = e2e.body(rb[0])
        e2e.check("Place: Industrivej 1" in b and "Host: Hansen VVS" in b and st.strftime("at %H:%M") in b,
                  "remind: place, time and host in the English reminder:\n" + b)
    e2e.check(subjects(net, cy, "Påmindelse") == [], "remind: nothing to the waiting list")
    rh = net.replies(contact)
    e2e.check(len(rh) == 1, "remind: one mail to the host contact, got %d" % len(rh))
    if rh:
        b = e2e.body(rh[0])
        e2e.check("2 tilmeldt" in b and "Kost: vegetar" in b and "Kost: glutenfri" in b and
                  "laktosefri" not in b and "Anna" not in b, "remind: count and notes to the host:\n" + b)
        e2e.check(str(rh[0]["Subject"]).startswith("Antal deltagere"), "remind: the host's mail in Danish")
    e2e.check(net.replies(contact5) == [] and len(subjects(net, anna, "Påmindelse")) == 1,
              "remind: the meeting five days ahead is not due yet")
    marks = net.sql("SELECT r.addr, m.code, r.reminded IS NOT NULL FROM registrations r "
                    "JOIN meetings m ON m.id = r.meeting ORDER BY m.code, r.id")
    e2e.check([x[2] for x in marks] == [1, 1, 0, 0], "remind: marks %r" % marks)
    e2e.check(net.sql("SELECT code FROM meetings WHERE reminded IS NOT NULL") == [("M1",)],
              "remind: the host's mark on M1 only")

    before = {a: len(net.replies(a)) for a in (anna, bo, cy, contact, contact5)}
    net.once()
    after = {a: len(net.replies(a)) for a in (anna, bo, cy, contact, contact5)}
    e2e.check(before == after, "remind: a second run sends nothing: %r -> %r" % (before, after))
    e2e.check(net.sql("SELECT count(*) FROM outbox WHERE kind = 'reminder'")[0][0] == 3,
              "remind: three reminders in the outbox in all")
    participants(net, anna, bo, cy)
    net.done()


def calendar_free(msg):
    return all(p.get_content_type() != "text/calendar" for p in msg.walk())


def ask(net, frm, subject):
    """Sends a command with a known Message-ID; returns the answers to it."""
    mid = "<deltagere.%s.%f@test.example.com>" % (net.tag, time.time())
    net.send("Message-ID: %s\nFrom: %s\nTo: %s\nSubject: %s\n\n" % (mid, frm, net.user, subject))
    net.once()
    return [m for m in net.replies(frm) if m["In-Reply-To"] == mid]


def participants(net, anna, bo, cy):
    """DELTAGERE M1 from the secretariat: the list as CSV for Danish
    Excel; an unknown code; from a member: refused, no list."""
    r = ask(net, net.sek, "DELTAGERE M1")
    e2e.check(len(r) == 1, "participants: one answer to the secretariat, got %d" % len(r))
    if r:
        parts = csv_parts(r[0])
        e2e.check(len(parts) == 1 and parts[0].get_filename() == "Deltagere M1.csv",
                  "participants: one CSV file named Deltagere M1.csv: %r" % [p.get_filename() for p in parts])
        data = parts[0].get_payload(decode=True) if parts else b""
        text = data.decode("utf-8", "replace")
        e2e.check(data.startswith(b"\xef\xbb\xbf"), "participants: UTF-8 with a BOM for Excel")
        e2e.check(text.count(";") >= 12 and "Navn;E-mail" in text and "\r\n" in text,
                  "participants: semicolons, Danish header, CRLF:\n" + text)
        e2e.check(all(x in text for x in ("Anna Berg", "Bo Ek", "Cy Dahl", "Kost: vegetar", "waiting")),
                  "participants: the names, notes and states:\n" + text)
        b = e2e.body(r[0])
        e2e.check("2 af 2" in b and "ventelisten: 1" in b and "gæster:   0" in b,
                  "participants: counts in the text:\n" + b)
    r = ask(net, net.sek, "deltagere m9")
    e2e.check(len(r) == 1 and "M9" in str(r[0]["Subject"]) and not csv_parts(r[0]),
              "participants: an unknown code is answered kindly")
    r = ask(net, net.sek, "PARTICIPANTS M1")
    parts = csv_parts(r[0]) if len(r) == 1 else []
    e2e.check(len(parts) == 1 and parts[0].get_filename() == "Participants M1.csv" and
              "Name;Email" in parts[0].get_payload(decode=True).decode("utf-8") and
              str(r[0]["Subject"]).startswith("Participants"),
              "participants: PARTICIPANTS in English, with an English file")
    r = ask(net, anna, "DELTAGERE M1")
    e2e.check(len(r) == 1 and not csv_parts(r[0]) and "Bo Ek" not in e2e.body(r[0]) and
              not str(r[0]["Subject"]).startswith("Deltagere"),
              "participants: a member is refused, no list: %r" % [str(m["Subject"]) for m in r])
    e2e.check(net.sql("SELECT count(*) FROM outbox WHERE rcpt = ? AND data LIKE '%text/csv%'", anna)[0][0] == 0,
              "participants: nothing with a CSV file went to the member")
