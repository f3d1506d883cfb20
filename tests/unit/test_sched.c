/* test_sched.c - tasks and the scheduler: run order, fairness, sleep, join, spawn limits,
 * stack overflow detection, many tasks. Runs on the host build with a virtual clock. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "k_internal.h"
#include "unit.h"

/* --- run order and fairness ------------------------------------------------------ */

static void *yielder(void *arg)
{
    for (int i = 0; i < 3; i++) {
        mark(arg);
        k_yield();
    }
    return NULL;
}

static void *main_order(void *arg)
{
    (void)arg;
    k_task_t *a = k_task_spawn("a", yielder, "a", STACK);
    k_task_t *b = k_task_spawn("b", yielder, "b", STACK);
    k_task_t *c = k_task_spawn("c", yielder, "c", STACK);
    mark("m");   /* spawned tasks have not run yet */
    assert_int_equal(k_join(a, K_FOREVER, NULL), 0);
    assert_int_equal(k_join(b, K_FOREVER, NULL), 0);
    assert_int_equal(k_join(c, K_FOREVER, NULL), 0);
    return NULL;
}

static void test_sched_round_robin(void **state)
{
    (void)state;
    unit_run(main_order, NULL);
    assert_string_equal(trace, "mabcabcabc");
}

static void *counter(void *arg)
{
    unsigned long *n = arg;
    for (;;) {
        (*n)++;
        k_yield();
        if (*n >= 10000)
            return NULL;
    }
}

static void *main_fair(void *arg)
{
    (void)arg;
    static unsigned long n[4];
    k_task_t *t[4];
    memset(n, 0, sizeof(n));
    for (int i = 0; i < 4; i++)
        t[i] = k_task_spawn("cnt", counter, &n[i], STACK);
    k_sleep_ms(0);
    /* While all run, no task gets more than one turn ahead of another. */
    for (int round = 0; round < 1000; round++) {
        k_yield();
        unsigned long lo = n[0], hi = n[0];
        for (int i = 1; i < 4; i++) {
            lo = n[i] < lo ? n[i] : lo;
            hi = n[i] > hi ? n[i] : hi;
        }
        assert_true(hi - lo <= 1);
    }
    for (int i = 0; i < 4; i++)
        assert_int_equal(k_join(t[i], K_FOREVER, NULL), 0);
    for (int i = 0; i < 4; i++)
        assert_int_equal(n[i], 10000);
    return NULL;
}

static void test_sched_fairness(void **state)
{
    (void)state;
    unit_run(main_fair, NULL);
}

static void *yield_alone(void *arg)
{
    (void)arg;
    uint32_t before = 0;
    k_yield(); /* nothing else ready: returns at once */
    return (void *)(uintptr_t)(before + 1);
}

static void test_sched_yield_alone(void **state)
{
    (void)state;
    assert_ptr_equal(unit_run(yield_alone, NULL), (void *)1);
}

/* --- sleep ordering by deadline ---------------------------------------------------- */

struct sleeper { const char *tag; uint32_t ms; uint64_t woke; };

static void *sleeper(void *arg)
{
    struct sleeper *s = arg;
    assert_int_equal(k_sleep_ms(s->ms), 0);
    s->woke = k_uptime_ms();
    mark(s->tag);
    return NULL;
}

static void *main_sleep(void *arg)
{
    (void)arg;
    static struct sleeper s[] = {
        { "d", 40, 0 }, { "a", 10, 0 }, { "c", 30, 0 }, { "b", 20, 0 }, { "B", 20, 0 }, { "z", 0, 0 },
    };
    k_task_t *t[6];
    for (int i = 0; i < 6; i++)
        t[i] = k_task_spawn(s[i].tag, sleeper, &s[i], STACK);
    for (int i = 0; i < 6; i++)
        assert_int_equal(k_join(t[i], K_FOREVER, NULL), 0);
    for (int i = 0; i < 6; i++)
        assert_int_equal(s[i].woke, s[i].ms);
    return NULL;
}

