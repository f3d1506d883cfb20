/* systick.h - the ARMv7-M SysTick timer (ARM DDI 0403E, B3.3) as a board's clock: it
 * counts its whole 24-bit range on the processor clock and its interrupt counts the wraps,
 * so uptime is wraps * 2^24 + what the current period has counted, in cycles. It never
 * wakes the CPU on its own account more often than once a wrap (671 ms at 25 MHz);
 * deadlines go to a one-shot timer (timer/cmsdk_timer.h). One per core. */
#ifndef DRIVERS_TIMER_SYSTICK_H
#define DRIVERS_TIMER_SYSTICK_H

#include <stdint.h>

/* Start counting at clock_hz (the processor clock, a multiple of 1000) and take the
 * SysTick exception. Called once from board_init(), interrupts off. */
void systick_init(uint32_t clock_hz);

/* Microseconds since systick_init(); never goes backwards. Any context. */
uint64_t systick_uptime_us(void);

/* The counter's current value mixed with the wrap count: changes every cycle. Any context. */
uint32_t systick_cycles(void);

#endif
