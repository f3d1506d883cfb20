"""`fetch` on each board against real servers on the host (reached from the guest as
10.0.2.2 through QEMU's user network). Lengths and CRC-32s are computed on the host."""
import re
import time
import zlib

import pytest

from conftest import PROMPT, board_info, free_port, has
from httpserver import Server, SilentServer, body, coded, text

LINE = re.compile(r"^fetch: (\S+) (?:status=(\d+) bytes=(\d+) crc32=([0-9a-f]{8}) wire=\d+|error=(\S+)) ms=(\d+)$", re.M)


@pytest.fixture(scope="module")
def httpd():
    s = Server(free_port())
    s.base = "http://10.0.2.2:%d" % s.server_address[1]
    yield s
    s.close()


def fetch(g, *args, timeout=120):
    out = g.cmd("fetch " + " ".join(args), timeout=timeout)
    results = {}
    for m in LINE.finditer(out):
        url, status, nbytes, crc, err, ms = m.groups()
        wire = re.search(r" wire=(\d+) ", m.group(0))
        results[url] = dict(status=int(status) if status else None,
                            bytes=int(nbytes) if nbytes else None,
                            crc=int(crc, 16) if crc else None, error=err,
                            wire=int(wire.group(1)) if wire else None)
    urls = [a for a in args if a.startswith("http")]
    assert set(results) == set(urls), out
    return results


def refuses_codings(g, *urls):
    """On a board built without gzip (NET_GZIP=0: no zlib inflate), True after checking that
    coded bodies are each a clear error (bad-encoding: it asked for identity only) and that
    the kernel still fetches; False on a board that decodes them (the caller's test runs)."""
    if has(g.board, "GZIP"):
        return False
    got = fetch(g, *urls)
    for url in urls:
        assert got[url]["error"] == "bad-encoding", (url, got[url])
    plain = urls[0].split("/", 3)
    plain = "/".join(plain[:3]) + "/file/1000"
    expect_body(fetch(g, plain)[plain], body(1000))
    return True


def expect_body(r, data, status=200, wire=None):
    """wire: the body's length as received (default: len(data), an identity body)."""
    assert r["error"] is None, r
    assert r["status"] == status
    assert r["bytes"] == len(data)
    assert r["crc"] == zlib.crc32(data)
    assert r["wire"] == (len(data) if wire is None else wire), r


@pytest.mark.parametrize("n", [0, 1, 1460, 100000, 1 << 20])
def test_fetch_content_length_bodies(ng, httpd, n):
    url = "%s/file/%d" % (httpd.base, n)
    expect_body(fetch(ng, url)[url], body(n))


def test_fetch_sends_the_required_headers(ng, httpd):
    url = "%s/file/10?x=1&y=2" % httpd.base
    fetch(ng, url)
    path, headers = httpd.requests[-1]
    assert path == "/file/10?x=1&y=2"
    assert headers["Host"] == url.split("/")[2]
    assert "Connection" not in headers       # HTTP/1.1: persistent unless said (RFC 9112 9.3)
    if has(ng.board, "GZIP"):
        assert headers["Accept-Encoding"] == "gzip, deflate"
    else:                                    # built without zlib's inflate: identity only
        assert "Accept-Encoding" not in headers
    assert headers["User-Agent"].startswith("kernel-http/")


def test_fetch_chunked_and_close_delimited(ng, httpd):
    a, b = "%s/chunked/250000" % httpd.base, "%s/close/70000" % httpd.base
    r = fetch(ng, a, b)
    expect_body(r[a], body(250000))
    expect_body(r[b], body(70000))


def test_fetch_redirect_chain_of_every_kind(ng, httpd):
    url = "%s/redirect/5" % httpd.base          # 5 hops: 301..308, three Location forms
    expect_body(fetch(ng, url)[url], body(777))


def test_fetch_too_many_redirects_and_loops(ng, httpd):
    many, loop, noloc = ("%s/redirect/6" % httpd.base, "%s/loop/a" % httpd.base,
                         "%s/nolocation" % httpd.base)
    r = fetch(ng, many, loop, noloc)
    assert r[many]["error"] == "too-many-redirects"
    assert r[loop]["error"] == "redirect-loop"
    # a 302 without Location is a final response
    expect_body(r[noloc], b"where?", status=302)


