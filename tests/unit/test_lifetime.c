/* test_lifetime.c - the core review's bugs (issue 23), each reproduced first on the code
 * before the fix (under valgrind: a double free, a write into a freed channel, a sleeper
 * woken 4,900 ms late), and the lifetime rule of kernel/k_internal.h: a woken wait does not
 * touch the object it waited on; the waker does the bookkeeping; freeing an object that a
 * woken task has yet to return from is refused. Host build, virtual clock. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "unit.h"

/* --- bug 1: k_wait_for on a task whose own error is a timeout -------------------------- */

static void *ends_with(void *arg)
{
    k_sleep_ms(5);
    k_task_exit_error((int)I(arg));
}

static void *ignores_cancel(void *arg)
{
    (void)arg;
    (void)k_sleep_ms(1000);        /* cancelled: caught, and it finishes all the same */
    return V(77);
}

static k_task_t *inner;
static void *waits_for_inner(void *arg)
{
    k_result_t r;
    (void)arg;
    return V(k_wait_for(inner, K_MSEC(1000), &r));
}

static void *main_wait_for(void *arg)
{
    k_result_t r = { 1, V(1) };
    (void)arg;
    /* its own -ETIMEDOUT: the wait succeeded, the task failed; freed once (valgrind, ASan) */
    k_task_t *t = k_task_spawn("fetch", ends_with, V(-ETIMEDOUT), STACK);
    assert_int_equal(k_wait_for(t, K_MSEC(100), &r), 0);
    assert_int_equal(r.error, -ETIMEDOUT);
    assert_null(r.value);
    assert_int_equal(k_uptime_ms(), 5);
    /* its own -EAGAIN, collected with K_NO_WAIT after it ended */
    t = k_task_spawn("again", ends_with, V(-EAGAIN), STACK);
    k_sleep_ms(10);
    assert_int_equal(k_wait_for(t, K_NO_WAIT, &r), 0);
    assert_int_equal(r.error, -EAGAIN);
    /* a task that handles the cancellation and returns: wait_for returns its result
     * (Python 3.11: fut.result() after _cancel_and_wait) */
    t = k_task_spawn("stubborn", ignores_cancel, NULL, STACK);
    uint64_t t0 = k_uptime_ms();
    assert_int_equal(k_wait_for(t, K_MSEC(20), &r), 0);
    assert_int_equal(r.error, 0);
    assert_int_equal(I(r.value), 77);
    assert_int_equal(k_uptime_ms() - t0, 20);
    /* the caller cancelled: the inner task is cancelled and joined too */
    inner = k_task_spawn("inner", ends_with, V(-EIO), STACK);
    t = k_task_spawn("outer", waits_for_inner, NULL, STACK);
    k_yield();
    k_task_cancel(t);
    assert_int_equal(k_join(t, K_FOREVER, &r), 0);
    assert_int_equal(I(r.value), -ECANCELED);
    assert_int_equal(k_task_count(), 2);       /* idle and main: inner was freed */
    return NULL;
}

static void test_wait_for_task_error_is_not_a_timeout(void **state)
{
    (void)state;
    unit_run(main_wait_for, NULL);
}

/* --- bug 2: a putter woken by close must not touch the channel when it runs ------------- */

static k_chan_t *chan;
static void *putter(void *arg)
{
    uint32_t v = (uint32_t)I(arg);
    return V(k_chan_put(chan, &v, K_FOREVER));
}

/* chan: a channel of one message, full; a task "put" blocked putting another */
static k_task_t *full_chan_with_putter(void)
{
    uint32_t v = 1;
    chan = malloc(sizeof(*chan));
    assert_int_equal(k_chan_alloc(chan, sizeof(uint32_t), 1), 0);
    assert_int_equal(k_chan_put(chan, &v, K_NO_WAIT), 0);
    k_task_t *p = k_task_spawn("put", putter, V(2), STACK);
    k_yield();                                 /* it waits: the channel is full */
    return p;
}

static void *main_chan_close_then_free(void *arg)
{
    k_result_t r;
    (void)arg;
    k_task_t *p = full_chan_with_putter();
    assert_true(k_chan_busy(chan));
    k_chan_close(chan);                        /* it is woken with -EPIPE, not yet run */
    assert_int_equal(chan->unfinished, 1);     /* the closer gave its count back */
    assert_true(k_chan_busy(chan));            /* a woken waiter is still a user */
    while (k_chan_busy(chan))
        k_yield();
    k_chan_free(chan);
    free(chan);                                /* the putter ran and touched nothing since */
    chan = NULL;
    assert_int_equal(k_join(p, K_FOREVER, &r), 0);
    assert_int_equal(I(r.value), -EPIPE);
    return NULL;
}

