"""Boot each board to its shell and check the kernel from the outside."""
import os
import re
import subprocess
import time

from conftest import ROOT, board_info, exit_status_of


def heap_used(out):
    m = re.search(r"heap: total=(\d+) used=(\d+) free=(\d+) peak=(\d+)", out)
    assert m, out
    return [int(x) for x in m.groups()]


def test_shell_help_lists_commands(guest):
    out = guest.cmd("help")
    for name in ("help", "ps", "uptime", "mem", "reboot", "selftest"):
        assert re.search(r"^  %s\s" % name, out, re.M), out


def test_shell_ps(guest):
    out = guest.cmd("ps")
    rows = {}
    for line in out.splitlines()[1:]:
        f = line.split()
        if len(f) == 7 and f[0].isdigit():
            rows[f[1]] = f
    assert set(rows) >= {"idle", "main"}, out
    assert rows["main"][2] == "running"
    size, peak = int(rows["main"][4]), int(rows["main"][5])
    assert size == int(board_info(guest.board)["MAIN_STACK"]) and 0 < peak < size, out
    assert "poll hook console" in out


def elf_symbols(board):
    """The board image's symbols and their addresses (the host's nm reads every ELF)."""
    out = subprocess.run(["nm", os.path.join(ROOT, "build", board, "kernel.elf")],
                         capture_output=True, text=True, check=True).stdout
    return {f[2]: int(f[0], 16) for f in (l.split() for l in out.splitlines()) if len(f) == 3}


def test_shell_mem(guest):
    total, used, free, peak = heap_used(guest.cmd("mem"))
    if guest.board == "qemu-x86":     # the RAM QEMU gives (-m 128M) after the image
        assert 120 << 20 < total < 128 << 20
    else:                             # the heap region of the linker script: the MPS2's
        syms = elf_symbols(guest.board)   # 16 MiB PSRAM, the rest of the LM3S's 64 KiB
        assert total == syms["__heap_end"] - syms["__heap_start"]
    assert 0 < used <= peak < total and used + free == total


def test_shell_unknown_command_keeps_serving(guest):
    out = guest.cmd("frobnicate now")
    assert out.strip() == "unknown command: frobnicate"
    assert re.match(r"up \d+\.\d{3} s", guest.cmd("uptime").strip())


def test_shell_line_editing(guest):
    # "hepl" + two backspaces + "lp" = "help"; DEL works as backspace too
    guest.p.send("hepl\b\blp\r")
    guest.p.expect("list the commands")
    guest.prompt()
    guest.p.send("mex\x7fm\r")
    guest.p.expect(r"heap: total=")
    guest.prompt()


def test_shell_line_too_long_is_refused(guest):
    # 2000 bytes at once: more than the 256-byte receive ring, so this also checks that
    # the console's flow control loses nothing (the final CR must arrive).
    guest.p.send("x" * 2000 + "\r")
    guest.p.expect(r"line too long \(at most 255 bytes\): ignored")
    guest.prompt()
    assert "heap:" in guest.cmd("mem")
    assert "console rx overruns=0" in guest.cmd("ps")


def test_shell_too_many_arguments(guest):
    out = guest.cmd("help " + " ".join(["a"] * 20))
    assert "too many arguments" in out


def test_uptime_advances(guest):
    def ms(out):
        s, frac = re.search(r"up (\d+)\.(\d{3}) s", out).groups()
        return int(s) * 1000 + int(frac)
    def halts(out):
        m = re.search(r"idle (\d+)% \((\d+) halts, (\d+) with a deadline\)", out)
        assert m, out
        assert int(m.group(1)) <= 100 and int(m.group(3)) <= int(m.group(2)), out
        return int(m.group(2))
    first = guest.cmd("uptime")
    time.sleep(0.3)
    second = guest.cmd("uptime")
    assert ms(second) > ms(first)
    # between two commands the poll loop had nothing to do: it halted, at least once
    assert halts(second) > halts(first), (first, second)