def test_fetch_404_is_a_response(ng, httpd):
    url = "%s/notfound" % httpd.base
    expect_body(fetch(ng, url)[url], b"no such page\n", status=404)


def test_fetch_malformed_responses(ng, httpd):
    urls = {k: "%s/%s" % (httpd.base, k)
            for k in ("badstatus", "longheader", "badchunk", "shortbody", "nullength", "tecomma")}
    r = fetch(ng, *urls.values())
    assert r[urls["nullength"]]["error"] == "bad-header"       # NUL in a field value
    expect_body(r[urls["tecomma"]], b"hello")                   # "chunked, ": still chunked
    assert r[urls["badstatus"]]["error"] == "bad-status-line"
    assert r[urls["longheader"]]["error"] == "header-too-long"
    assert r[urls["badchunk"]]["error"] == "bad-chunk-size"
    assert r[urls["shortbody"]]["error"] == "closed-early"


def test_fetch_body_limit(ng, httpd):
    url = "%s/file/50000" % httpd.base
    assert fetch(ng, "-l", "40000", url)[url]["error"] == "body-too-large"
    expect_body(fetch(ng, "-l", "50000", url)[url], body(50000))


def test_fetch_connection_refused(ng):
    url = "http://10.0.2.2:%d/" % free_port()
    assert fetch(ng, url)[url]["error"] == "refused"


def test_fetch_server_that_never_answers_times_out(ng):
    silent = SilentServer(free_port())
    try:
        url = "http://10.0.2.2:%d/" % silent.sock.getsockname()[1]
        assert fetch(ng, "-t", "2000", url)[url]["error"] == "timeout"
    finally:
        silent.close()


def test_ctrl_c_cancels_a_running_fetch(ng):
    """Ctrl-C while fetch waits: every fetch ends with error=cancelled (not timeout), the
    shell comes back at once, and no fetch task or socket is left behind."""
    silent = SilentServer(free_port())
    try:
        urls = ["http://10.0.2.2:%d/%d" % (silent.sock.getsockname()[1], i) for i in range(3)]
        line = "fetch -t 60000 " + " ".join(urls)
        ng.p.send(line + "\r")
        ng.p.expect(re.escape(line) + r"\r*\n")
        # all three connected, each waiting for a response; on a board that fetches fewer
        # at once (FETCH_PARALLEL) the others wait their turn and end cancelled unstarted
        running = min(3, int(board_info(ng.board)["FETCH_PARALLEL"]))
        deadline = time.monotonic() + 20
        while len(silent.conns) < running and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(0.3)
        assert len(silent.conns) == running
        t0 = time.monotonic()
        ng.p.send("\x03")
        ng.p.expect(PROMPT, timeout=10)
        out = ng.p.before.replace("\r", "")
        assert time.monotonic() - t0 < 5, out
        errors = {m.group(1): m.group(5) for m in LINE.finditer(out)}
        assert errors == {u: "cancelled" for u in urls}, out
        assert "^C: interrupted" in out
        assert "fetch" not in ng.cmd("ps")
        # the interrupt is not left pending for the next command
        assert "error=timeout" in ng.cmd("fetch -t 500 " + urls[0])
    finally:
        silent.close()      # its FIN ends our FIN_WAIT_2; then `ng` checks the baseline


def test_fetch_bad_urls_and_usage(ng):
    r = fetch(ng, "http://", "http://h:99999/")
    assert r["http://"]["error"] == "bad-url" and r["http://h:99999/"]["error"] == "bad-url"
    assert "usage" in ng.cmd("fetch")
    assert "usage" in ng.cmd("fetch -x 1 http://10.0.2.2/")
    assert "usage" in ng.cmd("fetch -t")


def test_fetch_is_concurrent(ng, httpd):
    # each /barrier/K answers only when K requests wait at once: 4, or as many as the board
    # fetches at once (FETCH_PARALLEL; the 64 KiB board: 2)
    k = min(4, int(board_info(ng.board)["FETCH_PARALLEL"]))
    assert k >= 2
    urls = ["%s/barrier/%d?i=%d" % (httpd.base, k, i) for i in range(k)]
    httpd.waiting = 0
    r = fetch(ng, *urls)
    for u in urls:
        expect_body(r[u], body(100 + k))


