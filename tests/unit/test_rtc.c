/* test_rtc.c - the CMOS clock's register decoding (drivers/rtc/mc146818.c): BCD and binary,
 * 24- and 12-hour modes (MC146818A datasheet, registers B and 0x04), and nonsense. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "rtc/mc146818.h"

/* 2026-11-22 13:45:30 UTC */
#define T 1795355130ll

static void test_rtc_bcd_24_hour(void **state)
{
    (void)state;
    const uint8_t r[7] = { 0x30, 0x45, 0x13, 0x22, 0x11, 0x26, 0x20 };
    assert_int_equal(mc146818_decode(r, 0x02), T);
}

static void test_rtc_binary_24_hour(void **state)
{
    (void)state;
    const uint8_t r[7] = { 30, 45, 13, 22, 11, 26, 20 };
    assert_int_equal(mc146818_decode(r, 0x06), T);
}

/* 12-hour mode: bit 7 of the hours is PM (1 PM: 0x81 in BCD and in binary); 12 AM is
 * midnight, 12 PM noon. The PM bit used to go through the BCD conversion and turn 11 PM
 * into hour 91. */
static void test_rtc_12_hour_pm_and_the_twelves(void **state)
{
    (void)state;
    uint8_t r[7] = { 0x30, 0x45, 0x81, 0x22, 0x11, 0x26, 0x20 };
    assert_int_equal(mc146818_decode(r, 0x00), T);                 /* BCD, 1 PM */
    r[2] = 0x91;                                                   /* BCD 11 PM */
    assert_int_equal(mc146818_decode(r, 0x00), T + 10 * 3600);
    r[2] = 0x12;                                                   /* 12 AM */
    assert_int_equal(mc146818_decode(r, 0x00), T - 13 * 3600);
    r[2] = 0x92;                                                   /* 12 PM */
    assert_int_equal(mc146818_decode(r, 0x00), T - 1 * 3600);
    const uint8_t b[7] = { 30, 45, 0x80 | 1, 22, 11, 26, 20 };     /* binary, 1 PM */
    assert_int_equal(mc146818_decode(b, 0x04), T);
}

static void test_rtc_nonsense_is_minus_one(void **state)
{
    (void)state;
    const uint8_t none[7] = { 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF };   /* nothing there */
    assert_int_equal(mc146818_decode(none, 0xFF), -1);
    const uint8_t zero[7] = { 0 };
    assert_int_equal(mc146818_decode(zero, 0x06), -1);
    const uint8_t hour24[7] = { 0, 0, 0x24, 0x22, 0x11, 0x26, 0x20 };
    assert_int_equal(mc146818_decode(hour24, 0x02), -1);
    const uint8_t hour0_12h[7] = { 0, 0, 0x00, 0x22, 0x11, 0x26, 0x20 };
    assert_int_equal(mc146818_decode(hour0_12h, 0x00), -1);
    const uint8_t sec60[7] = { 0x60, 0, 0x13, 0x22, 0x11, 0x26, 0x20 };
    assert_int_equal(mc146818_decode(sec60, 0x02), -1);
    const uint8_t y1999[7] = { 0, 0, 0x13, 0x22, 0x11, 0x99, 0x19 };
    assert_int_equal(mc146818_decode(y1999, 0x02), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rtc_bcd_24_hour),
        cmocka_unit_test(test_rtc_binary_24_hour),
        cmocka_unit_test(test_rtc_12_hour_pm_and_the_twelves),
        cmocka_unit_test(test_rtc_nonsense_is_minus_one),
    };
    return cmocka_run_group_tests_name("rtc", tests, NULL, NULL);
}
