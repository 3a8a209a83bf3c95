"""The list: UDSEND, DAGSORDEN and REFERAT from the secretariat as
personal copies with List-* headers and a VERP return path; refusals,
the preview round trip, one-step unsubscribe, bounces that pause a
member, the sending limits. Loaded by e2e.py."""

import base64
import email
import email.policy
import os
import re
import sqlite3

import e2e

PROOF = "Authentication-Results: mx.test.example;\n dkim=pass header.d=example.org header.s=s1\n"


def trust(net, extra=""):
    with open(net.conf_path, "a") as f:
        f.write("\n[auth]\ntrusted_authserv_id = mx.test.example\n" + extra)


def add_members(net, *people):
    """Members put straight into the store (the join flow has its own tests)."""
    out = []
    e2e.cli(net, "stats")    # makes the store
    for who, name, org in people:
        a = net.addr(who)
        db_exec(net, "INSERT INTO members (addr, name, org, lang, status, joined, token) "
                "VALUES (?, ?, ?, 'da', 'active', 0, lower(hex(randomblob(8))))", a, name, org)
        out.append(a)
    return out


def db_exec(net, q, *args):
    db = sqlite3.connect(net.store)
    db.execute(q, args)
    db.commit()
    db.close()


def copies(net, subject_part):
    """The list copies of this network in the catch-all: [(rcpt, msg)],
    the recipient read from the copy's own VERP return path."""
    i = net.imap("catchall@example.org", "catchall")
    i.select("INBOX", readonly=True)
    typ, data = i.uid("SEARCH", None, "HEADER", "List-Id", net.tag)
    out = []
    for uid in data[0].split():
        typ, d = i.uid("FETCH", uid, "(BODY.PEEK[])")
        msg = email.message_from_bytes(d[0][1], policy=email.policy.default)
        if subject_part not in str(msg["Subject"]):
            continue
        rp = str(msg["Return-Path"] or "")
        # with verp = no the copy's own Message-ID names it
        m = re.search(r"\+b-([0-9a-f]+)@", rp) or \
            re.search(r"<ffnet\.b-([0-9a-f]+)\.", str(msg["Message-ID"]))
        rows = net.sql("SELECT addr FROM post_rcpts WHERE token = ?", m.group(1)) if m else []
        out.append((rows[0][0] if rows else None, msg))
    i.logout()
    return out


def pdf_bytes():
    return b"%PDF-1.4\n" + bytes(range(256)) * 40 + b"\n%%EOF\n"


def post_mail(net, frm, subject, text, proof=True, reply_to=None, pdf=None):
    b = "=_ffnet_b1"
    att = ""
    if pdf is not None:
        att = ("--%s\nContent-Type: application/pdf; name=\"Program for mødet.pdf\"\n"
               "Content-Disposition: attachment; filename*=utf-8''Program%%20for%%20m%%C3%%B8det.pdf\n"
               "Content-Transfer-Encoding: base64\n\n%s\n" % (b, base64.encodebytes(pdf).decode()))
    return ("%sFrom: Anne Sekretær <%s>\n%sTo: %s\nSubject: %s\nMIME-Version: 1.0\n"
            "Content-Type: multipart/mixed; boundary=\"%s\"\n\n"
            "--%s\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n%s\n"
            "%s--%s--\n" % (PROOF if proof else "", frm, "Reply-To: %s\n" % reply_to if reply_to else "",
                            net.user, subject, b, b, text, att, b))


