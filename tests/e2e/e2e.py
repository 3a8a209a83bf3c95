#!/usr/bin/env python3
"""End-to-end tests: build/ffnet (FFNET_BUILD names another build
directory) against a real Dovecot and Postfix on loopback, started by
tests/mailstack/mailstack. Members write over SMTP as Outlook, Gmail,
Apple Mail and iPhones do; ffnet runs `once` (under valgrind unless
FFNET_VALGRIND is empty); replies are read back over IMAP. Each test
gets its own network mailbox and store. Without test names, the tests
run in E2E_JOBS processes (default: 2, or 1 on one core), each with its
own stack. Prints "N passed, M failed"; exits 1 on any failure."""

import email
import email.policy
import imaplib
import os
import re
import shutil
import smtplib
import sqlite3
import subprocess
import sys
import tempfile
import time
import traceback

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FFNET = os.path.join(ROOT, os.environ.get("FFNET_BUILD") or "build", "ffnet")
MS = os.path.join(ROOT, "tests", "mailstack", "mailstack")
VALGRIND = os.environ.get(
    "FFNET_VALGRIND",
    "valgrind -q --suppressions=" + os.path.join(ROOT, "tests", "valgrind.supp") + " --leak-check=full --errors-for-leak-kinds=definite "
    "--show-leak-kinds=definite --error-exitcode=99")
ONLY = sys.argv[1:]

passed = failed = 0


def check(cond, what):
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        print("FAIL: " + what, flush=True)
    return cond


class Stack:
    """One loopback mail stack for the whole run."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="ffnet-e2e.", dir="/tmp")
        os.chmod(self.dir, 0o755)
        out = subprocess.run(["bash", MS, "start", self.dir], check=True,
                             capture_output=True, text=True).stdout
        self.env = dict(l.split("=", 1) for l in out.splitlines() if "=" in l)
        self.host = "127.0.0.1"

    def port(self, name):
        return int(self.env[name])

    def adduser(self, addr, pw="secret"):
        subprocess.run(["bash", MS, "adduser", self.dir, addr, pw], check=True,
                       capture_output=True)

    def wait(self):
        subprocess.run(["bash", MS, "wait", self.dir, "30"], check=False,
                       capture_output=True)

    def stop(self):
        subprocess.run(["bash", MS, "stop", self.dir], capture_output=True)
        shutil.rmtree(self.dir, ignore_errors=True)


class Net:
    """A network: its own mailbox user, config and store."""
    count = 0

    def __init__(self, stack, name, **conf):
        Net.count += 1
        self.stack = stack
        self.tag = "%s%d" % (re.sub(r"[^a-z0-9]", "", name.lower())[:12], Net.count)
        self.user = "ffnet-%s@example.org" % self.tag
        # its own secretariat address: mail to it lands in the shared
        # catch-all, where another test's would be counted too
        self.sek = "sekretariat.%s@example.org" % self.tag
        stack.adduser(self.user)
        self.dir = tempfile.mkdtemp(prefix="ffnet-%s." % self.tag, dir="/tmp")
        self.conf_path = os.path.join(self.dir, "ffnet.conf")
        self.store = os.path.join(self.dir, "ffnet.db")
        self.write_conf(**conf)

    def addr(self, who):
        """A member address unique to this test (delivered to the catch-all)."""
        return "%s.%s@example.com" % (who, self.tag)

    def write_conf(self, **o):
        s = self.stack
        c = {
            "imap_port": s.port("IMAP_PORT"), "imap_security": "none",
            "imap_host": "127.0.0.1", "imap_ca": "",
            "smtp_url": "smtp://127.0.0.1:%d" % s.port("SMTP_PORT"),
            "smtp_extra": "require_tls = no\n", "limits": "",
            # the daily summary would add mail to the secretariat's in
            # every test; t_summary turns it on
            "secretariat": "summary = off\n",
        }
        c.update(o)
        text = """# written by tests/e2e/e2e.py
[network]
name = Flere Faglærte Netværket
address = %(user)s
secretariat = %(sek)s
language = da

[imap]
host = %(imap_host)s
port = %(imap_port)d
security = %(imap_security)s
%(imap_ca)s
user = %(user)s
password = secret
mailbox = INBOX
done_folder = Behandlet
hold_folder = Manuel
idle = yes
poll_seconds = 5

[smtp]
url = %(smtp_url)s
%(smtp_extra)s

[store]
path = %(store)s

[templates]
dir = %(tmpl)s

