/* test_gen.c - generators against Python's generator protocol (PEP 255, 342, 380):
 * next/send, return values, throw, close, yield from, misuse, blocking inside. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "unit.h"

/* def fib(n): a, b = 0, 1; for _ in range(n): yield a; a, b = b, a + b; return "done" */
static void *fib(k_gen_t *g, void *arg)
{
    intptr_t a = 0, b = 1;
    for (intptr_t i = 0; i < I(arg); i++) {
        if (k_gen_yield(g, V(a), NULL))
            return NULL;
        intptr_t t = a + b;
        a = b;
        b = t;
    }
    return V(-1);
}

static void test_gen_next_and_return_value(void **state)
{
    (void)state;
    k_gen_t *g = k_gen_new(fib, V(10), STACK);
    intptr_t want[] = { 0, 1, 1, 2, 3, 5, 8, 13, 21, 34 };
    k_result_t v;
    for (int i = 0; i < 10; i++) {
        assert_int_equal(k_gen_next(g, &v), K_GEN_YIELDED);
        assert_int_equal(I(v.value), want[i]);
    }
    assert_int_equal(k_gen_next(g, &v), K_GEN_DONE);   /* StopIteration(-1) */
    assert_int_equal(I(v.value), -1);
    assert_int_equal(k_gen_next(g, &v), -EPIPE);           /* exhausted: again StopIteration */
    assert_int_equal(k_gen_send(g, V(5), &v), -EPIPE);
    k_gen_free(g);
}

/* def acc(): total = 0; while True: x = yield total; total += x */
static void *accumulator(k_gen_t *g, void *arg)
{
    intptr_t total = 0;
    void *x;
    (void)arg;
    for (;;) {
        int rc = k_gen_yield(g, V(total), &x);
        if (rc == K_GEN_EXIT)
            return NULL;
        if (rc < 0)
            k_gen_raise(g, rc);
        total += I(x);
    }
}

static void test_gen_send(void **state)
{
    (void)state;
    k_gen_t *g = k_gen_new(accumulator, NULL, STACK);
    k_result_t v = { 0, V(99) };
    /* TypeError: can't send non-None value to a just-started generator */
    assert_int_equal(k_gen_send(g, V(5), &v), -EINVAL);
    assert_int_equal(I(v.value), 99);
    assert_int_equal(k_gen_next(g, &v), K_GEN_YIELDED);   /* primes it */
    assert_int_equal(I(v.value), 0);
    assert_int_equal(k_gen_send(g, V(5), &v), K_GEN_YIELDED);
    assert_int_equal(I(v.value), 5);
    assert_int_equal(k_gen_send(g, V(10), &v), K_GEN_YIELDED);
    assert_int_equal(I(v.value), 15);
    assert_int_equal(k_gen_next(g, &v), K_GEN_YIELDED);    /* next == send(None) */
    assert_int_equal(I(v.value), 15);
    k_gen_free(g);
}

/* handles -EAGAIN by yielding a marker, lets anything else propagate */
static void *catcher(k_gen_t *g, void *arg)
{
    (void)arg;
    for (;;) {
        int rc = k_gen_yield(g, V(1), NULL);
        if (rc == -EAGAIN)
            rc = k_gen_yield(g, V(-EAGAIN), NULL);
        if (rc == K_GEN_EXIT)
            return V(7);
        if (rc < 0)
            k_gen_raise(g, rc);
    }
}

