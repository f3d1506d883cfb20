"""fetch and crawl over https:// on each board: TLS 1.2 (mbedTLS) against Python's ssl
servers and Debian's nginx on the host, with a CA and server certificates made by openssl for the test
(tests/qemu/pki.py) and given to the guest with `tls ca-add`. Bodies are byte-exact (plain,
chunked, gzip), each certificate fault has its own error name, -k says what it skips, and
http:// redirects to https:// are followed. A board built without TLS (NET_TLS=0) runs
test_left_out.py instead."""
import os
import re
import shutil
import ssl
import subprocess
import time
import urllib.parse
import zlib

import pytest

from conftest import PROMPT, ROOT, Guest, boards_with, free_port
from httpserver import Server, TLSServer, body, coded, text
import pki

LINE = re.compile(r"^fetch: (\S+) (?:status=(\d+) bytes=(\d+) crc32=([0-9a-f]{8}) wire=(\d+)|error=(\S+)) ms=(\d+)$", re.M)
SITE = {"/site/a.html": '<a href="b.html">b</a> <a href="/site/c.html?x=1">c</a> <a href="#top">t</a>',
        "/site/b.html": '<a href="a.html">a</a> <a href="//elsewhere/x">e</a>',
        "/site/c.html": '<p>no links</p>'}


@pytest.fixture(scope="module")
def servers():
    d = os.path.join(ROOT, "build", "tls-test-%d" % os.getpid())
    certs = pki.make(d)
    s = {name: TLSServer(free_port(), cert, key) for name, (cert, key) in certs.items()}
    s["tls13only"] = TLSServer(free_port(), *certs["good"], minimum=ssl.TLSVersion.TLSv1_3)
    s["plain"] = Server(free_port())
    for v in s.values():
        v.pages = SITE
    base = {n: "%s://10.0.2.2:%d" % ("http" if n == "plain" else "https", v.server_address[1])
            for n, v in s.items()}
    yield base, os.path.join(d, "ca.pem")
    for v in s.values():
        v.close()


@pytest.fixture(params=boards_with("TLS"), scope="module")
def tg(request, servers):
    """A guest that trusts the test CA, with its resources settled after TLS started (the
    trust store, parsed once, stays)."""
    _, ca = servers
    g = Guest(request.param)
    g.add_ca(ca)
    g.baseline = g.settled_resources()
    yield g
    g.close()


@pytest.fixture
def t(tg):
    yield tg
    assert tg.wait_resources(tg.baseline) == tg.baseline


def fetch(g, *args):
    out = g.cmd("fetch " + " ".join(args), timeout=180)
    res = {m.group(1): m for m in LINE.finditer(out)}
    assert set(res) == {a for a in args if "://" in a}, out
    return out, res


def exact(m, data, wire=None):
    assert m.group(6) is None, m.group(0)
    assert (int(m.group(2)), int(m.group(3)), int(m.group(4), 16)) == (200, len(data), zlib.crc32(data)), m.group(0)
    assert int(m.group(5)) == (len(data) if wire is None else wire), m.group(0)


def test_https_bodies_are_byte_exact(t, servers):
    """Two or three HTTPS fetches at once (the M3 included): sized, chunked and gzip bodies."""
    good = servers[0]["good"]
    _, r = fetch(t, good + "/file/300000", good + "/chunked/100000", good + "/file/0")
    exact(r[good + "/file/300000"], body(300000))
    exact(r[good + "/chunked/100000"], body(100000))
    exact(r[good + "/file/0"], b"")
    _, r = fetch(t, good + "/gzip/300000", good + "/gzip/200000?chunked")
    exact(r[good + "/gzip/300000"], text(300000), wire=len(coded("gzip", text(300000))))
    exact(r[good + "/gzip/200000?chunked"], text(200000), wire=len(coded("gzip", text(200000))))


def test_certificate_and_handshake_errors_have_names(t, servers):
    base = servers[0]
    want = {base["wrongname"] + "/file/10": "cert-name",
            base["expired"] + "/file/10": "cert-expired",
            base["unknownca"] + "/file/10": "cert-untrusted"}
    _, r = fetch(t, *want)
    for url, err in want.items():
        assert r[url].group(6) == err, r[url].group(0)
    # TLS 1.3 only: the server refuses our TLS 1.2 hello with an alert; and a plain HTTP
    # server answers the hello with text, which is no handshake
    alert, plain = base["tls13only"] + "/file/10", "https" + base["plain"][4:] + "/file/10"
    _, r = fetch(t, alert, plain)
    assert r[alert].group(6) == "tls-alert", r[alert].group(0)
    assert r[plain].group(6) == "tls-handshake", r[plain].group(0)
    # -k fetches from the unknown CA, and says that it did not check
    out, r = fetch(t, "-k", base["unknownca"] + "/file/5000")
    assert "fetch: -k: https:// certificates are NOT checked" in out
    exact(r[base["unknownca"] + "/file/5000"], body(5000))


