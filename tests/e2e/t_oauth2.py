"""OAuth2 (XOAUTH2) logins as against Microsoft 365: a second mail stack
in its OAuth2 mode (MAILSTACK_OAUTH2=1: a token endpoint shaped like
Entra ID's, Dovecot and Postfix checking the tokens, XOAUTH2 only, as
Exchange Online offers), started by the first test here that needs it
and stopped at exit. The spine with `once` and `run`, a token that
expires during `run`, a wrong secret, a revoked token, a mailbox the app
was not granted, and Exchange's BAD after AUTHENTICATE from a small
scripted IMAP server. Loaded by e2e.py."""

import atexit
import os
import re
import signal
import socket
import subprocess
import threading
import time
import urllib.parse
import urllib.request

import e2e

_stack = None


class OStack(e2e.Stack):
    """A stack in OAuth2 mode; mailboxes are granted one by one."""

    def __init__(self):
        env = dict(os.environ, MAILSTACK_OAUTH2="1", MAILSTACK_OAUTH2_MECHS="xoauth2",
                   MAILSTACK_OAUTH2_GRANT="none")
        import tempfile
        self.dir = tempfile.mkdtemp(prefix="ffnet-e2e-oauth2.", dir="/tmp")
        os.chmod(self.dir, 0o755)
        out = subprocess.run(["bash", e2e.MS, "start", self.dir], check=True, capture_output=True,
                             text=True, env=env).stdout
        self.env = dict(l.split("=", 1) for l in out.splitlines() if "=" in l)
        self.host = "127.0.0.1"

    def oauth2(self, *args):
        return subprocess.run(["bash", e2e.MS, "oauth2", self.dir] + [str(a) for a in args],
                              check=True, capture_output=True, text=True).stdout

    def olog(self):
        with open(os.path.join(self.dir, "log", "oauth2.log")) as f:
            return f.read()


def stack():
    global _stack
    if _stack is None:
        _stack = OStack()
        atexit.register(_stack.stop)
    return _stack


def onet(name, secret=None, imap=None, oauth2=None):
    """A network that logs in with XOAUTH2 on IMAPS and submission."""
    s = stack()
    ca = s.env["MAILSTACK_CA_CERT"]
    net = e2e.Net(s, name, imap_security="tls", imap_port=s.port("IMAPS_PORT"), imap_host="localhost",
                  imap_ca="ca_file = %s" % ca,
                  smtp_url="smtp://localhost:%d" % s.port("SUBMISSION_PORT"),
                  smtp_extra="ca_file = %s\nrequire_tls = yes\nuser = USER\nauth = xoauth2\n" % ca)
    s.oauth2("grant", net.user)
    secret_file = os.path.join(net.dir, "client-secret")
    with open(secret_file, "w") as f:
        f.write((secret or s.env["MAILSTACK_OAUTH2_CLIENT_SECRET"]) + "\n")
    os.chmod(secret_file, 0o600)
    text = open(net.conf_path).read().replace("user = USER", "user = " + net.user)
    text = text.replace("password = secret\n", "auth = xoauth2\n", 1)
    if imap is not None:
        text = re.sub(r"\[imap\]\nhost = .*\nport = .*\nsecurity = .*\nca_file = .*\n",
                      "[imap]\nhost = 127.0.0.1\nport = %d\nsecurity = none\n" % imap, text)
    text += oauth2 or """
[oauth2]
token_url = %s
client_id = %s
client_secret_file = %s
ca_file = %s
""" % (s.env["MAILSTACK_OAUTH2_TOKEN_URL"], s.env["MAILSTACK_OAUTH2_CLIENT_ID"], secret_file, ca)
    with open(net.conf_path, "w") as f:
        f.write(text)
    os.chmod(net.conf_path, 0o600)
    return net


def issued(log):
    return len(re.findall(r"token issued", log))


def spine_once(net, who):
    """TILMELD, the confirmation, the reply, the welcome; with once."""
    a = net.addr(who)
    net.send("From: \"Jens Hansen\" <%s>\nTo: %s\nSubject: TILMELD Jens Hansen; Hansen VVS\n\n" % (a, net.user))
    net.once()
    r = net.replies(a)
    e2e.check(len(r) == 1 and e2e.code_of(r[0]) is not None,
              "oauth2: confirmation sent with XOAUTH2: %d mails\n%s" % (len(r), net.log[-1500:]))
    if not r:
        return a
    net.send(e2e.outlook_reply(net, r[0], a, "Ja tak"))
    net.once()
    r = net.replies(a)
    e2e.check(len(r) == 2 and "Velkommen" in str(r[-1]["Subject"]),
              "oauth2: welcome after the reply: %s" % [str(x["Subject"]) for x in r])
    return a


