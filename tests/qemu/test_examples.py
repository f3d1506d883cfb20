"""The seeds' programs, ported as shell commands, on each board: output checked against
what the Python originals print (or compute, for the crawler: Python's re + urljoin)."""
import os
import re
import socket
import threading
import time
import urllib.parse

import pytest

from conftest import free_port, has
from httpserver import Server


def lines(out):
    return [l for l in out.splitlines() if l.strip()]


def test_fib(ng):
    assert ng.cmd("fib").strip() == "fib: 1 1 2 3 5 8 13 21 34 55"   # gen_fib(10)
    assert ng.cmd("fib 1").strip() == "fib: 1"
    assert ng.cmd("fib 0").strip() == "fib:"
    assert "usage" in ng.cmd("fib 47")


def test_my_chain(ng):
    assert lines(ng.cmd("chain")) == ["chain: %s" % v for v in
                                      ("1", "2", "3", "Robin", "Jack", "4", "5", "6")] + \
        ["chain: returned 8 values"]


def test_countasync(ng):
    out = lines(ng.cmd("countasync"))
    assert out[:6] == ["One"] * 3 + ["Two"] * 3
    secs = float(re.match(r"countasync executed in (\d+\.\d+) seconds\.", out[6]).group(1))
    assert secs >= 1.0


def test_chained(ng):
    out = lines(ng.cmd("chained 9 6 3"))
    for n in (9, 6, 3):
        mine = [l for l in out if "(%d" % n in l or "result%d" % n in l]
        # each chain runs part1 then part2, in order, and reports the derived result
        assert mine[0].startswith("part1(%d) sleeping for" % n)
        assert "Returning part1(%d) == result%d-1." % (n, n) in mine
        assert mine.index("Returning part1(%d) == result%d-1." % (n, n)) < \
            [i for i, l in enumerate(mine) if l.startswith("part2(%d," % n)][0]
        assert "-->Chained result%d => result%d-2 derived from result%d-1" % (n, n, n) in " ".join(mine)
    assert out[-1].startswith("Program finished in")


def test_asyncq_every_item_consumed_once_and_reproducible(ng):
    def run():
        out = ng.cmd("asyncq -p 3 -c 4 -u 10", timeout=120)
        added = re.findall(r"^Producer \d+ added <([0-9a-f]{10})> to queue\.$", out, re.M)
        got = re.findall(r"^Consumer \d+ got element <([0-9a-f]{10})> in \d+ ms\.$", out, re.M)
        m = re.search(r"asyncq: produced=(\d+) consumed=(\d+)", out)
        return added, got, m
    added, got, m = run()
    assert added and sorted(added) == sorted(got) and len(set(added)) == len(added)
    assert int(m.group(1)) == int(m.group(2)) == len(added)
    again, _, _ = run()
    assert sorted(again) == sorted(added)          # random.seed(666): the same items
    assert "usage" in ng.cmd("asyncq -p 0")


def recv_line(s):
    data = b""
    while not data.endswith(b"\n"):
        chunk = s.recv(1)
        if not chunk:
            break
        data += chunk
    return data


def test_chat_lines_go_to_all_others(ng):
    cs = [socket.create_connection(("127.0.0.1", ng.chat_port), timeout=30) for _ in range(3)]
    try:
        time.sleep(0.5)
        cs[0].sendall(b"hello from zero\n")
        assert recv_line(cs[1]) == b"hello from zero\n"
        assert recv_line(cs[2]) == b"hello from zero\n"
        cs[2].sendall(b"and from two\n")
        assert recv_line(cs[0]) == b"and from two\n"
        assert recv_line(cs[1]) == b"and from two\n"
        cs[0].settimeout(0.5)
        with pytest.raises(socket.timeout):
            cs[0].recv(1)                       # a sender does not get its own line
        cs[1].sendall(b"logout\n")
        assert cs[1].recv(1) == b""              # session ended by the server
        m = re.search(r"chat accepted=(\d+) clients=(\d+) refused=0 lines=(\d+) dropped_slow=0",
                      ng.cmd("servers"))
        assert m and int(m.group(1)) >= 3 and int(m.group(3)) >= 4, m
    finally:
        for c in cs:
            c.close()


def test_selector_echo_many_clients_one_task(ng):
    """10 clients at once, 20 KB each, byte-exact. A board whose heap holds fewer (the
    64 KiB one) refuses the others at accept time with a reset, before any byte: such a
    client tries again, and the refusals must show in `servers`."""
    datas = [os.urandom(20000 + i) for i in range(10)]
    results, retried = [b""] * 10, []
    refused = lambda: int(re.search(r"selecho .*refused=(\d+)", ng.cmd("servers")).group(1))
    refused_before = refused()

    def client(i):
        for _ in range(60):
            s = socket.create_connection(("127.0.0.1", ng.select_port), timeout=30)
            got = bytearray()

            def reader():
                try:
                    while len(got) < len(datas[i]):
                        chunk = s.recv(65536)
                        if not chunk:
                            break
                        got.extend(chunk)
                except OSError:
                    pass
            t = threading.Thread(target=reader)
            t.start()
            try:
                s.sendall(datas[i])
            except OSError:
                pass
            t.join(60)
            s.close()
            if got:
                break
            retried.append(i)
            time.sleep(0.5)
        results[i] = bytes(got)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert results == datas
    assert "selecho" in ng.cmd("ps")            # one task served them all
    assert int(re.search(r"selecho accepted=(\d+)", ng.cmd("servers")).group(1)) >= 10
    if retried:
        assert refused() > refused_before, retried


