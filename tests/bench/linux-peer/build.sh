#!/usr/bin/env bash
# Build the Linux peer guest of `make bench-net` from Debian's packages into OUT:
#   vmlinuz      the linux-image-amd64 kernel (its dependency, the versioned image package)
#   initrd.gz    busybox-static, that kernel's own e1000 and virtio-net modules, epoll_echo
#                (static), init and /www/bench-1k.html (the page both guests serve to wrk),
#                and Debian's nginx with the shared libraries it links (under /opt/nginx,
#                run through their own ld.so; nginx.conf as /etc/nginx-bench.conf)
# The packages are downloaded with `apt-get download` and unpacked, never installed.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=${1:?usage: build.sh OUTDIR}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
[ -f "$OUT/initrd.gz" ] && [ -f "$OUT/vmlinuz" ] && [ "$OUT/initrd.gz" -nt "$HERE/init" ] \
    && [ "$OUT/initrd.gz" -nt "$HERE/build.sh" ] \
    && [ "$OUT/initrd.gz" -nt "$HERE/epoll_echo.c" ] \
    && [ "$OUT/initrd.gz" -nt "$HERE/nginx.conf" ] \
    && [ "$OUT/initrd.gz" -nt "$HERE/../../../apps/www/bench-1k.html" ] && exit 0
cd "$OUT"
img=$(apt-cache depends linux-image-amd64 | sed -n 's/.*Depends: \(linux-image-[0-9].*\)/\1/p' | head -n1)
[ -n "$img" ] || { echo "linux-peer: cannot resolve linux-image-amd64" >&2; exit 1; }
rm -rf pkg && mkdir pkg
(cd pkg && apt-get download -qq "$img" busybox-static 2>/dev/null)
mkdir pkg/ng
(cd pkg/ng && apt-get download -qq nginx libc6 libcrypt1 libpcre2-8-0 libssl3 zlib1g 2>/dev/null)
rm -rf root && mkdir -p root/bin root/proc root/sys root/dev root/www root/tmp
for d in pkg/*.deb; do dpkg-deb -x "$d" pkg/x; done
cp pkg/x/boot/vmlinuz-* vmlinuz
# the e1000 driver, and virtio-net's with what it depends on (BENCH_NIC=virtio), in the
# order /init loads them
mkdir -p root/modules
for m in e1000 virtio_ring virtio virtio_pci_legacy_dev virtio_pci_modern_dev virtio_pci \
         failover net_failover virtio_net; do
    ko=$(find pkg/x/lib/modules -name "$m.ko*" | head -n1)
    [ -n "$ko" ] || { echo "linux-peer: $img has no $m module" >&2; exit 1; }
    case "$ko" in
        *.xz) xz -dc "$ko" > "root/modules/$m.ko" ;;
        *.zst) zstd -dc "$ko" > "root/modules/$m.ko" ;;
        *) cp "$ko" "root/modules/$m.ko" ;;
    esac
    echo "$m" >> root/modules/order
done
cp pkg/x/bin/busybox root/bin/busybox
ln -s busybox root/bin/sh
gcc -O2 -static -o root/epoll_echo "$HERE/epoll_echo.c"
install -m 755 "$HERE/init" root/init
cp "$HERE/../../../apps/www/bench-1k.html" root/www/
# nginx and, following DT_NEEDED, every library it links, from the unpacked packages
for d in pkg/ng/*.deb; do dpkg-deb -x "$d" pkg/ngx; done
mkdir -p root/opt/nginx/lib root/etc
cp pkg/ngx/usr/sbin/nginx root/opt/nginx/nginx
cp "$(find pkg/ngx -name ld-linux-x86-64.so.2 -type f | head -n1)" root/opt/nginx/lib/
todo=root/opt/nginx/nginx
while [ -n "$todo" ]; do
    next=
    for f in $todo; do
        for lib in $(objdump -p "$f" | awk '/NEEDED/ {print $2}'); do
            [ -e "root/opt/nginx/lib/$lib" ] && continue
            src=$(find pkg/ngx/lib pkg/ngx/usr/lib -name "$lib" | head -n1)
            [ -n "$src" ] || { echo "linux-peer: no $lib for nginx" >&2; exit 1; }
            cp -L "$src" "root/opt/nginx/lib/$lib"
            next="$next root/opt/nginx/lib/$lib"
        done
    done
    todo=$next
done
cp "$HERE/nginx.conf" root/etc/nginx-bench.conf
echo "root:x:0:0:root:/:/bin/sh" > root/etc/passwd       # nginx's `user root root;`
echo "root:x:0:" > root/etc/group
(cd root && find . | cpio -o -H newc --quiet) | gzip -1 > initrd.gz
rm -rf pkg root
echo "linux-peer: $img, $(du -h initrd.gz | cut -f1) initrd in $OUT"