def t_oauth2_once(s):
    net = onet("oauth2once")
    s2 = net.stack
    before = issued(s2.olog())
    spine_once(net, "jens")
    e2e.check(net.sql("SELECT count(*) FROM members WHERE status='active'")[0][0] == 1,
              "oauth2: the member is in")
    e2e.check("oauth2: new token" in net.log and "refused" not in net.log,
              "oauth2: a token, no refusal:\n%s" % net.log[-1500:])
    e2e.check(issued(s2.olog()) - before == 2, "oauth2: one token per once (IMAP and SMTP share it): %d"
              % (issued(s2.olog()) - before))
    # check --connect: a token, then both logins, in plain words
    p = subprocess.run([e2e.FFNET, "-c", net.conf_path, "check", "--connect"], capture_output=True,
                       text=True, timeout=120)
    e2e.check(p.returncode == 0, "oauth2: check --connect exit 0: %s" % p.stderr)
    e2e.check("oauth2: got a token from %s for client" % s2.env["MAILSTACK_OAUTH2_TOKEN_URL"] in p.stdout
              and "imap: logged in to localhost" in p.stdout and "with XOAUTH2" in p.stdout
              and "smtp: logged in to smtp://localhost" in p.stdout,
              "oauth2: check --connect names each step: %r" % p.stdout)
    net.done()


def run_daemon(net, valgrind=False):
    """ffnet run; under valgrind (exit 99 on an error) where timing allows."""
    logf = open(os.path.join(net.dir, "run.log"), "w")
    cmd = [e2e.FFNET, "-d", "-c", net.conf_path, "run"]
    if valgrind and e2e.VALGRIND:
        cmd = e2e.VALGRIND.split() + cmd
    p = subprocess.Popen(cmd, stderr=logf, stdout=logf)
    return p, logf


def stop_daemon(net, p, logf):
    p.send_signal(signal.SIGTERM)
    try:
        rc = p.wait(timeout=30)
    except subprocess.TimeoutExpired:
        p.kill()
        rc = p.wait()
    logf.close()
    with open(os.path.join(net.dir, "run.log")) as f:
        return rc, f.read()


def wait_for(net, a, n, secs=30):
    t = time.time() + secs
    while time.time() < t:
        r = net.replies(a)
        if len(r) >= n:
            return r
        time.sleep(0.5)
    return net.replies(a)


def run_spine(net, a, between=None, valgrind=False):
    """The spine with `run`; between() runs after the confirmation."""
    p, logf = run_daemon(net, valgrind)
    try:
        net.send("From: \"Ida Lund\" <%s>\nTo: %s\nSubject: TILMELD Ida Lund; Lund ApS\n\n" % (a, net.user))
        r = wait_for(net, a, 1)
        e2e.check(len(r) == 1, "oauth2 run: confirmation: %d mails" % len(r))
        if between:
            between()
        if r:
            net.send(e2e.outlook_reply(net, r[0], a, "Ja tak"))
        r = wait_for(net, a, 2)
        e2e.check(len(r) == 2 and "Velkommen" in str(r[-1]["Subject"]),
                  "oauth2 run: welcome: %s" % [str(x["Subject"]) for x in r])
    finally:
        rc, log = stop_daemon(net, p, logf)
    e2e.check(rc == 0, "oauth2 run: stops cleanly: %d" % rc)
    return log


def t_oauth2_run_expiry(s):
    """Tokens of 4 s: each login after 80% of that uses a fresh one, so
    no login is refused and no expired token reaches Dovecot."""
    net = onet("oauth2run")
    st = net.stack
    st.oauth2("ttl", 4)
    try:
        mark = len(st.olog())
        log = run_spine(net, net.addr("ida"), between=lambda: time.sleep(6))
    finally:
        st.oauth2("ttl", 300)
    olog = st.olog()[mark:]
    e2e.check(len(re.findall(r"oauth2: new token", log)) >= 2,
              "oauth2 run: the token was renewed:\n%s" % log[-2000:])
    e2e.check("refused" not in log, "oauth2 run: no login refused:\n%s" % log[-2000:])
    e2e.check("expired" not in olog and "revoked" not in olog,
              "oauth2 run: no expired token was used:\n%s" % olog[-2000:])
    net.done()


