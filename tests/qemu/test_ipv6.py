"""IPv6 beside IPv4 on every board built with it (NET_IPV6=1; the IPv4-only ones run the
checks of test_left_out.py).

QEMU's user network (ipv6=on, its default) advertises fec0::/64 and answers at fec0::2
for the host's ::1: the guest forms its address by SLAAC, and fetch and crawl reach
servers on ::1 by IPv6 literal. QEMU cannot forward IPv6 into the guest, so the echo
servers and DNS are tested on the tap network, where dnsmasq in the guest's namespace
advertises fd77::/64 (router advertisement with RDNSS, stateless DHCPv6) and answers for
names with only AAAA, only A, or both.
"""
import json
import os
import re
import subprocess
import time
import zlib

import pytest

from conftest import PYTHON, ROOT, Guest, boards_with, free_port, has
from httpserver import Server, body
from test_examples import crawl
from test_fetch import expect_body, fetch
from test_https import SNTPServer, sntp_answered

BOARDS6 = boards_with("IPV6")
MAC_IID = "5054:ff:fe12:3456"      # modified EUI-64 of QEMU's 52:54:00:12:34:56


def wait_address(g, prefix, timeout=30):
    """Poll ifconfig until an address under prefix is preferred; return ifconfig's text."""
    deadline = time.monotonic() + timeout
    while True:
        out = g.cmd("ifconfig")
        if re.search(r"inet6 %s\S*/64  global  preferred" % re.escape(prefix), out):
            return out
        assert time.monotonic() < deadline, "no preferred %s address:\n%s" % (prefix, out)
        time.sleep(0.5)


@pytest.fixture(params=BOARDS6, scope="module")
def g6(request):
    g = Guest(request.param)
    wait_address(g, "fec0::")
    g.baseline = g.settled_resources()
    yield g
    g.close()


@pytest.fixture(scope="module")
def httpd6():
    s = Server(free_port(), "::1")
    s.base = "http://[fec0::2]:%d" % s.server_address[1]
    yield s
    s.close()


def test_slaac_link_local_and_router_on_user_network(g6):
    out = g6.cmd("ifconfig")
    assert "inet6 fe80::%s/64  link  preferred" % MAC_IID in out, out
    m = re.search(r"inet6 fec0::%s/64  global  preferred  valid (\d+) s  preferred (\d+) s" % MAC_IID, out)
    assert m, out
    assert 0 < int(m.group(2)) <= int(m.group(1)) <= 86400      # slirp's lifetimes
    assert re.search(r"router6 fe80::2  lifetime \d+ s", out), out
    out = g6.cmd("netstat")
    for port in (7, 8000, 55555):                     # one socket per service, both families
        assert re.search(r"tcp\s+\[::\]:%d\s+\[::\]:0\s+LISTEN" % port, out), out
    assert re.search(r"udp\s+\[::\]:7 ", out), out


@pytest.mark.parametrize("n", [0, 1460, 300000])
def test_fetch_ipv6_literal_is_byte_exact(g6, httpd6, n):
    url = "%s/file/%d" % (httpd6.base, n)
    httpd6.requests.clear()
    expect_body(fetch(g6, url)[url], body(n))
    # RFC 9110 7.2 / RFC 3986 3.2.2: the literal goes into Host in its brackets
    assert httpd6.requests[-1][1]["Host"] == "[fec0::2]:%d" % httpd6.server_address[1]
    assert all(p[0] == "::1" for p in httpd6.peers)   # it came over IPv6


def test_fetch_redirects_between_ipv6_urls(g6, httpd6):
    url = httpd6.base + "/redirect/5"          # relative, absolute-path and absolute Locations
    expect_body(fetch(g6, url)[url], body(777))


def test_crawl_ipv6_site(g6, httpd6):
    httpd6.pages = {
        "/v6/index.html": '<a href="a.html">a</a> <a href="%s/v6/b.html">b</a> <a href="/v6/c.html">c</a>'
                          % httpd6.base,
        "/v6/a.html": '<a href="index.html">back</a>',
        "/v6/b.html": '<p>none</p>',
        "/v6/c.html": '<a href="http://[fec0::2]:1/elsewhere">other port</a>',
    }
    out, pairs, (n, links, errors) = crawl(g6, "-d", "1", httpd6.base + "/v6/index.html")
    assert set(pairs[httpd6.base + "/v6/index.html"]) == {
        httpd6.base + "/v6/a.html", httpd6.base + "/v6/b.html", httpd6.base + "/v6/c.html"}, out
    assert pairs[httpd6.base + "/v6/c.html"] == {"http://[fec0::2]:1/elsewhere"}, out
    assert (n, errors) == (4, 0), out                # depth 1: the other port is not followed


