"""Boot a board's kernel under QEMU and drive its serial shell with pexpect.

Each test gets a fresh guest (the `guest` fixture, parametrized over every board). The
harness starts QEMU itself and kills it by its own pid when the test ends.
"""
import functools
import os
import re
import shlex
import socket
import subprocess
import time

import pexpect
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# the boards, as the Makefile lists them (`make print-boards`)
BOARDS = subprocess.run(["make", "-s", "--no-print-directory", "print-boards"], cwd=ROOT, check=True,
                        capture_output=True, text=True).stdout.split()


@functools.lru_cache(maxsize=None)
def board_info(board):
    """What the board's board.mk says about it (`make print-board`): ARCH, KEY (its short
    name in benchmark keys), FPU ("1" if each context keeps FP state), TEST_CONNS, NIC,
    and the features its image holds: TLS, GZIP, HTTPD ("1" or "0")."""
    out = subprocess.run(["make", "-s", "--no-print-directory", "BOARD=" + board, "print-board"],
                         cwd=ROOT, check=True, capture_output=True, text=True).stdout
    return dict(line.split("=", 1) for line in out.split())


def wrk_percentile_ms(out, q):
    """The q-th percentile (50, 99, ...) of wrk --latency's output out, in milliseconds
    (wrk prints "950.00us", "17.13ms", "3.44s" or "1.02m")."""
    m = re.search(r"^\s+%d%%\s+([\d.]+)(us|ms|s|m)[ \t]*$" % q, out, re.M)
    return float(m.group(1)) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[m.group(2)]


def tcp_ext(counter, ns=None):
    """A TcpExt counter of the host's TCP (/proc/net/netstat: TCPTimeouts, ListenOverflows,
    ...) in network namespace ns, or in this process's own."""
    out = subprocess.run((["ip", "netns", "exec", ns] if ns else []) + ["cat", "/proc/net/netstat"],
                         capture_output=True, text=True, check=True).stdout
    names, values = [l.split() for l in out.splitlines() if l.startswith("TcpExt:")][:2]
    return int(values[names.index(counter)])


def has(board, feature):
    """Whether the board's image holds feature ("TLS", "GZIP", "HTTPD"): a board with
    less RAM leaves some out, and its tests then check the error that says so."""
    return board_info(board)[feature] == "1"


def boards_with(feature):
    """The boards whose images hold feature: the parameters of that feature's tests (the
    others run tests/qemu/test_left_out.py, which checks the error that names it)."""
    return [b for b in BOARDS if has(b, feature)]


def boards_without(feature):
    return [b for b in BOARDS if not has(b, feature)]


def exit_status_of(board, status):
    """The host-side exit status of a guest that exited with status: isa-debug-exit
    (x86) reports (status << 1) | 1, semihosting (ARM) the status itself."""
    return (status << 1) | 1 if board_info(board)["ARCH"] == "i386" else status


PROMPT = r"\r*\n> "      # the UART driver sends CR LF, the host pty may add a CR
BOOT_TIMEOUT = 60      # s; generous: the machines are shared
CMD_TIMEOUT = 60
# Bytes by which `mem`'s used may differ from a baseline with nothing leaked: newlib's
# mallinfo counts allocator padding as used. newlib-nano's used is break - start - free
# list, so the 4 bytes sbrk_aligned() adds when the heap grows stay counted (the M3's
# HTTPS tests ended 4 bytes above their baseline after a fetch had grown the heap); and
# both of newlib's mallocs hand out a free chunk whole when splitting it would leave less
# than their 16-byte minimum chunk. Every block either hands out is 16 bytes or more, so
# a leak of a single one still shows (test_soak.py allows more: an hour of growth).
HEAP_SLACK = 12


def qemu_command(board, **make_vars):
    args = ["make", "-s", "--no-print-directory", "BOARD=" + board, "qemu-cmd"]
    args += ["%s=%s" % kv for kv in make_vars.items()]
    out = subprocess.run(args, cwd=ROOT, check=True, capture_output=True, text=True).stdout
    return shlex.split(out.strip().splitlines()[-1])


