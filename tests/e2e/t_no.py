"""A no is a no (PRODUCT.md rule 8), for every kind of confirmation:
join, leave, a list post's preview, a meeting command, a calendar
decline. A reply that says no carries nothing out and gets one short
answer; a question carries nothing out, is not answered and stays
unread in the inbox; an empty reply, "ja", "ok tak" or "send" still
confirms. Replies are written as Outlook, Apple Mail and Gmail write
them, with the original quoted below. Loaded by e2e.py."""

import email
import email.policy
import sqlite3

import e2e

from t_secretariat import FIELDS  # noqa: E402  the same meeting


def apple_reply(net, orig, frm, text):
    """Apple Mail (Mac, iPhone): Re:, the quote under "Den … skrev …:"."""
    return """From: %s
To: %s
Subject: Re: %s
In-Reply-To: %s
References: %s
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 8bit
Mime-Version: 1.0 (1.0)

%s

Sendt fra min iPhone

> Den 22. nov. 2026 kl. 10.15 skrev Flere Faglærte Netværket <%s>:
>
> Svar blot på denne mail. Du behøver ikke skrive noget.
""" % (frm, net.user, orig["Subject"], orig["Message-ID"], orig["Message-ID"], text, net.user)


def gmail_reply(net, orig, frm, text):
    """Gmail: Re:, multipart/alternative, "On … wrote:" wrapped, > quotes."""
    html = "<br>".join(text.split("\n"))
    return """From: %s
To: %s
Subject: Re: %s
In-Reply-To: %s
References: %s
MIME-Version: 1.0
Content-Type: multipart/alternative; boundary="000000000000gm01"

--000000000000gm01
Content-Type: text/plain; charset="UTF-8"
Content-Transfer-Encoding: 8bit

%s

On Sun, 22 Nov 2026 at 10:15, Flere Faglærte Netværket <
%s> wrote:

> Svar blot på denne mail – du behøver ikke skrive noget.
>

--000000000000gm01
Content-Type: text/html; charset="UTF-8"
Content-Transfer-Encoding: 8bit

<div dir="ltr">%s</div><br><div class="gmail_quote"><div dir="ltr" class="gmail_attr">On Sun, 22 Nov 2026 at 10:15, Flere Faglærte Netværket &lt;%s&gt; wrote:<br></div><blockquote class="gmail_quote">Svar blot på denne mail</blockquote></div>
--000000000000gm01--
""" % (frm, net.user, orig["Subject"], orig["Message-ID"], orig["Message-ID"], text, net.user, html, net.user)


def outlook_html_reply(net, orig, frm, text):
    """Outlook on the web: HTML only, the original under a Fra:/Sendt: block."""
    return """From: %s
To: %s
Subject: SV: %s
In-Reply-To: %s
References: %s
MIME-Version: 1.0
Content-Type: text/html; charset="utf-8"
Content-Transfer-Encoding: 8bit

<html><body><div style="font-family:Calibri">%s</div>
<div><br></div>
<hr style="display:inline-block;width:98%%">
<div id="divRplyFwdMsg"><font face="Calibri"><b>From:</b> Flere Faglærte Netværket &lt;%s&gt;<br>
<b>Sent:</b> Sunday, 22 November 2026 10:15<br><b>To:</b> %s<br>
<b>Subject:</b> %s</font></div>
<div>Please confirm by simply replying to this email.</div></body></html>
""" % (frm, net.user, orig["Subject"], orig["Message-ID"], orig["Message-ID"], text, net.user, frm,
       orig["Subject"])


