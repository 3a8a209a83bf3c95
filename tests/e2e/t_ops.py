"""Never silent: what the person who runs ffnet is told. check --connect
against the test stack with the right CA, a wrong CA, a wrong password
and a host that does not answer; once against an SMTP server whose
certificate is not trusted (exit 1 and one line with the fix, the reply
kept); status after a failed send and while ffnet run runs; the stuck
outbox told to the secretariat once, in Danish, in the mailbox itself;
an IMAP login that keeps failing told to the secretariat once by mail.
Loaded by e2e.py."""

import email
import email.policy
import os
import re
import signal
import subprocess
import time

import e2e


def ffnet(net, *args, valgrind=True, env=None):
    """ffnet without -d, as an operator runs it: what reaches stderr."""
    cmd = [e2e.FFNET, "-c", net.conf_path] + list(args)
    if valgrind and e2e.VALGRIND:
        cmd = e2e.VALGRIND.split() + cmd
    e = dict(os.environ)
    e.update(env or {})
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=300, env=e)
    if p.returncode == 99:
        e2e.check(False, "valgrind found errors in ffnet %s:\n%s" % (" ".join(args), p.stderr[-3000:]))
    net.stack.wait()
    return p


def wrong_ca(net):
    """A throwaway CA that signed nothing the stack shows."""
    key = os.path.join(net.dir, "wrong.key")
    ca = os.path.join(net.dir, "wrongca.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                    "-nodes", "-keyout", key, "-out", ca, "-days", "2", "-subj", "/CN=ffnet wrong CA"],
                   check=True, capture_output=True)
    return ca


def tls_net(s, name):
    """IMAPS and submission with STARTTLS and AUTH, both with the test CA."""
    ca = s.env["MAILSTACK_CA_CERT"]
    net = e2e.Net(s, name, imap_security="tls", imap_port=s.port("IMAPS_PORT"), imap_host="localhost",
                  imap_ca="ca_file = %s" % ca,
                  smtp_url="smtp://localhost:%d" % s.port("SUBMISSION_PORT"),
                  smtp_extra="ca_file = %s\nrequire_tls = yes\nuser = USER\npassword = secret\n" % ca)
    net.tls_conf = open(net.conf_path).read().replace("user = USER", "user = " + net.user)
    put_conf(net, net.tls_conf)
    return net


def put_conf(net, text):
    with open(net.conf_path, "w") as f:
        f.write(text)
    os.chmod(net.conf_path, 0o600)


def lines_with(text, word):
    return [l for l in text.splitlines() if word in l]


def t_ops_check_connect(s):
    net = tls_net(s, "opscheck")
    a = net.addr("c")
    net.send("From: %s\nTo: %s\nSubject: Et spørgsmål\n\nHej\n" % (a, net.user))
    p = ffnet(net, "check", "--connect")
    e2e.check(p.returncode == 0, "check --connect: the right CA: exit 0: %s" % p.stderr)
    e2e.check("certificate trusted" in p.stdout and "logged in to smtp://localhost" in p.stdout,
              "check --connect: IMAP and SMTP logins named: %r" % p.stdout)
    e2e.check("mailbox INBOX holds 1 messages" in p.stdout, "check --connect: the mailbox's size: %r" % p.stdout)
    e2e.check("folder Behandlet is missing; ffnet creates it" in p.stdout,
              "check --connect: a missing folder is named: %r" % p.stdout)
    e2e.check(p.stderr.strip() == "", "check --connect: no warnings: %r" % p.stderr)

    # a wrong CA: one line per server, naming ca_file, exit 1
    ca = wrong_ca(net)
    put_conf(net, net.tls_conf.replace(s.env["MAILSTACK_CA_CERT"], ca))
    p = ffnet(net, "check", "--connect")
    e2e.check(p.returncode != 0, "check --connect: a wrong CA: exit non-zero")
    im = lines_with(p.stderr, "[imap] ca_file")
    sm = lines_with(p.stderr, "[smtp] ca_file")
    e2e.check(len(im) == 1 and "not trusted" in im[0], "check --connect: wrong CA, one IMAP line: %r" % p.stderr)
    e2e.check(len(sm) == 1 and "certificate is not trusted" in sm[0] and "require_tls = no" in sm[0],
              "check --connect: wrong CA, one SMTP line: %r" % p.stderr)

    # a wrong password: "login refused", once per server
    put_conf(net, net.tls_conf.replace("password = secret", "password = wrong"))
    p = ffnet(net, "check", "--connect")
    e2e.check(p.returncode != 0, "check --connect: a wrong password: exit non-zero")
    e2e.check(len(lines_with(p.stderr, "login refused")) == 2 and
              len(lines_with(p.stderr, "[imap] user and password")) == 1 and
              len(lines_with(p.stderr, "[smtp] user and password")) == 1,
              "check --connect: wrong password, one line each: %r" % p.stderr)

    # nobody answers
    put_conf(net, net.tls_conf.replace("port = %d" % s.port("IMAPS_PORT"), "port = 9")
             .replace("localhost:%d" % s.port("SUBMISSION_PORT"), "localhost:9"))
    p = ffnet(net, "check", "--connect")
    e2e.check(p.returncode != 0 and len(lines_with(p.stderr, "does not answer")) == 2,
              "check --connect: a closed port, one line each: %r" % p.stderr)
    # plain check still touches no server
    p = ffnet(net, "check")
    e2e.check(p.returncode == 0, "check: without --connect no server is asked: %r" % p.stderr)
    net.done()


