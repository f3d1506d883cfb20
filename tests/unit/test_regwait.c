/* test_regwait.c - bounded device waits (drivers/regwait.h): a busy bit that never
 * clears ends the wait after max reads instead of hanging the poll loop (issue 8, bug 3). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "regwait.h"

static volatile uint32_t reg;

static void test_regwait_clear(void **state)
{
    (void)state;
    reg = 0x1;
    assert_false(regwait_clear(&reg, 0x1, 1000));     /* stuck busy: gives up */
    assert_false(regwait_clear(&reg, 0x1, 0));        /* max 0: no read, not clear */
    assert_true(regwait_clear(&reg, 0x2, 1));         /* other bits do not count */
    reg = 0;
    assert_true(regwait_clear(&reg, 0x1, 1));
}

static void test_regwait_set(void **state)
{
    (void)state;
    reg = 0;
    assert_false(regwait_set(&reg, 0x1, 1000));       /* never ready: gives up */
    reg = 0x3;
    assert_true(regwait_set(&reg, 0x1, 1));
    assert_false(regwait_set(&reg, 0x4, 10));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_regwait_clear),
        cmocka_unit_test(test_regwait_set),
    };
    return cmocka_run_group_tests_name("regwait", tests, NULL, NULL);
}
