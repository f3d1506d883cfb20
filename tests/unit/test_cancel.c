/* test_cancel.c - tasks as awaitables: cancellation at every documented wait, wait_for,
 * gather with a failing member, wait-any, events, condition variables, channels. All
 * timing against the host build's virtual clock. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "unit.h"

static void run(void *(*fn)(void *)) { unit_run(fn, NULL); }

/* --- cancellation ---------------------------------------------------------------------- */

static void *sleeper(void *arg) { return V(k_sleep_ms((uint32_t)I(arg))); }

static k_sem_t sem;
static void *sem_taker(void *arg) { (void)arg; return V(k_sem_take(&sem, K_FOREVER)); }

static k_queue_t q;
static void *queue_getter(void *arg) { uint32_t v; (void)arg; return V(k_queue_get(&q, &v, K_FOREVER)); }
static void *queue_putter(void *arg) { uint32_t v = 1; (void)arg; return V(k_queue_put(&q, &v, K_FOREVER)); }

static k_task_t *other;
static void *joiner(void *arg) { (void)arg; return V(k_join(other, K_FOREVER, NULL)); }
static void *cancel_other_after(void *arg)
{
    k_sleep_ms((uint32_t)I(arg));
    return V(k_task_cancel(other));
}

static void *handles_cancel(void *arg)
{
    (void)arg;
    int first = k_sleep_ms(1000);          /* cancelled: CancelledError, caught */
    int second = k_sleep_ms(10);           /* goes on normally */
    return V(first * 1000 + second);
}

static void *main_cancel(void *arg)
{
    k_result_t r;
    uint32_t buf[1];
    (void)arg;

    k_task_t *t = k_task_spawn("sleeper", sleeper, V(1000), STACK);
    k_sleep_ms(5);
    assert_int_equal(k_task_cancel(t), 0);
    assert_int_equal(k_join(t, K_FOREVER, &r), 0);
    assert_int_equal(I(r.value), -ECANCELED);
    assert_int_equal(k_uptime_ms(), 5);            /* woken at the cancel, not at 1000 */

    k_sem_init(&sem, 0, 1);
    t = k_task_spawn("sem", sem_taker, NULL, STACK);
    k_yield();
    k_task_cancel(t);
    k_join(t, K_FOREVER, &r);
    assert_int_equal(I(r.value), -ECANCELED);
    assert_int_equal(k_sem_give(&sem), 0);         /* the cancelled waiter took nothing */
    assert_int_equal(sem.count, 1);

    k_queue_init(&q, buf, sizeof(uint32_t), 1);
    t = k_task_spawn("get", queue_getter, NULL, STACK);
    k_yield();
    k_task_cancel(t);
    k_join(t, K_FOREVER, &r);
    assert_int_equal(I(r.value), -ECANCELED);
    uint32_t v = 9;
    assert_int_equal(k_queue_put(&q, &v, K_NO_WAIT), 0);   /* the queue is intact */
    t = k_task_spawn("put", queue_putter, NULL, STACK);    /* full: blocks */
    k_yield();
    k_task_cancel(t);
    k_join(t, K_FOREVER, &r);
    assert_int_equal(I(r.value), -ECANCELED);
    assert_int_equal(k_queue_count(&q), 1);                  /* its message was not added */
    assert_int_equal(k_queue_get(&q, &v, K_NO_WAIT), 0);
    assert_int_equal(v, 9);

    other = k_task_spawn("slow", sleeper, V(50), STACK);
    t = k_task_spawn("joiner", joiner, NULL, STACK);
    k_yield();
    k_task_cancel(t);
    k_join(t, K_FOREVER, &r);
    assert_int_equal(I(r.value), -ECANCELED);
    assert_int_equal(k_join(other, K_FOREVER, &r), 0);      /* still joinable by another */

    /* cancelling a task that is not waiting: its next wait fails */
    t = k_task_spawn("later", sleeper, V(10), STACK);
    k_task_cancel(t);
    k_join(t, K_FOREVER, &r);
    assert_int_equal(I(r.value), -ECANCELED);

    /* handled once, then it goes on */
    t = k_task_spawn("handler", handles_cancel, NULL, STACK);
    k_yield();
    k_task_cancel(t);
    k_join(t, K_FOREVER, &r);
    assert_int_equal(I(r.value), -ECANCELED * 1000);

    assert_int_equal(k_task_cancel(NULL), -EINVAL);

    /* Task.uncancel(): a cancellation not yet delivered is dropped, once */
    assert_false(k_task_uncancel());
    assert_int_equal(k_task_cancel(k_current()), 0);
    assert_true(k_task_uncancel());
    assert_false(k_task_uncancel());
    assert_int_equal(k_sleep_ms(1), 0);            /* not cancelled */
    return NULL;
}