def untrusted_net(s, name):
    """Plain IMAP; SMTP with STARTTLS required and a CA that did not sign
    the server's certificate, as with Debian's snakeoil certificate."""
    net = e2e.Net(s, name)
    net.bad_ca = wrong_ca(net)
    net.write_conf(smtp_url="smtp://localhost:%d" % s.port("SMTP_PORT"),
                   smtp_extra="ca_file = %s\nrequire_tls = yes\n" % net.bad_ca)
    return net


def t_ops_once_untrusted(s):
    net = untrusted_net(s, "opsonce")
    a = net.addr("u")
    net.send("From: %s\nTo: %s\nSubject: HJÆLP\n\n" % (a, net.user))
    p = ffnet(net, "once")
    e2e.check(p.returncode == 1, "once, untrusted SMTP certificate: exit 1 (rc %d)" % p.returncode)
    why = lines_with(p.stderr, "certificate is not trusted")
    e2e.check(len(why) == 1 and "set [smtp] ca_file" in why[0] and "require_tls = no" in why[0],
              "once, untrusted certificate: one line with the fix: %r" % p.stderr)
    e2e.check(net.sql("SELECT count(*) FROM outbox WHERE sent IS NULL AND failed IS NULL")[0][0] == 1,
              "once, untrusted certificate: the reply waits in the outbox")
    e2e.check(len(net.folder("Behandlet")) == 1, "once, untrusted certificate: the message was handled")

    # status after the failed send: the error, the depth, not running
    p = ffnet(net, "status")
    e2e.check(p.returncode != 0 and "daemon: not running" in p.stdout,
              "status: not running, exit non-zero: %r" % p.stdout)
    e2e.check("outbox: 1 waiting" in p.stdout, "status: the outbox's depth: %r" % p.stdout)
    err = lines_with(p.stdout, "last error:")
    e2e.check(len(err) == 1 and "certificate is not trusted" in err[0], "status: the last error: %r" % p.stdout)
    e2e.check("imap: last contact" in p.stdout and "never" in lines_with(p.stdout, "smtp: last mail")[0],
              "status: IMAP talked to, SMTP never: %r" % p.stdout)

    # the right CA: the reply goes, once exits 0, status says when
    net.write_conf(smtp_url="smtp://localhost:%d" % s.port("SMTP_PORT"),
                   smtp_extra="ca_file = %s\nrequire_tls = yes\n" % s.env["MAILSTACK_CA_CERT"])
    p = ffnet(net, "once")
    e2e.check(p.returncode == 0, "once, the right CA: exit 0: %r" % p.stderr)
    e2e.check(len(net.replies(a)) == 1, "once, the right CA: the waiting reply arrives")
    p = ffnet(net, "status")
    e2e.check("outbox: empty" in p.stdout and "never" not in lines_with(p.stdout, "smtp: last mail")[0],
              "status: after the fix: %r" % p.stdout)

    # a server that is down passes by itself: exit 0, with a warning line
    net.send("From: %s\nTo: %s\nSubject: HELP\n\n" % (a, net.user))
    net.write_conf(smtp_url="smtp://127.0.0.1:9")
    p = ffnet(net, "once")
    e2e.check(p.returncode == 0 and len(lines_with(p.stderr, "not reachable")) == 1,
              "once, SMTP down: exit 0 with a warning line: rc %d %r" % (p.returncode, p.stderr))
    net.done()


