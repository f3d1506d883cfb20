/* test_queue.c - bounded message queues: FIFO, blocking on full and empty, timeouts,
 * hand-over order, errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "unit.h"

static void run(void *(*fn)(void *)) { unit_run(fn, NULL); }

struct msg { uint32_t seq; char text[12]; };

static void *main_fifo(void *arg)
{
    (void)arg;
    k_queue_t q;
    struct msg buf[3], m;
    assert_int_equal(k_queue_init(&q, buf, sizeof(struct msg), 0), -EINVAL);
    assert_int_equal(k_queue_init(&q, NULL, sizeof(struct msg), 3), -EINVAL);
    assert_int_equal(k_queue_init(&q, buf, sizeof(struct msg), 3), 0);
    for (uint32_t i = 0; i < 3; i++) {
        struct msg x = { i, "" };
        snprintf(x.text, sizeof(x.text), "m%u", (unsigned)i);
        assert_int_equal(k_queue_put(&q, &x, K_NO_WAIT), 0);
    }
    struct msg extra = { 99, "x" };
    assert_int_equal(k_queue_put(&q, &extra, K_NO_WAIT), -EAGAIN);
    assert_int_equal(k_queue_count(&q), 3);
    for (uint32_t i = 0; i < 3; i++) {
        assert_int_equal(k_queue_get(&q, &m, K_NO_WAIT), 0);
        assert_int_equal(m.seq, i);
    }
    assert_int_equal(k_queue_get(&q, &m, K_NO_WAIT), -EAGAIN);
    /* wrap around the ring */
    for (uint32_t round = 0; round < 10; round++) {
        struct msg x = { round, "" };
        assert_int_equal(k_queue_put(&q, &x, K_NO_WAIT), 0);
        assert_int_equal(k_queue_put(&q, &x, K_NO_WAIT), 0);
        assert_int_equal(k_queue_get(&q, &m, K_NO_WAIT), 0);
        assert_int_equal(m.seq, round);
        assert_int_equal(k_queue_get(&q, &m, K_NO_WAIT), 0);
    }
    return NULL;
}

static void test_queue_fifo(void **state)
{
    (void)state;
    run(main_fifo);
}

static k_queue_t q;

static void *producer(void *arg)
{
    uint32_t base = (uint32_t)(uintptr_t)arg;
    for (uint32_t i = 0; i < 100; i++) {
        uint32_t v = base + i;
        assert_int_equal(k_queue_put(&q, &v, K_FOREVER), 0);
    }
    return NULL;
}

static void *consumer(void *arg)
{
    uint32_t *sum = arg, v, last[2] = { 0, 1000 };
    for (int i = 0; i < 100; i++) {
        assert_int_equal(k_queue_get(&q, &v, K_FOREVER), 0);
        /* each producer's values arrive in the order it put them */
        int p = v >= 1000;
        assert_true(v >= last[p]);
        last[p] = v;
        *sum += v;
    }
    return NULL;
}

static void *main_blocking(void *arg)
{
    (void)arg;
    uint32_t sums[2] = { 0, 0 };
    assert_int_equal(k_queue_alloc(&q, sizeof(uint32_t), 2), 0);
    k_task_t *t[4] = {
        k_task_spawn("c1", consumer, &sums[0], STACK),
        k_task_spawn("p1", producer, (void *)0, STACK),
        k_task_spawn("p2", producer, (void *)1000, STACK),
        k_task_spawn("c2", consumer, &sums[1], STACK),
    };
    for (int i = 0; i < 4; i++)
        assert_int_equal(k_join(t[i], K_FOREVER, NULL), 0);
    /* nothing lost, nothing duplicated */
    assert_int_equal(sums[0] + sums[1], 2 * 4950 + 100 * 1000);
    assert_int_equal(k_queue_count(&q), 0);
    k_queue_free(&q);
    return NULL;
}

static void test_queue_blocking_producers_consumers(void **state)
{
    (void)state;
    run(main_blocking);
}

static void *late_put(void *arg)
{
    uint32_t v = 7;
    k_sleep_ms(40);
    return (void *)(intptr_t)k_queue_put(arg, &v, K_NO_WAIT);
}