static void test_cancel_at_every_wait(void **state)
{
    (void)state;
    run(main_cancel);
}

static void *shielded(void *arg)
{
    (void)arg;
    k_cancel_shield(true);
    int a = k_sleep_ms(20);                /* not interrupted */
    k_cancel_shield(false);
    int b = k_sleep_ms(20);                /* the pending cancel lands here */
    return V(a * 1000 + b);
}

static void *main_shield(void *arg)
{
    k_result_t r;
    (void)arg;
    k_task_t *t = k_task_spawn("shielded", shielded, NULL, STACK);
    k_yield();
    k_task_cancel(t);
    k_join(t, K_FOREVER, &r);
    assert_int_equal(I(r.value), -ECANCELED);
    assert_int_equal(k_uptime_ms(), 20);
    return NULL;
}

static void test_cancel_shield(void **state)
{
    (void)state;
    run(main_shield);
}

/* --- wait_for, gather, wait-any ------------------------------------------------------------ */

static bool cleanup_ran;
static void *slow_with_cleanup(void *arg)
{
    int rc = k_sleep_ms((uint32_t)I(arg));
    if (rc == -ECANCELED) {
        cleanup_ran = true;
        k_task_exit_error(rc);
    }
    return V(42);
}

static void *failing(void *arg)
{
    k_sleep_ms(5);
    k_task_exit_error((int)I(arg));
}

