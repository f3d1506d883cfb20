"""The harness itself: what makes a QEMU test start reliably while four other test
processes pick ports at the same time (`make test-qemu` runs one per board)."""
import socket

import conftest
from conftest import BOARDS, Guest


def test_free_port_never_hands_out_a_port_twice():
    # CI: bind(0) gave one guest the same port for chat and select, and QEMU stopped at
    # "Could not set up host forwarding rule"
    ports = [conftest.free_port() for _ in range(500)]
    assert len(set(ports)) == len(ports)


def test_guest_picks_new_ports_when_a_forwarded_one_is_taken(monkeypatch):
    """Another process takes a port between free_port() and QEMU's bind: the guest comes
    up on new ports instead of failing at boot."""
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    port = taken.getsockname()[1]
    real = conftest.free_port
    calls = []

    def first_taken():
        calls.append(1)
        return port if len(calls) == 1 else real()

    monkeypatch.setattr(conftest, "free_port", first_taken)
    g = Guest(BOARDS[0])
    try:
        assert g.echo_port != port
        assert len(calls) >= 8                  # four ports, twice (or more: another
                                                # process may take a new one too)
        assert "uptime" in g.cmd("help")
    finally:
        g.close()
        taken.close()