def t_list_post(s):
    """UDSEND with a PDF from a proven secretariat: one personal copy per
    active member, headers as a list manager writes them, the file byte
    for byte; archive and stats show it."""
    net = e2e.Net(s, "listpost")
    trust(net, "\n[list]\nunsubscribe_url = https://ffnet.example.org/afmeld\n")
    members = add_members(net, ("anna", "Anna Berg", "Slagelse Erhvervsskole"),
                          ("bo", "Bo Ek", "Ek Maskinfabrik"), ("cilla", "Cilla Dahl", "Jobcenter"))
    paused = add_members(net, ("dorte", "Dorte Fisk", "Fisk ApS"))[0]
    db_exec(net, "UPDATE members SET status = 'paused' WHERE addr = ?", paused)
    pdf = pdf_bytes()
    net.send(post_mail(net, net.sek, "UDSEND Nyt fra netværket: årsmøde på Æbeløgård",
                       "Kære medlemmer\n\nHer er programmet for årsmødet.\n\nMvh Anne", pdf=pdf))
    net.once()
    got = copies(net, "Æbeløgård")
    rcpts = sorted(r for r, _ in got)
    e2e.check(rcpts == sorted(members), "list: one copy per active member, none to the paused: %r" % rcpts)
    tokens = dict(net.sql("SELECT addr, token FROM members"))
    for rcpt, msg in got:
        e2e.check(str(msg["Subject"]) == "Nyt fra netværket: årsmøde på Æbeløgård", "list: Danish subject intact: %s" % msg["Subject"])
        frm = email.utils.parseaddr(str(msg["From"]))
        e2e.check(frm[1] == net.user and frm[0] == "Anne Sekretær via Flere Faglærte Netværket",
                  "list: From is the sender via the network: %r" % (frm,))
        e2e.check(email.utils.parseaddr(str(msg["Reply-To"]))[1] == net.sek, "list: Reply-To the sender")
        to = str(msg["To"]) + str(msg["Cc"] or "")
        e2e.check(all(m not in to for m in members), "list: no member in To or Cc")
        e2e.check(net.tag in str(msg["List-Id"]) and "<mailto:%s>" % net.user in str(msg["List-Post"]) and
                  "mailto:" in str(msg["List-Help"]), "list: List-Id, List-Post, List-Help")
        lu = str(msg["List-Unsubscribe"])
        e2e.check(("+u-%s@" % tokens[rcpt]) in lu and "https://ffnet.example.org/afmeld?t=%s" % tokens[rcpt] in lu,
                  "list: personal List-Unsubscribe (mailto and https): %s" % lu)
        e2e.check(str(msg["List-Unsubscribe-Post"]) == "List-Unsubscribe=One-Click", "list: RFC 8058 header")
        e2e.check(str(msg["Precedence"]) == "list", "list: Precedence: list")
        e2e.check(re.search(r"\+b-[0-9a-f]{16}@example\.org", str(msg["Return-Path"])) is not None,
                  "list: VERP return path: %s" % msg["Return-Path"])
        e2e.check("Her er programmet" in e2e.body(msg), "list: the text")
        atts = [p for p in msg.iter_attachments()]
        e2e.check(len(atts) == 1 and atts[0].get_filename() == "Program for mødet.pdf" and
                  atts[0].get_content() == pdf, "list: the PDF byte for byte, with its Danish name")
    # each copy its own Message-ID, with the copy's bounce token in it
    rtok = dict(net.sql("SELECT addr, token FROM post_rcpts"))
    ids = set(str(m["Message-ID"]) for _, m in got)
    e2e.check(len(ids) == 3, "list: a Message-ID per copy: %r" % ids)
    for rcpt, msg in got:
        e2e.check(re.fullmatch(r"<ffnet\.b-%s\.[0-9]+@example\.org>" % rtok.get(rcpt, "x"), str(msg["Message-ID"])) is not None and
                  "+b-%s@" % rtok.get(rcpt, "x") in str(msg["Return-Path"]),
                  "list: the copy's Message-ID and return path carry its token: %s %s" % (msg["Message-ID"], msg["Return-Path"]))
        e2e.check(str(msg["X-Auto-Response-Suppress"]) == "OOF, AutoReply",
                  "list: copies ask only for no OOF and auto-replies (bounces still come): %s" % msg["X-Auto-Response-Suppress"])
    told = net.replies(net.sek)
    e2e.check(len(told) == 1 and "Sendt" in str(told[0]["Subject"]) and "3 modtagere" in e2e.body(told[0]),
              "list: the secretariat is told it went to 3")
    arch = e2e.cli(net, "archive")
    e2e.check("Æbeløgård" in arch and net.sek in arch and "[1 fil]" in arch, "list: ffnet archive lists it: %s" % arch)
    one = e2e.cli(net, "archive", "1")
    e2e.check("Her er programmet" in one and "Program for mødet.pdf" in one, "list: archive N shows text and file names")
    st = e2e.cli(net, "stats")
    e2e.check("3 of 3 sent" in st and "done" in st, "list: stats: %s" % st)
    # the same message again (a restart, a second round) sends nothing more
    net.once()
    e2e.check(len(copies(net, "Æbeløgård")) == 3, "list: each copy once")
    net.done()