def t_oauth2_revoked(s):
    """All tokens revoked between two rounds: the next SMTP login is
    refused once, a fresh token is fetched, and the welcome goes out."""
    net = onet("oauth2rev")
    st = net.stack
    log = run_spine(net, net.addr("ole"), between=lambda: st.oauth2("revoke"), valgrind=True)
    refusals = [l for l in log.splitlines() if "refused the token" in l]
    e2e.check(len(refusals) == 1 and "SMTP smtp://localhost" in refusals[0],
              "oauth2 revoke: one SMTP refusal, then a fresh token:\n%s" % log[-2000:])
    e2e.check(len(re.findall(r"oauth2: new token", log)) == 2, "oauth2 revoke: two tokens:\n%s" % log[-2000:])
    e2e.check("configuration error" not in log, "oauth2 revoke: not a config error:\n%s" % log[-2000:])
    net.done()


def t_oauth2_wrong_secret(s):
    net = onet("oauth2sec", secret="Wrong~secret.value_0")
    mark = len(net.stack.olog())
    rc = net.once(expect=None, valgrind=False)
    asked = net.stack.olog()[mark:].count("AADSTS7000215")
    e2e.check(asked == 1, "oauth2 wrong secret: the endpoint is asked once, not for every login: %d" % asked)
    e2e.check(rc != 0, "oauth2 wrong secret: once exits non-zero: %d" % rc)
    lines = [l for l in net.log.splitlines() if "AADSTS7000215" in l]
    e2e.check(lines and "client_secret_file" in lines[0] and "Secret ID" in lines[0],
              "oauth2 wrong secret: the AADSTS line says what to fix:\n%s" % net.log[-1500:])
    net.done()


def t_oauth2_ungranted(s):
    """A valid token for a mailbox the app may not open: one fresh token,
    then the permissions message; not a loop."""
    net = onet("oauth2ungr")
    st = net.stack
    st.oauth2("ungrant", net.user)
    before = issued(st.olog())
    rc = net.once(expect=None, valgrind=False)
    e2e.check(rc != 0, "oauth2 ungranted: once exits non-zero")
    e2e.check("permissions problem" in net.log and "New-ServicePrincipal" in net.log
              and "Add-MailboxPermission" in net.log,
              "oauth2 ungranted: the permissions message:\n%s" % net.log[-2000:])
    e2e.check(issued(st.olog()) - before == 2, "oauth2 ungranted: one retry, no loop: %d tokens"
              % (issued(st.olog()) - before))
    net.done()


class ExoImap(threading.Thread):
    """Exchange's set-up failure: AUTHENTICATE answers OK, the next
    command BAD User is authenticated but not connected, then BYE."""

    def __init__(self, after=b"BAD User is authenticated but not connected.",
                 auth=b"OK AUTHENTICATE completed."):
        super().__init__(daemon=True)
        self.after = after
        self.auth = auth
        self.conns = []
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(5)
        self.port = self.sock.getsockname()[1]
        self.seen = []

    def run(self):
        while True:
            try:
                c, _ = self.sock.accept()
            except OSError:
                return
            self.conns.append(time.time())
            f = c.makefile("rwb")
            f.write(b"* OK The Microsoft Exchange IMAP4 service is ready.\r\n")
            f.flush()
            authed = False
            for line in f:
                tag, _, rest = line.decode().strip().partition(" ")
                cmd = rest.split(" ")[0].upper()
                self.seen.append(cmd)
                if authed:
                    f.write(b"%s %s\r\n* BYE Connection closed. 14\r\n" % (tag.encode(), self.after))
                    f.flush()
                    break
                if cmd == "CAPABILITY":
                    f.write(b"* CAPABILITY IMAP4 IMAP4rev1 AUTH=PLAIN AUTH=XOAUTH2 SASL-IR UIDPLUS "
                            b"MOVE ID UNSELECT CHILDREN IDLE NAMESPACE LITERAL+\r\n%s OK CAPABILITY "
                            b"completed.\r\n" % tag.encode())
                elif cmd == "AUTHENTICATE":
                    authed = self.auth.startswith(b"OK")
                    f.write(b"%s %s\r\n" % (tag.encode(), self.auth))
                else:
                    f.write(b"%s BAD Command Error. 10\r\n" % tag.encode())
                f.flush()
            c.close()


