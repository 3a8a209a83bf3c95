"""The secretariat's member tools: member import of the network's own
list as Excel saves it (Windows-1252 with semicolons, UTF-8 with a BOM
and commas; all or nothing), members --csv read back into another store,
member add/set/pause/resume/remove/show with the audit and consent rows,
and MEDLEMMER by mail (the CSV attached; proof or a confirmation first;
refused to a member). Loaded by e2e.py."""

import os
import subprocess

import e2e
from t_secretariat import PROOF, trust

CONSENT = "Tilmeldt på papir ved netværksmødet 12. marts 2026"


def run(net, *args, raw=False):
    """(exit code, stdout, stderr) of ffnet -c CONF args...; stdout as
    bytes with raw; stderr without the test config's own warnings."""
    p = subprocess.run([e2e.FFNET, "-c", net.conf_path] + list(args), capture_output=True)
    err = "".join(l for l in p.stderr.decode("utf-8").splitlines(True) if net.conf_path not in l)
    return p.returncode, p.stdout if raw else p.stdout.decode("utf-8"), err


def write(net, name, data):
    path = os.path.join(net.dir, name)
    with open(path, "wb") as f:
        f.write(data)
    return path


def members(net):
    return net.sql("SELECT addr, name, org, status FROM members ORDER BY addr")


def csv_parts(msg):
    return [p for p in msg.walk() if p.get_content_type() == "text/csv"]


