"""The HTTP server on port 80 (net/http/server.c) and the status page it serves
(apps/status.c, apps/www/), on every board, through QEMU's user network
(host 127.0.0.1:g.http_port -> guest :80).

curl checks headers, keep-alive, HEAD, 304 and every error status; Python's http.client
checks pipelining, 1-byte writes and large headers; wrk loads it; headless Chromium runs
the page and the test compares its live task table with `ps -a`. On the boards whose image
has the server (a board built with NET_HTTPD=0 runs test_left_out.py instead)."""
import glob
import http.client
import json
import os
import re
import shutil
import socket
import subprocess
import time

import pytest

from conftest import ROOT, Guest, board_info, boards_with, has, tcp_ext, wrk_percentile_ms

WWW = os.path.join(ROOT, "apps", "www")


@pytest.fixture(params=boards_with("HTTPD"), scope="module")
def net_guest(request):
    """conftest's net_guest, for the boards with the server."""
    g = Guest(request.param)
    g.baseline = g.settled_resources()
    yield g
    g.close()
TYPES = {".html": "text/html; charset=utf-8", ".css": "text/css; charset=utf-8",
         ".js": "text/javascript; charset=utf-8", ".svg": "image/svg+xml"}


def curl(g, *args, timeout=60):
    """Run curl against the guest (URLs are paths: "/x" becomes http://127.0.0.1:port/x).
    Returns (exit status, stdout bytes, stderr text)."""
    argv = ["curl", "-sS", "--max-time", "30"]
    for a in args:
        argv.append("http://127.0.0.1:%d%s" % (g.http_port, a) if a.startswith("/") else a)
    p = subprocess.run(argv, capture_output=True, timeout=timeout)
    return p.returncode, p.stdout, p.stderr.decode(errors="replace")


def head_fields(verbose):
    """The response header lines of curl -v output: [(status, {name: value})...]."""
    out, cur = [], None
    for line in verbose.splitlines():
        if line.startswith("< HTTP/"):
            cur = {}
            out.append((int(line.split()[2]), cur))
        elif line.startswith("< ") and cur is not None and ":" in line:
            k, v = line[2:].split(":", 1)
            cur[k.strip().lower()] = v.strip()
    return out


def httpd_counters(g):
    out = g.cmd("httpd")
    return {k: int(v) for k, v in re.findall(r"(\w+)=(\d+)", out)}


def wait_no_connections(g, timeout=60):
    """Until the server holds no connection: QEMU's user network may still hand over
    connections a client opened and abandoned (its host side accepts with a backlog of 1),
    and each then waits out its idle timeout."""
    deadline = time.monotonic() + timeout
    while httpd_counters(g)["active"] and time.monotonic() < deadline:
        time.sleep(1)
    return httpd_counters(g)["active"]


def raw(g, data, wait_close=True, timeout=20):
    """Send bytes on a new connection; return everything the server sends until it closes
    (or, wait_close=False, until timeout)."""
    s = socket.create_connection(("127.0.0.1", g.http_port), timeout=timeout)
    try:
        s.sendall(data)
        got = b""
        try:
            while True:
                b = s.recv(65536)
                if not b:
                    break
                got += b
        except socket.timeout:
            if wait_close:
                raise
        return got
    finally:
        s.close()


def test_stacks_are_twice_as_large_on_lp64(ng):
    """The connection generators' stacks are K_STACK(4096) (kernel/k.h: twice on the
    64-bit board, as every other stack), and the server's task has the listening tasks'
    SERVER_STACK (board.mk: doubled there too)."""
    lp64 = board_info(ng.board)["ARCH"] == "aarch64"
    assert httpd_counters(ng)["stack"] == (8192 if lp64 else 4096)
    out = ng.cmd("ps")
    size = {f[1]: int(f[-3]) for f in (l.split() for l in out.splitlines())   # STACK PEAK SWITCHES
            if len(f) >= 7 and f[0].isdigit()}
    assert size["httpd"] == size["echo-tcp"], out


def test_files_are_served_byte_exact_with_type_length_and_etag(ng):
    for path in sorted(glob.glob(os.path.join(WWW, "*"))):
        name = "/" + os.path.basename(path)
        rc, body, err = curl(ng, "-v", name)
        assert rc == 0, err
        want = open(path, "rb").read()
        assert body == want, name
        [(status, h)] = head_fields(err)
        assert status == 200
        assert h["content-type"] == TYPES[os.path.splitext(path)[1]]
        assert int(h["content-length"]) == len(want)
        assert re.fullmatch(r'"[0-9a-f]{16}"', h["etag"]), h
    rc, body, _ = curl(ng, "/")
    assert body == open(os.path.join(WWW, "index.html"), "rb").read()


