/*
 * queue.c - bounded message queues (a ring of fixed-size messages), and channels on top.
 * A put into a queue with a waiting getter and a get from a full queue with a waiting
 * putter complete the hand-over for the woken task, so FIFO order holds for messages and
 * for waiters, and a woken task never finds its slot taken by a task that did not wait.
 */
#include <stdlib.h>
#include <string.h>

#include "k_internal.h"

int k_queue_init(k_queue_t *q, void *buf, size_t msg_size, uint32_t capacity)
{
    if (!buf || msg_size == 0 || capacity == 0)
        return -EINVAL;
    q->buf = buf;
    q->msg_size = msg_size;
    q->capacity = capacity;
    q->head = q->count = 0;
    q->owns_buf = false;
    z_waitq_init(&q->getters);
    z_waitq_init(&q->putters);
    return 0;
}

int k_queue_alloc(k_queue_t *q, size_t msg_size, uint32_t capacity)
{
    void *buf;
    int rc;

    if (msg_size == 0 || capacity == 0 || msg_size > SIZE_MAX / capacity)
        return -EINVAL;
    buf = malloc(msg_size * capacity);
    if (!buf)
        return -ENOMEM;
    rc = k_queue_init(q, buf, msg_size, capacity);
    q->owns_buf = true;
    return rc;
}

void k_queue_free(k_queue_t *q)
{
    if (z_waitq_in_use(&q->getters) || z_waitq_in_use(&q->putters))
        k_panic("k_queue_free: tasks still wait on the queue, or were woken from it and "
                "have not run yet");
    if (q->owns_buf)
        free(q->buf);
    q->buf = NULL;
}

int k_queue_grow(k_queue_t *q, uint32_t capacity)
{
    char *buf;
    uint32_t first;

    if (!q->owns_buf || capacity < q->capacity || q->msg_size > SIZE_MAX / capacity)
        return -EINVAL;
    if (capacity == q->capacity)
        return 0;
    buf = malloc(q->msg_size * capacity);
    if (!buf)
        return -ENOMEM;
    /* copy the messages in order to the start of the new ring */
    first = q->capacity - q->head < q->count ? q->capacity - q->head : q->count;
    memcpy(buf, q->buf + (size_t)q->head * q->msg_size, (size_t)first * q->msg_size);
    memcpy(buf + (size_t)first * q->msg_size, q->buf, (size_t)(q->count - first) * q->msg_size);
    free(q->buf);
    q->buf = buf;
    q->head = 0;
    q->capacity = capacity;
    return 0;
}

static char *k_queue_slot(k_queue_t *q, uint32_t i)
{
    return q->buf + (size_t)((q->head + i) % q->capacity) * q->msg_size;
}

int k_queue_put(k_queue_t *q, const void *msg, k_timeout_t timeout)
{
    if (q->count == q->capacity) {
        if (K_TIMEOUT_EQ(timeout, K_NO_WAIT))
            return -EAGAIN;
        /* Wait for k_queue_get() to copy our message into the slot it frees. */
        k_current()->wait_data = (void *)msg;
        return z_wait(&q->putters, timeout, "queue put");
    }
    if (!z_waitq_empty(&q->getters)) {
        /* Empty queue with a getter: hand the message straight to it. */
        k_task_t *t = z_waitq_first(&q->getters);
        memcpy(t->wait_data, msg, q->msg_size);
        z_waitq_wake_one(&q->getters, 0);
        return 0;
    }
    memcpy(k_queue_slot(q, q->count), msg, q->msg_size);
    q->count++;
    return 0;
}