def test_redirect_from_http_to_https(t, servers):
    base = servers[0]
    target = base["good"] + "/gzip/5000"
    url = base["plain"] + "/goto?" + target
    _, r = fetch(t, url)
    exact(r[url], text(5000), wire=len(coded("gzip", text(5000))))


def test_crawl_over_https_finds_the_links_plain_http_finds(t, servers):
    base = servers[0]

    def crawl(root):
        out = t.cmd("crawl -d 1 %s/site/a.html" % root, timeout=120)
        pairs = {tuple(l.split("\t")) for l in out.splitlines() if "\t" in l}
        assert re.search(r"^crawl: pages=3 links=\d+ errors=0 ms=\d+$", out, re.M), out
        # the same links, the page's own origin as R; "//host/x" takes the page's scheme
        return {(p.replace(root, "R"), l.replace(root, "R").replace("https://", "http://"))
                for p, l in pairs}

    assert crawl(base["good"]) == crawl(base["plain"])


def test_tls_command(t):
    out = t.cmd("tls")
    m = re.search(r"trust store (\d+) certificates", out)
    assert m and int(m.group(1)) >= 1, out
    assert re.search(r"heap held by mbedTLS \d+ bytes now, \d+ at most", out), out
    assert re.search(r"clock (rtc|build) \(\d+\)", out), out
    assert "usage: tls [ca-add]" in t.cmd("tls sideways")
    t.p.send("tls ca-add\r")
    t.p.expect("paste the PEM")
    for line in ("-----BEGIN CERTIFICATE-----", "bm90IGEgY2VydGlmaWNhdGU=", "-----END CERTIFICATE-----"):
        t.p.send(line + "\r")
    t.prompt()
    assert "tls: not a certificate we can use" in t.p.before, t.p.before
    assert "idle" in t.cmd("ps")


def test_https_connections_are_reused(t, servers):
    """Keep-alive over TLS: one handshake for three URLs of one origin (-c 1)."""
    good = servers[0]["good"]
    urls = [good + "/file/%d" % n for n in (100, 20000, 300)]
    out, r = fetch(t, "-c", "1", *urls)
    for u in urls:
        exact(r[u], body(int(u.rsplit("/", 1)[1])))
    assert re.search(r"^fetch: connections opened=1 reused=2 retried=0 stale=0 ", out, re.M), out


NGINX_CONF = """
worker_processes 1;
error_log {d}/error.log;
pid {d}/nginx.pid;
events {{ worker_connections 64; }}
http {{
    access_log off;
    client_body_temp_path {d}/tmp;
    proxy_temp_path {d}/tmp;
    fastcgi_temp_path {d}/tmp;
    uwsgi_temp_path {d}/tmp;
    scgi_temp_path {d}/tmp;
    types {{ text/html html; application/octet-stream bin; }}
    gzip on;
    gzip_types *;
    gzip_min_length 0;
    server {{
        listen 127.0.0.1:{tls} ssl;
        ssl_certificate {cert};
        ssl_certificate_key {key};
        root {d}/www;
        location /plain/ {{ gzip off; }}
    }}
    server {{
        listen 127.0.0.1:{http};
        root {d}/www;
        location /plain/ {{ gzip off; }}
    }}
}}
"""


