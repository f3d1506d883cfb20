"""The bootable PC image (`make iso`, qemu-x86): QEMU boots it through its BIOS and GRUB,
without -kernel, from a CD drive and as the hard disk a USB stick written with dd is; the
kernel then serves echo and fetches pages as it does when QEMU loads it directly."""
import socket
import subprocess
import zlib

import pytest

from conftest import ROOT, Guest, free_port
from httpserver import Server, body

ISO = "build/qemu-x86/kernel.iso"


@pytest.fixture(scope="module")
def iso():
    r = subprocess.run(["make", "-s", "--no-print-directory", "BOARD=qemu-x86", "iso"], cwd=ROOT,
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    with open("%s/%s" % (ROOT, ISO), "rb") as f:
        head = f.read(0x8006)
    assert head[510:512] == b"\x55\xaa"                 # an MBR: it boots from a disk too
    assert head[0x8001:0x8006] == b"CD001"              # ISO 9660
    return ISO


def echo(g, data):
    s = socket.create_connection(("127.0.0.1", g.echo_port), timeout=30)
    s.sendall(data)
    got = b""
    while len(got) < len(data):
        chunk = s.recv(65536)
        assert chunk, got
        got += chunk
    s.close()
    return got


@pytest.mark.parametrize("boot", ["iso", "stick"])
def test_image_boots_without_kernel_loader_and_serves(iso, boot):
    srv = Server(free_port())
    g = Guest("qemu-x86", BOOT=boot)
    try:
        assert "-kernel" not in g.cmdline and iso in " ".join(g.cmdline)
        assert "(dhcp)" in g.cmd("ifconfig")
        data = bytes(range(256)) * 256
        assert echo(g, data) == data
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        u.settimeout(10)
        u.sendto(b"udp over the iso", ("127.0.0.1", g.echo_port))
        assert u.recvfrom(100)[0] == b"udp over the iso"
        u.close()
        url = "http://10.0.2.2:%d/file/100000" % srv.server_address[1]
        out = g.cmd("fetch " + url, timeout=120)
        assert "status=200 bytes=100000 crc32=%08x" % zlib.crc32(body(100000)) in out, out
    finally:
        g.close()
        srv.close()
