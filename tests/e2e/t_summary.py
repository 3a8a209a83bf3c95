"""The secretariat's summary ([secretariat] summary, summary_hour): after
a day's events `ffnet summary --print` shows each; ffnet run sends one
summary mail when the hour has come, and a restart sends no second;
summary = off sends none; a period in which nothing happened sends none.
Loaded by e2e.py."""

import datetime
import os
import signal
import sqlite3
import subprocess
import time
import zoneinfo

import e2e

TZ = zoneinfo.ZoneInfo("Europe/Copenhagen")


def local(delta=datetime.timedelta(0)):
    """now + delta as "YYYY-MM-DD HH:MM" in Copenhagen, and its hour."""
    t = datetime.datetime.now(datetime.timezone.utc).astimezone(TZ) + delta
    return t.strftime("%Y-%m-%d %H:%M"), t.hour


def summary(net, *args):
    return subprocess.run([e2e.FFNET, "-c", net.conf_path, "summary"] + list(args),
                          capture_output=True, text=True, timeout=60)


def summaries(net):
    return [m for m in net.replies(net.sek) if str(m["Subject"]).startswith("Overblik")]


def queued(net):
    """Mail queued to the secretariat (here: only summaries), as [(n,)]."""
    return net.sql("SELECT count(*) FROM outbox WHERE rcpt = ?", net.sek)


def on(net, **o):
    """The summary due now: daily, at the current hour in Copenhagen."""
    net.write_conf(secretariat="summary = daily\nsummary_hour = %d\n" % local()[1], **o)


def write_sql(net, q, *args):
    db = sqlite3.connect(net.store)
    try:
        db.execute(q, args)
        db.commit()
    finally:
        db.close()


def events(net):
    """A day: joins, a leave, a pause, a registration, an idea, a mail
    held for a person and a reply that cannot be sent."""
    jens = e2e.join(net, "jens", "Jens Hansen", "Hansen VVS")
    bo = e2e.join(net, "bo", "Bo Ek", "Ek Ltd")
    cy = e2e.join(net, "cy", "Cy Dahl", "Dahl I/S")
    net.send("From: Bo Ek <%s>\nTo: %s\nSubject: AFMELD\n\n" % (bo, net.user))
    net.once()
    net.send(e2e.outlook_reply(net, net.replies(bo)[-1], bo, "Ja"))
    net.once()
    # a member paused for bounces, as handlers/listaddr.c records it
    write_sql(net, "UPDATE members SET status = 'paused' WHERE addr = ?", cy)
    write_sql(net, "INSERT INTO audit (at, addr, action, detail) VALUES "
              "(strftime('%s', 'now'), ?, 'paused', '5.1.1')", cy)
    # the secretariat's own acts on the command line
    e2e.cli(net, "member", "add", net.addr("dan"), "--name", "Dan Kro", "--consent", "mødet 3. marts")
    e2e.cli(net, "member", "pause", jens)
    e2e.cli(net, "member", "resume", jens)
    e2e.cli(net, "member", "remove", net.addr("dan"))
    lst = os.path.join(net.dir, "liste.csv")
    with open(lst, "w", encoding="utf-8") as f:
        f.write("Navn;E-mail\r\n" + "".join("Person %d;p%d@example.org\r\n" % (i, i) for i in range(250)))
    e2e.cli(net, "member", "import", lst, "--consent", "den gamle liste")
    start, _ = local(datetime.timedelta(days=10))
    end, _ = local(datetime.timedelta(days=10, hours=2))
    code = e2e.cli(net, "meeting", "add", "--title", "Netværksmøde hos Hansen VVS", "--start", start,
                   "--end", end, "--place", "Industrivej 1", "--host", "Hansen VVS",
                   "--capacity", "20").strip()
    net.send("From: Jens Hansen <%s>\nTo: %s\nSubject: DELTAG %s\n\n" % (jens, net.user, code))
    net.send("From: Jens Hansen <%s>\nTo: %s\nSubject: IDÉ Praktik for 8. klasse\n"
             "Content-Type: text/plain; charset=utf-8\n\nElever ud i virksomhederne.\n" % (jens, net.user))
    lise = net.addr("lise")
    net.send("From: Lise Holm <%s>\nTo: %s\nSubject: Tilmelding\n\nHej, jeg vil gerne være med.\n" %
             (lise, net.user))
    net.once()
    # SMTP away: the answer waits in the outbox with its error
    ask = net.addr("ask")
    net.write_conf(smtp_url="smtp://127.0.0.1:9")
    net.send("From: %s\nTo: %s\nSubject: HJÆLP\n\n" % (ask, net.user))
    net.once(expect=None)
    net.write_conf()
    e2e.check(net.sql("SELECT count(*) FROM outbox WHERE rcpt = ? AND error IS NOT NULL", ask)[0][0] == 1,
              "summary: the answer to %s waits with an error" % ask)
    return jens, bo, cy, lise, ask, code


def run_daemon(net, until, secs=30):
    """ffnet run until until() holds or secs pass; then SIGTERM. rc."""
    cmd = [e2e.FFNET, "-d", "-c", net.conf_path, "run"]
    if e2e.VALGRIND:
        cmd = e2e.VALGRIND.split() + cmd
    logf = open(os.path.join(net.dir, "run.log"), "a+")
    p = subprocess.Popen(cmd, stderr=logf, stdout=logf)
    try:
        e2e.check(e2e.wait_for(lambda: "connected" in open(logf.name).read(), 60), "summary: daemon connected")
        ok = e2e.wait_for(until, secs)
        p.send_signal(signal.SIGTERM)
        rc = p.wait(timeout=60)
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
        logf.close()
    return ok, rc


