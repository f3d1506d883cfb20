"""The host side of the IPv6 tap tests, run inside the guest's network namespace
(`ip netns exec NS python3 v6peer.py ...`), where the guest's addresses are reachable.

  v6peer.py echo ADDR PORT tcp|udp NBYTES
      send NBYTES of deterministic data to the echo server at ADDR (either family) and
      print one JSON line: {"ok": bool, "sent": n, "got": n, "peer": [address, port]}
  v6peer.py hold ADDR PORT
      open a TCP connection, print its local [address, port] as JSON, keep it open until
      stdin closes
  v6peer.py serve ADDR PORT
      an HTTP server (tests/qemu/httpserver.py) on ADDR:PORT; prints "ready", serves
      until killed
"""
import json
import os
import random
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


def echo(addr, port, proto, n):
    data = random.Random(n).randbytes(n)
    family = socket.AF_INET6 if ":" in addr else socket.AF_INET
    got = b""
    if proto == "tcp":
        s = socket.create_connection((addr, port), timeout=20)
        peer = s.getpeername()[:2]
        s.sendall(data)
        s.shutdown(socket.SHUT_WR)
        while len(got) < n:
            piece = s.recv(65536)
            if not piece:
                break
            got += piece
        s.close()
    else:
        s = socket.socket(family, socket.SOCK_DGRAM)
        s.settimeout(2)
        for _ in range(5):                   # a datagram may be lost: ask again
            s.sendto(data, (addr, port))
            try:
                got, peer = s.recvfrom(65536)
                peer = peer[:2]
                break
            except socket.timeout:
                peer = None
        s.close()
    print(json.dumps({"ok": got == data, "sent": n, "got": len(got), "peer": peer}))


def hold(addr, port):
    s = socket.create_connection((addr, port), timeout=20)
    print(json.dumps(list(s.getsockname()[:2])), flush=True)
    sys.stdin.read()
    s.close()


def serve(addr, port):
    from httpserver import Server
    s = Server(port, addr)
    print("ready", flush=True)
    while True:
        time.sleep(3600)


if __name__ == "__main__":
    if sys.argv[1] == "echo":
        echo(sys.argv[2], int(sys.argv[3]), sys.argv[4], int(sys.argv[5]))
    elif sys.argv[1] == "hold":
        hold(sys.argv[2], int(sys.argv[3]))
    elif sys.argv[1] == "serve":
        serve(sys.argv[2], int(sys.argv[3]))
    else:
        sys.exit(__doc__)
