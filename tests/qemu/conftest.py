"""Boot a board's kernel under QEMU and drive its serial shell with pexpect.

Each test gets a fresh guest (the `guest` fixture, parametrized over every board). The
harness starts QEMU itself and kills it by its own pid when the test ends.
"""
import os
import re
import shlex
import subprocess

import pexpect
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BOARDS = ["qemu-x86", "qemu-mps2-an385"]
PROMPT = r"\r*\n> "      # the UART driver sends CR LF, the host pty may add a CR
BOOT_TIMEOUT = 60      # s; generous: the machines are shared
CMD_TIMEOUT = 60


def qemu_command(board, **make_vars):
    args = ["make", "-s", "--no-print-directory", "BOARD=" + board, "qemu-cmd"]
    args += ["%s=%s" % kv for kv in make_vars.items()]
    out = subprocess.run(args, cwd=ROOT, check=True, capture_output=True, text=True).stdout
    return shlex.split(out.strip().splitlines()[-1])


class Guest:
    """A running kernel: send shell commands, read their output."""

    def __init__(self, board, **make_vars):
        self.board = board
        cmd = qemu_command(board, **make_vars)
        self.p = pexpect.spawn(cmd[0], cmd[1:], cwd=ROOT, encoding="utf-8",
                               codec_errors="replace", timeout=CMD_TIMEOUT)
        self.log = open(os.path.join(ROOT, "build", "qemu-test-%s.log" % board), "a")
        self.p.logfile_read = self.log
        self.p.expect("shell ready", timeout=BOOT_TIMEOUT)
        self.p.expect(PROMPT)

    def cmd(self, line, timeout=CMD_TIMEOUT):
        """Run one shell command; return its output (the echoed line removed)."""
        self.p.send(line + "\r")
        self.p.expect(re.escape(line) + r"\r*\n", timeout=timeout)
        self.p.expect(PROMPT, timeout=timeout)
        return self.p.before.replace("\r", "")

    def prompt(self, timeout=CMD_TIMEOUT):
        self.p.expect(PROMPT, timeout=timeout)

    def exit_status(self, timeout=CMD_TIMEOUT):
        """Wait for QEMU to end; return its exit status."""
        self.p.expect(pexpect.EOF, timeout=timeout)
        self.p.close()
        return self.p.exitstatus

    def close(self):
        if self.p.isalive():
            self.p.terminate(force=True)
        self.log.close()


@pytest.fixture(params=BOARDS)
def guest(request):
    g = Guest(request.param)
    yield g
    g.close()
