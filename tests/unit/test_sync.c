/* test_sync.c - semaphores and mutexes: counting, limits, FIFO hand-over, timeouts
 * against the virtual clock, ownership errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "unit.h"

static void run(void *(*fn)(void *)) { unit_run(fn, NULL); }

/* --- semaphores --------------------------------------------------------------------- */

static void *main_sem_counting(void *arg)
{
    (void)arg;
    k_sem_t s;
    assert_int_equal(k_sem_init(&s, 0, 0), -EINVAL);
    assert_int_equal(k_sem_init(&s, 3, 2), -EINVAL);
    assert_int_equal(k_sem_init(&s, 2, 3), 0);
    assert_int_equal(k_sem_take(&s, K_NO_WAIT), 0);
    assert_int_equal(k_sem_take(&s, K_NO_WAIT), 0);
    assert_int_equal(k_sem_take(&s, K_NO_WAIT), -EAGAIN);
    assert_int_equal(k_sem_give(&s), 0);
    assert_int_equal(k_sem_give(&s), 0);
    assert_int_equal(k_sem_give(&s), 0);
    assert_int_equal(k_sem_give(&s), -EOVERFLOW);   /* at its limit: nothing changes */
    assert_int_equal(s.count, 3);
    return NULL;
}

static void test_sync_sem_counting(void **state)
{
    (void)state;
    run(main_sem_counting);
}

static k_sem_t sem;
static void *sem_waiter(void *arg)
{
    int rc = k_sem_take(&sem, K_FOREVER);
    assert_int_equal(rc, 0);
    mark(arg);
    return NULL;
}

static void *main_sem_fifo(void *arg)
{
    (void)arg;
    k_sem_init(&sem, 0, 10);
    k_task_t *t[3] = {
        k_task_spawn("w1", sem_waiter, "1", STACK),
        k_task_spawn("w2", sem_waiter, "2", STACK),
        k_task_spawn("w3", sem_waiter, "3", STACK),
    };
    k_yield(); /* all three now wait, in order */
    assert_int_equal(k_sem_give(&sem), 0);
    /* The unit went to w1: a take right after the give finds the count still 0. */
    assert_int_equal(k_sem_take(&sem, K_NO_WAIT), -EAGAIN);
    assert_int_equal(k_sem_give(&sem), 0);
    assert_int_equal(k_sem_give(&sem), 0);
    for (int i = 0; i < 3; i++)
        assert_int_equal(k_join(t[i], K_FOREVER, NULL), 0);
    assert_int_equal(sem.count, 0);
    return NULL;
}

static void test_sync_sem_fifo_handover(void **state)
{
    (void)state;
    run(main_sem_fifo);
    assert_string_equal(trace, "123");
}

static void *main_sem_timeout(void *arg)
{
    (void)arg;
    k_sem_t s;
    k_sem_init(&s, 0, 1);
    assert_int_equal(k_sem_take(&s, K_MSEC(25)), -ETIMEDOUT);
    assert_int_equal(k_uptime_ms(), 25);
    assert_int_equal(k_sem_take(&s, K_NO_WAIT), -EAGAIN);
    assert_int_equal(k_uptime_ms(), 25);
    /* After a timeout the semaphore is intact. */
    assert_int_equal(k_sem_give(&s), 0);
    assert_int_equal(k_sem_take(&s, K_MSEC(5)), 0);
    return NULL;
}

/* k_timeout_t: K_MSEC clamps a negative bound to no wait and a huge one to INT32_MAX ms;
 * K_FOREVER is none of those values. */
static void *main_timeout_values(void *arg)
{
    (void)arg;
    k_sem_t s;
    int32_t neg = -5;
    uint64_t huge = 1ull << 40;
    k_sem_init(&s, 0, 1);
    assert_true(K_TIMEOUT_EQ(K_MSEC(neg), K_NO_WAIT));
    assert_true(K_TIMEOUT_EQ(K_MSEC(0), K_NO_WAIT));
    assert_int_equal(K_MSEC(huge).ms, INT32_MAX);
    assert_int_equal(K_SECONDS(3).ms, 3000);
    assert_false(K_TIMEOUT_EQ(K_MSEC(1), K_FOREVER));
    assert_false(K_TIMEOUT_EQ(K_MSEC(neg), K_FOREVER));
    assert_int_equal(k_sem_take(&s, K_MSEC(neg)), -EAGAIN);       /* no wait, no clock */
    assert_int_equal(k_uptime_ms(), 0);
    assert_int_equal(k_sem_take(&s, K_SECONDS(1)), -ETIMEDOUT);
    assert_int_equal(k_uptime_ms(), 1000);
    return NULL;
}

static void test_sync_timeout_values(void **state)
{
    (void)state;
    run(main_timeout_values);
}