def t_oauth2_not_connected(s):
    srv = ExoImap()
    srv.start()
    net = onet("oauth2exo", imap=srv.port)
    p = subprocess.run([e2e.FFNET, "-c", net.conf_path, "check", "--connect"], capture_output=True,
                       text=True, timeout=120)
    e2e.check(p.returncode != 0, "oauth2 BAD after AUTHENTICATE: check --connect fails")
    e2e.check("AUTHENTICATE" in srv.seen, "oauth2 BAD after AUTHENTICATE: the server saw %s" % srv.seen)
    e2e.check("permissions problem" in p.stderr and "New-ServicePrincipal" in p.stderr
              and "Add-MailboxPermission" in p.stderr and "not a protocol error" in p.stderr,
              "oauth2 BAD after AUTHENTICATE: the permissions message: %r" % p.stderr)
    srv.sock.close()
    net.done()


def t_oauth2_throttled(s):
    """Exchange's throttling after login: ffnet run waits the Suggested
    Backoff Time (4 s here) before it connects again, not 1 s, 2 s, ..."""
    srv = ExoImap(after=b"BAD Request is throttled. Suggested Backoff Time: 4000 milliseconds")
    srv.start()
    net = onet("oauth2thr", imap=srv.port)
    p, logf = run_daemon(net)
    # from the first connection, not from the start: the token and the
    # start-up take their own time (seconds under ASan on a busy machine)
    e2e.wait_for(lambda: srv.conns, 30)
    time.sleep(5.5)
    rc, log = stop_daemon(net, p, logf)
    srv.sock.close()
    gaps = [b - a for a, b in zip(srv.conns, srv.conns[1:])]
    e2e.check("trying again in 4 s" in log, "oauth2 throttled: waits the suggested time:\n%s" % log[-1500:])
    e2e.check(len(srv.conns) == 2 and all(g >= 3.9 for g in gaps),
              "oauth2 throttled: one reconnect, after 4 s: %s" % gaps)
    net.done()


def app_key(d, name):
    """An RSA key and self-signed certificate (as uploaded to the app);
    returns the paths, the modulus (hex) and the x5t (base64url SHA-1)."""
    key, cert = os.path.join(d, name + ".key"), os.path.join(d, name + ".pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert,
                    "-days", "2", "-subj", "/CN=ffnet " + name], check=True, capture_output=True)
    n = subprocess.run(["openssl", "x509", "-noout", "-modulus", "-in", cert], check=True, capture_output=True,
                       text=True).stdout.strip().split("=", 1)[1]
    der = subprocess.run(["openssl", "x509", "-outform", "DER", "-in", cert], check=True,
                         capture_output=True).stdout
    import base64
    import hashlib
    x5t = base64.urlsafe_b64encode(hashlib.sha1(der).digest()).rstrip(b"=").decode()
    return key, cert, n, x5t


def register(st, **form):
    """Uploads a public key to the stand-in (POST /mailstack/cert)."""
    data = urllib.parse.urlencode(form).encode()
    with urllib.request.urlopen(st.env["MAILSTACK_OAUTH2_CONTROL_URL"] + "/cert", data, timeout=10) as r:
        return r.status


