"""`make debug GDB_BATCH=1` on every board: QEMU's gdb stub, gdb-multiarch on the ELF, a
breakpoint in k_yield hit by a task, its backtrace, and the guest stopped."""
import re
import subprocess

import pytest

from conftest import BOARDS, ROOT, free_port


@pytest.mark.parametrize("board", BOARDS)
def test_gdb_backtrace_at_k_yield_shows_the_task_function(board):
    ports = ["%s=%d" % (v, free_port()) for v in ("GDB_PORT", "CONSOLE_PORT", "HOSTFWD_ECHO_PORT",
             "HOSTFWD_CHAT_PORT", "HOSTFWD_SELECT_PORT", "HOSTFWD_STATUS_PORT")]
    p = subprocess.run(["make", "-s", "--no-print-directory", "debug", "BOARD=" + board,
                        "GDB_BATCH=1", "GDB_TIMEOUT=120"] + ports, cwd=ROOT, capture_output=True,
                       text=True, timeout=300)
    out = p.stdout + p.stderr
    assert p.returncode == 0, out
    frames = re.findall(r"^#(\d+)\s+(?:0x[0-9a-f]+ in )?(\S+) \(", out, re.M)
    names = [f for _, f in frames]
    assert names[:3] == ["k_yield", "yield_n", "z_task_start"], out   # `bench 1`'s task
    assert "apps/bench.c" in out
    assert "Terminated via GDBstub" in out                               # QEMU stopped
    log = open("%s/build/%s/debug-console.log" % (ROOT, board)).read()
    assert "shell ready" in log and "bench 1" in log
