#!/usr/bin/env python3
"""make demo: starts a local mail stack, creates a network, lets members
write to it as they would from Outlook, Gmail and an iPhone, runs ffnet,
and prints the conversation."""

import os
import subprocess
import sys
import textwrap

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "e2e"))
import e2e  # noqa: E402

shown = set()


def show(net, addr, label):
    for m in net.replies(addr):
        key = m["Message-ID"]
        if key in shown:
            continue
        shown.add(key)
        print("\n  <<< ffnet svarer %s" % label)
        print("      Fra:  %s" % m["From"])
        print("      Til:  %s" % m["To"])
        print("      Emne: %s" % m["Subject"])
        for line in e2e.body(m).strip().splitlines()[:20]:
            print("      | " + line)


def say(net, who, raw, note):
    m = e2e.email.message_from_bytes((raw.strip() + "\n").encode(), policy=e2e.email.policy.default)
    print("\n  >>> %s (%s)" % (who, note))
    print("      Fra:  %s" % m["From"])
    print("      Emne: %s" % m["Subject"])
    for line in e2e.body(m).strip().splitlines():
        print("      | " + line)
    net.send(raw)


def run(net):
    print("\n  --- ffnet -c ffnet.conf once")
    net.once(valgrind=False)
    for line in net.log.splitlines():
        if "uid=" in line or "queued" in line or "sent" in line:
            print("      " + line.replace("ffnet: ", ""))


