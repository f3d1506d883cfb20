/* mc146818.h - the PC's CMOS real-time clock (Motorola MC146818A; ports 0x70/0x71,
 * registers 0x00-0x09, century at 0x32 as PC firmware and QEMU keep it). QEMU sets it from
 * the host (-rtc base=utc, the default). */
#ifndef DRIVERS_RTC_MC146818_H
#define DRIVERS_RTC_MC146818_H

#include <stdint.h>

/* Seconds since 1970-01-01 00:00 UTC (the clock is taken as UTC), or -1 if it reads as
 * nonsense (no RTC, or a date before 2000). Waits out an update in progress (register A
 * bit 7) and reads until two passes agree; BCD or binary and 12- or 24-hour as register B
 * says. Task context; spins at most a few ms. */
int64_t mc146818_seconds(void);

/* The same from register values already read: raw = seconds, minutes, hours, day of month,
 * month, year, century (registers 0x00, 0x02, 0x04, 0x07, 0x08, 0x09, 0x32) and register
 * B (bit 2: binary, else BCD; bit 1: 24-hour, else 12-hour with bit 7 of hours = PM).
 * Returns seconds since 1970 or -1 for a value out of range. Pure: the host tests it. */
int64_t mc146818_decode(const uint8_t raw[7], uint8_t reg_b);

#endif
