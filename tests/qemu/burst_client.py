#!/usr/bin/env python3
"""N clients at once, each sending SIZE bytes (plus i*97 when SIZE is negative: varied)
to HOST:PORT and reading the echo concurrently; run inside the tap namespace. Prints one
JSON line: {"ok": clients byte-exact, "clients": N, "max_stall_s": the longest time any
connection waited for its next echoed byte while it still expected some, "s": total}."""
import json
import os
import selectors
import socket
import sys
import time

host, port, n, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
timeout = float(os.environ.get("BURST_TIMEOUT", "300"))
sel = selectors.DefaultSelector()
conns = []
for i in range(n):
    data = os.urandom(abs(size) + (97 * i if size < 0 else 0))
    s = socket.create_connection((host, port), timeout=30)
    s.setblocking(False)
    c = {"s": s, "data": data, "sent": 0, "got": bytearray(), "last": None}
    conns.append(c)
    sel.register(s, selectors.EVENT_READ | selectors.EVENT_WRITE, c)
t0 = time.monotonic()
for c in conns:
    c["last"] = t0
max_stall = 0.0
open_ = n
while open_ and time.monotonic() - t0 < timeout:
    now = time.monotonic()
    for key, ev in sel.select(timeout=0.2):
        c = key.data
        if ev & selectors.EVENT_WRITE and c["sent"] < len(c["data"]):
            try:
                c["sent"] += c["s"].send(c["data"][c["sent"]:c["sent"] + 65536])
            except BlockingIOError:
                pass
            if c["sent"] == len(c["data"]):
                sel.modify(c["s"], selectors.EVENT_READ, c)
        if ev & selectors.EVENT_READ:
            try:
                chunk = c["s"].recv(65536)
            except BlockingIOError:
                continue
            except OSError:
                chunk = b""
            now = time.monotonic()
            if chunk:
                max_stall = max(max_stall, now - c["last"])
                c["last"] = now
                c["got"] += chunk
            if not chunk or len(c["got"]) >= len(c["data"]):
                sel.unregister(c["s"])
                c["s"].close()
                open_ -= 1
    now = time.monotonic()
    for c in conns:      # a connection still waiting counts as stalled so far
        if len(c["got"]) < len(c["data"]) and c["s"].fileno() >= 0:
            max_stall = max(max_stall, now - c["last"])
ok = sum(bytes(c["got"]) == c["data"] for c in conns)
print(json.dumps({"ok": ok, "clients": n, "max_stall_s": round(max_stall, 3),
                  "s": round(time.monotonic() - t0, 3)}))
