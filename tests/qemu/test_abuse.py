"""Abuse on each board, each followed by the service still answering and the kernel's
sockets and heap back at their baseline (the `ng` fixture): a 1 MiB chat line, 10,000
chat lines from one client as fast as it can send, clients that send one byte a second or
never read, and random bytes on the serial console."""
import os
import random
import re
import socket
import threading
import time

import pexpect
import pytest

TIMEOUT = 120


def chat(ng, rcvbuf=None):
    s = socket.socket()
    if rcvbuf:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    s.settimeout(TIMEOUT)
    s.connect(("127.0.0.1", ng.chat_port))
    return s


def read_exactly(s, n):
    got = bytearray()
    while len(got) < n:
        chunk = s.recv(min(65536, n - len(got)))
        if not chunk:
            break
        got += chunk
    return bytes(got)


def chat_counters(ng):
    m = re.search(r"chat accepted=(\d+) clients=(\d+) refused=(\d+) lines=(\d+) dropped_slow=(\d+)",
                  ng.cmd("servers"))
    assert m
    return [int(x) for x in m.groups()]


def echo_once(ng, data=b"still here\n"):
    with socket.create_connection(("127.0.0.1", ng.echo_port), timeout=TIMEOUT) as s:
        s.sendall(data)
        return read_exactly(s, len(data)) == data


def test_chat_one_mib_line_arrives_whole(ng):
    a, b = chat(ng), chat(ng)
    try:
        time.sleep(0.5)
        line = bytes(random.Random(1).choice(b"abcdefghij") for _ in range(1 << 20)) + b"\n"
        t = threading.Thread(target=a.sendall, args=(line,))
        t.start()
        assert read_exactly(b, len(line)) == line      # in pieces of 256 bytes, in order
        t.join(TIMEOUT)
    finally:
        a.close(), b.close()
    assert echo_once(ng)


def test_chat_ten_thousand_lines_at_once_none_lost(ng):
    a, b, c = chat(ng), chat(ng), chat(ng)
    try:
        time.sleep(0.5)
        lines = b"".join(b"line %05d\n" % i for i in range(10000))
        t0 = time.monotonic()
        a.sendall(lines)                               # as fast as TCP takes them
        sent_s = time.monotonic() - t0
        assert read_exactly(b, len(lines)) == lines    # every line, in order, to each
        assert read_exactly(c, len(lines)) == lines
        dropped = chat_counters(ng)[4]
        assert dropped == 0                            # readers that read are never dropped
        print("10,000 lines sent in %.2f s" % sent_s)
    finally:
        a.close(), b.close(), c.close()


def test_chat_client_that_never_reads_is_dropped_not_the_others(ng):
    before, clients = chat_counters(ng)[4], chat_counters(ng)[1]
    stuck = chat(ng, rcvbuf=2048)                      # connects, then never reads
    a, b = chat(ng), chat(ng)
    sent = bytearray()
    try:
        time.sleep(0.5)
        got = bytearray()
        t0 = time.monotonic()
        # a talks until the stuck client's path (its socket buffers, QEMU's user network,
        # the guest's queue) is full for CHAT_SLOW_MS and the server drops it; b keeps
        # reading all along and must get every line
        while chat_counters(ng)[4] == before and time.monotonic() - t0 < TIMEOUT:
            batch = b"".join(b"%0250d\n" % (len(sent) + i) for i in range(400))
            t = threading.Thread(target=a.sendall, args=(batch,))
            t.start()
            got += read_exactly(b, len(batch))
            t.join(TIMEOUT)
            sent += batch
        assert chat_counters(ng)[4] == before + 1      # stuck was counted as dropped
        assert bytes(got) == bytes(sent)
        # and the server lets go of it while it still reads nothing (its writer's send
        # gives up: before, that writer waited in send() for as long as stuck did not read)
        t0 = time.monotonic()
        while chat_counters(ng)[1] != clients + 2 and time.monotonic() - t0 < 30:
            time.sleep(0.2)
        assert chat_counters(ng)[1] == clients + 2     # a and b are left
        # stuck, draining what it had, sees the end of the stream or a reset: not a
        # silence (a socket timeout is not a disconnect)
        stuck.settimeout(30)
        deadline = time.monotonic() + TIMEOUT
        closed = False
        while not closed and time.monotonic() < deadline:
            try:
                closed = not stuck.recv(65536)
            except (ConnectionResetError, BrokenPipeError):
                closed = True
        assert closed, "the dropped client's connection was never closed"
    finally:
        stuck.close(), a.close(), b.close()
    assert echo_once(ng)


def test_one_byte_a_second_clients_do_not_hold_up_others(ng):
    slow = [socket.create_connection(("127.0.0.1", p), timeout=TIMEOUT) for p in (ng.echo_port, ng.chat_port)]
    listener = chat(ng)
    stop = []

    def trickle():
        while not stop:
            for s in slow:
                s.send(b"x")
            time.sleep(1)
    t = threading.Thread(target=trickle)
    t.start()
    try:
        time.sleep(0.5)
        talker = chat(ng)
        time.sleep(0.2)
        worst = 0.0
        for i in range(5):
            t0 = time.monotonic()
            assert echo_once(ng, b"round %d\n" % i)
            talker.sendall(b"hello %d\n" % i)
            assert read_exactly(listener, 8) == b"hello %d\n" % i
            worst = max(worst, time.monotonic() - t0)
            time.sleep(0.5)
        assert worst < 5, worst                       # not tied to the slow clients' pace
        talker.close()
    finally:
        stop.append(1)
        t.join()
        for s in slow + [listener]:
            s.close()


def test_random_bytes_on_the_console_for_half_a_minute(ng):
    rng = random.Random(4)
    t_end = time.monotonic() + float(os.environ.get("CONSOLE_NOISE_S", "30"))
    while time.monotonic() < t_end:
        noise = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 200)))
        # no CR/LF: nothing runs, the line editor must take everything else; no Ctrl-A:
        # that is QEMU's own escape on -nographic (Ctrl-A X quits), not the guest's
        noise = noise.replace(b"\r", b"").replace(b"\n", b"").replace(b"\x01", b"")
        os.write(ng.p.child_fd, noise)
        try:                                           # read what it echoes, or QEMU's
            while True:                                # serial output blocks on the pty
                ng.p.read_nonblocking(65536, timeout=0.05)
        except pexpect.TIMEOUT:
            pass
    ng.p.send("\x15\r")                                # Ctrl-U, then an empty line
    ng.prompt(timeout=30)
    out = ng.cmd("ps")
    assert "main" in out and "idle" in out and "tcpip" in out, out
    assert echo_once(ng)
