"""Calendar answers (handlers/calreply.c), fed as the real messages that
calendar apps sent: the REPLY files of tests/corpus/imip (Apple iCal via
Apple Mail) and, when ../shared/corpus exists, those of Outlook, Outlook
for Mac, Google, iOS, Android, Thunderbird and BlueMind. Each file keeps
its headers, MIME structure and encodings byte for byte; only the UID,
the answering ATTENDEE (and PARTSTAT, SEQUENCE or METHOD where a test
needs it) are rewritten inside every calendar part, which is decoded
and encoded again the way it came (7bit/8bit, base64 or quoted-
printable), and the Message-ID is made unique (ffnet keys mail by it).
The mail goes in by IMAP APPEND, byte-exact, as t_corpus does."""

import base64
import email
import email.policy
import os
import quopri
import re
import time

import e2e
from e2e import Net, body, calendar, check, cli, prop

CORPUS = os.path.join(e2e.ROOT, "tests", "corpus", "imip")
SHARED = os.path.join(os.path.dirname(e2e.ROOT), "shared", "corpus")


# ------------------------------------------------------ iCalendar rewrite

def _fold(line, end):
    """RFC 5545 3.1: fold at 75 octets, never inside a UTF-8 character."""
    b = line.encode("utf-8", "surrogateescape")
    out, first = [], True
    while len(b) > (75 if first else 74):
        n = 75 if first else 74
        while n > 0 and (b[n] & 0xC0) == 0x80:
            n -= 1
        out.append(b[:n])
        b, first = b[n:], False
    out.append(b)
    return (end + " ").join(x.decode("utf-8", "surrogateescape") for x in out) + end


def _value_colon(line):
    """Index of the ':' that starts the value (not one inside quotes)."""
    q = False
    for i, ch in enumerate(line):
        if ch == '"':
            q = not q
        elif ch == ":" and not q:
            return i
    return -1


def ical_rewrite(data, uid=None, attendee=None, partstat=None, seq=None,
                 method=None, drop=(), done=None):
    """Rewrites UID, SEQUENCE, METHOD and the answering ATTENDEE (the one
    of the VEVENT with a PARTSTAT, else its first) in iCalendar bytes,
    and drops the VEVENT's properties named in drop. Lines not rewritten
    stay byte for byte. done counts what changed."""
    done = done if done is not None else {}
    text = data.decode("utf-8", "surrogateescape")
    phys = re.findall(r"[^\r\n]*(?:\r\n|\n|\r)|[^\r\n]+$", text)
    logical = []
    for p in phys:
        if p[:1] in (" ", "\t") and logical:
            logical[-1].append(p)
        else:
            logical.append([p])

    def unfold(ls):
        s = ls[0].rstrip("\r\n")
        for c in ls[1:]:
            s += c.rstrip("\r\n")[1:]
        end = re.search(r"(\r\n|\n|\r)?$", ls[-1]).group(0)
        return s, end

    stack, att = [], None
    for i, ls in enumerate(logical):
        s, _ = unfold(ls)
        name = re.match(r"[A-Za-z0-9-]*", s).group(0).upper()
        if name == "BEGIN":
            stack.append(s.split(":", 1)[-1].strip().upper())
        elif name == "END" and stack:
            stack.pop()
        elif name == "ATTENDEE" and stack[-1:] == ["VEVENT"]:
            c = _value_colon(s)
            if att is None or ("PARTSTAT=" in s[:c].upper() and
                               "PARTSTAT=" not in unfold(logical[att])[0].upper()):
                att = i
    stack = []
    for i, ls in enumerate(logical):
        s, end = unfold(ls)
        name = re.match(r"[A-Za-z0-9-]*", s).group(0).upper()
        c = _value_colon(s)
        new = None
        if name == "BEGIN":
            stack.append(s.split(":", 1)[-1].strip().upper())
        elif name == "END" and stack:
            stack.pop()
        elif name == "METHOD" and method and stack == ["VCALENDAR"]:
            new = s[:c + 1] + method
        elif stack[-1:] != ["VEVENT"]:
            pass
        elif name in drop:
            done[name] = done.get(name, 0) + 1
            logical[i] = []
        elif name == "UID" and uid:
            new = s[:c + 1] + uid
        elif name == "SEQUENCE" and seq is not None:
            new = s[:c + 1] + str(seq)
        elif i == att and (attendee or partstat):
            params, value = s[:c], s[c + 1:]
            if attendee:
                old = re.sub(r"(?i)^mailto:", "", value)
                params = re.sub(re.escape(old), attendee, params, flags=re.I) if old else params
                value = re.match(r"(?i)(mailto:)?", value).group(0) + attendee
            if partstat:
                params = re.sub(r"(?i)(;PARTSTAT=)[^;:]*", lambda m: m.group(1) + partstat, params)
            new = params + ":" + value
        if new is not None:
            done[name] = done.get(name, 0) + 1
            logical[i] = [_fold(new, end or "\r\n")]
    return "".join("".join(ls) for ls in logical).encode("utf-8", "surrogateescape")