static void test_sched_sleep_order(void **state)
{
    (void)state;
    unit_run(main_sleep, NULL);
    /* by deadline; equal deadlines in the order they went to sleep; sleep(0) just yields */
    assert_string_equal(trace, "zabBcd");
    assert_int_equal(host_now_ms, 40);
}

/* --- join ---------------------------------------------------------------------------- */

static void *ret_arg(void *arg) { return arg; }
static void *exit_arg(void *arg) { k_task_exit(arg); }
static void *sleep_then_ret(void *arg) { k_sleep_ms(100); return arg; }

static void *main_join(void *arg)
{
    (void)arg;
    k_result_t r = { 0, NULL };
    k_task_t *a = k_task_spawn("ret", ret_arg, (void *)0x1234, STACK);
    k_task_t *b = k_task_spawn("exit", exit_arg, (void *)0x5678, STACK);
    k_task_t *c = k_task_spawn("slow", sleep_then_ret, (void *)0x9abc, STACK);

    assert_int_equal(k_join(a, K_FOREVER, &r), 0);
    assert_ptr_equal(r.value, (void *)0x1234);
    assert_int_equal(k_join(b, K_NO_WAIT, &r), 0);          /* already exited: no wait needed */
    assert_ptr_equal(r.value, (void *)0x5678);

    assert_int_equal(k_join(c, K_NO_WAIT, &r), -EAGAIN);
    assert_int_equal(k_join(c, K_MSEC(30), &r), -ETIMEDOUT);
    assert_int_equal(k_uptime_ms(), 30);
    assert_int_equal(k_join(c, K_MSEC(50), &r), -ETIMEDOUT); /* still joinable after a timeout */
    assert_int_equal(k_join(c, K_MSEC(1000), &r), 0);
    assert_ptr_equal(r.value, (void *)0x9abc);
    assert_int_equal(k_uptime_ms(), 100);           /* woken at its exit, not at the timeout */

    assert_int_equal(k_join(NULL, K_FOREVER, &r), -EINVAL);
    assert_int_equal(k_join(k_current(), K_FOREVER, &r), -EDEADLK);
    return (void *)0x42;
}

static void test_sched_join(void **state)
{
    (void)state;
    assert_ptr_equal(unit_run(main_join, NULL), (void *)0x42);
}

static k_task_t *target;
static void *second_joiner(void *arg)
{
    (void)arg;
    return (void *)(intptr_t)k_join(target, K_FOREVER, NULL);
}

static void *main_join_busy(void *arg)
{
    (void)arg;
    k_result_t r;
    target = k_task_spawn("slow", sleep_then_ret, NULL, STACK);
    k_task_t *j = k_task_spawn("j2", second_joiner, NULL, STACK);
    k_yield(); /* j2 is now joining target */
    assert_int_equal(k_join(target, K_FOREVER, NULL), -EBUSY);
    assert_int_equal(k_join(j, K_FOREVER, &r), 0);
    assert_int_equal((intptr_t)r.value, 0);
    return NULL;
}

static void test_sched_join_busy(void **state)
{
    (void)state;
    unit_run(main_join_busy, NULL);
}

static void *main_detach(void *arg)
{
    (void)arg;
    k_task_t *a = k_task_spawn("d1", ret_arg, NULL, STACK);
    k_task_t *b = k_task_spawn("d2", sleep_then_ret, NULL, STACK);
    assert_int_equal(k_task_detach(a), 0);
    assert_int_equal(k_task_detach(a), -EINVAL);
    assert_int_equal(k_join(a, K_FOREVER, NULL), -EINVAL);
    assert_int_equal(k_task_detach(b), 0);
    k_sleep_ms(200); /* both exit and are freed by the idle task (valgrind checks leaks) */
    return NULL;
}

static void test_sched_detach(void **state)
{
    (void)state;
    unit_run(main_detach, NULL);
}

/* --- deadlock and leftovers ------------------------------------------------------------ */

static void *block_forever(void *arg)
{
    k_sem_t s;
    (void)arg;
    k_sem_init(&s, 0, 1);
    k_sem_take(&s, K_FOREVER);
    return NULL;
}