def _ephemeral_start():
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
            return int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768


_EPHEMERAL_START = _ephemeral_start()
_handed_out = set()


def free_port():
    """A TCP and UDP port on 127.0.0.1 that nothing uses now and that this process has not
    handed out before. Drawn at random from 10000 up to the kernel's ephemeral range
    (where that starts above 11000), where the kernel places no client socket: CI once got one port twice from bind(0) for one
    guest (chat and select), and QEMU stopped at 'Could not set up host forwarding rule'.
    Another test process may still take the port before QEMU binds it: Guest retries."""
    import random
    lo = 10000
    hi = max(lo + 1000, _EPHEMERAL_START - 1)
    while True:
        port = random.randint(lo, hi)
        if port in _handed_out:
            continue
        try:
            with socket.socket() as t:
                t.bind(("127.0.0.1", port))
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as u:
                u.bind(("127.0.0.1", port))
        except OSError:
            continue
        _handed_out.add(port)
        return port


HOSTFWD_VARS = ("HOSTFWD_ECHO_PORT", "HOSTFWD_CHAT_PORT", "HOSTFWD_SELECT_PORT", "HOSTFWD_STATUS_PORT")
HOSTFWD_TRIES = 3


TAP_GUEST_IP = "10.77.0.2"       # the Makefile's NET=tap defaults
TAP_HOST_IP = "10.77.0.1"
_tap_seq = [0]