@pytest.fixture(scope="module")
def nginx(servers):
    """nginx (Debian's) on loopback, over TLS and plain, with `gzip on; gzip_types *;` (it
    then sends gzip bodies chunked) and a location with gzip off."""
    exe = shutil.which("nginx") or "/usr/sbin/nginx"
    d = os.path.join(ROOT, "build", "nginx-test-%d" % os.getpid())
    os.makedirs(os.path.join(d, "www", "plain"), exist_ok=True)
    os.makedirs(os.path.join(d, "tmp"), exist_ok=True)
    files = {"page.html": text(300000), "data.bin": body(200000), "plain/page.html": text(100000)}
    for name, data in files.items():
        with open(os.path.join(d, "www", name), "wb") as f:
            f.write(data)
    os.chmod(d, 0o755)
    cert_dir = os.path.dirname(servers[1])
    ports = {"tls": free_port(), "http": free_port()}
    with open(os.path.join(d, "nginx.conf"), "w") as f:
        f.write(NGINX_CONF.format(d=d, cert=os.path.join(cert_dir, "good.pem"),
                                  key=os.path.join(cert_dir, "good.key"), **ports))
    p = subprocess.Popen([exe, "-p", d, "-c", os.path.join(d, "nginx.conf"), "-g", "daemon off; user root;"],
                         stderr=subprocess.PIPE)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            import socket
            socket.create_connection(("127.0.0.1", ports["http"]), timeout=1).close()
            break
        except OSError:
            time.sleep(0.1)
    yield {"https": "https://10.0.2.2:%d" % ports["tls"], "http": "http://10.0.2.2:%d" % ports["http"]}, files
    p.terminate()
    p.wait(10)


def test_nginx_gzip_and_plain_over_https_and_http(t, nginx):
    """Real-world server: nginx's gzip (chunked) and identity bodies, over https and http,
    decoded byte-exact; wire= shows what was compressed."""
    base, files = nginx
    for scheme in ("https", "http"):
        urls = {base[scheme] + "/" + name: data for name, data in files.items()}
        _, r = fetch(t, *urls)
        for url, data in urls.items():
            m = r[url]
            assert m.group(6) is None, m.group(0)
            assert (int(m.group(3)), int(m.group(4), 16)) == (len(data), zlib.crc32(data)), m.group(0)
            wire = int(m.group(5))
            if "plain/" in url:
                assert wire == len(data), m.group(0)          # gzip off there
            elif url.endswith(".html"):
                assert wire < len(data) // 3, m.group(0)      # text compresses


class SNTPServer:
    """Answers every SNTP request (RFC 4330 mode 3) with a chosen time, on host's address
    (IPv4, or IPv6 if it has a colon)."""

    def __init__(self, epoch_s, host="127.0.0.1"):
        import socket
        import threading
        self.epoch_s = epoch_s
        self.sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET,
                                  socket.SOCK_DGRAM)
        self.sock.bind((host, 0))
        self.port = self.sock.getsockname()[1]
        self.asked = 0
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self):
        import struct
        while True:
            try:
                data, addr = self.sock.recvfrom(512)
            except OSError:
                return
            if len(data) < 48 or data[0] & 7 != 3:
                continue
            self.asked += 1
            secs = (int(self.epoch_s) + 2208988800) % (1 << 32)   # from 1900; 2036 wraps (era 1)
            reply = bytes([0x24, 1, 0, 0]) + bytes(20) + data[40:48] + struct.pack(">II", secs, 0) * 2
            self.sock.sendto(reply, addr)

    def close(self):
        self.sock.close()


def sntp_answered(g, epoch_s, timeout=40):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        out = g.cmd("sntp")
        m = re.search(r"answered \((\d+)\); clock sntp", out)
        if m and abs(int(m.group(1)) - epoch_s) < 60:
            return out
        time.sleep(1)
    raise AssertionError("no SNTP answer: " + out)


@pytest.mark.parametrize("board", boards_with("TLS"))
def test_sntp_sets_the_clock_that_judges_certificates(board, servers):
    """`sntp` sets the wall clock (lwIP's SNTP app): told it is 2040, the guest finds the
    good certificate expired; told the true time again, it accepts it."""
    base, ca = servers
    good = base["good"] + "/file/10"
    g = Guest(board)
    future = SNTPServer(2208988800)                      # 2040-01-01
    now = SNTPServer(time.time())
    try:
        g.add_ca(ca)
        assert "sntp: off" in g.cmd("sntp")
        assert "sntp: bad server" in g.cmd("sntp 10.0.2.2:99999")
        assert fetch(g, good)[1][good].group(6) is None
        g.cmd("sntp 10.0.2.2:%d" % future.port)
        sntp_answered(g, 2208988800)
        assert "clock sntp (22089" in g.cmd("tls")
        assert fetch(g, good)[1][good].group(6) == "cert-expired"
        g.cmd("sntp 10.0.2.2:%d" % now.port)
        sntp_answered(g, int(time.time()))
        assert fetch(g, good)[1][good].group(6) is None
        assert "sntp: off" in g.cmd("sntp off")
    finally:
        future.close()
        now.close()
        g.close()
