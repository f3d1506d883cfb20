#!/usr/bin/env python3
"""An impaired Ethernet link, in user space (this machine's kernel has no netem).

Frames travel between QEMU's `-netdev socket,udp=...` backend (one UDP datagram per
frame, on the namespace's loopback) and a tap device (the host side, where the test's
tools are), each frame independently:
  dropped     with probability --drop
  duplicated  with probability --dup (the copy takes its own delay)
  corrupted   with probability --corrupt (one byte after the Ethernet header flipped,
              so the frame reaches IP and TCP/UDP, whose checksums must catch it)
  delayed     by --delay ms +- --jitter ms (uniform), which also reorders frames
Run it inside the guest's network namespace:
  relay.py TAP UDP_LISTEN_PORT QEMU_PORT [--drop P] [--dup P] [--corrupt P]
           [--delay MS] [--jitter MS] [--seed N] [--stats FILE]
SIGUSR1 turns a blackhole on or off: while it is on, every frame in both directions is
dropped (counted as blackholed), as when a peer vanishes without FIN or RST. SIGUSR2 does
the same for the guest's frames only (to_host): what it sends is lost, what it is sent
still arrives, so it retransmits and its acknowledgements never come.
On SIGTERM it writes its counters (JSON) to --stats and exits.
"""
import argparse
import fcntl
import heapq
import json
import os
import random
import select
import signal
import socket
import struct
import sys
import time

TUNSETIFF = 0x400454CA
IFF_TAP, IFF_NO_PI = 0x0002, 0x1000


def open_tap(name):
    fd = os.open("/dev/net/tun", os.O_RDWR | os.O_NONBLOCK)
    fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", name.encode(), IFF_TAP | IFF_NO_PI))
    return fd


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("tap")
    ap.add_argument("listen_port", type=int)
    ap.add_argument("qemu_port", type=int)
    ap.add_argument("--drop", type=float, default=0.10)
    ap.add_argument("--dup", type=float, default=0.05)
    ap.add_argument("--corrupt", type=float, default=0.01)
    ap.add_argument("--delay", type=float, default=50.0)
    ap.add_argument("--jitter", type=float, default=20.0)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--stats")
    a = ap.parse_args()
    rng = random.Random(a.seed)
    tap = open_tap(a.tap)
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.bind(("127.0.0.1", a.listen_port))
    udp.setblocking(False)
    qemu = ("127.0.0.1", a.qemu_port)
    stats = {d: dict(frames=0, dropped=0, duplicated=0, corrupted=0, delivered=0, blackholed=0)
             for d in ("to_guest", "to_host")}
    queue, seq = [], 0
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    blackhole = [False]
    blackhole_to_host = [False]

    def toggle(*_):
        blackhole[0] = not blackhole[0]

    def toggle_to_host(*_):
        blackhole_to_host[0] = not blackhole_to_host[0]
    signal.signal(signal.SIGUSR1, toggle)
    signal.signal(signal.SIGUSR2, toggle_to_host)
    print("relay ready", flush=True)

    def impair(frame, direction):
        nonlocal seq
        st = stats[direction]
        st["frames"] += 1
        if blackhole[0] or (blackhole_to_host[0] and direction == "to_host"):
            st["blackholed"] += 1
            return
        if rng.random() < a.drop:
            st["dropped"] += 1
            return
        copies = 2 if rng.random() < a.dup else 1
        st["duplicated"] += copies - 1
        for _ in range(copies):
            f = frame
            if rng.random() < a.corrupt and len(f) > 14:
                i = rng.randrange(14, len(f))
                f = f[:i] + bytes([f[i] ^ (1 << rng.randrange(8))]) + f[i + 1:]
                st["corrupted"] += 1
            due = time.monotonic() + max(0.0, a.delay + rng.uniform(-a.jitter, a.jitter)) / 1000
            seq += 1
            heapq.heappush(queue, (due, seq, direction, f))

    while not stop:
        timeout = max(0.0, queue[0][0] - time.monotonic()) if queue else 0.5
        try:
            r, _, _ = select.select([tap, udp], [], [], timeout)
        except InterruptedError:
            continue
        if tap in r:
            while True:
                try:
                    impair(os.read(tap, 65536), "to_guest")
                except BlockingIOError:
                    break
        if udp in r:
            while True:
                try:
                    impair(udp.recv(65536), "to_host")
                except BlockingIOError:
                    break
        now = time.monotonic()
        while queue and queue[0][0] <= now:
            _, _, direction, f = heapq.heappop(queue)
            try:
                if direction == "to_guest":
                    udp.sendto(f, qemu)
                else:
                    os.write(tap, f)
                stats[direction]["delivered"] += 1
            except OSError:
                pass
    if a.stats:
        with open(a.stats, "w") as f:
            json.dump(stats, f)
    sys.exit(0)


if __name__ == "__main__":
    main()