static void test_gen_throw(void **state)
{
    (void)state;
    k_result_t v;
    k_gen_t *g = k_gen_new(catcher, NULL, STACK);
    assert_int_equal(k_gen_next(g, &v), K_GEN_YIELDED);
    assert_int_equal(k_gen_throw(g, -EAGAIN, &v), K_GEN_YIELDED);   /* handled */
    assert_int_equal(I(v.value), -EAGAIN);
    assert_int_equal(k_gen_next(g, &v), K_GEN_YIELDED);
    assert_int_equal(k_gen_throw(g, -EIO, &v), K_GEN_DONE);
    assert_int_equal(v.error, -EIO);                /* not handled */
    assert_int_equal(k_gen_next(g, &v), -EPIPE);                     /* now exhausted */
    assert_int_equal(k_gen_throw(g, -EIO, &v), K_GEN_DONE);
    assert_int_equal(v.error, -EIO);                /* into an exhausted one */
    assert_int_equal(k_gen_throw(g, 5, &v), -EINVAL);                /* not an error code */
    k_gen_free(g);

    g = k_gen_new(catcher, NULL, STACK);
    assert_int_equal(k_gen_throw(g, -ENOENT, &v), K_GEN_DONE);
    assert_int_equal(v.error, -ENOENT);          /* into an unstarted one */
    assert_int_equal(k_gen_next(g, &v), -EPIPE);                     /* never ran, now done */
    k_gen_free(g);
}

static bool cleaned;
static void *cleanup_on_close(k_gen_t *g, void *arg)
{
    (void)arg;
    while (k_gen_yield(g, NULL, NULL) != K_GEN_EXIT)
        ;
    cleaned = true;            /* Python: a finally block */
    return NULL;
}

static void *ignores_close(k_gen_t *g, void *arg)
{
    (void)arg;
    for (int i = 0; i < 1000000; i++)
        k_gen_yield(g, V(1), NULL);     /* whatever it is told */
    return NULL;
}

static void *raises_on_close(k_gen_t *g, void *arg)
{
    (void)arg;
    k_gen_yield(g, NULL, NULL);
    k_gen_raise(g, -EIO);
}

static void test_gen_close(void **state)
{
    (void)state;
    k_result_t v;
    k_gen_t *g = k_gen_new(cleanup_on_close, NULL, STACK);
    assert_int_equal(k_gen_close(g, NULL), 0);     /* unstarted: nothing runs */
    assert_false(cleaned);
    assert_int_equal(k_gen_next(g, &v), -EPIPE);
    assert_int_equal(k_gen_close(g, NULL), 0);     /* closing twice is harmless */
    k_gen_free(g);

    g = k_gen_new(cleanup_on_close, NULL, STACK);
    k_gen_next(g, &v);
    assert_int_equal(k_gen_close(g, NULL), 0);
    assert_true(cleaned);
    assert_int_equal(k_gen_close(g, NULL), 0);
    assert_int_equal(k_gen_next(g, &v), -EPIPE);
    k_gen_free(g);

    g = k_gen_new(ignores_close, NULL, STACK);
    k_gen_next(g, &v);
    assert_int_equal(k_gen_close(g, NULL), -EPROTO);   /* RuntimeError: ignored GeneratorExit */
    k_gen_free(g);                                /* freed anyway, no leak (valgrind) */

    g = k_gen_new(raises_on_close, NULL, STACK);
    k_gen_next(g, &v);
    assert_int_equal(k_gen_close(g, &v), 0);          /* close() raises what it raised */
    assert_int_equal(v.error, -EIO);
    k_gen_free(g);

    g = k_gen_new(fib, V(2), STACK);
    while (k_gen_next(g, &v) == K_GEN_YIELDED)
        ;
    assert_int_equal(k_gen_close(g, NULL), 0);         /* exhausted: harmless */
    k_gen_free(g);
}

/* my_chain from the seeds: def my_chain(*its): for it in its: yield from it */
struct chain { k_gen_t *subs[3]; int n; intptr_t results[3]; };
static void *my_chain(k_gen_t *g, void *arg)
{
    struct chain *c = arg;
    for (int i = 0; i < c->n; i++) {
        k_result_t r;
        int rc = k_gen_yield_from(g, c->subs[i], &r);
        if (rc == K_GEN_EXIT)
            return V(-2);
        if (rc < 0)
            k_gen_raise(g, rc);
        if (r.error)
            k_gen_raise(g, r.error);       /* the sub's error propagates */
        c->results[i] = I(r.value);
    }
    return V(100);
}

