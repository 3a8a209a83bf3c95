"""List mail through a server that keeps its own mailbox as envelope
sender (Microsoft 365 / Exchange Online): [list] verp = no, bounces
matched by the copy's Message-ID in an Exchange-shaped NDR, and
check --connect --send-test. Loaded by e2e.py."""

import email
import email.policy
import os
import re
import subprocess
import time

import e2e
import t_list


def exchange_ndr(net, rcpt, orig_raw, orig_id):
    """An NDR as Exchange Online writes it (sisimai's lhost-office365
    samples): multipart/report, X-MS-Exchange-Message-Is-Ndr, In-Reply-To
    and References the original's, the original attached."""
    return """From: Microsoft Outlook <MicrosoftExchange329e71ec88ae4615bbc36ab6ce41109e@example.org>
To: <%(user)s>
Subject: Undeliverable: Exchange-test
In-Reply-To: %(id)s
References: %(id)s
Auto-Submitted: auto-replied
X-MS-Exchange-Message-Is-Ndr:
Content-Language: en-US
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status;
 boundary="_000_NDR_"

--_000_NDR_
Content-Type: text/plain; charset="us-ascii"

Your message to %(rcpt)s couldn't be delivered.
%(local)s wasn't found at example.com.

--_000_NDR_
Content-Type: message/delivery-status

Reporting-MTA: dns;AM0PR01MB1234.eurprd01.prod.exchangelabs.com
Received-From-MTA: dns;AM0PR01MB1234.eurprd01.prod.exchangelabs.com

Final-Recipient: rfc822;%(rcpt)s
Action: failed
Status: 5.1.10
Diagnostic-Code: smtp;550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup

--_000_NDR_
Content-Type: message/rfc822

%(orig)s
--_000_NDR_--
""" % dict(user=net.user, id=orig_id, rcpt=rcpt, local=rcpt.split("@")[0],
           orig=orig_raw)


def t_exchange_bounce(s):
    """verp = no: the copies' envelope sender is the network's address;
    an Exchange NDR with no VERP token, naming one copy's Message-ID, is
    counted for that member and nobody else; one naming a Message-ID that
    is not ffnet's is left for a person."""
    net = e2e.Net(s, "exchange")
    t_list.trust(net, "\n[list]\nverp = no\n")
    a, b, c = t_list.add_members(net, ("anna", "Anna Berg", "Skolen"), ("bo", "Bo Ek", "Ek A/S"),
                                 ("cilla", "Cilla Dahl", "Jobcenter"))
    net.send(t_list.post_mail(net, net.sek, "UDSEND Exchange-test", "Nyt fra netværket"))
    net.once()
    got = t_list.copies(net, "Exchange-test")
    e2e.check(sorted(r for r, _ in got) == sorted([a, b, c]), "exchange: one copy each: %r" % [r for r, _ in got])
    for rcpt, msg in got:
        e2e.check(str(msg["Return-Path"]) == "<%s>" % net.user,
                  "exchange: verp = no: the envelope sender is the network: %s" % msg["Return-Path"])
        # the copy was really delivered to the member its Message-ID names
        # (Postfix's Received: "for <rcpt>")
        e2e.check(rcpt is not None and "<%s>" % rcpt in str(msg.get_all("Received")),
                  "exchange: the Message-ID's token is the copy's: %s %s" % (rcpt, msg.get_all("Received")))
    orig = [m for r, m in got if r == b]
    if not e2e.check(len(orig) == 1, "exchange: bo's copy"):
        net.done()
        return
    raw = orig[0].as_bytes(policy=email.policy.SMTP).decode("utf-8", "replace").replace("\r\n", "\n")
    net.send(exchange_ndr(net, b, raw, str(orig[0]["Message-ID"])), sender="")
    net.once()
    e2e.check(net.sql("SELECT addr, status FROM bounces") == [(b, "5.1.10")],
              "exchange: the NDR is counted for bo only: %r" % net.sql("SELECT addr, status FROM bounces"))
    e2e.check(net.sql("SELECT count(*) FROM members WHERE status != 'active'")[0][0] == 0,
              "exchange: nobody paused after one day")
    e2e.check(all("Undeliverable" not in str(m["Subject"]) for m in net.replies(b)), "exchange: the NDR is not answered")
    e2e.check(not any("Undeliverable" in subj for _, subj in net.folder("INBOX")), "exchange: the NDR is filed")
    # someone else's mail bounced to the network: not ours, not counted
    foreign = raw.replace(str(orig[0]["Message-ID"]), "<CAF8x2=abc123@mail.gmail.com>")
    net.send(exchange_ndr(net, a, foreign, "<CAF8x2=abc123@mail.gmail.com>").replace(
        "Exchange-test", "Fremmed post"), sender="")
    net.once()
    e2e.check(net.sql("SELECT count(*) FROM bounces")[0][0] == 1, "exchange: a bounce of mail not ours is not counted")
    e2e.check(any("Fremmed post" in subj for _, subj in net.folder("INBOX")),
              "exchange: a bounce of mail not ours stays in the inbox for a person")
    net.done()