[secretariat]
%(secretariat)s
[limits]
%(limits)s
""" % dict(c, user=self.user, store=self.store, sek=self.sek,
           tmpl=os.path.join(ROOT, "templates"))
        with open(self.conf_path, "w") as f:
            f.write(text)

    def send(self, raw, sender=None):
        """Delivers raw mail (str, LF line ends) to the network mailbox."""
        raw = raw.replace("\r\n", "\n").replace("\n", "\r\n")
        if "Message-ID:" not in raw.split("\r\n\r\n")[0]:
            raw = "Message-ID: <%s.%f@test.example.com>\r\n" % (self.tag, time.time()) + raw
        if "Date:" not in raw.split("\r\n\r\n")[0]:
            raw = "Date: " + email.utils.formatdate(localtime=True) + "\r\n" + raw
        m = re.search(r"^From:.*?<?([^<>\s]+@[^<>\s]+)>?\s*$", raw, re.M)
        env_from = sender if sender is not None else (m.group(1) if m else "x@example.com")
        with smtplib.SMTP(self.stack.host, self.stack.port("SMTP_PORT")) as smtp:
            smtp.sendmail(env_from, [self.user], raw.encode("utf-8"))
        self.stack.wait()
        time.sleep(0.05)

    def once(self, env=None, expect=0, valgrind=True):
        cmd = [FFNET, "-d", "-c", self.conf_path, "once"]
        if valgrind and VALGRIND:
            cmd = VALGRIND.split() + cmd
        e = dict(os.environ)
        e.update(env or {})
        p = subprocess.run(cmd, capture_output=True, text=True, env=e, timeout=300)
        self.log = p.stderr
        if p.returncode == 99:
            check(False, "valgrind or a sanitizer found errors in ffnet once:\n" + p.stderr[-3000:])
        elif expect is not None and p.returncode != expect:
            check(False, "ffnet once exit %d, wanted %d:\n%s" % (p.returncode, expect, p.stderr[-2000:]))
        self.stack.wait()
        time.sleep(0.1)
        return p.returncode

    def imap(self, user=None, pw="secret"):
        i = imaplib.IMAP4(self.stack.host, self.stack.port("IMAP_PORT"))
        i.login(user or self.user, pw)
        return i

    def folder(self, name="INBOX"):
        """[(flags, subject)] of a folder of the network mailbox."""
        i = self.imap()
        out = []
        typ, _ = i.select('"%s"' % name, readonly=True)
        if typ == "OK":
            typ, data = i.uid("FETCH", "1:*", "(FLAGS BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
            for d in data:
                if isinstance(d, tuple):
                    flags = re.search(rb"FLAGS \(([^)]*)\)", d[0]).group(1).decode()
                    subj = email.message_from_bytes(d[1], policy=email.policy.default)["Subject"]
                    out.append((flags, str(subj or "")))
        i.logout()
        return out

    def replies(self, to):
        """Messages ffnet sent to an address (read from the catch-all)."""
        i = self.imap("catchall@example.org", "catchall")
        i.select("INBOX", readonly=True)
        typ, data = i.uid("SEARCH", None, "TO", '"%s"' % to)
        msgs = []
        for uid in data[0].split():
            typ, d = i.uid("FETCH", uid, "(BODY.PEEK[])")
            msgs.append(email.message_from_bytes(d[0][1], policy=email.policy.default))
        i.logout()
        return msgs

    def sql(self, q, *args):
        db = sqlite3.connect(self.store)
        try:
            return db.execute(q, args).fetchall()
        finally:
            db.close()

    def done(self):
        shutil.rmtree(self.dir, ignore_errors=True)


def body(msg):
    part = msg.get_body(preferencelist=("plain",))
    return part.get_content() if part else ""


def code_of(msg):
    m = re.search(r"\b([0-9A-Z]{4}-[0-9A-Z]{4})\b", str(msg["Subject"]))
    return m.group(1) if m else None


def outlook_reply(net, orig, frm, text="", extra=""):
    """A plain reply as Outlook writes it: SV:, threading, quoted original."""
    return """From: %s
To: %s
Subject: SV: %s
In-Reply-To: %s
References: %s
Thread-Topic: %s
MIME-Version: 1.0
Content-Type: text/plain; charset="iso-8859-1"
Content-Transfer-Encoding: quoted-printable
%s
%s

-----Oprindelig meddelelse-----
Fra: Flere Fagl=E6rte Netv=E6rket <%s>
Sendt: 22. november 2026 10:15
Til: %s
Emne: %s

BEKR=C6FT
""" % (frm, net.user, orig["Subject"], orig["Message-ID"], orig["Message-ID"],
       orig["Subject"], extra, text, net.user, frm, orig["Subject"])


def join(net, who, name="Jens Hansen", org="Hansen VVS"):
    """The whole join flow; returns the member's address."""
    a = net.addr(who)
    net.send("From: \"%s\" <%s>\nTo: %s\nSubject: TILMELD %s; %s\n\n" % (name, a, net.user, name, org))
    net.once()
    conf = net.replies(a)[-1]
    net.send(outlook_reply(net, conf, a, "Ja tak"))
    net.once()
    return a


# ---------------------------------------------------------------- tests

def t_join_plain_reply(s):
    net = Net(s, "join")
    a = net.addr("jens")
    net.send("""From: "Jens Hansen" <%s>
To: Flere Faglaerte <%s>
Subject: =?windows-1252?Q?TILMELD_Jens_Hansen=3B_Hansen_VVS_&_S=F8n?=
MIME-Version: 1.0
Content-Type: text/plain; charset="windows-1252"
Content-Transfer-Encoding: quoted-printable

Med venlig hilsen
Jens Hansen
""" % (a, net.user))
    net.once()
    r = net.replies(a)
    check(len(r) == 1, "join: one confirmation mail, got %d" % len(r))
    conf = r[0]
    check(str(conf["Subject"]).startswith("Bekræft din tilmelding"), "join: Danish subject with æ, no folded blank first: %r" % str(conf["Subject"]))
    check(code_of(conf) is not None, "join: code in the subject")
    check(conf["Auto-Submitted"] == "auto-replied", "join: Auto-Submitted")
    # MS-OXCMAIL 2.1.3.2.20: no out-of-office or NDR back for a reply
    # no OOF or auto-replies back, but bounces still (not "All", which suppresses NDRs too)
    check(conf["X-Auto-Response-Suppress"] == "OOF, AutoReply",
          "join: X-Auto-Response-Suppress: OOF, AutoReply: %s" % conf["X-Auto-Response-Suppress"])
    check(conf["In-Reply-To"] is not None, "join: In-Reply-To set")
    check(net.user in str(conf["From"]) and "Flere Faglærte" in str(conf["From"]), "join: From is the network: %s" % conf["From"])
    check("Jens Hansen" in body(conf), "join: name in the text")
    check(net.sql("SELECT count(*) FROM members")[0][0] == 0, "join: not a member before confirming")
    check(len(net.folder("Behandlet")) == 1 and len(net.folder("INBOX")) == 0, "join: command moved to done folder")
    net.send(outlook_reply(net, conf, a, "Ja tak, det er mig."))
    net.once()
    r = net.replies(a)
    check(len(r) == 2 and "Velkommen" in str(r[-1]["Subject"]), "join: welcome after plain reply: %s" % [str(x["Subject"]) for x in r])
    rows = net.sql("SELECT addr, name, org, status FROM members")
    check(rows == [(a, "Jens Hansen", "Hansen VVS & Søn", "active")], "join: member row %r" % rows)
    check(net.sql("SELECT count(*) FROM audit WHERE action='joined'")[0][0] == 1, "join: audit row")
    # once again: nothing new
    before = len(net.replies(a))
    net.once()
    check(len(net.replies(a)) == before, "join: a second once sends nothing")
    net.done()