static void test_sched_deadlock_reported(void **state)
{
    (void)state;
    assert_int_equal(k_run(block_forever, NULL, STACK, NULL), -EDEADLK);
}

/* --- spawn errors and memory exhaustion ------------------------------------------------ */

static void *main_spawn_errors(void *arg)
{
    (void)arg;
    errno = 0;
    assert_null(k_task_spawn("x", NULL, NULL, STACK));
    assert_int_equal(errno, EINVAL);
    assert_null(k_task_spawn("x", ret_arg, NULL, K_STACK_MIN - 1));
    assert_int_equal(errno, EINVAL);

    /* Spawn until memory runs out: a clean NULL/ENOMEM, and everything still works. */
    static k_task_t *t[4096];
    int n = 0;
    host_malloc_budget = 64 * 4096;
    for (;;) {
        errno = 0;
        k_task_t *x = k_task_spawn("oom", ret_arg, (void *)(intptr_t)n, 4096);
        if (!x) {
            assert_int_equal(errno, ENOMEM);
            break;
        }
        assert_true(n < 4096);
        t[n++] = x;
    }
    assert_in_range(n, 50, 64);
    for (int i = 0; i < n; i++) {
        k_result_t r;
        assert_int_equal(k_join(t[i], K_FOREVER, &r), 0);
        assert_int_equal((intptr_t)r.value, i);
    }
    host_malloc_budget = SIZE_MAX;
    k_task_t *again = k_task_spawn("again", ret_arg, (void *)7, 4096);
    assert_non_null(again);
    k_result_t r;
    assert_int_equal(k_join(again, K_FOREVER, &r), 0);
    assert_int_equal((intptr_t)r.value, 7);
    return NULL;
}

static void test_sched_spawn_until_oom(void **state)
{
    (void)state;
    unit_run(main_spawn_errors, NULL);
}

static void test_sched_run_without_memory(void **state)
{
    (void)state;
    host_malloc_budget = 100;
    assert_int_equal(k_run(ret_arg, NULL, STACK, NULL), -ENOMEM);
    host_malloc_budget = SIZE_MAX;
}

/* --- stack overflow and high-water ------------------------------------------------------- */

static void test_scribble_guard(void);
static void *overflow_task(void *arg)
{
    char buf[64];
    (void)arg;
    /* Write over the guard words at the stack's low end, as an overflow would. */
    test_scribble_guard();
    memset(buf, 1, sizeof(buf));
    k_yield();
    return NULL;
}

static void test_scribble_guard(void)
{
    memset(k_current()->guard, 0x55, K_GUARD_WORDS * sizeof(uint32_t));
}

static void *main_overflow(void *arg)
{
    (void)arg;
    k_task_t *t = k_task_spawn("smasher", overflow_task, NULL, STACK);
    k_join(t, K_FOREVER, NULL);
    return NULL;
}

static void test_sched_overflow_detected(void **state)
{
    (void)state;
    char buf[256];
    panic_of(main_overflow, buf, sizeof(buf));
    assert_non_null(strstr(buf, "stack overflow"));
    assert_non_null(strstr(buf, "'smasher'"));
}

/* A wait primitive with a bug: it marks a ready task blocked but leaves it queued (a lost
 * dequeue). The switch checks catch it when the scheduler picks that task. */
static void *main_corrupt_state(void *arg)
{
    (void)arg;
    k_task_t *t = k_task_spawn("victim", ret_arg, NULL, STACK);
    t->state = K_BLOCKED;
    k_yield();
    return NULL;
}

/* A double wake: waking a task that is already ready would queue it twice. */
static void *main_double_wake(void *arg)
{
    (void)arg;
    struct k_waitq wq;
    z_waitq_init(&wq);
    k_task_t *t = k_task_spawn("victim", ret_arg, NULL, STACK);
    k_list_append(&wq.tasks, &t->link);        /* the bug: a ready task on a wait queue */
    z_waitq_wake_one(&wq, 0);
    return NULL;
}

