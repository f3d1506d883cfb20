/* cmsdk_timer.c - CMSDK APB timer as a one-shot (see cmsdk_timer.h). */
#include <stdint.h>

#include "intc/nvic.h"
#include "k.h"
#include "timer/cmsdk_timer.h"

#define R(t, off) (*(volatile uint32_t *)((t)->base + (off)))
#define CTRL      0x00u        /* bit 0 enable, bit 3 interrupt enable */
#define VALUE     0x04u
#define RELOAD    0x08u
#define INTCLEAR  0x0Cu        /* write; reads as INTSTATUS (CMSDK APB timer, TRM 3.4) */
#define INTSTATUS 0x0Cu

static void cmsdk_timer_isr(void *ctx)
{
    struct cmsdk_timer *t = ctx;
    /* Stop it only if it did fire: an interrupt of an earlier arming may still be pending
     * in the NVIC (it fired while interrupts were off and cmsdk_timer_oneshot re-armed it;
     * INTCLEAR lowers the line, not the NVIC's pending bit), and must not stop the new one. */
    if (R(t, INTSTATUS) & 1u) {
        R(t, CTRL) = 0;                /* one-shot: stop */
        R(t, INTCLEAR) = 1u;
    }
    k_isr_event();                     /* timers: no hook to run, the loop checks deadlines */
}

int cmsdk_timer_init(struct cmsdk_timer *t)
{
    R(t, CTRL) = 0;
    R(t, INTCLEAR) = 1u;
    return nvic_irq_attach(t->irq, cmsdk_timer_isr, t);
}

void cmsdk_timer_oneshot(struct cmsdk_timer *t, uint32_t cycles)
{
    R(t, CTRL) = 0;
    R(t, INTCLEAR) = 1u;
    R(t, RELOAD) = cycles;
    R(t, VALUE) = cycles;
    R(t, CTRL) = 1u | 8u;
}

void cmsdk_timer_stop(struct cmsdk_timer *t) { R(t, CTRL) = 0; }