static void test_gen_yield_from_next_and_return(void **state)
{
    (void)state;
    struct chain c = { { k_gen_new(fib, V(3), STACK), k_gen_new(fib, V(4), STACK) }, 2, { 0 } };
    k_gen_t *g = k_gen_new(my_chain, &c, STACK);
    intptr_t want[] = { 0, 1, 1, 0, 1, 1, 2 }, got[7];
    k_result_t v;
    for (int i = 0; i < 7; i++) {
        assert_int_equal(k_gen_next(g, &v), K_GEN_YIELDED);
        got[i] = I(v.value);
    }
    assert_memory_equal(got, want, sizeof(want));
    assert_int_equal(k_gen_next(g, &v), K_GEN_DONE);
    assert_int_equal(I(v.value), 100);
    assert_int_equal(c.results[0], -1);       /* each sub's return value */
    assert_int_equal(c.results[1], -1);
    k_gen_free(g);
    k_gen_free(c.subs[0]);
    k_gen_free(c.subs[1]);
}

static void test_gen_yield_from_send_throw_close(void **state)
{
    (void)state;
    k_result_t v;
    struct chain c = { { k_gen_new(accumulator, NULL, STACK) }, 1, { 0 } };
    k_gen_t *g = k_gen_new(my_chain, &c, STACK);
    assert_int_equal(k_gen_next(g, &v), K_GEN_YIELDED);
    assert_int_equal(I(v.value), 0);
    assert_int_equal(k_gen_send(g, V(4), &v), K_GEN_YIELDED);   /* reaches the sub */
    assert_int_equal(I(v.value), 4);
    assert_int_equal(k_gen_send(g, V(6), &v), K_GEN_YIELDED);
    assert_int_equal(I(v.value), 10);
    /* a throw reaches the sub, which re-raises; it propagates out of the chain */
    assert_int_equal(k_gen_throw(g, -EDOM, &v), K_GEN_DONE);
    assert_int_equal(v.error, -EDOM);
    assert_int_equal(k_gen_next(c.subs[0], &v), -EPIPE);
    assert_int_equal(k_gen_next(g, &v), -EPIPE);
    k_gen_free(g);
    k_gen_free(c.subs[0]);

    /* close passes through: the sub is closed (its cleanup runs), then the outer one */
    cleaned = false;
    struct chain d = { { k_gen_new(cleanup_on_close, NULL, STACK) }, 1, { 0 } };
    g = k_gen_new(my_chain, &d, STACK);
    assert_int_equal(k_gen_next(g, &v), K_GEN_YIELDED);
    assert_int_equal(k_gen_close(g, NULL), 0);
    assert_true(cleaned);
    assert_int_equal(k_gen_next(d.subs[0], &v), -EPIPE);
    k_gen_free(g);
    k_gen_free(d.subs[0]);

    /* a handled throw: the sub yields again and the chain goes on */
    struct chain e = { { k_gen_new(catcher, NULL, STACK) }, 1, { 0 } };
    g = k_gen_new(my_chain, &e, STACK);
    k_gen_next(g, &v);
    assert_int_equal(k_gen_throw(g, -EAGAIN, &v), K_GEN_YIELDED);
    assert_int_equal(I(v.value), -EAGAIN);
    assert_int_equal(k_gen_close(g, NULL), 0);
    k_gen_free(g);
    k_gen_free(e.subs[0]);
}

/* a generator that sleeps between yields, driven by a task */
static void *sleepy(k_gen_t *g, void *arg)
{
    (void)arg;
    for (intptr_t i = 0; i < 3; i++) {
        k_sleep_ms(10);
        k_gen_yield(g, V(k_uptime_ms()), NULL);
    }
    return NULL;
}

