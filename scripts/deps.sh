#!/usr/bin/env bash
# Install everything the build and the tests need, from Debian's packages only.
# Idempotent: installs only what is missing; builds third-party code once into build/deps/.
#   - Debian packages (toolchains, QEMU, cmocka, valgrind, pytest, pexpect, clang for libFuzzer)
#   - lwIP source (apt-get source lwip) -> build/deps/lwip
#   - mbedTLS and zlib sources (apt-get source mbedtls zlib) -> build/deps/mbedtls, zlib
#   - newlib for i386 and aarch64, built from Debian's newlib-source
#     -> build/deps/newlib-i386, build/deps/newlib-aarch64
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
DEPS=${DEPS:-$ROOT/build/deps}
mkdir -p "$DEPS"

# gcc-12-multilib, not gcc-multilib: Debian's gcc-multilib conflicts with every cross gcc
# (gcc-aarch64-linux-gnu here) for the sake of /usr/include/asm, which nothing here includes.
PKGS="gcc-12-multilib gcc-arm-none-eabi gcc-aarch64-linux-gnu libnewlib-arm-none-eabi newlib-source
      qemu-system-x86 qemu-system-arm libcmocka-dev valgrind python3-pytest python3-pexpect
      dpkg-dev xz-utils netcat-openbsd iproute2 cpio zstd clang libclang-rt-dev
      ca-certificates openssl nginx curl wrk chromium gdb-multiarch
      grub-pc-bin grub-common xorriso mtools openocd dnsmasq-base iputils-ping
      python3-matplotlib"

SUDO=
[ "$(id -u)" = 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive

updated=
apt_update() { [ -n "$updated" ] || { $SUDO apt-get update -qq; updated=1; }; }

missing=
for p in $PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $p"
done
if [ -n "$missing" ]; then
    echo "deps: installing$missing"
    apt_update
    # Packages with a service (nginx, a test server here) must not start it on install:
    # the tests run their own instances on loopback. policy-rc.d says so to invoke-rc.d.
    policy=
    if [ ! -e /usr/sbin/policy-rc.d ]; then
        printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
        $SUDO chmod +x /usr/sbin/policy-rc.d
        policy=1
    fi
    $SUDO apt-get install -y -qq --no-install-recommends $missing
    [ -z "$policy" ] || $SUDO rm -f /usr/sbin/policy-rc.d
fi

# --- lwIP source package --------------------------------------------------------------
# Source entries are derived from the machine's own apt configuration: every enabled
# binary ("deb") entry gets a "deb-src" twin, written to one file of ours.
enable_deb_src() {
    local out=/etc/apt/sources.list.d/zz-kernel-deps-src.sources
    [ -f "$out" ] && return 0
    local tmp
    tmp=$(mktemp)
    # deb822 files: copy each stanza whose Types has "deb" and not "deb-src".
    for f in /etc/apt/sources.list.d/*.sources; do
        [ -f "$f" ] || continue
        [ "$f" = "$out" ] && continue
        awk 'BEGIN{RS=""; ORS="\n\n"}
             { if ($0 ~ /(^|\n)Types:[^\n]*deb([ \t]|\n|$)/ && $0 !~ /deb-src/ && $0 !~ /(^|\n)Enabled:[ \t]*no/) {
                 sub(/(^|\n)Types:[^\n]*/, "\nTypes: deb-src"); sub(/^\n/, ""); print } }' "$f" >> "$tmp"
    done
    # one-line format
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
        [ -f "$f" ] || continue
        grep -E '^[[:space:]]*deb[[:space:]]' "$f" | sed -E 's/^[[:space:]]*deb[[:space:]]/deb-src /' >> "$tmp.list" || true
    done
    if [ -s "$tmp" ]; then $SUDO cp "$tmp" "$out"; fi
    if [ -s "$tmp.list" ]; then $SUDO cp "$tmp.list" "${out%.sources}.list"; fi
    rm -f "$tmp" "$tmp.list"
    updated=
}

# One Debian source package into $DEPS/<dir>, unpacked with Debian's patches applied and
# used untouched; check is a file that must be in it.
source_package() {
    local pkg=$1 dir=$2 check=$3 src
    [ -f "$DEPS/$dir/$check" ] && return 0
    if ! apt-cache showsrc "$pkg" 2>/dev/null | grep -q "^Package: $pkg\$"; then
        enable_deb_src
        apt_update
    fi
    rm -rf "$DEPS/$dir-src" && mkdir -p "$DEPS/$dir-src"
    # A mirror can list a source version (a security update) without holding its files
    # (404): then take the newest listed version it does hold, and say which.
    if ! (cd "$DEPS/$dir-src" && apt-get source -qq "$pkg"); then
        local v got=
        for v in $(apt-cache showsrc "$pkg" | awk -v p="$pkg" '/^Package:/{ok = ($2 == p)} ok && /^Version:/{print $2}' |
                   sort -u | sort -rV); do
            rm -rf "$DEPS/$dir-src" && mkdir -p "$DEPS/$dir-src"
            if (cd "$DEPS/$dir-src" && apt-get source -qq "$pkg=$v"); then
                echo "deps: $pkg: the newest source version could not be fetched; using $v" >&2
                got=1
                break
            fi
        done
        [ -n "$got" ] || { echo "deps: no source version of $pkg could be fetched" >&2; exit 1; }
    fi
    src=$(find "$DEPS/$dir-src" -mindepth 1 -maxdepth 1 -type d | head -n1)
    [ -f "$src/$check" ] || { echo "deps: $pkg source has no $check" >&2; exit 1; }
    rm -rf "$DEPS/$dir" && mv "$src" "$DEPS/$dir"
    rm -rf "$DEPS/$dir-src"
    echo "deps: $(basename "$src") in $DEPS/$dir"
}

source_package lwip lwip src/Filelists.mk
source_package mbedtls mbedtls library/ssl_tls.c
source_package zlib zlib inflate.c

# --- newlib for i386 and aarch64 (Debian packages newlib for arm-none-eabi only) --------
for arch in i386 aarch64; do
    if [ ! -f "$DEPS/newlib-$arch/lib/libc.a" ]; then
        "$ROOT/scripts/build-newlib.sh" "$DEPS" $arch
    fi
done
