# QEMU `mps2-an386`: the MPS2 board with a Cortex-M4F (FPU on, hard-float ABI). Same memory
# map and devices as the AN385 image, so the same wiring (boards/qemu-mps2-an385/board.c)
# and linker script; only the core and QEMU's machine differ.
include boards/qemu-mps2-an385/board.mk
BOARD_KEY := m4f
BOARD_FPU := 1
ARM_CORE := -mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16
BOARD_CFLAGS := $(ARM_CORE) --specs=nano.specs
BOARD_LDFLAGS := $(ARM_CORE) --specs=nano.specs -nostartfiles
QEMU_ARGS := -M mps2-an386 -nographic -semihosting-config enable=on,target=native