def t_oauth2_certificate(s):
    """A certificate credential: a client assertion signed with the key,
    x5t naming the certificate uploaded to the app."""
    st = stack()
    tmp = os.path.join(st.dir, "certs")
    os.makedirs(tmp, exist_ok=True)
    key, cert, n, x5t = app_key(tmp, "app")
    register(st, n=n, x5t=x5t)
    conf = """
[oauth2]
token_url = %s
client_id = %s
certificate_file = %s
key_file = %s
ca_file = %s
""" % (st.env["MAILSTACK_OAUTH2_TOKEN_URL"], st.env["MAILSTACK_OAUTH2_CLIENT_ID"], cert, key,
       st.env["MAILSTACK_CA_CERT"])
    net = onet("oauth2cert", oauth2=conf)
    mark = len(st.olog())
    spine_once(net, "cert")
    e2e.check("(certificate)" in st.olog()[mark:], "oauth2 certificate: the token came for the assertion:\n%s"
              % st.olog()[mark:][-1500:])
    net.done()
    # a certificate the app does not know: AADSTS700027 and what to do
    key2, cert2, _, _ = app_key(tmp, "unknown")
    net = onet("oauth2cert2", oauth2=conf.replace(cert, cert2).replace(key, key2))
    rc = net.once(expect=None, valgrind=False)
    e2e.check(rc != 0 and "AADSTS700027" in net.log and "upload the certificate" in net.log,
              "oauth2 certificate: an unknown certificate is named:\n%s" % net.log[-1500:])
    net.done()


def t_oauth2_jwt_bearer(s):
    """Google Workspace's way: a service account's JWT for the mailbox
    (RFC 7523 2.1), against the stand-in."""
    st = stack()
    tmp = os.path.join(st.dir, "certs")
    os.makedirs(tmp, exist_ok=True)
    key, cert, n, _ = app_key(tmp, "sa")
    sa = "ffnet@project.iam.gserviceaccount.com"
    register(st, n=n, service_account=sa)
    net = onet("oauth2jwt", oauth2="""
[oauth2]
token_url = %s
client_id = %s
key_file = %s
subject = SUBJECT
scope = https://mail.google.com/
ca_file = %s
""" % (st.env["MAILSTACK_OAUTH2_TOKEN_URL"], sa, key, st.env["MAILSTACK_CA_CERT"]))
    with open(net.conf_path) as f:
        text = f.read().replace("SUBJECT", net.user)
    with open(net.conf_path, "w") as f:
        f.write(text)
    mark = len(st.olog())
    spine_once(net, "jwt")
    e2e.check("jwt-bearer for %s" % net.user in st.olog()[mark:],
              "oauth2 jwt-bearer: the token came for the mailbox:\n%s" % st.olog()[mark:][-1500:])
    net.done()


def t_oauth2_endpoint_busy(s):
    """The token endpoint answers 503 with Retry-After: 3: run waits 3 s,
    not its own 1 s, then gets a token and works."""
    net = onet("oauth2busy")
    st = net.stack
    st.oauth2("fail", 1, 503, 3)
    log = run_spine(net, net.addr("bo"))
    e2e.check("HTTP 503" in log and "trying again in 3 s" in log,
              "oauth2 busy: Retry-After honoured:\n%s" % log[-2000:])
    net.done()


def t_oauth2_rotate(s):
    """The README's secret rotation: a new secret in the file and a reload
    (SIGHUP) take effect at once; a wrong one is named, the right one
    after it works again, and the member's mail waits meanwhile."""
    net = onet("oauth2rot")
    secret_file = os.path.join(net.dir, "client-secret")
    good = open(secret_file).read()
    runlog = os.path.join(net.dir, "run.log")

    def seen(word, secs=30):
        t = time.time() + secs
        while time.time() < t:
            with open(runlog) as f:
                if word in f.read():
                    return True
            time.sleep(0.2)
        return False

    p, logf = run_daemon(net, valgrind=True)
    try:
        e2e.check(seen("oauth2: new token"), "oauth2 rotate: a token at start")
        with open(secret_file, "w") as f:
            f.write("Not~the.secret_1\n")
        p.send_signal(signal.SIGHUP)
        e2e.check(seen("AADSTS7000215"), "oauth2 rotate: the wrong new secret is named")
        a = net.addr("rot")
        net.send("From: %s\nTo: %s\nSubject: TILMELD Rita Ott; Ott ApS\n\n" % (a, net.user))
        with open(secret_file, "w") as f:
            f.write(good)
        p.send_signal(signal.SIGHUP)
        r = wait_for(net, a, 1, secs=40)
        e2e.check(len(r) == 1, "oauth2 rotate: with the right secret the mail goes: %d" % len(r))
    finally:
        rc, log = stop_daemon(net, p, logf)
    e2e.check(rc == 0 and len(re.findall(r"reloaded", log)) == 2,
              "oauth2 rotate: two reloads, a clean stop:\n%s" % log[-2000:])
    net.done()


