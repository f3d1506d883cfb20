/* cmsdk_timer.h - the ARM CMSDK APB timer (ARM DDI 0479, "APB timer"; MPS2: timer 0 at
 * 0x40000000, IRQ 8) as a one-shot deadline timer for tickless idle: loaded with the
 * cycles to wait, its interrupt stops it, marks an event and so ends the poll loop's halt. */
#ifndef DRIVERS_TIMER_CMSDK_TIMER_H
#define DRIVERS_TIMER_CMSDK_TIMER_H

#include <stdint.h>

struct cmsdk_timer {
    uintptr_t base;             /* set by the board */
    unsigned irq;               /* NVIC external interrupt number */
};

/* Stop the timer and attach its interrupt. Returns 0, or nvic_irq_attach()'s -EINVAL.
 * Called once from board_init(). */
int cmsdk_timer_init(struct cmsdk_timer *t);

/* Interrupt once, cycles (> 0) clock cycles from now; replaces any earlier deadline.
 * Interrupts off (the poll loop's idle path). */
void cmsdk_timer_oneshot(struct cmsdk_timer *t, uint32_t cycles);

/* Cancel a pending deadline. */
void cmsdk_timer_stop(struct cmsdk_timer *t);

#endif
