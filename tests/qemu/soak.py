#!/usr/bin/env python3
"""`make soak BOARD=... SOAK_S=N`: N seconds of mixed load on one board over the tap
network, every byte checked: 64 echo clients with random sizes and a chat room
(tests/qemu/soak_load.py, inside the namespace) while the guest fetches a 200 KB page from
a host server in a loop (each CRC-32 checked). At the end it prints what moved, the errors,
and the kernel's heap and sockets against the start (they must come back)."""
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from conftest import PYTHON, ROOT, Guest, board_info  # noqa: E402

HOST_IP, GUEST_IP = "10.77.0.1", "10.77.0.2"
FETCH = re.compile(r"fetch: \S+ status=(\d+) bytes=(\d+) crc32=([0-9a-f]{8})")


def soak(board, seconds, clients=None):
    """clients: echo clients at once; by default 64, or on a board that holds fewer
    connections (TEST_CONNS) what it holds besides the chat room's 3 and the fetch."""
    if clients is None:
        clients = min(64, max(1, int(board_info(board)["TEST_CONNS"]) - 4))
    g = Guest(board, net="tap")
    d = tempfile.mkdtemp()
    page = os.urandom(200000)
    with open(os.path.join(d, "page"), "wb") as f:
        f.write(page)
    httpd = g.in_ns([PYTHON, "-m", "http.server", "--bind", HOST_IP, "8081", "--directory", d],
                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        assert g.wait_host_listening(8081), "the soak's HTTP server did not start"
        start = g.settled_resources()
        load = g.in_ns([PYTHON, os.path.join(ROOT, "tests", "qemu", "soak_load.py"), GUEST_IP,
                        str(seconds), str(clients)], stdout=subprocess.PIPE, text=True)
        fetches = fetch_errors = fetch_nomem = 0
        t_end = time.monotonic() + seconds
        while time.monotonic() < t_end:
            out = g.cmd("fetch -t 60000 http://%s:8081/page" % HOST_IP, timeout=120)
            m = FETCH.search(out)
            if m and int(m.group(1)) == 200 and int(m.group(2)) == len(page) and \
                    int(m.group(3), 16) == zlib.crc32(page):
                fetches += 1
            elif re.search(r"^fetch: \S+ error=no-memory ms=\d+$", out, re.M):
                fetch_nomem += 1                 # no room for its task now: said, not lost
                time.sleep(0.5)
            else:
                fetch_errors += 1
                print("soak: fetch failed: %s" % out.strip(), flush=True)
        out, _ = load.communicate(timeout=seconds + 300)
        r = json.loads(out)
        r["fetches"] = fetches
        r["fetch_bytes"] = fetches * len(page)
        if fetch_errors:
            r["errors"]["fetch"] = fetch_errors
        if fetch_nomem:
            r["errors"]["fetch-no-memory"] = fetch_nomem
        end = g.wait_resources(start, timeout=60)
        r["start"] = dict(zip(("sockets", "heap_used", "lwip_cache"), start))
        r["end"] = dict(zip(("sockets", "heap_used", "lwip_cache"), end))
        r["servers"] = g.cmd("servers").strip()
        r["ps"] = g.cmd("ps").strip()
        return r
    finally:
        httpd.terminate()
        httpd.wait(10)
        g.close()


def main():
    board = os.environ.get("BOARD", "qemu-x86")
    seconds = float(os.environ.get("SOAK_S", "3600"))
    r = soak(board, seconds)
    moved = r["echo_bytes"] + r["fetch_bytes"]
    print("soak_%s_seconds=%d" % (board, seconds))
    print("soak_%s_bytes_moved=%d echo_rounds=%d chat_lines=%d/%d fetches=%d" % (
        board, moved, r["echo_rounds"], r["chat_lines_got"], 2 * r["chat_lines_sent"], r["fetches"]))
    print("soak_%s_errors=%s echo_longest_wait_s=%.2f" % (board, json.dumps(r["errors"]),
                                                          r["echo_longest_wait_s"]))
    print("soak_%s_heap_used start=%d end=%d  sockets start=%d end=%d" % (
        board, r["start"]["heap_used"], r["end"]["heap_used"], r["start"]["sockets"], r["end"]["sockets"]))
    print(r["servers"])
    ok = (not r["errors"] and r["start"]["sockets"] == r["end"]["sockets"] and
          abs(r["end"]["heap_used"] - r["start"]["heap_used"]) <= 64)   # see test_soak.py
    print("soak: %s" % ("ok" if ok else "FAILED"))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
