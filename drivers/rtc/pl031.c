/* pl031.c - seconds from a PL031 (see pl031.h; registers: ARM DDI 0224, 3.2). */
#include <stdint.h>

#include "rtc/pl031.h"

#define R(b, off) (*(volatile uint32_t *)((b) + (off)))
#define RTCDR 0x000u
#define PERIPHID0 0xFE0u
#define PERIPHID1 0xFE4u

int64_t pl031_seconds(uintptr_t base)
{
    if ((R(base, PERIPHID0) & 0xFFu) != 0x31u || (R(base, PERIPHID1) & 0x0Fu) != 0x0u)
        return -1;
    return (int64_t)R(base, RTCDR);
}
