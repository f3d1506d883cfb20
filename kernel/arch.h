/*
 * arch.h - the contract every architecture implements. Portable kernel code touches the CPU
 * only through these functions. Implementations: kernel/arch/{i386,armv7m,x86_64}/.
 *
 * Model: xv6's swtch() and Unikraft's ukarch_ctx. A task's saved context is nothing but its
 * stack pointer; the callee-saved registers live on the task's own stack, pushed by
 * arch_switch() in the layout described at the top of each switch.S.
 */
#ifndef KERNEL_ARCH_H
#define KERNEL_ARCH_H

#include <stddef.h>
#include <stdint.h>

/*
 * Save the callee-saved registers of the running context on its stack, store its stack
 * pointer to *save_sp, load load_sp and pop the registers saved there, returning into the
 * context that was switched away from (or, the first time, into the entry given to
 * arch_stack_init()). Caller: the scheduler only, in task context, never from an interrupt.
 */
void arch_switch(void **save_sp, void *load_sp);

/*
 * Build the initial frame of a new context on the stack [stack_base, stack_base + size) so
 * that the first arch_switch() to the returned stack pointer enters entry() with an
 * ABI-aligned stack. entry must never return. Returns the initial stack pointer.
 */
void *arch_stack_init(void *stack_base, size_t size, void (*entry)(void));

/* Disable interrupts; return the previous state for arch_irq_restore(). */
unsigned long arch_irq_save(void);
/* Restore the interrupt state returned by arch_irq_save(). */
void arch_irq_restore(unsigned long state);

/*
 * Halt the CPU until the next interrupt. Called with interrupts disabled (after
 * arch_irq_save()); the check-then-halt is atomic (x86 "sti; hlt", ARMv7-M "wfi" with
 * PRIMASK set), so an interrupt that arrives after the caller's last check still wakes it.
 * Returns with interrupts disabled.
 */
void arch_idle(void);

/* Tell a memory checker that [base, base + size) is a stack (valgrind's
 * VALGRIND_STACK_REGISTER on the host build; nothing on boards). Returns a handle. */
unsigned arch_stack_register(void *base, size_t size);
void arch_stack_deregister(unsigned handle);
/* Bracket the kernel's deliberate reads of stack memory below a task's live frames (the
 * high-water scan): a memory checker must not report them (host: valgrind's
 * VALGRIND_DISABLE/ENABLE_ERROR_REPORTING; nothing on boards). */
void arch_stack_scan_begin(void);
void arch_stack_scan_end(void);

#endif
