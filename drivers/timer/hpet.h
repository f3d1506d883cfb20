/* hpet.h - the High Precision Event Timer (IA-PC HPET Specification 1.0a) as a tickless
 * board's clock and deadline timer: its 64-bit main counter is the clock (2.3.4), and
 * timer 0 is a one-shot comparator routed to legacy line 0 by the legacy replacement
 * option (2.3.9.2.2), so an idle machine wakes only for its devices or its next deadline. */
#ifndef DRIVERS_TIMER_HPET_H
#define DRIVERS_TIMER_HPET_H

#include <stdbool.h>
#include <stdint.h>

/* Probe the HPET at base (PC firmware and QEMU: 0xFED00000) and start its counter with
 * timer 0 off and legacy replacement on. Returns false if none answers there (all-ones
 * capabilities, a period over 100 ns) or it cannot do legacy replacement. Interrupts off. */
bool hpet_init(uintptr_t base);

/* Microseconds since the counter started. Any context. */
uint64_t hpet_uptime_us(void);

/* Interrupt (line 0) when the clock reaches deadline_ms; UINT64_MAX: no deadline, timer 0
 * off. Returns false if the deadline has already passed: no interrupt will come, and the
 * caller must not halt. Interrupts off. */
bool hpet_arm(uint64_t deadline_ms);

/* From line 0's interrupt handler: the one-shot fired (it will not fire again). */
void hpet_fired(void);

#endif
