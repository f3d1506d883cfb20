#!/usr/bin/env python3
"""`make bench-net`: this kernel beside a Linux guest, on the same QEMU machine, NIC and
network backend, driven by the same host client in one run.

Both guests run in turn under qemu-system-x86_64 -M pc -m 128M with an e1000 on a tap
device, inside a network namespace this script makes (and deletes). The Linux peer is
Debian's linux-image-amd64 with its own e1000 module, busybox and a one-thread epoll echo
server (tests/bench/linux-peer/). BENCH_NIC=virtio puts both on virtio-net-pci instead
(modern interface; Linux's own virtio_net module), whose model has no e1000's one-second
receive hold after the receiver is enabled; the keys then start x86_virtio_.
BOARD=qemu-mps2-an385 measures the M3 alone (a Linux peer cannot run there), and
BOARD=qemu-virt-aarch64 the Cortex-A53 on virtio-mmio alone (under qemu-system-aarch64,
TCG: the same host, another machine); their figures are printed beside the x86 ones.

Figures, one key=value per line, then a table:
  boot_to_echo_ms  QEMU started -> first TCP echo answered (client retries every 10 ms)
  rtt_us           median round trip of a 64-byte echo on one connection (500 samples)
  rtt6_us          the same over IPv6, to the guest's SLAAC address in fd77::/64 (dnsmasq
                   in the namespace advertises the prefix; nan for an IPv4-only board),
                   in blocks of 250 alternating with rtt_us's
  echo_MBps        bulk echo on one connection: 8 MiB sent and read back, per second
  conns_held       connections opened (BENCH_CONNS, default 10000 on x86 and AArch64, 1000
                   on the M3)
                   and held, each checked with its own echo
  all_echoed       then one line sent on every connection at once: how many came back
                   byte-exact within 300 s
  all_echo_p50_s   seconds until half of them had
  all_echo_s       seconds until every line came back (nan if some never did)
  conn_bytes       guest RAM per held connection: ours from `mem`, Linux from MemFree
  idle_cpu_pct     host CPU the idle guest's QEMU uses, over 5 s
  conns_ceiling    (BENCH_CEILING=1, after the rest) connections opened in steps of
                   CEILING_STEP, spread over client processes of at most 20,000 each, until
                   the guest refuses one or a step times out: where the guest stops. Then
                   ceiling_echoed: one line on every connection at once, how many came back
                   byte-exact, client process by client process; ceiling_conn_bytes: guest
                   RAM per connection there; ceiling_alive: 1 if the guest still answered
                   (its shell, or Linux's) after that echo; ceiling_stop: what ended it;
                   ceiling_oom_kills (Linux): processes its OOM killer ended
  curve_<m>_<n>    (BENCH_CURVES=1, after the rest but before the ceiling; =only: alone)
                   with n idle connections held (CURVE_LEVELS, default 0,1000,10000,30000),
                   m: rtt_us (one more connection, median of 500), echo_MBps (8 MiB on one
                   more), idle_cpu_pct, conn_bytes; curve_rtt_growth_<n>: rtt at n over rtt
                   at the first level; drawn in build/bench/<key>_<m>.svg, both guests on each
  burst40_*        (ours) 40 clients at once, 46-50 KB each: how many byte-exact, and the
                   longest any waited for its next echoed byte (tests/qemu/burst_client.py)
  burst32x256k_*   the same with 32 clients of 256 KiB
  burst*_100mbit_* the same two with the host's frames toward the guest paced like a
                   100 Mbit/s wire (tc tbf on the tap, WIRE_100M): QEMU's LAN9118 model drops
                   what does not fit its 10 KiB FIFO when a burst arrives at memory speed
  http_rps         HTTP requests a second: wrk, 10 s, 2 threads, 64 connections (keep-alive
                   where the server keeps it: ours does, busybox httpd closes after each),
                   GET of the same 1 KiB page (apps/www/bench-1k.html); ours from its status
                   server on port 80, Linux's from busybox httpd; http_errors counts wrk's
                   socket errors and non-2xx answers; http_close_rps the same with
                   "Connection: close" on every request (a connection per request for both)
  http_p50_ms, http_p99_ms  wrk's median and 99th percentile of http_rps (--latency);
                   http_close_p99_ms that of http_close_rps
  nginx_http_*     (Linux) the same two wrk runs against Debian's nginx 1.22 in the Linux
                   peer (port 8080, one worker, keep-alive: tests/bench/linux-peer/nginx.conf);
                   ratio_http_rps_vs_nginx and ratio_http_close_rps_vs_nginx compare ours
  usernet_conns    (ours) connections QEMU's user network (hostfwd) held within 60 s
  usernet_http_*   (both) http_rps's wrk run on QEMU's user network, `make run`'s: rps,
                   errors, p50_ms, p99_ms, and usernet_listen_overflows, the SYNs the host
                   dropped at hostfwd's listening socket (backlog 1) in that run
  (BENCH_RUNS=N)   N rounds, ours then Linux's in each: every figure is the median, each
                   one's spread over the rounds is printed, and ratio_<f>_rounds lists the
                   ratio of each round (rtt, bulk echo, boot, http)
  usernet_first_echo_ms[_virtio]  (ours) `make run`'s first echo: QEMU's user network, DHCP,
                   the default NIC (x86: and virtio-net), from QEMU's spawn; median of 3
  tls_handshake_ms (ours, QEMU's user network) median of 7 `fetch https://.../file/0` minus
                   the median of 7 plain http:// ones: what the TLS 1.2 handshake adds
                   (ECDHE P-256 with an ECDSA certificate, from tests/qemu/pki.py)
  https_MBps       one 8 MiB body over https://, per second (fetch's own ms=); http_MBps the
                   same over http://, for the cost of TLS
  curl_*           the same two figures from the host's curl against the same server
                   (time_appconnect - time_connect; speed_download), over loopback
"""
import json
import os
import re
import resource
import socket
import statistics
import subprocess
import sys
import threading
import time