def send_test(net):
    cmd = [e2e.FFNET, "-c", net.conf_path, "check", "--connect", "--send-test"]
    if e2e.VALGRIND:
        cmd = e2e.VALGRIND.split() + cmd
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    e2e.check(p.returncode != 99, "send-test: valgrind found errors:\n" + p.stderr[-3000:])
    if os.environ.get("E2E_SHOW"):
        print(p.stdout + p.stderr)
    return p.returncode, p.stdout, p.stderr


def t_exchange_send_test(s):
    """check --connect --send-test against the loopback stack (Postfix
    and Dovecot with recipient_delimiter = +): plus addressing delivers
    to the Inbox, the VERP return path survives, the test mail is moved
    to the done folder, and the daemon takes it for its own. Sent to a
    mailbox the IMAP login does not read, it reports the mail missing."""
    net = e2e.Net(s, "sendtest")
    rc, out, err = send_test(net)
    e2e.check(rc == 0, "send-test: exit 0 on the loopback stack: %d\n%s%s" % (rc, out, err))
    e2e.check("plus addressing works" in out and "+selftest@" in out, "send-test: plus addressing delivered it:\n" + out)
    e2e.check("landed in INBOX, not in Junk" in out, "send-test: in the Inbox:\n" + out)
    e2e.check("kept its VERP token" in out and "verp = yes works" in out, "send-test: the VERP token survives:\n" + out)
    e2e.check(net.folder("INBOX") == [], "send-test: nothing left in the inbox: %r" % net.folder("INBOX"))
    done = net.folder("Behandlet")
    e2e.check(len(done) == 1 and "selvtest" in done[0][1], "send-test: moved to the done folder: %r" % done)
    # put it back: ffnet once must see its own mail and leave it alone
    i = net.imap()
    i.select("Behandlet")
    typ, data = i.uid("SEARCH", None, "ALL")
    for uid in data[0].split():
        i.uid("COPY", uid, "INBOX")
    i.logout()
    net.once()
    e2e.check(any("selvtest" in subj for _, subj in net.folder("INBOX")), "send-test: the daemon leaves its own test mail be")
    e2e.check(net.replies(net.user.replace("@", "+selftest@")) == [] and
              re.search(r"from=%s: self " % re.escape(net.user), net.log) is not None,
              "send-test: not answered, recognised as ffnet's own:\n" + net.log[-1500:])
    # a network address that this IMAP login does not read: reported
    with open(net.conf_path) as f:
        text = f.read()
    other = "ffnet-nowhere%s@example.org" % net.tag
    text = text.replace("address = %s" % net.user, "address = %s" % other).replace(
        "poll_seconds = 5", "poll_seconds = 5\ntimeout = 5")
    with open(net.conf_path, "w") as f:
        f.write(text)
    rc, out, err = send_test(net)
    e2e.check(rc == 1 and "did not arrive" in err and "plus addressing does not deliver" in err,
              "send-test: a mail that never arrives is reported, exit 1: %d\n%s%s" % (rc, out, err))
    net.done()


def t_exchange_send_test_junk(s):
    """send-test when the server files the test mail as junk: a folder
    named as Exchange does in Danish ("Uønsket e-mail") is found, and
    the report says Junk, exit 1. The server's junk filter is played by
    this test: it moves the mail there as soon as it arrives (ffnet's
    mailbox is another folder, so ffnet can only find it in Junk)."""
    net = e2e.Net(s, "sendjunk")
    junk = '"U&APg-nsket e-mail"'
    i = net.imap()
    i.create("Tom")
    i.create(junk)
    i.logout()
    with open(net.conf_path) as f:
        text = f.read()
    with open(net.conf_path, "w") as f:
        f.write(text.replace("mailbox = INBOX", "mailbox = Tom").replace(
            "poll_seconds = 5", "poll_seconds = 5\ntimeout = 30"))
    p = subprocess.Popen([e2e.FFNET, "-c", net.conf_path, "check", "--connect", "--send-test"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    moved = False
    i = net.imap()
    for _ in range(200):
        i.select("INBOX")
        typ, data = i.uid("SEARCH", None, "HEADER", "Message-ID", "ffnet.selftest.")
        if data[0].split():
            for uid in data[0].split():
                i.uid("MOVE", uid, junk)
            moved = True
            break
        time.sleep(0.1)
    i.logout()
    out, err = p.communicate(timeout=120)
    e2e.check(moved, "send-test junk: the test mail arrived in INBOX to be moved")
    e2e.check(p.returncode == 1 and "landed in Junk" in err and "Junk folder is Uønsket e-mail" in out,
              "send-test junk: reported in Junk, exit 1: %d\n%s%s" % (p.returncode, out, err))
    e2e.check("plus addressing works" in out, "send-test junk: plus addressing still worked:\n" + out)
    e2e.check(len(net.folder("Behandlet")) == 1, "send-test junk: moved to the done folder from Junk")
    net.done()