def t_members_import(s):
    """Two lists as Excel saves them, a broken one that imports nothing,
    --dry-run, and members --csv read back into a second store."""
    net = e2e.Net(s, "mimport")
    soren, birthe, anna, bo = (net.addr(w) for w in ("soren", "birthe", "anna", "bo"))
    # Danish Excel's "CSV (semikolonsepareret)": Windows-1252, CRLF, extra columns
    cp = ("Navn;E-mail;Virksomhed;Telefon\r\n"
          "Søren Ærø;%s;Åbyhøj Smedie;12345678\r\n"
          "\r\n"
          "Birthe Ågård;  %s ;\"Ølstykke VVS; Blik & Rør\";\r\n" % (soren.upper(), birthe)).encode("cp1252")
    f1 = write(net, "liste.csv", cp)
    rc, out, err = run(net, "member", "import", f1, "--consent", CONSENT, "--dry-run")
    e2e.check(rc == 0 and "line 2: %s: added" % soren in out and "line 4: %s: added" % birthe in out and
              "2 added" in out and "dry run" in out, "import: the dry run reports: %d %s %s" % (rc, out, err))
    e2e.check(members(net) == [], "import: the dry run adds nobody")
    rc, out, err = run(net, "member", "import", f1, "--consent", CONSENT)
    rows = members(net)
    e2e.check(rc == 0 and rows == sorted([(soren, "Søren Ærø", "Åbyhøj Smedie", "active"),
                                          (birthe, "Birthe Ågård", "Ølstykke VVS; Blik & Rør", "active")]),
              "import: Windows-1252 with æøå, lower-cased, quoted: %d %r %s" % (rc, rows, err))
    e2e.check(net.sql("SELECT source, text, msgid FROM consent WHERE addr = ?", soren) == [("import", CONSENT, None)],
              "import: the consent is recorded")
    e2e.check(net.sql("SELECT count(*) FROM audit WHERE action = 'imported'")[0][0] == 2, "import: audit rows")
    e2e.check(net.sql("SELECT count(*) FROM outbox")[0][0] == 0, "import: no mail without --welcome")
    # UTF-8 with a BOM and commas, English header in another order
    f2 = write(net, "list.csv", ("\ufeffEmail,Company,Name\n%s,Berg ApS,Anna Berg\n%s,X,Søren\n" %
                                 (anna, soren)).encode("utf-8"))
    rc, out, err = run(net, "member", "import", f2, "--consent", CONSENT)
    e2e.check(rc == 0 and "line 3: %s: already a member" % soren in out and "1 added, 1 already members" in out,
              "import: BOM and commas; a member is passed over: %s %s" % (out, err))
    e2e.check((anna, "Anna Berg", "Berg ApS", "active") in members(net) and
              net.sql("SELECT name FROM members WHERE addr = ?", soren) == [("Søren Ærø",)],
              "import: the new one added, the member left as he was")
    # three bad rows and a duplicate: nothing at all
    f3 = write(net, "bad.csv", ("E-mail;Navn\r\n%s;Bo\r\nikke-en-adresse;X\r\n;Tom\r\nbo@@;Y\r\n%s;Bo igen\r\n"
                                % (bo, bo.upper())).encode("utf-8"))
    before = members(net)
    rc, out, err = run(net, "member", "import", f3, "--consent", CONSENT)
    e2e.check(rc == 1, "import: a bad list exits 1 (%d)" % rc)
    for want in ("line 3: ikke-en-adresse: invalid address", "line 4: (empty): invalid address",
                 "line 5: bo@@: invalid address", "line 6: %s: duplicate in the file (first on line 2)" % bo,
                 "3 invalid, 1 duplicates", "nothing imported; fix the lines above"):
        e2e.check(want in out, "import: the report says %r:\n%s" % (want, out))
    e2e.check(members(net) == before, "import: nothing of a bad list committed, not even the good row")
    rc, out, err = run(net, "member", "import", f3, "--consent", CONSENT, "--dry-run")
    e2e.check(rc == 1, "import: a dry run of a bad list exits 1")
    f4 = write(net, "noaddr.csv", b"Navn;Telefon\r\nJens;123\r\n")
    rc, out, err = run(net, "member", "import", f4, "--consent", CONSENT)
    e2e.check(rc == 1 and "E-mail" in err and "Adresse" in err, "import: no address column names the headers: %r" % err)
    rc, out, err = run(net, "member", "import", f1)
    e2e.check(rc == 2 and "usage" in err, "import: --consent is required")
    # a name that Excel would run as a formula (as a stranger's TILMELD may carry)
    evil = net.addr("formel")
    run(net, "member", "add", evil, "--name", '=HYPERLINK("http://x.example";"Klik")',
        "--org", "+45 1234", "--consent", CONSENT)
    # members --csv, read back into another network's store
    rc, raw, err = run(net, "members", "--csv", raw=True)
    out = raw.decode("utf-8")
    e2e.check(rc == 0 and raw.startswith(b"\xef\xbb\xbf") and "\r\n" in out and
              out.splitlines()[0].lstrip("\ufeff").startswith("E-mail;Navn;Organisation"),
              "members --csv: BOM, semicolons, CRLF, Danish header: %r" % out[:200])
    e2e.check('"Ølstykke VVS; Blik & Rør"' in out, "members --csv: a field with ; is quoted")
    e2e.check('"\'=HYPERLINK(""http://x.example"";""Klik"")"' in out and ";'+45 1234;" in out and
              not any(c.lstrip('"')[:1] in "=+-@" and c for line in out.splitlines()[1:] for c in line.split(";")),
              "members --csv: no cell starts a formula in Excel: %r" % out[:400])
    net2 = e2e.Net(s, "mimport2")
    f5 = write(net2, "export.csv", raw)
    rc, out2, err = run(net2, "member", "import", f5, "--consent", "export fra det gamle system")
    e2e.check(rc == 0 and "4 added" in out2, "round trip: imported: %s %s" % (out2, err))
    e2e.check(members(net2) == members(net), "round trip: the same members: %r" % members(net2))
    net2.done()
    net.done()


