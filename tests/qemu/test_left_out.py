"""What a board's image leaves out (the Makefile's NET_TLS, NET_GZIP and NET_HTTPD; the 64 KiB
qemu-lm3s6965evb turns all three off) fails with an error that names it, and the kernel goes
on serving. Run on the boards without the feature; the boards with it run test_https.py,
test_httpd.py and the gzip tests of test_fetch.py instead. (Gzip left out is checked there:
each coded body is error=bad-encoding.)"""
import socket
import threading

import pytest

from conftest import Guest, boards_without, free_port


def echo_once(g, data=b"still serving\n"):
    with socket.create_connection(("127.0.0.1", g.echo_port), timeout=30) as s:
        s.sendall(data)
        got = b""
        while len(got) < len(data):
            chunk = s.recv(100)
            if not chunk:
                break
            got += chunk
        return got == data


@pytest.mark.parametrize("board", boards_without("HTTPD"))
def test_without_the_http_server_nothing_answers_on_port_80_and_httpd_says_why(board):
    g = Guest(board)
    try:
        out = g.cmd("httpd")
        assert "httpd: not in this image (built with NET_HTTPD=0)" in out, out
        assert "usage" not in out and "port=" not in out
        listeners = [l for l in g.cmd("netstat").splitlines() if "LISTEN" in l]
        assert listeners and not any(":80 " in l for l in listeners), listeners
        # QEMU's forward takes the host side; the guest resets its SYN: no HTTP answer
        with socket.create_connection(("127.0.0.1", g.http_port), timeout=10) as s:
            s.settimeout(10)
            try:
                s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
                data = s.recv(100)
            except (ConnectionResetError, BrokenPipeError):
                data = b""
        assert data == b"", data
        assert echo_once(g)
        assert "unknown command" not in g.cmd("help")
    finally:
        g.close()


@pytest.mark.parametrize("board", boards_without("TLS"))
def test_without_tls_https_urls_fail_before_connecting_and_tls_says_why(board):
    """fetch and crawl of https:// end with error=no-tls before any DNS or TCP: a listener
    on the host's port sees no connection."""
    ls = socket.socket()
    ls.bind(("127.0.0.1", free_port()))
    ls.listen(4)
    ls.settimeout(0.5)
    port = ls.getsockname()[1]
    accepted = []

    def watch():
        while not stop:
            try:
                accepted.append(ls.accept()[0])
            except socket.timeout:
                pass
    stop = []
    t = threading.Thread(target=watch)
    t.start()
    g = Guest(board)
    try:
        assert "tls: not in this image (built with NET_TLS=0)" in g.cmd("tls")
        url = "https://10.0.2.2:%d/x" % port
        out = g.cmd("fetch %s" % url, timeout=60)
        assert "fetch: %s error=no-tls ms=" % url in out, out
        out = g.cmd("crawl %s" % url, timeout=60)
        assert "crawl: %s error=no-tls" % url in out, out
        assert "crawl: pages=0 links=0 errors=1" in out, out
        assert accepted == []
        # plain http:// to the same port still connects (the listener answers nothing:
        # the fetch times out, which is the point: it got there)
        out = g.cmd("fetch -t 1000 http://10.0.2.2:%d/x" % port, timeout=60)
        assert "error=timeout" in out, out
        assert len(accepted) == 1
        assert echo_once(g)
    finally:
        stop.append(1)
        t.join()
        for s in accepted:
            s.close()
        ls.close()
        g.close()


@pytest.mark.parametrize("board", boards_without("IPV6"))
def test_ipv4_only_image_says_no_ipv6_and_serves_ipv4(board):
    """NET_IPV6=0: an IPv6 literal is error=no-ipv6 (the URL itself is valid), sntp names
    an IPv6 server as such, ifconfig lists no inet6 address, the servers listen on 0.0.0.0, and echo still answers."""
    g = Guest(board)
    try:
        for url in ("http://[fec0::2]:%d/" % free_port(), "http://[::1]/x"):
            out = g.cmd("fetch " + url, timeout=60)
            assert "fetch: %s error=no-ipv6 ms=" % url in out, out
            out = g.cmd("crawl " + url, timeout=60)
            assert "crawl: %s error=no-ipv6" % url in out, out
        for server in ("[fec0::2]:123", "fec0::2"):      # sntp's IPv6 forms: named, refused
            out = g.cmd("sntp " + server)
            assert "sntp: '%s' is an IPv6 address; this image is IPv4-only" % server in out, out
        assert "sntp: off" in g.cmd("sntp")
        out = g.cmd("ifconfig")
        assert "inet 10.0.2.15" in out and "inet6" not in out and "router6" not in out, out
        assert "0.0.0.0:7 " in g.cmd("netstat")
        assert echo_once(g)
    finally:
        g.close()
