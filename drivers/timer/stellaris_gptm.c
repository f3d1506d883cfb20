/* stellaris_gptm.c - Stellaris GPTM timer A as a one-shot (see stellaris_gptm.h).
 * Registers: LM3S6965 datasheet, 9.5 (register map). */
#include <stdint.h>

#include "intc/nvic.h"
#include "k.h"
#include "timer/stellaris_gptm.h"

#define R(t, off) (*(volatile uint32_t *)((t)->base + (off)))
#define CFG   0x00u            /* 0: one 32-bit timer */
#define TAMR  0x04u            /* bits 0-1 TAMR: 1 one-shot */
#define CTL   0x0Cu            /* bit 0 TAEN */
#define IMR   0x18u            /* bit 0 TATOIM */
#define ICR   0x24u            /* bit 0 TATOCINT */
#define TAILR 0x28u

static void gptm_isr(void *ctx)
{
    struct stellaris_gptm *t = ctx;
    R(t, ICR) = 1u;                    /* one-shot: it has stopped itself */
    k_isr_event();                     /* timers: no hook to run, the loop checks deadlines */
}

int stellaris_gptm_init(struct stellaris_gptm *t)
{
    R(t, CTL) = 0;
    R(t, CFG) = 0;
    R(t, TAMR) = 1u;
    R(t, ICR) = 1u;
    R(t, IMR) = 1u;
    return nvic_irq_attach(t->irq, gptm_isr, t);
}

void stellaris_gptm_oneshot(struct stellaris_gptm *t, uint32_t cycles)
{
    R(t, CTL) = 0;
    R(t, ICR) = 1u;
    R(t, TAILR) = cycles;
    R(t, CTL) = 1u;
}

void stellaris_gptm_stop(struct stellaris_gptm *t) { R(t, CTL) = 0; }
