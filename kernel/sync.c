/*
 * sync.c - counting semaphores, mutexes, events and condition variables on the
 * scheduler's wait queues.
 * Both hand a released unit directly to the longest waiter (FIFO), so a task that gives
 * and immediately takes again cannot starve a waiter.
 */
#include "k_internal.h"

int k_sem_init(k_sem_t *s, unsigned initial, unsigned limit)
{
    if (limit == 0 || initial > limit)
        return -EINVAL;
    s->count = initial;
    s->limit = limit;
    z_waitq_init(&s->waiters);
    return 0;
}

int k_sem_take(k_sem_t *s, k_timeout_t timeout)
{
    if (s->count > 0) {
        s->count--;
        return 0;
    }
    if (K_TIMEOUT_EQ(timeout, K_NO_WAIT))
        return -EAGAIN;
    /* k_sem_give() hands the unit over by waking us with 0. */
    return z_wait(&s->waiters, timeout, "sem");
}

int k_sem_give(k_sem_t *s)
{
    if (z_waitq_wake_one(&s->waiters, 0))
        return 0;
    if (s->count >= s->limit)
        return -EOVERFLOW;
    s->count++;
    return 0;
}

void k_mutex_init(k_mutex_t *m)
{
    m->owner = NULL;
    z_waitq_init(&m->waiters);
}

int k_mutex_lock(k_mutex_t *m, k_timeout_t timeout)
{
    k_task_t *self = k_current();

    if (!m->owner) {
        m->owner = self;
        return 0;
    }
    if (m->owner == self)
        return -EDEADLK;
    if (K_TIMEOUT_EQ(timeout, K_NO_WAIT))
        return -EAGAIN;
    /* k_mutex_unlock() makes us the owner before waking us with 0. */
    return z_wait(&m->waiters, timeout, "mutex");
}

int k_mutex_unlock(k_mutex_t *m)
{
    if (m->owner != k_current())
        return -EPERM;
    m->owner = z_waitq_wake_one(&m->waiters, 0);
    return 0;
}

void k_event_init(k_event_t *e)
{
    e->set = false;
    z_waitq_init(&e->waiters);
}

void k_event_set(k_event_t *e)
{
    e->set = true;
    z_waitq_wake_all(&e->waiters, 0);
}

void k_event_clear(k_event_t *e) { e->set = false; }

int k_event_wait(k_event_t *e, k_timeout_t timeout)
{
    if (e->set)
        return 0;
    if (K_TIMEOUT_EQ(timeout, K_NO_WAIT))
        return -EAGAIN;
    return z_wait(&e->waiters, timeout, "event");
}

void k_cond_init(k_cond_t *c) { z_waitq_init(&c->waiters); }

int k_cond_wait(k_cond_t *c, k_mutex_t *m, k_timeout_t timeout)
{
    int rc;
    if (m->owner != k_current())
        return -EPERM;
    k_mutex_unlock(m);
    /* K_NO_WAIT: nothing can signal us in between: -EAGAIN, as every other wait */
    rc = K_TIMEOUT_EQ(timeout, K_NO_WAIT) ? -EAGAIN : z_wait(&c->waiters, timeout, "cond");
    k_cancel_shield(true);
    (void)k_mutex_lock(m, K_FOREVER);
    k_cancel_shield(false);
    return rc;
}

void k_cond_signal(k_cond_t *c) { z_waitq_wake_one(&c->waiters, 0); }
void k_cond_broadcast(k_cond_t *c) { z_waitq_wake_all(&c->waiters, 0); }