static void test_sync_sem_timeout(void **state)
{
    (void)state;
    run(main_sem_timeout);
}

static void *giver_later(void *arg)
{
    k_sleep_ms(10);
    k_sem_give(arg);
    return NULL;
}

static void *main_sem_wake_before_timeout(void *arg)
{
    (void)arg;
    k_sem_t s;
    k_sem_init(&s, 0, 1);
    k_task_t *g = k_task_spawn("giver", giver_later, &s, STACK);
    assert_int_equal(k_sem_take(&s, K_MSEC(100)), 0);
    assert_int_equal(k_uptime_ms(), 10);
    k_join(g, K_FOREVER, NULL);
    /* The cancelled timeout must not fire later: sleep past it. */
    k_sleep_ms(200);
    assert_int_equal(k_uptime_ms(), 210);
    return NULL;
}

static void test_sync_sem_wake_cancels_timeout(void **state)
{
    (void)state;
    run(main_sem_wake_before_timeout);
}

/* --- mutex ------------------------------------------------------------------------------ */

static k_mutex_t mtx;
static int inside, overlaps;

static void *mutex_worker(void *arg)
{
    for (int i = 0; i < 50; i++) {
        assert_int_equal(k_mutex_lock(&mtx, K_FOREVER), 0);
        if (inside++)
            overlaps++;
        k_yield();
        k_yield();
        inside--;
        assert_int_equal(k_mutex_unlock(&mtx), 0);
        if ((uintptr_t)arg & 1)
            k_yield();
    }
    return NULL;
}

static void *main_mutex_exclusion(void *arg)
{
    (void)arg;
    k_task_t *t[4];
    k_mutex_init(&mtx);
    inside = overlaps = 0;
    for (uintptr_t i = 0; i < 4; i++)
        t[i] = k_task_spawn("mw", mutex_worker, (void *)i, STACK);
    for (int i = 0; i < 4; i++)
        assert_int_equal(k_join(t[i], K_FOREVER, NULL), 0);
    assert_int_equal(overlaps, 0);
    assert_null(mtx.owner);
    return NULL;
}

static void test_sync_mutex_exclusion(void **state)
{
    (void)state;
    run(main_mutex_exclusion);
}

static void *try_unlock(void *arg)
{
    return (void *)(intptr_t)k_mutex_unlock(arg);
}

static void *lock_with_timeout(void *arg)
{
    return (void *)(intptr_t)k_mutex_lock(arg, K_MSEC(30));
}

static void *main_mutex_errors(void *arg)
{
    (void)arg;
    k_mutex_t m;
    k_result_t r;
    k_mutex_init(&m);
    assert_int_equal(k_mutex_unlock(&m), -EPERM);
    assert_int_equal(k_mutex_lock(&m, K_FOREVER), 0);
    assert_int_equal(k_mutex_lock(&m, K_FOREVER), -EDEADLK);   /* not recursive */
    k_task_t *t = k_task_spawn("thief", try_unlock, &m, STACK);
    assert_int_equal(k_join(t, K_FOREVER, &r), 0);
    assert_int_equal((intptr_t)r.value, -EPERM);
    t = k_task_spawn("waiter", lock_with_timeout, &m, STACK);
    assert_int_equal(k_join(t, K_FOREVER, &r), 0);
    assert_int_equal((intptr_t)r.value, -ETIMEDOUT);
    assert_int_equal(k_uptime_ms(), 30);
    assert_ptr_equal(m.owner, k_current());
    /* Hand-over: unlock gives the mutex straight to the waiter. */
    t = k_task_spawn("waiter2", lock_with_timeout, &m, STACK);
    k_yield();
    assert_int_equal(k_mutex_unlock(&m), 0);
    assert_ptr_equal(m.owner, t);
    assert_int_equal(k_mutex_lock(&m, K_NO_WAIT), -EAGAIN);
    assert_int_equal(k_join(t, K_FOREVER, &r), 0);
    assert_int_equal((intptr_t)r.value, 0);
    return NULL;
}

static void test_sync_mutex_errors(void **state)
{
    (void)state;
    run(main_mutex_errors);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_sync_sem_counting, unit_setup),
        cmocka_unit_test_setup(test_sync_sem_fifo_handover, unit_setup),
        cmocka_unit_test_setup(test_sync_sem_timeout, unit_setup),
        cmocka_unit_test_setup(test_sync_timeout_values, unit_setup),
        cmocka_unit_test_setup(test_sync_sem_wake_cancels_timeout, unit_setup),
        cmocka_unit_test_setup(test_sync_mutex_exclusion, unit_setup),
        cmocka_unit_test_setup(test_sync_mutex_errors, unit_setup),
    };
    return cmocka_run_group_tests_name("sync", tests, NULL, NULL);
}
