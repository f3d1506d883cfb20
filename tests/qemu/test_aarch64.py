"""What only the AArch64 board has: the start-up's drop from EL2 to EL1, as a firmware or
U-Boot hands over (QEMU virt with virtualization=on starts the core at EL2; `reboot`
then calls PSCI by SMC), and its
virtio-mmio transport meeting a legacy (version 1) device, which QEMU gives unless told
`-global virtio-mmio.force-legacy=false`: named on the console, not driven, and the
kernel goes on without a network."""
import os
import re

import pytest

from conftest import BOARDS, ROOT, Guest, board_info
from test_echo import echo_roundtrip

AARCH64 = [b for b in BOARDS if board_info(b)["ARCH"] == "aarch64"]


def boot_text(board, **make_vars):
    """Boot a guest; return it and what its console printed up to the shell."""
    log = os.path.join(ROOT, "build", "qemu-test-%s.log" % board)
    start = os.path.getsize(log) if os.path.exists(log) else 0
    g = Guest(board, **make_vars)
    with open(log, errors="replace") as f:
        f.seek(start)
        return g, f.read()


@pytest.mark.parametrize("board", AARCH64)
def test_starts_at_el2_drops_to_el1_and_serves(board):
    g, text = boot_text(board, QEMU_EXTRA="-machine virtualization=on")
    try:
        assert "net: virtio-net" in text and "link up" in text, text
        data = os.urandom(100000)
        assert echo_roundtrip(g, data) == data
        assert "tcpip" in g.cmd("ps")
        # PSCI from a kernel that owns EL2 goes to EL3 by SMC (QEMU's conduit there)
        g.p.send("reboot\r")
        g.p.expect("rebooting")
        g.p.expect("shell ready", timeout=60)
        g.prompt()
        assert "idle" in g.cmd("ps")
    finally:
        g.close()


@pytest.mark.parametrize("board", AARCH64)
def test_legacy_virtio_mmio_device_is_named_and_the_shell_runs_without_network(board):
    g, text = boot_text(board, QEMU_NIC="-device virtio-net-device,netdev=net0")
    try:
        assert "is legacy (version 1); QEMU: -global virtio-mmio.force-legacy=false" in text, text
        assert "net: no network device found" in text, text
        assert "fib: 1 1 2 3 5 8 13 21 34 55" in g.cmd("fib")
    finally:
        g.close()


@pytest.mark.parametrize("board", AARCH64)
def test_irq_entry_keeps_the_upper_halves_of_q8_q15(board):
    """`archtest`: a task's q8-q15 survive an interrupt whose C handler writes all of v8-v15
    (the AAPCS64 has it save only d8-d15): the IRQ entry saves the 32 SIMD registers whole.
    Run twice (the handler's line stays attached), and the shell goes on."""
    g = Guest(board)
    try:
        for _ in range(2):
            out = g.cmd("archtest")
            assert re.search(r"^archtest: irq-taken +ok", out, re.M), out
            assert re.search(r"^archtest: irq-keeps-q8-q15 +ok", out, re.M), out
            assert "archtest: 2 passed, 0 failed" in out, out
        assert "usage: archtest" in g.cmd("archtest x")
        assert "fib: 1 1 2 3 5 8 13 21 34 55" in g.cmd("fib")
    finally:
        g.close()
