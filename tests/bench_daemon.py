#!/usr/bin/env python3
"""make bench, the daemon's case: `ffnet run` (IMAP IDLE) as the network
runs it, on the loopback stack, against the same stack delivering plain
mail in the same run (these machines are noisy: ratios, not seconds).

  base:     N plain messages sent in one burst over one SMTP connection,
            until all are in the mailbox;
  joins:    N TILMELD from N addresses in one burst while ffnet runs,
            until every confirmation is delivered;
  confirms: the N replies to those confirmations in one burst, until
            every welcome is delivered;
  latency:  one command at a time (HJÆLP), from the mail's arrival in
            the network's mailbox (the time Dovecot puts in the Maildir
            file name) to ffnet's log line saying the SMTP server accepted
            the answer: median and 99th percentile over BENCH_LAT
            (default 100) commands; and ffnet's own part of it, from
            IDLE's notice (a debug line) to that log line. Dovecot
            announces new mail 500 ms after it arrives
            (NOTIFY_DELAY_MSECS in its mailbox-watch.c).

For each burst: the time from the first send to the last delivery, its
ratio to base, and the longest pause with nothing delivered (from the
first send on). Goal: ratio within 1.5 and no pause over 2 s. Exits 1
when a burst is not delivered at all (a time-out), not on a slow figure.
N is BENCH_N (default 200)."""

import glob
import os
import re
import smtplib
import statistics
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "e2e"))
import e2e  # noqa: E402

N = int(os.environ.get("BENCH_N", "200"))
LAT = int(os.environ.get("BENCH_LAT", "100"))
NAME = re.compile(r"^(\d+)\.M(\d+)P")


def stamp(path):
    """Delivery time from a Dovecot Maildir file name (seconds.Mmicros)."""
    m = NAME.match(os.path.basename(path))
    return int(m.group(1)) + int(m.group(2)) / 1e6 if m else os.stat(path).st_mtime


class Maildir:
    """The files delivered to one Maildir (all its folders) since mark()."""

    def __init__(self, path):
        self.path = path
        self.seen = set()

    def names(self):
        out = {}
        for d in glob.glob(os.path.join(self.path, "new")) + glob.glob(os.path.join(self.path, "cur")) + \
                glob.glob(os.path.join(self.path, ".*", "new")) + glob.glob(os.path.join(self.path, ".*", "cur")):
            try:
                for f in os.listdir(d):
                    out[f.split(":")[0]] = os.path.join(d, f)
            except FileNotFoundError:
                pass
        return out

    def mark(self):
        self.seen = set(self.names())

    def fresh(self):
        return {k: v for k, v in self.names().items() if k not in self.seen}

    def wait(self, n, limit=600):
        end = time.time() + limit
        while time.time() < end:
            f = self.fresh()
            if len(f) >= n:
                return sorted(stamp(p) for p in f.values())
            time.sleep(0.05)
        return None


def figures(t0, times):
    """(total seconds, longest pause, where it began) of deliveries since t0."""
    if not times:
        return None, None, None
    gaps = [(b - a, a - t0) for a, b in zip([t0] + times, times)]
    pause, at = max(gaps)
    return times[-1] - t0, pause, at


def cpu_of(pid):
    """CPU seconds (user + system) used so far by a process."""
    with open("/proc/%d/stat" % pid) as f:
        v = f.read().rsplit(")", 1)[1].split()
    return (int(v[11]) + int(v[12])) / os.sysconf("SC_CLK_TCK")


