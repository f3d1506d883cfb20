/* test_poll.c - the poll loop's per-device events: a hook runs when its own device signals
 * (k_isr_signal), when kicked (k_poll_kick), or when its period has passed at a pass that
 * happens anyway; never because another device signalled. Host build, virtual clock. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "unit.h"

static int left_b;                       /* items hook b has still to hand over */

static int poll_a(void *ctx) { (void)ctx; return 1; }

static int poll_b(void *ctx);
static struct k_poll_hook a = { .name = "a", .poll = poll_a };
static struct k_poll_hook b = { .name = "b", .poll = poll_b };
static struct k_poll_hook c = { .name = "c", .poll = poll_a, .period_ms = 100 };

/* hands over one item a pass and asks to run again while any is left, as the network's
 * hook does with frames lwIP had no room for */
static int poll_b(void *ctx)
{
    (void)ctx;
    if (!left_b)
        return 0;
    if (--left_b)
        k_poll_kick(&b);
    return 1;
}

static void pass(void) { k_sleep_ms(1); }     /* every task blocked: the loop passes */

static void *main_poll(void *arg)
{
    (void)arg;
    pass();
    /* registered hooks ran once at the first pass */
    assert_int_equal(a.calls, 1);
    assert_int_equal(b.calls, 1);
    assert_int_equal(c.calls, 1);
    /* quiet devices: passes run no hook */
    for (int i = 0; i < 5; i++)
        pass();
    assert_int_equal(a.calls, 1);
    assert_int_equal(b.calls, 1);
    /* a's interrupt runs a, and only a */
    k_isr_signal(&a);
    pass();
    assert_int_equal(a.calls, 2);
    assert_int_equal(a.items, 2);
    assert_int_equal(b.calls, 1);
    /* two signals before a pass: one run that sees both */
    k_isr_signal(&a);
    k_isr_signal(&a);
    pass();
    assert_int_equal(a.calls, 3);
    assert_int_equal(a.events, 3);
    /* an event with no hook (a timer) runs none */
    k_isr_event();
    pass();
    assert_int_equal(a.calls, 3);
    assert_int_equal(b.calls, 1);
    /* work left over: b kicks itself until it has handed everything over */
    left_b = 3;
    k_poll_kick(&b);
    for (int i = 0; i < 6; i++)
        pass();
    assert_int_equal(b.calls, 1 + 3);
    assert_int_equal(b.items, 3);
    /* the period: c runs at a pass once 100 ms have gone by since it last ran */
    uint32_t before = c.calls;
    k_sleep_ms(50);
    assert_int_equal(c.calls, before);
    k_sleep_ms(60);
    assert_int_equal(c.calls, before + 1);
    assert_int_equal(a.calls, 3);                     /* and the others still do not */
    return NULL;
}

static void test_poll_hooks_run_on_their_own_events(void **state)
{
    (void)state;
    k_poll_register(&a);
    k_poll_register(&b);
    k_poll_register(&c);
    unit_run(main_poll, NULL);
    assert_int_equal(k_poll_unregister(&a), 0);
    assert_int_equal(k_poll_unregister(&b), 0);
    assert_int_equal(k_poll_unregister(&c), 0);
    assert_int_equal(k_poll_unregister(&c), -ENOENT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_poll_hooks_run_on_their_own_events, unit_setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