def t_list_refused(s):
    """A member's UDSEND is refused politely; a spoofed secretariat post
    goes nowhere; the preview round trip sends it."""
    net = e2e.Net(s, "listauth")
    trust(net)
    a, b = add_members(net, ("anna", "Anna Berg", "Skolen"), ("bo", "Bo Ek", "Ek A/S"))
    net.send(post_mail(net, a, "UDSEND Køb vores maskiner", "Tilbud!", proof=False))
    net.once()
    r = net.replies(a)
    e2e.check(len(r) == 1 and "sekretariatet" in str(r[0]["Subject"]).lower(), "list: a member's post is refused politely")
    e2e.check(net.sql("SELECT count(*) FROM posts")[0][0] == 0, "list: nothing stored for a member's post")
    attacker = net.addr("mallory")
    net.send(post_mail(net, net.sek, "UDSEND Vigtigt: nyt kodeord", "Klik her", proof=False, reply_to=attacker))
    net.once()
    e2e.check(copies(net, "kodeord") == [], "list: a spoofed secretariat post reaches nobody")
    e2e.check(net.replies(attacker) == [] and net.replies(b) == [], "list: nothing to the spoofer or members")
    prev = net.replies(net.sek)
    e2e.check(len(prev) == 1 and "2 modtagere" in str(prev[0]["Subject"]) and "Klik her" in e2e.body(prev[0]),
              "list: a preview to the secretariat address: %s" % (prev[0]["Subject"] if prev else None))
    net.send(e2e.outlook_reply(net, prev[0], net.sek, "Ja, send den"))
    net.once()
    got = copies(net, "kodeord")
    e2e.check(sorted(r for r, _ in got) == sorted([a, b]), "list: sent after the secretariat's reply")
    net.send(e2e.outlook_reply(net, prev[0], net.sek, "Ja, send den igen"))
    net.once()
    e2e.check(len(copies(net, "kodeord")) == 2, "list: a second confirmation sends nothing more")
    net.done()


def t_list_unsubscribe(s):
    """The List-Unsubscribe mailto takes the member off in one step; the
    token, not the From header, says who."""
    net = e2e.Net(s, "listunsub")
    trust(net)
    a, b = add_members(net, ("anna", "Anna Berg", "Skolen"), ("bo", "Bo Ek", "Ek A/S"))
    net.send(post_mail(net, net.sek, "UDSEND Nyhedsbrev", "Nyt"))
    net.once()
    msg = dict((r, m) for r, m in copies(net, "Nyhedsbrev"))[a]
    mailto = re.search(r"<mailto:([^?>]+)\?subject=([^>]+)>", str(msg["List-Unsubscribe"]))
    # Gmail's unsubscribe button: a plain mail to the mailto address
    net.send("From: %s\nTo: %s\nSubject: %s\n\nThis message was automatically generated by Gmail.\n"
             % (a, mailto.group(1), mailto.group(2)))
    net.once()
    e2e.check(net.sql("SELECT count(*) FROM members WHERE addr = ?", a)[0][0] == 0, "unsubscribe: the member is off")
    e2e.check(net.sql("SELECT count(*) FROM members WHERE addr = ?", b)[0][0] == 1, "unsubscribe: the other stays")
    bye = net.replies(a)
    e2e.check(len(bye) == 1 and "afmeldt" in str(bye[0]["Subject"]), "unsubscribe: told in one mail")
    # a forged token from someone else unsubscribes nobody
    net.send("From: %s\nTo: %s\nSubject: AFMELD\n\n" % (b, mailto.group(1).replace("+u-", "+u-00")))
    net.once()
    e2e.check(net.sql("SELECT count(*) FROM members WHERE addr = ?", b)[0][0] == 1, "unsubscribe: a wrong token does nothing")
    net.send(post_mail(net, net.sek, "UDSEND Nyhedsbrev 2", "Nyt"))
    net.once()
    e2e.check([r for r, _ in copies(net, "Nyhedsbrev 2")] == [b], "unsubscribe: no more list mail")
    net.done()