@pytest.mark.parametrize("url", [
    "http://[fec0::2",                 # no closing bracket
    "http://[fec0::2]x/",              # something after it
    "http://[fe80::1%25en0]/",         # a zone ID (RFC 6874): refused, not ignored
    "http://[v1.fec0]/",               # IPvFuture
    "http://[1:2:3:4:5:6:7:8:9]/",     # nine groups
    "http://[1::2::3]/",               # two "::"
    "http://[12345::1]/",              # a five-digit group
    "http://[::1.2.3.256]/",           # a bad IPv4 tail
    "http://fec0::2/",                 # a literal without brackets
])
def test_bad_ipv6_literals_are_bad_urls_and_the_guest_still_serves(g6, httpd6, url):
    assert fetch(g6, url)[url]["error"] == "bad-url"
    ok = httpd6.base + "/file/100"
    expect_body(fetch(g6, ok)[ok], body(100))


def test_fetch_refused_over_ipv6(g6):
    url = "http://[fec0::2]:%d/" % free_port()      # nothing listens on ::1 there
    assert fetch(g6, url)[url]["error"] == "refused"


# --- the tap network: echo over IPv6, DNS names of either family ----------------------------

NAMES = {"v6only.test": ["fd77::1"], "v4only.test": ["10.77.0.1"], "both.test": ["10.77.0.1", "fd77::1"]}
HTTP_PORT = 8080


@pytest.fixture(params=BOARDS6, scope="module")
def t6(request):
    g = Guest(request.param, net="tap")
    build = os.path.join(ROOT, "build")
    procs = []
    try:
        # dnsmasq: router advertisements of fd77::/64 (A flag; RDNSS; O flag: stateless
        # DHCPv6), and DNS for NAMES only (no upstream)
        args = ["dnsmasq", "--keep-in-foreground", "--log-facility=-", "--conf-file=/dev/null",
                "--no-resolv", "--no-hosts", "--interface=tap0", "--bind-interfaces",
                "--pid-file=%s/dnsmasq-%s.pid" % (build, g.ns),
                "--dhcp-leasefile=%s/dnsmasq-%s.leases" % (build, g.ns),
                "--enable-ra", "--dhcp-range=::,constructor:tap0,ra-stateless"]
        args += ["--host-record=%s,%s" % (name, ",".join(addrs)) for name, addrs in NAMES.items()]
        procs.append(g.in_ns(args, stdout=subprocess.DEVNULL, stderr=open(
            os.path.join(build, "dnsmasq-%s.log" % g.ns), "w")))
        # an HTTP server on each of the namespace's addresses, same port: /whoami tells them
        # apart; and one on IPv4 only, at HTTP_PORT + 1
        for addr, port in (("10.77.0.1", HTTP_PORT), ("fd77::1", HTTP_PORT), ("10.77.0.1", HTTP_PORT + 1)):
            p = g.in_ns([PYTHON, os.path.join(ROOT, "tests", "qemu", "v6peer.py"), "serve", addr,
                         str(port)], stdout=subprocess.PIPE, text=True)
            procs.append(p)
            assert p.stdout.readline().strip() == "ready"
        out = wait_address(g, "fd77::")
        g.addr6 = "fd77::" + MAC_IID
        assert "inet6 %s/64  global  preferred" % g.addr6 in out, out
        g.baseline = g.settled_resources()
        yield g
    finally:
        for p in procs:
            p.terminate()
            p.wait(10)
        g.close()


def peer(g, *args):
    p = g.in_ns([PYTHON, os.path.join(ROOT, "tests", "qemu", "v6peer.py")] + [str(a) for a in args],
                stdout=subprocess.PIPE, text=True)
    out, _ = p.communicate(timeout=120)
    return json.loads(out)


@pytest.mark.parametrize("proto,n", [("tcp", 1), ("tcp", 200000), ("udp", 1), ("udp", 1400)])
def test_echo_over_ipv6_and_ipv4_on_one_socket(t6, proto, n):
    for addr in (t6.addr6, t6.addr):          # the same dual-stack socket answers both
        r = peer(t6, "echo", addr, 7, proto, n)
        assert r["ok"], (addr, r)
        assert r["peer"] == [addr, 7], r
    assert t6.wait_resources(t6.baseline) == t6.baseline


