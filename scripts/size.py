#!/usr/bin/env python3
"""`make size`: flash and RAM an image needs, per board, from its ELF's sections.

    scripts/size.py [--top N] BOARD=ELF ...

flash   what must be stored: code, read-only data, and .data's initial values
ram     what is fixed at link time: .data, .bss and the boot stack (the idle task's)
heap    the heap region the linker leaves (qemu-x86 grows it to the end of RAM at boot,
        from the multiboot memory map); tasks' stacks, lwIP's memory and buffers come
        from here at run time, so `mem` in the shell shows what is used of it
--top N also lists each image's N largest RAM symbols, for sizing a small board. The host's
objdump and nm read every board's ELF (headers and symbols only).
"""
import subprocess
import sys

FLASH = (".text", ".rodata", ".ARM.exidx", ".data")
RAM = (".data", ".bss", ".stack")


def sections(elf):
    out = subprocess.run(["objdump", "-h", "-w", elf], check=True, capture_output=True,
                         text=True).stdout
    sec = {}
    for line in out.splitlines():
        f = line.split()
        if len(f) >= 7 and f[0].isdigit():
            sec[f[1]] = int(f[2], 16)
    return sec


def top_ram(elf, n):
    out = subprocess.run(["nm", "--size-sort", "-S", elf], check=True, capture_output=True,
                         text=True).stdout
    rows = [l.split() for l in out.splitlines()]
    rows = [(int(r[1], 16), r[3]) for r in rows if len(r) == 4 and r[2] in "bBdD"]
    return sorted(rows, reverse=True)[:n]


def main(argv):
    top = 0
    if argv[:1] == ["--top"]:
        top, argv = int(argv[1]), argv[2:]
    print("%-18s %10s %10s %12s" % ("board", "flash", "ram", "heap"))
    for arg in argv:
        board, elf = arg.split("=", 1)
        try:
            sec = sections(elf)
        except (OSError, subprocess.CalledProcessError) as e:
            sys.exit("size: cannot read %s: %s" % (elf, e))
        flash = sum(sec.get(s, 0) for s in FLASH) + sec.get(".multiboot", 0)
        ram = sum(sec.get(s, 0) for s in RAM)
        print("%-18s %10d %10d %12d" % (board, flash, ram, sec.get(".heap", 0)))
        for size, name in top_ram(elf, top):
            print("    %8d  %s" % (size, name))


if __name__ == "__main__":
    main(sys.argv[1:])