def t_join_bekraeft(s):
    net = Net(s, "bekraeft")
    a = net.addr("anna")
    # Gmail: multipart/alternative, UTF-8 base64, command in the body
    net.send("""From: Anna Berg <%s>
To: %s
Subject: Hej
MIME-Version: 1.0
Content-Type: multipart/alternative; boundary="000000000000abc"

--000000000000abc
Content-Type: text/plain; charset="UTF-8"
Content-Transfer-Encoding: base64

SGVqLAoKdGlsbWVsZCBBbm5hIEJlcmc7IFNsYWdlbHNlIEVyaHZlcnZzc2tvbGUKCkFubmEK
--000000000000abc
Content-Type: text/html; charset="UTF-8"

<div>Hej,<br><br>tilmeld Anna Berg; Slagelse Erhvervsskole<br><br>Anna</div>
--000000000000abc--
""" % (a, net.user))
    net.once()
    r = net.replies(a)
    check(len(r) == 1, "bekraeft: confirmation mail")
    code = code_of(r[0]) if r else None
    # typed by hand, lower case, no dash, accent-free
    net.send("From: %s\nTo: %s\nSubject: bekraeft %s\n\n" % (a, net.user, (code or "x").lower().replace("-", "")))
    net.once()
    r = net.replies(a)
    check(len(r) == 2 and "Velkommen" in str(r[-1]["Subject"]), "bekraeft: welcome")
    rows = net.sql("SELECT name, org FROM members WHERE addr=?", a)
    check(rows == [("Anna Berg", "Slagelse Erhvervsskole")], "bekraeft: member %r" % rows)
    # the same code again: already confirmed, not a second welcome
    net.send("From: %s\nTo: %s\nSubject: BEKRÆFT %s\n\n" % (a, net.user, code))
    net.once()
    r = net.replies(a)
    check(len(r) == 3 and "allerede" in str(r[-1]["Subject"]), "bekraeft: used code answered kindly")
    # someone else with the code
    b = net.addr("mallory")
    net.send("From: %s\nTo: %s\nSubject: BEKRÆFT %s\n\n" % (b, net.user, code))
    net.once()
    rb = net.replies(b)
    check(len(rb) == 1 and a not in body(rb[0]), "bekraeft: other address refused without naming the member")
    # a wrong code
    net.send("From: %s\nTo: %s\nSubject: BEKRÆFT ABCD-EFGH\n\n" % (b, net.user))
    net.once()
    check(len(net.replies(b)) == 2 and net.sql("SELECT count(*) FROM members")[0][0] == 1, "bekraeft: unknown code")
    net.done()


def t_join_english(s):
    """JOIN in English; Gmail's reply keeps "Re:" and the code, and the
    welcome comes in English."""
    net = Net(s, "joinen")
    a = net.addr("jane")
    net.send("From: Jane Smith <%s>\nTo: %s\nSubject: join\n\n" % (a, net.user))
    net.once()
    r = net.replies(a)
    check(len(r) == 1 and str(r[0]["Subject"]).startswith("Please confirm"), "english: confirmation in English")
    # a reply whose client dropped In-Reply-To: the code in the subject is enough
    net.send("From: Jane Smith <%s>\nTo: %s\nSubject: Re: %s\n\nYes please\n" % (a, net.user, r[0]["Subject"]))
    net.once()
    r = net.replies(a)
    check(len(r) == 2 and str(r[-1]["Subject"]).startswith("Welcome"), "english: welcome in English")
    check(net.sql("SELECT name, lang FROM members") == [("Jane Smith", "en")], "english: name from the From header")
    net.done()


def t_leave(s):
    net = Net(s, "leave")
    a = join(net, "karen", "Karen Holm", "Slagelse Kommune")
    check(net.sql("SELECT count(*) FROM members")[0][0] == 1, "leave: member first")
    # iPhone: command in the body, signature after
    net.send("From: Karen Holm <%s>\nTo: %s\nSubject: \nContent-Type: text/plain; charset=utf-8\n\nAfmeld\n\nSendt fra min iPhone\n" % (a, net.user))
    net.once()
    r = net.replies(a)
    check("afmeld" in str(r[-1]["Subject"]).lower(), "leave: confirmation asked: %s" % r[-1]["Subject"])
    check(net.sql("SELECT count(*) FROM members")[0][0] == 1, "leave: still member before confirming")
    # Apple Mail reply: Re:, quoted with >
    conf = r[-1]
    net.send("""From: Karen Holm <%s>
To: %s
Subject: Re: %s
In-Reply-To: %s
References: %s
Content-Type: text/plain; charset=utf-8

Ja

Den 22. nov. 2026 kl. 10.15 skrev Flere Faglærte Netværket <%s>:

> Vi har fået en afmelding
""" % (a, net.user, conf["Subject"], conf["Message-ID"], conf["Message-ID"], net.user))
    net.once()
    r = net.replies(a)
    check("afmeldt" in str(r[-1]["Subject"]) and "TILMELD" in body(r[-1]), "leave: goodbye says how to come back")
    check(net.sql("SELECT count(*) FROM members")[0][0] == 0, "leave: removed")
    # leave from a non-member
    b = net.addr("stranger")
    net.send("From: %s\nTo: %s\nSubject: AFMELD\n\n" % (b, net.user))
    net.once()
    rb = net.replies(b)
    check(len(rb) == 1 and "ikke medlem" in str(rb[0]["Subject"]), "leave: non-member told kindly")
    net.done()


def t_help(s):
    net = Net(s, "help")
    a, b = net.addr("da"), net.addr("en")
    net.send("From: %s\nTo: %s\nSubject: =?iso-8859-1?Q?HJ=C6LP?=\n\n" % (a, net.user))
    net.send("From: %s\nTo: %s\nSubject: Re: help\n\n" % (b, net.user))
    net.once()
    ra, rb = net.replies(a), net.replies(b)
    check(len(ra) == 1 and "Sådan bruger du" in str(ra[0]["Subject"]) and "TILMELD" in body(ra[0]), "help: Danish")
    check(len(rb) == 1 and "How to use" in str(rb[0]["Subject"]) and "JOIN" in body(rb[0]), "help: English")
    check(rb and rb[0]["Content-Language"] == "en", "help: Content-Language en")
    raw = rb[0].as_bytes() if rb else b""
    check(b"charset=" in raw and b"UTF-8" in raw.upper(), "help: UTF-8")
    # near miss: a lone word that is almost a command
    c = net.addr("near")
    net.send("From: %s\nTo: %s\nSubject: Tilmelding\n\nHej, jeg vil gerne være med.\n" % (c, net.user))
    net.once()
    rc = net.replies(c)
    check(len(rc) == 1 and "TILMELD" in body(rc[0]), "help: unknown word gets a helpful answer")
    check(len(net.folder("Manuel")) == 1, "help: unknown word's mail left for a person in the hold folder")
    net.done()