def main():
    os.environ["FFNET_VALGRIND"] = ""
    print("ffnet demo: a real Dovecot and Postfix on 127.0.0.1, and ffnet between them.")
    stack = e2e.Stack()
    try:
        net = e2e.Net(stack, "demo")
        print("Netværkets adresse: %s   (konfiguration: %s)" % (net.user, net.conf_path))
        # what the operator runs first: the servers, as the daemon will see them
        print("\n  --- ffnet -c ffnet.conf check --connect")
        p = subprocess.run([e2e.FFNET, "-c", net.conf_path, "check", "--connect"],
                           capture_output=True, text=True)
        for line in (p.stdout + p.stderr).splitlines():
            if "password" not in line:   # the demo's own config warnings
                print("      " + line.replace("ffnet: ", ""))
        jens, anna, lise = net.addr("jens"), net.addr("anna"), net.addr("lise")
        say(net, "Jens Hansen, Hansen VVS, i Outlook", """From: "Jens Hansen" <%s>
To: %s
Subject: TILMELD Jens Hansen; Hansen VVS
Content-Type: text/plain; charset="windows-1252"
Content-Transfer-Encoding: quoted-printable

Hej. Jeg vil gerne v=E6re med i netv=E6rket.
Jens
""" % (jens, net.user), "vil være med")
        say(net, "Anna Berg fra Gmail", """From: Anna Berg <%s>
To: %s
Subject: hjælp
Content-Type: text/plain; charset=UTF-8
Content-Transfer-Encoding: 8bit

Hvordan virker det?
""" % (anna, net.user), "vil vide, hvad hun kan")
        say(net, "Lise, skoleleder, til sekretariatet", """From: Lise Holm <%s>
To: %s
Subject: Lokale til næste møde
Content-Type: text/plain; charset=UTF-8
Content-Transfer-Encoding: 8bit

Hej sekretariatet, kan vi låne jeres mødelokale i marts?
""" % (lise, net.user), "almindelig mail til mennesker")
        say(net, "Lises autosvar", """From: Lise Holm <%s>
To: %s
Subject: Automatisk svar: HJÆLP
Auto-Submitted: auto-replied
Content-Type: text/plain; charset=UTF-8
Content-Transfer-Encoding: 8bit

Jeg er på ferie.
""" % (lise, net.user), "må aldrig besvares")
        run(net)
        show(net, jens, "Jens")
        show(net, anna, "Anna")
        conf = net.replies(jens)[-1]
        say(net, "Jens svarer blot på mailen fra sin iPhone", """From: "Jens Hansen" <%s>
To: %s
Subject: SV: %s
In-Reply-To: %s
References: %s
Content-Type: text/plain; charset=UTF-8
Content-Transfer-Encoding: 8bit

Ja tak

Sendt fra min iPhone
""" % (jens, net.user, conf["Subject"], conf["Message-ID"], conf["Message-ID"]), "bekræfter")
        run(net)
        show(net, jens, "Jens")
        peter = net.addr("peter")
        say(net, "Peter Lund i Outlook", """From: Peter Lund <%s>
To: %s
Subject: tilmeld
Content-Type: text/plain; charset=UTF-8

""" % (peter, net.user), "tilmelder sig")
        run(net)
        show(net, peter, "Peter")
        conf = net.replies(peter)[-1]
        say(net, "Peter fortryder og svarer nej", """From: Peter Lund <%s>
To: %s
Subject: SV: %s
In-Reply-To: %s
References: %s
Content-Type: text/plain; charset=UTF-8
Content-Transfer-Encoding: 8bit

Hej

Nej tak, alligevel ikke. Jeg tog fejl af adressen.

Mvh Peter

-----Oprindelig meddelelse-----
Fra: Flere Faglærte Netværket <%s>
Emne: %s

Tak for din interesse for Flere Faglærte Netværket.
""" % (peter, net.user, conf["Subject"], conf["Message-ID"], conf["Message-ID"], net.user, conf["Subject"]),
            "et nej er et nej")
        run(net)
        show(net, peter, "Peter")
        print("\n  --- sekretariatet opretter et møde: ffnet -c ffnet.conf meeting add ...")
        code = e2e.cli(net, "meeting", "add", "--title", "Netværksmøde hos Hansen VVS",
                       "--start", "2030-03-12 14:00", "--end", "2030-03-12 16:30",
                       "--place", "Industrivej 1, 4200 Slagelse", "--host", "Hansen VVS",
                       "--capacity", "20").strip()
        print("      %s" % code)
        say(net, "Jens tilmelder sig mødet", """From: "Jens Hansen" <%s>
To: %s
Subject: DELTAG %s
Content-Type: text/plain; charset=UTF-8
Content-Transfer-Encoding: 8bit

Kost: vegetar
""" % (jens, net.user, code), "med en note om kost")
        run(net)
        show(net, jens, "Jens")
        method, props, raw = e2e.calendar(net.replies(jens)[-1])
        print("\n      Kalenderdelen (text/calendar; method=%s), som Outlook, Google og Apple læser:" % method)
        lines = raw.replace("\r\n ", "").split("\r\n")
        vevent = lines.index("BEGIN:VEVENT") if "BEGIN:VEVENT" in lines else 0
        for line in [l for l in lines[:vevent] if l.startswith("METHOD")] + lines[vevent:]:
            if line.split(":")[0].split(";")[0] in ("METHOD", "UID", "SEQUENCE", "DTSTART", "DTEND",
                                                   "SUMMARY", "LOCATION", "ORGANIZER", "ATTENDEE", "STATUS"):
                print("      | " + line)
        say(net, "Jens har en idé til Markedspladsen", """From: "Jens Hansen" <%s>
To: %s
Subject: IDÉ Lærlinge på tværs af VVS-firmaer
Content-Type: text/plain; charset=UTF-8
Content-Transfer-Encoding: 8bit

Små VVS-firmaer kan dele en lærling, så eleven ser mere af faget.
tema: 1
søger: andre VVS- og el-firmaer og erhvervsskolen
""" % (jens, net.user), "søger partnere")
        run(net)
        show(net, jens, "Jens")
        say(net, "Sekretariatet sender dagsordenen", """From: "Anne Sekretær" <%s>
To: %s
Subject: DAGSORDEN %s
Content-Type: text/plain; charset=UTF-8
Content-Transfer-Encoding: 8bit

Kære medlemmer

1. Velkomst ved Hansen VVS
2. Markedspladsen
3. Rundvisning i værkstedet
4. Eventuelt
""" % (net.sek, net.user, code), "en From-linje beviser intet: ffnet spørger først")
        run(net)
        show(net, net.sek, "sekretariatet (forhåndsvisning)")
        prev = net.replies(net.sek)[-1]
        say(net, "Sekretariatet svarer ja", """From: "Anne Sekretær" <%s>
To: %s
Subject: SV: %s
In-Reply-To: %s
References: %s
Content-Type: text/plain; charset=UTF-8

Ja, send den.
""" % (net.sek, net.user, prev["Subject"], prev["Message-ID"], prev["Message-ID"]), "bekræfter")
        run(net)
        show(net, net.sek, "sekretariatet")
        i = net.imap("catchall@example.org", "catchall")
        i.select("INBOX", readonly=True)
        typ, data = i.uid("SEARCH", None, "HEADER", "List-Id", net.tag)
        uids = data[0].split()
        if uids:
            typ, d = i.uid("FETCH", uids[-1], "(BODY.PEEK[])")
            m = e2e.email.message_from_bytes(d[0][1], policy=e2e.email.policy.default)
            print("\n  <<< listemail: %d %s fik hver sin kopi; en af dem:"
                  % (len(uids), "medlem" if len(uids) == 1 else "medlemmer"))
            for h in ("From", "Reply-To", "To", "Subject", "List-Id", "List-Unsubscribe", "Precedence", "Return-Path"):
                print("      %-17s %s" % (h + ":", m[h]))
            for line in e2e.body(m).strip().splitlines()[:40]:
                print("      | " + line)
        i.logout()
        print("\n  --- ffnet -c ffnet.conf archive")
        for line in e2e.cli(net, "archive").splitlines():
            print("      " + line)
        print("\n  Medlemmer nu:")
        for row in net.sql("SELECT addr, name, org, status FROM members"):
            print("      %s" % " | ".join(str(x) for x in row))
        print("\n  Indbakken (til sekretariatet, ulæst og urørt):")
        for flags, subj in net.folder("INBOX"):
            print("      [%s] %s" % ("ulæst" if "\\Seen" not in flags else "læst", subj))
        print("  Behandlet af ffnet: %d mails" % len(net.folder("Behandlet")))
        print("  Lise fik intet svar: %s" % ("ja" if not net.replies(lise) else "NEJ"))
        net.done()
    finally:
        stack.stop()
    print("\nDone. Try it yourself: README.md says how to point ffnet at a real mailbox.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
