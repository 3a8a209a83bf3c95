"""Markedspladsen: IDÉ, IDÉER, INTERESSE. Nobody's address is shown to
anyone who did not ask. Loaded by e2e.py."""

import e2e


def t_markedspladsen(s):
    net = e2e.Net(s, "marked")
    a = e2e.join(net, "anna", "Anna Berg", "Slagelse Erhvervsskole")
    b = e2e.join(net, "bo", "Bo Ek", "Ek Maskinfabrik")
    c = e2e.join(net, "cilla", "Cilla Dahl", "Jobcenter Slagelse")
    e2e.cli(net, "meeting", "add", "--title", "Netværksmøde hos Ek Maskinfabrik",
            "--start", "2030-05-07 14:00", "--end", "2030-05-07 16:00", "--place", "Slagelse",
            "--host", "Ek Maskinfabrik", "--capacity", "30")
    net.send("From: Anna Berg <%s>\nTo: %s\nSubject: IDÉ Flere praktikpladser i industrien\n"
             "Content-Type: text/plain; charset=utf-8\n\nVi vil have flere elever ud i virksomhederne.\n"
             "tema: 1\nsøger: virksomheder med værksteder\n" % (a, net.user))
    net.once()
    r = net.replies(a)[-1]
    e2e.check("nr. 1" in str(r["Subject"]) and "M1" in e2e.body(r), "ideas: a number and the next meeting: %s" % r["Subject"])
    rows = net.sql("SELECT title, theme, seeking, body FROM ideas")
    e2e.check(rows == [("Flere praktikpladser i industrien", 1, "virksomheder med værksteder",
                        "Vi vil have flere elever ud i virksomhederne.")], "ideas: stored with theme and seeking: %r" % rows)
    net.send("From: %s\nTo: %s\nSubject: IDÉER\n\n" % (b, net.user))
    net.once()
    lst = e2e.body(net.replies(b)[-1])
    e2e.check("Flere praktikpladser" in lst and "Slagelse Erhvervsskole" in lst and a not in lst,
              "ideas: the list shows the organisation, not the address")
    before_c = len(net.replies(c))
    net.send("From: %s\nTo: %s\nSubject: INTERESSE 1\n\n" % (b, net.user))
    net.once()
    ra, rb = net.replies(a)[-1], net.replies(b)[-1]
    e2e.check(b in e2e.body(ra) and "Bo Ek" in e2e.body(ra) and "Ek Maskinfabrik" in e2e.body(ra),
              "interest: the author learns who")
    e2e.check(a in e2e.body(rb) and "Anna Berg" in e2e.body(rb), "interest: the member learns the author")
    e2e.check(len(net.replies(c)) == before_c, "interest: nobody else hears of it")
    e2e.check(net.sql("SELECT count(*) FROM outbox WHERE kind = 'notice'")[0][0] == 2,
              "interest: exactly two introductions")
    net.send("From: %s\nTo: %s\nSubject: INTERESSE 1\n\n" % (b, net.user))
    net.send("From: %s\nTo: %s\nSubject: INTERESSE 1\n\n" % (a, net.user))
    net.once()
    e2e.check("allerede" in str(net.replies(b)[-1]["Subject"]) and "egen" in str(net.replies(a)[-1]["Subject"]),
              "interest: a second time and one's own idea are answered kindly")
    csv = e2e.cli(net, "ideas", "--csv")
    e2e.check(csv.startswith("\ufeff") and "Flere praktikpladser" in csv and ";1;open;" in csv,
              "ideas: CSV for the secretariat: %r" % csv[:120])
    # the secretariat closes it by mail: a confirmation round trip first
    net.send("From: %s\nTo: %s\nSubject: IDÉ LUK 1\n\n" % (net.sek, net.user))
    net.once()
    e2e.check(net.sql("SELECT status FROM ideas WHERE id = 1")[0][0] == "open", "ideas: not closed on a From header")
    ask = net.replies(net.sek)[-1]
    net.send(e2e.outlook_reply(net, ask, net.sek, "Ja"))
    net.once()
    e2e.check(net.sql("SELECT status FROM ideas WHERE id = 1")[0][0] == "closed" and
              "lukket" in str(net.replies(net.sek)[-1]["Subject"]), "ideas: closed by the secretariat after confirming")
    net.send("From: %s\nTo: %s\nSubject: IDÉ LUK 1\n\n" % (b, net.user))
    net.once()
    e2e.check("sekretariatet" in str(net.replies(b)[-1]["Subject"]).lower(), "ideas: a member may not close ideas")
    e2e.check("closed" in e2e.cli(net, "ideas", "close", "1"), "ideas: the command line closes too")
    net.send("From: %s\nTo: %s\nSubject: IDÉER\n\n" % (c, net.user))
    net.once()
    e2e.check("Ingen" in str(net.replies(c)[-1]["Subject"]), "ideas: a closed idea is not listed")
    x = net.addr("outsider")
    net.send("From: %s\nTo: %s\nSubject: IDÉ Noget\n\nTekst\n" % (x, net.user))
    net.once()
    e2e.check("medlemmer" in str(net.replies(x)[-1]["Subject"]), "ideas: members only")
    net.done()