# ------------------------------------------------------ MIME, byte-exact

def _qp_lines(data, hex_space, hex_dot):
    """Quoted-printable lines (without line ends) for data: CRLF inside
    as =0D=0A, a lone LF as a hard break, soft breaks within 76
    characters; a last piece without LF ends soft, as it goes on."""
    out = []
    segs = re.split(rb"(?<!\r)\n", data)
    for k, seg in enumerate(segs):
        toks = []
        for ch in seg:
            if (ch in (10, 13, 61) or ch > 126 or (ch < 32 and ch != 9) or
                    (hex_space and ch == 32) or (hex_dot and ch == 46)):
                toks.append(b"=%02X" % ch)
            else:
                toks.append(bytes([ch]))
        last = k == len(segs) - 1
        if not last and toks and toks[-1] in (b" ", b"\t"):
            toks[-1] = b"=%02X" % toks[-1][0]
        cur = b""
        for t in toks:
            if len(cur) + len(t) > 75:
                out.append(cur + b"=")
                cur = b""
            cur += t
        if not last:
            out.append(cur)
        elif cur:
            out.append(cur + b"=")
    return out


def _qp_recode(stripped, sep, fn):
    """Only the encoded lines whose decoded text changed are encoded
    again; all others stay byte for byte."""
    lines = stripped.split(sep)
    dec = [quopri.decodestring(l if l.endswith(b"=") or i == len(lines) - 1 else l + b"\n")
           for i, l in enumerate(lines)]
    old = b"".join(dec)
    new = fn(old)
    if new == old:
        return stripped
    p = 0
    while p < min(len(old), len(new)) and old[p] == new[p]:
        p += 1
    q = 0
    while q < min(len(old), len(new)) - p and old[-1 - q] == new[-1 - q]:
        q += 1
    starts, pos = [], 0
    for d in dec:
        starts.append(pos)
        pos += len(d)
    first = max([i for i in range(len(dec)) if starts[i] + len(dec[i]) <= p] + [-1]) + 1
    last = min([i for i in range(len(dec)) if starts[i] >= len(old) - q and i >= first] + [len(dec)])
    s0 = starts[first]
    e0 = starts[last] if last < len(dec) else len(old)
    mid = new[s0:len(new) - (len(old) - e0)]
    body = stripped.upper()
    hex_space = re.search(rb"=20(?!\r?$)", body, re.M) is not None and b" " not in body
    enc = _qp_lines(mid, hex_space, b"=2E" in body)
    return sep.join(lines[:first] + enc + lines[last:])


