#!/usr/bin/env python3
"""Many concurrent TCP connections to one echo server, from one process (epoll).

Run where the guest is reachable (inside the tap namespace: `ip netns exec NS ...`).
Commands come one per line on stdin; each answer is one JSON line on stdout:
  open N      open N more connections, WINDOW connects in flight at a time; each is
              checked with a short echo of its own ("open" is done when it came back).
              -> {"opened": total open, "refused": connects reset/refused, "no_port":
                  connects the host had no local port for (EADDRNOTAVAIL), "s": seconds}
  echo        send one line on every open connection at once, then wait until every line
              came back byte-exact -> {"echoed": n, "bad": n, "lost": n, "s": seconds}
  close       close every connection -> {"closed": n}
  quit        exit
A refused connection (RST, or refused at connect) is counted, never retried.
"""
import errno
import json
import os
import resource
import selectors
import socket
import struct
import sys
import time

HOST = sys.argv[1]
PORT = int(sys.argv[2])
WINDOW = int(os.environ.get("LOAD_WINDOW", "64"))
TIMEOUT = float(os.environ.get("LOAD_TIMEOUT", "120"))
# LOAD_CLOSE_RST=1: `close` resets its connections (SO_LINGER 0) instead of closing them, so
# that tens of thousands of them do not hold the host's ports in TIME_WAIT for a minute
CLOSE_RST = os.environ.get("LOAD_CLOSE_RST", "0") == "1"

soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
try:
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(hard, 70000), max(hard, 70000)))
except (ValueError, OSError):
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))

sel = selectors.DefaultSelector()
conns = []          # open, checked sockets


def line_for(i, k):
    return b"%d/%d %s\n" % (i, k, b"x" * (i % 37))


def run(pending, want, on_done, deadline):
    """pending: {sock: [expected, got]}; read until each got == expected or failed."""
    bad = lost = 0
    while pending and time.monotonic() < deadline:
        for key, _ in sel.select(timeout=0.5):
            s = key.fileobj
            st = pending.get(s)
            if st is None:
                continue
            try:
                chunk = s.recv(4096)
            except (ConnectionResetError, BrokenPipeError, OSError):
                chunk = None
            if not chunk:
                del pending[s]
                sel.unregister(s)
                on_done(s, False)
                lost += 1
                continue
            st[1] += chunk
            if len(st[1]) >= len(st[0]):
                del pending[s]
                sel.unregister(s)
                ok = st[1] == st[0]
                bad += not ok
                on_done(s, ok)
    for s in list(pending):
        sel.unregister(s)
        on_done(s, False)
        lost += 1
    return bad, lost


def cmd_open(n):
    t0 = time.monotonic()
    refused = no_port = 0
    todo = n
    inflight = {}
    deadline = t0 + TIMEOUT

    def done(s, ok):
        nonlocal refused
        if ok:
            conns.append(s)
        else:
            refused += 1
            s.close()

    while (todo or inflight) and time.monotonic() < deadline:
        while todo and len(inflight) < WINDOW:
            s = socket.socket()
            s.setblocking(False)
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            rc = s.connect_ex((HOST, PORT))
            if rc == errno.EADDRNOTAVAIL:   # no local port left: the host's limit, not the guest's
                no_port += 1
                s.close()
                todo -= 1
                continue
            if rc not in (0, errno.EINPROGRESS):
                refused += 1
                s.close()
                todo -= 1
                continue
            inflight[s] = "connecting"
            sel.register(s, selectors.EVENT_WRITE)
            todo -= 1
        for key, ev in sel.select(timeout=0.5):
            s = key.fileobj
            st = inflight.get(s)
            if st == "connecting":
                err = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                if err:
                    sel.unregister(s)
                    del inflight[s]
                    refused += 1
                    s.close()
                    continue
                msg = line_for(len(conns) + len(inflight), 0)
                try:
                    s.send(msg)
                except OSError:             # reset already (refused at accept): counted
                    sel.unregister(s)
                    del inflight[s]
                    refused += 1
                    s.close()
                    continue
                inflight[s] = [msg, b""]
                sel.modify(s, selectors.EVENT_READ)
            elif st is not None:
                try:
                    chunk = s.recv(4096)
                except OSError:
                    chunk = b""
                if not chunk:
                    sel.unregister(s)
                    del inflight[s]
                    done(s, False)
                    continue
                st[1] += chunk
                if len(st[1]) >= len(st[0]):
                    sel.unregister(s)
                    del inflight[s]
                    done(s, st[1] == st[0])
    for s in list(inflight):
        sel.unregister(s)
        done(s, False)
    return {"opened": len(conns), "refused": refused, "no_port": no_port,
            "s": round(time.monotonic() - t0, 3)}


def cmd_echo(k):
    t0 = time.monotonic()
    pending = {}
    for i, s in enumerate(conns):
        msg = line_for(i, k)
        try:
            s.sendall(msg)
        except OSError:
            pass
        pending[s] = [msg, b""]
        sel.register(s, selectors.EVENT_READ)
    ok = [0]
    times = []

    def done(s, good):
        ok[0] += good
        times.append(time.monotonic() - t0)
    bad, lost = run(pending, None, done, t0 + TIMEOUT)
    times.sort()
    pct = {"p%d" % q: round(times[min(len(times) - 1, len(times) * q // 100)], 3)
           for q in (10, 50, 90, 99)} if times else {}
    return dict({"echoed": ok[0], "bad": bad, "lost": lost,
                 "s": round(time.monotonic() - t0, 3)}, **pct)


def main():
    rounds = 0
    for line in sys.stdin:
        words = line.split()
        if not words:
            continue
        if words[0] == "open":
            out = cmd_open(int(words[1]))
        elif words[0] == "echo":
            rounds += 1
            out = cmd_echo(rounds)
        elif words[0] == "close":
            n = len(conns)
            for s in conns:
                if CLOSE_RST:                # a reset: no port left in TIME_WAIT for 60 s
                    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                s.close()
            conns.clear()
            out = {"closed": n}
        elif words[0] == "quit":
            break
        else:
            out = {"error": "unknown command " + words[0]}
        print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