static void *main_await(void *arg)
{
    k_result_t r;
    (void)arg;
    /* wait_for: done in time */
    k_task_t *t = k_task_spawn("quick", slow_with_cleanup, V(10), STACK);
    assert_int_equal(k_wait_for(t, K_MSEC(100), &r), 0);
    assert_int_equal(I(r.value), 42);
    /* wait_for: timeout cancels, waits for the task to finish, frees it */
    cleanup_ran = false;
    t = k_task_spawn("slow", slow_with_cleanup, V(1000), STACK);
    uint64_t t0 = k_uptime_ms();
    assert_int_equal(k_wait_for(t, K_MSEC(30), &r), -ETIMEDOUT);
    assert_true(cleanup_ran);
    assert_int_equal(k_uptime_ms() - t0, 30);

    /* gather(return_exceptions=True): results in order, a failing member's error among
     * them, all joined (and set to NULL) */
    k_task_t *g[3] = {
        k_task_spawn("g0", slow_with_cleanup, V(30), STACK),
        k_task_spawn("g1", failing, V(-EIO), STACK),
        k_task_spawn("g2", slow_with_cleanup, V(10), STACK),
    };
    k_result_t results[4];
    assert_int_equal(k_gather(g, 3, results, K_GATHER_RETURN_EXCEPTIONS), 0);
    assert_int_equal(results[0].error, 0);
    assert_int_equal(I(results[0].value), 42);
    assert_int_equal(results[1].error, -EIO);
    assert_null(results[1].value);
    assert_int_equal(I(results[2].value), 42);
    assert_null(g[0]);
    assert_null(g[1]);
    assert_null(g[2]);

    /* gather(): returns at the first failure (in the order they finish); the others run
     * on, still joinable */
    t0 = k_uptime_ms();
    g[0] = k_task_spawn("g0", slow_with_cleanup, V(30), STACK);
    g[1] = k_task_spawn("g1", failing, V(-EIO), STACK);     /* fails at 5 ms */
    g[2] = k_task_spawn("g2", slow_with_cleanup, V(1), STACK);
    assert_int_equal(k_gather(g, 3, results, 0), -ECHILD);
    assert_int_equal(k_uptime_ms() - t0, 5);
    assert_int_equal(results[1].error, -EIO);
    assert_int_equal(I(results[2].value), 42);              /* finished before g1 failed */
    assert_null(g[1]);
    assert_null(g[2]);
    assert_non_null(g[0]);                                   /* still running */
    assert_int_equal(k_join(g[0], K_FOREVER, &r), 0);
    assert_int_equal(I(r.value), 42);

    /* gather cancelled (asyncio.gather): its unfinished tasks are cancelled, all joined */
    assert_int_equal(k_task_cancels(), 0);
    other = k_current();
    k_task_t *c[4] = {
        k_task_spawn("c0", sleeper, V(5), STACK),
        k_task_spawn("c1", sleeper, V(1000), STACK),
        NULL,                                           /* a spawn that failed */
        k_task_spawn("c3", sleeper, V(1000), STACK),
    };
    k_task_t *canceller = k_task_spawn("cancel", cancel_other_after, V(20), STACK);
    t0 = k_uptime_ms();
    assert_int_equal(k_gather(c, 4, results, K_GATHER_RETURN_EXCEPTIONS), -ECANCELED);
    assert_int_equal(k_uptime_ms() - t0, 20);           /* not 1000: c1, c3 were cancelled */
    assert_int_equal(results[0].error, 0);
    assert_int_equal(I(results[0].value), 0);
    assert_int_equal(I(results[1].value), -ECANCELED);  /* (sleeper returns its wait's rc) */
    assert_int_equal(results[2].error, 0);
    assert_int_equal(I(results[3].value), -ECANCELED);
    assert_int_equal(k_task_cancels(), 1);
    assert_int_equal(k_join(canceller, K_FOREVER, NULL), 0);
    /* a member that ends cancelled is its result, not the gather's own cancellation */
    k_task_t *one = k_task_spawn("c", slow_with_cleanup, V(1000), STACK);
    k_yield();
    k_task_cancel(one);
    assert_int_equal(k_gather(&one, 1, results, K_GATHER_RETURN_EXCEPTIONS), 0);
    assert_int_equal(results[0].error, -ECANCELED);
    assert_int_equal(k_task_cancels(), 1);

    /* wait-any: the first to finish, not joined */
    k_task_t *w[3] = {
        k_task_spawn("w0", sleeper, V(50), STACK),
        k_task_spawn("w1", sleeper, V(20), STACK),
        k_task_spawn("w2", sleeper, V(40), STACK),
    };
    int index = -1;
    t0 = k_uptime_ms();
    assert_int_equal(k_wait_any(w, 3, K_NO_WAIT, &index), -EAGAIN);
    assert_int_equal(k_wait_any(w, 3, K_MSEC(10), &index), -ETIMEDOUT);
    assert_int_equal(k_wait_any(w, 3, K_FOREVER, &index), 0);
    assert_int_equal(index, 1);
    assert_int_equal(k_uptime_ms() - t0, 20);
    assert_int_equal(k_gather(w, 3, NULL, 0), 0);
    k_task_t *none[2] = { NULL, NULL };
    assert_int_equal(k_wait_any(none, 2, K_FOREVER, &index), -EINVAL);   /* ValueError */
    return NULL;
}

/* An unrelated task's exit does not wake a k_wait_any caller: the cancellation that comes
 * next finds it waiting, and ends its wait (found by the differential tests: the caller,
 * woken and ready, took the cancellation as pending and returned success when its task
 * ended before it ran). */
static k_task_t *awaited;
static k_event_t go;
static void *waits_any(void *arg)
{
    int index = -1;
    (void)arg;
    return V(k_wait_any(&awaited, 1, K_FOREVER, &index));
}

static void *sleeps_after_go(void *arg)
{
    k_event_wait(&go, K_FOREVER);
    return V(k_sleep_ms((uint32_t)I(arg)));
}

static void *main_unrelated_exit(void *arg)
{
    k_result_t r;
    (void)arg;
    k_event_init(&go);
    k_task_t *b = k_task_spawn("unrelated", sleeper, V(5), STACK);
    awaited = k_task_spawn("awaited", sleeps_after_go, V(5), STACK);
    k_task_t *w = k_task_spawn("waiter", waits_any, NULL, STACK);
    k_yield();                         /* b sleeps until 5; w waits for awaited */
    k_event_set(&go);
    k_sleep_ms(5);                     /* due after b's, before awaited's: at 5, b ends,
                                          then this cancels w, then awaited ends */
    assert_int_equal(k_task_cancel(w), 0);
    assert_int_equal(k_join(w, K_FOREVER, &r), 0);
    assert_int_equal(I(r.value), -ECANCELED);
    assert_int_equal(k_join(awaited, K_FOREVER, NULL), 0);
    assert_int_equal(k_join(b, K_FOREVER, NULL), 0);
    return NULL;
}

