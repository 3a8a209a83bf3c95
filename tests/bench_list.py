#!/usr/bin/env python3
"""make bench, part 2: a list post's fan-out, as ratios against the
stack's own limit measured in the same run.

For N members (BENCH_LIST, default "1000 5000"), on a stack of its own
(no archive copy; smtpd_recipient_limit raised so one transaction may
carry every recipient):

  base:  one SMTP transaction (python smtplib) carrying the post to all
         N recipients: time until the server accepted it, and until all
         N copies are in the mailbox;
  ffnet: `ffnet once` reading the secretariat's UDSEND and sending N
         personal copies (own List-Unsubscribe, own VERP return path):
         time until every copy is accepted (once returns), and until all
         N are in the mailbox.

ratio = ffnet / base for both times. The issue's bar: delivered within
1.15 x base. Members are bench+<k>@example.org: distinct recipients
delivered to one Maildir, where they are counted."""

import os
import smtplib
import sqlite3
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "e2e"))
import e2e  # noqa: E402

SIZES = [int(x) for x in os.environ.get("BENCH_LIST", "1000 5000").split()]
CONNS = int(os.environ.get("BENCH_CONNECTIONS", "8"))
PROOF = "Authentication-Results: mx.test.example;\r\n dkim=pass header.d=example.org header.s=s1\r\n"
TEXT = ("Kære medlemmer\r\n\r\nHer er dagsordenen for næste netværksmøde.\r\n\r\n" +
        "".join("%d. Punkt om samarbejde mellem skoler og virksomheder, "
                "praktikpladser og efteruddannelse.\r\n" % k for k in range(1, 40)) +
        "\r\nVenlig hilsen\r\nSekretariatet\r\n")


def maildir_count(md):
    n = 0
    for d in ("new", "cur"):
        p = os.path.join(md, d)
        if os.path.isdir(p):
            n += len(os.listdir(p))
    return n


def maildir_clear(md):
    for d in ("new", "cur"):
        p = os.path.join(md, d)
        if os.path.isdir(p):
            for f in os.listdir(p):
                os.unlink(os.path.join(p, f))


def wait_delivered(md, n, limit=600):
    end = time.time() + limit
    while time.time() < end:
        if maildir_count(md) >= n:
            return time.time()
        time.sleep(0.02)
    return None


def members(net, n):
    e2e.cli(net, "stats")
    db = sqlite3.connect(net.store)
    db.executemany("INSERT INTO members (addr, name, org, lang, status, joined, token) "
                   "VALUES (?, ?, 'Virksomhed', 'da', 'active', 0, lower(hex(randomblob(8))))",
                   [("bench+%d@example.org" % k, "Medlem %d" % k) for k in range(n)])
    db.commit()
    db.close()
    return ["bench+%d@example.org" % k for k in range(n)]


def run(stack, md, n):
    net = e2e.Net(stack, "fan%d" % n, limits="connections = %d\n" % CONNS)
    with open(net.conf_path, "a") as f:
        f.write("\n[auth]\ntrusted_authserv_id = mx.test.example\n")
    rcpts = members(net, n)
    net.send("%sFrom: Anne Sekretær <%s>\r\nTo: %s\r\nSubject: UDSEND Dagsorden for mødet\r\n"
             "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
             "Content-Transfer-Encoding: 8bit\r\n\r\n%s" % (PROOF, net.sek, net.user, TEXT))
    maildir_clear(md)
    stack.wait()
    # ffnet first; the base then carries ffnet's own message (one copy's
    # bytes) to the same recipients
    t0 = time.time()
    p = subprocess.run([e2e.FFNET, "-c", net.conf_path, "once"], capture_output=True, text=True)
    f_acc = time.time() - t0
    f_done = wait_delivered(md, n)
    f_del = (f_done - t0) if f_done else float("nan")
    sent = net.sql("SELECT count(*) FROM post_rcpts WHERE sent IS NOT NULL")[0][0]
    data = net.sql("SELECT data FROM posts")[0][0]
    if isinstance(data, str):
        data = data.encode()
    msg = b"List-Unsubscribe: <mailto:x@example.org>\r\n" + data
    stack.wait()
    maildir_clear(md)
    t0 = time.time()
    with smtplib.SMTP(stack.host, stack.port("SMTP_PORT")) as smtp:
        smtp.sendmail(net.user, rcpts, msg)
    b_acc = time.time() - t0
    b_done = wait_delivered(md, n)
    b_del = (b_done - t0) if b_done else float("nan")
    stack.wait()
    maildir_clear(md)
    net.done()
    return dict(n=n, f_acc=f_acc, f_del=f_del, b_acc=b_acc, b_del=b_del, sent=sent,
                ok=p.returncode == 0 and sent == n and f_done is not None and b_done is not None,
                size=len(msg))


def main():
    os.environ["FFNET_VALGRIND"] = ""
    os.environ["MAILSTACK_ARCHIVE"] = "0"
    os.environ["MAILSTACK_POSTCONF"] = "smtpd_recipient_limit = 20000"
    stack = e2e.Stack()
    rc = 0
    try:
        stack.adduser("bench@example.org")
        md = os.path.join(stack.dir, "mail", "example.org", "bench", "Maildir")
        print("bench: list fan-out, personal copies vs one SMTP transaction (%d connections)" % CONNS)
        for n in SIZES:
            r = run(stack, md, n)
            print("  N=%-5d message %d bytes%s" % (n, r["size"], "" if r["ok"] else "  (INCOMPLETE: %d sent)" % r["sent"]))
            print("    base  one transaction:  accepted %6.2f s  delivered %6.2f s" % (r["b_acc"], r["b_del"]))
            print("    ffnet %5d copies:     accepted %6.2f s  delivered %6.2f s" % (n, r["f_acc"], r["f_del"]))
            print("    ratio ffnet / base:      delivered %6.2f   (bar 1.15)   accepted %.2f"
                  % (r["f_del"] / r["b_del"], r["f_acc"] / max(r["b_acc"], 1e-9)))
            if not r["ok"]:
                rc = 1
    finally:
        stack.stop()
    return rc


if __name__ == "__main__":
    sys.exit(main())
