"""Differential tests on each board: scenario programs (tests/diff/) run by the shell's
`diffrun`, on the real switch routines and the board's own timer, their traces compared
with the Python interpreter's through docs/python.md's mapping. One tick is TICK_MS ms
there: the programs' times are whole ticks and no two timers fire within two ticks; the
board prints elapsed ms over the tick, rounded down, and each wait ends a quarter into its
tick, counted from the program's start (apps/diffrun.c's ticks()).

The guest runs on QEMU's virtual clock (-icount): time advances by instructions executed,
so a vCPU the loaded host deschedules mid-program does not make a wake-up late in the
guest's time (on the host-time clock, CI once saw a 7-tick wait end in tick 8, with five
QEMUs on two cores). Where the board's timer allows, with sleep=off the clock also jumps to
the next deadline when the CPU halts: the run is then fully decoupled from the host and the
programs' sleeps cost no wall time. On the MPS2 boards (QEMU 7.2) it does not: under
sleep=off a 100 ms sleep, armed on the CMSDK timer, ended at 144-177 ms of SysTick's clock,
where it ends at 101 ms with sleep=on and without -icount; there, halted time follows the
host's clock (shift=3: 8 ns an instruction), so only a halt the host ends late can be."""
import os
import re
import sys

import pytest

from conftest import BOARDS, ROOT, Guest

sys.path.insert(0, os.path.join(ROOT, "tests", "diff"))
import difftest   # noqa: E402
import scenario   # noqa: E402

N = int(os.environ.get("DIFF_BOARD_N", "50"))
SEED = os.environ.get("DIFF_SEED", "1")
TICK_MS = 40
SIZE, TICKS = 30, 10       # smaller programs and times than the host's: a minute a board


class BoardKernel:
    """The C side of difftest.check() on a guest: `diffrun TICK_MS`, the program line by
    line, then its trace up to "diffrun: done"."""

    def __init__(self, guest):
        self.g = guest

    def run(self, text):
        p = self.g.p
        p.send("diffrun %d\r" % TICK_MS)
        p.expect(r"diffrun %d\r*\n" % TICK_MS)
        # the whole program at once: the console's flow control loses nothing
        p.send("".join(line.strip() + "\r" for line in text.splitlines()))
        p.expect(r"diffrun: (done|failed)", timeout=120)
        trace = p.before.replace("\r", "").splitlines()
        self.g.prompt()
        return [l for l in trace if l.strip()]


VIRTUAL_CLOCK = "-icount shift=0,sleep=off"
HALT_ON_HOST_CLOCK = {"qemu-mps2-an385", "qemu-mps2-an386"}     # see above


@pytest.fixture(params=BOARDS)
def vguest(request):
    """A guest on QEMU's virtual clock (the module's note)."""
    clock = "-icount shift=3" if request.param in HALT_ON_HOST_CLOCK else VIRTUAL_CLOCK
    g = Guest(request.param, QEMU_EXTRA=clock)
    yield g
    g.close()


def test_diff_against_python(vguest):
    # timers at least two ticks apart: one tick of lateness cannot reorder them
    found = difftest.check("board-" + SEED, N, BoardKernel(vguest), scenario.Runner(gap=1),
                           difftest.Mapping(), SIZE, TICKS, shrink_budget=40)
    assert not found, "\n".join(found)


def test_diffrun_rejects_a_malformed_program(guest):
    p = guest.p
    p.send("diffrun\rtask 0 {\r  frobnicate 3\r}\rend\r")
    p.expect(r"diffrun: error: line 2: unknown statement")
    guest.prompt()
    p.send("diffrun\rtask 0 {\r  say 1\rend\r")
    p.expect(r"diffrun: error: line 3: a block is not closed")
    guest.prompt()
    assert re.match(r"up \d+\.\d{3} s", guest.cmd("uptime").strip())


def test_console_keeps_typeahead_longer_than_its_ring(guest):
    """Bytes typed while a command runs wait for the next reader, however many: the
    console's type-ahead ring (256 bytes) and the UART's receive ring fill, and then the
    UART holds the rest (flow control), nothing is dropped. Here a program of about 1.5 KB
    is typed while an earlier diffrun sleeps 10 ticks (CI once lost a program's end line)."""
    p = guest.p
    says = ["  say %d" % (i % 100) for i in range(150)]
    text = "\r".join(["task 0 {"] + says + ["}", "end"]) + "\r"
    assert len(text) > 5 * 256
    # in one write: a program that sleeps (its command runs and reads nothing), then the
    # next command and its program
    p.send("diffrun %d\rtask 0 {\r  sleep 10\r}\rend\r" % TICK_MS +
           "diffrun %d\r" % TICK_MS + text)
    p.expect(r"10 T0 done\r*\ndiffrun: done")
    p.expect(r"diffrun %d\r*\n" % TICK_MS)
    p.expect(r"diffrun: (done|failed)", timeout=60)
    trace = [l for l in p.before.replace("\r", "").splitlines() if l.strip()]
    guest.prompt()
    want = ["0 T0 say %d" % (i % 100) for i in range(150)] + ["0 T0 exit = ok 0", "0 T0 done"]
    assert trace == want, trace[-5:]
