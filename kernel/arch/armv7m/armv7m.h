/*
 * armv7m.h - what the ARMv7-M architecture gives boards and drivers (kernel/arch/armv7m/):
 * the exception table and its dispatch, fault reports, the FPU's lazy enabling, semihosting
 * and system reset. Reference: ARMv7-M Architecture Reference Manual (ARM DDI 0403E),
 * B1.5 (exception model), B3.2 (System Control Block), B1.4.2 and B3.2.20 (FP, CPACR).
 *
 * Start-up (start.c): the reset handler copies .data, zeroes .bss, turns on the
 * divide-by-zero, usage, bus and memory-management faults, then calls board_init() and
 * board_exit(app_main_entry()). The vector table routes SysTick and every external
 * interrupt through armv7m_exception_attach()'s table; faults print where they happened
 * and stop the kernel (k_panic).
 */
#ifndef KERNEL_ARCH_ARMV7M_H
#define KERNEL_ARCH_ARMV7M_H

#include <stdint.h>

/* Exception numbers (B1.5.2): SysTick is 15, external interrupt n is 16 + n. */
#define ARMV7M_EXC_SYSTICK 15u
#define ARMV7M_EXC_IRQ(n) (16u + (n))
/* External interrupts the vector table has entries for (a board's NVIC may have fewer). */
#ifndef ARMV7M_IRQS
#define ARMV7M_IRQS 48u
#endif

/*
 * Route exception number exc (ARMV7M_EXC_SYSTICK or ARMV7M_EXC_IRQ(n)) to isr(ctx), which
 * runs in handler mode: it acknowledges its device, marks an event and returns. Does not
 * enable anything in the NVIC (drivers/intc/nvic.c does). Returns 0, or -EINVAL if exc is
 * not SysTick or an external interrupt below ARMV7M_IRQS, or already has a handler.
 */
int armv7m_exception_attach(unsigned exc, void (*isr)(void *ctx), void *ctx);

/*
 * Semihosting SYS_EXIT_EXTENDED (ARM DUI 0471, "Semihosting operations", 0x20) with
 * ADP_Stopped_ApplicationExit and status as the subcode: QEMU (with -semihosting-config
 * enable=on) exits with that status. Without a debugger attached a real core stops at the
 * BKPT. Never returns.
 */
void armv7m_semihost_exit(int status) __attribute__((noreturn));

/* Request a system reset through AIRCR.SYSRESETREQ (B3.2.6). Never returns. */
void armv7m_sysreset(void) __attribute__((noreturn));

#endif