def t_leave_alone(s):
    net = Net(s, "human")
    a = net.addr("person")
    net.send("From: Lise <%s>\nTo: %s\nSubject: Møde på torsdag\nContent-Type: text/plain; charset=utf-8\n\nHej\n\nKan vi mødes kl. 10 om næste netværksmøde?\n\nLise\n" % (a, net.user))
    net.send("From: Lise <%s>\nTo: %s\nSubject: Hjælp til ansøgning\n\nHjælp!\n" % (a, net.user))
    net.send("From: Lise <%s>\nTo: %s\nSubject: Re: referat\n\nTak.\n\n> TILMELD\n" % (a, net.user))
    net.once()
    net.once()
    inbox = net.folder("INBOX")
    check(len(inbox) == 3, "human: all three stay in the inbox: %r" % inbox)
    check(all("\\Seen" not in f for f, _ in inbox), "human: still unread: %r" % inbox)
    check(len(net.replies(a)) == 0, "human: never answered")
    check(net.sql("SELECT count(*) FROM outbox")[0][0] == 0, "human: nothing queued")
    net.done()


def t_no_answer(s):
    net = Net(s, "auto")
    a = net.addr("away")
    net.send("From: %s\nTo: %s\nSubject: Automatisk svar: TILMELD\nAuto-Submitted: auto-replied\nX-Auto-Response-Suppress: All\n\nJeg er på ferie til mandag.\n" % (a, net.user))
    net.send("From: %s\nTo: %s\nSubject: Out of Office: HELP\n\nI am away.\n" % (a, net.user))
    net.send("From: %s\nTo: %s\nSubject: TILMELD\nList-Id: <nyhed.example.com>\n\n" % (a, net.user))
    net.send("""From: Mail Delivery System <MAILER-DAEMON@example.com>
To: %s
Subject: Undelivered Mail Returned to Sender
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="B"

--B
Content-Type: text/plain

I'm sorry to have to inform you that your message could not be delivered.
TILMELD
--B
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.com

Final-Recipient: rfc822; gone@example.com
Action: failed
Status: 5.1.1
--B--
""" % net.user, sender="")
    net.send("From: %s\nTo: %s\nSubject: HJÆLP\n\n" % (net.user, net.user))
    net.once()
    check(len(net.replies(a)) == 0, "auto: no answer to auto-replies or list mail")
    check(net.sql("SELECT count(*) FROM outbox")[0][0] == 0, "auto: nothing queued (bounce, self)")
    check(len(net.folder("INBOX")) == 5, "auto: all left in the inbox (not ffnet's)")
    net.done()


def t_rate_limit(s):
    net = Net(s, "rate", limits="replies_per_hour = 3\n")
    a = net.addr("loop")
    for i in range(5):
        net.send("From: %s\nTo: %s\nSubject: HELP\nMessage-ID: <rate%d.%f@x>\n\n" % (a, net.user, i, time.time()))
    net.once()
    check(len(net.replies(a)) == 3, "rate: 3 replies for 5 requests, got %d" % len(net.replies(a)))
    check(len(net.folder("Behandlet")) == 5, "rate: all 5 handled")
    net.done()


def t_smtp_down(s):
    """Postfix stopped during a run: the reply waits in the outbox and
    arrives exactly once after Postfix is back."""
    net = Net(s, "smtpdown")
    a = net.addr("wait")
    net.send("From: %s\nTo: %s\nSubject: HJÆLP\n\n" % (a, net.user))
    subprocess.run(["bash", MS, "smtp", s.dir, "stop"], check=True, capture_output=True)
    try:
        rc = net.once()
        check(rc == 0, "smtp down: once still exits 0")
        check(net.sql("SELECT count(*) FROM outbox WHERE sent IS NULL AND failed IS NULL")[0][0] == 1,
              "smtp down: reply waits in the outbox")
        check(len(net.folder("Behandlet")) == 1, "smtp down: message handled")
        check("not reachable" in net.log, "smtp down: logged")
        net.once()
        check(net.sql("SELECT attempts FROM outbox")[0][0] == 2, "smtp down: tried again, not lost")
    finally:
        subprocess.run(["bash", MS, "smtp", s.dir, "start"], check=True, capture_output=True)
    check(len(net.replies(a)) == 0, "smtp down: nothing sent while down")
    net.once()
    net.once()
    check(len(net.replies(a)) == 1, "smtp down: exactly one reply after it is back, got %d" % len(net.replies(a)))
    # a wrong port is the same to ffnet: the reply waits
    net.write_conf(smtp_url="smtp://127.0.0.1:9")
    net.send("From: %s\nTo: %s\nSubject: help\n\n" % (a, net.user))
    net.once()
    net.write_conf()
    net.once()
    check(len(net.replies(a)) == 2, "smtp down: a closed port, then the right one: one more reply")
    net.done()


def t_crash(s):
    for point in ("after_commit", "before_send"):
        net = Net(s, "crash" + point[:5])
        a = net.addr("crash")
        net.send("From: %s\nTo: %s\nSubject: HELP\n\n" % (a, net.user))
        rc = net.once(env={"FFNET_CRASH": point}, expect=None, valgrind=False)
        check(rc == -9, "crash %s: killed (rc %d)" % (point, rc))
        check(len(net.replies(a)) == 0, "crash %s: nothing sent yet" % point)
        net.once()
        net.once()
        check(len(net.replies(a)) == 1, "crash %s: exactly one reply after restart, got %d" % (point, len(net.replies(a))))
        check(len(net.folder("INBOX")) == 0 and len(net.folder("Behandlet")) == 1, "crash %s: moved once" % point)
        net.done()