def dsn(net, to, rcpt, status, diag, action="failed"):
    return """From: MAILER-DAEMON@mx.kunde.example.com (Mail Delivery System)
To: %s
Subject: Undelivered Mail Returned to Sender
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="D"

--D
Content-Type: text/plain

This is the mail system at host mx.kunde.example.com.

<%s>: host mx said: %s

--D
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.kunde.example.com

Final-Recipient: rfc822; %s
Action: %s
Status: %s
Diagnostic-Code: smtp; %s

--D--
""" % (to, rcpt, diag, rcpt, action, status, diag)


def t_list_bounce(s):
    """Bounces to a copy's VERP address: permanent ones on two different
    days pause the member and tell the secretariat, in Danish, with the
    server's words; delays and DMARC refusals do not count; a new
    confirmation resumes."""
    net = e2e.Net(s, "listbounce")
    trust(net, "\n[list]\nbounce_days = 2\n")
    a, b = add_members(net, ("anna", "Anna Berg", "Skolen"), ("bo", "Bo Ek", "Ek A/S"))
    net.send(post_mail(net, net.sek, "UDSEND Bounce-test", "Nyt"))
    net.once()
    verp = dict(net.sql("SELECT addr, token FROM post_rcpts"))
    bounce_to = net.user.replace("@", "+b-%s@" % verp[a])
    net.send(dsn(net, bounce_to, a, "4.4.1", "connect to mx.kunde.example.com: Connection timed out", "delayed"),
             sender="")
    net.send(dsn(net, bounce_to, a, "5.7.1", "550 5.7.1 Unauthenticated email from example.org is not accepted "
                 "due to domain's DMARC policy"), sender="")
    net.once()
    e2e.check(net.sql("SELECT count(*) FROM bounces")[0][0] == 0, "bounce: a delay and a DMARC refusal do not count")
    net.send(dsn(net, bounce_to, a, "5.1.1", "550 5.1.1 <%s>: Recipient address rejected: User unknown" % a), sender="")
    net.once()
    e2e.check(net.sql("SELECT addr, status FROM bounces") == [(a, "5.1.1")], "bounce: counted for the member of the token")
    e2e.check(net.sql("SELECT status FROM members WHERE addr = ?", a)[0][0] == "active", "bounce: one day is not enough")
    # a day later
    db_exec(net, "UPDATE bounces SET day = '2000-01-01', at = at - 86400")
    net.send(dsn(net, bounce_to, a, "5.1.1", "550 5.1.1 <%s>: Recipient address rejected: User unknown" % a), sender="")
    net.once()
    e2e.check(net.sql("SELECT status FROM members WHERE addr = ?", a)[0][0] == "paused", "bounce: paused on the second day")
    told = [m for m in net.replies(net.sek) if a in str(m["Subject"])]
    e2e.check(len(told) == 1 and "User unknown" in e2e.body(told[0]) and "forskellige dage" in e2e.body(told[0]),
              "bounce: the secretariat is told who and why, in Danish")
    e2e.check(all(str(m["Subject"]).find("Undelivered") < 0 for m in net.replies(a)), "bounce: the bounce is not answered")
    net.send(post_mail(net, net.sek, "UDSEND Efter pausen", "Nyt"))
    net.once()
    e2e.check([r for r, _ in copies(net, "Efter pausen")] == [b], "bounce: a paused member gets no list mail")
    # TILMELD again, confirmed: back on the list
    net.send("From: %s\nTo: %s\nSubject: TILMELD\n\n" % (a, net.user))
    net.once()
    conf = [m for m in net.replies(a) if "TILMELD" in str(m["Subject"]) or "Bekræft" in str(m["Subject"])]
    e2e.check(len(conf) == 1, "bounce: a paused member's TILMELD asks to confirm")
    if conf:
        net.send(e2e.outlook_reply(net, conf[-1], a, "Ja"))
        net.once()
    e2e.check(net.sql("SELECT status FROM members WHERE addr = ?", a)[0][0] == "active", "bounce: resumed by the confirmation")
    net.done()



