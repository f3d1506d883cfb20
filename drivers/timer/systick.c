/* systick.c - SysTick as the clock (see systick.h). */
#include <stdint.h>

#include "arch.h"
#include "arch/armv7m/armv7m.h"
#include "k.h"
#include "timer/systick.h"

#define REG(a) (*(volatile uint32_t *)(a))
#define SYST_CSR REG(0xE000E010u)
#define SYST_RVR REG(0xE000E014u)
#define SYST_CVR REG(0xE000E018u)
#define SCB_ICSR REG(0xE000ED04u)
#define ICSR_PENDSTSET (1u << 26)
#define RELOAD (1u << 24)

static volatile uint64_t wraps;
static uint64_t last_us;
static uint32_t cycles_per_ms;

static void systick_isr(void *ctx)
{
    (void)ctx;
    wraps++;
    k_isr_event();
}

void systick_init(uint32_t clock_hz)
{
    cycles_per_ms = clock_hz / 1000u;
    (void)armv7m_exception_attach(ARMV7M_EXC_SYSTICK, systick_isr, NULL);
    SYST_RVR = RELOAD - 1u;
    SYST_CVR = 0;
    SYST_CSR = 7u;                     /* enable, interrupt, processor clock */
}

/* Wraps plus the part of the current period SysTick has counted down. A period that ended
 * while interrupts were off shows as SysTick pending (ICSR.PENDSTSET) with the counter
 * already reloaded: count it as elapsed. */
uint64_t systick_uptime_us(void)
{
    unsigned long s = arch_irq_save();
    uint64_t t = wraps, us;
    uint32_t cvr = SYST_CVR;

    if ((SCB_ICSR & ICSR_PENDSTSET) && cvr > RELOAD / 2)
        t++;
    us = systick_us(t, RELOAD - 1u - cvr, cycles_per_ms);
    if (us < last_us)
        us = last_us;
    last_us = us;
    arch_irq_restore(s);
    return us;
}

bool systick_cycles_until(uint64_t deadline_ms, uint32_t clock_hz, uint32_t *cycles)
{
    uint64_t now = systick_uptime_us() / 1000u, n;

    if (deadline_ms <= now)
        return false;
    n = (deadline_ms - now) * (clock_hz / 1000u);
    *cycles = n > 0xFFFFFFFFu ? 0xFFFFFFFFu : (uint32_t)n;
    return true;
}

uint32_t systick_cycles(void) { return SYST_CVR ^ (uint32_t)(wraps << 24); }