def t_tls(s):
    ca = s.env["MAILSTACK_CA_CERT"]
    net = Net(s, "tls", imap_security="tls", imap_port=s.port("IMAPS_PORT"), imap_host="localhost",
              imap_ca="ca_file = %s" % ca,
              smtp_url="smtp://localhost:%d" % s.port("SUBMISSION_PORT"),
              smtp_extra="ca_file = %s\nrequire_tls = yes\nuser = %s\npassword = secret\n" % (ca, "PLACEHOLDER"))
    # the SMTP user is the network's own mailbox
    with open(net.conf_path) as f:
        t = f.read().replace("PLACEHOLDER", net.user)
    with open(net.conf_path, "w") as f:
        f.write(t)
    a = net.addr("tls")
    net.send("From: %s\nTo: %s\nSubject: HELP\n\n" % (a, net.user))
    check(net.once() == 0, "tls: IMAPS with the test CA accepted")
    check(len(net.replies(a)) == 1, "tls: reply over submission with STARTTLS and AUTH")
    # STARTTLS on the plain port
    t2 = t.replace("security = tls", "security = starttls").replace("port = %d" % s.port("IMAPS_PORT"), "port = %d" % s.port("IMAP_PORT")).replace("PLACEHOLDER", net.user)
    with open(net.conf_path, "w") as f:
        f.write(t2)
    check(net.once() == 0, "tls: STARTTLS with the test CA accepted")
    # the wrong CA: refused, with a clear reason, and no login
    t3 = t.replace(ca, "/etc/ssl/certs/ca-certificates.crt").replace("PLACEHOLDER", net.user)
    with open(net.conf_path, "w") as f:
        f.write(t3)
    rc = net.once(expect=None)
    check(rc != 0 and "certificate" in net.log.lower(), "tls: a wrong CA is refused: rc %d %s" % (rc, net.log[-300:]))
    net.done()


def t_uidvalidity(s):
    net = Net(s, "uidval")
    a = net.addr("uv")
    net.send("From: %s\nTo: %s\nSubject: HELP\n\n" % (a, net.user))
    net.send("From: %s\nTo: %s\nSubject: Et spørgsmål\n\nHej, et spørgsmål.\n" % (a, net.user))
    net.once()
    check(len(net.replies(a)) == 1, "uidvalidity: one reply")
    uv1 = net.sql("SELECT uidvalidity FROM mailbox")[0][0]
    # Dovecot makes a new UIDVALIDITY when its uidlist and index are gone
    user = net.user.split("@")[0]
    md = os.path.join(s.dir, "mail", "example.org", user, "Maildir")
    for fn in os.listdir(md):
        if fn.startswith("dovecot"):
            p = os.path.join(md, fn)
            if os.path.isfile(p):
                os.remove(p)
    # move the handled mail back into the inbox, as a careless person might
    done = os.path.join(md, ".Behandlet", "cur")
    if os.path.isdir(done):
        for fn in os.listdir(done):
            shutil.move(os.path.join(done, fn), os.path.join(md, "cur", fn))
    time.sleep(1.1)
    net.once()
    uv2 = net.sql("SELECT uidvalidity FROM mailbox")[0][0]
    check(uv1 != uv2, "uidvalidity: changed (%s -> %s)" % (uv1, uv2))
    check(len(net.replies(a)) == 1, "uidvalidity: nothing handled twice, %d replies" % len(net.replies(a)))
    net.done()


def t_check_cmd(s):
    d = tempfile.mkdtemp(prefix="ffnet-check.", dir="/tmp")
    bad = os.path.join(d, "bad.conf")
    with open(bad, "w") as f:
        f.write("[network]\nname = x\naddress = a@b.dk\nsecretariat = s@b.dk\n[imap]\nport = 99999\n")
    p = subprocess.run([FFNET, "-c", bad, "check"], capture_output=True, text=True)
    check(p.returncode != 0 and "bad.conf:6:" in p.stderr, "check: line number in the error: %r" % p.stderr)
    p = subprocess.run([FFNET, "-c", os.path.join(d, "missing.conf"), "once"], capture_output=True, text=True)
    check(p.returncode != 0 and len(p.stderr.strip().splitlines()) >= 1, "once: unusable config exits non-zero")
    net = Net(s, "checkok")
    p = subprocess.run([FFNET, "-c", net.conf_path, "check"], capture_output=True, text=True)
    check(p.returncode == 0, "check: good config accepted: %s" % p.stderr)
    net.done()
    shutil.rmtree(d, ignore_errors=True)


def t_folders(s):
    """Nested folder names with Danish letters, on a server whose
    delimiter is "." (Dovecot's Maildir++), as the defaults have them."""
    net = Net(s, "folders")
    t = open(net.conf_path).read().replace("done_folder = Behandlet", "done_folder = ffnet/Færdige")
    t = t.replace("hold_folder = Manuel", "")
    with open(net.conf_path, "w") as f:
        f.write(t)
    a = net.addr("f")
    net.send("From: %s\nTo: %s\nSubject: HELP\n\n" % (a, net.user))
    net.send("From: %s\nTo: %s\nSubject: Hjaelpe\n\n" % (a, net.user))
    net.once()
    check(len(net.folder("ffnet.F&AOY-rdige")) == 1, "folders: handled mail in ffnet/Færdige")
    check(len(net.folder("ffnet.Til manuel behandling")) == 1, "folders: the default hold folder")
    check(len(net.folder("INBOX")) == 0, "folders: inbox empty")
    net.done()


def t_too_large(s):
    """A command in a mail over max_message_kb: a kind answer, and the
    mail goes to the hold folder for a person; a large person's mail
    stays in the inbox."""
    net = Net(s, "large", limits="max_message_kb = 16\n")
    a = net.addr("big")
    filler = ("Dette er en lang linje med tekst, som fylder godt op i mailen. " * 20 + "\n") * 40
    net.send("From: %s\nTo: %s\nSubject: TILMELD\nContent-Type: text/plain; charset=utf-8\n\n%s" % (a, net.user, filler))
    net.send("From: %s\nTo: %s\nSubject: Stort bilag\nContent-Type: text/plain; charset=utf-8\n\n%s" % (a, net.user, filler))
    net.once()
    r = net.replies(a)
    check(len(r) == 1 and "for stor" in str(r[0]["Subject"]), "large: answered kindly: %r" % [str(x["Subject"]) for x in r])
    check(len(net.folder("Manuel")) == 1 and len(net.folder("INBOX")) == 1, "large: command held for a person, other mail left")
    check(net.sql("SELECT count(*) FROM pending")[0][0] == 0, "large: not executed")
    net.done()