static void *main_timeouts(void *arg)
{
    (void)arg;
    k_queue_t qq;
    uint32_t buf[1], v = 1;
    k_queue_init(&qq, buf, sizeof(uint32_t), 1);
    assert_int_equal(k_queue_get(&qq, &v, K_MSEC(15)), -ETIMEDOUT);
    assert_int_equal(k_uptime_ms(), 15);
    assert_int_equal(k_queue_put(&qq, &v, K_MSEC(15)), 0);
    assert_int_equal(k_queue_put(&qq, &v, K_MSEC(20)), -ETIMEDOUT);
    assert_int_equal(k_uptime_ms(), 35);
    assert_int_equal(k_queue_get(&qq, &v, K_NO_WAIT), 0);
    /* a get that waits is served by a put arriving before its timeout */
    k_task_t *t = k_task_spawn("late", late_put, &qq, STACK);
    v = 0;
    assert_int_equal(k_queue_get(&qq, &v, K_MSEC(100)), 0);
    assert_int_equal(v, 7);
    assert_int_equal(k_uptime_ms(), 75);
    k_result_t r;
    k_join(t, K_FOREVER, &r);
    assert_int_equal((intptr_t)r.value, 0);
    assert_int_equal(k_queue_count(&qq), 0);   /* handed over, not left in the ring */
    return NULL;
}

static void test_queue_timeouts(void **state)
{
    (void)state;
    run(main_timeouts);
}

static void *main_alloc_fail(void *arg)
{
    (void)arg;
    k_queue_t qq;
    assert_int_equal(k_queue_alloc(&qq, 0, 4), -EINVAL);
    assert_int_equal(k_queue_alloc(&qq, SIZE_MAX / 2, 4), -EINVAL);
    host_malloc_budget = 10;
    assert_int_equal(k_queue_alloc(&qq, 8, 4), -ENOMEM);
    host_malloc_budget = SIZE_MAX;
    return NULL;
}

static void test_queue_alloc_errors(void **state)
{
    (void)state;
    run(main_alloc_fail);
}

/* k_queue_grow: messages keep their order across a wrapped ring; errors leave it as it was */
static void *main_grow(void *arg)
{
    (void)arg;
    k_queue_t gq, fixed;
    uint32_t v, buf[2];
    assert_int_equal(k_queue_alloc(&gq, sizeof(uint32_t), 4), 0);
    for (v = 0; v < 4; v++)
        assert_int_equal(k_queue_put(&gq, &v, K_NO_WAIT), 0);
    for (uint32_t i = 0; i < 3; i++) {          /* head now at 3: the ring is wrapped */
        assert_int_equal(k_queue_get(&gq, &v, K_NO_WAIT), 0);
        assert_int_equal(v, i);
    }
    for (v = 4; v < 7; v++)
        assert_int_equal(k_queue_put(&gq, &v, K_NO_WAIT), 0);
    assert_int_equal(k_queue_put(&gq, &v, K_NO_WAIT), -EAGAIN);   /* full: 3,4,5,6 */
    assert_int_equal(k_queue_grow(&gq, 3), -EINVAL);               /* smaller */
    host_malloc_budget = 1;
    assert_int_equal(k_queue_grow(&gq, 64), -ENOMEM);
    host_malloc_budget = SIZE_MAX;
    assert_int_equal(k_queue_count(&gq), 4);
    assert_int_equal(k_queue_grow(&gq, 4), 0);                     /* same: nothing to do */
    assert_int_equal(k_queue_grow(&gq, 8), 0);
    for (v = 7; v < 11; v++)
        assert_int_equal(k_queue_put(&gq, &v, K_NO_WAIT), 0);
    assert_int_equal(k_queue_put(&gq, &v, K_NO_WAIT), -EAGAIN);
    for (uint32_t i = 3; i < 11; i++) {
        assert_int_equal(k_queue_get(&gq, &v, K_NO_WAIT), 0);
        assert_int_equal(v, i);
    }
    k_queue_free(&gq);
    assert_int_equal(k_queue_init(&fixed, buf, sizeof(uint32_t), 2), 0);
    assert_int_equal(k_queue_grow(&fixed, 4), -EINVAL);           /* not k_queue_alloc's */
    return NULL;
}

static void test_queue_grow(void **state)
{
    (void)state;
    run(main_grow);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_queue_fifo, unit_setup),
        cmocka_unit_test_setup(test_queue_blocking_producers_consumers, unit_setup),
        cmocka_unit_test_setup(test_queue_timeouts, unit_setup),
        cmocka_unit_test_setup(test_queue_alloc_errors, unit_setup),
        cmocka_unit_test_setup(test_queue_grow, unit_setup),
    };
    return cmocka_run_group_tests_name("queue", tests, NULL, NULL);
}
