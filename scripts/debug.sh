#!/usr/bin/env bash
# `make debug`: boot the board's kernel in QEMU stopped at its first instruction, with
# QEMU's gdb stub on 127.0.0.1:$GDB_PORT, and attach gdb-multiarch to it with the ELF's
# symbols. The guest's console goes to a TCP port (nc 127.0.0.1 $CONSOLE_PORT), gdb keeps
# the terminal. QEMU is stopped (by its pid) when gdb ends.
#
# GDB_BATCH=1: no terminal needed. gdb sets a hardware breakpoint at k_yield (a software
# one on x86 would be overwritten when QEMU's multiboot loader copies the image in) and
# continues; once the shell is up, the script types `bench 1` on the console (nothing
# yields by itself in an idle guest: tasks block), gdb stops in k_yield, prints the
# backtrace of the task that yielded, and kills the guest. The console is kept in
# $CONSOLE_LOG.
#
# usage: debug.sh ELF GDB_PORT CONSOLE_PORT CONSOLE_LOG QEMU-COMMAND...
set -euo pipefail
elf=$1 port=$2 cport=$3 log=$4
shift 4
command -v gdb-multiarch >/dev/null || { echo "debug: gdb-multiarch is missing (make deps installs it)" >&2; exit 1; }
"$@" -S -gdb "tcp:127.0.0.1:$port" -serial "tcp:127.0.0.1:$cport,server=on,wait=off" \
    -monitor none -display none </dev/null &
qemu=$!
trap 'kill $qemu 2>/dev/null || true' EXIT
# wait for the stub and the console to listen (QEMU may take a moment to start)
for _ in $(seq 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
    kill -0 $qemu 2>/dev/null || { echo "debug: QEMU ended before its gdb stub listened" >&2; exit 1; }
    sleep 0.1
done
if [ "${GDB_BATCH:-0}" != 1 ]; then
    echo "debug: QEMU waits at the first instruction; console: nc 127.0.0.1 $cport"
    gdb-multiarch -q "$elf" -ex "target remote 127.0.0.1:$port"
    exit 0
fi
exec 4<>"/dev/tcp/127.0.0.1/$cport"
cat <&4 > "$log" &
reader=$!
timeout "${GDB_TIMEOUT:-120}" gdb-multiarch -q -nx -batch "$elf" -ex "target remote 127.0.0.1:$port" \
    -ex "hbreak k_yield" -ex continue -ex bt -ex kill </dev/null &
gdb=$!
for _ in $(seq "$(( ${GDB_TIMEOUT:-120} * 10 ))"); do
    grep -q "shell ready" "$log" 2>/dev/null && break
    kill -0 $gdb 2>/dev/null || break
    sleep 0.1
done
printf 'bench 1\r' >&4
rc=0
wait $gdb || rc=$?
wait $qemu 2>/dev/null || true
exec 4<&-
wait $reader 2>/dev/null || true      # the console's last bytes, up to QEMU's close
echo "debug: guest stopped; its console is in $log"
exit $rc