def t_list_agenda(s):
    """DAGSORDEN M1 carries the two ideas that arrived before the meeting
    and its practical details, and reaches a registered guest too."""
    net = e2e.Net(s, "listagenda")
    trust(net)
    a, b = add_members(net, ("anna", "Anna Berg", "Slagelse Erhvervsskole"), ("bo", "Bo Ek", "Ek Maskinfabrik"))
    e2e.cli(net, "meeting", "add", "--title", "Netværksmøde hos Ek Maskinfabrik",
            "--start", "2030-05-07 14:00", "--end", "2030-05-07 16:00", "--place", "Industrivej 1, Slagelse",
            "--host", "Ek Maskinfabrik", "--capacity", "30", "--open")
    net.send("From: Anna Berg <%s>\nTo: %s\nSubject: IDÉ Flere praktikpladser i industrien\n"
             "Content-Type: text/plain; charset=utf-8\n\nVi vil have flere elever ud.\ntema: 1\nsøger: værksteder\n" % (a, net.user))
    net.send("From: Bo Ek <%s>\nTo: %s\nSubject: IDÉ Fælles kursus i svejsning\n"
             "Content-Type: text/plain; charset=utf-8\n\nEt kursus for voksne.\ntema: 2\n" % (b, net.user))
    guest = net.addr("gitte")
    net.send("From: Gitte Gæst <%s>\nTo: %s\nSubject: DELTAG M1\n\n" % (guest, net.user))
    net.once()
    net.send(post_mail(net, net.sek, "DAGSORDEN M1", "1. Velkomst\n2. Markedspladsen\n3. Eventuelt"))
    net.once()
    got = copies(net, "Dagsorden")
    e2e.check(sorted(r for r, _ in got) == sorted([a, b, guest]), "agenda: members and the registered guest: %r" % [r for r, _ in got])
    if got:
        text = e2e.body(got[0][1])
        e2e.check("Flere praktikpladser i industrien" in text and "Fælles kursus i svejsning" in text,
                  "agenda: both ideas on it")
        e2e.check("Slagelse Erhvervsskole" in text and a not in text, "agenda: the organisation, not the address")
        e2e.check("1. Velkomst" in text and "Industrivej 1, Slagelse" in text and "DELTAG M1" in text,
                  "agenda: the secretariat's text and the practical details")
        e2e.check("Netværksmøde hos Ek Maskinfabrik" in str(got[0][1]["Subject"]), "agenda: subject names the meeting")
    guest_copy = [m for r, m in got if r == guest]
    e2e.check(guest_copy and guest_copy[0]["List-Unsubscribe"] is None, "agenda: a guest gets no list unsubscribe")
    net.send(post_mail(net, net.sek, "REFERAT M1", "Referat: vi talte om praktikpladser."))
    net.once()
    got = copies(net, "Referat")
    e2e.check(sorted(r for r, _ in got) == sorted([a, b, guest]) and
              "vi talte om praktikpladser" in e2e.body(got[0][1]), "minutes: to members and guests")
    net.done()


def t_list_limits(s):
    """messages_per_minute = 2: one run sends two mails (the answer to
    the secretariat first, then one copy); the rest waits, stats says so."""
    net = e2e.Net(s, "listlimit", limits="messages_per_minute = 2\nconnections = 1\n")
    trust(net)
    add_members(net, ("anna", "A", "A"), ("bo", "B", "B"), ("cilla", "C", "C"))
    net.send(post_mail(net, net.sek, "UDSEND Langsomt", "Nyt"))
    net.once()
    e2e.check(len(copies(net, "Langsomt")) == 1, "limits: one copy in the first minute")
    told = net.replies(net.sek)
    e2e.check(len(told) == 1 and "omkring" in e2e.body(told[0]), "limits: the secretariat is told when it will be done")
    st = e2e.cli(net, "stats")
    e2e.check("1 of 3 sent" in st and "2 waiting" in st, "limits: stats shows how far: %s" % st)
    # the window has passed: the rest goes
    db_exec(net, "UPDATE post_rcpts SET sent = sent - 120 WHERE sent IS NOT NULL")
    db_exec(net, "UPDATE outbox SET sent = sent - 120 WHERE sent IS NOT NULL")
    net.once()
    e2e.check(len(copies(net, "Langsomt")) == 3, "limits: the rest after a minute, none twice")
    net.done()
