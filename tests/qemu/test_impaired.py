"""Echo and fetch over an impaired link (tests/qemu/relay.py between the guest's NIC and
the tap network: 10% of frames dropped, 5% duplicated, 1% corrupted, 50 +- 20 ms of delay
that also reorders them), on each board. Everything stays byte-exact, errors keep their
names, and the kernel's counters show what the link did."""
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import zlib

import pytest

from conftest import BOARDS, PYTHON, ROOT, Guest, board_info

IMPAIR = dict(drop=0.10, dup=0.05, corrupt=0.01, delay=50, jitter=20, seed=7)
HOST_IP, GUEST_IP = "10.77.0.1", "10.77.0.2"
LINE = re.compile(r"^fetch: (\S+) (?:status=(\d+) bytes=(\d+) crc32=([0-9a-f]{8}) wire=\d+|error=(\S+)) ms=(\d+)$", re.M)


@pytest.fixture(params=BOARDS, scope="module")
def ig(request):
    g = Guest(request.param, net="tap", impair=IMPAIR)
    yield g
    g.close()


def burst(g, n, size, timeout=600):
    p = g.in_ns([PYTHON, os.path.join(ROOT, "tests", "qemu", "burst_client.py"), GUEST_IP, "7",
                 str(n), str(size)], stdout=subprocess.PIPE, text=True,
                env=dict(os.environ, BURST_TIMEOUT=str(timeout)))
    out, _ = p.communicate(timeout=timeout + 60)
    return json.loads(out)


@pytest.mark.parametrize("size", [1, 1460, 100000, 1 << 20])
def test_echo_stays_byte_exact(ig, size):
    # at most the board's TEST_IMPAIRED_MAX (board.mk): the 64 KiB board's window of 2 x 536
    # bytes leaves no room for three duplicate ACKs, so every loss waits for a
    # retransmission timeout and 100 KB takes about 2 minutes here; the others take 1 MiB
    size = min(size, int(board_info(ig.board)["TEST_IMPAIRED_MAX"]))
    r = burst(ig, 1, size)
    assert r["ok"] == 1, r


