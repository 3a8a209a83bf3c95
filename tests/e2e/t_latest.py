"""SENESTE / LATEST: a member gets the newest agenda or minutes from the
archive, as it went out, with its files; the proof that a new command
costs four existing files (issue 11). Loaded by e2e.py."""

import e2e
from t_list import add_members, post_mail, trust, pdf_bytes


def t_latest(s):
    """Before anything went out, SENESTE says so; after DAGSORDEN (with a
    PDF) and REFERAT, SENESTE gives the minutes, SENESTE DAGSORDEN the
    agenda with its file, LATEST MINUTES answers in English; a non-member
    is refused, and "Seneste nyt" is a person's mail, left alone."""
    net = e2e.Net(s, "latest")
    trust(net)
    a, b = add_members(net, ("anna", "Anna Berg", "Slagelse Erhvervsskole"),
                       ("bo", "Bo Ek", "Ek Maskinfabrik"))
    e2e.cli(net, "meeting", "add", "--title", "Netværksmøde hos Ek Maskinfabrik",
            "--start", "2030-05-07 14:00", "--end", "2030-05-07 16:00",
            "--place", "Industrivej 1, Slagelse", "--host", "Ek Maskinfabrik",
            "--capacity", "30")
    net.send("From: Anna Berg <%s>\nTo: %s\nSubject: SENESTE\n\n" % (a, net.user))
    net.once()
    r = net.replies(a)
    e2e.check(len(r) == 1 and "Ingen dagsorden" in str(r[0]["Subject"]),
              "latest: nothing in the archive yet is said: %r" % [str(m["Subject"]) for m in r])

    net.send(post_mail(net, net.sek, "DAGSORDEN M1", "1. Velkomst\n2. Rundvisning",
                       pdf=pdf_bytes()))
    net.once()
    net.send(post_mail(net, net.sek, "REFERAT M1", "Vi talte om lærepladser i smedefaget."))
    net.once()

    net.send("From: Bo Ek <%s>\nTo: %s\nSubject: Seneste\n\n" % (b, net.user))
    net.once()
    r = [m for m in net.replies(b) if str(m["Subject"]).startswith("Seneste:")]
    e2e.check(len(r) == 1 and "lærepladser i smedefaget" in e2e.body(r[0]) and
              "Referat" in str(r[0]["Subject"]),
              "latest: without a word, the newest (the minutes)")

    net.send("From: Bo Ek <%s>\nTo: %s\nSubject: seneste dagsorden\n\n" % (b, net.user))
    net.once()
    r = [m for m in net.replies(b) if str(m["Subject"]).startswith("Seneste:") and
         "Dagsorden" in str(m["Subject"])]
    e2e.check(len(r) == 1 and "1. Velkomst" in e2e.body(r[0]),
              "latest agenda: the text as it went out")
    files = [p for p in (r[0].iter_attachments() if r else [])
             if p.get_filename() == "Program for mødet.pdf"]
    e2e.check(len(files) == 1 and files[0].get_content() == pdf_bytes(),
              "latest agenda: its PDF, byte for byte, under its Danish name")

    net.send("From: Anna Berg <%s>\nTo: %s\nSubject: LATEST MINUTES\n\n" % (a, net.user))
    net.once()
    r = [m for m in net.replies(a) if str(m["Subject"]).startswith("Latest:")]
    e2e.check(len(r) == 1 and "Here is the latest" in e2e.body(r[0]) and
              "lærepladser" in e2e.body(r[0]), "latest: in English to the English word")

    stranger = net.addr("sven")
    net.send("From: Sven <%s>\nTo: %s\nSubject: SENESTE REFERAT\n\n" % (stranger, net.user))
    net.once()
    r = net.replies(stranger)
    e2e.check(len(r) == 1 and "Seneste:" not in str(r[0]["Subject"]) and
              "lærepladser" not in e2e.body(r[0]),
              "latest: a non-member gets no archive: %r" % [str(m["Subject"]) for m in r])

    net.send("From: Anna Berg <%s>\nTo: %s\nSubject: Seneste nyt fra skolen\n\n"
             "Hej, vi har fået ny leder.\n" % (a, net.user))
    net.once()
    inbox = [subj for flags, subj in net.folder() if "Seneste nyt" in subj]
    e2e.check(len(inbox) == 1 and len([m for m in net.replies(a)
              if "Seneste nyt" in str(m["Subject"])]) == 0,
              "latest: 'Seneste nyt …' is a person's mail, left in the inbox, unanswered")
    net.done()
