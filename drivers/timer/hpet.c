/* hpet.c - HPET clock and one-shot deadline timer (see hpet.h). */
#include <stdint.h>

#include "timer/hpet.h"

#define GCAP_LO  0x000          /* bit 15: LEG_RT_CAP */
#define GCAP_HI  0x004          /* COUNTER_CLK_PERIOD, femtoseconds */
#define GCONF    0x010          /* bit 0 ENABLE_CNF, bit 1 LEG_RT_CNF */
#define COUNT_LO 0x0F0
#define COUNT_HI 0x0F4
#define T0_CONF  0x100          /* bit 2 Tn_INT_ENB_CNF; one-shot, edge */
#define T0_CMP_LO 0x108
#define T0_CMP_HI 0x10C

static uintptr_t hpet_base;
static uint32_t per_ms;         /* counter ticks a millisecond */
static uint64_t armed;          /* comparator value programmed, 0 if none */

#define R(off) (*(volatile uint32_t *)(hpet_base + (off)))

/* The main counter, read as two halves (the high one twice, 2.3.4: a 32-bit CPU). */
static uint64_t count(void)
{
    uint32_t hi, lo;
    do {
        hi = R(COUNT_HI);
        lo = R(COUNT_LO);
    } while (hi != R(COUNT_HI));
    return (uint64_t)hi << 32 | lo;
}

bool hpet_init(uintptr_t base)
{
    hpet_base = base;
    uint32_t period_fs = R(GCAP_HI);
    /* 2.3.4: the period is at most 100 ns (10^8 fs); all ones: nothing is there */
    if (period_fs == 0 || period_fs > 100000000u || !(R(GCAP_LO) & (1u << 15)))
        return false;
    per_ms = (uint32_t)(1000000000000ull / period_fs);
    R(T0_CONF) = 0;                         /* timer 0 off until a deadline */
    R(GCONF) = 3u;                          /* counting, legacy replacement */
    return true;
}

/* whole ms, then the rest: count() * 1000 would overflow after 5.8 years at QEMU's 100 MHz */
uint64_t hpet_uptime_us(void)
{
    uint64_t c = count();
    return c / per_ms * 1000u + c % per_ms * 1000u / per_ms;
}

bool hpet_arm(uint64_t deadline_ms)
{
    uint64_t cmp;
    if (deadline_ms == UINT64_MAX) {
        R(T0_CONF) = 0;                     /* nothing to wake for but the devices */
        armed = 0;
        return true;
    }
    cmp = deadline_ms * per_ms;
    if (cmp != armed) {
        R(T0_CONF) = 0;
        R(T0_CMP_LO) = (uint32_t)cmp;
        R(T0_CMP_HI) = (uint32_t)(cmp >> 32);
        R(T0_CONF) = 1u << 2;               /* interrupt enabled, one-shot, edge */
        armed = cmp;
    }
    /* the comparator matches only when the counter reaches it: if the counter is already
     * there, no interrupt will come (2.3.9.2.2) */
    return count() < cmp;
}

void hpet_fired(void) { armed = 0; }