def test_fetch_stays_byte_exact_and_errors_keep_their_names(ig):
    with tempfile.TemporaryDirectory() as d:
        # 300 KB, or the board's TEST_IMPAIRED_MAX (the 64 KiB board: 100 KB)
        data = os.urandom(min(300000, int(board_info(ig.board)["TEST_IMPAIRED_MAX"])))
        with open(os.path.join(d, "page.bin"), "wb") as f:
            f.write(data)
        httpd = ig.in_ns([PYTHON, "-m", "http.server", "--bind", HOST_IP, "8081", "--directory", d],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        # a server that accepts and never answers
        silent = ig.in_ns([PYTHON, "-c", "import socket,time\ns=socket.socket()\n"
                           "s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\n"
                           "s.bind(('%s', 8082))\ns.listen(8)\nc=[]\n"
                           "while True: c.append(s.accept())" % HOST_IP])
        try:
            assert ig.wait_host_listening(8081) and ig.wait_host_listening(8082)
            urls = ["http://%s:8081/page.bin" % HOST_IP, "http://%s:8082/" % HOST_IP,
                    "http://%s:8083/" % HOST_IP]
            out = ig.cmd("fetch -t 150000 " + urls[0], timeout=180)
            m = {mm.group(1): mm for mm in LINE.finditer(out)}
            assert m[urls[0]].group(2) == "200", out
            assert int(m[urls[0]].group(3)) == len(data), out
            assert int(m[urls[0]].group(4), 16) == zlib.crc32(data), out
            out = ig.cmd("fetch -t 4000 " + urls[1], timeout=60)
            assert "error=timeout" in out, out
            out = ig.cmd("fetch -t 30000 " + urls[2], timeout=60)
            assert "error=refused" in out, out
        finally:
            httpd.terminate()
            silent.terminate()
            httpd.wait(10)
            silent.wait(10)


def test_counters_show_the_damage(ig):
    net = ig.cmd("netstat")
    chk = sum(int(x) for x in re.findall(r"chkerr=(\d+)", net))
    relay = ig.relay_counters()
    to_guest = relay["to_guest"]
    assert to_guest["dropped"] > 0 and to_guest["duplicated"] > 0 and to_guest["corrupted"] >= 5, relay
    # corrupted frames that reached IP, TCP or UDP failed a checksum and were counted
    assert chk >= 1, (relay, net)
    # the kernel still serves (over the now direct... relay stopped: just the shell)
    assert "selftest" in ig.cmd("help")


IDLE_CLIENTS = """
import socket, sys, time
conns = [socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=10)
         for _ in range(int(sys.argv[3]))]
print("connected", flush=True)
time.sleep(600)
"""


def server_counts(g):
    out = g.cmd("servers")
    echo = int(re.search(r"echo tcp accepted=\d+ active=(\d+)", out).group(1))
    sel = int(re.search(r"selecho accepted=\d+ active=(\d+)", out).group(1))
    chat = int(re.search(r"chat accepted=\d+ clients=(\d+)", out).group(1))
    return echo, sel, chat


@pytest.mark.parametrize("board", BOARDS)
def test_vanished_peers_are_reaped_by_keepalive(board):
    """Peers that vanish without FIN or RST (the relay drops every frame, both ways): TCP
    keep-alive on the servers' connections resets them after idle + probes x interval,
    their memory comes back, and the servers go on serving (issue 8). The selector echo's
    connections are opened before `keepalive` changes the timings (it applies to open
    connections too), the echo and chat ones after (new connections take them)."""
    g = Guest(board, net="tap", impair=dict(drop=0, dup=0, corrupt=0, delay=0, jitter=0))
    clients, chat = [], None
    try:
        base = g.settled_resources()
        assert "keepalive: idle=120 s interval=10 s probes=5 " in g.cmd("keepalive")
        for bad in ("keepalive 0 1 1", "keepalive 3 1 101", "keepalive 3 -1 2", "keepalive 3 x 2"):
            assert "keepalive: idle and interval are 1..86400 s, probes 1..100" in g.cmd(bad)
        assert "usage: keepalive [idle_s interval_s probes]" in g.cmd("keepalive 3")
        # 8 connections to each echo server and 3 chat clients, or on a board that holds
        # fewer (TEST_CONNS) a third of that many each
        k = min(8, max(1, int(board_info(board)["TEST_CONNS"]) // 3))
        nchat = min(3, k)
        sel = g.load_client(g.select_port)
        clients.append(sel)
        assert sel.open(k)["opened"] == k
        out = g.cmd("keepalive 3 1 2")
        assert "idle=3 s interval=1 s probes=2 (a silent peer is dropped after 5 s)" in out
        echo = g.load_client(g.echo_port)
        clients.append(echo)
        assert echo.open(k)["opened"] == k
        chat = g.in_ns([PYTHON, "-c", IDLE_CLIENTS, g.addr, str(g.chat_port), str(nchat)],
                       stdout=subprocess.PIPE, text=True)
        assert chat.stdout.readline().strip() == "connected"
        for lc in clients:
            e = lc.echo()
            assert (e["echoed"], e["bad"], e["lost"]) == (k, 0, 0), e
        assert server_counts(g) == (k, k, nchat)

        os.kill(g.relay.pid, signal.SIGUSR1)             # the peers vanish
        t0 = time.monotonic()
        # idle peers may send nothing while they are gone: three pings make sure frames
        # toward the guest meet the blackhole too (checked at the end)
        ping = g.in_ns(["ping", "-n", "-q", "-c", "3", "-i", "0.2", "-W", "1", g.addr],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        while server_counts(g) != (0, 0, 0) and time.monotonic() - t0 < 60:
            time.sleep(0.5)
        took = time.monotonic() - t0
        assert server_counts(g) == (0, 0, 0), g.cmd("netstat")
        assert took >= 2.0, took         # not before idle (3 s from the last echo) + probes
        assert ping.wait(10) == 1        # no reply: every ping was dropped
        os.kill(g.relay.pid, signal.SIGUSR1)             # the link is back
        for lc in clients:
            lc.close()                   # their FINs meet no connection: reset, nothing kept
        clients = []
        chat.kill()
        chat.wait()
        chat = None
        assert g.wait_resources(base, timeout=60) == base
        lc = g.load_client(g.echo_port)                  # still serving
        clients.append(lc)
        assert lc.open(k)["opened"] == k
        e = lc.echo()
        assert (e["echoed"], e["bad"], e["lost"]) == (k, 0, 0), e
    finally:
        for lc in clients:
            lc.close()
        if chat:
            chat.kill()
            chat.wait()
        g.close()
    with open(g.relay_stats) as f:
        st = json.load(f)
    assert st["to_guest"]["blackholed"] > 0 and st["to_host"]["blackholed"] > 0, st


@pytest.mark.parametrize("board", BOARDS)
def test_retransmission_timeout_is_capped(board):
    """lwIP doubles a connection's retransmission timeout up to 128 times its estimate;
    net/tcp_rto.c cuts it to the configured maximum (`rto`, RFC 6298 2.5). With the maximum
    at 2 s and the guest's frames lost for 20 s (the relay's one-way blackhole), the guest
    keeps retransmitting the echo it owes: the cut shows in its counter, and once the link
    is back the echo arrives byte-exact."""
    g = Guest(board, net="tap", impair=dict(drop=0, dup=0, corrupt=0, delay=0, jitter=0))
    s = None
    try:
        assert re.search(r"rto: max=60000 ms, cut to it \d+ times", g.cmd("rto"))
        for bad in ("rto 999", "rto 600001", "rto -5", "rto x"):
            assert "rto: the maximum is 1000..600000 ms" in g.cmd(bad)
        assert "usage: rto [max_ms]" in g.cmd("rto 1 2")
        before = int(re.search(r"cut to it (\d+) times", g.cmd("rto 2000")).group(1))
        s = g.in_ns([PYTHON, "-c", ECHO_AFTER_BLACKHOLE, GUEST_IP, str(g.relay.pid)],
                    stdout=subprocess.PIPE, text=True)
        out, _ = s.communicate(timeout=120)
        assert out.strip() == "echoed", out
        after = int(re.search(r"cut to it (\d+) times", g.cmd("rto")).group(1))
        assert after > before, (before, after)
        assert "tcp retransmission timeout max=2000 ms" in g.cmd("netstat")
    finally:
        if s and s.poll() is None:
            s.kill()
        g.close()


# In the namespace: connect to the echo port, turn the guest's frames off (the relay's
# SIGUSR2), send a line, wait 20 s (the guest retransmits its echo all along), turn them
# on, and read the echo.
ECHO_AFTER_BLACKHOLE = """
import os, signal, socket, sys, time
s = socket.create_connection((sys.argv[1], 7), timeout=60)
s.sendall(b"warm up\\n")
assert s.recv(100) == b"warm up\\n"
os.kill(int(sys.argv[2]), signal.SIGUSR2)
line = b"across the blackhole " * 20 + b"\\n"
s.sendall(line)
time.sleep(20)
os.kill(int(sys.argv[2]), signal.SIGUSR2)
got = b""
while len(got) < len(line):
    c = s.recv(4096)
    assert c, got
    got += c
print("echoed" if got == line else "wrong %r" % got, flush=True)
"""
