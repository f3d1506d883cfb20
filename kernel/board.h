/*
 * board.h - what every board (boards/<name>/board.c, and the host build in tests/) supplies
 * to the portable kernel. Device registers and addresses live behind these functions.
 */
#ifndef KERNEL_BOARD_H
#define KERNEL_BOARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Board name shown by the shell (e.g. "qemu-x86"). */
extern const char board_name[];

/* Bring up the console, the interrupt controller and the periodic tick. Called once from
 * the board's start code before k_run(); interrupts are enabled on return. */
void board_init(void);

/* Resolution of board_uptime_ms(), in ms: added to every deadline so that a wait lasts at
 * least as long as asked (1 on boards with a 1 ms tick, 0 on the host's exact clock). */
extern const unsigned board_clock_resolution_ms;

/* Milliseconds since boot, from the board's tick (host: a virtual clock). Never blocks. */
uint64_t board_uptime_ms(void);

/* Microseconds since boot, from the same clock (board_uptime_us() / 1000 is
 * board_uptime_ms()): x86 the HPET's or the PIT's counter, ARM SysTick's current value or
 * the generic counter; host: the virtual milliseconds x 1000. For short bounded waits (the
 * poll loop's busy polling). Any context; never blocks, never goes backwards. */
uint64_t board_uptime_us(void);

/* Write one byte to the console, polling the UART until it is accepted. Any context. */
void board_console_putc(char c);

/* Take one received console byte from the receive ring the UART interrupt fills.
 * Returns the byte (0..255), or -1 if none is waiting. Never blocks. Task context. */
int board_console_getc(void);

/* Bytes the UART lost because they arrived faster than they were read (its overrun flag). */
uint32_t board_console_overruns(void);

/*
 * Arm the board's one-shot timer to raise an interrupt event (k_isr_event) at deadline_ms
 * (board_uptime_ms() time), replacing any earlier arming; UINT64_MAX disarms it. The
 * kernel calls it where a deadline becomes the earliest (kernel/timeout.c), so that a due
 * deadline sends the next task switch through the poll loop even while tasks keep
 * yielding; board_idle() arms it too. Returns true if armed, false if deadline_ms is
 * already due (no interrupt will come for it). Task context, interrupts on or off.
 * Boards whose clock ticks periodically anyway (the PIT) may return true and do nothing.
 */
bool board_timer_arm(uint64_t deadline_ms);

/*
 * Wait for the next interrupt, or until deadline_ms (board_uptime_ms() time; UINT64_MAX for
 * none). Called by the poll loop with interrupts disabled and only after it saw no pending
 * interrupt event. Returns 0, or -1 if nothing can ever wake the system (host build with no
 * pending deadline: a deadlock).
 */
int board_idle(uint64_t deadline_ms);

/* Route interrupt line irq (the board's numbering: x86 ISA/PCI IRQ 0-15, Cortex-M NVIC
 * external interrupt number) to isr(ctx) and unmask it. For drivers. Returns 0, or -EINVAL
 * for a line the board cannot route or that is taken. */
int board_irq_attach(unsigned irq, void (*isr)(void *ctx), void *ctx);

/* Stop the machine with an exit status that the host can see (QEMU exits; see the board's
 * README section for the mapping). Never returns. */
void board_exit(int status) __attribute__((noreturn));

/* Reset the machine. Never returns. */
void board_reboot(void) __attribute__((noreturn));

/* The boot stack, which becomes the idle task's stack: [*base, *base + *size). A board
 * that does not know it sets both to 0. On ARMv7-M the architecture implements this and
 * board_heap() from its linker script's symbols (kernel/arch/armv7m/start.c). */
void board_boot_stack(void **base, size_t *size);

/* Wall-clock time from a real-time clock: seconds since 1970-01-01 00:00 UTC, or -1 if the
 * board has none. Task context; read once at boot. */
int64_t board_rtc_seconds(void);

/* A free-running counter that changes faster than once a microsecond where the board has
 * one (x86: the TSC; Cortex-M3: SysTick), for entropy sampling. Any context. */
uint32_t board_cycles(void);

/* A number from a hardware random generator (x86: RDRAND, where CPUID says so): 0 and
 * *out, or -1 if there is none or it failed. Task context. */
int board_hw_random(uint32_t *out);

/* Heap bounds from the linker map, used by _sbrk(): [start, end). */
void board_heap(char **start, char **end);

#endif
