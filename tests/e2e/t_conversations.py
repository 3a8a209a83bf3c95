"""Conversations as data: one folder per conversation in tests/e2e/conv/,
read by this one runner (as curl's tests/data and OpenSMTPD's smtpscript).
A folder holds:

  about          one line: what the conversation shows
  setup          optional; lines run before the first turn:
                   member WHO|Name|Organisation   (an active member)
                   cli ARG ARG...                 (ffnet -c CONF ARG...;
                                                   shell quoting)
                   sql STATEMENT                  (run on the store)
                   trust                          (DKIM proof is trusted)
  N.in.eml       turn N's incoming mail (LF line ends), with placeholders:
                   %NET% the network address, %SEK% the secretariat,
                   %WHO% (any lower-case word) that person's address,
                   %CODE:WHO% the code in the newest mail to WHO,
                   %MSGID:WHO% that mail's Message-ID (for In-Reply-To),
                   %MSGID:WHO:N% the Message-ID of the N-th mail to WHO
  N.expect       what turn N must produce, one check a line (# comments):
                   reply WHO TEXT    exactly one new mail to WHO, its
                                     Subject contains TEXT
                   body WHO TEXT     that new mail's text contains TEXT
                   bodynot WHO TEXT  no new mail to WHO contains TEXT
                                     (in its text or its attachments)
                   header WHO NAME: TEXT  one of its headers contains TEXT
                   mail WHO TEXT     one of the new mails to WHO (there
                                     may be several) has TEXT in Subject
                   attach WHO TEXT   one new mail to WHO has a file
                                     attached that contains TEXT
                   noreply WHO       no new mail to WHO
                   folder NAME TEXT  a message in folder NAME (INBOX,
                                     Behandlet, Manuel) has TEXT in Subject
                   sql QUERY => ROWS rows as "a|b", joined by ";"
                   nowhere TEXT      no value in any table of the store
                                     contains TEXT (any case; blobs too)

Each turn delivers N.in.eml, runs `ffnet once`, then checks N.expect.
Python scenarios stay for infrastructure (outages, kill -9, TLS)."""

import os
import re
import shlex

import e2e

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "conv")


def _who_addr(net, who):
    if who == "net":
        return net.user
    if who == "sek":
        return net.sek
    return net.addr(who)


def _subst(net, text, seen):
    def code(m):
        msgs = net.replies(_who_addr(net, m.group(1)))
        return e2e.code_of(msgs[-1]) or "NOCODE" if msgs else "NOMAIL"

    def msgid(m):
        msgs = net.replies(_who_addr(net, m.group(1)))
        k = int(m.group(2)) - 1 if m.group(2) else len(msgs) - 1
        return str(msgs[k]["Message-ID"]) if 0 <= k < len(msgs) else "<none@example>"

    text = re.sub(r"%CODE:([a-z]+)%", code, text)
    text = re.sub(r"%MSGID:([a-z]+)(?::([0-9]+))?%", msgid, text)
    text = text.replace("%NET%", net.user).replace("%SEK%", net.sek)
    return re.sub(r"%([a-z]+)%", lambda m: net.addr(m.group(1)), text)


def _setup(net, path, name):
    if not os.path.exists(path):
        return
    e2e.cli(net, "stats")    # makes the store
    for line in open(path, encoding="utf-8"):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        verb, _, rest = line.partition(" ")
        if verb == "member":
            who, nm, org = (rest.split("|") + ["", ""])[:3]
            db = e2e.sqlite3.connect(net.store)
            db.execute("INSERT INTO members (addr, name, org, lang, status, joined, token) "
                       "VALUES (?, ?, ?, 'da', 'active', 0, lower(hex(randomblob(8))))",
                       (net.addr(who), nm or None, org or None))
            db.commit()
            db.close()
        elif verb == "cli":
            e2e.cli(net, *shlex.split(rest))
        elif verb == "sql":
            db = e2e.sqlite3.connect(net.store)
            db.execute(_subst(net, rest, {}))
            db.commit()
            db.close()
        elif verb == "trust":
            with open(net.conf_path, "a") as f:
                f.write("\n[auth]\ntrusted_authserv_id = mx.test.example\n")
        else:
            e2e.check(False, "%s: setup: unknown line %r" % (name, line))