def t_members(s):
    """add (with --welcome), set, pause, resume, remove and show, each with
    its audit row; a join by mail records the consent of the reply."""
    net = e2e.Net(s, "mcli")
    eva = net.addr("eva")
    rc, out, err = run(net, "member", "add", eva.upper(), "--name", "Eva Holm", "--org", "Holm A/S",
                       "--consent", "Ringede og bad om at komme med", "--welcome", "--lang", "en")
    e2e.check(rc == 0 and members(net) == [(eva, "Eva Holm", "Holm A/S", "active")],
              "add: an active member: %d %s %s" % (rc, out, err))
    e2e.check(net.sql("SELECT source, text FROM consent WHERE addr = ?", eva) ==
              [("add", "Ringede og bad om at komme med")], "add: the consent is recorded")
    net.once()
    r = net.replies(eva)
    e2e.check(len(r) == 1 and str(r[0]["Subject"]).startswith("Welcome") and "Eva Holm" in e2e.body(r[0]),
              "add: the English welcome went out: %r" % [str(m["Subject"]) for m in r])
    rc, out, err = run(net, "member", "add", eva, "--consent", "x")
    e2e.check(rc == 1 and "already a member" in err, "add: already a member: %r" % err)
    rc, out, err = run(net, "member", "add", "ikke en adresse", "--consent", "x")
    e2e.check(rc == 1 and len(err.strip().splitlines()) >= 1 and "not a valid address" in err,
              "add: an invalid address: %r" % err)
    rc, out, err = run(net, "member", "add", net.addr("noconsent"))
    e2e.check(rc == 2 and "--consent" in err and len(members(net)) == 1, "add: no member without --consent")
    rc, out, err = run(net, "member", "set", eva, "--org", "Holm & Søn A/S")
    e2e.check(rc == 0 and members(net) == [(eva, "Eva Holm", "Holm & Søn A/S", "active")], "set: the organisation")
    rc, out, err = run(net, "member", "pause", eva)
    e2e.check(rc == 0 and members(net)[0][3] == "paused", "pause: paused")
    rc, out, err = run(net, "members", "--status", "paused")
    e2e.check(eva in out and "paused" in out, "members --status paused: %r" % out)
    rc, out, err = run(net, "members", "--status", "active")
    e2e.check(rc == 0 and eva not in out, "members --status active: not the paused one")
    rc, out, err = run(net, "member", "resume", eva)
    e2e.check(rc == 0 and members(net)[0][3] == "active", "resume: active again")
    # a join by mail: the consent names the reply's Message-ID and the code
    jens = net.addr("jens")
    net.send("From: Jens Hansen <%s>\nTo: %s\nSubject: TILMELD Jens Hansen; Hansen VVS\n\n" % (jens, net.user))
    net.once()
    conf = net.replies(jens)[-1]
    code = e2e.code_of(conf)
    net.send("Message-ID: <ja-tak.%s@test.example.com>\n" % net.tag + e2e.outlook_reply(net, conf, jens, "Ja tak"))
    net.once()
    cons = net.sql("SELECT source, msgid, text FROM consent WHERE addr = ?", jens)
    e2e.check(len(cons) == 1 and cons[0][0] == "confirm" and cons[0][1] == "ja-tak.%s@test.example.com" % net.tag and
              code in cons[0][2] and "vil være medlem af" in cons[0][2] and jens in cons[0][2], "confirm: the consent of the reply: %r" % cons)
    # one who asked and did not confirm is pending
    per = net.addr("per")
    net.send("From: %s\nTo: %s\nSubject: TILMELD Per Vang; Vang ApS\n\n" % (per, net.user))
    net.once()
    rc, out, err = run(net, "members", "--status", "pending")
    e2e.check(per in out and "Per Vang" in out and "Vang ApS" in out and jens not in out,
              "members --status pending: %r" % out)
    # a registration shows in member show
    e2e.cli(net, "meeting", "add", "--title", "Netværksmøde hos Holm", "--start", "2030-05-02 14:00",
            "--end", "2030-05-02 16:00", "--place", "Slagelse", "--host", "Holm A/S", "--capacity", "10")
    net.send("From: %s\nTo: %s\nSubject: DELTAG M1\n\n" % (jens, net.user))
    net.once()
    rc, out, err = run(net, "member", "show", jens)
    for want in ("status: active", "Jens Hansen", "Hansen VVS", "joined", "confirm", code,
                 "ja-tak.%s@test.example.com" % net.tag, "M1  Netværksmøde hos Holm  registered"):
        e2e.check(rc == 0 and want in out, "show: %r in:\n%s" % (want, out))
    # remove: as a leave, with an audit row, and then "left"
    rc, out, err = run(net, "member", "remove", jens)
    e2e.check(rc == 0 and jens not in [m[0] for m in members(net)], "remove: gone from members")
    e2e.check(net.sql("SELECT action, detail FROM audit WHERE addr = ? ORDER BY id DESC LIMIT 1", jens) ==
              [("removed", "secretariat")], "remove: the audit row")
    rc, out, err = run(net, "members", "--status", "left")
    e2e.check(jens in out and "left" in out and eva not in out, "members --status left: %r" % out)
    rc, out, err = run(net, "member", "show", jens)
    e2e.check(rc == 0 and "status: left" in out and "removed  secretariat" in out and "M1" in out,
              "show: a former member's history stays: %s" % out)
    rc, out, err = run(net, "member", "remove", jens)
    e2e.check(rc == 1 and "not a member" in err, "remove: twice is an error")
    rc, out, err = run(net, "member", "show", net.addr("nobody"))
    e2e.check(rc == 1 and out == "" and len(err.strip().splitlines()) == 1 and "unknown" in err,
              "show: an unknown address is one line: %r" % err)
    rc, out, err = run(net, "members")
    e2e.check(rc == 0 and eva in out and jens not in out and per not in out, "members: the members only: %r" % out)
    net.done()


