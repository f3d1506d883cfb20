/* i8254.c - 8254 PIT channel 0 as the fallback tick (see i8254.h). */
#include <stdint.h>

#include "portio.h"
#include "timer/i8254.h"

#define PIT_HZ 1193182u

static volatile uint64_t ticks;
static uint32_t divisor;

void i8254_init(unsigned hz)
{
    divisor = (PIT_HZ + hz / 2) / hz;       /* 100 Hz: 11932, 99.998 Hz */
    outb(0x43, 0x34);                       /* channel 0, lo/hi byte, mode 2 (rate) */
    outb(0x40, divisor & 0xFF);
    outb(0x40, (divisor >> 8) & 0xFF);
}

void i8254_tick(void) { ticks++; }

uint64_t i8254_uptime_us(bool tick_pending)
{
    uint64_t t = ticks, pit;
    uint16_t count;

    outb(0x43, 0x00);                       /* latch channel 0 */
    count = inb(0x40);
    count |= (uint16_t)(inb(0x40) << 8);
    if (tick_pending && count > divisor / 2)
        t++;                                /* the counter reloaded: that period is over */
    pit = t * divisor + (divisor - count);
    return pit / PIT_HZ * 1000000u + pit % PIT_HZ * 1000000u / PIT_HZ;
}
