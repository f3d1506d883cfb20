"""qemu-x86 with a virtio-net NIC (`make NIC=virtio`, drivers/net/virtio_net.c, the modern
virtio-pci interface) instead of the e1000: the same services, byte-exact, over QEMU's user
network; frames the guest has no room for wait in the device instead of being lost."""
import os
import socket
import threading
import zlib

import pytest

from conftest import Guest, free_port
from httpserver import Server, body
from test_echo import busy_poll, echo_roundtrip, small_round_trips


@pytest.fixture(scope="module")
def vg():
    g = Guest("qemu-x86", NIC="virtio")      # built by test-qemu (build/qemu-x86-virtio)
    yield g
    g.close()


def echo(g, data):
    return echo_roundtrip(g, data, 60)


def test_virtio_nic_is_found_and_up(vg):
    out = vg.cmd("ifconfig")
    assert "en1: virtio-net  link up" in out and "(dhcp)" in out, out
    assert "hwaddr 52:54:00:12:34:56" in out          # the MAC from the device's config


@pytest.mark.parametrize("size", [1, 1460, 1461, 100000, 1 << 20])
def test_virtio_tcp_echo_is_byte_exact(vg, size):
    data = os.urandom(size)
    assert echo(vg, data) == data


def test_virtio_busy_poll_takes_frames_before_their_interrupt(vg):
    """The used ring is in memory: the poll loop spins on it after frames (see test_echo)."""
    _, _, hits0, hooks = busy_poll(vg, "100000")
    assert hooks == "net"
    small_round_trips(vg, 100)
    assert busy_poll(vg, "200")[2] - hits0 >= 50


def test_virtio_udp_echo(vg):
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.settimeout(10)
    for size in (1, 512, 1472):
        data = os.urandom(size)
        u.sendto(data, ("127.0.0.1", vg.echo_port))
        assert u.recvfrom(2048)[0] == data
    u.close()


def test_virtio_32_clients_at_once_lose_nothing(vg):
    before = vg.cmd("ifconfig")
    results = {}

    def client(i):
        data = os.urandom(8192 + 97 * i)
        results[i] = echo(vg, data) == data
    threads = [threading.Thread(target=client, args=(i,)) for i in range(32)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert len(results) == 32 and all(results.values()), results
    out = vg.cmd("ifconfig")
    assert "dropped_nomem=0 dropped_toobig=0 dropped_fifo=0 errors=0" in out, (before, out)


def test_virtio_fetch_is_byte_exact(vg):
    srv = Server(free_port())
    try:
        for n in (0, 100000, 1 << 20):
            url = "http://10.0.2.2:%d/file/%d" % (srv.server_address[1], n)
            out = vg.cmd("fetch " + url, timeout=120)
            assert "status=200 bytes=%d crc32=%08x" % (n, zlib.crc32(body(n))) in out, out
    finally:
        srv.close()


def test_virtio_netselftest(vg):
    out = vg.cmd("netselftest", timeout=120)
    assert " 0 failed" in out, out
