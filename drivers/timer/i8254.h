/* i8254.h - channel 0 of the PC's 8254 programmable interval timer (Intel 82C54 datasheet;
 * ports 0x40-0x43, 1.193182 MHz) as a periodic tick and a clock read between ticks: the
 * fallback where a machine has no HPET (timer/hpet.h). Wake-ups then come on its grid. */
#ifndef DRIVERS_TIMER_I8254_H
#define DRIVERS_TIMER_I8254_H

#include <stdbool.h>
#include <stdint.h>

/* Start channel 0 in rate mode (2) at hz (19-1193182) ticks a second. Interrupts off. */
void i8254_init(unsigned hz);

/* From the tick's interrupt handler (line 0): count one period. */
void i8254_tick(void);

/* Microseconds since i8254_init(): ticks plus the part of the current period counted down
 * (counter latch). tick_pending: the tick's interrupt is requested but not yet taken (the
 * board asks its interrupt controller), so a period that ended with interrupts off still
 * counts. Interrupts off. */
uint64_t i8254_uptime_us(bool tick_pending);

#endif
