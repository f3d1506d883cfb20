#!/usr/bin/env bash
# A network namespace with a tap device for a guest: the host side of `make run NET=tap`,
# the tap tests and `make bench-net`. Traffic stays inside the namespace.
#   netns.sh up   NS [TAP] [ADDR/PREFIX] [ADDR6/PREFIX]
#                 create NS (if missing) with TAP up at ADDR (IPv4) and ADDR6 (IPv6,
#                 fd77::1/64 by default: a unique local prefix, RFC 4193; routers
#                 advertise it to the guest only when a test or bench starts one there)
#   netns.sh down NS                       delete NS and everything in it
# Needs root (ip netns, /dev/net/tun).
set -euo pipefail
cmd=${1:-}; ns=${2:-}
[ -n "$cmd" ] && [ -n "$ns" ] || { echo "usage: $0 up|down NS [TAP] [ADDR/PREFIX]" >&2; exit 2; }
SUDO=
[ "$(id -u)" = 0 ] || SUDO=sudo
case "$cmd" in
up)
    tap=${3:-tap0}; addr=${4:-10.77.0.1/24}; addr6=${5:-fd77::1/64}
    if ! ip netns list 2>/dev/null | grep -qw "^$ns"; then
        $SUDO ip netns add "$ns"
    fi
    nsx() { $SUDO ip netns exec "$ns" "$@"; }
    nsx ip link set lo up
    if ! nsx ip link show "$tap" >/dev/null 2>&1; then
        nsx ip tuntap add dev "$tap" mode tap
        nsx ip addr add "$addr" dev "$tap"
        # nodad: usable at once, before QEMU opens the tap and its carrier comes up
        nsx ip -6 addr add "$addr6" dev "$tap" nodad
    fi
    # The tap's queue holds what the host sends while QEMU is not reading (its NIC's ring is
    # full); at the default 1000 frames a line sent on 10,000 connections at once overflows
    # it and the host's TCP retransmits after 200 ms and more.
    nsx ip link set "$tap" txqueuelen 32768 up
    # many connections from one host address: use every local port
    nsx sysctl -q -w net.ipv4.ip_local_port_range="1024 65000" || true
    ;;
down)
    if ip netns list 2>/dev/null | grep -qw "^$ns"; then
        $SUDO ip netns del "$ns"
    fi
    ;;
*)
    echo "usage: $0 up|down NS [TAP] [ADDR/PREFIX]" >&2; exit 2 ;;
esac