import pexpect

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tests", "qemu"))
from conftest import board_info, tcp_ext, wrk_percentile_ms  # noqa: E402

BOARD = os.environ.get("BOARD", "qemu-x86")
KEY = board_info(BOARD)["KEY"]
X86 = KEY == "x86"
# 10,000 connections on the boards with 128 MiB (x86, AArch64), 1,000 on the M3's 16 MiB
CONNS = int(os.environ.get("BENCH_CONNS", "10000" if KEY in ("x86", "a53") else "1000"))
# BENCH_NIC=virtio (qemu-x86): both guests on virtio-net-pci (modern) instead of the e1000
NIC = os.environ.get("BENCH_NIC") or "e1000"
if NIC not in ("e1000", "virtio") or (NIC == "virtio" and not X86):
    sys.exit("bench-net: BENCH_NIC=%s: use e1000, or virtio on qemu-x86" % NIC)
NIC_DEVICE = {"e1000": "e1000,netdev=net0,romfile=",
              "virtio": "virtio-net-pci,netdev=net0,disable-legacy=on,romfile="}[NIC]
if NIC != "e1000":
    KEY += "_" + NIC                                # x86_virtio_kernel_rtt_us=...
PEER = os.path.join(ROOT, "build", "linux-peer")
GUEST_IP, HOST_IP = "10.77.0.2", "10.77.0.1"
# both guests take QEMU's default MAC 52:54:00:12:34:56, so SLAAC (EUI-64) gives both this
GUEST_IP6 = "fd77::5054:ff:fe12:3456"
PY = "/usr/bin/python3"


def our_cmd():
    args = ["make", "-s", "--no-print-directory", "BOARD=" + BOARD, "NET=tap", "qemu-cmd"]
    if X86:
        args.insert(-1, "NIC=" + NIC)
    out = subprocess.run(args, cwd=ROOT, check=True, capture_output=True, text=True).stdout
    argv = out.strip().splitlines()[-1].split()
    argv = argv[argv.index("exec") + 2:]            # drop "ip netns exec NS": we are inside
    if X86:
        argv[0] = "qemu-system-x86_64"              # the same QEMU binary as the peer's
    return argv


def peer_cmd():
    return ["qemu-system-x86_64", "-M", "pc", "-m", "128M", "-nographic", "-vga", "none",
            "-netdev", "tap,id=net0,ifname=tap0,script=no,downscript=no",
            "-device", NIC_DEVICE,
            "-kernel", os.path.join(PEER, "vmlinuz"), "-initrd", os.path.join(PEER, "initrd.gz"),
            "-append", "console=ttyS0 quiet peer_ip=%s/24 peer_gw=%s" % (GUEST_IP, HOST_IP)]


# The host's frames toward the guest paced like a 100 Mbit/s wire (the LAN9118's and the
# e1000's line rate): a token bucket of 4,500 bytes (three full frames back to back) on the
# tap. Unpaced, QEMU hands a guest's NIC model all that is queued on the tap at once.
WIRE_100M = ["tbf", "rate", "100mbit", "burst", "4500", "latency", "400ms"]


def first_echo(t0, timeout=120):
    while time.monotonic() - t0 < timeout:
        try:
            with socket.create_connection((GUEST_IP, 7), timeout=0.2) as s:
                s.sendall(b"x")
                if s.recv(1) == b"x":
                    return (time.monotonic() - t0) * 1000
        except OSError:
            pass
        time.sleep(0.01)
    raise RuntimeError("no echo within %d s" % timeout)


def wait_ip6(timeout=30):
    """Until the guest answers on GUEST_IP6 (its address is formed after a router
    advertisement and duplicate address detection): True, or False at the timeout."""
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        try:
            socket.create_connection((GUEST_IP6, 7), timeout=0.5).close()
            return True
        except OSError:
            time.sleep(0.2)
    return False


def rtt_samples(addr, n):
    """n round trips of a 64-byte echo on one new connection (after 100 to warm up), s."""
    s = socket.create_connection((addr, 7), timeout=30)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    msg, samples = b"r" * 64, []
    for i in range(n + 100):
        t0 = time.perf_counter()
        s.sendall(msg)
        got = 0
        while got < 64:
            got += len(s.recv(64 - got))
        if i >= 100:
            samples.append(time.perf_counter() - t0)
    s.close()
    return samples


def rtt_us(ip6):
    """Median round trips (us) over IPv4 and, if ip6, over IPv6 (nan otherwise), measured
    in alternating blocks of 250 so that both see the same host load."""
    v4, v6 = [], []
    for _ in range(2):
        v4 += rtt_samples(GUEST_IP, 250)
        if ip6:
            v6 += rtt_samples(GUEST_IP6, 250)
    return statistics.median(v4) * 1e6, statistics.median(v6) * 1e6 if v6 else float("nan")


