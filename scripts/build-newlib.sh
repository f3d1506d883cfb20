#!/usr/bin/env bash
# Build newlib for a bare-metal target from Debian's newlib-source package, with a Debian
# compiler in freestanding mode behind small <triple>-* wrappers (no *-elf toolchain needed):
#   i386     the host gcc with -m32 (gcc-12-multilib)      -> $DEPS/newlib-i386
#   aarch64  aarch64-linux-gnu-gcc (gcc-aarch64-linux-gnu) -> $DEPS/newlib-aarch64
# Output: {include,lib/libc.a,lib/libm.a} under that directory. Runs once; deps.sh checks for
# libc.a. Usage: build-newlib.sh DEPS_DIR TARGET
set -euo pipefail
DEPS=$1
ARCH=${2:-i386}
TARBALL=$(ls /usr/src/newlib/newlib-*.tar.* 2>/dev/null | head -n1)
[ -n "$TARBALL" ] || { echo "newlib: no tarball in /usr/src/newlib (package newlib-source)" >&2; exit 1; }
# The Debian compilers define __linux__ and __unix__; newlib would then pick its Linux ABI.
NOTLINUX="-ffreestanding -fno-pie -fno-pic -fno-stack-protector
          -U__linux__ -U__linux -Ulinux -U__gnu_linux__ -U__unix__ -U__unix -Uunix"
case $ARCH in
i386)
    TRIPLE=i686-elf; TOOL=""; FLAGS="-m32 -march=i686 -fcf-protection=none $NOTLINUX"
    AS="as --32"; LD="ld -m elf_i386" ;;
aarch64)
    TRIPLE=aarch64-elf; TOOL=aarch64-linux-gnu-; FLAGS="-mcpu=cortex-a53 $NOTLINUX"
    AS="${TOOL}as"; LD="${TOOL}ld" ;;
*)  echo "newlib: unknown target '$ARCH' (i386 or aarch64)" >&2; exit 1 ;;
esac
WORK=$DEPS/newlib-$ARCH-build
PREFIX=$DEPS/newlib-$ARCH
rm -rf "$WORK" && mkdir -p "$WORK/bin" "$WORK/obj"
echo "deps: building newlib for $ARCH from $(basename "$TARBALL") (once, a few minutes)"
tar -C "$WORK" -xf "$TARBALL"
SRC=$(find "$WORK" -mindepth 1 -maxdepth 1 -type d -name 'newlib-*' | head -n1)

w() { printf '#!/bin/sh\nexec %s "$@"\n' "$(echo $2)" > "$WORK/bin/$TRIPLE-$1"; chmod +x "$WORK/bin/$TRIPLE-$1"; }
w gcc "${TOOL}gcc $FLAGS"
w cc "${TOOL}gcc $FLAGS"
w as "$AS"
w ld "$LD"
for t in ar ranlib nm objcopy objdump strip readelf; do w $t ${TOOL}$t; done
export PATH=$WORK/bin:$PATH

cd "$WORK/obj"
"$SRC/configure" --target=$TRIPLE --prefix="$WORK/install" \
    --disable-multilib --disable-newlib-supplied-syscalls --enable-newlib-nano-malloc \
    --disable-nls --disable-libgloss \
    CC_FOR_TARGET=$TRIPLE-gcc AS_FOR_TARGET=$TRIPLE-as LD_FOR_TARGET=$TRIPLE-ld \
    AR_FOR_TARGET=$TRIPLE-ar RANLIB_FOR_TARGET=$TRIPLE-ranlib NM_FOR_TARGET=$TRIPLE-nm \
    CFLAGS_FOR_TARGET="-O2 -g" > configure.log 2>&1 || { tail -30 configure.log; exit 1; }
make -j"$(nproc)" all-target-newlib > build.log 2>&1 || { tail -40 build.log; exit 1; }
make install-target-newlib > install.log 2>&1 || { tail -40 install.log; exit 1; }
rm -rf "$PREFIX" && mkdir -p "$PREFIX"
cp -r "$WORK/install/$TRIPLE/include" "$PREFIX/include"
mkdir -p "$PREFIX/lib" && cp "$WORK/install/$TRIPLE/lib/libc.a" "$WORK/install/$TRIPLE/lib/libm.a" "$PREFIX/lib/"
rm -rf "$WORK"
echo "deps: newlib for $ARCH in $PREFIX"
