# QEMU `mps2-an385`: Cortex-M3, CMSDK UART0 console, SysTick; newlib-nano from Debian.
ARCH := armv7m
CC := arm-none-eabi-gcc
SIZE := arm-none-eabi-size
BOARD_CFLAGS := -mcpu=cortex-m3 -mthumb --specs=nano.specs
BOARD_LDFLAGS := -mcpu=cortex-m3 -mthumb --specs=nano.specs -nostartfiles
BOARD_LIBS := -lc -lgcc
LINKER_SCRIPT := linker/mps2-an385.ld
BOARD_SRCS := boards/qemu-mps2-an385/vectors.c boards/qemu-mps2-an385/board.c
NET_DRIVER := net/netif/lan9118.c
QEMU_NIC := -net nic,netdev=net0,model=lan9118
QEMU := qemu-system-arm
# Semihosting carries the exit status (SYS_EXIT_EXTENDED) out of the guest.
QEMU_ARGS := -M mps2-an385 -nographic -semihosting-config enable=on,target=native

all: $(BUILD)/kernel.bin
$(BUILD)/kernel.bin: $(BUILD)/kernel.elf
	arm-none-eabi-objcopy -O binary $< $@