static void test_chan_put_woken_by_close(void **state)
{
    (void)state;
    unit_run(main_chan_close_then_free, NULL);
}

/* freeing it while the woken putter has not run is refused, loudly */
static void *main_chan_free_too_early(void *arg)
{
    (void)arg;
    full_chan_with_putter();
    k_chan_close(chan);
    k_chan_free(chan);                         /* panics */
    return NULL;
}

/* the same for a getter woken by a put, and a timeout's waker */
static k_queue_t queue;
static void *getter(void *arg)
{
    uint32_t v;
    return V(k_queue_get(&queue, &v, K_MSEC((int)I(arg))));
}

static void *main_queue_free_too_early(void *arg)
{
    uint32_t buf[1], v = 5;
    (void)arg;
    k_queue_init(&queue, buf, sizeof(uint32_t), 1);
    k_task_spawn("get", getter, V(1000), STACK);
    k_yield();
    assert_int_equal(k_queue_put(&queue, &v, K_NO_WAIT), 0);   /* handed over: woken */
    k_queue_free(&queue);                      /* panics */
    return NULL;
}

static void test_free_with_woken_waiter_panics(void **state)
{
    (void)state;
    char buf[256];
    panic_of(main_chan_free_too_early, buf, sizeof(buf));
    assert_non_null(strstr(buf, "k_queue_free: tasks still wait on the queue, or were woken"));
    panic_of(main_queue_free_too_early, buf, sizeof(buf));
    assert_non_null(strstr(buf, "k_queue_free"));
}

/* put timing out, or cancelled before it even blocks: the count comes back, once */
static void *main_chan_put_aborts(void *arg)
{
    k_result_t r;
    uint32_t v = 1;
    (void)arg;
    chan = malloc(sizeof(*chan));
    assert_int_equal(k_chan_alloc(chan, sizeof(uint32_t), 1), 0);
    assert_int_equal(k_chan_put(chan, &v, K_NO_WAIT), 0);
    assert_int_equal(k_chan_put(chan, &v, K_NO_WAIT), -EAGAIN);
    assert_int_equal(chan->unfinished, 1);
    assert_int_equal(k_chan_put(chan, &v, K_MSEC(10)), -ETIMEDOUT);
    assert_int_equal(chan->unfinished, 1);
    k_task_t *p = k_task_spawn("put", putter, V(2), STACK);
    k_task_cancel(p);                          /* pending: its first wait returns at once */
    assert_int_equal(k_join(p, K_FOREVER, &r), 0);
    assert_int_equal(I(r.value), -ECANCELED);
    assert_int_equal(chan->unfinished, 1);
    assert_int_equal(k_chan_get(chan, &v, K_NO_WAIT), 0);
    assert_int_equal(k_chan_task_done(chan), 0);
    assert_int_equal(k_chan_join(chan, K_NO_WAIT), 0);
    k_chan_free(chan);
    free(chan);
    return NULL;
}

static void test_chan_put_aborts_give_count_back(void **state)
{
    (void)state;
    unit_run(main_chan_put_aborts, NULL);
}

/* --- bug 3: a task that yields in a loop must not starve a sleeper ---------------------- */

static uint64_t woke_at;
/* Sleeps arg ms, then notes when it woke. */
static void *sleeps(void *arg)
{
    k_sleep_ms((uint32_t)I(arg));
    woke_at = k_uptime_ms();
    return NULL;
}

/* A task that only computes and yields: steps times, step_ms of virtual time each. */
static struct { uint32_t sleep_ms, step_ms, steps; } spin;
static void *spins(void *arg)
{
    (void)arg;
    for (uint32_t i = 0; i < spin.steps; i++) {
        host_advance_ms(spin.step_ms);         /* work, then a yield */
        k_yield();
    }
    return NULL;
}

static void *main_sleeper_beside_spinner(void *arg)
{
    (void)arg;
    k_task_t *s = k_task_spawn("sleeper", sleeps, V(spin.sleep_ms), STACK);
    k_task_t *y = k_task_spawn("spinner", spins, NULL, STACK);
    assert_int_equal(k_join(s, K_FOREVER, NULL), 0);
    assert_int_equal(k_join(y, K_FOREVER, NULL), 0);
    return NULL;
}

/* When a sleep of sleep_ms woke, beside a task spinning steps x step_ms. */
static uint64_t sleeper_beside_spinner(uint32_t sleep_ms, uint32_t step_ms, uint32_t steps)
{
    spin.sleep_ms = sleep_ms;
    spin.step_ms = step_ms;
    spin.steps = steps;
    woke_at = 0;
    unit_run(main_sleeper_beside_spinner, NULL);
    return woke_at;
}