def _all_text(m):
    """Every part of a mail decoded: the text, the HTML, the files."""
    out = [str(m["Subject"] or "")]
    for part in m.walk():
        data = part.get_payload(decode=True)
        if data:
            out.append(data.decode("utf-8", "replace"))
    return "\n".join(out)


def _check(net, name, turn, line, before):
    verb, _, rest = line.partition(" ")
    where = "%s turn %d: %s" % (name, turn, line)
    if verb in ("reply", "body", "header", "noreply", "bodynot", "mail", "attach"):
        who, _, text = rest.partition(" ")
        new = net.replies(_who_addr(net, who))[before.get(who, 0):]
        if verb == "mail":
            e2e.check(any(text in str(m["Subject"]) for m in new),
                      "%s (got %r)" % (where, [str(m["Subject"]) for m in new]))
        elif verb == "attach":
            e2e.check(len(new) == 1 and any(
                text in (p.get_payload(decode=True) or b"").decode("utf-8", "replace")
                for p in new[0].iter_attachments()), where)
        elif verb == "bodynot":
            text = _subst(net, text, before)
            e2e.check(new and all(text not in _all_text(m) for m in new),
                      "%s (it is there, or no mail)" % where)
        elif verb == "noreply":
            e2e.check(not new, "%s (got %r)" % (where, [str(m["Subject"]) for m in new]))
        elif verb == "reply":
            e2e.check(len(new) == 1 and text in str(new[0]["Subject"]),
                      "%s (got %r)" % (where, [str(m["Subject"]) for m in new]))
        elif verb == "body":
            e2e.check(len(new) == 1 and text in e2e.body(new[0]), where)
        else:
            h, _, want = text.partition(":")
            e2e.check(len(new) == 1 and want.strip() in str(new[0][h.strip()] or ""), where)
    elif verb == "folder":
        folder, _, text = rest.partition(" ")
        e2e.check(any(text in subj for _, subj in net.folder(folder)),
                  "%s (got %r)" % (where, net.folder(folder)))
    elif verb == "nowhere":
        found = e2e.store_holds(net, _subst(net, rest, before))
        e2e.check(not found, "%s (found in %s)" % (where, sorted(found)))
    elif verb == "sql":
        q, _, want = rest.partition(" => ")
        got = ";".join("|".join("" if v is None else str(v) for v in r) for r in net.sql(q))
        e2e.check(got == want.strip(), "%s (got %r)" % (where, got))
    else:
        e2e.check(False, "%s: unknown check" % where)


def _people(expect_lines):
    out = set()
    for line in expect_lines:
        verb, _, rest = line.partition(" ")
        if verb in ("reply", "body", "header", "noreply", "bodynot", "mail", "attach"):
            out.add(rest.split(" ")[0])
    return out


def run_conversation(s, name):
    d = os.path.join(HERE, name)
    net = e2e.Net(s, name.split("-", 1)[-1])
    _setup(net, os.path.join(d, "setup"), name)
    turn = 1
    while os.path.exists(os.path.join(d, "%d.in.eml" % turn)):
        raw = open(os.path.join(d, "%d.in.eml" % turn), encoding="utf-8").read()
        exp_path = os.path.join(d, "%d.expect" % turn)
        lines = [l.strip() for l in open(exp_path, encoding="utf-8")] if os.path.exists(exp_path) else []
        lines = [l for l in lines if l and not l.startswith("#")]
        e2e.check(lines, "%s turn %d: has checks" % (name, turn))
        before = {who: len(net.replies(_who_addr(net, who))) for who in _people(lines)}
        net.send(_subst(net, raw, before))
        net.once()
        for line in lines:
            _check(net, name, turn, _subst(net, line, before) if line.startswith(("sql", "nowhere")) else line,
                   before)
        turn += 1
    e2e.check(turn > 1, "%s: has turns" % name)
    net.done()


def t_conversations(s):
    """Every conversation in tests/e2e/conv/, turn by turn."""
    names = sorted(n for n in os.listdir(HERE) if os.path.isdir(os.path.join(HERE, n)))
    e2e.check(len(names) >= 5, "conversations: found %d" % len(names))
    for n in names:
        run_conversation(s, n)
