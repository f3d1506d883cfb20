"""A host HTTP server for the fetch tests (Python's http.server), with the responses the
client must handle: sized, chunked and close-delimited bodies, redirect chains, loops, 404,
and malformed answers. Bodies are deterministic so the test can compute length and CRC-32.
"""
import gzip
import http.server
import random
import socket
import threading
import time
import zlib


def body(n, seed=0):
    return random.Random(n * 7919 + seed).randbytes(n)


def text(n):
    """n bytes that compress (HTML-like lines), deterministic."""
    rng = random.Random(n)
    words = [b"<p>", b"kernel", b"task", b"yield", b"</p>", b"lwip", b"pbuf", b"\n", b"netif"]
    out = bytearray()
    while len(out) < n:
        out += rng.choice(words) + b" "
    return bytes(out[:n])


def coded(kind, data):
    """data as a gzip / zlib ("deflate") / raw deflate body."""
    if kind == "gzip":
        return gzip.compress(data, mtime=0)
    if kind == "deflate":
        return zlib.compress(data)
    c = zlib.compressobj(wbits=-15)
    return c.compress(data) + c.flush()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "test-httpd"

    def log_message(self, *args):
        pass

    def raw(self, data):
        self.wfile.write(data)
        self.wfile.flush()
        self.close_connection = True

    def send(self, status, data, headers=()):
        self.send_response(status)
        self.send_header("Content-Length", str(len(data)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        self.server.requests.append((self.path, dict(self.headers)))
        self.server.peers.add(self.client_address)
        parts = self.path.split("?")[0].strip("/").split("/")
        kind, arg = parts[0], parts[1] if len(parts) > 1 else ""
        pages = getattr(self.server, "pages", {})
        if self.path.split("?")[0] in pages:
            page = pages[self.path.split("?")[0]].encode()
            if self.path.endswith("?gz"):                  # the page gzip-coded
                return self.send(200, coded("gzip", page), [("Content-Encoding", "gzip")])
            return self.send(200, page)
        if kind == "file":
            self.send(200, body(int(arg)))
        elif kind in ("gzip", "deflate", "rawdeflate"):
            # /gzip/N: text(N) gzip-coded (also deflate, raw deflate); ?chunked: sent in
            # chunks; ?bad: one byte of the check value changed (not for raw deflate);
            # ?cut: the last 8 bytes missing; ?coding=X: that Content-Encoding value
            q = self.path.partition("?")[2]
            data = coded(kind, text(int(arg)))
            if "bad" in q:             # a byte of the check value: gzip's CRC-32, zlib's Adler-32
                i = len(data) - (5 if kind == "gzip" else 1)
                data = data[:i] + bytes([data[i] ^ 0x40]) + data[i + 1:]
            if "cut" in q:
                data = data[:-8]
            coding = dict(p.split("=", 1) for p in q.split("&") if "=" in p).get(
                "coding", "deflate" if kind == "rawdeflate" else kind)
            if "chunked" in q:
                self.send_response(200)
                self.send_header("Content-Encoding", coding)
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                for i in range(0, len(data), 777):
                    piece = data[i:i + 777]
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
                self.wfile.write(b"0\r\n\r\n")
            else:
                self.send(200, data, [("Content-Encoding", coding)])
        elif kind == "bomb":
            # /bomb/N: N MiB of zeros, gzip-coded (about 1 KiB per MiB on the wire)
            self.send(200, gzip.compress(bytes(int(arg) << 20), mtime=0),
                      [("Content-Encoding", "gzip")])
        elif kind == "chunked":
            data = body(int(arg))
            rng = random.Random(len(data))
            self.send_response(200)
            self.send_header("Transfer-Encoding", "chunked")
            self.send_header("Trailer", "X-Sum")
            self.end_headers()
            i = 0
            while i < len(data):
                n = rng.randint(1, 3000)
                piece = data[i:i + n]
                ext = ";ext=%d;q=\"v\"" % i if rng.random() < 0.5 else ""
                self.wfile.write(b"%x%s\r\n%s\r\n" % (len(piece), ext.encode(), piece))
                i += n
            self.wfile.write(b"0\r\nX-Sum: 1\r\n\r\n")
        elif kind == "close":
            self.raw(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n" + body(int(arg)))
        elif kind == "redirect":
            # /redirect/K: K more hops; statuses cycle through every redirect code and the
            # Location forms cycle through relative, absolute-path and absolute URL.
            k = int(arg)
            if k == 0:
                return self.send(200, body(777))
            status = (301, 302, 303, 307, 308)[k % 5]
            host = self.headers["Host"]
            loc = ("%d" % (k - 1), "/redirect/%d" % (k - 1), "http://%s/redirect/%d" % (host, k - 1))[k % 3]
            self.send(status, b"moved", [("Location", loc)])
        elif kind == "once":
            # /once/N: answer, then close the connection without saying so (an idle
            # connection the server drops)
            self.send(200, body(int(arg)))
            self.wfile.flush()
            self.close_connection = True
        elif kind == "closehdr":
            # /closehdr/N: "Connection: close" on a sized body
            self.send(200, body(int(arg)), [("Connection", "close")])
            self.close_connection = True
        elif kind == "goto":
            # /goto?URL: a 301 to URL (for http:// to https://)
            self.send(301, b"moved", [("Location", self.path.partition("?")[2])])
        elif kind == "loop":
            self.send(302, b"", [("Location", "/loop/" + ("b" if arg == "a" else "a"))])
        elif kind == "nolocation":
            self.send(302, b"where?")
        elif kind == "whoami":
            # the address this server listens on: tells which family a name resolved to
            self.send(200, self.server.server_address[0].encode())
        elif kind == "notfound":
            self.send(404, b"no such page\n")
        elif kind == "badstatus":
            self.raw(b"HTPT/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi")
        elif kind == "longheader":
            self.raw(b"HTTP/1.1 200 OK\r\nX-Big: " + b"a" * 5000 + b"\r\nContent-Length: 2\r\n\r\nhi")
        elif kind == "nullength":
            self.raw(b"HTTP/1.1 200 OK\r\nContent-Length: 5\x00 99\r\n\r\nhello")
        elif kind == "tecomma":
            self.raw(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, \r\nConnection: close\r\n\r\n"
                     b"5\r\nhello\r\n0\r\n\r\n")
        elif kind == "badchunk":
            self.raw(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\nzz\r\nxx\r\n0\r\n\r\n")
        elif kind == "shortbody":
            self.raw(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\nonly this")
        elif kind == "barrier":
            # answer only once `arg` requests wait here at the same time: proves the
            # client fetches concurrently (a sequential client gets 504s)
            n = int(arg)
            with self.server.cond:
                self.server.waiting += 1
                self.server.cond.notify_all()
                ok = self.server.cond.wait_for(lambda: self.server.waiting >= n, timeout=15)
            self.send(200 if ok else 504, body(100 + n))
        else:
            self.send(404, b"?")


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, port, host="127.0.0.1"):
        if ":" in host:                 # an IPv6 address: IPv6 only (IPV6_V6ONLY, Linux's default for a specific address)
            self.address_family = socket.AF_INET6
        super().__init__((host, port), Handler)
        self.requests = []
        self.peers = set()          # (address, port) of every connection that sent a request
        self.cond = threading.Condition()
        self.waiting = 0
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.shutdown()
        self.server_close()


class SilentServer:
    """Accepts connections and never answers."""

    def __init__(self, port):
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", port))
        self.sock.listen(8)
        self.conns = []
        self.stop = False
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        self.sock.settimeout(0.2)
        while not self.stop:
            try:
                self.conns.append(self.sock.accept()[0])
            except (socket.timeout, OSError):
                pass

    def close(self):
        self.stop = True
        self.thread.join()
        for c in self.conns:
            c.close()
        self.sock.close()


class TLSServer(Server):
    """Server over TLS: cert and key are PEM files; minimum is an ssl.TLSVersion."""

    def __init__(self, port, cert, key, minimum=None):
        import ssl
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(cert, key)
        if minimum:
            ctx.minimum_version = minimum
        http.server.ThreadingHTTPServer.__init__(self, ("127.0.0.1", port), Handler,
                                                 bind_and_activate=False)
        self.socket = ctx.wrap_socket(self.socket, server_side=True,
                                      do_handshake_on_connect=False)
        self.server_bind()
        self.server_activate()
        self.requests = []
        self.peers = set()
        self.cond = threading.Condition()
        self.waiting = 0
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)
        self.thread.start()

    def finish_request(self, request, client_address):
        try:
            request.settimeout(30)
            request.do_handshake()       # in the request's thread, not the accept loop
        except OSError:
            return
        super().finish_request(request, client_address)
