#!/usr/bin/env python3
"""Instructions per k_yield() switch on each board, and the host CPU an idle guest costs.

Boots each board under QEMU with `-icount shift=0`: every guest instruction advances the
virtual clock by exactly 1 ns, so the board's millisecond tick counts instructions. The
shell's `bench N` times N round trips between two yielding tasks; running it for two N and
taking the difference removes the fixed cost of spawning and joining:
    insns/switch = (ms2 - ms1) * 1e6 / (switches2 - switches1)
On a board with an FPU, `bench N fpu` does the same between tasks that used it:
<key>_switch_insns_fpu (on the Cortex-M4F only those contexts save s16-s31 and FPSCR).
Then, without -icount, the guest idles at its prompt for a few seconds and we read the
QEMU process's CPU time from /proc.
"""
import os
import re
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "qemu"))
from conftest import BOARDS, Guest, board_info  # noqa: E402

KEY = {b: board_info(b)["KEY"] for b in BOARDS}
N1, N2 = 200000, 1200000
IDLE_S = 5.0


def bench(g, n, fpu=False):
    out = g.cmd("bench %d%s" % (n, " fpu" if fpu else ""), timeout=600)
    m = re.search(r"bench: switches=(\d+) ms=(\d+)", out)
    if not m:
        raise SystemExit("bench: unexpected output: %r" % out)
    return int(m.group(1)), int(m.group(2))


def cpu_seconds(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main():
    for board in BOARDS:
        fpu_runs = [False, True] if board_info(board)["FPU"] == "1" else [False]
        g = Guest(board, QEMU_EXTRA="-icount shift=0")
        try:
            for fpu in fpu_runs:
                s1, ms1 = bench(g, N1, fpu)
                s2, ms2 = bench(g, N2, fpu)
                print("%s_switch_insns%s=%.1f" % (KEY[board], "_fpu" if fpu else "",
                                                   (ms2 - ms1) * 1e6 / (s2 - s1)))
        finally:
            g.close()

    for board in BOARDS:
        g = Guest(board)
        try:
            time.sleep(1.0)
            c0, t0 = cpu_seconds(g.p.pid), time.monotonic()
            time.sleep(IDLE_S)
            c1, t1 = cpu_seconds(g.p.pid), time.monotonic()
        finally:
            g.close()
        print("%s_idle_cpu_pct=%.1f" % (KEY[board], 100.0 * (c1 - c0) / (t1 - t0)))


if __name__ == "__main__":
    main()