static void test_cancel_unrelated_exit_does_not_wake_wait_any(void **state)
{
    (void)state;
    run(main_unrelated_exit);
}

/* The review's findings on the combinators (issue 23): */
static void *waits_for_forever(void *arg)
{
    k_result_t r = { 1, NULL };
    int rc = k_wait_for(arg, K_FOREVER, &r);
    return V(rc ? rc : r.error ? r.error : I(r.value));
}

static void *main_combinator_edges(void *arg)
{
    k_result_t r, two[2];
    int index = -1;
    (void)arg;
    /* wait_for(t, None) is `await t`: the caller's cancellation goes on to t, and if t
     * handles it and returns, the caller gets what it returned */
    k_task_t *t = k_task_spawn("handler", handles_cancel, NULL, STACK);
    k_task_t *w = k_task_spawn("waiter", waits_for_forever, t, STACK);
    k_yield();
    k_task_cancel(w);
    assert_int_equal(k_join(w, K_FOREVER, &r), 0);
    assert_int_equal(I(r.value), -ECANCELED * 1000);   /* handles_cancel's own result */

    /* wait_any: a task that ends as the timeout does is still reported */
    t = k_task_spawn("ten", sleeper, V(10), STACK);
    k_yield();                                  /* its deadline (10) before ours (10) */
    assert_int_equal(k_wait_any(&t, 1, K_MSEC(10), &index), 0);
    assert_int_equal(index, 0);
    assert_int_equal(k_join(t, K_FOREVER, NULL), 0);

    /* gather: the same task twice, one result each (asyncio.gather) */
    t = k_task_spawn("once", sleeper, V(5), STACK);
    k_task_t *dup[2] = { t, t };
    assert_int_equal(k_gather(dup, 2, two, 0), 0);
    assert_null(dup[0]);
    assert_null(dup[1]);
    assert_int_equal(two[0].error, 0);
    assert_int_equal(two[1].error, 0);

    /* main is collected by k_run: it cannot be detached */
    assert_int_equal(k_task_detach(k_current()), -EINVAL);
    return NULL;
}

static void test_cancel_combinator_edges(void **state)
{
    (void)state;
    run(main_combinator_edges);
}

static void test_cancel_wait_for_gather_wait_any(void **state)
{
    (void)state;
    run(main_await);
}

/* --- events and condition variables ---------------------------------------------------------- */

static k_event_t ev;
/* arg: the timeout in ms, or -1 for none */
static void *event_waiter(void *arg)
{
    int32_t ms = (int32_t)I(arg);
    return V(k_event_wait(&ev, ms < 0 ? K_FOREVER : K_MSEC(ms)));
}

static k_mutex_t mx;
static k_cond_t cv;
static int items;
static void *cond_consumer(void *arg)
{
    (void)arg;
    k_mutex_lock(&mx, K_FOREVER);
    while (items == 0) {
        int rc = k_cond_wait(&cv, &mx, K_FOREVER);
        if (rc) {
            k_mutex_unlock(&mx);
            return V(rc);
        }
    }
    items--;
    k_mutex_unlock(&mx);
    return V(1);
}