def _recode(body_bytes, cte, fn):
    """Decodes a part's body by its Content-Transfer-Encoding, applies fn
    to the calendar bytes and encodes the result the same way."""
    stripped = body_bytes.rstrip(b"\r\n")
    trail = body_bytes[len(stripped):]
    sep = b"\r\n" if b"\r\n" in body_bytes else b"\n"
    if cte == "base64":
        first = stripped.split(sep, 1)[0]
        width = len(first.rstrip()) or 76
        enc = base64.b64encode(fn(base64.b64decode(stripped)))
        return sep.join(enc[i:i + width] for i in range(0, len(enc), width)) + trail
    if cte == "quoted-printable":
        return _qp_recode(stripped, sep, fn) + trail
    return fn(stripped) + trail


def _edits(raw, start, end, fn, out):
    """Collects (start, end, bytes) edits for every calendar part."""
    seg = raw[start:end]
    m = re.match(rb"\r?\n", seg) or re.search(rb"\r?\n\r?\n", seg)
    if m is None:
        return
    head = seg[:m.start()] if m.start() > 0 else b""
    h = email.message_from_bytes(head + b"\n\n")
    ctype = h.get_content_type()
    bstart = start + m.end()
    if ctype.startswith("multipart/"):
        bnd = h.get_param("boundary")
        if not bnd:
            return
        delim = re.compile(rb"(?m)^--" + re.escape(bnd.encode()) + rb"(--)?[ \t]*\r?$")
        marks = list(delim.finditer(raw, bstart, end))
        for a, b in zip(marks, marks[1:]):
            if a.group(1):
                break
            s = a.end() + (2 if raw[a.end():a.end() + 2] == b"\r\n" else 1)
            e = b.start()
            e -= 2 if raw[e - 2:e] == b"\r\n" else 1
            _edits(raw, s, max(s, e), fn, out)
        return
    fname = (h.get_filename() or h.get_param("name") or "").lower()
    if ctype in ("text/calendar", "application/ics") or fname.endswith(".ics"):
        cte = str(h.get("content-transfer-encoding", "")).strip().lower()
        out.append((bstart, end, _recode(raw[bstart:end], cte, fn)))


def rewrite_mail(raw, tag, **kw):
    """The corpus mail with its calendar parts rewritten (ical_rewrite's
    arguments) and a new Message-ID; (bytes, what was rewritten)."""
    done = {}
    edits = []
    _edits(raw, 0, len(raw), lambda d: ical_rewrite(d, done=done, **kw), edits)
    for s, e, new in sorted(edits, reverse=True):
        raw = raw[:s] + new + raw[e:]
    hend = re.search(rb"\r?\n\r?\n", raw).start()
    mid = b"<calreply.%s.%f@test.example.com>" % (tag.encode(), time.time())
    head, n = re.subn(rb"(?im)^(message-id:[ \t]*(?:\r?\n[ \t]+)?)<[^>]*>", lambda m: m.group(1) + mid,
                      raw[:hend], count=1)
    raw = head + raw[hend:]
    if n == 0:
        raw = b"Message-ID: " + mid + b"\r\n" + raw
    return raw, done


def feed(net, path, tag, **kw):
    """Rewrites a corpus file and APPENDs it to the network's inbox."""
    with open(path, "rb") as f:
        raw = f.read()
    raw, done = rewrite_mail(raw, tag, **kw)
    if b"\r\n" not in raw:
        raw = raw.replace(b"\r", b"\n").replace(b"\n", b"\r\n")
    i = net.imap()
    typ, _ = i.append("INBOX", None, None, raw)
    i.logout()
    check(typ == "OK", "calreply: APPEND %s" % os.path.basename(path))
    return done


# ------------------------------------------------------------ the network

def members(net, people):
    """The join flow of e2e.join for several people at once (two runs)."""
    addrs = []
    for who, name, org, word in people:
        a = net.addr(who)
        addrs.append(a)
        net.send("From: \"%s\" <%s>\nTo: %s\nSubject: %s %s; %s\n\n" % (name, a, net.user, word, name, org))
    net.once()
    for a in addrs:
        conf = net.replies(a)[-1]
        net.send(e2e.outlook_reply(net, conf, a, "Ja tak"))
    net.once()
    return addrs


