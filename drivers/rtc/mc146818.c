/* mc146818.c - CMOS real-time clock (see mc146818.h). */
#include <stdint.h>
#include <string.h>

#include "portio.h"
#include "rtc/mc146818.h"

static uint8_t cmos(uint8_t reg)
{
    outb(0x70, reg);
    return inb(0x71);
}

static int64_t days_from_civil(int y, unsigned m, unsigned d)
{
    /* days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm) */
    y -= m <= 2;
    const int era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = (unsigned)(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return (int64_t)era * 146097 + (int64_t)doe - 719468;
}

int64_t mc146818_decode(const uint8_t raw[7], uint8_t reg_b)
{
    uint8_t r[7];
    memcpy(r, raw, sizeof(r));
    uint8_t pm = r[2] & 0x80;              /* 12-hour mode's PM flag, in either format */
    r[2] &= 0x7F;
    if (!(reg_b & 0x04))                   /* BCD */
        for (int i = 0; i < 7; i++)
            r[i] = (uint8_t)((r[i] & 0x0F) + (r[i] >> 4) * 10);
    unsigned hour = r[2];
    if (!(reg_b & 0x02)) {                 /* 12-hour mode: 12 AM is 0 h, 12 PM is 12 h */
        if (hour < 1 || hour > 12)
            return -1;
        hour = hour % 12 + (pm ? 12 : 0);
    }
    int year = (r[6] ? r[6] : 20) * 100 + r[5];
    if (r[0] > 59 || r[1] > 59 || hour > 23 || r[3] < 1 || r[3] > 31 || r[4] < 1 ||
        r[4] > 12 || year < 2000)
        return -1;                         /* no RTC, or nonsense */
    return days_from_civil(year, r[4], r[3]) * 86400 + hour * 3600 + r[1] * 60 + r[0];
}

int64_t mc146818_seconds(void)
{
    static const uint8_t regs[7] = { 0x00, 0x02, 0x04, 0x07, 0x08, 0x09, 0x32 };
    uint8_t r[7], again[7];
    int tries = 0;
    do {
        while ((cmos(0x0A) & 0x80) && ++tries < 100000)
            ;                              /* update in progress */
        for (int i = 0; i < 7; i++)
            r[i] = cmos(regs[i]);
        for (int i = 0; i < 7; i++)
            again[i] = cmos(regs[i]);
    } while (memcmp(r, again, sizeof(r)) != 0 && ++tries < 100000);
    return mc146818_decode(r, cmos(0x0B));
}