def t_autoreply_to_us(s):
    """An out-of-office answer to ffnet's own mail is filed, not answered."""
    net = Net(s, "oof")
    a = net.addr("ferie")
    net.send("From: %s\nTo: %s\nSubject: TILMELD\n\n" % (a, net.user))
    net.once()
    conf = net.replies(a)[0]
    net.send("""From: %s
To: %s
Subject: Automatisk svar: %s
In-Reply-To: %s
References: %s
Auto-Submitted: auto-replied
X-Auto-Response-Suppress: All
Content-Type: text/plain; charset=utf-8

Jeg er på ferie til og med mandag. Ved hastesager kontakt kontoret.
""" % (a, net.user, conf["Subject"], conf["Message-ID"], conf["Message-ID"]))
    net.once()
    check(len(net.replies(a)) == 1, "oof: not answered, and it did not confirm")
    check(net.sql("SELECT count(*) FROM members")[0][0] == 0, "oof: no member from an auto-reply")
    check(len(net.folder("INBOX")) == 0 and len(net.folder("Behandlet")) == 2, "oof: filed with the handled mail")
    net.done()


def t_corpus(s):
    """Every real-world message of the corpus, through IMAP: no crash, no
    leak (valgrind), and not one answer."""
    net = Net(s, "corpus")
    root = os.path.join(ROOT, "tests", "corpus")
    files = []
    for d, _, names in os.walk(root):
        files += [os.path.join(d, n) for n in sorted(names) if n.endswith((".eml", ".bin"))]
    i = net.imap()
    for f in files:
        with open(f, "rb") as fh:
            data = fh.read()
        if b"\r\n" not in data:
            data = data.replace(b"\r", b"\n").replace(b"\n", b"\r\n")
        typ, _ = i.append("INBOX", None, None, data)
        if typ != "OK":
            check(False, "corpus: APPEND refused %s" % f)
    i.logout()
    rc = net.once()
    check(rc == 0, "corpus: once over %d real messages" % len(files))
    last = net.sql("SELECT last_uid FROM mailbox")[0][0]
    rows = net.sql("SELECT count(*) FROM inbox")[0][0]
    check(last == len(files), "corpus: every message looked at (last UID %d of %d)" % (last, len(files)))
    # test suites reuse Message-IDs: a repeat counts as seen, never twice
    check(rows + net.log.count("seen before") == len(files), "corpus: each once (%d rows)" % rows)
    sent = net.sql("SELECT rcpt FROM outbox")
    check(sent == [], "corpus: nothing answered, got %r" % sent[:5])
    left = net.folder("INBOX")
    check(all("\\Seen" not in f for f, _ in left), "corpus: nothing marked read")
    net.done()


def cli(net, *args, expect=0):
    p = subprocess.run([FFNET, "-c", net.conf_path] + list(args), capture_output=True, text=True)
    if expect is not None and p.returncode != expect:
        check(False, "ffnet %s exit %d: %s" % (" ".join(args), p.returncode, p.stderr[-500:]))
    return p.stdout


def calendar(msg):
    """(method parameter, {property: value}, raw text) of the text/calendar
    part inside multipart/alternative, or (None, {}, "")."""
    for part in msg.walk():
        if part.get_content_type() == "text/calendar":
            raw = part.get_payload(decode=True).decode("utf-8")
            text = re.sub(r"\r\n[ \t]", "", raw)
            props = {}
            for line in text.split("\r\n"):
                k = line.split(":", 1)[0].split(";", 1)[0]
                if k and k not in props:
                    props[k] = line
            return part.get_param("method"), props, raw
    return None, {}, ""


def prop(props, name):
    line = props.get(name, "")
    return line.split(":", 1)[1] if ":" in line else None


def t_meetings(s):
    """DELTAG with an invite, the waiting list and moving up, FRAMELD with
    a CANCEL, a change with SEQUENCE+1 to all, a cancel to all, MØDER."""
    net = Net(s, "meet")
    anna = join(net, "anna", "Anna Berg", "Slagelse Erhvervsskole")
    bo = join(net, "bo", "Bo Ek", "Ek ApS")
    code = cli(net, "meeting", "add", "--title", "Netværksmøde hos Hansen VVS",
               "--start", "2030-06-13 14:00", "--end", "2030-06-13 16:30",
               "--place", "Industrivej 1, 4200 Slagelse", "--host", "Hansen VVS",
               "--agenda", "Velkomst; Markedspladsen; næste møde",
               "--capacity", "1").splitlines()[0].strip()
    check(code == "M1", "meetings: code of the new meeting: %r" % code)
    net.send("From: Anna Berg <%s>\nTo: %s\nSubject: DELTAG m1\n\nKost: vegetar\n\nMed venlig hilsen\n"
             "Anna Berg\nUddannelseskonsulent, Slagelse Erhvervsskole\n\nSendt fra min iPhone\n" % (anna, net.user))
    net.once()
    r = net.replies(anna)[-1]
    method, props, raw = calendar(r)
    check(method == "REQUEST" and prop(props, "METHOD") == "REQUEST", "meetings: invite is a REQUEST (%r)" % method)
    check(prop(props, "SEQUENCE") == "0", "meetings: SEQUENCE 0")
    check(props.get("ATTENDEE", "").lower().endswith("mailto:" + anna), "meetings: the member is the attendee")
    check(raw.count("ATTENDEE") == 1, "meetings: one attendee only")
    check("DTSTART;TZID=Europe/Copenhagen:20300613T140000" in raw, "meetings: local time with TZID")
    check("vegetar" in body(r), "meetings: the note is echoed")
    check(net.sql("SELECT note FROM registrations WHERE addr = ?", anna) == [("Kost: vegetar",)],
          "meetings: the note is what she wrote, without her signature: %r"
          % net.sql("SELECT note FROM registrations WHERE addr = ?", anna))
    check("Markedspladsen" in re.sub(r"\r\n[ \t]", "", raw), "meetings: the agenda is in the invite's DESCRIPTION")
    uid = prop(props, "UID")
    # full: Bo goes on the waiting list
    net.send("From: %s\nTo: %s\nSubject: DELTAG M1\n\n" % (bo, net.user))
    net.once()
    rb = net.replies(bo)[-1]
    check("ventelisten" in str(rb["Subject"]) and "1" in body(rb) and calendar(rb)[0] is None,
          "meetings: waiting list with the position, no invite")
    # MØDER
    net.send("From: %s\nTo: %s\nSubject: møder\n\n" % (bo, net.user))
    net.once()
    rl = net.replies(bo)[-1]
    check("M1" in body(rl) and "Hansen VVS" in body(rl), "meetings: MØDER lists M1")
    # Anna leaves: her entry is cancelled, Bo moves up
    net.send("From: %s\nTo: %s\nSubject: FRAMELD M1\n\n" % (anna, net.user))
    net.once()
    method, props, raw = calendar(net.replies(anna)[-1])
    check(method == "CANCEL" and prop(props, "UID") == uid and "STATUS" not in props,
          "meetings: personal CANCEL with the same UID and no STATUS")
    rb = net.replies(bo)[-1]
    method, props, raw = calendar(rb)
    check(method == "REQUEST" and "plads" in str(rb["Subject"]), "meetings: Bo moved up with an invite")
    bo_uid = prop(props, "UID")
    # a change: SEQUENCE+1 to everyone registered
    out = cli(net, "meeting", "change", "M1", "--start", "2030-06-13 15:00", "--end", "2030-06-13 17:00")
    check("SEQUENCE 1" in out, "meetings: change raised SEQUENCE: %r" % out)
    net.once()
    method, props, raw = calendar(net.replies(bo)[-1])
    check(method == "REQUEST" and prop(props, "SEQUENCE") == "1" and prop(props, "UID") == bo_uid and
          "20300613T150000" in raw, "meetings: update with the same UID, SEQUENCE 1, new time")
    # cancel to all
    cli(net, "meeting", "cancel", "M1")
    net.once()
    method, props, raw = calendar(net.replies(bo)[-1])
    check(method == "CANCEL" and prop(props, "STATUS") == "CANCELLED" and prop(props, "SEQUENCE") == "2",
          "meetings: meeting CANCEL with STATUS:CANCELLED and SEQUENCE 2")
    csv = cli(net, "registrations", "M1", "--csv")
    check(csv.startswith("\ufeff") and "Bo Ek" in csv and ";" in csv, "meetings: CSV for Excel")
    net.done()


