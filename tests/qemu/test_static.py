"""Static addressing by configuration: a kernel built with NET_DHCP=0 uses the configured
address without asking DHCP, and serves echo there; NET_IP6 adds a static IPv6 address
beside the link-local one (and SLAAC's, on QEMU's user network)."""
import re
import socket
import subprocess
import time

from conftest import ROOT, Guest

BUILD = "build/qemu-x86-static"


def test_static_address_by_configuration():
    subprocess.run(["make", "-s", "BOARD=qemu-x86", "BUILD=" + BUILD, "NET_DHCP=0",
                    "NET_IP=10.0.2.15", "NET_IP6=fd00::99", "all"], cwd=ROOT, check=True, capture_output=True)
    g = Guest("qemu-x86", BUILD=BUILD)
    try:
        out = g.cmd("ifconfig")
        assert "inet 10.0.2.15" in out and "(static)" in out
        s = socket.create_connection(("127.0.0.1", g.echo_port), timeout=30)
        s.sendall(b"static")
        assert s.recv(10) == b"static"
        s.close()
        # the static IPv6 address passes duplicate address detection (about 1 s) and stays,
        # without a lifetime
        deadline = time.monotonic() + 20
        while not re.search(r"inet6 fd00::99/64  global  preferred\n", out):
            assert time.monotonic() < deadline, out
            time.sleep(0.5)
            out = g.cmd("ifconfig")
    finally:
        g.close()
