"""Retention ([privacy]): `ffnet privacy` says what is held and when it
goes; `once` and the daemon (`run`) prune what is due and nothing else.
Old rows are written straight into the store with old times, as a
store that has run for a year holds them. Loaded by e2e.py."""

import subprocess
import time

import e2e
from e2e import Net, check, cli, wait_for

DAY = 86400


def _old_store(net, now):
    """A store with old and new data of every kind retention touches."""
    cli(net, "stats")    # makes the store
    old, recent = now - 400 * DAY, now - 5 * DAY
    q = [
        # a meeting that ended 40 days ago, one 5 days ago
        ("INSERT INTO meetings (code, title, kind, start, end_, capacity, status, created) "
         "VALUES ('M1', 'Gammelt møde', 'meeting', ?, ?, 30, 'planned', ?)",
         (now - 40 * DAY - 7200, now - 40 * DAY, old)),
        ("INSERT INTO meetings (code, title, kind, start, end_, capacity, status, created) "
         "VALUES ('M2', 'Nyt møde', 'meeting', ?, ?, 30, 'planned', ?)",
         (recent - 7200, recent, old)),
        ("INSERT INTO members (addr, name, org, lang, status, joined, token) "
         "VALUES (?, 'Anna Berg', 'Berg ApS', 'da', 'active', ?, 'tok1')", (net.addr("anna"), old)),
        ("INSERT INTO registrations (meeting, addr, name, note, uid, state, created) VALUES "
         "((SELECT id FROM meetings WHERE code = 'M1'), ?, 'Anna Berg', 'Nøddeallergi', 'u1', "
         "'registered', ?)", (net.addr("anna"), old)),
        ("INSERT INTO registrations (meeting, addr, name, note, uid, state, created) VALUES "
         "((SELECT id FROM meetings WHERE code = 'M2'), ?, 'Anna Berg', 'Vegetar', 'u2', "
         "'registered', ?)", (net.addr("anna"), old)),
        # the mail log: a year old and five days old
        ("INSERT INTO inbox (msgkey, uidvalidity, uid, sender, kind, disp, at, subject) "
         "VALUES ('k1', 1, 1, ?, 'help', 'done', ?, 'HJÆLP gammel')", (net.addr("anna"), old)),
        ("INSERT INTO inbox (msgkey, uidvalidity, uid, sender, kind, disp, at, subject) "
         "VALUES ('k2', 1, 2, ?, 'help', 'done', ?, 'HJÆLP ny')", (net.addr("anna"), recent)),
        ("INSERT INTO outbox (created, env_from, rcpt, msgid, kind, data, next_try, sent, subject) "
         "VALUES (?, ?, ?, 'o1@x', 'reply', 'Subject: gammel', ?, ?, 'Svar gammel')",
         (old, net.user, net.addr("anna"), old, old)),
        ("INSERT INTO outbox (created, env_from, rcpt, msgid, kind, data, next_try, sent, subject) "
         "VALUES (?, ?, ?, 'o2@x', 'reply', 'Subject: 40 dage', ?, ?, 'Svar 40 dage')",
         (now - 40 * DAY, net.user, net.addr("anna"), now - 40 * DAY, now - 40 * DAY)),
        ("INSERT INTO outbox (created, env_from, rcpt, msgid, kind, data, next_try, sent, subject) "
         "VALUES (?, ?, ?, 'o3@x', 'reply', 'Subject: ny', ?, ?, 'Svar ny')",
         (recent, net.user, net.addr("anna"), recent, recent)),
        # Bo left 400 days ago; Cleo left 10 days ago
        ("INSERT INTO audit (at, addr, action, detail) VALUES (?, ?, 'joined', 'Bo Ek')",
         (old - DAY, net.addr("bo"))),
        ("INSERT INTO audit (at, addr, action, detail) VALUES (?, ?, 'left', NULL)",
         (old, net.addr("bo"))),
        ("INSERT INTO consent (addr, at, source, text) VALUES (?, ?, 'confirm', 'Bo Eks samtykke')",
         (net.addr("bo"), old - DAY)),
        ("INSERT INTO audit (at, addr, action, detail) VALUES (?, ?, 'joined', 'Cleo Dahl')",
         (old, net.addr("cleo"))),
        ("INSERT INTO audit (at, addr, action, detail) VALUES (?, ?, 'left', NULL)",
         (now - 10 * DAY, net.addr("cleo"))),
    ]
    db = e2e.sqlite3.connect(net.store)
    for sql, args in q:
        db.execute(sql, args)
    db.commit()
    db.close()


