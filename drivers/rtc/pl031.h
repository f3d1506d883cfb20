/* pl031.h - ARM PrimeCell Real Time Clock PL031 (ARM DDI 0224): its data register RTCDR
 * counts seconds; QEMU's model starts it at the host's time (seconds since 1970 UTC). */
#ifndef DRIVERS_RTC_PL031_H
#define DRIVERS_RTC_PL031_H

#include <stdint.h>

/* Seconds since 1970-01-01 00:00 UTC from the PL031 at base, or -1 if the peripheral ID
 * registers do not say PL031 (0x031 in PeriphID0/1). Any context. */
int64_t pl031_seconds(uintptr_t base);

#endif
