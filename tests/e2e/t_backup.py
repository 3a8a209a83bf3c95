"""ffnet backup: a consistent copy of the store while ffnet run runs and
handles mail (members made by the real TILMELD and confirmation flow),
checked with SQLite's integrity_check; an existing copy is kept unless
--force; a restore (the copy and the secret beside it, a config pointing
at them) works with check, status and once. Loaded by e2e.py."""

import os
import shutil
import signal
import sqlite3
import stat
import subprocess
import threading

import e2e
import t_ops


def join_live(net, who, name):
    """TILMELD and the confirmation while the daemon runs."""
    a = net.addr(who)
    net.send("From: \"%s\" <%s>\nTo: %s\nSubject: TILMELD %s; %s ApS\n\n" % (name, a, net.user, name, name))
    e2e.check(e2e.wait_for(lambda: len(net.replies(a)) == 1, 30), "backup: %s gets a confirmation mail" % who)
    r = net.replies(a)
    if r:
        net.send(e2e.outlook_reply(net, r[-1], a, "Ja tak"))
    e2e.check(e2e.wait_for(lambda: net.sql("SELECT count(*) FROM members WHERE addr = ?", a)[0][0] == 1, 30),
              "backup: %s is a member" % who)
    return a


def copy_members(path):
    db = sqlite3.connect(path)
    try:
        ok = db.execute("PRAGMA integrity_check").fetchall()
        rows = sorted(r[0] for r in db.execute("SELECT addr FROM members"))
    finally:
        db.close()
    return ok, rows


def t_backup(s):
    net = e2e.Net(s, "backup")
    t_ops.put_conf(net, open(net.conf_path).read())
    logf = open(os.path.join(net.dir, "run.log"), "w+")
    p = subprocess.Popen([e2e.FFNET, "-d", "-c", net.conf_path, "run"], stderr=logf, stdout=logf)
    dest = os.path.join(net.dir, "copy", "ffnet-backup.db")
    os.mkdir(os.path.dirname(dest))
    try:
        e2e.check(e2e.wait_for(lambda: "connected" in open(logf.name).read()), "backup: daemon connected")
        members = sorted(join_live(net, w, n) for w, n in (("anna", "Anna Berg"), ("bo", "Bo Ek"), ("carl", "Carl Dam")))
        # copies taken while ten HELP mails arrive and are answered
        helpers = [net.addr("h%d" % k) for k in range(10)]
        sender = threading.Thread(target=lambda: [net.send("From: %s\nTo: %s\nSubject: HJÆLP\n\n" % (h, net.user))
                                                  for h in helpers])
        sender.start()
        copies = 0
        while copies < 2 or (sender.is_alive() and copies < 6):
            r = t_ops.ffnet(net, "backup", *(["--force"] if copies else []), dest)
            copies += 1
            e2e.check(r.returncode == 0, "backup: exit 0 while the daemon runs: %r" % r.stderr)
            e2e.check("3 members" in r.stdout and " pages, " in r.stdout and " bytes, " in r.stdout,
                      "backup: says what it copied: %r" % r.stdout)
            e2e.check(os.path.exists(dest) and not os.path.exists(dest + ".tmp"), "backup: the copy, no .tmp left")
            e2e.check(stat.S_IMODE(os.stat(dest).st_mode) == 0o600, "backup: the copy is mode 0600")
            ok, rows = copy_members(dest)
            e2e.check(ok == [("ok",)], "backup: integrity_check of the copy: %r" % ok)
            e2e.check(rows == members, "backup: the members are in the copy: %r" % rows)
        sender.join()
        print("   %d copies while the mail came in" % copies)
        e2e.check(e2e.wait_for(lambda: all(net.replies(h) for h in helpers), 60),
                  "backup: the daemon answered all the mail")
        # an existing copy is kept without --force
        before = open(dest, "rb").read()
        r = t_ops.ffnet(net, "backup", dest)
        e2e.check(r.returncode == 1 and len(t_ops.lines_with(r.stderr, "backup:")) == 1 and "--force" in r.stderr,
                  "backup: an existing file: exit 1 and one line: rc %d %r" % (r.returncode, r.stderr))
        e2e.check(open(dest, "rb").read() == before, "backup: the existing file is untouched")
        r = t_ops.ffnet(net, "backup", net.store, "--force")
        e2e.check(r.returncode == 1 and "the store itself" in r.stderr, "backup: never over the store: %r" % r.stderr)
        r = t_ops.ffnet(net, "backup", "--force", dest)
        e2e.check(r.returncode == 0 and "3 members" in r.stdout, "backup: --force replaces it: %r" % r.stderr)
        r = t_ops.ffnet(net, "backup")
        e2e.check(r.returncode == 2 and "usage" in r.stderr, "backup: no destination is a usage error")
        r = t_ops.ffnet(net, "backup", os.path.join(net.dir, "nodir", "x.db"))
        e2e.check(r.returncode == 1 and len(t_ops.lines_with(r.stderr, "No such file or directory")) == 1,
                  "backup: an unwritable place: exit 1, one line: %r" % r.stderr)
    finally:
        p.send_signal(signal.SIGTERM)
        p.wait(timeout=30)
        logf.close()

    # restore: the copy and the secret in a new place, a config naming it
    old = net.store
    net.store = os.path.join(net.dir, "restored", "ffnet.db")
    os.mkdir(os.path.dirname(net.store))
    shutil.copy(dest, net.store)
    shutil.copy(old + ".secret", net.store + ".secret")
    net.write_conf()
    t_ops.put_conf(net, open(net.conf_path).read())
    r = t_ops.ffnet(net, "check")
    e2e.check(r.returncode == 0, "restore: check: %r" % r.stderr)
    r = t_ops.ffnet(net, "status")
    e2e.check("daemon: not running" in r.stdout and "outbox:" in r.stdout, "restore: status reads it: %r" % r.stdout)
    n = len(net.replies(members[1]))
    net.send("From: %s\nTo: %s\nSubject: HJÆLP\n\n" % (members[1], net.user))
    net.once()
    e2e.check(len(net.replies(members[1])) == n + 1, "restore: once works on the restored store")
    e2e.check(net.sql("SELECT count(*) FROM members")[0][0] == 3, "restore: the members are back")
    net.done()