static void test_yield_loop_does_not_starve_sleepers(void **state)
{
    (void)state;
    /* 5,000 steps of 1 ms; the host clock's resolution is 0: within 1 ms (one step) */
    assert_in_range(sleeper_beside_spinner(100, 1, 5000), 100, 101);
}

/* a deadline further than a board's timer counts (the host's, as the LM3S's: 85 s) is
 * armed in steps (60 s), each re-armed when it passes, so a spinning task cannot starve it
 * either (armed for the whole 90 s, the timer fires at 85 s and nothing re-arms it) */
static void test_long_deadline_armed_in_steps(void **state)
{
    (void)state;
    /* 1,000 steps of 100 ms: not at the spinner's end, 100,000 */
    assert_in_range(sleeper_beside_spinner(90000, 100, 1000), 90000, 90100);
}

/* the idle task's halt arms in steps too: a 100 s sleep alone is two halts, 60 s then 40 s
 * (armed for 100 s, the host's timer, like the LM3S's, fires at 85 s, and what was armed
 * then would be stale: a task that yields from there on starves the sleeper) */
static void *main_long_sleep_idle(void *arg)
{
    struct k_idle_stats st;
    (void)arg;
    k_sleep_ms(100000);
    k_idle_stats(&st);
    assert_int_equal(k_uptime_ms(), 100000);
    assert_int_equal(st.timed_halts, 2);
    assert_int_equal(st.last_wait_ms, 40000);
    return NULL;
}

static void test_halt_armed_in_steps(void **state)
{
    (void)state;
    unit_run(main_long_sleep_idle, NULL);
}

/* where deadlines are made: only one that becomes the earliest arms the timer; later ones
 * go to the tail without a walk or an arm */
static void *main_arming(void *arg)
{
    (void)arg;
    k_task_t *a = k_task_spawn("a", sleeps, V(100), STACK);
    k_yield();                                 /* a sleeps: the earliest, armed */
    assert_int_equal(host_armed_ms, 100);
    unsigned long arms = host_timer_arms;
    k_task_t *b[8];
    for (int i = 0; i < 8; i++)
        b[i] = k_task_spawn("b", ends_with, V(-EIO), STACK);   /* 5 ms sleeps: earlier */
    k_yield();
    assert_int_equal(host_timer_arms, arms + 1);               /* armed once for 5 ms */
    assert_int_equal(host_armed_ms, 5);
    assert_int_equal(k_sleep_ms(200), 0);      /* later than all: no arm */
    for (int i = 0; i < 8; i++)
        assert_int_equal(k_join(b[i], K_FOREVER, NULL), 0);
    assert_int_equal(k_join(a, K_FOREVER, NULL), 0);
    return NULL;
}

static void test_timer_armed_where_deadlines_are_made(void **state)
{
    (void)state;
    host_armed_ms = UINT64_MAX;
    unit_run(main_arming, NULL);
}

/* --- lesser: k_run frees the tasks left over, off the queues of objects that outlive it -- */

static k_sem_t outliving;
static void *blocks_forever(void *arg)
{
    (void)arg;
    return V(k_sem_take(&outliving, K_FOREVER));
}

static void *main_leaves_a_waiter(void *arg)
{
    (void)arg;
    k_sem_init(&outliving, 0, 1);
    k_task_spawn("left", blocks_forever, NULL, STACK);
    k_task_spawn("sleeper", sleeps, V(100), STACK);
    k_yield();
    return NULL;
}

static void test_run_unlinks_leftover_tasks(void **state)
{
    (void)state;
    unit_run(main_leaves_a_waiter, NULL);
    /* no freed task on the semaphore's queue: a give after k_run touches nothing freed */
    assert_int_equal(k_sem_give(&outliving), 0);
    assert_int_equal(outliving.count, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_wait_for_task_error_is_not_a_timeout, unit_setup),
        cmocka_unit_test_setup(test_chan_put_woken_by_close, unit_setup),
        cmocka_unit_test_setup(test_free_with_woken_waiter_panics, unit_setup),
        cmocka_unit_test_setup(test_chan_put_aborts_give_count_back, unit_setup),
        cmocka_unit_test_setup(test_yield_loop_does_not_starve_sleepers, unit_setup),
        cmocka_unit_test_setup(test_timer_armed_where_deadlines_are_made, unit_setup),
        cmocka_unit_test_setup(test_long_deadline_armed_in_steps, unit_setup),
        cmocka_unit_test_setup(test_halt_armed_in_steps, unit_setup),
        cmocka_unit_test_setup(test_run_unlinks_leftover_tasks, unit_setup),
    };
    return cmocka_run_group_tests_name("lifetime", tests, NULL, NULL);
}
