"""Differential tests on each board: scenario programs (tests/diff/) run by the shell's
`diffrun`, on the real switch routines and a real clock, their traces compared with the
Python interpreter's through docs/python.md's mapping. One tick is TICK_MS ms there: the
programs' times are whole ticks and no two timers fire within two ticks, so a late timer
cannot reorder events; the board prints elapsed ms over the tick, rounded down, and each
wait ends a quarter into its tick, counted from the program's start (apps/diffrun.c's
ticks()), so that lateness does not add up over a task's waits: a wake-up may be up to
three quarters of a tick late (CI ran five QEMUs on two cores: a 20 ms tick was not
enough when it added up)."""
import os
import re
import sys

from conftest import ROOT

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


def test_diff_against_python(guest):
    # timers at least two ticks apart: one tick of lateness cannot reorder them
    found = difftest.check("board-" + SEED, N, BoardKernel(guest), scenario.Runner(gap=1),
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