def t_conference(s):
    """An open conference: a guest registers; a workshop needs the conference."""
    net = Net(s, "conf")
    cli(net, "meeting", "add", "--kind", "conference", "--open", "--title", "Konference: Flere faglærte",
        "--start", "2030-11-05 09:00", "--end", "2030-11-05 16:00", "--place", "Slagelse Musikhus",
        "--host", "Slagelse Kommune", "--capacity", "100")
    w = cli(net, "meeting", "add", "--parent", "K1", "--title", "Workshop: Praktik",
            "--start", "2030-11-05 13:00", "--end", "2030-11-05 14:00", "--place", "Lokale 2",
            "--host", "Slagelse Kommune", "--capacity", "20").strip()
    check(w == "W1", "conference: workshop code %r" % w)
    g = net.addr("guest")
    net.send("From: Gitte Gæst <%s>\nTo: %s\nSubject: DELTAG W1\n\n" % (g, net.user))
    net.once()
    check("konferencen" in str(net.replies(g)[-1]["Subject"]), "conference: workshop needs the conference first")
    net.send("From: Gitte Gæst <%s>\nTo: %s\nSubject: DELTAG K1\n\n" % (g, net.user))
    net.send("From: Gitte Gæst <%s>\nTo: %s\nSubject: DELTAG W1\n\n" % (g, net.user))
    net.once()
    r = net.replies(g)
    check(calendar(r[-1])[0] == "REQUEST" and calendar(r[-2])[0] == "REQUEST", "conference: guest registered for both")
    check(net.sql("SELECT count(*) FROM registrations WHERE guest = 1")[0][0] == 2, "conference: recorded as a guest")
    check(net.sql("SELECT count(*) FROM members")[0][0] == 0, "conference: a guest is not a member")
    # members-only meeting refuses a non-member kindly
    cli(net, "meeting", "add", "--title", "Netværksmøde", "--start", "2030-03-01 14:00",
        "--end", "2030-03-01 16:00", "--place", "X", "--host", "Y", "--capacity", "5")
    net.send("From: %s\nTo: %s\nSubject: DELTAG M1\n\n" % (g, net.user))
    net.once()
    check("medlemmer" in str(net.replies(g)[-1]["Subject"]), "conference: members-only meeting asks to join first")
    net.send("From: %s\nTo: %s\nSubject: Deltag i konferencen\n\nHej\n" % (g, net.user))
    net.once()
    check(len(net.folder("INBOX")) == 1, "conference: 'Deltag i konferencen' is a person's mail")
    net.done()


class Daemon:
    """`ffnet run` for a network, under valgrind unless valgrind=False,
    its output in run.log: `with Daemon(net) as d:` ... `d.stop()`
    (SIGTERM; its exit code). Killed if the block ends otherwise."""

    def __init__(self, net, env=None, valgrind=True):
        import signal
        self.signal = signal
        cmd = [FFNET, "-d", "-c", net.conf_path, "run"]
        if valgrind and VALGRIND:
            cmd = VALGRIND.split() + cmd
        self.logf = open(os.path.join(net.dir, "run.log"), "w+")
        self.p = subprocess.Popen(cmd, stderr=self.logf, stdout=self.logf,
                                  env=dict(os.environ, **(env or {})))

    def log(self):
        return open(self.logf.name).read()

    def stop(self, timeout=60):
        self.p.send_signal(self.signal.SIGTERM)
        return self.p.wait(timeout=timeout)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.p.poll() is None:
            self.p.kill()
            self.p.wait()
        self.logf.close()


