#!/usr/bin/env python3
"""make bench: ffnet's throughput and memory on the loopback stack, as
ratios against a baseline measured in the same run (these machines are
noisy; absolute seconds mean little).

  handle: `ffnet once` over N waiting commands (HJÆLP), each fetched,
          parsed, recognised, answered, committed, moved, and its reply
          sent, until every reply is in the recipient's mailbox;
  base:   the same stack delivering N messages of the same size from one
          SMTP connection (python smtplib), until all are in the mailbox.

ratio = handle / base. Also ffnet's peak memory (max RSS) for N and 4N,
to show it does not grow with the mailbox. N is BENCH_N (default 200)."""

import os
import resource
import smtplib
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "e2e"))
import e2e  # noqa: E402

N = int(os.environ.get("BENCH_N", "200"))


def wait_count(net, addr, n, limit=600):
    end = time.time() + limit
    while time.time() < end:
        i = net.imap("catchall@example.org", "catchall")
        i.select("INBOX", readonly=True)
        typ, data = i.uid("SEARCH", None, "TO", '"%s"' % addr)
        i.logout()
        if len(data[0].split()) >= n:
            return True
        time.sleep(0.1)
    return False


def seed(net, who, n):
    a = net.addr(who)
    with smtplib.SMTP(net.stack.host, net.stack.port("SMTP_PORT")) as smtp:
        for k in range(n):
            smtp.sendmail(a, [net.user], ("From: %s\r\nTo: %s\r\nSubject: HJÆLP\r\n"
                                          "Message-ID: <b%d.%s@bench>\r\n\r\nhej\r\n" % (a, net.user, k, who)).encode())
    net.stack.wait()
    return a


def run_once(net):
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t0 = time.time()
    p = subprocess.run([e2e.FFNET, "-c", net.conf_path, "once"], capture_output=True, text=True)
    return time.time() - t0, p.returncode, before


def maxrss_of(cmd):
    """Peak RSS in KiB of one command, read with GNU time's format from /proc."""
    p = subprocess.run(["/usr/bin/env", "python3", "-c",
                        "import resource,subprocess,sys;"
                        "subprocess.run(sys.argv[1:],capture_output=True);"
                        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"] + cmd,
                       capture_output=True, text=True)
    return int(p.stdout.strip() or 0)


def main():
    os.environ["FFNET_VALGRIND"] = ""
    stack = e2e.Stack()
    try:
        # baseline: N plain messages on one connection, until delivered
        net0 = e2e.Net(stack, "base")
        dest = net0.addr("sink")
        body = "x" * 1500
        t0 = time.time()
        with smtplib.SMTP(stack.host, stack.port("SMTP_PORT")) as smtp:
            for k in range(N):
                smtp.sendmail(net0.user, [dest], ("From: %s\r\nTo: %s\r\nSubject: base %d\r\n\r\n%s\r\n"
                                                   % (net0.user, dest, k, body)).encode())
        ok = wait_count(net0, dest, N)
        base = time.time() - t0
        # ffnet: N waiting commands, handled and answered
        lim = "replies_per_hour = 1000\n"
        net = e2e.Net(stack, "bench", limits=lim)
        a = seed(net, "m", N)
        t0 = time.time()
        rss_n = maxrss_of([e2e.FFNET, "-c", net.conf_path, "once"])
        ok2 = wait_count(net, a, N)
        handle = time.time() - t0
        # memory with 4N waiting
        net4 = e2e.Net(stack, "bench4", limits=lim)
        seed(net4, "m", 4 * N)
        rss_4n = maxrss_of([e2e.FFNET, "-c", net4.conf_path, "once"])
        print("bench: N=%d commands" % N)
        print("  base   %6.2f s  %d plain messages delivered over one SMTP connection%s"
              % (base, N, "" if ok else " (TIMED OUT)"))
        print("  ffnet  %6.2f s  %d commands fetched, handled, answered and delivered%s"
              % (handle, N, "" if ok2 else " (TIMED OUT)"))
        print("  ratio  %6.2f    ffnet / base (1.0 = as fast as the stack delivers mail)" % (handle / base))
        print("  memory %6.1f MiB peak for N, %.1f MiB for 4N (ratio %.2f)"
              % (rss_n / 1024, rss_4n / 1024, rss_4n / max(rss_n, 1)))
        for n in (net0, net, net4):
            n.done()
        return 0 if ok and ok2 else 1
    finally:
        stack.stop()


if __name__ == "__main__":
    sys.exit(main())
