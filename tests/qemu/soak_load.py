#!/usr/bin/env python3
"""The host side of the soak (run inside the guest's tap namespace):
  soak_load.py GUEST_IP SECONDS [ECHO_CLIENTS]
ECHO_CLIENTS (64) echo clients, each looping: connect, send a random amount (1 B to
64 KiB, in random pieces), read it all back and compare, close. A chat room of three
clients, each sending a numbered line every 50 ms; every client checks that it gets every
line of the others, in order. Prints one JSON line at the end: bytes moved, echo rounds,
chat lines, and every error (mismatch, reset, stall over 60 s) by kind; a connection
closed or reset before any byte came back is "echo-refused" (the server refused it at
accept for want of memory, which it counts), not an error of the data path."""
import json
import os
import random
import selectors
import socket
import sys
import threading
import time

guest, seconds = sys.argv[1], float(sys.argv[2])
nclients = int(sys.argv[3]) if len(sys.argv) > 3 else 64
end = time.monotonic() + seconds
lock = threading.Lock()
res = {"echo_rounds": 0, "echo_bytes": 0, "chat_lines_sent": 0, "chat_lines_got": 0,
       "echo_longest_wait_s": 0.0, "errors": {}}


def waited(t0):
    """The longest an echo client sat in one blocking call (connect, send, recv)."""
    w = time.monotonic() - t0
    with lock:
        res["echo_longest_wait_s"] = max(res["echo_longest_wait_s"], round(w, 2))


def error(kind):
    with lock:
        res["errors"][kind] = res["errors"].get(kind, 0) + 1


# The chat room opens first, on an idle server, and stays all along; the echo clients start
# once it is in (on the 64 KiB board, a room joining under full echo load may be refused).
room_ready = threading.Event()


def echo_client(seed):
    rng = random.Random(seed)
    room_ready.wait(30)
    while time.monotonic() < end:
        size = rng.choice([1, rng.randrange(1, 1460), rng.randrange(1, 65536)])
        data = rng.randbytes(size)
        got = bytearray()
        sent = 0
        try:
            t0 = time.monotonic()
            s = socket.create_connection((guest, 7), timeout=60)
            waited(t0)
            s.settimeout(60)
            while sent < size:
                n = min(size - sent, rng.randrange(1, 8192))
                t0 = time.monotonic()
                s.sendall(data[sent:sent + n])
                waited(t0)
                sent += n
                s.setblocking(False)
                try:
                    while True:
                        chunk = s.recv(65536)
                        if not chunk:
                            break
                        got += chunk
                except BlockingIOError:
                    pass
                s.settimeout(60)
            while len(got) < size:
                t0 = time.monotonic()
                chunk = s.recv(65536)
                waited(t0)
                if not chunk:
                    break
                got += chunk
            s.close()
            if not got:
                error("echo-refused")          # closed before a byte: refused at accept
            elif bytes(got) != data:
                error("echo-mismatch")
            else:
                with lock:
                    res["echo_rounds"] += 1
                    res["echo_bytes"] += 2 * size
        except socket.timeout:
            error("echo-stall-60s")
            print("soak_load: echo client %d stalled 60 s: size=%d sent=%d got=%d" % (
                seed, size, sent, len(got)), file=sys.stderr, flush=True)
        except OSError as e:
            # reset before a byte came back: refused at accept (counted by the server)
            error("echo-refused" if not got else "echo-" + type(e).__name__)


def chat_room():
    names = ["a", "b", "c"]
    socks = {}
    for n in names:
        socks[n] = socket.create_connection((guest, 8000), timeout=30)
    time.sleep(0.5)                     # all three are in the room
    room_ready.set()
    expect = {(r, w): 0 for r in names for w in names if r != w}
    bufs = {n: b"" for n in names}
    sel = selectors.DefaultSelector()
    for n, s in socks.items():
        s.setblocking(False)
        sel.register(s, selectors.EVENT_READ, n)
    seq = 0
    next_send = time.monotonic()
    last_rx = time.monotonic()
    while True:
        now = time.monotonic()
        if now >= end and all(expect[(r, w)] == seq for (r, w) in expect):
            break
        if now - last_rx > 60:
            error("chat-stall-60s")
            break
        if now < end and now >= next_send:
            for n in names:
                try:
                    socks[n].sendall(("%s %d\n" % (n, seq)).encode())
                except BlockingIOError:
                    error("chat-send-blocked")
            seq += 1
            with lock:
                res["chat_lines_sent"] += 3
            next_send = now + 0.05
        for key, _ in sel.select(0.02):
            r = key.data
            try:
                chunk = key.fileobj.recv(65536)
            except BlockingIOError:
                continue
            if not chunk:
                error("chat-closed")
                return
            last_rx = time.monotonic()
            bufs[r] += chunk
            while b"\n" in bufs[r]:
                line, bufs[r] = bufs[r].split(b"\n", 1)
                w, k = line.decode().split()
                if int(k) != expect[(r, w)]:
                    error("chat-order")
                expect[(r, w)] = int(k) + 1
                with lock:
                    res["chat_lines_got"] += 1
    for s in socks.values():
        s.setblocking(True)
        s.sendall(b"logout\n")
        s.close()


threads = [threading.Thread(target=echo_client, args=(i,)) for i in range(nclients)]
def chat_room_checked():
    try:
        chat_room()
    except OSError as e:
        error("chat-" + type(e).__name__)
    finally:
        room_ready.set()                # an error is counted; the echo load still runs


threads.append(threading.Thread(target=chat_room_checked))
t0 = time.monotonic()
for t in threads:
    t.start()
for t in threads:
    t.join()
res["s"] = round(time.monotonic() - t0, 1)
print(json.dumps(res), flush=True)