def notices(net):
    """The notices ffnet put in its own mailbox, as (flags, subject, text)."""
    i = net.imap()
    out = []
    i.select("INBOX", readonly=True)
    typ, data = i.uid("SEARCH", None, "HEADER", "Auto-Submitted", "auto-generated")
    for uid in data[0].split():
        typ, d = i.uid("FETCH", uid, "(FLAGS BODY.PEEK[])")
        m = email.message_from_bytes(d[0][1], policy=email.policy.default)
        out.append((d[0][0].decode(), str(m["Subject"]), e2e.body(m), m))
    i.logout()
    return out


def t_ops_stuck_notice(s):
    net = untrusted_net(s, "opsstuck")
    a = net.addr("s")
    net.send("From: %s\nTo: %s\nSubject: HJÆLP\n\n" % (a, net.user))
    ffnet(net, "once")
    e2e.check(len(notices(net)) == 0, "stuck: nothing told before stuck_after")
    # the reply has waited two hours (stuck_after is 60 minutes by default)
    db = e2e.sqlite3.connect(net.store)
    db.execute("UPDATE outbox SET created = created - 7200")
    db.commit()
    db.close()
    p = ffnet(net, "once")
    e2e.check(p.returncode == 1 and len(lines_with(p.stderr, "secretariat was told")) == 1,
              "stuck: the notice logged: %r" % p.stderr)
    p = ffnet(net, "once")
    e2e.check(p.returncode == 1 and "secretariat was told" not in p.stderr, "stuck: told once, not per attempt")
    n = notices(net)
    e2e.check(len(n) == 1, "stuck: exactly one notice in the mailbox, got %d" % len(n))
    if n:
        flags, subj, text, m = n[0]
        e2e.check("ffnet kan ikke sende mails" in subj and "venter i udbakken" not in subj,
                  "stuck: a Danish subject: %r" % subj)
        e2e.check("I udbakken venter" in text and "Intet er tabt" in text and "[smtp] ca_file" in text,
                  "stuck: Danish text with the reason: %r" % text)
        e2e.check("\\Seen" not in flags and net.sek in str(m["To"]), "stuck: unread, to the secretariat")
    e2e.check(net.sql("SELECT value FROM state WHERE key = 'notice'") == [("certificate",)],
              "stuck: recorded, so a restart does not tell again")
    e2e.check(len(net.folder("INBOX")) == 1, "stuck: ffnet leaves its notice in the inbox")
    # the fix: the reply goes, the problem is over; a new one is told again
    net.write_conf(smtp_url="smtp://localhost:%d" % s.port("SMTP_PORT"),
                   smtp_extra="ca_file = %s\nrequire_tls = yes\n" % s.env["MAILSTACK_CA_CERT"])
    ffnet(net, "once")
    e2e.check(len(net.replies(a)) == 1, "stuck: the reply arrives after the fix")
    e2e.check(net.sql("SELECT count(*) FROM state WHERE key = 'notice'")[0][0] == 0,
              "stuck: the problem is over")
    e2e.check(len(net.replies(net.sek)) == 0, "stuck: the notice was not also mailed")
    net.done()