def test_selftest_passes_and_heap_returns_to_baseline(guest):
    before = guest.settled_resources()      # after boot-time traffic (DHCP, ARP) settled
    out = guest.cmd("selftest", timeout=120)
    m = re.search(r"^selftest: (\d+) passed, (\d+) failed$", out, re.M)
    assert m, out
    assert int(m.group(2)) == 0, out
    assert int(m.group(1)) >= 17
    assert guest.wait_resources(before) == before


def test_netselftest_readiness_waits(guest):
    """Readiness waits over lwIP sockets, on loopback: a timeout is a timeout, a real
    cancellation is one, and two tasks waiting on one socket for one datagram end as one
    reader and one timeout (not a cancellation nobody sent: issue 8, bug 2), and a
    cancellation that comes with an event is still reported (Ctrl-C once lost a fetch)."""
    before = guest.settled_resources()
    out = guest.cmd("netselftest", timeout=60)
    for check in ("loopback", "wait-timeout", "wait-shared", "wait-cancel", "wait-cancel-ready"):
        assert re.search(r"^netselftest: %s\s+ok$" % check, out, re.M), out
    assert "netselftest: 6 passed, 0 failed" in out, out
    assert guest.wait_resources(before) == before


def test_bench_command(guest):
    out = guest.cmd("bench 1000")
    assert re.search(r"bench: switches=2000 ms=\d+", out), out
    out = guest.cmd("bench 1000 fpu")
    assert re.search(r"bench: switches=2000 ms=\d+", out), out
    assert "usage" in guest.cmd("bench 0")
    assert "usage" in guest.cmd("bench 10 gpu")


def test_floating_point_is_kept_per_context(guest):
    """16 tasks and 2 generators compute in floating point at once, yielding after every
    step, half of them in round-toward-zero: each result must equal, bit for bit, the same
    computation run alone. On a board with an FPU (board.mk BOARD_FPU) the rounding modes
    are per context too; without one it is soft float."""
    out = guest.cmd("fpu 16", timeout=120)
    mode = "rounding per context" if board_info(guest.board)["FPU"] == "1" else "soft float"
    assert "fpu: 16 tasks and 2 generators, 200 steps each, %s" % mode in out, out
    assert out.strip().endswith("all exact"), out
    for bad in ("fpu 0", "fpu 33"):
        assert "usage: fpu [N, 1..32]" in guest.cmd(bad)
    assert "all exact" in guest.cmd("fpu 1")          # and the shell goes on


def test_exit_status_reaches_the_host(guest):
    guest.p.send("exit 3\r")
    status = guest.exit_status()
    # isa-debug-exit reports (status << 1) | 1; semihosting reports the status itself
    assert status == exit_status_of(guest.board, 3)


def test_stack_overflow_panics_naming_the_task(guest):
    """A task's call chain runs through the guard words at its stack's low end; the next
    switch away from it panics with the task's name and the machine stops with the panic
    status (K_PANIC_STATUS 3)."""
    guest.p.send("selftest overflow\r")
    guest.p.expect(r"'st-overflow' used its 2048-byte stack through its guard \((\d+) calls deep\)")
    assert int(guest.p.match.group(1)) >= 10           # real recursion, not one write
    guest.p.expect(r"PANIC: stack overflow: guard at 0x[0-9a-f]+ overwritten "
                   r"\(stack 2048 bytes\) \(task 'st-overflow'\)")
    assert guest.exit_status() == exit_status_of(guest.board, 3)


def test_selftest_rejects_unknown_arguments(guest):
    out = guest.cmd("selftest sideways")
    assert "usage: selftest [overflow]" in out
    assert "idle" in guest.cmd("ps")


def test_reboot_boots_again(guest):
    guest.p.send("reboot\r")
    guest.p.expect("rebooting")
    guest.p.expect("shell ready", timeout=60)
    guest.prompt()
    assert "idle" in guest.cmd("ps")