def host_cpu():
    """(busy, total) jiffies of all the host's cores, from /proc/stat."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:8]]
    return sum(v) - v[3] - v[4], sum(v)


def echo_mbps(g):
    """Bulk echo of 8 MiB on one connection: MB/s, and what it cost the host: QEMU's CPU
    (% of one core), all cores' busy share (%), and the frames the guest received and sent.
    Both guests move about the same frames, so when the host is busy the ratio of the
    guests' MB/s is the host's, not the guests' (see the README)."""
    data = os.urandom(8 << 20)
    f0, q0, h0 = g.frames(), qemu_cpu_s(g.p.pid), host_cpu()
    s = socket.create_connection((GUEST_IP, 7), timeout=60)
    got = [0]

    def reader():
        while got[0] < len(data):
            n = len(s.recv(1 << 16))
            if not n:
                break
            got[0] += n
    t = threading.Thread(target=reader)
    t0 = time.perf_counter()
    t.start()
    s.sendall(data)
    t.join(120)
    dt = time.perf_counter() - t0
    q1, h1 = qemu_cpu_s(g.p.pid), host_cpu()
    s.close()
    return (len(data) / dt / 1e6 if got[0] == len(data) else 0.0, 100.0 * (q1 - q0) / dt,
            100.0 * (h1[0] - h0[0]) / max(1, h1[1] - h0[1]), g.frames() - f0)


def qemu_cpu_s(pid):
    with open("/proc/%d/stat" % pid) as f:
        f = f.read().rsplit(")", 1)[1].split()
    return (int(f[11]) + int(f[12])) / os.sysconf("SC_CLK_TCK")


def idle_cpu_pct(pid):
    time.sleep(2)
    c0, t0 = qemu_cpu_s(pid), time.monotonic()
    time.sleep(5)
    return 100.0 * (qemu_cpu_s(pid) - c0) / (time.monotonic() - t0)


def load(n):
    p = subprocess.Popen([PY, os.path.join(ROOT, "tests", "qemu", "loadclient.py"), GUEST_IP, "7"],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                         env=dict(os.environ, LOAD_TIMEOUT="300", LOAD_CLOSE_RST="1"))

    def ask(line):
        p.stdin.write(line + "\n")
        p.stdin.flush()
        return json.loads(p.stdout.readline())
    return p, ask


class Ours:
    name = "kernel"
    command = staticmethod(our_cmd)     # runs make: call it before boot_to_echo's clock

    def __init__(self, argv):
        self.p = pexpect.spawn(argv[0], argv[1:], cwd=ROOT, encoding="utf-8",
                               codec_errors="replace", timeout=600)

    def ready(self):
        self.p.expect("shell ready", timeout=120)
        self.p.expect(r"\n> ")

    def cmd(self, line):
        self.p.send(line + "\r")
        self.p.expect(re.escape(line) + r"\r*\n")
        self.p.expect(r"\r*\n> ")
        return self.p.before

    def ram_used(self):
        return int(re.search(r"used=(\d+)", self.cmd("mem")).group(1))

    def frames(self):
        """Frames received plus sent by the guest's NIC so far (`ifconfig`)."""
        out = self.cmd("ifconfig")
        return sum(int(x) for x in re.findall(r"[rt]x frames=(\d+)", out))


class Linux(Ours):
    name = "linux"
    command = staticmethod(peer_cmd)

    def __init__(self, argv):
        self.p = pexpect.spawn(argv[0], argv[1:], encoding="utf-8",
                               codec_errors="replace", timeout=600)

    def ready(self):
        self.p.expect("peer ready", timeout=300)
        self.p.sendline("PS1='PEER''> '")      # the echoed line does not match the prompt
        self.p.expect(r"\nPEER> ")

    def cmd(self, line):
        self.p.sendline(line)
        self.p.expect(r"\nPEER> ")
        return self.p.before

    def frames(self):
        f = self.cmd("cat /proc/net/dev").split("eth0:")[1].split()
        return int(f[1]) + int(f[9])            # receive and transmit packets

    def oom_kills(self):
        """Processes Linux's OOM killer has ended since boot (dmesg)."""
        out = self.cmd("dmesg | grep -c 'Out of memory: Killed process'")
        return int(re.findall(r"^(\d+)\s*$", out, re.M)[-1])

    def ram_used(self):
        out = self.cmd("cat /proc/meminfo")
        return 1024 * (int(re.search(r"MemTotal:\s+(\d+)", out).group(1)) -
                       int(re.search(r"MemFree:\s+(\d+)", out).group(1)))


# BENCH_CEILING=1: the ceiling after everything else; =only: boot, first echo and the
# ceiling alone (both guests), for a quick look at where each stops
CEILING = os.environ.get("BENCH_CEILING", "0") in ("1", "only")
CEILING_ONLY = os.environ.get("BENCH_CEILING", "0") == "only"
CEILING_STEP = int(os.environ.get("CEILING_STEP", "5000"))
CEILING_MAX = int(os.environ.get("CEILING_MAX", "60000"))  # the namespace's ports: 64,512 (1024-65535)
# connections one client process opens: its descriptor limit (20,000 here: the container
# keeps loadclient.py from raising it), less room for stdio, epoll and the interpreter
PER_CLIENT = min(20000, resource.getrlimit(resource.RLIMIT_NOFILE)[1] - 200)