def _check_pruned(net, how):
    check(net.sql("SELECT code, note FROM registrations r JOIN meetings m ON m.id = r.meeting "
                  "ORDER BY code") == [("M1", None), ("M2", "Vegetar")],
          "%s: the note of the meeting 40 days ago is gone, the one 5 days ago kept" % how)
    check(net.sql("SELECT subject, sender IS NULL FROM inbox WHERE msgkey IN ('k1', 'k2') "
                  "ORDER BY msgkey") == [(None, 1), ("HJÆLP ny", 0)],
          "%s: the year-old inbox row keeps its key only" % how)
    check(net.sql("SELECT msgid, rcpt = 'pruned', subject, length(data) FROM outbox "
                  "WHERE msgid LIKE 'o_@x' ORDER BY msgid")
          == [("o1@x", 1, None, 0), ("o2@x", 0, "Svar 40 dage", 0), ("o3@x", 0, "Svar ny", 11)],
          "%s: outbox: a year old pruned, 40 days old without its text, 5 days old whole" % how)
    check(not e2e.store_holds(net, net.addr("bo")) and not e2e.store_holds(net, "Bo Ek"),
          "%s: Bo, gone for 400 days, is forgotten: %r" % (how, e2e.store_holds(net, net.addr("bo"))))
    check(e2e.store_holds(net, net.addr("cleo")) == {"audit"},
          "%s: Cleo, gone for 10 days, is still known" % how)
    check(net.sql("SELECT count(*) FROM members") == [(1,)], "%s: the member stays" % how)


def t_privacy_once(s):
    net = Net(s, "privacy")
    now = int(time.time())
    _old_store(net, now)
    out = cli(net, "privacy")
    check("notes_days = 30" in out and "mail_log_days = 365" in out and
          "sent_mail_days = 30" in out and "former_days = 365" in out,
          "privacy: the defaults are shown:\n" + out)
    check("registrations" in out and "of them with a note" in out, "privacy: what is held:\n" + out)
    lines = out.splitlines()

    def due_after(key):
        i = next(k for k, l in enumerate(lines) if l.strip().startswith(key))
        return lines[i + 1] if "due now" in lines[i + 1] else lines[i + 2]
    check("due now: 1;" in due_after("notes_days"), "privacy: one note due:\n" + out)
    check("due now: 1;" in due_after("former_days"), "privacy: one former member due:\n" + out)
    check("due now: 2;" in due_after("mail_log_days"),
          "privacy: a year-old inbox row and outbox row due:\n" + out)
    # the next note falls due 30 days after M2's end
    want = time.strftime("%Y-%m-%d", time.localtime(now - 5 * DAY + 30 * DAY))
    check(want in due_after("notes_days"), "privacy: the next note goes on %s:\n%s" % (want, out))
    net.once()
    _check_pruned(net, "once")
    out = cli(net, "privacy")
    check(out.count("due now: 0;") == 4, "privacy: nothing due after the prune:\n" + out)
    check("privacy: pruned 1 registration notes" in net.log, "privacy: logged:\n" + net.log[-1500:])
    # a wrong value is one plain line
    with open(net.conf_path, "a") as f:
        f.write("\n[privacy]\nnotes_days = 0\n")
    p = subprocess.run([e2e.FFNET, "-c", net.conf_path, "privacy"], capture_output=True, text=True)
    check(p.returncode != 0 and "notes_days" in p.stderr, "privacy: notes_days = 0 refused: %r" % p.stderr)
    net.done()


def t_privacy_run(s):
    """The daemon prunes too, without a once."""
    net = Net(s, "privrun")
    now = int(time.time())
    _old_store(net, now)
    with e2e.Daemon(net) as d:
        check(wait_for(lambda: "privacy: pruned" in d.log(), 60), "privacy run: pruned:\n" + d.log()[-2000:])
        _check_pruned(net, "run")
        rc = d.stop()
        check(rc == 0, "privacy run: SIGTERM stops it cleanly (rc %d)\n%s" % (rc, d.log()[-3000:]))
    net.done()
