"""The build's configuration (no board booted): make variables become build/<board>/config.h,
rewritten only when a value changes, and a bad value stops the build with a clear message."""
import os
import shutil
import subprocess
import time

from conftest import BOARDS, ROOT

OUT = "build/cfgtest"


def make(*args):
    return subprocess.run(["make", "-s", "--no-print-directory", "BUILD=" + OUT] + list(args),
                          cwd=ROOT, capture_output=True, text=True)


def test_config_header_follows_make_variables_and_changes_only_with_them():
    shutil.rmtree(os.path.join(ROOT, OUT), ignore_errors=True)
    h = os.path.join(ROOT, OUT, "config.h")
    assert make("NET_DNS=10.9.9.9", OUT + "/config.h").returncode == 0
    text = open(h).read()
    assert '#define NET_DNS "10.9.9.9"' in text and "#define ECHO_PORT 7\n" in text
    assert '#define BOARD_NAME "qemu-x86"' in text
    before = os.stat(h).st_mtime_ns
    time.sleep(0.05)
    assert make("NET_DNS=10.9.9.9", OUT + "/config.h").returncode == 0
    assert os.stat(h).st_mtime_ns == before                  # same values: untouched
    assert make("NET_DNS=10.9.9.8", "ECHO_PORT=9", OUT + "/config.h").returncode == 0
    text = open(h).read()
    assert '#define NET_DNS "10.9.9.8"' in text and "#define ECHO_PORT 9\n" in text
    assert os.stat(h).st_mtime_ns > before
    # the build epoch has a header of its own (only wall.c reads it), with its own guard:
    # both are force-included into wall.c
    assert make(OUT + "/build_epoch.h").returncode == 0
    epoch = open(os.path.join(ROOT, OUT, "build_epoch.h")).read()
    assert "#define K_BUILD_EPOCH " in epoch
    guard = lambda t: [l for l in t.splitlines() if l.startswith("#ifndef")][0]
    assert guard(epoch) != guard(text)
    # a board's own values (board.mk) land there too
    assert make("BOARD=qemu-mps2-an385", OUT + "/config.h").returncode == 0
    assert "#define NET_TCP_WND_SEGMENTS 4\n" in open(h).read()


def test_every_object_depends_on_the_config_header():
    # make's own database (-p): each object of the image lists config.h as a prerequisite
    r = make("-p", "-q", OUT + "/kernel.elf")
    deps = {}
    for line in r.stdout.splitlines():
        if line.startswith(OUT + "/") and ".o:" in line and "%" not in line.partition(":")[0]:
            target, _, prereqs = line.partition(":")
            deps.setdefault(target, set()).update(prereqs.split())
    objs = [t for t in deps if t.endswith(".c.o") or t.endswith(".S.o")]
    for src in ("net/net.c", "apps/echo.c", "kernel/task.c", "net/http/server.c",
                "build/deps/lwip/src/core/tcp.c", "build/deps/mbedtls/library/ssl_tls.c"):
        assert OUT + "/" + src + ".o" in objs, src
    missing = [t for t in objs if OUT + "/config.h" not in deps[t]]
    assert len(objs) > 100 and not missing, missing[:5]


def test_bad_configuration_values_stop_the_build_with_a_message():
    r = make("NET_DHCP=yes", OUT + "/config.h")
    assert r.returncode != 0
    assert "config_h: NET_DHCP='yes' is not a number" in r.stderr
    r = make('NET_SNTP=a"b', OUT + "/config.h")
    assert r.returncode != 0 and "NET_SNTP: quotes" in r.stderr


def test_the_tests_take_the_board_list_from_make():
    out = subprocess.run(["make", "-s", "--no-print-directory", "print-boards"], cwd=ROOT,
                         capture_output=True, text=True, check=True).stdout.split()
    assert out == BOARDS and "qemu-x86" in out and "qemu-mps2-an385" in out


def test_size_lists_every_board_with_its_flash_and_ram():
    """`make size` (the images exist: test-qemu built them) has a row per board with flash
    and static RAM; --top lists RAM symbols, the biggest first."""
    r = subprocess.run(["make", "-s", "--no-print-directory", "size", "SIZE_TOP=3"], cwd=ROOT,
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0].split() == ["board", "flash", "ram", "heap"]
    rows = {l.split()[0]: [int(x) for x in l.split()[1:]] for l in lines[1:] if not l.startswith(" ")}
    assert list(rows) == BOARDS
    for board, (flash, ram, heap) in rows.items():
        assert 100_000 < flash < 4 << 20 and 10_000 < ram and heap >= 32 << 10, (board, rows)
    # the 64 KiB board: its image fits its 256 KiB of flash, and static RAM and the heap
    # are its SRAM (but the heap's 8-byte alignment)
    flash, ram, heap = rows["qemu-lm3s6965evb"]
    assert flash <= 256 << 10 and (64 << 10) - 8 <= ram + heap <= 64 << 10, rows["qemu-lm3s6965evb"]
    syms = [int(l.split()[0]) for l in lines if l.startswith("    ")]
    assert len(syms) == 3 * len(BOARDS) and syms[:3] == sorted(syms[:3], reverse=True)


def test_flash_without_a_probe_fails_with_openocds_own_message():
    """`make flash` on the EK-LM3S6965 runs openocd with its board file; with no board on
    USB, openocd's own error ends it and make fails. A board with no flash rule says so."""
    r = subprocess.run(["make", "--no-print-directory", "BOARD=qemu-lm3s6965evb", "flash"],
                       cwd=ROOT, capture_output=True, text=True, timeout=120)
    out = r.stdout + r.stderr
    assert r.returncode != 0, out
    assert "openocd -f board/ek-lm3s6965.cfg" in out and "kernel.bin 0x00000000" in out, out
    assert "Open On-Chip Debugger" in out, out
    assert ("no device found" in out or "unable to open ftdi device" in out
            or "OpenOCD init failed" in out), out
    assert "Verified OK" not in out and "Programming Finished" not in out, out
    r = subprocess.run(["make", "--no-print-directory", "BOARD=qemu-mps2-an385", "flash"],
                       cwd=ROOT, capture_output=True, text=True)
    assert r.returncode != 0 and "qemu-mps2-an385 is not programmed by this Makefile" in r.stderr