def copies(net, subject_part):
    """The list copies of this network that arrived (List-Id has its tag)."""
    i = net.imap("catchall@example.org", "catchall")
    i.select("INBOX", readonly=True)
    typ, data = i.uid("SEARCH", None, "HEADER", "List-Id", net.tag)
    out = []
    for uid in data[0].split():
        typ, d = i.uid("FETCH", uid, "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
        msg = email.message_from_bytes(d[0][1], policy=email.policy.default)
        if subject_part in str(msg["Subject"]):
            out.append(msg)
    i.logout()
    return out


def subjects(msgs):
    return [str(m["Subject"]) for m in msgs]


def inbox_unread(net):
    """The messages left in the network's inbox, all unread."""
    box = net.folder("INBOX")
    return len(box) if all("\\Seen" not in f for f, _ in box) else -1


def db_exec(net, q, *args):
    db = sqlite3.connect(net.store)
    db.execute(q, args)
    db.commit()
    db.close()


def add_members(net, *who):
    """Members put straight into the store (the join flow has its tests)."""
    e2e.cli(net, "stats")    # makes the store
    out = []
    for w in who:
        a = net.addr(w)
        db_exec(net, "INSERT INTO members (addr, name, org, lang, status, joined, token) "
                "VALUES (?, ?, 'Org', 'da', 'active', 0, lower(hex(randomblob(8))))", a, w.title())
        out.append(a)
    return out


def ask(net, frm, subject, text=""):
    """Sends a command; returns the confirmation mail it brought."""
    n = len(net.replies(frm))
    net.send("From: %s\nTo: %s\nSubject: %s\nContent-Type: text/plain; charset=utf-8\n\n%s"
             % (frm, net.user, subject, text))
    net.once()
    r = net.replies(frm)
    e2e.check(len(r) == n + 1 and e2e.code_of(r[-1]) is not None,
              "no: %s asked to confirm: %s" % (subject, subjects(r[n:])))
    return r[-1] if len(r) > n else None


def answered(net, frm, before, want):
    """Exactly one new mail to frm since before, with want in its Subject."""
    r = net.replies(frm)
    return len(r) == before + 1 and want in str(r[-1]["Subject"])


def pending_state(net, code):
    rows = net.sql("SELECT used IS NOT NULL, cancelled IS NOT NULL FROM pending WHERE code = ?", code)
    return rows[0] if rows else None


def t_no_join(s):
    """TILMELD answered with a no, a question, a no that asks, an English
    no in HTML only, and the yeses that still work."""
    net = e2e.Net(s, "nojoin")
    check = e2e.check
    jens, lise, ole, jane, mona = (net.addr(w) for w in ("jens", "lise", "ole", "jane", "mona"))

    # "Nej, det har jeg ikke bedt om." (Outlook, quoted original below)
    conf = ask(net, jens, "TILMELD Jens Hansen; Hansen VVS")
    net.send(e2e.outlook_reply(net, conf, jens, "Nej, det har jeg ikke bedt om. Slet mig venligst."))
    net.once()
    check(net.sql("SELECT count(*) FROM members")[0][0] == 0, "no join: not a member after a no")
    check(answered(net, jens, 1, "ikke blevet tilmeldt"), "no join: one short answer: %s" % subjects(net.replies(jens)))
    check("TILMELD" in e2e.body(net.replies(jens)[-1]), "no join: the answer says how to join after all")
    check(pending_state(net, e2e.code_of(conf)) == (1, 1), "no join: the pending row is cancelled")
    check(net.sql("SELECT count(*) FROM audit WHERE addr = ? AND action = 'join-cancelled'", jens)[0][0] == 1 and
          net.sql("SELECT count(*) FROM audit WHERE action = 'joined'")[0][0] == 0, "no join: audit row")
    check(net.folder("INBOX") == [], "no join: the no is filed")
    # a later yes to the same mail does not revive it
    net.send(e2e.outlook_reply(net, conf, jens, "Ja"))
    net.once()
    check(net.sql("SELECT count(*) FROM members")[0][0] == 0, "no join: a yes after the no confirms nothing")
    check(answered(net, jens, 2, "annulleret"), "no join: told the code is cancelled: %s" % subjects(net.replies(jens)))

    # "Hvad er det her?" (iPhone): nothing done, nothing answered, unread
    conf = ask(net, lise, "TILMELD Lise Holm")
    net.send(apple_reply(net, conf, lise, "Hvad er det her?"))
    net.once()
    check(net.sql("SELECT count(*) FROM members")[0][0] == 0, "question join: not a member")
    check(len(net.replies(lise)) == 1, "question join: not answered")
    check(inbox_unread(net) == 1, "question join: left unread in the inbox: %r" % net.folder("INBOX"))
    check(pending_state(net, e2e.code_of(conf)) == (0, 0), "question join: the pending row is untouched")
    check("left for a person" in net.log, "question join: logged why")
    # then an empty Gmail reply confirms, as the confirmation mail promises
    net.send(gmail_reply(net, conf, lise, ""))
    net.once()
    check(net.sql("SELECT status FROM members WHERE addr = ?", lise) == [("active",)],
          "question join: a later empty reply still confirms")
    check(answered(net, lise, 1, "Velkommen"), "question join: welcome: %s" % subjects(net.replies(lise)))
    check(inbox_unread(net) == 1, "question join: the question is still there for a person")
    # a no to what is done already undoes nothing by itself: for a person
    net.send(apple_reply(net, conf, lise, "Nej, slet mig igen"))
    net.once()
    check(net.sql("SELECT status FROM members WHERE addr = ?", lise) == [("active",)] and
          len(net.replies(lise)) == 2 and inbox_unread(net) == 2,
          "no join: a no after the welcome is left unanswered for a person")

    # a greeting first, then no (Gmail); a no that also asks (Outlook)
    conf = ask(net, ole, "TILMELD Ole Dam")
    net.send(gmail_reply(net, conf, ole, "Hej\n\nNej tak\n\nMvh Ole"))
    net.once()
    check(net.sql("SELECT count(*) FROM members WHERE addr = ?", ole)[0][0] == 0 and
          answered(net, ole, 1, "ikke blevet tilmeldt"), "no join: greeting, then no")
    conf = ask(net, mona, "TILMELD Mona Lund")
    net.send(e2e.outlook_reply(net, conf, mona, "Nej tak. Hvem har tilmeldt mig?"))
    net.once()
    check(net.sql("SELECT count(*) FROM members WHERE addr = ?", mona)[0][0] == 0 and
          answered(net, mona, 1, "ikke blevet tilmeldt"), "no join: a no that asks is a no")
    check(inbox_unread(net) == 3, "no join: ... and its question stays for a person: %r" % net.folder("INBOX"))

    # English, HTML only (Outlook on the web)
    conf = ask(net, jane, "JOIN Jane Smith")
    net.send(outlook_html_reply(net, conf, jane, "No thanks, I didn&#8217;t sign up for this."))
    net.once()
    check(net.sql("SELECT count(*) FROM members WHERE addr = ?", jane)[0][0] == 0, "no join: English HTML no")
    check(answered(net, jane, 1, "You have not been added"), "no join: answered in English: %s"
          % subjects(net.replies(jane)))
    net.done()


def t_no_leave(s):
    """AFMELD answered with a no, a question, then "Ja tak, slet mig"."""
    net = e2e.Net(s, "noleave")
    check = e2e.check
    karen = e2e.join(net, "karen", "Karen Holm", "Slagelse Kommune")
    check(net.sql("SELECT count(*) FROM members")[0][0] == 1, "no leave: a member first")
    n = len(net.replies(karen))
    conf = ask(net, karen, "AFMELD")
    net.send(e2e.outlook_reply(net, conf, karen, "Hej\n\nNej tak, jeg vil gerne blive. Det var en fejl."))
    net.once()
    check(net.sql("SELECT count(*) FROM members")[0][0] == 1, "no leave: still a member after a no")
    check(answered(net, karen, n + 1, "stadig medlem"), "no leave: one short answer: %s"
          % subjects(net.replies(karen)[n:]))
    check(net.sql("SELECT count(*) FROM audit WHERE action = 'left'")[0][0] == 0, "no leave: no 'left' audit")

    conf = ask(net, karen, "AFMELD")
    n = len(net.replies(karen))
    net.send(apple_reply(net, conf, karen, "Hvad sker der så med mine tilmeldinger?"))
    net.once()
    check(net.sql("SELECT count(*) FROM members")[0][0] == 1, "question leave: still a member")
    check(len(net.replies(karen)) == n, "question leave: not answered")
    check(inbox_unread(net) == 1, "question leave: left unread in the inbox")
    # the act in its own words confirms it
    net.send(e2e.outlook_reply(net, conf, karen, "Ja tak, slet mig"))
    net.once()
    check(net.sql("SELECT count(*) FROM members")[0][0] == 0, "yes leave: 'Ja tak, slet mig' leaves")
    check(answered(net, karen, n, "afmeldt"), "yes leave: goodbye")
    net.done()


def t_no_post(s):
    """A list post's preview: "Nej, send den ikke!" sends nothing; a
    question waits for a person; "send" sends it."""
    net = e2e.Net(s, "nopost")
    check = e2e.check
    sek = net.sek
    a, b = add_members(net, "anna", "bo")
    prev = ask(net, sek, "UDSEND Nyhedsbrev december", "Kære alle\n\nHer er nyhedsbrevet.\n")
    check(prev is not None and "2 modtagere" in str(prev["Subject"]), "no post: a preview")
    net.send(e2e.outlook_reply(net, prev, sek, "Nej, send den ikke! Der er en fejl i teksten."))
    net.once()
    check(net.sql("SELECT count(*) FROM post_rcpts")[0][0] == 0, "no post: no copies made")
    check(copies(net, "december") == [], "no post: nothing to the members")
    check(net.sql("SELECT state FROM posts") == [("preview",)], "no post: the post stays a preview")
    check(answered(net, sek, 1, "Ikke sendt"), "no post: 'Ikke sendt': %s" % subjects(net.replies(sek)))
    check("UDSEND" in e2e.body(net.replies(sek)[-1]), "no post: says how to send it again")
    # "send" to the cancelled preview sends nothing
    net.send(e2e.outlook_reply(net, prev, sek, "send"))
    net.once()
    check(net.sql("SELECT count(*) FROM post_rcpts")[0][0] == 0 and net.replies(a) == [],
          "no post: a later 'send' to the same preview sends nothing")
    check(answered(net, sek, 2, "annulleret"), "no post: told it is cancelled")

    prev = ask(net, sek, "UDSEND Nyhedsbrev januar", "Kære alle\n\nGodt nytår.\n")
    n = len(net.replies(sek))
    net.send(gmail_reply(net, prev, sek, "Hvad er det her?"))
    net.once()
    check(net.sql("SELECT count(*) FROM post_rcpts")[0][0] == 0 and net.replies(a) == [],
          "question post: not sent")
    check(len(net.replies(sek)) == n, "question post: not answered")
    check(inbox_unread(net) == 1, "question post: left unread in the inbox")
    net.send(e2e.outlook_reply(net, prev, sek, "send"))
    net.once()
    net.once()
    sent = net.sql("SELECT r.addr FROM post_rcpts r JOIN posts p ON p.id = r.post "
                   "WHERE r.sent IS NOT NULL AND p.subject LIKE '%januar%' ORDER BY r.addr")
    check(sent == sorted([(a,), (b,)]), "yes post: 'send' sends it to both members: %r" % sent)
    check(len(copies(net, "januar")) == 2, "yes post: two copies arrived")
    check(copies(net, "december") == [], "no post: the cancelled one never went")
    net.done()


def t_no_meeting(s):
    """MØDE OPRET and MØDE AFLYS answered with no; a question; "ok tak"."""
    net = e2e.Net(s, "nomeeting")
    check = e2e.check
    sek = net.sek
    conf = ask(net, sek, "MØDE OPRET", FIELDS)
    net.send(e2e.outlook_reply(net, conf, sek, "Hej\n\nNej tak, datoen er forkert."))
    net.once()
    check(net.sql("SELECT count(*) FROM meetings")[0][0] == 0, "no meeting: nothing created")
    check(answered(net, sek, 1, "Ikke udført"), "no meeting: 'Ikke udført': %s" % subjects(net.replies(sek)))

    conf = ask(net, sek, "MØDE OPRET", FIELDS)
    n = len(net.replies(sek))
    net.send(apple_reply(net, conf, sek, "Hvad betyder det?"))
    net.once()
    check(net.sql("SELECT count(*) FROM meetings")[0][0] == 0, "question meeting: nothing created")
    check(len(net.replies(sek)) == n and inbox_unread(net) == 1, "question meeting: unanswered, in the inbox")
    net.send(gmail_reply(net, conf, sek, "ok tak"))
    net.once()
    check(net.sql("SELECT code, status FROM meetings") == [("M1", "planned")], "yes meeting: 'ok tak' creates it")

    m = add_members(net, "mette")[0]
    net.send("From: %s\nTo: %s\nSubject: DELTAG M1\n\n" % (m, net.user))
    net.once()
    n_m = len(net.replies(m))
    conf = ask(net, sek, "MØDE AFLYS M1")
    n = len(net.replies(sek))
    net.send(e2e.outlook_reply(net, conf, sek, "Nej! Mødet skal ikke aflyses."))
    net.once()
    check(net.sql("SELECT status FROM meetings") == [("planned",)], "no meeting: not cancelled")
    check(len(net.replies(m)) == n_m, "no meeting: the registrant hears nothing")
    check(answered(net, sek, n, "Ikke udført"), "no meeting: cancel not done, said so")
    net.done()


def decline(net, addr, uid, seq=0):
    """Outlook's iTIP REPLY with PARTSTAT=DECLINED for a registration."""
    net.send("""From: %s
To: %s
Subject: Afvist: Netværksmøde
MIME-Version: 1.0
Content-Type: multipart/alternative; boundary="_ol_decl"

--_ol_decl
Content-Type: text/plain; charset="utf-8"

Afvist

--_ol_decl
Content-Type: text/calendar; charset="utf-8"; method=REPLY

BEGIN:VCALENDAR
METHOD:REPLY
PRODID:Microsoft Exchange Server 2010
VERSION:2.0
BEGIN:VEVENT
ATTENDEE;PARTSTAT=DECLINED:mailto:%s
SUMMARY:Afvist: Netværksmøde
UID:%s
SEQUENCE:%d
DTSTART:20300613T120000Z
DTEND:20300613T143000Z
DTSTAMP:20261122T101500Z
END:VEVENT
END:VCALENDAR

--_ol_decl--
""" % (addr, net.user, addr, uid, seq))


def t_no_calreply(s):
    """A calendar decline asks first; "Nej, jeg kommer gerne!" keeps the
    seat; a question keeps it too; "Ja" gives it up."""
    net = e2e.Net(s, "nocal")
    check = e2e.check
    carl = add_members(net, "carl")[0]
    e2e.cli(net, "meeting", "add", "--title", "Netværksmøde hos Hansen VVS",
            "--start", "2030-06-13 14:00", "--end", "2030-06-13 16:30",
            "--place", "Industrivej 1, 4200 Slagelse", "--host", "Hansen VVS", "--capacity", "4")
    net.send("From: %s\nTo: %s\nSubject: DELTAG M1\n\n" % (carl, net.user))
    net.once()
    uid = net.sql("SELECT uid FROM registrations WHERE addr = ?", carl)
    check(len(uid) == 1, "no calreply: registered")
    uid = uid[0][0] if uid else "x"

    def state():
        return net.sql("SELECT state FROM registrations WHERE addr = ?", carl)[0][0]

    decline(net, carl, uid)
    net.once()
    q = net.replies(carl)[-1]
    check("framelde" in str(q["Subject"]) and e2e.code_of(q) is not None, "no calreply: asked: %s" % q["Subject"])
    n = len(net.replies(carl))
    net.send(e2e.outlook_reply(net, q, carl, "Hej\n\nNej, jeg kommer gerne! Jeg slettede den ved en fejl."))
    net.once()
    check(state() == "registered", "no calreply: the seat is kept")
    check(answered(net, carl, n, "beholder din plads"), "no calreply: told so: %s" % subjects(net.replies(carl)[n:]))
    check(e2e.calendar(net.replies(carl)[-1])[0] is None, "no calreply: no CANCEL")

    decline(net, carl, uid)
    net.once()
    q = net.replies(carl)[-1]
    n = len(net.replies(carl))
    net.send(apple_reply(net, q, carl, "Hvad betyder det?"))
    net.once()
    check(state() == "registered", "question calreply: the seat is kept")
    check(len(net.replies(carl)) == n and inbox_unread(net) == 1, "question calreply: unanswered, in the inbox")
    net.send(e2e.outlook_reply(net, q, carl, "Ja"))
    net.once()
    check(state() == "cancelled", "yes calreply: 'Ja' gives up the seat")
    check(e2e.calendar(net.replies(carl)[-1])[0] == "CANCEL", "yes calreply: the CANCEL follows")
    net.done()
