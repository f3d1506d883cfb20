/* test_systick.c - SysTick's uptime arithmetic (drivers/timer/systick.h, systick_us()):
 * exact microseconds at wrap counts whose cycles * 1000 no longer fits in 64 bits (the
 * overflow hpet_uptime_us() had), checked against 128-bit arithmetic, and monotonic across
 * a wrap. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "timer/systick.h"

static uint64_t exact(uint64_t wraps, uint32_t counted, uint32_t per_ms)
{
    unsigned __int128 cycles = ((unsigned __int128)wraps << 24) + counted;
    return (uint64_t)(cycles * 1000u / per_ms);
}

static void test_exact_at_large_wrap_counts(void **state)
{
    (void)state;
    static const uint32_t per_ms[] = { 25000, 50000, 12000, 1 };   /* 25, 50, 12 MHz; 1 kHz */
    static const uint64_t wraps[] = { 0, 1, 1000, 1099511ull,      /* 2^64 / 1000 / 2^24 */
                                      1099512ull, 1ull << 32, (1ull << 39) - 1 };
    for (unsigned i = 0; i < sizeof(per_ms) / sizeof(per_ms[0]); i++)
        for (unsigned j = 0; j < sizeof(wraps) / sizeof(wraps[0]); j++)
            for (uint32_t counted = 0; counted < (1u << 24); counted += 999983u)
                assert_int_equal(systick_us(wraps[j], counted, per_ms[i]),
                                 exact(wraps[j], counted, per_ms[i]));
}

static void test_monotonic_across_a_wrap(void **state)
{
    (void)state;
    uint64_t w = 1ull << 36;                                       /* 87,000 years at 25 MHz */
    uint64_t before = systick_us(w, (1u << 24) - 1, 25000), after = systick_us(w + 1, 0, 25000);
    assert_true(after >= before && after - before <= 1);
    /* 11.7 years at 50 MHz: where (wraps * 2^24 + counted) * 1000 overflowed */
    assert_int_equal(systick_us(1099512ull, 0, 50000), exact(1099512ull, 0, 50000));
    assert_true(systick_us(1099512ull, 0, 50000) > systick_us(1099511ull, 0, 50000));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exact_at_large_wrap_counts),
        cmocka_unit_test(test_monotonic_across_a_wrap),
    };
    return cmocka_run_group_tests_name("systick", tests, NULL, NULL);
}