static k_gen_t *shared;
static void *drive_once(void *arg)
{
    k_result_t v;
    (void)arg;
    int rc = k_gen_next(shared, &v);
    return rc == K_GEN_YIELDED ? v.value : V(rc);
}

static void *self_send(k_gen_t *g, void *arg)
{
    (void)arg;
    return V(k_gen_next(g, NULL));            /* ValueError: generator already executing */
}

static void *main_blocking(void *arg)
{
    k_result_t r;
    (void)arg;
    shared = k_gen_new(sleepy, NULL, STACK);
    /* two tasks take turns driving it; each blocks while the generator sleeps */
    k_task_t *a = k_task_spawn("a", drive_once, NULL, STACK);
    k_task_t *b = k_task_spawn("b", drive_once, NULL, STACK);
    k_join(a, K_FOREVER, &r);
    assert_int_equal(I(r.value), 10);
    k_join(b, K_FOREVER, &r);
    assert_int_equal(I(r.value), -EBUSY);      /* b found it running (a was inside it) */
    assert_int_equal(k_gen_next(shared, &r), K_GEN_YIELDED);
    assert_int_equal(I(r.value), 20);
    k_gen_free(shared);

    k_gen_t *s = k_gen_new(self_send, NULL, STACK);
    assert_int_equal(k_gen_next(s, &r), K_GEN_DONE);
    assert_int_equal(I(r.value), -EBUSY);
    k_gen_free(s);
    return NULL;
}

static void test_gen_blocks_inside_tasks(void **state)
{
    (void)state;
    unit_run(main_blocking, NULL);
}

static void test_gen_new_errors(void **state)
{
    (void)state;
    errno = 0;
    assert_null(k_gen_new(NULL, NULL, STACK));
    assert_int_equal(errno, EINVAL);
    assert_null(k_gen_new(fib, NULL, 16));
    assert_int_equal(errno, EINVAL);
    host_malloc_budget = 100;
    assert_null(k_gen_new(fib, NULL, STACK));
    assert_int_equal(errno, ENOMEM);
    host_malloc_budget = SIZE_MAX;
}

/* k_gen_stack_peak: the high-water mark covers what the generator really used */
static void *deep_gen(k_gen_t *g, void *arg)
{
    volatile char big[1500];
    (void)arg;
    for (size_t i = 0; i < sizeof(big); i++)
        big[i] = (char)i;
    k_gen_yield(g, (void *)(uintptr_t)big[7], NULL);
    return NULL;
}

static void *main_stack_peak(void *arg)
{
    (void)arg;
    k_gen_t *g = k_gen_new(deep_gen, NULL, 8192);
    k_result_t out;
    assert_non_null(g);
    size_t before = k_gen_stack_peak(g);
    assert_true(before < 256);
    assert_int_equal(k_gen_next(g, &out), K_GEN_YIELDED);
    size_t after = k_gen_stack_peak(g);
    assert_true(after >= 1500 && after < 8192);
    k_gen_free(g);
    return NULL;
}

static void test_gen_stack_peak(void **state)
{
    (void)state;
    unit_run(main_stack_peak, NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_gen_next_and_return_value, unit_setup),
        cmocka_unit_test_setup(test_gen_send, unit_setup),
        cmocka_unit_test_setup(test_gen_throw, unit_setup),
        cmocka_unit_test_setup(test_gen_close, unit_setup),
        cmocka_unit_test_setup(test_gen_yield_from_next_and_return, unit_setup),
        cmocka_unit_test_setup(test_gen_yield_from_send_throw_close, unit_setup),
        cmocka_unit_test_setup(test_gen_blocks_inside_tasks, unit_setup),
        cmocka_unit_test_setup(test_gen_new_errors, unit_setup),
        cmocka_unit_test_setup(test_gen_stack_peak, unit_setup),
    };
    return cmocka_run_group_tests_name("gen", tests, NULL, NULL);
}