static void *main_event_cond(void *arg)
{
    k_result_t r;
    (void)arg;
    k_event_init(&ev);
    k_task_t *a = k_task_spawn("e1", event_waiter, V(-1), STACK);
    k_task_t *b = k_task_spawn("e2", event_waiter, V(-1), STACK);
    k_task_t *c = k_task_spawn("e3", event_waiter, V(5), STACK);
    k_sleep_ms(10);
    k_event_set(&ev);                          /* wakes every waiter */
    k_join(a, K_FOREVER, &r); assert_int_equal(I(r.value), 0);
    k_join(b, K_FOREVER, &r); assert_int_equal(I(r.value), 0);
    k_join(c, K_FOREVER, &r); assert_int_equal(I(r.value), -ETIMEDOUT);
    assert_int_equal(k_event_wait(&ev, K_NO_WAIT), 0);   /* stays set */
    k_event_clear(&ev);
    assert_int_equal(k_event_wait(&ev, K_NO_WAIT), -EAGAIN);

    k_mutex_init(&mx);
    k_cond_init(&cv);
    items = 0;
    k_task_t *cons[3];
    for (int i = 0; i < 3; i++)
        cons[i] = k_task_spawn("cons", cond_consumer, NULL, STACK);
    k_yield();
    k_mutex_lock(&mx, K_FOREVER);
    items = 2;
    k_cond_broadcast(&cv);
    k_mutex_unlock(&mx);
    k_sleep_ms(1);
    k_task_cancel(cons[2]);                    /* one is left waiting: cancel it */
    int got = 0, cancelled = 0;
    for (int i = 0; i < 3; i++) {
        k_join(cons[i], K_FOREVER, &r);
        got += I(r.value) == 1;
        cancelled += I(r.value) == -ECANCELED;
    }
    assert_int_equal(got, 2);
    assert_int_equal(cancelled, 1);
    assert_null(mx.owner);                     /* relocked and released on every path */
    assert_int_equal(k_cond_wait(&cv, &mx, K_MSEC(10)), -EPERM);
    k_mutex_lock(&mx, K_FOREVER);
    assert_int_equal(k_cond_wait(&cv, &mx, K_MSEC(10)), -ETIMEDOUT);
    assert_ptr_equal(mx.owner, k_current());
    assert_int_equal(k_cond_wait(&cv, &mx, K_NO_WAIT), -EAGAIN);   /* as every other wait */
    assert_ptr_equal(mx.owner, k_current());
    k_mutex_unlock(&mx);
    return NULL;
}

static void test_cancel_events_and_condvars(void **state)
{
    (void)state;
    run(main_event_cond);
}

/* --- channels ---------------------------------------------------------------------------------- */

static k_chan_t ch;
static void *chan_getter(void *arg) { uint32_t v; (void)arg; return V(k_chan_get(&ch, &v, K_FOREVER)); }
static void *chan_putter(void *arg) { uint32_t v = (uint32_t)I(arg); return V(k_chan_put(&ch, &v, K_FOREVER)); }

static void *worker(void *arg)
{
    uint32_t v;
    int *done = arg;
    while (k_chan_get(&ch, &v, K_FOREVER) == 0) {
        k_sleep_ms(v);
        (*done)++;
        k_chan_task_done(&ch);
    }
    return NULL;
}

static void *main_chan(void *arg)
{
    k_result_t r;
    uint32_t v;
    (void)arg;
    /* close with waiters on both sides */
    assert_int_equal(k_chan_alloc(&ch, sizeof(uint32_t), 1), 0);
    k_task_t *g1 = k_task_spawn("get1", chan_getter, NULL, STACK);
    k_task_t *g2 = k_task_spawn("get2", chan_getter, NULL, STACK);
    k_yield();
    k_chan_close(&ch);
    k_join(g1, K_FOREVER, &r); assert_int_equal(I(r.value), -EPIPE);
    k_join(g2, K_FOREVER, &r); assert_int_equal(I(r.value), -EPIPE);
    k_chan_free(&ch);

    assert_int_equal(k_chan_alloc(&ch, sizeof(uint32_t), 1), 0);
    v = 1;
    assert_int_equal(k_chan_put(&ch, &v, K_NO_WAIT), 0);
    k_task_t *p1 = k_task_spawn("put1", chan_putter, V(2), STACK);
    k_task_t *p2 = k_task_spawn("put2", chan_putter, V(3), STACK);
    k_yield();                                  /* both wait: the channel is full */
    k_chan_close(&ch);
    k_join(p1, K_FOREVER, &r); assert_int_equal(I(r.value), -EPIPE);
    k_join(p2, K_FOREVER, &r); assert_int_equal(I(r.value), -EPIPE);
    assert_int_equal(k_chan_put(&ch, &v, K_NO_WAIT), -EPIPE);
    assert_int_equal(k_chan_get(&ch, &v, K_NO_WAIT), 0);     /* what was put before the close */
    assert_int_equal(v, 1);
    assert_int_equal(k_chan_get(&ch, &v, K_FOREVER), -EPIPE); /* then the end of the stream */
    k_chan_close(&ch);                                         /* twice: harmless */
    assert_int_equal(k_chan_task_done(&ch), 0);
    assert_int_equal(k_chan_task_done(&ch), -EINVAL);          /* more than were put */
    k_chan_free(&ch);

    /* task_done/join: join returns when every item is processed */
    int done = 0;
    assert_int_equal(k_chan_alloc(&ch, sizeof(uint32_t), 4), 0);
    k_task_t *w[2] = { k_task_spawn("w", worker, &done, STACK), k_task_spawn("w", worker, &done, STACK) };
    for (uint32_t i = 1; i <= 6; i++)
        assert_int_equal(k_chan_put(&ch, &i, K_FOREVER), 0);
    assert_int_equal(k_chan_join(&ch, K_NO_WAIT), -EAGAIN);
    assert_int_equal(k_chan_join(&ch, K_FOREVER), 0);
    assert_int_equal(done, 6);
    k_chan_close(&ch);
    assert_int_equal(k_gather(w, 2, NULL, 0), 0);
    k_chan_free(&ch);
    return NULL;
}

