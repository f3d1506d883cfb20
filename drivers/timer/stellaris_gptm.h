/* stellaris_gptm.h - a Stellaris general-purpose timer module (LM3S6965 datasheet, chapter
 * 9 "General-Purpose Timers"; Timer0 at 0x40030000, IRQ 19 for timer A) as a one-shot
 * deadline timer for tickless idle, like timer/cmsdk_timer.h: 32-bit one-shot mode
 * (GPTMCFG 0, GPTMTAMR one-shot), counting down on the system clock; its time-out
 * interrupt marks an event and so ends the poll loop's halt. */
#ifndef DRIVERS_TIMER_STELLARIS_GPTM_H
#define DRIVERS_TIMER_STELLARIS_GPTM_H

#include <stdint.h>

struct stellaris_gptm {
    uintptr_t base;             /* set by the board (its clock gated on in RCGC1) */
    unsigned irq;               /* NVIC interrupt of timer A */
};

/* Stop the timer, put it in 32-bit one-shot mode and attach its interrupt. Returns 0, or
 * nvic_irq_attach()'s -EINVAL. Called once from board_init(). */
int stellaris_gptm_init(struct stellaris_gptm *t);

/* Interrupt once, cycles (> 0) system clock cycles from now; replaces any earlier
 * deadline. Interrupts off (the poll loop's idle path). */
void stellaris_gptm_oneshot(struct stellaris_gptm *t, uint32_t cycles);

/* Cancel a pending deadline. */
void stellaris_gptm_stop(struct stellaris_gptm *t);

#endif