def t_members_mail(s):
    """MEDLEMMER from the secretariat: with a trusted DKIM pass the list
    comes at once as a CSV file; without, only after the secretariat
    address confirms; a member gets a no and no list."""
    net = e2e.Net(s, "mmail")
    trust(net)
    anna = e2e.join(net, "anna", "Anna Berg", "Berg ApS")
    for w, name in (("soren", "Søren Ærø"), ("bo", "Bo Ek")):
        run(net, "member", "add", net.addr(w), "--name", name, "--consent", CONSENT)
    run(net, "member", "pause", net.addr("bo"))
    net.send("From: %s\nTo: %s\nSubject: TILMELD Per\n\n" % (net.addr("per"), net.user))
    net.send(PROOF + "From: Sekretariatet <%s>\nTo: %s\nSubject: MEDLEMMER\n\n" % (net.sek, net.user))
    net.once()
    r = [m for m in net.replies(net.sek) if csv_parts(m)]
    e2e.check(len(r) == 1, "mail: one answer with a CSV file, got %d" % len(r))
    if r:
        part = csv_parts(r[0])[0]
        data = part.get_payload(decode=True)
        text = data.decode("utf-8")
        e2e.check(part.get_filename() == "Medlemmer.csv" and data.startswith(b"\xef\xbb\xbf"),
                  "mail: Medlemmer.csv, UTF-8 with a BOM: %r" % part.get_filename())
        e2e.check(text.lstrip("\ufeff").startswith("E-mail;Navn;Organisation;Status;Siden\r\n") and
                  "%s;Anna Berg;Berg ApS;active;" % anna in text and
                  "%s;Søren Ærø;;active;" % net.addr("soren") in text and
                  "%s;Bo Ek;;paused;" % net.addr("bo") in text and net.addr("per") not in text,
                  "mail: the members in the CSV:\n" + text)
        b = e2e.body(r[0])
        e2e.check("Aktive medlemmer:          2" in b and "returmails): 1" in b and "bekræfte:     1" in b,
                  "mail: the counts in the text:\n" + b)
        # the file reads back
        f = write(net, "from-mail.csv", data)
        rc, out, err = run(net, "member", "import", f, "--consent", "x", "--dry-run")
        e2e.check(rc == 0 and "0 added, 3 already members" in out, "mail: the file imports: %s %s" % (out, err))
    # no proof: the secretariat address is asked first
    n = len(net.replies(net.sek))
    net.send("From: Sekretariatet <%s>\nTo: %s\nSubject: Medlemmer\n\n" % (net.sek, net.user))
    net.once()
    r = net.replies(net.sek)[n:]
    e2e.check(len(r) == 1 and "Bekræft" in str(r[0]["Subject"]) and not csv_parts(r[0]),
              "mail: without proof a confirmation first, no list: %r" % [str(m["Subject"]) for m in r])
    if r:
        net.send(e2e.outlook_reply(net, r[0], net.sek, "Ja"))
        net.once()
        r = net.replies(net.sek)[n + 1:]
        e2e.check(len(r) == 1 and len(csv_parts(r[0])) == 1 and anna in csv_parts(r[0])[0].get_content(),
                  "mail: the list after the reply")
    # a member, even with a DKIM pass, gets a no and nothing else
    net.send(PROOF + "From: %s\nTo: %s\nSubject: MEMBERS\n\n" % (anna, net.user))
    net.once()
    r = net.replies(anna)[-1]
    e2e.check("secretariat" in str(r["Subject"]).lower() and not csv_parts(r),
              "mail: a member is refused: %r" % str(r["Subject"]))
    e2e.check(net.sql("SELECT count(*) FROM outbox WHERE rcpt = ? AND data LIKE '%text/csv%'", anna)[0][0] == 0,
              "mail: nothing with a CSV file went to the member")
    net.done()