class Pool:
    """Idle connections to the guest's echo port, spread over loadclient.py processes of at
    most PER_CLIENT each, in the namespace's whole port range."""

    def __init__(self):
        # one source address and port toward one guest port: the ephemeral range is the cap
        # (this process runs inside the benchmark's namespace: its range only)
        subprocess.run(["sysctl", "-q", "-w", "net.ipv4.ip_local_port_range=1024 65535"], check=True)
        self.clients, self.held = [], 0

    def grow(self, target, step=CEILING_STEP, what="pool"):
        """Open connections in steps until target are held; None, or why it stopped short
        ("refused", "short step ...")."""
        while self.held < target:
            if not self.clients or self.clients[-1][2] >= PER_CLIENT:
                p, ask = load(0)
                self.clients.append([p, ask, 0])
            c = self.clients[-1]
            n = min(step, PER_CLIENT - c[2], target - self.held)
            o = c[1]("open %d" % n)
            got = o["opened"] - c[2]
            c[2] = o["opened"]
            self.held += got
            print("# %s: %d held (+%d, %d refused, %.1f s)" % (what, self.held, got, o["refused"], o["s"]),
                  flush=True)
            if o.get("no_port"):
                return "the host's ports ran out (%d connects without one)" % o["no_port"]
            if o["refused"] or got < n:
                return "refused" if o["refused"] else "short step (%d of %d in %.1f s)" % (got, n, o["s"])
        return None

    def echo(self, into=None, key=None):
        """One line on every connection, client process by client process: how many came
        back byte-exact (also kept in into[key] as it adds up, should a client fail)."""
        n = 0
        for c in self.clients:
            n += c[1]("echo")["echoed"]
            if into is not None:
                into[key] = n
        return n

    def close(self):
        for c in self.clients:
            try:
                c[1]("close")
                c[0].stdin.close()
                c[0].wait(60)
            except Exception:
                c[0].kill()
                c[0].wait(10)
            c[0].stdout.close()
        self.clients, self.held = [], 0


def ceiling(g):
    """Open connections until the guest refuses one or a step falls short within
    LOAD_TIMEOUT: conns_ceiling, ceiling_echoed, ceiling_conn_bytes, ceiling_alive. What
    was measured before an error (a client that died, a guest that stopped answering) is
    returned, with ceiling_stop naming what ended it."""
    r = {}
    pool = None
    stop = "max"
    try:
        pool = Pool()
        time.sleep(1)
        before = g.ram_used()
        stop = pool.grow(CEILING_MAX, what="ceiling") or "max"
        r["conns_ceiling"] = pool.held
        g.p.timeout = 30
        try:
            r["ceiling_conn_bytes"] = (g.ram_used() - before) / max(1, pool.held)
        except Exception:                # no shell: the guest died (Linux's OOM, a panic)
            r["ceiling_conn_bytes"] = float("nan")
        pool.echo(r, "ceiling_echoed")
    except Exception as e:               # keep what was measured
        stop = "error: %r" % (e,)
        r.setdefault("conns_ceiling", pool.held if pool else 0)
    finally:
        try:                             # after the echo: the guest (or Linux) still answers
            g.p.timeout = 30
            g.ram_used()
            r["ceiling_alive"] = 1
        except Exception:
            r["ceiling_alive"] = 0
        if hasattr(g, "oom_kills"):      # Linux: did its OOM killer end the echo server?
            try:
                r["ceiling_oom_kills"] = g.oom_kills()
            except Exception:
                pass
        r["ceiling_stop"] = stop
        print("# ceiling: stopped by %s" % stop, flush=True)
        if pool:
            pool.close()
    return r


# BENCH_CURVES=1 (after the rest, before the ceiling) or =only: how each cost grows with
# idle connections, at each of CURVE_LEVELS
CURVES = os.environ.get("BENCH_CURVES", "0") in ("1", "only")
CURVES_ONLY = os.environ.get("BENCH_CURVES", "0") == "only"
CURVE_LEVELS = [int(x) for x in os.environ.get("CURVE_LEVELS", "0,1000,10000,30000").split(",")]
CURVE_METRICS = ("rtt_us", "echo_MBps", "idle_cpu_pct", "conn_bytes")


def curves(g):
    """At each level of idle connections (held open; loadclient.py checked each with one
    echoed line as it opened it): the
    round trip of one more connection (median of 500, us), bulk echo on one more (MB/s),
    the idle guest's host CPU (% of a core) and guest RAM per held connection (bytes).
    Keys curve_<metric>_<level>; a level the guest cannot reach ends its curve
    (curve_stop says why)."""
    r = {}
    pool = None
    try:
        pool = Pool()
        time.sleep(10)                   # the guest settles after boot (Linux: 19% of a
        before = g.ram_used()            # core in its first seconds after "peer ready")
        for level in CURVE_LEVELS:
            why = pool.grow(level, what="curve")
            if why:
                r["curve_stop"] = "%s before %d" % (why, level)
                break
            r["curve_conn_bytes_%d" % level] = (g.ram_used() - before) / level if level else float("nan")
            r["curve_rtt_us_%d" % level] = statistics.median(rtt_samples(GUEST_IP, 500)) * 1e6
            r["curve_echo_MBps_%d" % level] = echo_mbps(g)[0]
            r["curve_idle_cpu_pct_%d" % level] = idle_cpu_pct(g.p.pid)
            print("# curve at %d: %s" % (level, ", ".join("%s=%.1f" % (m, r["curve_%s_%d" % (m, level)])
                                                         for m in CURVE_METRICS)), flush=True)
    except Exception as e:
        r["curve_stop"] = "error: %r" % (e,)
    finally:
        if pool:
            pool.close()
    return r


