"""Static addressing by configuration: a kernel built with NET_DHCP=0 uses the configured
address without asking DHCP, and serves echo there."""
import socket
import subprocess

from conftest import ROOT, Guest

BUILD = "build/qemu-x86-static"


def test_static_address_by_configuration():
    subprocess.run(["make", "-s", "BOARD=qemu-x86", "BUILD=" + BUILD, "NET_DHCP=0",
                    "NET_IP=10.0.2.15", "all"], cwd=ROOT, check=True, capture_output=True)
    g = Guest("qemu-x86", BUILD=BUILD)
    try:
        out = g.cmd("ifconfig")
        assert "inet 10.0.2.15" in out and "(static)" in out
        s = socket.create_connection(("127.0.0.1", g.echo_port), timeout=30)
        s.sendall(b"static")
        assert s.recv(10) == b"static"
        s.close()
    finally:
        g.close()
