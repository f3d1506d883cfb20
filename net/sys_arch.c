/*
 * sys_arch.c - lwIP's sys_arch (NO_SYS=0) on kernel primitives. The set of functions is the
 * one lwIP's porting guide (doc/sys_arch.txt) and contrib/ports/freertos/sys_arch.c
 * supply. lwIP timeouts are in ms with 0 meaning "forever"; kernel timeouts use K_FOREVER.
 */
#include "lwip/opt.h"
#include "lwip/sys.h"
#include "lwip/err.h"
#include "lwip/tcpip.h"

#include <stdio.h>
#include <stdlib.h>

#include "k.h"

/* lwIP's timeouts (sys.h): u32_t ms, where 0 means wait forever. */
static k_timeout_t to_k_timeout(u32_t ms) { return ms == 0 ? K_FOREVER : K_MSEC(ms); }

void sys_init(void) {}

u32_t sys_now(void) { return (u32_t)k_uptime_ms(); }

err_t sys_sem_new(sys_sem_t *sem, u8_t count)
{
    if (k_sem_init(&sem->sem, count, 0xFFFF) != 0)
        return ERR_VAL;
    sem->valid = 1;
    return ERR_OK;
}

void sys_sem_free(sys_sem_t *sem) { sem->valid = 0; }

void sys_sem_signal(sys_sem_t *sem) { (void)k_sem_give(&sem->sem); }

/* Cancellation: lwIP's waits without a timeout (API message completion, setsockopt) must
 * not be cut short: a message would stay in flight. They are shielded. Waits with a
 * timeout are only select()/poll()'s, which handle an early "timeout": those stay
 * cancellable, so net_wait_readable() is a cancellation point. */
u32_t sys_arch_sem_wait(sys_sem_t *sem, u32_t timeout)
{
    uint64_t t0 = k_uptime_ms();
    int rc;
    if (timeout == 0)
        k_cancel_shield(true);
    rc = k_sem_take(&sem->sem, to_k_timeout(timeout));
    if (timeout == 0)
        k_cancel_shield(false);
    if (rc != 0)
        return SYS_ARCH_TIMEOUT;
    return (u32_t)(k_uptime_ms() - t0);
}

err_t sys_mutex_new(sys_mutex_t *mutex)
{
    k_mutex_init(&mutex->mutex);
    mutex->valid = 1;
    return ERR_OK;
}

void sys_mutex_free(sys_mutex_t *mutex) { mutex->valid = 0; }
void sys_mutex_lock(sys_mutex_t *mutex)
{
    k_cancel_shield(true);
    (void)k_mutex_lock(&mutex->mutex, K_FOREVER);
    k_cancel_shield(false);
}
void sys_mutex_unlock(sys_mutex_t *mutex) { (void)k_mutex_unlock(&mutex->mutex); }

/* A connection's mailbox (receive: at most DEFAULT_TCP_RECVMBOX_SIZE) starts with room for
 * MBOX_INITIAL messages and grows when it must; the few larger, long-lived ones (the tcpip
 * task's, a listener's accept mailbox) are allocated whole, so they never grow. */
#define MBOX_INITIAL 4

err_t sys_mbox_new(sys_mbox_t *mbox, int size)
{
    uint32_t initial;
    if (size <= 0)
        size = 16;
    initial = size > DEFAULT_TCP_RECVMBOX_SIZE || size < MBOX_INITIAL ? (uint32_t)size : MBOX_INITIAL;
    if (k_queue_alloc(&mbox->queue, sizeof(void *), initial) != 0)
        return ERR_MEM;
    mbox->max = (uint32_t)size;
    mbox->valid = 1;
    return ERR_OK;
}

/* Room for one more message: grow (doubling, up to max) instead of refusing. */
static void mbox_make_room(sys_mbox_t *mbox)
{
    k_queue_t *q = &mbox->queue;
    if (k_queue_count(q) == q->capacity && q->capacity < mbox->max)
        (void)k_queue_grow(q, q->capacity * 2 < mbox->max ? q->capacity * 2 : mbox->max);
}

void sys_mbox_free(sys_mbox_t *mbox)
{
    if (k_queue_count(&mbox->queue))
        printf("lwIP: mailbox freed with %u messages\n", (unsigned)k_queue_count(&mbox->queue));
    k_queue_free(&mbox->queue);
    mbox->valid = 0;
}

void sys_mbox_post(sys_mbox_t *mbox, void *msg)
{
    mbox_make_room(mbox);
    k_cancel_shield(true);
    (void)k_queue_put(&mbox->queue, &msg, K_FOREVER);
    k_cancel_shield(false);
}

err_t sys_mbox_trypost(sys_mbox_t *mbox, void *msg)
{
    mbox_make_room(mbox);
    return k_queue_put(&mbox->queue, &msg, K_NO_WAIT) == 0 ? ERR_OK : ERR_MEM;
}

err_t sys_mbox_trypost_fromisr(sys_mbox_t *mbox, void *msg) { return sys_mbox_trypost(mbox, msg); }

u32_t sys_arch_mbox_fetch(sys_mbox_t *mbox, void **msg, u32_t timeout)
{
    uint64_t t0 = k_uptime_ms();
    void *m;
    int rc;
    k_cancel_shield(true);      /* recv()/accept(): use net_wait_readable() to cancel */
    rc = k_queue_get(&mbox->queue, &m, to_k_timeout(timeout));
    k_cancel_shield(false);
    if (rc != 0)
        return SYS_ARCH_TIMEOUT;
    if (msg)
        *msg = m;
    return (u32_t)(k_uptime_ms() - t0);
}

u32_t sys_arch_mbox_tryfetch(sys_mbox_t *mbox, void **msg)
{
    void *m;
    if (k_queue_get(&mbox->queue, &m, K_NO_WAIT) != 0)
        return SYS_MBOX_EMPTY;
    if (msg)
        *msg = m;
    return 0;
}

struct thread_start { lwip_thread_fn fn; void *arg; };

static void *thread_entry(void *p)
{
    struct thread_start st = *(struct thread_start *)p;
    free(p);
    st.fn(st.arg);
    return NULL;
}

sys_thread_t sys_thread_new(const char *name, lwip_thread_fn fn, void *arg, int stacksize, int prio)
{
    struct thread_start *st = malloc(sizeof(*st));
    k_task_t *t = NULL;
    (void)prio; /* no priorities: FIFO */
    if (st) {
        st->fn = fn;
        st->arg = arg;
        t = k_task_spawn(name, thread_entry, st, stacksize > 0 ? (size_t)stacksize : K_STACK_DEFAULT);
    }
    if (!t)
        k_panic("lwIP: cannot create task %s", name);   /* lwIP has no error path here */
    k_task_detach(t);
    return t;
}

/* A xorshift generator seeded from the clock: for ports, IDs and ISNs, not cryptography. */
uint32_t k_net_rand(void)
{
    static uint32_t x;
    if (!x)
        x = 0x9E3779B9u ^ (uint32_t)k_uptime_ms();
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return x;
}

/* --- core locking checks (LWIP_ASSERT_CORE_LOCKED, as lwIP's contrib unix port does) --- */
static k_task_t *tcpip_task;

void sys_mark_tcpip_thread(void) { tcpip_task = k_current(); }

void sys_check_core_locking(void)
{
    /* Before the tcpip task runs, lwip_init() sets lwIP up single-handed: nothing to check. */
    if (tcpip_task && lock_tcpip_core.mutex.owner != k_current())
        k_panic("lwIP core called without the core lock (LOCK_TCPIP_CORE)");
}