SITE = {"/site/a.html": '<a href="b.html">b</a> <a href="c.html">c</a> <a href="/file/3000">f</a>',
        "/site/b.html": '<a href="a.html">a</a>', "/site/c.html": '<p>none</p>'}


def test_heap_exhaustion_during_fetch_and_crawl_is_an_error(guest, httpd):
    """With the heap capped at what is in use plus 0 to 48 KiB, fetch and crawl end each
    URL with a result that is either exact or an error (no-memory, or a timeout while the
    frames wait in the NIC for buffers): never a wrong body, a silent loss or a crash. With
    the cap lifted, everything comes back and works (issue 8: heap exhaustion)."""
    g = guest
    httpd.pages = SITE
    base = g.settled_resources()
    st = g.cmd("mem")
    peak = int(re.search(r"peak=(\d+)", st).group(1))
    total = int(re.search(r"total=(\d+)", st).group(1))    # the 64 KiB board: about 51 KiB
    big, small = httpd.base + "/file/1048576", httpd.base + "/file/5000"
    errors = set()
    for extra in (0, 8192, 16384, 24576, 32768, 49152):
        cap = min(peak + extra, total)
        assert "heap: total=%d" % cap in g.cmd("mem -l %d" % cap)
        out = g.cmd("fetch -t 3000 %s %s" % (big, small), timeout=60)
        if "fetch: out of memory" in out:                 # not even its job table
            errors.add("no-memory")
        else:
            got = {m.group(1): m for m in LINE.finditer(out)}
            assert set(got) == {big, small}, out
            for url, m in got.items():
                if m.group(5):
                    assert m.group(5) in ("no-memory", "timeout"), out
                    errors.add(m.group(5))
                else:
                    n = int(url.rsplit("/", 1)[1])
                    assert (int(m.group(3)), int(m.group(4), 16)) == (n, zlib.crc32(body(n))), out
        out = g.cmd("crawl -t 3000 -d 1 %s/site/a.html" % httpd.base, timeout=60)
        summary = re.search(r"^crawl: pages=(\d+) links=(\d+) errors=(\d+) ms=\d+$", out, re.M)
        assert summary, out
        pages, errs = int(summary.group(1)), int(summary.group(3))
        failed = re.findall(r"^crawl: (\S+) error=(\S+)$", out, re.M)
        assert len(failed) == errs, out                  # every error said, with its URL
        assert {e for _, e in failed} <= {"no-memory", "timeout"}, out
        errors |= {e for _, e in failed}
        assert pages + errs in (1, 4), out               # a.html alone, or it and its 3 links
        g.cmd("mem -l 0")
        assert "idle" in g.cmd("ps")                     # the shell still answers
    assert "no-memory" in errors
    assert g.wait_resources(base, timeout=60) == base
    expect_body(fetch(g, big)[big], body(1 << 20))


@pytest.mark.parametrize("kind", ["gzip", "deflate", "rawdeflate"])
@pytest.mark.parametrize("n", [0, 5000, 300000])
def test_fetch_decodes_gzip_and_deflate(ng, httpd, kind, n):
    """Accept-Encoding: gzip, deflate; the body is decoded while it streams: bytes= and
    crc32= are of the decoded body, wire= the coded length (deflate: zlib format, and the
    raw deflate some servers send)."""
    url = "%s/%s/%d" % (httpd.base, kind, n)
    if refuses_codings(ng, url):
        return
    expect_body(fetch(ng, url)[url], text(n), wire=len(coded(kind, text(n))))


def test_fetch_decodes_chunked_gzip_and_coding_lists(ng, httpd):
    n = 200000
    urls = {"%s/gzip/%d?chunked" % (httpd.base, n): "gzip",
            "%s/deflate/%d?chunked" % (httpd.base, n): "deflate",
            "%s/gzip/%d?coding=x-gzip" % (httpd.base, n): "gzip",
            "%s/gzip/%d?coding=identity,gzip" % (httpd.base, n): "gzip"}
    if refuses_codings(ng, *urls):
        return
    got = fetch(ng, *urls)
    for url, kind in urls.items():
        expect_body(got[url], text(n), wire=len(coded(kind, text(n))))