def reg(net, addr, code="M1"):
    """(state, partstat) of addr's registration for a meeting."""
    rows = net.sql("SELECT r.state, r.partstat FROM registrations r JOIN meetings m ON m.id = r.meeting "
                   "WHERE r.addr = ? AND m.code = ?", addr, code)
    return rows[0] if rows else None


def sent_to(net, addr):
    return net.sql("SELECT count(*) FROM outbox WHERE rcpt = ?", addr)[0][0]


def uid_of(net, addr):
    """UID and SEQUENCE of the last invitation addr got."""
    for m in reversed(net.replies(addr)):
        method, props, _ = calendar(m)
        if method == "REQUEST":
            return prop(props, "UID"), int(prop(props, "SEQUENCE") or 0)
    return None, None


def t_calreply(s):
    """Apple iCal's real REPLY (tests/corpus): ACCEPTED recorded, TENTATIVE
    keeps the seat, DECLINED asks first and only the answer gives the
    seat up (CANCEL, waiting list moves up), older SEQUENCE ignored,
    COUNTER gets a kind no, an unknown UID and the malformed files are
    left for a person; nothing is answered as a command."""
    net = Net(s, "calreply")
    anna, bo, carl, eve, dora = members(net, [("anna", "Anna Berg", "Slagelse Erhvervsskole", "TILMELD"),
                                              ("bo", "Bo Ek", "Ek ApS", "TILMELD"),
                                              ("carl", "Carl Dam", "Dam VVS", "TILMELD"),
                                              ("eve", "Eve Smith", "Smith Ltd", "JOIN"),
                                              ("dora", "Dora Holm", "Holm El", "TILMELD")])
    check(net.sql("SELECT lang FROM members WHERE addr = ?", eve) == [("en",)], "calreply: an English member")
    cli(net, "meeting", "add", "--title", "Netværksmøde hos Hansen VVS",
        "--start", "2030-06-13 14:00", "--end", "2030-06-13 16:30",
        "--place", "Industrivej 1, 4200 Slagelse", "--host", "Hansen VVS", "--capacity", "4")
    for a in (anna, bo, carl, eve, dora):
        net.send("From: %s\nTo: %s\nSubject: DELTAG M1\n\n" % (a, net.user))
    net.once()
    check([reg(net, a)[0] for a in (anna, bo, carl, eve, dora)] == ["registered"] * 4 + ["waiting"],
          "calreply: four seats and one waiting")
    uid = {a: uid_of(net, a)[0] for a in (anna, bo, carl, eve)}
    check(all(uid.values()) and len(set(uid.values())) == 4, "calreply: one UID per registration")
    before = {a: sent_to(net, a) for a in (anna, bo, carl, dora)}
    total = net.sql("SELECT count(*) FROM outbox")[0][0]
    good = os.path.join(CORPUS, "ccs-good_reply.eml")

    # round 1: accepted, tentative, declined, unknown UID, malformed
    filed = len(net.folder("Behandlet"))
    d = feed(net, good, "acc", uid=uid[anna], attendee=anna)
    check(d.get("UID") == 1 and d.get("ATTENDEE") == 1, "calreply: rewrote UID and ATTENDEE in the QP part: %r" % d)
    feed(net, os.path.join(CORPUS, "ccs-good_reply_future.eml"), "tent", uid=uid[bo], attendee=bo,
         partstat="TENTATIVE")
    # declined, answered from another account (From stays xyzzy@example.com)
    feed(net, os.path.join(CORPUS, "ccs-good_reply_past.eml"), "decl", uid=uid[carl], attendee=carl,
         partstat="DECLINED")
    feed(net, good, "unknown")                       # its own UID: not ours
    feed(net, good, "stranger", uid=uid[bo], attendee=net.addr("stranger"))
    for f, who in (("ccs-reply_missing_attendee.eml", anna), ("ccs-reply_missing_organizer.eml", bo)):
        d = feed(net, os.path.join(CORPUS, f), f[10:-4], uid=uid[who])
        check(d.get("UID") == 1, "calreply: %s rewritten: %r" % (f, d))
    feed(net, os.path.join(CORPUS, "ccs-reply_missing_attachment.eml"), "noatt2")
    net.once()
    check(reg(net, anna) == ("registered", "ACCEPTED"), "calreply: ACCEPTED recorded: %r" % (reg(net, anna),))
    check(reg(net, bo) == ("registered", "TENTATIVE"), "calreply: TENTATIVE keeps the seat: %r" % (reg(net, bo),))
    check(reg(net, carl) == ("registered", "DECLINED"), "calreply: DECLINED keeps the seat until confirmed: %r"
          % (reg(net, carl),))
    check(sent_to(net, anna) == before[anna] and sent_to(net, bo) == before[bo],
          "calreply: no mail for ACCEPTED or TENTATIVE, none for the malformed ones")
    check(sent_to(net, carl) == before[carl] + 1, "calreply: one mail for DECLINED")
    check(net.sql("SELECT count(*) FROM outbox")[0][0] == total + 1,
          "calreply: nothing else sent (not to From, not as a command): %r"
          % net.sql("SELECT rcpt FROM outbox WHERE id > ?", total))
    ask = net.replies(carl)[-1]
    check("framelde" in str(ask["Subject"]) and e2e.code_of(ask) is not None and "DELTAG M1" in body(ask),
          "calreply: Danish question with a code: %s" % ask["Subject"])
    check("Netværksmøde hos Hansen VVS" in body(ask), "calreply: the question names the meeting")
    check(calendar(ask)[0] is None, "calreply: the question carries no calendar")
    pend = net.sql("SELECT action, args FROM pending WHERE addr = ?", carl)[-1]
    uid_now = net.sql("SELECT r.uid FROM registrations r WHERE r.addr = ?", carl)[0][0]
    check(pend == ("unregister", "M1 " + uid_now),
          "calreply: pending unregister of this registration (M1 and its UID): %r" % (pend,))
    inbox = net.folder("INBOX")
    check(len(inbox) == 2 and all("\\Seen" not in f for f, _ in inbox),
          "calreply: unknown UID and the mail without a calendar stay unread in the inbox: %r" % inbox)
    check(len(net.folder("Manuel")) == 3,
          "calreply: wrong ATTENDEE and the two without ATTENDEE held for a person: %r" % net.folder("Manuel"))
    check(len(net.folder("Behandlet")) == filed + 3, "calreply: the three answers filed")
    check("not the registration's address" in net.log and "without an ATTENDEE" in net.log,
          "calreply: why they are held is logged")

    # round 2: carl confirms; a COUNTER; a REPLY without ORGANIZER (as Outlook.com sends)
    net.send(e2e.outlook_reply(net, ask, carl, "Ja"))
    feed(net, good, "counter", uid=uid[anna], attendee=anna, method="COUNTER")
    feed(net, good, "counteren", uid=uid[eve], attendee=eve, method="COUNTER")
    d = feed(net, good, "noorg", uid=uid[bo], attendee=bo, drop=("ORGANIZER",))
    net.once()
    check(reg(net, carl)[0] == "cancelled", "calreply: seat given up after the confirmation: %r" % (reg(net, carl),))
    method, props, _ = calendar(net.replies(carl)[-1])
    check(method == "CANCEL" and prop(props, "UID") == uid[carl] and "STATUS" not in props,
          "calreply: personal CANCEL with the registration's UID")
    check(reg(net, dora)[0] == "registered" and calendar(net.replies(dora)[-1])[0] == "REQUEST",
          "calreply: the waiting list moved up with an invite")
    check(net.sql("SELECT count(*) FROM audit WHERE addr = ? AND action = 'unregistered'", carl)[0][0] == 1,
          "calreply: audit row")
    c = net.replies(anna)[-1]
    check("ligger fast" in str(c["Subject"]) and net.sek in body(c),
          "calreply: COUNTER gets a kind no: %s" % c["Subject"])
    check(reg(net, anna) == ("registered", "ACCEPTED"), "calreply: COUNTER changes nothing")
    c = net.replies(eve)[-1]
    check("is fixed" in str(c["Subject"]), "calreply: in the member's language: %s" % c["Subject"])
    check(d.get("ORGANIZER") == 1 and reg(net, bo) == ("registered", "ACCEPTED"),
          "calreply: a REPLY without ORGANIZER counts: %r" % (reg(net, bo),))

    # round 3: a change raises SEQUENCE; an answer to the old version is ignored
    cli(net, "meeting", "change", "M1", "--start", "2030-06-13 15:00", "--end", "2030-06-13 17:00")
    net.once()
    duid, dseq = uid_of(net, dora)
    check(dseq == 1, "calreply: the update has SEQUENCE 1")
    n_anna = sent_to(net, anna)
    feed(net, good, "old", uid=uid[anna], attendee=anna, partstat="DECLINED", seq=0)
    feed(net, good, "new", uid=duid, attendee=dora, partstat="TENTATIVE", seq=1)
    net.once()
    check(reg(net, anna) == ("registered", "ACCEPTED") and sent_to(net, anna) == n_anna,
          "calreply: a DECLINED with an older SEQUENCE is ignored: %r" % (reg(net, anna),))
    check("older than 1: ignored" in net.log, "calreply: the stale answer is logged")
    check(reg(net, dora) == ("registered", "TENTATIVE"), "calreply: the current SEQUENCE counts")
    check(len(net.folder("INBOX")) == 2, "calreply: nothing more left in the inbox")

    # round 4: a decline, then FRAMELD before the answer: confirming later
    # changes nothing and says so; the entry is cancelled once
    buid, bseq = uid_of(net, bo)
    feed(net, good, "bodecl", uid=buid, attendee=bo, partstat="DECLINED", seq=bseq)
    net.send("From: %s\nTo: %s\nSubject: FRAMELD M1\n\n" % (bo, net.user))
    net.once()
    # the question and the CANCEL arrive in either order: find the question
    asks = [m for m in net.replies(bo) if e2e.code_of(m) is not None]
    ask = asks[-1] if asks else None
    check(ask is not None and e2e.code_of(ask) is not None and reg(net, bo)[0] == "cancelled",
          "calreply: asked, then unregistered by FRAMELD")
    # Bo changes his mind and registers again (a new UID); the old
    # question, confirmed now, must not cancel the new registration
    net.send("From: %s\nTo: %s\nSubject: DELTAG M1\n\n" % (bo, net.user))
    net.once()
    n_bo = sent_to(net, bo)
    net.send(e2e.outlook_reply(net, ask, bo, "Ja"))
    net.once()
    r = net.replies(bo)[-1]
    check(sent_to(net, bo) == n_bo + 1 and "ikke tilmeldt" in str(r["Subject"]) and calendar(r)[0] is None,
          "calreply: a late confirmation is told there is no seat: %s" % r["Subject"])
    check(reg(net, bo)[0] in ("registered", "waiting"), "calreply: the new registration stands: %r" % (reg(net, bo),))
    check(net.sql("SELECT count(*) FROM audit WHERE addr = ? AND action = 'unregistered'", bo)[0][0] == 1,
          "calreply: unregistered once")
    net.done()