def t_summary(s):
    net = e2e.Net(s, "summary")
    jens, bo, cy, lise, ask, code = events(net)
    e2e.check(summaries(net) == [], "summary: none while off")

    # --print: each event, in Danish; nothing recorded
    now, _ = local(datetime.timedelta(minutes=2))
    p = summary(net, "--print", "--now", now)
    out = p.stdout
    e2e.check(p.returncode == 0 and out.startswith("Subject: Overblik fra"), "summary: --print: %r %s" % (p.returncode, p.stderr))
    for want, what in [("Jens Hansen <%s> er meldt ind" % jens, "the join"),
                       ("%s er meldt ud" % bo, "the leave"),
                       ("%s er sat på pause" % cy, "the pause"), ("(5.1.1)", "the bounce status"),
                       ("%s Netværksmøde hos Hansen VVS" % code, "the meeting"),
                       ("1 tilmeldt (1 siden sidst), 19 ledige pladser", "its seats"),
                       ("Nr. 1: Praktik for 8. klasse (fra %s)" % jens, "the idea"),
                       ("Fra %s, emne \"Tilmelding\"" % lise, "the held mail"),
                       ("Dan Kro <%s> er tilføjet af sekretariatet" % net.addr("dan"), "member add"),
                       ("%s er sat på pause af sekretariatet" % jens, "member pause"),
                       ("%s er gjort aktiv igen af sekretariatet" % jens, "member resume"),
                       ("%s er fjernet af sekretariatet" % net.addr("dan"), "member remove"),
                       ("+ 250 er læst ind fra sekretariatets medlemsliste", "an import, as one line"),
                       ("Problemer med at sende", "the sending problem"), ("Til %s (reply)" % ask, "its address")]:
        e2e.check(want in out, "summary: --print shows %s (%r):\n%s" % (what, want, out))
    e2e.check("p7@example.org" not in out and "(secretariat)" not in out,
              "summary: an import is not listed address by address; no English detail")
    e2e.check(net.sql("SELECT count(*) FROM state WHERE key = 'summary'")[0][0] == 0 and
              queued(net)[0][0] == 0,
              "summary: --print records and queues nothing")

    # the daemon, with the hour come: one mail to the secretariat. (The
    # store counts in seconds: what happens in the second a summary is
    # made goes in the next one.)
    time.sleep(1.1)
    on(net)
    ok, rc = run_daemon(net, lambda: len(summaries(net)) >= 1)
    e2e.check(ok and rc == 0, "summary: ffnet run sent it (rc %d)" % rc)
    got = summaries(net)
    e2e.check(len(got) == 1, "summary: one summary mail, got %d" % len(got))
    if got:
        b = e2e.body(got[0])
        e2e.check("Jens Hansen" in b and "Tilmelding" in b and "Praktik for 8. klasse" in b and
                  got[0]["Auto-Submitted"] == "auto-generated", "summary: the mail's text:\n" + b)
    # a restart in the same period: no second one
    ok, rc = run_daemon(net, lambda: False, 8)
    e2e.check(rc == 0 and len(summaries(net)) == 1 and
              queued(net)[0][0] == 1,
              "summary: a restart sends no second: %d" % len(summaries(net)))
    # the waiting answer goes out: no more sending problem
    write_sql(net, "UPDATE outbox SET next_try = 0 WHERE rcpt = ?", ask)
    net.once()
    e2e.check(len(net.replies(ask)) == 1 and len(summaries(net)) == 1, "summary: the answer to %s went out" % ask)
    # tomorrow: nothing new happened (the seats alone are no news): none
    tomorrow, _ = local(datetime.timedelta(days=1, minutes=1))
    p = summary(net, "--now", tomorrow)
    e2e.check(p.returncode == 0 and net.sql("SELECT value FROM state WHERE key = 'summary'") == [("nothing",)] and
              queued(net)[0][0] == 1,
              "summary: a quiet day sends none: %r %s" % (net.sql("SELECT value FROM state WHERE key = 'summary'"),
                                                         p.stderr))
    p = summary(net, "--print", "--now", tomorrow)
    e2e.check(p.returncode == 0 and p.stdout == "" and "nothing happened" in p.stderr,
              "summary: --print of a quiet day says so: %r %r" % (p.stdout, p.stderr))
    net.done()

    # summary = off: none, with events
    off = e2e.Net(s, "summaryoff")
    a = e2e.join(off, "anna", "Anna Berg", "Berg ApS")
    off.write_conf(secretariat="summary = off\nsummary_hour = %d\n" % local()[1])
    off.once()
    e2e.check(summaries(off) == [] and queued(off)[0][0] == 0,
              "summary: off sends none (%s joined)" % a)
    off.done()

    # the hour has come, but nothing happened: none
    quiet = e2e.Net(s, "summaryquiet")
    on(quiet)
    quiet.once()
    e2e.check(summaries(quiet) == [] and
              quiet.sql("SELECT value FROM state WHERE key = 'summary'") == [("nothing",)],
              "summary: nothing happened, none sent: %r" % quiet.sql("SELECT * FROM state WHERE key = 'summary'"))
    quiet.done()