def test_dns_server_from_router_and_names_by_family(t6):
    out = t6.cmd("ifconfig")
    assert re.search(r"^  dns .*fd77::1", out, re.M), out       # RDNSS or DHCPv6
    assert re.search(r"router6 fe80::\S+  lifetime \d+ s", out), out
    who = {}
    for name in NAMES:
        url = "http://%s:%d/whoami" % (name, HTTP_PORT)
        r = fetch(t6, url)[url]
        assert r["error"] is None and r["status"] == 200, (url, r)
        who[name] = next(a for a in ("fd77::1", "10.77.0.1") if zlib.crc32(a.encode()) == r["crc"])
    # an AAAA-only name is reached over IPv6; with a preferred global IPv6 address the
    # client asks for AAAA first, so a name with both goes over IPv6 too
    assert who == {"v6only.test": "fd77::1", "v4only.test": "10.77.0.1", "both.test": "fd77::1"}
    url = "http://nosuch.test:%d/" % HTTP_PORT
    assert fetch(t6, url)[url]["error"] == "dns"


def test_name_falls_back_to_ipv4_when_ipv6_refuses(t6):
    """both.test on a port only the IPv4 address serves: the IPv6 connection is refused,
    and the client goes on to the name's A record (RFC 8305's fallback)."""
    url = "http://both.test:%d/whoami" % (HTTP_PORT + 1)
    r = fetch(t6, url)[url]
    assert r["error"] is None and r["crc"] == zlib.crc32(b"10.77.0.1"), r


def test_netstat_lists_an_ipv6_connection(t6):
    p = t6.in_ns([PYTHON, os.path.join(ROOT, "tests", "qemu", "v6peer.py"), "hold", t6.addr6, "7"],
                 stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        local = json.loads(p.stdout.readline())
        out = t6.cmd("netstat")
        assert re.search(r"tcp\s+\[%s\]:7\s+\[%s\]:%d\s+ESTABLISHED" % (t6.addr6, local[0], local[1]), out), out
    finally:
        p.stdin.close()
        p.wait(30)
    assert t6.wait_resources(t6.baseline) == t6.baseline


def test_status_page_over_ipv6(t6):
    # every board with IPv6 has the HTTP server (only the 64 KiB board leaves both out)
    assert has(t6.board, "HTTPD")
    p = t6.in_ns(["curl", "-sS", "-g", "--max-time", "30", "http://[%s]/api/net" % t6.addr6],
                 stdout=subprocess.PIPE, text=True)
    out, _ = p.communicate(timeout=60)
    net = json.loads(out)
    assert {"addr": t6.addr6, "scope": "global", "state": "preferred"} in net["netif"]["ip6"], net["netif"]
    assert any(e["remote"].startswith("[fd77::") and e["local"] == "[%s]:80" % t6.addr6
               for e in net["tcp_endpoints"]["list"]), net["tcp_endpoints"]


def test_ping_both_families(t6):
    """ICMPv6 echo (RFC 4443 4.1) and ICMP echo, answered by lwIP itself."""
    for addr in (t6.addr6, t6.addr):
        p = t6.in_ns(["ping", "-c", "3", "-i", "0.2", "-W", "5", "-s", "1000", addr],
                     stdout=subprocess.PIPE, text=True)
        out, _ = p.communicate(timeout=60)
        assert p.returncode == 0 and " 3 received" in out, out


@pytest.mark.parametrize("server", [
    "[fec0::2",                        # no closing bracket
    "[fec0::2]x",                      # something after it
    "[fec0::2]:",                      # no port
    "[fec0::2]:0",                     # port 0
    "[fec0::2]:65536",
    "[10.0.2.2]:123",                  # an IPv4 address in brackets
    "[]",
    "fec0::2::1",                      # two "::"
    "fec0:x::2",
])
def test_sntp_refuses_bad_ipv6_servers_and_keeps_serving(g6, server):
    out = g6.cmd("sntp " + server)
    assert "sntp: bad server '%s'" % server in out, out
    assert "sntp: off" in g6.cmd("sntp")
    assert "fib: 1 1 2 3 5 8 13 21 34 55" in g6.cmd("fib")


def test_sntp_sets_the_clock_from_an_ipv6_server(g6):
    """`sntp [fec0::2]:PORT`, an IPv6 literal in brackets as in a URL (RFC 3986 3.2.2):
    QEMU's user network answers at fec0::2 for the host's ::1, where the only server is."""
    srv = SNTPServer(time.time(), host="::1")
    try:
        assert "sntp: server [fec0::2]:123, no answer yet" in g6.cmd("sntp fec0::2")  # bare
        g6.cmd("sntp [fec0::2]:%d" % srv.port)
        out = sntp_answered(g6, int(time.time()))
        assert "sntp: server [fec0::2]:%d, answered" % srv.port in out, out
        assert srv.asked >= 1
    finally:
        g6.cmd("sntp off")
        srv.close()
