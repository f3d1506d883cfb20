/* nvic.h - the ARMv7-M Nested Vectored Interrupt Controller (ARM DDI 0403E, B3.4) as a
 * board's interrupt controller: external interrupt n goes to a driver's handler through
 * the architecture's exception table (kernel/arch/armv7m/armv7m.h). All at the reset
 * priority: nothing preempts anything, which a cooperative kernel wants. */
#ifndef DRIVERS_INTC_NVIC_H
#define DRIVERS_INTC_NVIC_H

/* Route external interrupt irq to isr(ctx) and enable it (NVIC_ISERn). Returns 0, or
 * -EINVAL if irq is out of the table's range or already has a handler. Any context with
 * interrupts in any state; the handler may run before this returns. */
int nvic_irq_attach(unsigned irq, void (*isr)(void *ctx), void *ctx);

#endif
