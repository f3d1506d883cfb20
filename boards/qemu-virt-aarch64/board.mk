# QEMU `virt` (AArch64): Cortex-A53 at EL1, GICv2, PL011 console, generic timer, virtio-net
# over virtio-mmio; newlib built for aarch64 by `make deps`.
ARCH := aarch64
# what the tests and benchmarks need to know (`make print-board`): the short name in
# benchmark keys, an FPU whose state each context keeps, the connections test_c10k holds
BOARD_KEY := a53
BOARD_FPU := 1
TEST_CONNS := 2000
# heap bytes an idle connection may cost (test_c10k: echo:selector): twice qemu-x86's
# 4096:2048, as its stacks (K_STACK) and pointers are twice the size; measured 6,024:3,736
TEST_CONN_BYTES := 8192:4096
CC := aarch64-linux-gnu-gcc
SIZE := aarch64-linux-gnu-size
NEWLIB := $(DEPS)/newlib-aarch64
# The Debian compiler targets Linux (NEWLIB_BUILT_CFLAGS, Makefile). Its unwind tables stay
# on: they are gdb's only way up an AArch64 stack whose prologues GCC shrink-wraps (`make
# debug`'s backtrace).
BOARD_CFLAGS := -mcpu=cortex-a53 -mno-outline-atomics $(NEWLIB_BUILT_CFLAGS)
BOARD_LDFLAGS := -nostdlib -static -no-pie -Wl,--build-id=none -Wl,-z,noexecstack \
                 -Wl,--no-warn-rwx-segments -Wl,-z,max-page-size=4096
BOARD_LIBS := $(NEWLIB)/lib/libc.a $(NEWLIB)/lib/libm.a $(shell aarch64-linux-gnu-gcc -print-libgcc-file-name)
LINKER_SCRIPT := linker/qemu-virt-aarch64.ld
BOARD_SRCS := boards/qemu-virt-aarch64/board.c drivers/uart/pl011.c drivers/intc/gicv2.c \
              drivers/timer/arm_generic_timer.c drivers/rtc/pl031.c drivers/bus/virtio_mmio.c \
              drivers/bus/virtqueue.c
# Task stacks twice the 32-bit boards' (see K_STACK in kernel/k.h: 8-byte registers and
# pointers, and newlib's printf with a 128-bit long double)
MAIN_STACK := 16384
SERVER_STACK := 8192
NET_TCPIP_STACK := 16384
FETCH_STACK := 24576
CRAWL_STACK := 24576
CHAT_STACK := 4096
# lwIP's socket table: RAM / 2 KiB (128 MiB / 2 KiB), as on qemu-x86 (24 bytes a socket here).
NET_MAX_SOCKETS := 65536
NET_DRIVER := drivers/net/virtio_net.c
ifneq ($(filter-out virtio,$(NIC)),)
$(error NIC=$(NIC): qemu-virt-aarch64 has virtio-net only)
endif
# QEMU keeps virtio-mmio transports legacy (version 1) unless told otherwise; the driver
# speaks the modern interface (version 2) only.
QEMU_NIC := -global virtio-mmio.force-legacy=false -device virtio-net-device,netdev=net0
QEMU := qemu-system-aarch64
QEMU_ARGS := -M virt -cpu cortex-a53 -m 128M -nographic \
             -semihosting-config enable=on,target=native

all: $(BUILD)/kernel.bin
$(BUILD)/kernel.bin: $(BUILD)/kernel.elf
	aarch64-linux-gnu-objcopy -O binary $< $@