def test_keep_alive_reuses_one_connection_and_head_has_no_body(ng):
    before = httpd_counters(ng)
    rc, body, err = curl(ng, "-v", "/style.css", "--next", "-v", "-I", "/app.js",
                         "--next", "-v", "/api/status")
    assert rc == 0, err
    assert err.count("Re-using existing connection") == 2, err
    heads = head_fields(err)
    assert [s for s, _ in heads] == [200, 200, 200]
    css = open(os.path.join(WWW, "style.css"), "rb").read()
    js_len = os.path.getsize(os.path.join(WWW, "app.js"))
    assert int(heads[1][1]["content-length"]) == js_len      # HEAD: the length GET would send
    assert heads[2][1]["transfer-encoding"] == "chunked"     # a streamed answer
    # the HEAD response has headers only: what follows the CSS is /api/status's JSON
    assert body.startswith(css)
    json.loads(body[len(css):].split(b"\r\n\r\n")[-1])
    after = httpd_counters(ng)
    assert after["accepted"] == before["accepted"] + 1
    assert after["requests"] >= before["requests"] + 3


def test_if_none_match_gives_304_without_a_body(ng):
    rc, _, err = curl(ng, "-v", "/app.js")
    etag = head_fields(err)[0][1]["etag"]
    for inm in (etag, "W/" + etag, '"nope", ' + etag, "*"):
        rc, body, err = curl(ng, "-v", "-H", "If-None-Match: " + inm, "/app.js")
        [(status, h)] = head_fields(err)
        assert (status, body, h["etag"]) == (304, b"", etag), inm
        assert "content-length" not in h and "transfer-encoding" not in h
    rc, body, err = curl(ng, "-v", "-H", 'If-None-Match: "0000000000000000"', "/app.js")
    assert head_fields(err)[0][0] == 200
    assert body == open(os.path.join(WWW, "app.js"), "rb").read()


def error_case(g, status, args):
    rc, body, err = curl(g, "-v", *args)
    heads = head_fields(err)
    assert heads and heads[-1][0] == status, (args, err[-2000:])
    h = heads[-1][1]
    assert body.decode().startswith("%d " % status), body
    assert int(h["content-length"]) == len(body)
    return h


def test_each_error_status_and_the_server_keeps_serving(ng, tmp_path):
    before = httpd_counters(ng)
    big = tmp_path / "big"
    big.write_bytes(b"x" * 2000)
    cases = [
        (400, ["-H", "Host:", "/"]),                               # HTTP/1.1 without Host
        (404, ["/nope"]),
        (404, ["--path-as-is", "/../../etc/passwd"]),              # no file system to escape to
        (405, ["-X", "DELETE", "/"]),
        (405, ["-d", "cmd=reboot", "/api/status"]),                # the API is read-only
        (411, ["-H", "Transfer-Encoding: chunked", "-d", "x", "/"]),
        (413, ["--data-binary", "@%s" % big, "/"]),
        (414, ["/" + "a" * 1100]),
        (431, ["-H", "X-Big: " + "b" * 17000, "/"]),
        (501, ["-X", "BREW", "/"]),
    ]
    for status, args in cases:
        h = error_case(ng, status, args)
        if status in (404, 405):
            assert "connection" not in h                            # kept alive
        else:
            assert h["connection"] == "close"
        if status == 405:
            assert h["allow"] == "GET, HEAD"
    # what curl cannot send
    r = raw(ng, b"GET / HTTP/2.0\r\nHost: a\r\n\r\n")
    assert r.startswith(b"HTTP/1.1 505 HTTP Version Not Supported\r\n"), r
    r = raw(ng, b"GET / HTTP/1.1\r\nHost: a\r\n folded\r\n\r\n")
    assert r.startswith(b"HTTP/1.1 400 Bad Request\r\n") and b"folding" in r, r
    # a body under the limit is read and dropped; the connection goes on
    rc, body, err = curl(ng, "-v", "-d", "x" * 100, "/", "--next", "-v", "/favicon.svg")
    assert [s for s, _ in head_fields(err)] == [405, 200] and "Re-using existing" in err
    after = httpd_counters(ng)
    assert after["4xx"] - before["4xx"] == 11
    assert after["5xx"] - before["5xx"] == 2
    rc, body, _ = curl(ng, "/")
    assert rc == 0 and body == open(os.path.join(WWW, "index.html"), "rb").read()


