/* Host (x86-64 Linux) arch: used by the unit tests and benchmarks. No interrupts exist. */
#include <stdint.h>
#include <valgrind/valgrind.h>

#include "../../arch.h"

void *arch_stack_init(void *stack_base, size_t size, void (*entry)(void))
{
    uintptr_t *sp = (uintptr_t *)(((uintptr_t)stack_base + size) & ~(uintptr_t)15);
    int i;

    *--sp = 0;                   /* entry's return address slot: rsp+8 is 16-aligned */
    *--sp = (uintptr_t)entry;    /* popped by arch_switch's ret */
    for (i = 0; i < 6; i++)
        *--sp = 0;               /* rbp rbx r12 r13 r14 r15 */
    return sp;
}

unsigned long arch_irq_save(void) { return 0; }
void arch_irq_restore(unsigned long state) { (void)state; }
void arch_idle(void) {}

unsigned arch_stack_register(void *base, size_t size)
{
    return VALGRIND_STACK_REGISTER(base, (char *)base + size);
}

void arch_stack_deregister(unsigned handle) { VALGRIND_STACK_DEREGISTER(handle); }

void arch_stack_scan_begin(void) { VALGRIND_DISABLE_ERROR_REPORTING; }
void arch_stack_scan_end(void) { VALGRIND_ENABLE_ERROR_REPORTING; }