def plot_curves(runs):
    """build/bench/<KEY>_<metric>.svg (and .png): each metric against idle connections, one
    line per guest (Debian's python3-matplotlib). Returns the SVG files written."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("# curves: no matplotlib (apt-get install python3-matplotlib); figures only")
        return []
    out = os.path.join(ROOT, "build", "bench")
    os.makedirs(out, exist_ok=True)
    labels = {"rtt_us": "round trip of one more connection (us, median)",
              "echo_MBps": "bulk echo on one more connection (MB/s)",
              "idle_cpu_pct": "idle guest's host CPU (% of a core)",
              "conn_bytes": "guest RAM per idle connection (bytes)"}
    files = []
    for m in CURVE_METRICS:
        fig, ax = plt.subplots(figsize=(6, 4))
        for name, r in runs:
            pts = sorted((lv, r["curve_%s_%d" % (m, lv)]) for lv in CURVE_LEVELS
                         if "curve_%s_%d" % (m, lv) in r and r["curve_%s_%d" % (m, lv)] == r["curve_%s_%d" % (m, lv)])
            if pts:
                ax.plot([p[0] for p in pts], [p[1] for p in pts], marker="o",
                        label="this kernel" if name == "kernel" else "Linux 6.1 guest")
        ax.set_xlabel("idle connections held")
        ax.set_ylabel(labels[m])
        ax.set_title("%s, %s%s (%s)" % (BOARD, NIC if X86 else board_info(BOARD)["NIC"],
                                        ", -m 128M" if KEY.startswith(("x86", "a53")) else "",
                                        time.strftime("%Y-%m-%d")))
        ax.set_ylim(bottom=0)
        ax.grid(True, alpha=0.3)
        if ax.lines:
            ax.legend()
        f = os.path.join(out, "%s_%s.svg" % (KEY, m))
        fig.savefig(f, bbox_inches="tight")
        fig.savefig(f[:-4] + ".png", bbox_inches="tight", dpi=80)
        plt.close(fig)
        files.append(f)
    return files


def usernet_first_echo_ms(nic=None, timeout=30):
    """`make run`'s first echo: QEMU's user network, DHCP, the board's default NIC (or nic,
    x86), timed from QEMU's spawn to the first byte-exact echo through hostfwd. A new
    connection is tried every 20 ms and each is kept (slirp accepts it at once and
    retransmits its SYN toward the guest only after seconds), so the figure is when the
    guest first answers, not when some retry happened to ask."""
    import selectors
    from conftest import free_port, qemu_command
    port = free_port()
    extra = {"NIC": nic} if nic else {}
    cmd = qemu_command(BOARD, HOSTFWD_ECHO_PORT=port, HOSTFWD_CHAT_PORT=free_port(),
                       HOSTFWD_SELECT_PORT=free_port(), HOSTFWD_STATUS_PORT=free_port(), **extra)
    sel, socks, got = selectors.DefaultSelector(), [], {}
    t0 = time.monotonic()
    q = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL)
    try:
        next_try = t0
        while time.monotonic() - t0 < timeout:
            if time.monotonic() >= next_try:
                next_try += 0.02
                c = None
                try:
                    c = socket.create_connection(("127.0.0.1", port), timeout=0.05)
                    socks.append(c)
                    c.sendall(b"first\n")
                    c.setblocking(False)
                    sel.register(c, selectors.EVENT_READ)
                    got[c] = b""
                except OSError:
                    pass
            for key, _ in sel.select(0.005):
                c = key.fileobj
                try:
                    chunk = c.recv(16)
                except OSError:
                    chunk = b""
                if not chunk:                    # reset or closed: slirp found no guest
                    sel.unregister(c)
                    continue
                got[c] += chunk
                if got[c] == b"first\n":
                    return (time.monotonic() - t0) * 1000
        return float("nan")
    finally:
        sel.close()
        for c in socks:
            c.close()
        q.terminate()
        try:
            q.wait(10)
        except subprocess.TimeoutExpired:
            q.kill()
            q.wait(10)


def usernet_conns(budget_s=60):
    """Ours on QEMU's user network: connections held through hostfwd within budget_s."""
    from conftest import Guest
    g = Guest(BOARD)
    held = []
    try:
        t0 = time.monotonic()
        while time.monotonic() - t0 < budget_s and len(held) < CONNS:
            try:
                s = socket.create_connection(("127.0.0.1", g.echo_port), timeout=5)
                s.sendall(b"u")
                s.settimeout(5)
                if s.recv(1) != b"u":
                    break
                held.append(s)
            except OSError:
                break
        return len(held)
    finally:
        for s in held:
            s.close()
        g.close()


def median_ms(g, url, n=7):
    ms = []
    for _ in range(n):
        out = g.cmd("fetch -c 1 " + url, timeout=120)
        m = re.search(r"status=200 .* ms=(\d+)$", out, re.M)
        if not m:
            raise RuntimeError(out)
        ms.append(int(m.group(1)))
    return statistics.median(ms)


def tls_bench():
    """TLS figures on QEMU's user network, beside curl on the host."""
    import pki
    from conftest import Guest, free_port
    from httpserver import Server, TLSServer
    d = os.path.join(ROOT, "build", "bench-tls")
    certs = pki.make(d)
    tls, plain = TLSServer(free_port(), *certs["good"]), Server(free_port())
    r = {}
    g = Guest(BOARD)
    try:
        g.add_ca(os.path.join(d, "ca.pem"))
        https = "https://10.0.2.2:%d" % tls.server_address[1]
        http = "http://10.0.2.2:%d" % plain.server_address[1]
        median_ms(g, https + "/file/0", 1)                      # the trust store is parsed
        r["tls_handshake_ms"] = median_ms(g, https + "/file/0") - median_ms(g, http + "/file/0")
        big = 8 << 20
        r["https_MBps"] = big / 1e6 / (median_ms(g, https + "/file/%d" % big, 1) / 1000.0)
        r["http_MBps"] = big / 1e6 / (median_ms(g, http + "/file/%d" % big, 1) / 1000.0)
        hs, mbps = [], []
        for _ in range(7):
            out = subprocess.run(["curl", "-sk", "-o", "/dev/null", "-w",
                                  "%{time_connect} %{time_appconnect}",
                                  "https://127.0.0.1:%d/file/0" % tls.server_address[1]],
                                 capture_output=True, text=True, check=True).stdout.split()
            hs.append((float(out[1]) - float(out[0])) * 1000)
        out = subprocess.run(["curl", "-sk", "-o", "/dev/null", "-w", "%{speed_download}",
                              "https://127.0.0.1:%d/file/%d" % (tls.server_address[1], big)],
                             capture_output=True, text=True, check=True).stdout
        r["curl_tls_handshake_ms"] = statistics.median(hs)
        r["curl_https_MBps"] = float(out) / 1e6
    finally:
        g.close()
        tls.close()
        plain.close()
    return r