class Guest:
    """A running kernel: send shell commands, read their output. The guest's port 7
    (TCP and UDP echo) is reachable at 127.0.0.1:self.echo_port.

    net="tap": the guest is on a tap device in a network namespace of its own, made here
    (self.ns) and deleted by close(); it is self.addr (ports as in the guest), reachable
    only from inside the namespace (self.in_ns(argv))."""

    def __init__(self, board, net="user", impair=None, **make_vars):
        """impair (net="tap" only): a dict of tests/qemu/relay.py options ("drop": 0.1, ...);
        the guest's NIC then reaches the tap through that impaired relay (QEMU's UDP
        socket backend) instead of opening the tap itself."""
        self.board = board
        self.net = net
        self.ns = None
        self.relay = None
        if net == "tap":
            _tap_seq[0] += 1
            self.ns = "ktest-%d-%d" % (os.getpid(), _tap_seq[0])
            subprocess.run([os.path.join(ROOT, "scripts", "netns.sh"), "up", self.ns, "tap0",
                            TAP_HOST_IP + "/24"], check=True)
            make_vars.update(NET="tap", TAP_NS=self.ns)
            self.addr = TAP_GUEST_IP
            self.echo_port, self.chat_port, self.select_port, self.http_port = 7, 8000, 55555, 80
        else:
            self.addr = "127.0.0.1"
            # the ports picked here (not given by the caller) are picked again if QEMU
            # cannot forward one: another test process took it in between
            picked = [v for v in HOSTFWD_VARS if v not in make_vars]
            for v in picked:
                make_vars[v] = free_port()
        self.p = self.log = None
        try:
            tries = HOSTFWD_TRIES if net != "tap" and picked else 1
            for attempt in range(tries):
                if self._start(board, net, impair, make_vars):
                    break
                if attempt == tries - 1:
                    raise RuntimeError("QEMU could not forward a host port %d times: %s"
                                       % (tries, self.p.after))
                print("QEMU: %s; picking new ports" % self.p.after)
                self.p.close()
                self.log.close()
                for v in picked:
                    make_vars[v] = free_port()
            self.p.expect(PROMPT)
        except BaseException:
            # a guest that never came up (no image, a boot error) leaves nothing behind:
            # no QEMU, no relay, no namespace
            self.close()
            raise

    def _start(self, board, net, impair, make_vars):
        """Spawn QEMU and wait for "shell ready"; False if QEMU stopped at once because a
        host port it was to forward is taken (self.p.after says which)."""
        if net != "tap":
            self.echo_port, self.chat_port, self.select_port, self.http_port = (
                int(make_vars[v]) for v in HOSTFWD_VARS)
        cmd = qemu_command(board, **make_vars)
        self.cmdline = cmd
        if net == "tap":
            self._cap_host_rto()
        if impair is not None:
            self.relay_stats = os.path.join(ROOT, "build", "relay-%s.json" % self.ns)
            opts = []
            for k, v in impair.items():
                opts += ["--" + k, str(v)]
            self.relay = self.in_ns([PYTHON, os.path.join(ROOT, "tests", "qemu", "relay.py"), "tap0",
                                     "5555", "5556", "--stats", self.relay_stats] + opts,
                                    stdout=subprocess.PIPE, text=True)
            assert self.relay.stdout.readline().strip() == "relay ready"
            i = next(i for i, a in enumerate(cmd) if a.startswith("tap,id=net0"))
            cmd[i] = "socket,id=net0,udp=127.0.0.1:5555,localaddr=127.0.0.1:5556"
        self.p = pexpect.spawn(cmd[0], cmd[1:], cwd=ROOT, encoding="utf-8",
                               codec_errors="replace", timeout=CMD_TIMEOUT)
        self.log = open(os.path.join(ROOT, "build", "qemu-test-%s.log" % board), "a")
        self.p.logfile_read = self.log
        return self.p.expect([r"Could not set up host forwarding rule[^\r\n]*", "shell ready"],
                             timeout=BOOT_TIMEOUT) == 1

    def _cap_host_rto(self):
        """The host's TCP in this namespace (the tests' client sockets) retransmits at
        least every 2 s. Frames toward the guest are lost on purpose (impair) or by QEMU's
        LAN9118 model, which drops what does not fit its 10 KiB FIFO (docs/design.md);
        uncapped, the host backs its timer off up to Linux's 120 s: `ss -ti` showed
        rto:120000 backoff:7 during a 100 KB echo that then stood still for minutes, and an
        echo client of the soak on the M3 (CI, an385) waited 60 s. What is tested is the
        guest, whose own timer net/tcp_rto.c bounds; the knob is Linux 6.15+."""
        rto_max = "/proc/sys/net/ipv4/tcp_rto_max_ms"
        if not os.path.exists(rto_max):
            return
        subprocess.run(["ip", "netns", "exec", self.ns, "sh", "-c", "echo 2000 > " + rto_max],
                       check=True)
        # With the RTO at its maximum, Linux counts an orphaned connection (a server that
        # wrote its answer and closed: python's http.server) as no longer "alive" and, with
        # tcp_orphan_retries at its default 0, kills it at its next timeout: the guest,
        # still missing a lost segment, then waited 60 s for data that would never come
        # (tcpdump: one retransmission, then silence; 1 fetch in 6 failed). Give orphans
        # retries of their own.
        subprocess.run(["ip", "netns", "exec", self.ns, "sh", "-c",
                        "echo 15 > /proc/sys/net/ipv4/tcp_orphan_retries"], check=True)

    def add_ca(self, pem_path):
        """`tls ca-add`: paste a PEM CA certificate on the console; the guest trusts it."""
        self.p.send("tls ca-add\r")
        self.p.expect("paste the PEM")
        for line in open(pem_path).read().splitlines():
            self.p.send(line + "\r")
        self.p.expect(r"tls: added 1 certificate\(s\) to the trust store", timeout=CMD_TIMEOUT)
        self.prompt()

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

    def in_ns(self, argv, **kw):
        """Start argv inside the guest's namespace (tap only); returns the Popen."""
        return subprocess.Popen(["ip", "netns", "exec", self.ns] + argv, **kw)

    def wait_host_listening(self, port, timeout=30.0):
        """Until a host process in this guest's namespace listens on TCP port (`ss`): a
        server started with in_ns() takes a while to bind on a loaded machine, and a
        guest's connection before that is reset (CI: the soak's first 7 fetches ended
        error=refused). False if none listens within timeout seconds."""
        deadline = time.monotonic() + timeout
        while True:
            out = subprocess.run(["ip", "netns", "exec", self.ns, "ss", "-Hltn",
                                  "sport = :%d" % port], capture_output=True, text=True).stdout
            if out.strip():
                return True
            if time.monotonic() > deadline:
                return False
            time.sleep(0.1)

    def load_client(self, port):
        """tests/qemu/loadclient.py against self.addr:port inside the namespace."""
        return LoadClient(self, port)

    def relay_counters(self):
        """Stop the relay; return its counters (per direction: frames, dropped, ...)."""
        import json
        if self.relay:
            self.relay.terminate()
            self.relay.wait(10)
            self.relay = None
        with open(self.relay_stats) as f:
            return json.load(f)

    def close(self):
        if self.p is not None and self.p.isalive():
            self.p.terminate(force=True)
        if self.relay:
            self.relay.terminate()
            self.relay.wait(10)
        if self.log is not None:
            self.log.close()
        if self.ns:
            subprocess.run([os.path.join(ROOT, "scripts", "netns.sh"), "down", self.ns])
            self.ns = None


    # --- resource accounting -------------------------------------------------------------
    def resources(self):
        """(open sockets, heap bytes used, bytes in lwIP's heap cache) as the kernel
        reports them. The cache gives its blocks back after a quiet second, so a guest at
        rest reads (n, used, 0)."""
        import re
        net = self.cmd("netstat")
        mem = self.cmd("mem")
        socks = int(re.search(r"sockets open=(\d+)", net).group(1))
        used = int(re.search(r"used=(\d+)", mem).group(1))
        cached = int(re.search(r"cached=(\d+)", mem).group(1))
        return socks, used, cached

    def settled_resources(self, timeout=20.0):
        """resources() once two readings a second apart agree (boot-time traffic, lwIP's
        timers and the lwIP heap's cache have settled): the baseline to come back to."""
        last, deadline = self.resources(), time.monotonic() + timeout
        while time.monotonic() < deadline:
            time.sleep(1.0)
            now = self.resources()
            if now == last and now[2] == 0:
                return now
            last = now
        return last

    def wait_resources(self, baseline, timeout=20.0):
        """Wait until sockets and heap are back at baseline; return baseline then, else what
        was seen last. The heap counts as back when `used` is within HEAP_SLACK of it."""
        deadline = time.monotonic() + timeout
        while True:
            now = self.resources()
            if now == baseline:
                return now
            if (now[0], now[2]) == (baseline[0], baseline[2]) and abs(now[1] - baseline[1]) <= HEAP_SLACK:
                print("heap used=%d, %+d bytes from the baseline: allocator slack" % (now[1], now[1] - baseline[1]))
                return baseline
            if time.monotonic() > deadline:
                return now
            time.sleep(0.5)