static void test_cancel_channels(void **state)
{
    (void)state;
    run(main_chan);
}

/* A get that frees a slot completes a blocked putter's message on its behalf: that message
 * is unfinished from then on, before the putter runs again (issue 8, bug 1). */
static void *main_chan_handover_count(void *arg)
{
    k_result_t r;
    uint32_t v = 1;
    (void)arg;
    assert_int_equal(k_chan_alloc(&ch, sizeof(uint32_t), 1), 0);
    assert_int_equal(k_chan_put(&ch, &v, K_NO_WAIT), 0);          /* A */
    k_task_t *p = k_task_spawn("put B", chan_putter, V(2), STACK);
    k_yield();                                                     /* B's putter blocks */
    assert_int_equal(k_chan_get(&ch, &v, K_NO_WAIT), 0);          /* A out, B moved in */
    assert_int_equal(v, 1);
    assert_int_equal(k_chan_task_done(&ch), 0);                    /* A done, B unfinished */
    assert_int_equal(k_chan_join(&ch, K_NO_WAIT), -EAGAIN);
    assert_int_equal(k_chan_get(&ch, &v, K_NO_WAIT), 0);          /* B, still no yield */
    assert_int_equal(v, 2);
    assert_int_equal(k_chan_task_done(&ch), 0);
    assert_int_equal(k_chan_task_done(&ch), -EINVAL);              /* now one too many */
    k_join(p, K_FOREVER, &r); assert_int_equal(I(r.value), 0);
    assert_int_equal(k_chan_join(&ch, K_MSEC(100)), 0);                    /* nothing unfinished */

    /* a put that blocks and then times out or is cancelled counts nothing */
    v = 3;
    assert_int_equal(k_chan_put(&ch, &v, K_NO_WAIT), 0);
    assert_int_equal(k_chan_put(&ch, &v, K_MSEC(10)), -ETIMEDOUT);
    p = k_task_spawn("put C", chan_putter, V(4), STACK);
    k_yield();
    assert_int_equal(k_task_cancel(p), 0);
    k_join(p, K_FOREVER, &r); assert_int_equal(I(r.value), -ECANCELED);
    assert_int_equal(k_chan_get(&ch, &v, K_NO_WAIT), 0);
    assert_int_equal(v, 3);
    assert_int_equal(k_chan_get(&ch, &v, K_NO_WAIT), -EAGAIN);    /* C never entered */
    assert_int_equal(k_chan_task_done(&ch), 0);
    assert_int_equal(k_chan_task_done(&ch), -EINVAL);
    assert_int_equal(k_chan_join(&ch, K_NO_WAIT), 0);
    k_chan_free(&ch);
    return NULL;
}

static void test_chan_handover_count(void **state)
{
    (void)state;
    run(main_chan_handover_count);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_cancel_at_every_wait, unit_setup),
        cmocka_unit_test_setup(test_cancel_shield, unit_setup),
        cmocka_unit_test_setup(test_cancel_wait_for_gather_wait_any, unit_setup),
        cmocka_unit_test_setup(test_cancel_unrelated_exit_does_not_wake_wait_any, unit_setup),
        cmocka_unit_test_setup(test_cancel_combinator_edges, unit_setup),
        cmocka_unit_test_setup(test_cancel_events_and_condvars, unit_setup),
        cmocka_unit_test_setup(test_cancel_channels, unit_setup),
        cmocka_unit_test_setup(test_chan_handover_count, unit_setup),
    };
    return cmocka_run_group_tests_name("cancel", tests, NULL, NULL);
}
