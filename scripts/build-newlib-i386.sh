#!/usr/bin/env bash
# Build newlib for bare-metal i386 from Debian's newlib-source package, using the host gcc
# in 32-bit freestanding mode through small i686-elf-* wrappers (no cross toolchain needed).
# Output: $1/newlib-i386/{include,lib/libc.a,lib/libm.a}. Runs once; deps.sh checks for libc.a.
set -euo pipefail
DEPS=$1
TARBALL=$(ls /usr/src/newlib/newlib-*.tar.* 2>/dev/null | head -n1)
[ -n "$TARBALL" ] || { echo "newlib: no tarball in /usr/src/newlib (package newlib-source)" >&2; exit 1; }
WORK=$DEPS/newlib-i386-build
PREFIX=$DEPS/newlib-i386
rm -rf "$WORK" && mkdir -p "$WORK/bin" "$WORK/obj"
echo "deps: building newlib for i386 from $(basename "$TARBALL") (once, a few minutes)"
tar -C "$WORK" -xf "$TARBALL"
SRC=$(find "$WORK" -mindepth 1 -maxdepth 1 -type d -name 'newlib-*' | head -n1)

# The host gcc defines __linux__ and __unix__; newlib would then pick its Linux ABI.
FLAGS="-m32 -march=i686 -ffreestanding -fno-pie -fno-pic -fno-stack-protector -fcf-protection=none
       -U__linux__ -U__linux -Ulinux -U__gnu_linux__ -U__unix__ -U__unix -Uunix"
w() { printf '#!/bin/sh\nexec %s "$@"\n' "$(echo $2)" > "$WORK/bin/i686-elf-$1"; chmod +x "$WORK/bin/i686-elf-$1"; }
w gcc "gcc $FLAGS"
w cc "gcc $FLAGS"
w as "as --32"
w ld "ld -m elf_i386"
for t in ar ranlib nm objcopy objdump strip readelf; do w $t $t; done
export PATH=$WORK/bin:$PATH

cd "$WORK/obj"
"$SRC/configure" --target=i686-elf --prefix="$WORK/install" \
    --disable-multilib --disable-newlib-supplied-syscalls --enable-newlib-nano-malloc \
    --disable-nls --disable-libgloss \
    CC_FOR_TARGET=i686-elf-gcc AS_FOR_TARGET=i686-elf-as LD_FOR_TARGET=i686-elf-ld \
    AR_FOR_TARGET=i686-elf-ar RANLIB_FOR_TARGET=i686-elf-ranlib NM_FOR_TARGET=i686-elf-nm \
    CFLAGS_FOR_TARGET="-O2 -g" > configure.log 2>&1 || { tail -30 configure.log; exit 1; }
make -j"$(nproc)" all-target-newlib > build.log 2>&1 || { tail -40 build.log; exit 1; }
make install-target-newlib > install.log 2>&1 || { tail -40 install.log; exit 1; }
rm -rf "$PREFIX" && mkdir -p "$PREFIX"
cp -r "$WORK/install/i686-elf/include" "$PREFIX/include"
mkdir -p "$PREFIX/lib" && cp "$WORK/install/i686-elf/lib/libc.a" "$WORK/install/i686-elf/lib/libm.a" "$PREFIX/lib/"
rm -rf "$WORK"
echo "deps: newlib for i386 in $PREFIX"
