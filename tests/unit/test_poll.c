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

/* Busy polling. Hook d's "device" has a frame ready after d_arrive more of its pending()
 * calls; each K_BUSY_POLL_CHECKS calls that find nothing let 1 ms of virtual time pass (the
 * host clock moves only when something moves it; the spin reads it once per that many
 * rounds), so a spin that never ends would hang the test. */
static int d_frames, d_arrive, d_pending_calls;

static int poll_d(void *ctx)
{
    int n = d_frames;
    (void)ctx;
    d_frames = 0;
    return n;
}

static bool pending_d(void *ctx)
{
    (void)ctx;
    d_pending_calls++;
    if (d_arrive > 0 && --d_arrive == 0) {
        d_frames = 1;
        return true;
    }
    if (d_pending_calls % K_BUSY_POLL_CHECKS == 0)
        host_now_ms++;
    return false;
}

static struct k_poll_hook d = { .name = "d", .poll = poll_d, .pending = pending_d };

static void *main_busy(void *arg)
{
    struct k_idle_stats st;
    unsigned long halts;
    uint64_t t0;
    (void)arg;

    /* off: work found, yet the loop halts without asking pending() */
    assert_int_equal(k_busy_poll_set(0), 0);
    d_frames = 1;
    k_poll_kick(&d);
    pass();
    assert_int_equal(d.items, 1);
    assert_int_equal(d_pending_calls, 0);
    k_idle_stats(&st);
    assert_int_equal(st.busy_polls, 0);

    /* a 5 ms window: after d's frame the loop spins instead of halting; the next frame
     * comes 2 ms into the spin and is handled at once (no halt between), then the spin goes
     * on for 5 ms after that work (5 clock reads) and only then does the loop halt, until
     * main's deadline */
    assert_int_equal(k_busy_poll_set(5000), 0);
    d_frames = 1;
    d_arrive = 2 * K_BUSY_POLL_CHECKS + 3;
    k_poll_kick(&d);
    halts = host_idle_calls;
    t0 = k_uptime_ms();
    k_sleep_ms(100);
    assert_true(k_uptime_ms() - t0 >= 100);
    assert_int_equal(d.items, 3);
    assert_int_equal(d.busy_hits, 1);
    assert_int_equal(d_pending_calls, 2 * K_BUSY_POLL_CHECKS + 3 + 5 * K_BUSY_POLL_CHECKS);
    k_idle_stats(&st);
    assert_int_equal(st.busy_hits, 1);
    assert_int_equal(st.busy_polls, 2);
    assert_int_equal(st.busy_us, (2 + 5) * 1000);
    assert_int_equal(host_idle_calls - halts, 1);

    /* no timer interrupt is armed while spinning: a sleeper's deadline ends the spin */
    assert_int_equal(k_busy_poll_set(K_BUSY_POLL_MAX_US), 0);
    d_frames = 1;
    d_arrive = 0;
    k_poll_kick(&d);
    t0 = k_uptime_ms();
    k_sleep_ms(3);
    assert_true(k_uptime_ms() - t0 <= 4);

    assert_int_equal(k_busy_poll_set(K_BUSY_POLL_MAX_US + 1), -EINVAL);
    assert_int_equal(k_busy_poll_us(), K_BUSY_POLL_MAX_US);
    assert_int_equal(k_busy_poll_set(0), 0);
    return NULL;
}

static void test_busy_poll_spins_after_work_then_halts(void **state)
{
    (void)state;
    k_poll_register(&d);
    unit_run(main_busy, NULL);
    assert_int_equal(k_poll_unregister(&d), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_poll_hooks_run_on_their_own_events, unit_setup),
        cmocka_unit_test_setup(test_busy_poll_spins_after_work_then_halts, unit_setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
