"""Boot a board's kernel under QEMU and drive its serial shell with pexpect.

Each test gets a fresh guest (the `guest` fixture, parametrized over every board). The
harness starts QEMU itself and kills it by its own pid when the test ends.
"""
import os
import re
import shlex
import socket
import subprocess
import time

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


def free_port():
    """A TCP and UDP port on 127.0.0.1 that nothing uses now."""
    while True:
        with socket.socket() as t:
            t.bind(("127.0.0.1", 0))
            port = t.getsockname()[1]
        try:
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as u:
                u.bind(("127.0.0.1", port))
            return port
        except OSError:
            continue


class Guest:
    """A running kernel: send shell commands, read their output. The guest's port 7
    (TCP and UDP echo) is reachable at 127.0.0.1:self.echo_port."""

    def __init__(self, board, **make_vars):
        self.board = board
        self.echo_port = int(make_vars.setdefault("ECHO_PORT", free_port()))
        self.chat_port = int(make_vars.setdefault("CHAT_PORT", free_port()))
        self.select_port = int(make_vars.setdefault("SELECT_PORT", free_port()))
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


    # --- resource accounting -------------------------------------------------------------
    def resources(self):
        """(open sockets, heap bytes used) as the kernel reports them."""
        import re
        net = self.cmd("netstat")
        mem = self.cmd("mem")
        socks = int(re.search(r"sockets open=(\d+)", net).group(1))
        used = int(re.search(r"used=(\d+)", mem).group(1))
        return socks, used

    def wait_resources(self, baseline, timeout=20.0):
        """Wait until sockets and heap are back at baseline; return what was seen last."""
        deadline = time.monotonic() + timeout
        while True:
            now = self.resources()
            if now == baseline or time.monotonic() > deadline:
                return now
            time.sleep(0.5)


@pytest.fixture(params=BOARDS)
def guest(request):
    g = Guest(request.param)
    yield g
    g.close()

@pytest.fixture(params=BOARDS, scope="module")
def net_guest(request):
    """One guest per board for a module of network tests (booting takes a few seconds).
    Each test checks that sockets and heap return to the baseline afterwards."""
    g = Guest(request.param)
    g.baseline = g.resources()
    yield g
    g.close()


@pytest.fixture
def ng(net_guest):
    yield net_guest
    assert net_guest.wait_resources(net_guest.baseline) == net_guest.baseline
