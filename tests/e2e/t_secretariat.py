"""The secretariat's meeting commands by mail (MØDE OPRET, ÆNDR, AFLYS):
a From header proves nothing; a confirmation round trip or a DKIM pass
from a trusted authserv-id does. Loaded by e2e.py."""

import e2e

FIELDS = """Hej

titel: Netværksmøde hos Hansen VVS
start: 2030-09-10 14:00
slut: 2030-09-10 16:30
sted: Industrivej 1, 4200 Slagelse
vært: Hansen VVS
kapacitet: 25
type: møde
åben: nej

Mvh Sekretariatet
"""
PROOF = "Authentication-Results: mx.test.example;\n dkim=pass header.d=example.org header.s=s1\n"


def trust(net):
    with open(net.conf_path, "a") as f:
        f.write("\n[auth]\ntrusted_authserv_id = mx.test.example\n")


def t_secretariat_confirm(s):
    """A spoofable MØDE OPRET creates nothing until the secretariat
    address confirms by replying; a member is refused."""
    net = e2e.Net(s, "sekconf")
    SEK = net.sek
    attacker = net.addr("mallory")
    net.send("From: Sekretariatet <%s>\nReply-To: %s\nTo: %s\nSubject: MØDE OPRET\n"
             "Content-Type: text/plain; charset=utf-8\n\n%s" % (SEK, attacker, net.user, FIELDS))
    net.once()
    e2e.check(net.sql("SELECT count(*) FROM meetings")[0][0] == 0, "secretariat: nothing created on a From header")
    e2e.check(len(net.replies(attacker)) == 0, "secretariat: nothing to the spoofer's Reply-To")
    asked = net.replies(SEK)
    e2e.check(len(asked) == 1 and "Bekræft" in str(asked[0]["Subject"]) and
              "Hansen VVS" in e2e.body(asked[0]), "secretariat: the secretariat address is asked to confirm")
    subj = str(asked[0]["Subject"])
    e2e.check("MØDE OPRET" in subj, "secretariat: the confirmation's Subject names the act: %r" % subj)
    net.send(e2e.outlook_reply(net, asked[0], SEK, "Ja"))
    net.once()
    r = net.replies(SEK)
    rows = net.sql("SELECT code, title, capacity, open FROM meetings")
    e2e.check(rows == [("M1", "Netværksmøde hos Hansen VVS", 25, 0)], "secretariat: created after the reply: %r" % rows)
    e2e.check("M1" in str(r[-1]["Subject"]), "secretariat: told the code")
    # a member may not
    m = e2e.join(net, "member", "Mette Madsen", "Madsen A/S")
    net.send("From: %s\nTo: %s\nSubject: MØDE AFLYS M1\n\n" % (m, net.user))
    net.once()
    e2e.check("sekretariatet" in str(net.replies(m)[-1]["Subject"]).lower(), "secretariat: a member is refused politely")
    e2e.check(net.sql("SELECT status FROM meetings")[0][0] == "planned", "secretariat: not cancelled by a member")
    net.done()


def t_secretariat_proof(s):
    """With a DKIM pass from a trusted server the act happens at once;
    changes reach every registrant with a higher SEQUENCE."""
    net = e2e.Net(s, "sekproof")
    SEK = net.sek
    trust(net)
    net.send(PROOF + "From: Sekretariatet <%s>\nTo: %s\nSubject: MØDE OPRET\n"
             "Content-Type: text/plain; charset=utf-8\n\n%s" % (SEK, net.user, FIELDS))
    net.once()
    e2e.check(net.sql("SELECT count(*) FROM meetings")[0][0] == 1, "proof: created at once")
    a = e2e.join(net, "anna", "Anna Berg", "Skolen")
    net.send("From: %s\nTo: %s\nSubject: DELTAG M1\n\n" % (a, net.user))
    net.once()
    net.send(PROOF + "From: %s\nTo: %s\nSubject: MØDE ÆNDR M1\nContent-Type: text/plain; charset=utf-8\n\n"
             "sted: Slagelse Rådhus, Rådhuspladsen 11\n" % (SEK, net.user))
    net.once()
    method, props, raw = e2e.calendar(net.replies(a)[-1])
    e2e.check(method == "REQUEST" and e2e.prop(props, "SEQUENCE") == "1" and "Rådhus" in raw,
              "proof: the change reached the registrant with SEQUENCE 1")
    # a forged pass from an untrusted server counts for nothing
    net.send("Authentication-Results: mx.evil.example; dkim=pass header.d=example.org\n"
             "From: %s\nTo: %s\nSubject: MØDE AFLYS M1\n\n" % (SEK, net.user))
    net.once()
    e2e.check(net.sql("SELECT status FROM meetings")[0][0] == "planned", "proof: an untrusted server's word is not enough")
    net.send(PROOF + "From: %s\nTo: %s\nSubject: MØDE AFLYS M1\n\n" % (SEK, net.user))
    net.once()
    method, props, raw = e2e.calendar(net.replies(a)[-1])
    e2e.check(method == "CANCEL" and e2e.prop(props, "STATUS") == "CANCELLED", "proof: cancelled to all")
    net.done()


def t_late_cancel(s):
    """After the deadline a FRAMELD still works, and the secretariat is
    told; moving the deadline sends no calendar mail."""
    net = e2e.Net(s, "late")
    sek = net.sek
    a = e2e.join(net, "sen", "Søren Sen", "Sen ApS")
    e2e.cli(net, "meeting", "add", "--title", "Udflugt til DM i Skills", "--kind", "outing",
            "--start", "2030-04-20 08:00", "--end", "2030-04-20 17:00", "--place", "Herning",
            "--host", "Slagelse Kommune", "--capacity", "40")
    net.send("From: %s\nTo: %s\nSubject: DELTAG U1\n\n" % (a, net.user))
    net.once()
    n = len(net.replies(a))
    before = len(net.replies(sek))
    out = e2e.cli(net, "meeting", "change", "U1", "--deadline", "2020-01-01 12:00")
    net.once()
    e2e.check("0 calendar mails" in out and len(net.replies(a)) == n,
              "late: a new deadline sends no calendar mail: %r" % out)
    net.send("From: %s\nTo: %s\nSubject: FRAMELD U1\n\n" % (a, net.user))
    net.once()
    method, props, raw = e2e.calendar(net.replies(a)[-1])
    e2e.check(method == "CANCEL", "late: the FRAMELD still cancels the entry")
    told = net.replies(sek)[before:]
    e2e.check(len(told) == 1 and "Sen framelding" in str(told[0]["Subject"]) and a in e2e.body(told[0]),
              "late: the secretariat is told: %r" % [str(m["Subject"]) for m in told])
    net.done()
