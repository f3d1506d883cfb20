#!/usr/bin/env python3
"""Send malformed Ethernet frames to the guest on a tap device (run inside its namespace):
  inject_frames.py TAP GUEST_MAC GUEST_IP HOST_IP COUNT
COUNT of each kind: runts, oversize frames, IPv4 headers with a bad length field, bad IP
and TCP checksums, overlapping IP fragments, TCP SYNs with garbage options. Prints a JSON
line with how many of each were sent."""
import json
import random
import socket
import struct
import sys
import time

tap, gmac, gip, hip, count = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
rng = random.Random(11)
dst = bytes.fromhex(gmac.replace(":", ""))
src = bytes.fromhex("020000000001")
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind((tap, 0))


def csum(b):
    if len(b) % 2:
        b += b"\0"
    t = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while t >> 16:
        t = (t & 0xFFFF) + (t >> 16)
    return ~t & 0xFFFF


def ip(payload, proto=6, ihl=5, total=None, ident=1, frag=0, bad_csum=False, options=b""):
    total = total if total is not None else 4 * ihl + len(payload)
    h = struct.pack("!BBHHHBBH4s4s", 0x40 | ihl, 0, total, ident, frag, 64, proto, 0,
                    socket.inet_aton(hip), socket.inet_aton(gip)) + options
    c = csum(h[:20 + len(options)])
    if bad_csum:
        c ^= 0x5A5A
    return h[:10] + struct.pack("!H", c) + h[12:] + payload


def tcp(sport, dport, flags=0x02, opts=b"", data=b"", bad_csum=False):
    off = (20 + len(opts) + 3) // 4
    opts = opts + b"\0" * (4 * off - 20 - len(opts))
    h = struct.pack("!HHIIBBHHH", sport, dport, rng.randrange(1 << 32), 0, off << 4, flags, 65535, 0, 0) + opts
    pseudo = socket.inet_aton(hip) + socket.inet_aton(gip) + struct.pack("!BBH", 0, 6, len(h) + len(data))
    c = csum(pseudo + h + data)
    if bad_csum:
        c ^= 0x1234
    return h[:16] + struct.pack("!H", c) + h[18:] + data


def eth(payload, etype=0x0800):
    return dst + src + struct.pack("!H", etype) + payload


sent = {}


def send(kind, frame):
    # paced: QEMU's LAN9118 model drops what overflows its 10 KiB receive FIFO without
    # counting it (no RX_DROP in QEMU 7.2), which would make the counts below unreliable
    time.sleep(0.003)
    try:
        s.send(frame)
        sent[kind] = sent.get(kind, 0) + 1
    except OSError as e:
        sent[kind + "-" + e.__class__.__name__] = sent.get(kind + "-" + e.__class__.__name__, 0) + 1


for i in range(count):
    send("runt", dst + src + b"\x08\x00" + bytes(rng.randrange(0, 10)))
    # over 1518 bytes; under 2048, the largest frame QEMU's LAN9118 model passes on at all
    send("oversize", eth(bytes(rng.randrange(256) for _ in range(1600 + rng.randrange(400)))))
    t = tcp(40000 + i, 7)
    send("ip-ihl-short", eth(ip(t, ihl=rng.choice([0, 1, 4]))))
    send("ip-ihl-long", eth(ip(t, ihl=15)[:30]))
    send("ip-total-too-big", eth(ip(t, total=1500)))
    send("ip-total-too-small", eth(ip(t, total=10)))
    send("ip-bad-checksum", eth(ip(t, bad_csum=True)))
    send("tcp-bad-checksum", eth(ip(tcp(41000 + i, 7, bad_csum=True))))
    # overlapping fragments of one UDP datagram to the echo port
    body = struct.pack("!HHHH", 42000 + i, 7, 8 + 64, 0) + bytes(64)
    ident = 1000 + i
    send("frag-overlap", eth(ip(body[:48], proto=17, ident=ident, frag=0x2000 | 0)))
    send("frag-overlap", eth(ip(body[16:72], proto=17, ident=ident, frag=0x2000 | 2)))
    send("frag-overlap", eth(ip(body[40:], proto=17, ident=ident, frag=5)))
    # SYNs with garbage options: zero and overlong lengths, truncated MSS, random bytes
    for opts in (b"\x02\x00", b"\x02\x28\x05\xb4", b"\x03\x01", b"\x08\x0a\x00", b"\x02",
                 bytes(rng.randrange(256) for _ in range(rng.randrange(1, 40)))):
        send("tcp-garbage-options", eth(ip(tcp(43000 + i, 7, opts=opts))))
    send("arp-garbage", eth(bytes(rng.randrange(256) for _ in range(28)), etype=0x0806))
    send("unknown-ethertype", eth(bytes(46), etype=0x88B5))
print(json.dumps(sent), flush=True)
