"""A server whose start-up fails leaves no socket behind. An image whose echo port is 68,
the DHCP client's UDP port (lwIP's DHCP has it bound when the servers start): the UDP echo
server cannot bind, says so, and closes its socket; the TCP echo server listens on 68 as
usual, and the kernel serves. With the leak, `netstat` counted one socket more than the
listeners."""
import os
import re
import subprocess

from conftest import ROOT, Guest

BUILD = "build/qemu-x86-echo68"


def test_udp_echo_that_cannot_bind_leaves_no_socket():
    subprocess.run(["make", "-s", "-j2", "BOARD=qemu-x86", "BUILD=" + BUILD, "ECHO_PORT=68", "all"],
                   cwd=ROOT, check=True, capture_output=True)
    log = os.path.join(ROOT, "build", "qemu-test-qemu-x86.log")
    start = os.path.getsize(log) if os.path.exists(log) else 0
    g = Guest("qemu-x86", BUILD=BUILD, ECHO_PORT=68)
    try:
        out = g.cmd("netstat")
        with open(log, errors="replace") as f:               # the servers' task said why
            f.seek(start)
            assert "echo: cannot bind UDP port 68: Address already in use" in f.read()
        listeners = len(re.findall(r"^tcp .* LISTEN\r?$", out, re.M))
        sockets = int(re.search(r"sockets open=(\d+)", out).group(1))
        assert listeners == 4 and sockets == listeners, out    # echo, chat, selector, httpd
        assert "fib: 1 1 2 3 5 8 13 21 34 55" in g.cmd("fib")
    finally:
        g.close()
