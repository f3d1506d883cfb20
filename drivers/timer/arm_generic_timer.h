/* arm_generic_timer.h - the Armv8-A generic timer (ARM DDI 0487, D11) as a board's clock
 * and one-shot deadline: the virtual counter CNTVCT_EL0 counts at CNTFRQ_EL0 from reset
 * and never wraps in practice (64 bits), so uptime needs no interrupt at all; the EL1
 * virtual timer (CNTV_CVAL_EL0, CNTV_CTL_EL0, PPI 27) fires once at a deadline. */
#ifndef DRIVERS_TIMER_ARM_GENERIC_TIMER_H
#define DRIVERS_TIMER_ARM_GENERIC_TIMER_H

#include <stdint.h>

/* The virtual timer's interrupt ID at the GIC (a private peripheral interrupt). */
#define ARM_GENERIC_TIMER_VIRT_PPI 27u

/* Stop the virtual timer and note the counter's frequency. Returns it in Hz (QEMU:
 * 62,500,000), or 0 if CNTFRQ_EL0 was never set (firmware's job): the board then fails. */
uint64_t arm_generic_timer_init(void);

/* Microseconds since reset, from the counter. Any context; never goes backwards. */
uint64_t arm_generic_timer_uptime_us(void);

/* The counter's low 32 bits: changes every 1/CNTFRQ s (16 ns on QEMU). Any context. */
uint32_t arm_generic_timer_cycles(void);

/* Fire the timer's interrupt once, when the counter reaches the value it has at uptime
 * deadline_ms (at once if that has passed). */
void arm_generic_timer_oneshot_ms(uint64_t deadline_ms);

/* Stop it (CNTV_CTL_EL0.ENABLE = 0), which also drops its level-sensitive interrupt: the
 * interrupt handler calls this. */
void arm_generic_timer_stop(void);

#endif