def imap_password(net, pw):
    """The config with another [imap] password (the first password line)."""
    text = open(net.conf_path).read()
    put_conf(net, re.sub(r"^password = .*$", "password = %s" % pw, text, count=1, flags=re.M))


def backdate(net, key, secs):
    db = e2e.sqlite3.connect(net.store)
    db.execute("UPDATE state SET at = at - ? WHERE key = ?", (secs, key))
    db.commit()
    db.close()


def t_ops_imap_notice(s):
    """The mailbox's password was changed: after stuck_after the
    secretariat gets one Danish mail through SMTP, not one per attempt;
    the mail to the network waits; a login ends the problem."""
    net = e2e.Net(s, "opsimap")
    a = net.addr("i")
    net.send("From: %s\nTo: %s\nSubject: HJÆLP\n\n" % (a, net.user))
    imap_password(net, "changed")
    p = ffnet(net, "once")
    e2e.check(p.returncode == 1 and len(lines_with(p.stderr, "[imap] user and password")) == 1,
              "imap notice: once exits 1 with the reason: %r" % p.stderr)
    e2e.check(net.sql("SELECT value FROM state WHERE key = 'imap_down'") == [("login",)],
              "imap notice: the first failure recorded")
    e2e.check(len(net.replies(net.sek)) == 0 and "told" not in p.stderr,
              "imap notice: nothing told before stuck_after")
    # the login has failed for two hours (stuck_after is 60 minutes)
    backdate(net, "imap_down", 7200)
    p = ffnet(net, "once")
    e2e.check(p.returncode == 1 and len(lines_with(p.stderr, "secretariat was told by mail")) == 1,
              "imap notice: the notice logged: %r" % p.stderr)
    p = ffnet(net, "once")
    e2e.check(p.returncode == 1 and "told by mail" not in p.stderr, "imap notice: told once, not per attempt")
    r = net.replies(net.sek)
    e2e.check(len(r) == 1, "imap notice: exactly one mail to the secretariat, got %d" % len(r))
    if r:
        m = r[0]
        text = e2e.body(m)
        e2e.check(str(m["Subject"]) == "ffnet kan ikke læse postkassen", "imap notice: a Danish subject: %r" % m["Subject"])
        e2e.check("Intet er tabt" in text and "venter i postkassen" in text and "IT-afdelingen" in text,
                  "imap notice: Danish text: %r" % text)
        e2e.check("refused by" in text and "[imap] user and password" in text and "changed" not in text,
                  "imap notice: the reason with its fix, no password: %r" % text)
        e2e.check(str(m["Auto-Submitted"]) == "auto-generated", "imap notice: Auto-Submitted")
    e2e.check(net.sql("SELECT value FROM state WHERE key = 'imap_notice'") == [("login",)],
              "imap notice: recorded, so a restart does not tell again")
    st = ffnet(net, "status")
    e2e.check(st.returncode == 1 and "imap: failing since" in st.stdout and
              "told by mail that IMAP fails (login)" in st.stdout, "imap notice: status: %r" % st.stdout)
    e2e.check(len(net.folder("INBOX")) == 1 and len(net.replies(a)) == 0, "imap notice: the mail waits unread")
    # the password fixed: the mail is answered, the problem is over
    imap_password(net, "secret")
    p = ffnet(net, "once")
    e2e.check(p.returncode == 0, "imap notice: once after the fix: %r" % p.stderr)
    e2e.check(len(net.replies(a)) == 1, "imap notice: the waiting mail is answered after the fix")
    e2e.check(net.sql("SELECT count(*) FROM state WHERE key LIKE 'imap_%' AND key != 'imap_ok'")[0][0] == 0,
              "imap notice: the state is cleared")
    # a new failure is a new problem
    imap_password(net, "again")
    ffnet(net, "once")
    backdate(net, "imap_down", 7200)
    ffnet(net, "once")
    e2e.check(len(net.replies(net.sek)) == 2, "imap notice: a later failure is told again")
    net.done()


