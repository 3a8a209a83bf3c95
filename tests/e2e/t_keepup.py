"""The daemon keeps up: mail that arrives while `ffnet run` works is
handled as soon as that work is done, not after the next announcement
or time-out. Loaded by e2e.py."""

import os
import signal
import subprocess
import time

import e2e
from e2e import Net, check, wait_for


def t_daemon_keeps_up(s):
    """While the daemon handles the first mail (held 2 s by the test aid
    FFNET_PAUSE), three more arrive; Dovecot announces them during that
    round (EXISTS in the answer to a FETCH or MOVE), so IDLE will not
    announce them again. With idle_seconds = 1000 they are answered in
    seconds all the same, and the daemon then stops cleanly."""
    net = Net(s, "keepup")
    with open(net.conf_path) as f:
        text = f.read()
    with open(net.conf_path, "w") as f:
        f.write(text.replace("idle = yes\n", "idle = yes\nidle_seconds = 1000\n"))
    cmd = [e2e.FFNET, "-d", "-c", net.conf_path, "run"]
    if e2e.VALGRIND:
        cmd = e2e.VALGRIND.split() + cmd
    env = dict(os.environ, FFNET_PAUSE="after_fetch:2000")
    logf = open(os.path.join(net.dir, "run.log"), "w+")
    p = subprocess.Popen(cmd, stderr=logf, stdout=logf, env=env)
    log = lambda: open(logf.name).read()
    try:
        check(wait_for(lambda: "connected" in log(), 60), "keepup: connected")
        first = net.addr("first")
        net.send("From: %s\nTo: %s\nSubject: HJÆLP\n\n" % (first, net.user))
        check(wait_for(lambda: "FFNET_PAUSE" in log(), 30), "keepup: the round is under way")
        later = [net.addr("later%d" % k) for k in range(3)]
        for a in later:
            net.send("From: %s\nTo: %s\nSubject: HJÆLP\n\n" % (a, net.user))
        t0 = time.time()
        check(wait_for(lambda: all(len(net.replies(a)) == 1 for a in [first] + later), 30),
              "keepup: the mail that came during the round is answered without a new announcement")
        print("   answered %.1fs after the round's pause ended" % max(0, time.time() - t0))
        check(len(net.sql("SELECT 1 FROM inbox WHERE disp = 'done'")) == 4,
              "keepup: four messages handled, each once")
        p.send_signal(signal.SIGTERM)
        rc = p.wait(timeout=60)
        check(rc == 0, "keepup: SIGTERM stops it cleanly (rc %d)\n%s" % (rc, log()[-3000:]))
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
        logf.close()
    net.done()
