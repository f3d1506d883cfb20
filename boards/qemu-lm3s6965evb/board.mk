# QEMU `lm3s6965evb` and TI's EK-LM3S6965 board: Cortex-M3 at 50 MHz, 256 KiB flash,
# 64 KiB SRAM, on-chip Ethernet; newlib-nano from Debian. The small board: what does not
# fit in 64 KiB is left out of the image (NET_TLS, NET_GZIP, NET_HTTPD, NET_IPV6 below), stacks and
# lwIP's queues are sized for a handful of connections, and the commands of what is left
# out say so.
ARCH := armv7m
BOARD_KEY := lm3s
BOARD_FPU := 0
TEST_CONNS := 6
# the largest echo test_impaired sends over its lossy link (1 MiB on the other boards):
# with 2-segment windows every loss costs a retransmission timeout
TEST_IMPAIRED_MAX := 100000
CC := arm-none-eabi-gcc
SIZE := arm-none-eabi-size
ARM_CORE := -mcpu=cortex-m3 -mthumb
BOARD_CFLAGS := $(ARM_CORE) --specs=nano.specs -Os
BOOT_STACK_SIZE := 2048
BOARD_LDFLAGS := $(ARM_CORE) --specs=nano.specs -nostartfiles -Wl,--defsym=BOOT_STACK_SIZE=$(BOOT_STACK_SIZE)
BOARD_LIBS := -lc -lgcc
LINKER_SCRIPT := linker/lm3s6965.ld
BOARD_SRCS := boards/qemu-lm3s6965evb/board.c drivers/clock/stellaris_sysctl.c drivers/uart/pl011.c \
              drivers/intc/nvic.c drivers/timer/systick.c drivers/timer/stellaris_gptm.c
NET_DRIVER := drivers/net/stellaris_enet.c
ifneq ($(filter-out stellaris,$(NIC)),)
$(error NIC=$(NIC): the LM3S6965 has its on-chip Ethernet MAC only)
endif
QEMU_NIC := -net nic,netdev=net0,model=stellaris
QEMU := qemu-system-arm
QEMU_ARGS := -M lm3s6965evb -nographic -semihosting-config enable=on,target=native

# What 64 KiB leaves out (each is a make variable of every board, 1 by default): https://
# (mbedTLS needs about 40 KiB of heap for a handshake), gzip and deflate bodies (zlib's
# window is 32 KiB), the HTTP server and its status page.
NET_TLS := 0
# zlib's CRC-32 (fetch's crc32=) a byte at a time, from its 1 KiB table, without the 4 KiB
# "braided" tables (crc32.c: W left undefined through its Z_TESTW switch)
ZLIB_CFLAGS := -DZ_TESTW=
NET_GZIP := 0
NET_HTTPD := 0
# IPv4 only: lwIP's IPv6 (ND, MLD, SLAAC, DHCPv6) would cost 27,272 bytes of flash, which
# fits, and 2,440 bytes of RAM for its neighbour, destination, prefix and router caches,
# taken from a 52 KiB heap that holds the connections' buffers (`make size` with
# NET_IPV6=1 on this board)
NET_IPV6 := 0
# Sizing: lwIP's socket table, its mailboxes, the TCP windows (2 segments each way: the
# MAC's receive FIFO is 2 KiB), the tasks' stacks (bytes; each from `ps -a`'s peak with
# room to spare), what the servers keep free (net/net.h: net_conn_reserve()).
NET_MAX_SOCKETS := 16
NET_TCP_WND_SEGMENTS := 2
NET_TCP_SND_SEGMENTS := 2
NET_MBOX_SIZE := 16
NET_TCPIP_STACK := 1536
MAIN_STACK := 3072
SERVER_STACK := 1024
FETCH_STACK := 6144
CRAWL_STACK := 7168
FETCH_PARALLEL := 2
CRAWL_PARALLEL := 2
CHAT_QUEUE := 4
CHAT_STACK := 1280
NET_CONN_RESERVE_MIN := 6144
# segments of 536 bytes (RFC 9293's default MSS): a window of 2 each way is then about
# 2.5 KiB of pbufs and segments per connection, kept free for each open one
NET_TCP_MSS := 536
NET_CONN_INFLIGHT := 2560
# no cache of lwIP's freed blocks (net/mem.c): on this heap every free byte is needed
NET_MEM_CACHE_MAX := 0
# frames handed to lwIP at most at once (each a pbuf on the heap); the rest wait in the MAC
NET_RX_QUEUE_MAX := 8

all: $(BUILD)/kernel.bin
$(BUILD)/kernel.bin: $(BUILD)/kernel.elf
	arm-none-eabi-objcopy -O binary $< $@

# `make flash`: program kernel.bin into a real EK-LM3S6965 through its on-board debug
# interface (FTDI, USB) with openocd (Debian's), using openocd's own board file. Without a
# board attached openocd says it found no device, and make fails with its message.
OPENOCD_BOARD ?= board/ek-lm3s6965.cfg
BOARD_FLASH := 1
flash: $(BUILD)/kernel.bin
	openocd -f $(OPENOCD_BOARD) -c "program $(BUILD)/kernel.bin 0x00000000 verify reset exit"
