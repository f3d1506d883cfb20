/* systick.h - the ARMv7-M SysTick timer (ARM DDI 0403E, B3.3) as a board's clock: it
 * counts its whole 24-bit range on the processor clock and its interrupt counts the wraps,
 * so uptime is wraps * 2^24 + what the current period has counted, in cycles. It never
 * wakes the CPU on its own account more often than once a wrap (671 ms at 25 MHz);
 * deadlines go to a one-shot timer (timer/cmsdk_timer.h). One per core. */
#ifndef DRIVERS_TIMER_SYSTICK_H
#define DRIVERS_TIMER_SYSTICK_H

#include <stdbool.h>
#include <stdint.h>

/* Start counting at clock_hz (the processor clock, a multiple of 1000) and take the
 * SysTick exception. Called once from board_init(), interrupts off. */
void systick_init(uint32_t clock_hz);

/* Microseconds since systick_init(); never goes backwards. Any context. */
uint64_t systick_uptime_us(void);

/* Microseconds in `wraps` whole periods of 2^24 cycles and `counted` cycles of the next,
 * at cycles_per_ms: whole ms, then the rest, as hpet_uptime_us() does, so no product
 * overflows (cycles * 1000 would after 2^64 / 1000 cycles: 11.7 years at 50 MHz). A pure
 * function, for the host unit tests (tests/unit/test_systick.c). */
static inline uint64_t systick_us(uint64_t wraps, uint32_t counted, uint32_t cycles_per_ms)
{
    uint64_t cycles = (wraps << 24) + counted;
    return cycles / cycles_per_ms * 1000u + cycles % cycles_per_ms * 1000u / cycles_per_ms;
}

/* For a board's one-shot timer at clock_hz, armed from now on systick_uptime_us()'s clock:
 * the cycles until deadline_ms, at most 2^32 - 1 (the kernel re-arms after a capped wait);
 * false, with *cycles untouched, if the deadline is due. (uptime_ms is whole ms, the clock a
 * little later: that many cycles from here is at or after the deadline.) */
bool systick_cycles_until(uint64_t deadline_ms, uint32_t clock_hz, uint32_t *cycles);

/* The counter's current value mixed with the wrap count: changes every cycle. Any context. */
uint32_t systick_cycles(void);

#endif
