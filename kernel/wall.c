/*
 * wall.c - wall-clock time and entropy samples, for TLS (certificate validity dates, the
 * random number generator's seed).
 *
 * Wall clock: read once at boot from the board's real-time clock (x86: the CMOS RTC, which
 * QEMU sets from the host), then kept by adding uptime. A board without one starts from
 * the image's build time, which is only a lower bound on the true time ("build"): a
 * certificate that expired before the build is seen to have expired, one not valid until
 * later cannot be judged. k_wall_set() replaces either (SNTP, a shell command).
 *
 * Entropy: the poll loop records the board's cycle counter whenever it finds that an
 * interrupt came (z_entropy_event()); the low bits of when frames, keys and timer
 * interrupts arrive are the jitter a board without a hardware generator has.
 */
#include "board.h"
#include "k_internal.h"

#ifndef K_BUILD_EPOCH
#define K_BUILD_EPOCH 0
#endif

static int64_t base_s;               /* wall seconds at uptime 0 */
static const char *wall_source = "none";

void z_wall_init(void)
{
    int64_t rtc = board_rtc_seconds();
    uint64_t up_s = k_uptime_ms() / 1000u;
    if (rtc >= 0) {
        base_s = rtc - (int64_t)up_s;
        wall_source = "rtc";
    } else if (K_BUILD_EPOCH > 0) {
        base_s = (int64_t)K_BUILD_EPOCH - (int64_t)up_s;
        wall_source = "build";
    }
}

int64_t k_wall_seconds(void) { return base_s + (int64_t)(k_uptime_ms() / 1000u); }

const char *k_wall_source(void) { return wall_source; }

void k_wall_set(int64_t epoch_s, const char *source)
{
    base_s = epoch_s - (int64_t)(k_uptime_ms() / 1000u);
    wall_source = source;
}

#define POOL 64u
static uint32_t pool[POOL];
static uint32_t pool_n;              /* samples ever taken */

void z_entropy_event(void) { pool[pool_n++ % POOL] = board_cycles(); }

size_t k_entropy_samples(uint32_t *out, size_t max)
{
    size_t n = pool_n < POOL ? pool_n : POOL;
    if (n > max)
        n = max;
    for (size_t i = 0; i < n; i++)
        out[i] = pool[(pool_n - 1u - i) % POOL];
    return n;
}

uint32_t k_entropy_count(void) { return pool_n; }