def test_408_when_a_request_stalls(ng):
    ng.cmd("httpd 1000 2000 30000")
    try:
        before = httpd_counters(ng)
        t0 = time.monotonic()
        r = raw(ng, b"GET / HTTP/1.1\r\nHost: a\r\n")        # never finished
        assert r.startswith(b"HTTP/1.1 408 Request Timeout\r\n"), r
        assert b"Connection: close\r\n" in r
        assert time.monotonic() - t0 < 10
        # an idle kept-alive connection is closed without a response
        r = raw(ng, b"GET /favicon.svg HTTP/1.1\r\nHost: a\r\n\r\n")
        assert r.count(b"HTTP/1.1 200 OK") == 1 and b"408" not in r
        assert httpd_counters(ng)["timeouts"] == before["timeouts"] + 2
    finally:
        ng.cmd("httpd 10000 15000 30000")


def test_pipelined_requests_are_answered_in_order(ng):
    """Three requests in one write; http.client reads the three responses in order from
    the one connection."""
    s = socket.create_connection(("127.0.0.1", ng.http_port), timeout=30)
    s.sendall(b"GET /favicon.svg HTTP/1.1\r\nHost: a\r\n\r\n"
              b"HEAD /style.css HTTP/1.1\r\nHost: a\r\n\r\n"
              b"GET /api/tasks HTTP/1.1\r\nHost: a\r\n\r\n"
              b"GET /nope HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
    fp = s.makefile("rb")

    class Unclosable:                # HTTPResponse closes its file when a body ends
        def __getattr__(self, name):
            return getattr(fp, name)

        def close(self):
            pass

    class Shared:                    # every response reads from the same buffered stream
        def makefile(self, *a, **k):
            return Unclosable()

    got = []
    for method in ("GET", "HEAD", "GET", "GET"):
        r = http.client.HTTPResponse(Shared(), method=method)
        r.begin()
        got.append((r.status, r.read()))
    fp.close()                       # the socket closes when its last file does
    s.close()
    assert got[0] == (200, open(os.path.join(WWW, "favicon.svg"), "rb").read())
    assert got[1] == (200, b"")
    assert got[2][0] == 200 and json.loads(got[2][1])["count"] >= 5     # chunked, decoded
    assert got[3][0] == 404


def test_request_in_one_byte_writes_and_large_headers(ng):
    s = socket.create_connection(("127.0.0.1", ng.http_port), timeout=60)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    for b in b"GET /favicon.svg HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n":
        s.send(bytes([b]))
        time.sleep(0.002)
    r = http.client.HTTPResponse(s)
    r.begin()
    assert r.status == 200 and r.read() == open(os.path.join(WWW, "favicon.svg"), "rb").read()
    s.close()
    c = http.client.HTTPConnection("127.0.0.1", ng.http_port, timeout=60)
    c.request("GET", "/favicon.svg", headers={"X-Large": "v" * 10240})       # 10 KB: fine
    r = c.getresponse()
    assert r.status == 200 and len(r.read()) > 0
    # http.client adds Host and Accept-Encoding: 98 + 2 fields, the most allowed
    c.request("GET", "/favicon.svg", headers={"X-%d" % i: "h" * 100 for i in range(98)})
    r = c.getresponse()
    assert r.status == 200 and len(r.read()) > 0
    c.request("GET", "/favicon.svg", headers={"X-%d" % i: "h" for i in range(100)})
    r = c.getresponse()
    assert r.status == 431 and r.getheader("Connection") == "close"
    r.read()
    c.close()


def test_http10_streamed_answer_ends_with_close(ng):
    r = raw(ng, b"GET /api/tasks HTTP/1.0\r\n\r\n")
    head, body = r.split(b"\r\n\r\n", 1)
    assert head.startswith(b"HTTP/1.1 200 OK") and b"Connection: close" in head
    assert b"Transfer-Encoding" not in head
    assert json.loads(body)["count"] >= 5
    r = raw(ng, b"GET /favicon.svg HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", wait_close=False,
            timeout=3)
    assert b"Connection: keep-alive\r\n" in r and r.endswith(open(os.path.join(WWW, "favicon.svg"), "rb").read())


def ps_names(g):
    out = g.cmd("ps -a")
    return sorted(m.group(2) for m in re.finditer(r"^\s*(\d+) (\S+)\s", out, re.M))


def test_api_is_valid_json_and_agrees_with_the_shell(ng):
    def get(path):
        rc, body, err = curl(ng, path)
        assert rc == 0, err
        return json.loads(body)
    st = get("/api/status")
    assert st["board"] == ng.board
    assert st["heap"]["total"] > st["heap"]["used"] > 0
    assert st["servers"]["http"]["port"] == 80 and st["servers"]["echo"]["port"] == 7
    assert st["history"]["interval_ms"] == 1000
    assert len(st["history"]["connections"]) == len(st["history"]["rx_bytes"]) > 0
    tasks = get("/api/tasks")
    assert tasks["count"] == len(tasks["tasks"])
    assert sorted(t["name"] for t in tasks["tasks"]) == ps_names(ng)
    for t in tasks["tasks"]:
        assert t["state"] in ("ready", "running", "blocked") and t["peak"] <= t["stack"]
    net = get("/api/net")
    assert re.fullmatch(r"\d+\.\d+\.\d+\.\d+", net["netif"]["ip"])
    assert net["netif"]["ip"] in ng.cmd("ifconfig")
    listen = {e["local"] for e in net["tcp_endpoints"]["list"] if e["state"] == "LISTEN"}
    any_addr = "[::]" if has(ng.board, "IPV6") else "0.0.0.0"     # dual-stack listeners
    assert {any_addr + p for p in (":80", ":7", ":8000", ":55555")} <= listen
    # the interface's IPv6 addresses, as ifconfig lists them
    assert [a["addr"] for a in net["netif"]["ip6"]] == re.findall(r"inet6 (\S+)/64", ng.cmd("ifconfig"))
    assert not has(ng.board, "IPV6") or net["netif"]["ip6"][0]["scope"] == "link"
    assert any(e["state"] == "ESTABLISHED" and e["local"].endswith(":80")
               for e in net["tcp_endpoints"]["list"])                 # this request's
    assert {p["name"] for p in net["lwip"]["pools"]} >= {"TCP_PCB", "PBUF_POOL"}
    assert net["nic"]["rx_frames"] > 0 and net["nic"]["tx_frames"] > 0


def test_wrk_64_connections_10_s_without_errors(ng):
    # QEMU's user network: --timeout 10s, because hostfwd's backlog of 1 makes the host
    # resend most of wrk's 64 SYNs after 1, 3 and 7 s (QEMU's tail, not ours). The tail
    # is checked on the tap network: test_wrk_p99_on_the_tap_network_...
    before = httpd_counters(ng)
    p = subprocess.run(["wrk", "-t", "2", "-c", "64", "-d", "10s", "--timeout", "10s",
                        "http://127.0.0.1:%d/" % ng.http_port], capture_output=True, text=True,
                       timeout=120)
    print(p.stdout)
    assert p.returncode == 0, p.stderr
    n = int(re.search(r"(\d+) requests in", p.stdout).group(1))
    assert n > 100, p.stdout
    assert "Socket errors" not in p.stdout and "Non-2xx" not in p.stdout, p.stdout
    # (wrk resets the connections it leaves with answers in flight: `dropped` counts them)
    c = httpd_counters(ng)
    assert c["5xx"] == before["5xx"] and c["4xx"] == before["4xx"], c
    rc, body, _ = curl(ng, "/")
    assert rc == 0 and body == open(os.path.join(WWW, "index.html"), "rb").read()
    assert wait_no_connections(ng) == 0


@pytest.fixture(params=boards_with("HTTPD"))
def tap_http_guest(request):
    g = Guest(request.param, net="tap")
    yield g
    g.close()


def test_wrk_p99_on_the_tap_network_is_within_the_hosts_least_rto_of_p50(tap_http_guest):
    """wrk's 99th percentile, 64 connections for 10 s on /api/status: less than 200 ms
    (Linux's least retransmission timeout) above the median, so no more than a few frames
    were lost and waited to be sent again (wrk corrects for coordinated omission: a request
    held 200 ms also counts the ones its connection would have sent meanwhile). Above the
    median, not absolute: on a shared machine the median grows with the host's load.

    The project's other wrk test runs on QEMU's user network, whose hostfwd listens with a
    backlog of 1 (`ss -ltn`): 64 connections opened at once overflow it, the host resends
    their SYNs after 1, 3 and 7 s (TcpExtListenOverflows counts them), and the p99 there is
    QEMU's (3.4 s on every board, where the guest answered each SYN that reached it within
    1 ms). Here nothing stands between the client and the guest's NIC: the p99 is ours. It
    read 355-416 ms on the MPS2 boards (p50 about 50) while the LAN9118's 10 KiB receive
    FIFO overflowed during bursts of answers; the driver now drains it as it transmits
    (docs/design.md, "The M3 and its receive FIFO")."""
    g = tap_http_guest
    # first one answer: a freshly booted e1000 takes no frame for 1 s after its receiver is
    # enabled (QEMU's flush_queue_timer); wrk's SYNs sent then wait for their resend, and
    # wrk's correction for coordinated omission turns 64 such waits into a p99 of 480 ms
    # (CI: p50 12.6 ms, 63 host RTOs, all of them SYNs)
    warm = g.in_ns(["curl", "-sS", "-o", "/dev/null", "--retry", "5", "--retry-connrefused",
                    "--max-time", "30", "http://%s/api/status" % g.addr])
    assert warm.wait(60) == 0
    rtos = tcp_ext("TCPTimeouts", g.ns)      # the host's resends after a loss, toward the guest
    p = g.in_ns(["wrk", "-t", "2", "-c", "64", "-d", "10s", "--timeout", "10s", "--latency",
                 "http://%s/api/status" % g.addr], stdout=subprocess.PIPE, text=True)
    try:
        out = p.communicate(timeout=120)[0]
    except subprocess.TimeoutExpired:
        p.kill()                                         # not left in a deleted namespace
        p.wait()
        raise
    print(out)
    rtos = tcp_ext("TCPTimeouts", g.ns) - rtos
    assert p.returncode == 0 and "Socket errors" not in out and "Non-2xx" not in out, out
    assert int(re.search(r"(\d+) requests in", out).group(1)) > 1000, out
    p50, p99 = wrk_percentile_ms(out, 50), wrk_percentile_ms(out, 99)
    print("p50 %.1f ms, p99 %.1f ms, %d retransmission timeouts of the host" % (p50, p99, rtos))
    assert p99 - p50 < 200, "p50 %.1f ms, p99 %.1f ms, %d retransmission timeouts of the host" % (
        p50, p99, rtos)
    assert "heap: total=" in g.cmd("mem")                # and the shell answers


def chromium():
    path = shutil.which("chromium")
    assert path, "chromium is missing: make deps installs it"
    return path


def test_status_page_in_headless_chromium_lists_the_tasks_ps_lists(ng):
    url = "http://127.0.0.1:%d/" % ng.http_port
    base = [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
            "--user-data-dir=" + os.path.join(ROOT, "build", "chromium-%s" % ng.board),
            "--virtual-time-budget=5000", "--window-size=1280,1100"]
    p = subprocess.run(base + ["--dump-dom", url], capture_output=True, text=True, timeout=120)
    dom = p.stdout
    m = re.search(r'id="updated" data-count="(\d+)"', dom)
    assert m and int(m.group(1)) >= 2, dom[-3000:]            # the page updated itself
    tbody = re.search(r'<tbody id="task-rows">(.*?)</tbody>', dom, re.S).group(1)
    names = sorted(re.findall(r'<tr[^>]*><td class="n">\d+</td><td>([^<]+)</td>', tbody))
    assert names == ps_names(ng), (names, tbody[:2000])
    assert re.search(r'<span id="board">%s</span>' % re.escape(ng.board), dom)
    assert 'class="dot ok"' in dom
    shot = os.path.join(ROOT, "build", "status-%s.png" % ng.board)
    if os.path.exists(shot):
        os.remove(shot)
    subprocess.run(base + ["--screenshot=" + shot, url], capture_output=True, timeout=120)
    assert os.path.getsize(shot) > 10000                       # for a person to look at
    assert wait_no_connections(ng) == 0


@pytest.fixture(params=boards_with("HTTPD"))
def fresh_guest(request):
    """A guest of its own, so `mem -l` can leave its heap little room."""
    g = Guest(request.param)
    yield g
    g.close()


def test_503_when_out_of_memory_then_serves_again(fresh_guest):
    g = fresh_guest
    peak = int(re.search(r"peak=(\d+)", g.cmd("mem")).group(1))
    # less than the 64 KiB reserve free: no connection is admitted, but there is room to
    # say so
    g.cmd("mem -l %d" % (peak + 40 * 1024))
    try:
        rc, body, err = curl(g, "-v", "/")
        [(status, h)] = head_fields(err)
        assert status == 503 and h["retry-after"] == "1" and h["connection"] == "close"
        assert body == b"503 Service Unavailable: out of memory\n"
        assert httpd_counters(g)["refused"] >= 1
    finally:
        g.cmd("mem -l 0")
    rc, body, _ = curl(g, "/")
    assert rc == 0 and body == open(os.path.join(WWW, "index.html"), "rb").read()