class LoadClient:
    """Drives loadclient.py: open(n), echo(), close() each return its JSON answer."""

    def __init__(self, guest, port):
        import json
        self._json = json
        self.p = guest.in_ns([PYTHON, os.path.join(ROOT, "tests", "qemu", "loadclient.py"),
                              guest.addr, str(port)], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, text=True)

    def ask(self, line):
        self.p.stdin.write(line + "\n")
        self.p.stdin.flush()
        out = self.p.stdout.readline()
        if not out:
            raise RuntimeError("loadclient ended (exit status %s)" % self.p.wait())
        return self._json.loads(out)

    def open(self, n):
        return self.ask("open %d" % n)

    def echo(self):
        return self.ask("echo")

    def close(self):
        try:
            self.ask("close")
            self.p.stdin.write("quit\n")
            self.p.stdin.close()
        except (OSError, RuntimeError):
            pass
        try:
            self.p.wait(30)
        except subprocess.TimeoutExpired:
            self.p.kill()


PYTHON = "/usr/bin/python3"


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
    g.baseline = g.settled_resources()
    yield g
    g.close()


@pytest.fixture(params=BOARDS, scope="module")
def tap_guest(request):
    """One guest per board on the tap network (its own namespace) for a module's tests,
    with its settled resources as g.baseline."""
    g = Guest(request.param, net="tap")
    g.baseline = g.settled_resources()
    yield g
    g.close()


@pytest.fixture
def ng(net_guest):
    yield net_guest
    assert net_guest.wait_resources(net_guest.baseline) == net_guest.baseline
