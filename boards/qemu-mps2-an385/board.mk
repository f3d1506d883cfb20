# QEMU `mps2-an385`: Cortex-M3, CMSDK UART0 console, SysTick; newlib-nano from Debian.
# (qemu-mps2-an386 includes this file: the same board with a Cortex-M4F.)
ARCH := armv7m
# what the tests and benchmarks need to know (`make print-board`): the short name in
# benchmark keys, an FPU whose state each context keeps, the connections test_c10k holds
BOARD_KEY := m3
BOARD_FPU := 0
TEST_CONNS := 300
CC := arm-none-eabi-gcc
SIZE := arm-none-eabi-size
# A receive window of 4 segments per connection: the LAN9118's receive FIFO holds only
# about 10 KiB, and what a peer sends beyond it is lost and must be retransmitted.
BOARD_CFLAGS := -mcpu=cortex-m3 -mthumb --specs=nano.specs
NET_TCP_WND_SEGMENTS := 4
BOARD_LDFLAGS := -mcpu=cortex-m3 -mthumb --specs=nano.specs -nostartfiles
BOARD_LIBS := -lc -lgcc
LINKER_SCRIPT := linker/mps2-an385.ld
BOARD_SRCS := boards/qemu-mps2-an385/board.c drivers/uart/cmsdk_uart.c drivers/intc/nvic.c \
              drivers/timer/systick.c drivers/timer/cmsdk_timer.c
# lwIP's socket table (16 bytes a socket): RAM / 2 KiB (16 MiB / 2 KiB), so that memory, not
# the table, is what limits connections: at RAM / 4 KiB (4,096) a client stopped at the
# table with 4,090 connections and 4 MiB of heap to spare (about 2.9 KiB each).
NET_MAX_SOCKETS := 8192
NET_DRIVER := drivers/net/lan9118.c
ifneq ($(filter-out lan9118,$(NIC)),)
$(error NIC=$(NIC): the MPS2 has a LAN9118 only)
endif
QEMU_NIC := -net nic,netdev=net0,model=lan9118
QEMU := qemu-system-arm
# Semihosting carries the exit status (SYS_EXIT_EXTENDED) out of the guest.
QEMU_ARGS := -M mps2-an385 -nographic -semihosting-config enable=on,target=native

all: $(BUILD)/kernel.bin
$(BUILD)/kernel.bin: $(BUILD)/kernel.elf
	arm-none-eabi-objcopy -O binary $< $@