static void test_sched_switch_checks_catch_corruption(void **state)
{
    (void)state;
    char buf[256];
    panic_of(main_corrupt_state, buf, sizeof(buf));
    assert_non_null(strstr(buf, "assertion failed: next == &z_k.idle"));
    panic_of(main_double_wake, buf, sizeof(buf));
    assert_non_null(strstr(buf, "assertion failed: t->state == K_BLOCKED"));
}

struct peak { size_t used; };
static int find_peak(const struct k_task_info *i, void *ctx)
{
    if (strcmp(i->name, "deep") == 0) {
        ((struct peak *)ctx)->used = i->stack_peak;
        assert_int_equal(i->stack_size, 8192);
        return 1;
    }
    return 0;
}

static void *use_stack(void *arg)
{
    volatile char big[3000];
    memset((char *)big, 7, sizeof(big));
    k_sem_take(arg, K_FOREVER);
    return (void *)(uintptr_t)big[5];
}

static void *main_peak(void *arg)
{
    (void)arg;
    k_sem_t s;
    struct peak p = { 0 };
    k_sem_init(&s, 0, 1);
    k_task_t *t = k_task_spawn("deep", use_stack, &s, 8192);
    k_yield();
    assert_int_equal(k_task_foreach(find_peak, &p), 1);
#if defined(__SANITIZE_ADDRESS__)
    assert_in_range(p.used, 3000, 8000);   /* ASan's redzones and frame records add to frames */
#else
    assert_in_range(p.used, 3000, 4000);
#endif
    k_sem_give(&s);
    assert_int_equal(k_join(t, K_FOREVER, NULL), 0);
    return NULL;
}

static void test_sched_stack_high_water(void **state)
{
    (void)state;
    unit_run(main_peak, NULL);
}

/* --- many tasks --------------------------------------------------------------------------- */

static unsigned long woken;
static void *many(void *arg)
{
    k_sleep_ms((uint32_t)(uintptr_t)arg % 97);
    k_yield();
    woken++;
    return arg;
}

static int count_tasks(const struct k_task_info *i, void *ctx)
{
    (void)i;
    (*(int *)ctx)++;
    return 0;
}

static void *main_many(void *arg)
{
    (void)arg;
    static k_task_t *t[1000];
    woken = 0;
    for (int i = 0; i < 1000; i++) {
        t[i] = k_task_spawn("many", many, (void *)(uintptr_t)i, 4096);
        assert_non_null(t[i]);
    }
    int live = 0;
    k_task_foreach(count_tasks, &live);
    assert_int_equal(live, 1002); /* idle, main and the 1000 */
    for (int i = 0; i < 1000; i++) {
        k_result_t r;
        assert_int_equal(k_join(t[i], K_FOREVER, &r), 0);
        assert_int_equal((uintptr_t)r.value, i);
    }
    assert_int_equal(woken, 1000);
    assert_int_equal(k_uptime_ms(), 96);
    return NULL;
}

static void test_sched_1000_tasks(void **state)
{
    (void)state;
    unit_run(main_many, NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_sched_round_robin, unit_setup),
        cmocka_unit_test_setup(test_sched_fairness, unit_setup),
        cmocka_unit_test_setup(test_sched_yield_alone, unit_setup),
        cmocka_unit_test_setup(test_sched_sleep_order, unit_setup),
        cmocka_unit_test_setup(test_sched_join, unit_setup),
        cmocka_unit_test_setup(test_sched_join_busy, unit_setup),
        cmocka_unit_test_setup(test_sched_detach, unit_setup),
        cmocka_unit_test_setup(test_sched_deadlock_reported, unit_setup),
        cmocka_unit_test_setup(test_sched_spawn_until_oom, unit_setup),
        cmocka_unit_test_setup(test_sched_run_without_memory, unit_setup),
        cmocka_unit_test_setup(test_sched_overflow_detected, unit_setup),
        cmocka_unit_test_setup(test_sched_switch_checks_catch_corruption, unit_setup),
        cmocka_unit_test_setup(test_sched_stack_high_water, unit_setup),
        cmocka_unit_test_setup(test_sched_1000_tasks, unit_setup),
    };
    return cmocka_run_group_tests_name("sched", tests, NULL, NULL);
}