def t_ops_stuck_no_append(s):
    """Sending is stuck and IMAP is down too: the stuck-outbox notice
    cannot be put in the mailbox, so it is not recorded as told and is
    tried again; the IMAP notice waits in the outbox and is withdrawn
    when IMAP works again, as it would tell of the past."""
    net = untrusted_net(s, "opsnoappend")
    a = net.addr("n")
    net.send("From: %s\nTo: %s\nSubject: HJÆLP\n\n" % (a, net.user))
    ffnet(net, "once")
    db = e2e.sqlite3.connect(net.store)
    db.execute("UPDATE outbox SET created = created - 7200")
    db.commit()
    db.close()
    good = open(net.conf_path).read()
    imap_password(net, "changed")
    ffnet(net, "once")
    backdate(net, "imap_down", 7200)
    p = ffnet(net, "once")
    e2e.check(len(lines_with(p.stderr, "could not be told")) == 1,
              "no append: the outbox notice could not be told: %r" % p.stderr)
    e2e.check(net.sql("SELECT count(*) FROM state WHERE key = 'notice'")[0][0] == 0,
              "no append: not recorded as told")
    e2e.check(net.sql("SELECT count(*) FROM outbox WHERE kind = 'notice' AND sent IS NULL AND failed IS NULL")[0][0] == 1,
              "no append: the IMAP notice waits in the outbox")
    # IMAP back, SMTP still stuck: the APPEND is tried again and works
    put_conf(net, good)
    p = ffnet(net, "once")
    n = notices(net)
    e2e.check(len(n) == 1 and "ffnet kan ikke sende mails" in n[0][1], "no append: told in the mailbox next time")
    e2e.check(net.sql("SELECT value FROM state WHERE key = 'notice'") == [("certificate",)],
              "no append: recorded once told")
    e2e.check(net.sql("SELECT count(*) FROM outbox WHERE kind = 'notice' AND sent IS NULL AND failed IS NULL")[0][0] == 0,
              "no append: the IMAP notice is withdrawn")
    # SMTP fixed: the reply goes, the withdrawn notice does not
    net.write_conf(smtp_url="smtp://localhost:%d" % s.port("SMTP_PORT"),
                   smtp_extra="ca_file = %s\nrequire_tls = yes\n" % s.env["MAILSTACK_CA_CERT"])
    ffnet(net, "once")
    e2e.check(len(net.replies(a)) == 1 and len(net.replies(net.sek)) == 0,
              "no append: the reply goes, the past IMAP notice does not")
    net.done()


def t_ops_status_running(s):
    """ffnet run holds the lock beside the store: status sees it, a second
    run is refused with a line, status after SIGTERM says not running."""
    net = e2e.Net(s, "opsrun")
    cmd = [e2e.FFNET, "-d", "-c", net.conf_path, "run"]
    logf = open(os.path.join(net.dir, "run.log"), "w+")
    p = subprocess.Popen(cmd, stderr=logf, stdout=logf)
    try:
        e2e.check(e2e.wait_for(lambda: "connected" in open(logf.name).read()), "status: daemon connected")
        e2e.check(e2e.wait_for(lambda: net.sql("SELECT count(*) FROM state WHERE key = 'imap_ok'")[0][0] == 1),
                  "status: the daemon records its IMAP contact")
        r = ffnet(net, "status")
        e2e.check(r.returncode == 0 and ("daemon: running, pid %d" % p.pid) in r.stdout,
                  "status: running, with its pid: %r" % r.stdout)
        e2e.check("outbox: empty" in r.stdout and "held for a person: none" in r.stdout and
                  "s ago)" in lines_with(r.stdout, "imap: last contact")[0],
                  "status: healthy: %r" % r.stdout)
        r = ffnet(net, "run", valgrind=False)
        e2e.check(r.returncode != 0 and "already runs" in r.stderr, "status: a second run refused: %r" % r.stderr)
    finally:
        p.send_signal(signal.SIGTERM)
        p.wait(timeout=30)
        logf.close()
    r = ffnet(net, "status")
    e2e.check(r.returncode != 0 and "daemon: not running" in r.stdout, "status: stopped: %r" % r.stdout)
    net.done()