def wrk(url, close=False):
    """wrk, 10 s, 2 threads, 64 connections: (requests/s, errors, p50 ms, p99 ms). close:
    every request asks for Connection: close (a new connection each, what busybox httpd
    does anyway)."""
    out = subprocess.run(["wrk", "-t", "2", "-c", "64", "-d", "10s", "--timeout", "10s",
                          "--latency"] +
                         (["-H", "Connection: close"] if close else []) + [url],
                         capture_output=True, text=True, timeout=120).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    errors = sum(int(x) for x in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return (rps, errors + (int(m.group(1)) if m else 0), wrk_percentile_ms(out, 50),
            wrk_percentile_ms(out, 99))


def http_rps(close=False):
    """wrk against the guest's port 80 on the tap network."""
    return wrk("http://%s/bench-1k.html" % GUEST_IP, close)


NGINX = ("/opt/nginx/lib/ld-linux-x86-64.so.2 --library-path /opt/nginx/lib /opt/nginx/nginx "
         "-e /tmp/nginx-error.log -c /etc/nginx-bench.conf")
NGINX_FIELDS = ["nginx_http_rps", "nginx_http_errors", "nginx_http_p50_ms", "nginx_http_p99_ms",
                "nginx_http_close_rps", "nginx_http_close_errors", "nginx_http_close_p99_ms"]


def nginx_http(g):
    """Debian's nginx in the Linux peer (tests/bench/linux-peer/nginx.conf: port 8080, one
    worker, the same page): http_rps's two wrk runs against it. Then it is stopped and its
    9 MiB of files deleted from the peer's RAM, so that the memory figures measured after
    this are those of the guest without it."""
    out = g.cmd(NGINX + "; echo nginx rc=$?")
    if "nginx rc=0" not in out:
        raise RuntimeError("nginx did not start in the Linux peer: %s %s" % (
            out, g.cmd("cat /tmp/nginx-error.log")))
    r = {}
    try:
        url = "http://%s:8080/bench-1k.html" % GUEST_IP
        (r["nginx_http_rps"], r["nginx_http_errors"], r["nginx_http_p50_ms"],
         r["nginx_http_p99_ms"]) = wrk(url)
        r["nginx_http_close_rps"], r["nginx_http_close_errors"], _, r["nginx_http_close_p99_ms"] = wrk(url, True)
    finally:
        g.cmd("kill $(cat /tmp/nginx.pid); while [ -e /tmp/nginx.pid ]; do sleep 0.1; done; rm -rf /opt/nginx")
    return r


def usernet_http(cls):
    """wrk on QEMU's user network, as `make run` has it: 127.0.0.1:port forwarded to the
    guest's port 80 (hostfwd), /bench-1k.html, keep-alive. Both guests behind the same
    forwarder: its backlog of 1 drops most of the 64 SYNs wrk sends at once, and the host
    resends them after 1, 3 and 7 s; usernet_listen_overflows counts the SYNs the host
    dropped at a full accept queue (TcpExt ListenOverflows, this namespace)."""
    from conftest import Guest, free_port
    if cls is Ours:
        g = Guest(BOARD, **({"NIC": NIC} if NIC != "e1000" else {}))   # picks its own ports
        port, stop = g.http_port, g.close
    else:
        port = free_port()
        argv = peer_cmd()
        i = argv.index("tap,id=net0,ifname=tap0,script=no,downscript=no")
        argv[i] = "user,id=net0,hostfwd=tcp:127.0.0.1:%d-:80" % port
        argv[-1] = "console=ttyS0 quiet peer_ip=10.0.2.15/24 peer_gw=10.0.2.2"
        g = Linux(argv)
        stop = lambda: g.p.terminate(force=True)
    try:
        if cls is Linux:
            g.ready()
        o = tcp_ext("ListenOverflows")
        rps, errors, p50, p99 = wrk("http://127.0.0.1:%d/bench-1k.html" % port)
        return {"usernet_http_rps": rps, "usernet_http_errors": errors, "usernet_http_p50_ms": p50,
                "usernet_http_p99_ms": p99, "usernet_listen_overflows": tcp_ext("ListenOverflows") - o}
    finally:
        stop()


def measure(cls):
    r = {}
    # Both clocks start at QEMU's spawn. Our command line comes from `make qemu-cmd`
    # (50-80 ms a run); until 2026-11-23 it was made twice after t0, which added 0.1-0.16 s
    # to our boot_to_echo_ms and nothing to the peer's.
    argv = cls.command()
    t0 = time.monotonic()
    g = cls(argv)
    try:
        r["boot_to_echo_ms"] = first_echo(t0)
        g.ready()
        if CEILING_ONLY or CURVES_ONLY:
            if CURVES:
                r.update(curves(g))
            if CEILING:
                r.update(ceiling(g))
            return r
        r["idle_cpu_pct"] = idle_cpu_pct(g.p.pid)
        r["rtt_us"], r["rtt6_us"] = rtt_us((cls is Linux or board_info(BOARD)["IPV6"] == "1")
                                           and wait_ip6())
        (r["echo_MBps"], r["echo_qemu_cpu_pct"], r["echo_host_busy_pct"],
         r["echo_frames"]) = echo_mbps(g)
        r["http_rps"], r["http_errors"], r["http_p50_ms"], r["http_p99_ms"] = http_rps()
        r["http_close_rps"], r["http_close_errors"], _, r["http_close_p99_ms"] = http_rps(close=True)
        if cls is Linux:
            r.update(nginx_http(g))
        time.sleep(1)
        before = g.ram_used()
        p, ask = load(CONNS)
        o = ask("open %d" % CONNS)
        r["conns_held"] = o["opened"]
        r["conns_refused"] = o["refused"]
        after = g.ram_used()
        r["conn_bytes"] = (after - before) / max(1, o["opened"])
        e = ask("echo")
        r["all_echo_s"] = e["s"] if e["echoed"] == o["opened"] and o["opened"] else float("nan")
        r["all_echoed"] = e["echoed"]
        r["all_echo_p50_s"] = e.get("p50", float("nan"))
        ask("close")
        p.stdin.close()
        p.wait(60)
        if cls is Ours:
            for pace in ("", "100mbit"):
                if pace:
                    subprocess.run(["tc", "qdisc", "add", "dev", "tap0", "root"] + WIRE_100M, check=True)
                try:
                    for n, size, key in ((40, -46120, "burst40"), (32, 262144, "burst32x256k")):
                        b = subprocess.run([PY, os.path.join(ROOT, "tests", "qemu", "burst_client.py"),
                                            GUEST_IP, "7", str(n), str(size)], capture_output=True,
                                           text=True, env=dict(os.environ, BURST_TIMEOUT="120")).stdout
                        b = json.loads(b)
                        key += ("_" + pace) if pace else ""
                        r[key + "_ok"] = b["ok"]
                        r[key + "_max_stall_s"] = b["max_stall_s"]
                finally:
                    if pace:
                        subprocess.run(["tc", "qdisc", "del", "dev", "tap0", "root"], check=True)
        if CURVES:
            r.update(curves(g))
        if CEILING:                      # last: the peer may not survive it
            time.sleep(5)
            r.update(ceiling(g))
    finally:
        g.p.terminate(force=True)
    return r


FIELDS = ["boot_to_echo_ms", "rtt_us", "rtt6_us", "echo_MBps", "echo_qemu_cpu_pct", "echo_host_busy_pct",
          "echo_frames", "http_rps", "http_errors", "http_p50_ms", "http_p99_ms", "http_close_rps",
          "http_close_errors", "http_close_p99_ms", "conns_held", "all_echoed",
          "all_echo_p50_s", "all_echo_s", "conn_bytes", "idle_cpu_pct"]


# BENCH_RUNS=N: N rounds, each this kernel then the Linux peer (alternating, so both see the
# same host); the figures printed are the medians, with each one's spread
BENCH_RUNS = int(os.environ.get("BENCH_RUNS", "1"))


def median_of(results):
    """One result from several rounds' dicts: each number's median (nan where a round
    lacks it), a string from the first round."""
    out = {}
    for k in results[0]:
        v = [r.get(k) for r in results]
        if isinstance(v[0], str):
            out[k] = v[0]
        elif all(isinstance(x, (int, float)) for x in v):
            out[k] = statistics.median(v)
        else:
            out[k] = float("nan")
    return out


def main():
    if not os.environ.get("BENCH_NS"):
        # make the namespace and run again inside it (QEMU, clients and all)
        ns = "kbench-%d" % os.getpid()
        netns = os.path.join(ROOT, "scripts", "netns.sh")
        subprocess.run([netns, "up", ns, "tap0", HOST_IP + "/24"], check=True)
        # router advertisements of fd77::/64 on the tap, for both guests' IPv6 (rtt6_us)
        ra = subprocess.Popen(["ip", "netns", "exec", ns, "dnsmasq", "--keep-in-foreground",
                               "--conf-file=/dev/null", "--no-resolv", "--no-hosts", "--port=0",
                               "--interface=tap0", "--bind-interfaces", "--pid-file=",
                               "--enable-ra", "--dhcp-range=::,constructor:tap0,ra-only"],
                              stderr=subprocess.DEVNULL)
        try:
            rc = subprocess.call(["ip", "netns", "exec", ns, "env", "BENCH_NS=" + ns, PY] + sys.argv)
        finally:
            ra.terminate()
            ra.wait(10)
            subprocess.run([netns, "down", ns])
        sys.exit(rc)
    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    print("# %s, %s%s, %d connections" % (time.strftime("%Y-%m-%d"), BOARD,
                                           ", " + NIC if X86 else "", CONNS), flush=True)
    peer = X86 and os.environ.get("BENCH_PEER", "1") == "1"
    rounds = []                        # BENCH_RUNS rounds, each ours then Linux's
    for i in range(BENCH_RUNS):
        rounds.append([("kernel", measure(Ours))] + ([("linux", measure(Linux))] if peer else []))
        if BENCH_RUNS > 1:
            for name, r in rounds[-1]:
                print("# round %d, %s: %s" % (i + 1, name, ", ".join(
                    "%s=%.1f" % (f, r[f]) for f in FIELDS if f in r)), flush=True)
    runs = rounds[0] if BENCH_RUNS == 1 else [
        (name, median_of([rd[j][1] for rd in rounds])) for j, (name, _) in enumerate(rounds[0])]
    if BENCH_RUNS > 1:                 # each figure's spread over the rounds, and the ratios'
        for j, (name, _) in enumerate(rounds[0]):
            for f in FIELDS + NGINX_FIELDS:
                v = [rd[j][1][f] for rd in rounds if f in rd[j][1]]
                if v:
                    print("# %s_%s_%s over %d rounds: median %.2f, %.2f-%.2f" % (
                        KEY, name, f, len(v), statistics.median(v), min(v), max(v)))
        if peer:
            for f, lf in (("rtt_us",) * 2, ("rtt6_us",) * 2, ("echo_MBps",) * 2,
                          ("boot_to_echo_ms",) * 2, ("http_rps",) * 2,
                          ("http_rps", "nginx_http_rps"), ("http_close_rps", "nginx_http_close_rps")):
                q = [rd[0][1][f] / rd[1][1][lf] for rd in rounds
                     if f in rd[0][1] and rd[1][1].get(lf)]
                if q:
                    print("%s_ratio_%s_rounds=%s   # median %.3f" % (
                        KEY, f if lf == f else f + "_vs_nginx", ",".join("%.3f" % x for x in q),
                        statistics.median(q)))
    for name, r in runs:
        for f in FIELDS + [k for k in sorted(r) if k.startswith(("nginx", "burst", "ceiling", "conns_ceiling", "curve"))]:
            if f in r and isinstance(r[f], str):
                print("# %s_%s_%s: %s" % (KEY, name, f, r[f]), flush=True)
            elif f in r:
                print("%s_%s_%s=%.2f" % (KEY, name, f, r[f]), flush=True)
    if len(runs) == 2 and "conns_ceiling" in runs[0][1] and "conns_ceiling" in runs[1][1]:
        print("%s_ratio_conns_ceiling=%.3f" % (KEY, runs[0][1]["conns_ceiling"] / max(1, runs[1][1]["conns_ceiling"])))
    if CURVES:
        for lv in CURVE_LEVELS[1:]:
            k0, k1 = "curve_rtt_us_%d" % CURVE_LEVELS[0], "curve_rtt_us_%d" % lv
            for name, r in runs:
                if k0 in r and k1 in r:
                    print("%s_%s_curve_rtt_growth_%d=%.3f" % (KEY, name, lv, r[k1] / r[k0]))
        for f in plot_curves(runs):
            print("# curve: %s" % f)
    only = CEILING_ONLY or CURVES_ONLY     # no table of the rest: it was not measured
    if len(runs) == 2 and not only:
        k, lx = runs[0][1], runs[1][1]
        ratios = {"boot_to_echo": k["boot_to_echo_ms"] / lx["boot_to_echo_ms"],
                  "rtt": k["rtt_us"] / lx["rtt_us"],
                  "rtt6": k["rtt6_us"] / lx["rtt6_us"],
                  "echo_MBps": k["echo_MBps"] / lx["echo_MBps"] if lx["echo_MBps"] else float("nan"),
                  "http_rps": k["http_rps"] / lx["http_rps"] if lx["http_rps"] else float("nan"),
                  "http_close_rps": k["http_close_rps"] / lx["http_close_rps"] if lx["http_close_rps"] else float("nan"),
                  "http_rps_vs_nginx": k["http_rps"] / lx["nginx_http_rps"] if lx.get("nginx_http_rps") else float("nan"),
                  "http_close_rps_vs_nginx": (k["http_close_rps"] / lx["nginx_http_close_rps"]
                                              if lx.get("nginx_http_close_rps") else float("nan")),
                  "conn_bytes": k["conn_bytes"] / lx["conn_bytes"] if lx["conn_bytes"] > 0 else float("nan"),
                  "all_echo_s": k["all_echo_s"] / lx["all_echo_s"] if lx["all_echo_s"] else float("nan"),
                  "idle_cpu": k["idle_cpu_pct"] / lx["idle_cpu_pct"] if lx["idle_cpu_pct"] else float("nan")}
        for f, v in ratios.items():
            print("%s_ratio_%s=%.3f" % (KEY, f, v))
    if not only:
        print()
        print("| figure | " + " | ".join(n for n, _ in runs) + " |")
        print("|---|" + "---|" * len(runs))
        for f in FIELDS:
            print("| %s | " % f + " | ".join("%.1f" % r[f] for _, r in runs) + " |")
    # =only modes run nothing else unless asked (BENCH_TLS=1, BENCH_USERNET=1)
    if os.environ.get("BENCH_TLS", "0" if only else "1") == "1":
        for f, v in tls_bench().items():
            print("%s_%s=%.2f" % (KEY, f, v), flush=True)
    if os.environ.get("BENCH_USERNET", "0" if only else "1") == "1":
        # QEMU's user network, for comparison: hostfwd listens on this namespace's loopback
        base = board_info(BOARD)["KEY"]           # not BENCH_NIC's key: the NIC is named here
        for nic in (["e1000", "virtio"] if X86 else [None]):
            ms = [usernet_first_echo_ms(nic) for _ in range(3)]
            ok = sorted(m for m in ms if m == m)  # nan: no echo within 30 s
            print("%s_kernel_usernet_first_echo_ms%s=%.2f   # median of 3: %s" % (
                base, "_virtio" if nic == "virtio" else "",
                statistics.median(ok) if len(ok) == len(ms) else float("nan"),
                ", ".join("%.0f" % m for m in ms)))
        if not only:
            print("%s_kernel_usernet_conns=%d" % (KEY, usernet_conns()))
            if board_info(BOARD)["HTTPD"] == "1":
                for cls in [Ours] + ([Linux] if peer else []):
                    for f, v in usernet_http(cls).items():
                        print("%s_%s_%s=%.2f" % (KEY, cls.name, f, v), flush=True)


if __name__ == "__main__":
    main()
