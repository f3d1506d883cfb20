/*
 * sched.c - the ready queue, the switch, k_yield, waits and wake-ups, cancellation.
 *
 * Model: Unikraft's ukschedcoop (run queue + sleep queue + idle that halts), xv6's swtch.
 * The ready queue is a FIFO. Blocked tasks sit on the wait queue of what they wait for and,
 * when the wait has a timeout, on the timeout list (timeout.c). The context that calls
 * k_run() becomes the idle task (poll.c): it is never on the ready queue and is chosen when
 * no task is ready or when an interrupt event is pending, so device work and due deadlines
 * (the board's one-shot timer raises an event) are never starved by tasks that only yield.
 * The lifetime rule every wait follows is in k_internal.h.
 */
#include "k_internal.h"

struct z_kernel z_k;
volatile uint32_t z_isr_events;

void z_overflow(k_task_t *t)
{
    z_k.current = t;
    k_panic("stack overflow: guard at %p overwritten (stack %u bytes)", (void *)t->guard,
            (unsigned)t->stack_size);
}

void z_schedule(void)
{
    k_task_t *next;

    if (z_k.seen_events != z_isr_events || k_list_empty(&z_k.ready))
        next = &z_k.idle;
    else
        next = z_ready_pop();
    if (next != z_k.current)
        z_switch_to(next);
}

void z_make_ready(k_task_t *t, int result)
{
    K_CHECK(t->state == K_BLOCKED);       /* only a waiting task is woken, and only once */
    if (k_list_linked(&t->link))
        k_list_del(&t->link);
    if (k_list_linked(&t->timer))
        z_timeout_del(t);
    if (result != 0 && t->wait_abort)     /* the lifetime rule: the waker undoes */
        t->wait_abort(t, t->wait_q, result);
    if (t->wait_q)
        z_k.woken++;                      /* a user of wait_q until it runs */
    t->wait_abort = NULL;
    t->wait_result = result;
    t->wait = "";
    t->state = K_READY;
    z_ready_push(t);
}

void k_yield(void)
{
    k_task_t *t = z_k.current, *next;

    if (z_k.seen_events != z_isr_events) {
        /* An interrupt event is pending (a device, or a due deadline): the poll loop
         * runs first. */
        if (t == &z_k.idle)
            return;
        t->state = K_READY;
        z_ready_push(t);
        z_switch_to(&z_k.idle);
        return;
    }
    if (k_list_empty(&z_k.ready) || t == &z_k.idle)
        return;
    next = z_ready_pop();
    t->state = K_READY;
    z_ready_push(t);
    z_switch_to(next);
}

void z_wait_abort(z_wait_abort_fn fn) { z_k.current->wait_abort = fn; }

int z_wait(struct k_waitq *wq, k_timeout_t timeout, const char *what)
{
    k_task_t *t = z_k.current;

    if (t == &z_k.idle)
        k_panic("the idle task (a poll hook) tried to block on %s", what);
    K_ASSERT(timeout.ms >= 0 || K_TIMEOUT_EQ(timeout, K_FOREVER));
    t->wait_cancellable = !t->cancel_shield;
    t->wait_q = wq;
    if (t->cancel_pending && t->wait_cancellable) {
        t->cancel_pending = false;   /* delivered once, like CancelledError */
        t->cancels++;
        if (t->wait_abort)           /* never blocked: nothing was handed over */
            t->wait_abort(t, wq, -ECANCELED);
        t->wait_abort = NULL;
        t->wait_q = NULL;
        return -ECANCELED;
    }
    t->state = K_BLOCKED;
    t->wait = what;
    t->wait_result = 0;
    if (wq)
        k_list_append(&wq->tasks, &t->link);
    if (!K_TIMEOUT_EQ(timeout, K_FOREVER))
        z_timeout_add(t, timeout);
    z_schedule();
    if (t->wait_q) {                 /* running again: no longer a user of wq */
        z_k.woken--;
        t->wait_q = NULL;
    }
    if (t->wait_result == -ECANCELED)
        t->cancels++;
    return t->wait_result;
}

k_task_t *z_waitq_wake_one(struct k_waitq *wq, int result)
{
    k_task_t *t = z_waitq_first(wq);

    if (t)
        z_make_ready(t, result);
    return t;
}

int z_waitq_wake_all(struct k_waitq *wq, int result)
{
    int n = 0;
    while (z_waitq_wake_one(wq, result))
        n++;
    return n;
}

bool z_waitq_in_use(const struct k_waitq *wq)
{
    if (!z_waitq_empty(wq))
        return true;
    /* Woken but not yet run: those are on the ready queue. Usually none is (the common
     * case is O(1)); else a walk of the ready queue, not a counter in every object. */
    if (!z_k.woken)
        return false;
    for (const struct k_list *l = z_k.ready.next; l != &z_k.ready; l = l->next)
        if (k_container_of(l, k_task_t, link)->wait_q == wq)
            return true;
    return false;
}

/* --- cancellation (asyncio's Task.cancel, uncancel, shield) ----------------------------- */

int k_task_cancel(k_task_t *t)
{
    if (!t || t == &z_k.idle || t->state == K_EXITED)
        return -EINVAL;
    if (t->state == K_BLOCKED && t->wait_cancellable)
        z_make_ready(t, -ECANCELED);
    else
        t->cancel_pending = true;
    return 0;
}

bool k_task_uncancel(void)
{
    bool was = z_k.current->cancel_pending;
    z_k.current->cancel_pending = false;
    return was;
}

uint32_t k_task_cancels(void) { return z_k.current->cancels; }

void k_cancel_shield(bool on)
{
    k_task_t *t = z_k.current;
    if (on)
        t->cancel_shield++;
    else if (t->cancel_shield)
        t->cancel_shield--;
}

k_task_t *k_current(void) { return z_k.current; }