def store_holds(net, text):
    """The tables of net's store in which some value (text or blob)
    contains text, in any case."""
    text = text.lower()
    db = sqlite3.connect(net.store)
    found = set()
    for (t,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'"):
        for row in db.execute('SELECT * FROM "%s"' % t):
            for v in row:
                v = v.decode("utf-8", "replace") if isinstance(v, bytes) else str(v)
                if text in v.lower():
                    found.add(t)
    db.close()
    return found


def wait_for(pred, secs=20.0):
    end = time.time() + secs
    while time.time() < end:
        if pred():
            return True
        time.sleep(0.2)
    return False


def _daemon_once(s):
    """ffnet run: IDLE wakes it, SIGHUP reloads, the server going away and
    coming back is survived, SIGTERM stops it cleanly. Runs last: it
    restarts the stack."""
    import signal
    net = Net(s, "daemon")
    a = net.addr("d")
    cmd = [FFNET, "-d", "-c", net.conf_path, "run"]
    if VALGRIND:
        cmd = VALGRIND.split() + cmd
    logf = open(os.path.join(net.dir, "run.log"), "w+")
    p = subprocess.Popen(cmd, stderr=logf, stdout=logf)
    try:
        check(wait_for(lambda: "connected" in open(logf.name).read()), "daemon: connected")
        t0 = time.time()
        net.send("From: %s\nTo: %s\nSubject: HELP\n\n" % (a, net.user))
        check(wait_for(lambda: len(net.replies(a)) == 1), "daemon: IDLE woke it and the reply went out")
        print("   reply %.1fs after the mail was sent" % (time.time() - t0))
        p.send_signal(signal.SIGHUP)
        check(wait_for(lambda: "reloaded" in open(logf.name).read()), "daemon: SIGHUP reloads")
        net.send("From: %s\nTo: %s\nSubject: HJÆLP\n\n" % (a, net.user))
        check(wait_for(lambda: len(net.replies(a)) == 2), "daemon: works after reload")
        # the mail server goes away and comes back on the same ports
        base = s.port("SMTP_PORT")
        subprocess.run(["bash", MS, "stop", s.dir], capture_output=True)
        check(wait_for(lambda: "connection lost" in open(logf.name).read() or
                       "trying again" in open(logf.name).read(), 30), "daemon: notices the server is gone")
        r = subprocess.run(["bash", MS, "start", s.dir, str(base)], capture_output=True, text=True)
        check(r.returncode == 0, "daemon: stack restarted: " + r.stderr[-500:])
        net.send("From: %s\nTo: %s\nSubject: help\n\n" % (a, net.user))
        check(wait_for(lambda: len(net.replies(a)) == 3, 60), "daemon: reconnects and answers")
        p.send_signal(signal.SIGTERM)
        rc = p.wait(timeout=30)
        logf.flush()
        report = "".join(l for l in open(logf.name) if "==" in l)[-6000:]
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
        logf.close()
    net.done()
    return rc, report


def t_daemon(s):
    """ffnet run under valgrind; a report at exit is printed in full.
    (libetpan's leak of a "* BYE" greeting is suppressed in
    tests/valgrind.supp.)"""
    rc, report = _daemon_once(s)
    check(rc == 0, "daemon: SIGTERM stops it cleanly (rc %d)%s" % (rc, "\n" + report if rc else ""))


TESTS = [t_join_plain_reply, t_join_bekraeft, t_join_english, t_leave, t_help, t_leave_alone,
         t_no_answer, t_rate_limit, t_smtp_down, t_crash, t_tls, t_uidvalidity,
         t_check_cmd, t_meetings, t_conference, t_folders, t_too_large, t_autoreply_to_us, t_corpus, t_daemon]


def all_tests():
    """TESTS here, then the t_* functions of tests/e2e/t_*.py (one file per
    feature, each importing this module as e2e), in file order."""
    import importlib.util
    tests = list(TESTS[:-1])
    here = os.path.dirname(os.path.abspath(__file__))
    sys.modules.setdefault("e2e", sys.modules[__name__])
    for fn in sorted(os.listdir(here)):
        if fn.startswith("t_") and fn.endswith(".py"):
            spec = importlib.util.spec_from_file_location(fn[:-3], os.path.join(here, fn))
            mod = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(mod)
            tests += [getattr(mod, n) for n in dir(mod) if n.startswith("t_") and callable(getattr(mod, n))]
    return tests + [TESTS[-1]]    # t_daemon restarts the stack: last


def parallel(names, jobs):
    """Runs the tests in `jobs` processes, each with its own stack (the
    tests are independent; valgrind keeps a core busy). The last test
    (t_daemon restarts its stack) stays last in the first process. Each
    process's output is shown whole when it ends; its closing line is
    reworded so that only the sum reads "N passed, M failed"."""
    groups = [[] for _ in range(jobs)]
    for k, n in enumerate(names[:-1]):
        groups[k % jobs].append(n)
    groups[0].append(names[-1])
    procs = [subprocess.Popen([sys.executable, os.path.abspath(__file__)] + g,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
             for g in groups if g]
    p_sum = f_sum = 0
    for k, pr in enumerate(procs):
        out, _ = pr.communicate()
        m = re.search(r"^e2e: (\d+) passed, (\d+) failed$", out, re.M)
        if m:
            p_sum += int(m.group(1))
            f_sum += int(m.group(2))
            out = out[:m.start()] + "e2e process %d: %s checks ok, %s not" % (k + 1, m.group(1), m.group(2)) + out[m.end():]
        if pr.returncode != 0 and (not m or int(m.group(2)) == 0):
            f_sum += 1
            out += "FAIL: e2e process %d exited %d\n" % (k + 1, pr.returncode)
        sys.stdout.write(out)
        sys.stdout.flush()
    print("e2e: %d passed, %d failed" % (p_sum, f_sum))
    return 1 if f_sum else 0


def main():
    if not os.access(FFNET, os.X_OK):
        check(False, FFNET + " is missing: run make")
        print("%d passed, %d failed" % (passed, failed))
        return 1
    jobs = int(os.environ.get("E2E_JOBS", "0") or 0) or min(2, os.cpu_count() or 1)
    if not ONLY and jobs > 1:
        return parallel([t.__name__ for t in all_tests()], jobs)
    stack = Stack()
    try:
        for t in all_tests():
            if ONLY and t.__name__ not in ONLY:
                continue
            t0 = time.time()
            f0 = failed
            try:
                t(stack)
            except Exception:
                check(False, "%s raised:\n%s" % (t.__name__, traceback.format_exc()))
            print("%-22s %s (%.1fs)" % (t.__name__, "ok" if failed == f0 else "FAILED", time.time() - t0), flush=True)
    finally:
        stack.stop()
    print("e2e: %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