def machine_busy():
    """(busy, total) jiffies of all cores, from /proc/stat."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    idle = v[3] + v[4]
    return sum(v) - idle, sum(v)


def busy_since(b0):
    b1 = machine_busy()
    return 100.0 * (b1[0] - b0[0]) / max(1, b1[1] - b0[1])


def burst(stack, msgs):
    """Sends [(env_from, rcpt, raw)] over one SMTP connection; the start time."""
    t0 = time.time()
    with smtplib.SMTP(stack.host, stack.port("SMTP_PORT")) as smtp:
        for frm, to, raw in msgs:
            smtp.sendmail(frm, [to], raw.encode("utf-8"))
    return t0


class Daemon:
    """ffnet run, its log lines stamped as they come."""

    def __init__(self, net):
        self.lines = []
        self.p = subprocess.Popen([e2e.FFNET, "-dv", "-c", net.conf_path, "run"],
                                  stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
        self.t = threading.Thread(target=self.read, daemon=True)
        self.t.start()

    def read(self):
        for line in self.p.stderr:
            self.lines.append((time.time(), line))

    def find(self, word, after=0):
        """The time of the first line after the first `after` with word, or None."""
        return next((t for t, l in list(self.lines[after:]) if word in l), None)

    def wait_for(self, word, after=0, limit=30):
        end = time.time() + limit
        while time.time() < end:
            for t, l in list(self.lines[after:]):
                if word in l:
                    return t
            time.sleep(0.01)
        return None

    def stop(self):
        self.p.terminate()
        try:
            self.p.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.p.kill()
        self.t.join(timeout=5)


def show(name, what, total, pause, at, base):
    if total is None:
        print("  %-9s TIMED OUT  %s" % (name, what))
        return False
    print("  %-9s %6.2f s  ratio %5.2f  longest pause %5.2f s (from +%.2f s)  %s"
          % (name, total, total / base, pause, at, what))
    return True


def main():
    os.environ["FFNET_VALGRIND"] = ""
    stack = e2e.Stack()
    d = None
    try:
        sink = Maildir(os.path.join(stack.dir, "mail", "example.org", "catchall", "Maildir"))
        # base: N plain messages in a burst
        net0 = e2e.Net(stack, "base")
        dest = net0.addr("sink")
        sink.mark()
        m0 = machine_busy()
        t0 = burst(stack, [(net0.user, dest, "From: %s\r\nTo: %s\r\nSubject: base %d\r\n\r\n%s\r\n"
                            % (net0.user, dest, k, "x" * 1500)) for k in range(N)])
        base_times = sink.wait(N)
        base_busy = busy_since(m0)
        base, base_pause, base_at = figures(t0, base_times)
        if base is None:
            print("bench daemon: the stack did not deliver the base burst")
            return 1

        net = e2e.Net(stack, "daemon", limits="replies_per_hour = 1000\n")
        d = Daemon(net)
        if d.wait_for("connected") is None:
            print("bench daemon: ffnet run did not connect")
            return 1
        time.sleep(0.5)   # in IDLE
        addrs = [net.addr("m%03d" % k) for k in range(N)]
        sink.mark()
        c0, m0 = cpu_of(d.p.pid), machine_busy()
        t0 = burst(stack, [(a, net.user, "From: \"Medlem %d\" <%s>\r\nTo: %s\r\nSubject: TILMELD Medlem %d; "
                            "Firma %d\r\nMessage-ID: <j%d.%f@bench.example.com>\r\n\r\nHej\r\n"
                            % (k, a, net.user, k, k, k, time.time())) for k, a in enumerate(addrs)])
        joins = sink.wait(N, 300)
        j_cpu, j_busy = cpu_of(d.p.pid) - c0, busy_since(m0)
        j_total, j_pause, j_at = figures(t0, joins)

        confs = []
        for a in addrs:
            msgs = net.replies(a)
            if msgs:
                confs.append((a, e2e.outlook_reply(net, msgs[-1], a, "Ja tak")))
        sink.mark()
        c0, m0 = cpu_of(d.p.pid), machine_busy()
        t0 = burst(stack, [(a, net.user, raw.replace("\r\n", "\n").replace("\n", "\r\n")) for a, raw in confs])
        welcomes = sink.wait(len(confs), 300) if confs else None
        c_cpu, c_busy = cpu_of(d.p.pid) - c0, busy_since(m0)
        c_total, c_pause, c_at = figures(t0, welcomes)

        # latency: one command at a time, arrival to accepted
        box = Maildir(os.path.join(stack.dir, "mail", "example.org", net.user.split("@")[0], "Maildir"))
        lat, own = [], []
        for k in range(LAT):
            a = net.addr("l%03d" % k)
            box.mark()
            n0 = len(d.lines)
            burst(stack, [(a, net.user, "From: %s\r\nTo: %s\r\nSubject: HJÆLP\r\nMessage-ID: <l%d.%f@bench>\r\n\r\n"
                           % (a, net.user, k, time.time()))])
            sent = d.wait_for("sent ", n0, 30)
            woke = d.find("IDLE: the server has news", n0)
            arrived = box.fresh()
            if sent is None or not arrived:
                continue
            lat.append(sent - min(stamp(p) for p in arrived.values()))
            if woke is not None and woke <= sent:
                own.append(sent - woke)
        d.stop()
        if os.environ.get("BENCH_LOG"):
            with open(os.environ["BENCH_LOG"], "w") as f:
                f.writelines("%.3f %s" % (t, l) for t, l in d.lines)
        d = None

        print("bench daemon: ffnet run (IMAP IDLE), N=%d; ratio = time / base, same run" % N)
        show("base", "%d plain messages in a burst" % N, base, base_pause, base_at, base)
        print("            the machine's cores %.0f%% busy meanwhile" % base_busy)
        ok = show("joins", "%d TILMELD in a burst, until every confirmation is delivered" % N,
                  j_total, j_pause, j_at, base)
        print("            ffnet's CPU %.2f s; the machine's cores %.0f%% busy meanwhile" % (j_cpu, j_busy))
        ok = show("confirms", "%d replies in a burst, until every welcome is delivered" % len(confs),
                  c_total, c_pause, c_at, base) and ok
        print("            ffnet's CPU %.2f s; the machine's cores %.0f%% busy meanwhile" % (c_cpu, c_busy))
        if lat:
            lat.sort()
            p99 = lat[min(len(lat) - 1, int(round(0.99 * len(lat))) - 1)]
            print("  latency   median %.3f s  p99 %.3f s  over %d commands (arrival in the mailbox to the "
                  "answer accepted by SMTP)" % (statistics.median(lat), p99, len(lat)))
            if own:
                own.sort()
                print("            median %.3f s  p99 %.3f s  from IDLE's notice to the answer accepted (the rest "
                      "is the server's: Dovecot announces new mail 0.5 s after it arrives)"
                      % (statistics.median(own), own[min(len(own) - 1, int(round(0.99 * len(own))) - 1)]))
        else:
            print("  latency   no command answered")
            ok = False
        net0.done()
        net.done()
        return 0 if ok else 1
    finally:
        if d is not None:
            d.stop()
        stack.stop()


if __name__ == "__main__":
    sys.exit(main())