def t_oauth2_login_throttled(s):
    """Exchange throttles the login itself (NO with a Suggested Backoff
    Time): not a refused token, so no fresh token and no second try on
    the spot; run waits the time asked (3 s)."""
    srv = ExoImap(auth=b"NO Request is throttled. Suggested Backoff Time: 3000 milliseconds")
    srv.start()
    net = onet("oauth2lthr", imap=srv.port)
    st = net.stack
    before = issued(st.olog())
    p, logf = run_daemon(net)
    # from the first login, not from the start (see t_oauth2_throttled)
    e2e.wait_for(lambda: "AUTHENTICATE" in srv.seen, 30)
    time.sleep(4.0)
    rc, log = stop_daemon(net, p, logf)
    srv.sock.close()
    e2e.check("throttles logins" in log and "trying again in 3 s" in log and "refused the token" not in log,
              "oauth2 login throttled: waits, keeps its token:\n%s" % log[-1500:])
    e2e.check(srv.seen.count("AUTHENTICATE") == 2 and issued(st.olog()) - before == 1,
              "oauth2 login throttled: one login per connection, one token: %s, %d tokens"
              % (srv.seen, issued(st.olog()) - before))
    net.done()


def t_oauth2_smtp_refused(s):
    """IMAP with a password, SMTP with XOAUTH2 for a mailbox the app was
    not granted: the 535 gets one fresh token and one retry, then one
    configuration error; the reply waits in the outbox, once exits 1."""
    net = onet("oauth2smtp")
    st = net.stack
    with open(net.conf_path) as f:
        text = f.read().replace("auth = xoauth2\n", "password = secret\n", 1)
    with open(net.conf_path, "w") as f:
        f.write(text)
    st.oauth2("ungrant", net.user)
    a = net.addr("sm")
    net.send("From: %s\nTo: %s\nSubject: TILMELD Sune Mik; Mik ApS\n\n" % (a, net.user))
    before = issued(st.olog())
    rc = net.once(expect=None, valgrind=False)
    e2e.check(rc == 1, "oauth2 smtp refused: once exits 1: %d" % rc)
    e2e.check(issued(st.olog()) - before == 2 and net.log.count("refused the token") == 1
              and net.log.count("refused a fresh token too") == 1,
              "oauth2 smtp refused: one retry with a fresh token, one config error:\n%s" % net.log[-2500:])
    e2e.check("SMTP.SendAsApp" in net.log and "SmtpClientAuthenticationDisabled" in net.log,
              "oauth2 smtp refused: what to check is named:\n%s" % net.log[-2500:])
    e2e.check(len(net.replies(a)) == 0 and net.sql("SELECT count(*) FROM outbox")[0][0] == 1,
              "oauth2 smtp refused: the reply waits in the outbox")
    net.done()


def t_oauth2_revoked_pool(s):
    """Tokens revoked while a round is under way: the three SMTP
    connections of the pool are all refused with the old token; one fresh
    token serves them all, with no false configuration error."""
    net = onet("oauth2pool")
    st = net.stack
    who = [net.addr("p%d" % k) for k in range(3)]
    for a in who:
        net.send("From: %s\nTo: %s\nSubject: TILMELD Per Holm; Holm ApS\n\n" % (a, net.user))
    before = issued(st.olog())
    log0 = len(st.olog())

    def revoke():
        # once Dovecot has checked the IMAP login's token (the stand-in
        # logs the introspection): the SMTP pool comes after the fetch
        # and the pause, whatever the start-up took (ASan, a busy machine)
        e2e.wait_for(lambda: "introspect" in st.olog()[log0:], 30)
        st.oauth2("revoke")
    timer = threading.Thread(target=revoke)
    timer.start()
    net.once(env={"FFNET_PAUSE": "after_fetch:2500"}, valgrind=False)
    timer.join()
    got = [len(net.replies(a)) for a in who]
    e2e.check(got == [1, 1, 1], "oauth2 pool: every confirmation sent: %s\n%s" % (got, net.log[-2500:]))
    e2e.check(net.log.count("refused the token") == 1 and "fresh token too" not in net.log
              and issued(st.olog()) - before == 2,
              "oauth2 pool: one fresh token for all, no config error (%d tokens):\n%s"
              % (issued(st.olog()) - before, net.log[-2500:]))
    net.done()