def test_fetch_bad_gzip_and_unknown_codings_are_errors(ng, httpd):
    b = httpd.base
    urls = {b + "/gzip/100000?bad": "bad-gzip",          # CRC-32 trailer wrong
            b + "/deflate/100000?bad": "bad-gzip",       # Adler-32 trailer wrong
            b + "/gzip/100000?cut": "bad-gzip",          # trailer missing
            b + "/gzip/100000?chunked&cut": "bad-gzip",
            b + "/gzip/1000?coding=br": "bad-encoding",  # not asked for
            b + "/gzip/1000?coding=gzip,gzip": "bad-encoding"}
    names = list(urls)
    if refuses_codings(ng, *names[:3]) and refuses_codings(ng, *names[3:]):
        return
    got = dict(fetch(ng, *names[:3]), **fetch(ng, *names[3:]))    # a shell line is short
    for url, err in urls.items():
        assert got[url]["error"] == err, (url, got[url])
    ok = b + "/gzip/10"
    expect_body(fetch(ng, ok)[ok], text(10), wire=len(coded("gzip", text(10))))


def test_fetch_limit_applies_to_the_decoded_body(ng, httpd):
    """A small compressed bomb (64 MiB of zeros in 64 KiB) stops at -l's decoded size."""
    bomb = httpd.base + "/bomb/64"
    if refuses_codings(ng, bomb):
        return
    r = fetch(ng, "-l", "1000000", bomb)[bomb]
    assert r["error"] == "body-too-large", r
    small = httpd.base + "/bomb/2"
    expect_body(fetch(ng, small)[small], bytes(2 << 20), wire=len(coded("gzip", bytes(2 << 20))))


def connections(out):
    m = re.search(r"^fetch: connections opened=(\d+) reused=(\d+) retried=(\d+) stale=(\d+) "
                  r"\(at most (\d+) per host\)$", out, re.M)
    assert m, out
    return tuple(int(x) for x in m.groups())


def test_fetch_reuses_connections_per_host(ng, httpd):
    """-c 1: four URLs of one host go one after another over one persistent connection
    (HTTP/1.1 keep-alive), each byte-exact; the server saw one connection."""
    httpd.peers.clear()
    urls = ["%s/file/%d" % (httpd.base, n) for n in (1000, 30000, 0, 200000)]
    out = ng.cmd("fetch -c 1 " + " ".join(urls), timeout=120)
    for u in urls:
        m = [x for x in LINE.finditer(out) if x.group(1) == u]
        assert m and m[0].group(5) is None, out
        n = int(u.rsplit("/", 1)[1])
        assert (int(m[0].group(3)), int(m[0].group(4), 16)) == (n, zlib.crc32(body(n))), out
    assert connections(out) == (1, 3, 0, 0, 1), out
    assert len(httpd.peers) == 1, httpd.peers


def test_fetch_handles_servers_that_close_or_say_close(ng, httpd):
    """A server that drops the connection after each answer without saying so: the next
    request notices (the idle connection reads as closed) or fails before any byte and is
    sent again on a new one. "Connection: close" is obeyed: no reuse."""
    urls = ["%s/once/%d" % (httpd.base, n) for n in (100, 200, 300)]
    out = ng.cmd("fetch -c 1 " + " ".join(urls), timeout=120)
    got = {m.group(1): m for m in LINE.finditer(out)}
    for u in urls:
        n = int(u.rsplit("/", 1)[1])
        assert got[u].group(5) is None and int(got[u].group(3)) == n, out
    # every answer came on a new connection; every reuse met a closed one before any byte
    # and was sent again; the idle connection the first answer left was taken next, and
    # found closed either when taken (stale) or when used (retried). How the other two
    # requests share out depends on when the server's FINs arrive.
    opened, reused, retried, stale, _ = connections(out)
    assert opened == 3 and reused == retried and stale + retried >= 1, out
    urls = ["%s/closehdr/%d" % (httpd.base, n) for n in (100, 200, 300)]
    out = ng.cmd("fetch -c 1 " + " ".join(urls), timeout=120)
    assert len([m for m in LINE.finditer(out) if m.group(5) is None]) == 3, out
    assert connections(out)[:4] == (3, 0, 0, 0), out
    assert "usage" in ng.cmd("fetch -c 0 " + urls[0])
