/* nvic.c - NVIC: routes and enables external interrupts (see nvic.h). */
#include <stdint.h>

#include "arch/armv7m/armv7m.h"
#include "intc/nvic.h"

#define NVIC_ISER(n) (*(volatile uint32_t *)(0xE000E100u + 4u * (n)))

int nvic_irq_attach(unsigned irq, void (*isr)(void *), void *ctx)
{
    int err = armv7m_exception_attach(ARMV7M_EXC_IRQ(irq), isr, ctx);
    if (err)
        return err;
    NVIC_ISER(irq / 32u) = 1u << (irq % 32u);   /* write-one-to-set: others untouched */
    return 0;
}
