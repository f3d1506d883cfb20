/* test_stellaris_rx.c - the Stellaris Ethernet driver's reading of a receive FIFO length
 * word (drivers/net/stellaris_rx.h), for every 16-bit length: a length below the length
 * field and FCS (6 bytes) or beyond the 2 KiB FIFO resets the FIFO instead of making the
 * driver skip 2^32 - 1 words (a length of 0), and no verdict ever skips more words than
 * the FIFO holds. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "net/stellaris_rx.h"

#define MAX_FRAME 1518u                 /* NETDRV_MAX_FRAME */

static enum enet_rx check(uint32_t first, uint32_t *rest, uint32_t *flen)
{
    return enet_rx_check(first, MAX_FRAME, rest, flen);
}

static void test_lengths_that_fit_no_frame_reset_the_fifo(void **state)
{
    uint32_t rest, flen;
    (void)state;
    for (uint32_t len = 0; len < 6; len++) {
        assert_int_equal(check(len, &rest, &flen), ENET_RX_BADLEN);
        assert_int_equal(rest, 0);
    }
    assert_int_equal(check(2049, &rest, &flen), ENET_RX_BADLEN);
    assert_int_equal(check(0xFFFF, &rest, &flen), ENET_RX_BADLEN);
    assert_int_equal(check(0xABCD0000u, &rest, &flen), ENET_RX_BADLEN);   /* the frame's
                                                                             * bytes above */
}

static void test_frames_runts_and_oversize(void **state)
{
    uint32_t rest, flen;
    (void)state;
    assert_int_equal(check(6, &rest, &flen), ENET_RX_RUNT);     /* an empty frame */
    assert_int_equal(rest, 1);
    assert_int_equal(check(19, &rest, &flen), ENET_RX_RUNT);    /* 13 bytes: no header */
    assert_int_equal(rest, 4);
    assert_int_equal(check(0x12340000u | 20, &rest, &flen), ENET_RX_FRAME);
    assert_int_equal(flen, 14);
    assert_int_equal(rest, 4);
    assert_int_equal(check(66, &rest, &flen), ENET_RX_FRAME);   /* a minimum frame */
    assert_int_equal(flen, 60);
    assert_int_equal(rest, 16);                                 /* 17 words in all */
    assert_int_equal(check(MAX_FRAME + 6, &rest, &flen), ENET_RX_FRAME);
    assert_int_equal(flen, MAX_FRAME);
    assert_int_equal(check(MAX_FRAME + 7, &rest, &flen), ENET_RX_TOOBIG);
    assert_int_equal(flen, 0);
    assert_int_equal(check(2048, &rest, &flen), ENET_RX_TOOBIG);
    assert_int_equal(rest, 511);
}

static void test_no_length_skips_more_than_the_fifo(void **state)
{
    (void)state;
    for (uint32_t len = 0; len <= 0xFFFF; len++) {
        uint32_t rest, flen;
        enum enet_rx v = check(len, &rest, &flen);
        assert_true(rest < ENET_RX_FIFO_BYTES / 4);
        assert_true(v == ENET_RX_BADLEN || 4 * (rest + 1) >= len);   /* covers the frame */
        assert_true(v != ENET_RX_FRAME || flen + 6 == len);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lengths_that_fit_no_frame_reset_the_fifo),
        cmocka_unit_test(test_frames_runts_and_oversize),
        cmocka_unit_test(test_no_length_skips_more_than_the_fifo),
    };
    return cmocka_run_group_tests_name("stellaris_rx", tests, NULL, NULL);
}