int k_queue_get(k_queue_t *q, void *msg, k_timeout_t timeout)
{
    if (q->count == 0) {
        if (K_TIMEOUT_EQ(timeout, K_NO_WAIT))
            return -EAGAIN;
        k_current()->wait_data = msg;
        return z_wait(&q->getters, timeout, "queue get");
    }
    memcpy(msg, k_queue_slot(q, 0), q->msg_size);
    q->head = (q->head + 1) % q->capacity;
    q->count--;
    if (!z_waitq_empty(&q->putters)) {
        /* A slot is free: complete the longest-waiting put into it. */
        k_task_t *t = z_waitq_first(&q->putters);
        memcpy(k_queue_slot(q, q->count), t->wait_data, q->msg_size);
        q->count++;
        z_waitq_wake_one(&q->putters, 0);
    }
    return 0;
}

/* --- channels ------------------------------------------------------------------------ */

int k_chan_alloc(k_chan_t *ch, size_t msg_size, uint32_t capacity)
{
    int rc = k_queue_alloc(&ch->q, msg_size, capacity);
    ch->closed = false;
    ch->unfinished = 0;
    z_waitq_init(&ch->joiners);
    return rc;
}

void k_chan_free(k_chan_t *ch)
{
    if (z_waitq_in_use(&ch->joiners))
        k_panic("k_chan_free: tasks still join the channel, or were woken from it and have "
                "not run yet");
    k_queue_free(&ch->q);
}

bool k_chan_busy(const k_chan_t *ch)
{
    return z_waitq_in_use(&ch->joiners) || z_waitq_in_use(&ch->q.getters) ||
           z_waitq_in_use(&ch->q.putters);
}

/* A put that waited and ended without its message entering the queue (timeout,
 * cancellation, close) gives its count back, here in the waker's context while the channel
 * is certainly alive: the putter must not touch it when it runs again (k_internal.h). It
 * may be the last unfinished message (task_done() called ahead of the gets): then the
 * joiners wake. */
static void chan_put_abort(k_task_t *t, struct k_waitq *wq, int result)
{
    k_chan_t *ch = k_container_of(wq, k_chan_t, q.putters);
    (void)t, (void)result;
    if (--ch->unfinished == 0)
        z_waitq_wake_all(&ch->joiners, 0);
}

int k_chan_put(k_chan_t *ch, const void *msg, k_timeout_t timeout)
{
    int rc;
    if (ch->closed)
        return -EPIPE;
    if (k_queue_count(&ch->q) == ch->q.capacity && K_TIMEOUT_EQ(timeout, K_NO_WAIT))
        return -EAGAIN;
    /* Count the message before k_queue_put() can make it enter the queue: it enters either
     * here, or later, while we wait, when a get frees a slot and completes our put for us.
     * Counting after we run again would leave a message in the queue that task_done()/join()
     * cannot see. A wait that ends otherwise gives the count back (chan_put_abort). */
    ch->unfinished++;
    z_wait_abort(chan_put_abort);
    rc = k_queue_put(&ch->q, msg, timeout);
    z_wait_abort(NULL);          /* (if it did not wait) */
    return rc;
}

int k_chan_get(k_chan_t *ch, void *msg, k_timeout_t timeout)
{
    if (ch->closed && k_queue_count(&ch->q) == 0)
        return -EPIPE;
    return k_queue_get(&ch->q, msg, timeout);
}

void k_chan_close(k_chan_t *ch)
{
    if (ch->closed)
        return;
    ch->closed = true;
    z_waitq_wake_all(&ch->q.putters, -EPIPE);
    if (k_queue_count(&ch->q) == 0)   /* getters wait only on an empty queue */
        z_waitq_wake_all(&ch->q.getters, -EPIPE);
}

int k_chan_task_done(k_chan_t *ch)
{
    if (ch->unfinished == 0)
        return -EINVAL;   /* ValueError: task_done() called too many times */
    if (--ch->unfinished == 0)
        z_waitq_wake_all(&ch->joiners, 0);
    return 0;
}

int k_chan_join(k_chan_t *ch, k_timeout_t timeout)
{
    if (ch->unfinished == 0)
        return 0;
    if (K_TIMEOUT_EQ(timeout, K_NO_WAIT))
        return -EAGAIN;
    return z_wait(&ch->joiners, timeout, "chan join");
}
