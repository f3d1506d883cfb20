# QEMU `pc` (i386), booted through multiboot with -kernel; newlib built for i386 by `make deps`.
ARCH := i386
# what the tests and benchmarks need to know (`make print-board`): the short name in
# benchmark keys, an FPU whose state each context keeps, the connections test_c10k holds
BOARD_KEY := x86
BOARD_FPU := 1
TEST_CONNS := 2000
CC := gcc
SIZE := size
NEWLIB := $(DEPS)/newlib-i386
BOARD_CFLAGS := -m32 -march=i686 -ffreestanding -fno-pie -fno-pic -fno-stack-protector \
                -fcf-protection=none -fno-asynchronous-unwind-tables \
                -U__linux__ -U__linux -Ulinux -U__gnu_linux__ -U__unix__ -U__unix -Uunix \
                -DK_NEWLIB_PLAIN_SYSCALL_NAMES \
                -nostdinc -isystem $(NEWLIB)/include -isystem $(shell gcc -m32 -print-file-name=include)
BOARD_LDFLAGS := -m32 -nostdlib -static -no-pie -Wl,-m,elf_i386 -Wl,--build-id=none \
                 -Wl,-z,noexecstack -Wl,--no-warn-rwx-segments
BOARD_LIBS := $(NEWLIB)/lib/libc.a $(shell gcc -m32 -print-libgcc-file-name)
LINKER_SCRIPT := linker/qemu-x86.ld
BOARD_SRCS := boards/qemu-x86/start.S boards/qemu-x86/board.c drivers/bus/pci.c drivers/uart/ns16550.c \
              drivers/intc/i8259.c drivers/timer/i8254.c drivers/timer/hpet.c drivers/rtc/mc146818.c
# lwIP's socket table (16 bytes a socket): RAM / 4 KiB (128 MiB / 4 KiB), so that memory, not
# the table, is what limits connections.
NET_MAX_SOCKETS := 32768
NET_DRIVER := drivers/net/e1000.c
QEMU_NIC := -device e1000,netdev=net0,romfile=
QEMU := qemu-system-i386
# isa-debug-exit: a write of v to port 0xf4 ends QEMU with exit status (v << 1) | 1.
QEMU_ARGS := -M pc -m 128M -nographic -vga none -device isa-debug-exit,iobase=0xf4,iosize=0x04
