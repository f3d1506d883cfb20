#!/usr/bin/env python3
"""Network figures of one board (BOARD env), measured from the host through QEMU's user
network (so they include QEMU's slirp and the emulated NIC, not just the kernel):
  rtt_us      median round trip of a 64-byte TCP echo
  echo_MBps   bulk TCP echo throughput (bytes sent and received back, per second)
  conn_bytes  RAM per idle TCP echo connection: heap (task stack, mailbox) plus lwIP pool
              memory (PCB, netconn, ...), from `mem` and `netstat`, averaged over 16
"""
import os
import re
import socket
import statistics
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "qemu"))
from conftest import Guest  # noqa: E402

BOARD = os.environ.get("BOARD", "qemu-x86")
KEY = {"qemu-x86": "x86", "qemu-mps2-an385": "m3"}[BOARD]


def ram(g):
    net, mem = g.cmd("netstat"), g.cmd("mem")
    pools = int(re.search(r"lwip pools bytes used=(\d+)", net).group(1))
    lheap = int(re.search(r"lwip heap bytes used=(\d+)", net).group(1))
    heap = int(re.search(r"used=(\d+)", mem).group(1))
    return pools + lheap + heap


def main():
    g = Guest(BOARD)
    try:
        addr = ("127.0.0.1", g.echo_port)
        s = socket.create_connection(addr, timeout=30)
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        msg = b"r" * 64
        samples = []
        for i in range(600):
            t0 = time.perf_counter()
            s.sendall(msg)
            got = b""
            while len(got) < 64:
                got += s.recv(64 - len(got))
            if i >= 100:
                samples.append(time.perf_counter() - t0)
        s.close()
        print("%s_rtt_us=%.0f" % (KEY, statistics.median(samples) * 1e6))

        data = os.urandom(4 << 20)
        s = socket.create_connection(addr, timeout=60)
        got = [0]

        def reader():
            while got[0] < len(data):
                n = len(s.recv(1 << 16))
                if not n:
                    break
                got[0] += n

        t = threading.Thread(target=reader)
        t0 = time.perf_counter()
        t.start()
        s.sendall(data)
        t.join()
        dt = time.perf_counter() - t0
        s.close()
        print("%s_echo_MBps=%.2f" % (KEY, len(data) / dt / 1e6))

        time.sleep(1)
        before = ram(g)
        conns = []
        for _ in range(16):
            c = socket.create_connection(addr, timeout=30)
            c.sendall(b"x")
            assert c.recv(1) == b"x"
            conns.append(c)
        after = ram(g)
        for c in conns:
            c.close()
        print("%s_conn_bytes=%d" % (KEY, (after - before) // 16))
    finally:
        g.close()


if __name__ == "__main__":
    main()