def test_cancel_a_socket_wait(ng):
    out = ng.cmd("cancelwait")
    assert "cancelwait: ok" in out, out


PAGES = {
    "/site/index.html": (
        '<a href="page1.html">1</a> <a href="page1.html">dup</a> <a href="/site/sub/page2.html?x=1&amp;y=2">2</a>\n'
        '<a href="../up.html">up</a> <A HREF="upper.html">no</A> <a href=\'single.html\'>no</a>\n'
        '<a href="http://other.example/abs">abs</a> <a href="#frag">f</a> <a href="">self</a>\n'
        '<a href="broken\nacross.html">no</a> <link href="style.css" rel=x><a href="sub/./a/../b.html#t">\n'
        '<a href="mailto:me@example.org">m</a> <a href="//elsewhere/x">n</a> <a href="?q=1">q</a>\n'),
    "/site/page1.html": '<a href="index.html">back</a> <a href="page3.html">3</a>',
    "/site/sub/page2.html": '<p>no links</p>',
    "/site/page3.html": '<a href="page1.html">1</a>',
}


@pytest.fixture(scope="module")
def site():
    s = Server(free_port())
    s.pages = PAGES
    base = "http://10.0.2.2:%d" % s.server_address[1]
    yield s, base
    s.close()


def expected_links(base, path):
    html = PAGES[path]
    url = base + path
    return {urllib.parse.urljoin(url, l) for l in re.findall(r'href="(.*?)"', html)}


def crawl(g, *args):
    out = g.cmd("crawl " + " ".join(args), timeout=120)
    pairs = {}
    for l in out.splitlines():
        if "\t" in l:
            page, link = l.split("\t")
            pairs.setdefault(page, set()).add(link)
    summary = re.search(r"^crawl: pages=(\d+) links=(\d+) errors=(\d+) ms=\d+$", out, re.M)
    return out, pairs, tuple(int(x) for x in summary.groups())


def test_crawl_extracts_links_as_python_does(ng, site):
    _, base = site
    pages = [base + "/site/index.html", base + "/site/page1.html"]
    out, pairs, (n, links, errors) = crawl(ng, *pages)
    for p in pages:
        assert pairs[p] == expected_links(base, p[len(base):]), out
    assert (n, errors) == (2, 0)
    assert links == sum(len(v) for v in pairs.values())
    assert base + "/site/page3.html" not in pairs     # no depth: only the given pages


def test_crawl_reads_gzip_pages(ng, site):
    """The same page gzip-coded: the links come from the decoded body."""
    _, base = site
    page = base + "/site/index.html?gz"
    out, pairs, (n, links, errors) = crawl(ng, page)
    if not has(ng.board, "GZIP"):        # built without zlib's inflate: a clear error
        assert re.search(r"^crawl: %s error=bad-encoding$" % re.escape(page), out, re.M), out
        assert (n, errors) == (0, 1), out
        return
    html = PAGES["/site/index.html"]
    assert pairs[page] == {urllib.parse.urljoin(page, l) for l in re.findall(r'href="(.*?)"', html)}, out
    assert (n, errors) == (1, 0)


def test_crawl_depth_stays_on_given_hosts(ng, site):
    _, base = site
    out, pairs, (n, links, errors) = crawl(ng, "-d", "2", base + "/site/index.html")
    # level 1: page1, sub/page2, up.html (404), sub/b.html (404), index?q=1 ...; level 2: page3
    assert base + "/site/page3.html" in pairs
    assert not any("other.example" in p or "elsewhere" in p for p in pairs)
    assert errors > 0 and "error=status-404" in out


def test_crawl_errors(ng, site):
    _, base = site
    out, pairs, (n, links, errors) = crawl(ng, base + "/nothing-here", "http://10.0.2.2:%d/" % free_port())
    assert (n, links, errors) == (0, 0, 2)
    assert "error=status-404" in out and "error=refused" in out
    assert "usage" in ng.cmd("crawl")


def test_crawl_keeps_connections_per_host(ng, site):
    """-c 1: every page of the one host over one persistent connection."""
    srv, base = site
    srv.peers.clear()
    out, pairs, (n, links, errors) = crawl(ng, "-c", "1", "-d", "2", base + "/site/index.html")
    m = re.search(r"^crawl: connections opened=(\d+) reused=(\d+) retried=(\d+) stale=(\d+) ", out, re.M)
    assert m, out
    opened, reused = int(m.group(1)), int(m.group(2))
    assert opened == 1 and reused == n + errors - 1, out
    assert len(srv.peers) == 1, srv.peers
