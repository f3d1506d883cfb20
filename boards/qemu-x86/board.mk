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
BOARD_CFLAGS := -m32 -march=i686 -fcf-protection=none -fno-asynchronous-unwind-tables \
                $(NEWLIB_BUILT_CFLAGS)
BOARD_LDFLAGS := -m32 -nostdlib -static -no-pie -Wl,-m,elf_i386 -Wl,--build-id=none \
                 -Wl,-z,noexecstack -Wl,--no-warn-rwx-segments
BOARD_LIBS := $(NEWLIB)/lib/libc.a $(shell gcc -m32 -print-libgcc-file-name)
LINKER_SCRIPT := linker/qemu-x86.ld
BOARD_SRCS := boards/qemu-x86/start.S boards/qemu-x86/board.c drivers/bus/pci.c drivers/uart/ns16550.c \
              drivers/intc/i8259.c drivers/timer/i8254.c drivers/timer/hpet.c drivers/rtc/mc146818.c
# lwIP's socket table (16 bytes a socket): RAM / 2 KiB (128 MiB / 2 KiB), so that memory, not
# the table, is what limits connections: a connection takes about 3 KiB of heap (echo's, with
# its task), so 128 MiB hold about 40,000. At 32,768 a client with 33,000 connections stopped
# at the table (refused, net/socktab.c) with memory to spare. 1 MiB of static RAM.
NET_MAX_SOCKETS := 65536
# NIC=e1000 (default) or NIC=virtio (virtio-net-pci, modern interface only; its own
# build directory, since the driver is chosen at build time)
NIC ?= e1000
ifeq ($(NIC),virtio)
NET_DRIVER := drivers/net/virtio_net.c
BOARD_SRCS += drivers/bus/virtio_pci.c drivers/bus/virtqueue.c
QEMU_NIC := -device virtio-net-pci,netdev=net0,disable-legacy=on,romfile=
else ifeq ($(NIC),e1000)
NET_DRIVER := drivers/net/e1000.c
QEMU_NIC := -device e1000,netdev=net0,romfile=
else
$(error unknown NIC '$(NIC)' for qemu-x86; use NIC=e1000 or NIC=virtio)
endif
QEMU := qemu-system-i386
# isa-debug-exit: a write of v to port 0xf4 ends QEMU with exit status (v << 1) | 1.
QEMU_ARGS := -M pc -m 128M -nographic -vga none -device isa-debug-exit,iobase=0xf4,iosize=0x04

# `make iso`: build/qemu-x86/kernel.iso, a hybrid ISO 9660 image that BIOS firmware boots
# from a CD or, written with dd, from a USB stick: GRUB 2 (Debian's grub-pc-bin) loads
# kernel.elf by multiboot. `make run BOOT=iso` boots it in QEMU from -cdrom.
BOARD_ISO := 1
# GRUB's modules on the image: multiboot and its menu, and what it probes on a CD (iso9660)
# and on a stick (the partition maps): 1.5 MB instead of 12 MB with all of them
GRUB_MODULES := multiboot normal iso9660 part_msdos part_gpt part_acorn part_amiga part_apple \
                part_bsd part_dfly part_dvh part_plan part_sun part_sunpc
iso: $(BUILD)/kernel.iso
$(BUILD)/kernel.iso: $(BUILD)/kernel.elf boards/qemu-x86/grub.cfg boards/qemu-x86/board.mk | $(DEPS_STAMP)
	@echo "  ISO   $@"
	@rm -rf $(BUILD)/iso && mkdir -p $(BUILD)/iso/boot/grub
	@objcopy --strip-debug $< $(BUILD)/iso/boot/kernel.elf
	@cp boards/qemu-x86/grub.cfg $(BUILD)/iso/boot/grub/grub.cfg
	$(Q)grub-mkrescue -o $@ --install-modules="$(GRUB_MODULES)" --locales= --fonts= --themes= \
	    $(BUILD)/iso 2>$(BUILD)/iso.log || { cat $(BUILD)/iso.log; exit 1; }
