/* arm_generic_timer.c - the generic timer's counter and EL1 virtual timer (see
 * arm_generic_timer.h). Registers: ARM DDI 0487, D11.2 and D17.11 (CNTV_CTL_EL0:
 * ENABLE bit 0, IMASK bit 1, ISTATUS bit 2). */
#include <stdint.h>

#include "timer/arm_generic_timer.h"

static uint64_t hz, per_ms;

static uint64_t counter(void)
{
    uint64_t v;
    __asm__ volatile("isb; mrs %0, cntvct_el0" : "=r"(v) : : "memory");
    return v;
}

uint64_t arm_generic_timer_init(void)
{
    __asm__ volatile("msr cntv_ctl_el0, xzr; isb" : : : "memory");
    __asm__ volatile("mrs %0, cntfrq_el0" : "=r"(hz));
    per_ms = hz / 1000u;
    return per_ms ? hz : 0;
}

/* whole ms, then the rest: counter() * 1000 would overflow after 9.4 years at 62.5 MHz */
uint64_t arm_generic_timer_uptime_us(void)
{
    uint64_t c = counter();
    return c / per_ms * 1000u + c % per_ms * 1000u / per_ms;
}

uint32_t arm_generic_timer_cycles(void) { return (uint32_t)counter(); }

void arm_generic_timer_oneshot_ms(uint64_t deadline_ms)
{
    uint64_t cval = deadline_ms > UINT64_MAX / per_ms ? UINT64_MAX : deadline_ms * per_ms;
    __asm__ volatile("msr cntv_cval_el0, %0; msr cntv_ctl_el0, %1; isb"
                     : : "r"(cval), "r"((uint64_t)1) : "memory");
}

void arm_generic_timer_stop(void)
{
    __asm__ volatile("msr cntv_ctl_el0, xzr; isb" : : : "memory");
}
