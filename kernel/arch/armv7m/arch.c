/* ARMv7-M arch: stack frames for arch_switch (switch.S), PRIMASK, wfi. */
#include <stdint.h>

#include "../../arch.h"

void arch_task_trampoline(void);     /* switch.S: lr = 0, then bx r4 */

void *arch_stack_init(void *stack_base, size_t size, void (*entry)(void))
{
    uint32_t *sp = (uint32_t *)(((uintptr_t)stack_base + size) & ~(uintptr_t)7);
    int i;

    *--sp = (uint32_t)arch_task_trampoline;  /* popped into pc (Thumb bit set) */
    for (i = 0; i < 7; i++)
        *--sp = 0;               /* r11..r5 */
    *--sp = (uint32_t)entry;     /* r4: where the trampoline goes */
#if defined(__ARM_FP)
    *--sp = 0;                   /* CPACR: a new context starts with the FPU off */
#endif
    return sp;                   /* after the pops sp is back at the 8-aligned top (AAPCS) */
}

unsigned long arch_irq_save(void)
{
    unsigned long primask;
    __asm__ volatile("mrs %0, primask; cpsid i" : "=r"(primask) : : "memory");
    return primask;
}

void arch_irq_restore(unsigned long state)
{
    __asm__ volatile("msr primask, %0" : : "r"(state) : "memory");
}

/* With PRIMASK set, a pending interrupt still ends wfi; it is taken once PRIMASK clears. */
void arch_idle(void) { __asm__ volatile("dsb; wfi" : : : "memory"); }

unsigned arch_stack_register(void *base, size_t size) { (void)base; (void)size; return 0; }
void arch_stack_deregister(unsigned handle) { (void)handle; }
void arch_stack_scan_begin(void) {}
void arch_stack_scan_end(void) {}
