/* i386 arch: stack frames for arch_switch, interrupt flag, hlt. */
#include <stdint.h>

#include "../../arch.h"

void *arch_stack_init(void *stack_base, size_t size, void (*entry)(void))
{
    uint32_t *sp = (uint32_t *)(((uintptr_t)stack_base + size) & ~(uintptr_t)15);
    int i;

    *--sp = 0;                   /* entry's return address slot: esp+4 is 16-aligned */
    *--sp = (uint32_t)entry;     /* popped by arch_switch's ret */
    for (i = 0; i < 4; i++)
        *--sp = 0;               /* ebp ebx esi edi */
    *--sp = 0x037F;              /* x87 control word as after fninit: nearest, extended */
    return sp;
}

unsigned long arch_irq_save(void)
{
    unsigned long flags;
    __asm__ volatile("pushfl; popl %0; cli" : "=r"(flags) : : "memory");
    return flags;
}

void arch_irq_restore(unsigned long state)
{
    if (state & (1u << 9))       /* EFLAGS.IF */
        __asm__ volatile("sti" : : : "memory");
}

/* "sti; hlt" is atomic: sti takes effect after the next instruction. */
void arch_idle(void) { __asm__ volatile("sti; hlt; cli" : : : "memory"); }

unsigned arch_stack_register(void *base, size_t size) { (void)base; (void)size; return 0; }
void arch_stack_deregister(unsigned handle) { (void)handle; }
void arch_stack_scan_begin(void) {}
void arch_stack_scan_end(void) {}