# ---------------------------------------------- the other clients (shared)

def _manifest(root):
    rows = []
    with open(os.path.join(root, "MANIFEST.tsv"), encoding="utf-8") as f:
        for line in f:
            c = line.rstrip("\n").split("\t")
            if len(c) >= 7 and c[0].startswith("imip/"):
                rows.append((c[0], c[6]))
    return rows


def t_calreply_clients(s):
    """Every REPLY and COUNTER of ../shared/corpus/imip from the other
    calendar apps, each for its own registration (guests of an open
    event). Runs only where that corpus exists."""
    if not os.path.isfile(os.path.join(SHARED, "MANIFEST.tsv")):
        print("   ../shared/corpus not present: only t_calreply ran")
        return
    own = set(os.listdir(CORPUS))
    files = []
    for name, reason in _manifest(SHARED):
        base = os.path.basename(name)
        m = re.match(r"(REPLY|COUNTER) ([A-Z-]+)$", reason)
        if m and base not in own and os.path.isfile(os.path.join(SHARED, name)):
            files.append((os.path.join(SHARED, name), m.group(1), m.group(2)))
    check(len(files) >= 10, "clients: REPLY files found in the shared corpus: %d" % len(files))
    net = Net(s, "calclients")
    cli(net, "meeting", "add", "--kind", "conference", "--open", "--title", "Konference: Flere faglærte",
        "--start", "2030-11-05 09:00", "--end", "2030-11-05 16:00", "--place", "Slagelse Musikhus",
        "--host", "Slagelse Kommune", "--capacity", "100")
    who = {}
    for path, _, _ in files:
        tag = re.sub(r"[^a-z0-9]", "", os.path.basename(path)[:-4].lower())[:30]
        who[path] = net.addr(tag)
        net.send("From: %s\nTo: %s\nSubject: DELTAG K1\n\n" % (who[path], net.user))
    net.once()
    before = {}
    for path, method, partstat in files:
        a = who[path]
        uid, seq = uid_of(net, a)
        before[a] = sent_to(net, a)
        d = feed(net, path, re.sub(r"\W", "", a), uid=uid, attendee=a)
        check(d.get("UID", 0) >= 1 and d.get("ATTENDEE", 0) >= 1,
              "clients: %s rewritten: %r" % (os.path.basename(path), d))
    total = net.sql("SELECT count(*) FROM outbox")[0][0]
    net.once()
    asked = []
    for path, method, partstat in files:
        a, f = who[path], os.path.basename(path)
        st = reg(net, a, "K1")
        if method == "COUNTER":
            r = net.replies(a)[-1]
            check(st == ("registered", None) and sent_to(net, a) == before[a] + 1 and
                  "ligger fast" in str(r["Subject"]), "clients: %s: a kind no (%r)" % (f, st))
        elif partstat == "DECLINED":
            check(st == ("registered", "DECLINED") and sent_to(net, a) == before[a] + 1,
                  "clients: %s: DECLINED asks first (%r)" % (f, st))
            asked.append(a)
        else:
            check(st == ("registered", partstat) and sent_to(net, a) == before[a],
                  "clients: %s: %s recorded, no mail (%r)" % (f, partstat, st))
    sent = net.sql("SELECT rcpt FROM outbox WHERE id > ?", total)
    check(all(r[0] in who.values() for r in sent), "clients: mail only to registrants: %r" % sent)
    check(len(net.folder("INBOX")) == 0 and len(net.folder("Manuel")) == 0,
          "clients: every answer handled: inbox %r, held %r" % (net.folder("INBOX"), net.folder("Manuel")))
    # the declines confirmed: the seats go
    for a in asked:
        net.send(e2e.outlook_reply(net, net.replies(a)[-1], a, "Ja"))
    net.once()
    for a in asked:
        method, props, _ = calendar(net.replies(a)[-1])
        check(reg(net, a, "K1")[0] == "cancelled" and method == "CANCEL",
              "clients: %s gave up the seat after confirming" % a)
    net.done()
