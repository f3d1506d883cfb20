/*
 * k_internal.h - scheduler internals shared by the kernel's modules (not public API).
 * Internal names carry the z_ prefix (Zephyr's convention); k_ is the public API of k.h.
 *
 * The core is split by concern:
 *   sched.c    the ready queue, the switch, k_yield, waits and wake-ups, cancellation
 *   timeout.c  deadlines: the timeout list, the board's one-shot timer, sleeping
 *   task.c     the task lifecycle: spawn, exit, join, detach; stacks; ps
 *   await.c    the combinators over tasks: wait_for, gather, wait_any
 *   poll.c     poll hooks, the idle task's poll loop with busy polling, k_run, k_panic
 *
 * ONE RULE FOR OBJECT LIFETIME. The waker does all the bookkeeping: when a wait ends, the
 * task or the kernel code that ends it (a hand-over by the object, its close, a timeout, a
 * cancellation) updates the waited-on object before the waiter runs again. A woken wait
 * returns without touching the object it waited on, because that object may be gone by
 * then: once woken, the waiter is on the ready queue, and any task that runs first may
 * close and free the object. Concretely:
 *  - an object's hand-over (k_sem_give, k_queue_put to a waiting getter, k_mutex_unlock,
 *    k_chan_close...) completes the waiter's operation and wakes it with the result;
 *  - a wait that ends any other way (a timeout, a cancellation, a close: result != 0) runs
 *    the waiter's abort hook (z_wait_abort_fn, set before the wait) in the waker's context,
 *    while the object is certainly alive (it still had the waiter queued), so that the
 *    waiter's partial work is undone there (k_chan_put gives its count back);
 *  - freeing an object checks that no task waits on it AND that no task woken from it has
 *    yet to run (z_waitq_in_use): such a task is still a user of the object.
 * Exception, by ownership: a task's exit_wait is waited on by its one joiner, which then
 * owns the exited task and frees it (nobody else may: detach refuses a joined task).
 *
 * Audited against the rule (issue 23): k_sem_take (give hands the unit over), k_mutex_lock
 * (unlock makes the waiter the owner), k_event_wait, k_cond_wait (touches only its mutex,
 * which the caller owns, never the condition), k_queue_put/get (the other side copies the
 * message), k_chan_put (abort hook), k_chan_get/join, k_console_getc (the byte is the wake
 * result; the queue is static), k_join (the exception above), k_wait_any and k_gather (wait
 * on z_any_exit, static; read only the tasks the caller owns), k_sleep_ms (no object).
 * Generators do not wait: a generator's waits are its driving task's. Objects that can be
 * freed check z_waitq_in_use: k_queue_free (lwIP's mailboxes too), k_chan_free.
 */
#ifndef KERNEL_K_INTERNAL_H
#define KERNEL_K_INTERNAL_H

#include "arch.h"
#include "k.h"
#include "list.h"
#include "san.h"

/* What a wait does when it ends without the object's hand-over (result != 0): undo the
 * waiter's partial work on the object. Runs in the waker's context, before the waiter is
 * made ready; must not block. */
typedef void (*z_wait_abort_fn)(k_task_t *t, struct k_waitq *wq, int result);

struct k_task {
    void *sp;                    /* saved stack pointer (arch_switch); first member */
    struct k_list link;          /* ready queue or the wait queue it blocks on */
    struct k_list timer;         /* timeout list, sorted by deadline */
    struct k_list all;           /* every live task */
    uint64_t deadline;           /* ms, while on the timeout list */
    int wait_result;             /* what the wait returns: 0, -ETIMEDOUT, ... */
    const char *wait;            /* what it waits on, for ps */
    void *wait_data;             /* the waited-on object's per-waiter data (queue message) */
    struct k_waitq *wait_q;      /* the queue it waits on, or was woken from and has not yet
                                    run since (z_waitq_in_use); NULL otherwise */
    z_wait_abort_fn wait_abort;  /* set by the waiting code for its next wait; or NULL */
    enum k_task_state state;
    int saved_errno;             /* newlib's errno is global: saved per task at switch */
    uint32_t *guard;             /* K_GUARD_WORDS words at the stack's low end */
    char *stack;                 /* low end of the stack */
    size_t stack_size;
    void *(*entry)(void *);
    void *arg;
    k_result_t result;           /* how it ended, once exited */
    k_task_t *joiner;            /* task blocked in k_join on this one */
    struct k_waitq exit_wait;    /* the joiner waits here */
    bool detached;
    bool on_ready;               /* on the ready queue (z_ready_push/z_ready_pop) */
    bool cancel_pending;         /* k_task_cancel() called; the next cancellable wait fails */
    bool wait_cancellable;       /* the current wait can be ended by k_task_cancel() */
    uint8_t cancel_shield;       /* > 0: waits are not cancellation points */
    uint32_t cancels;            /* waits that returned -ECANCELED (k_task_cancels) */
    uint32_t exit_seq;           /* order of exit among all tasks (k_gather) */
    uint32_t id;
    uint32_t switches;
    unsigned stack_id;           /* arch_stack_register() handle (valgrind on the host) */
#if defined(__SANITIZE_ADDRESS__)
    const void *san_stack;       /* the stack it runs on as ASan sees it: its own, or that of
                                    the generator it drives (san.h, gen.c) */
    size_t san_stack_size;
#endif
    char name[K_NAME_MAX + 1];
};

/* The scheduler's state, shared by sched.c, timeout.c, task.c, poll.c. */
struct z_kernel {
    k_task_t *current;
    k_task_t idle;
    k_task_t *main;
    struct k_list ready;
    struct k_list timers;        /* blocked tasks with a deadline, earliest first */
    uint64_t armed;              /* the deadline the board's timer is armed for (ms), or
                                    UINT64_MAX */
    struct k_list all;
    struct k_list zombies;       /* exited detached tasks, freed by the idle task */
    uint32_t seen_events;
    uint32_t next_id;
    uint32_t exits;              /* tasks that exited so far (their exit_seq) */
    uint32_t woken;              /* tasks woken from a wait queue that have not run since */
    int *errno_ptr;
    bool main_done;
#if defined(__SANITIZE_ADDRESS__)
    const void *idle_stack;      /* the idle task's stack as ASan sees it (san.h) */
    size_t idle_stack_size;
#endif
    struct k_idle_stats idle_stats;
};
extern struct z_kernel z_k;
/* Interrupt events (k_isr_event/k_isr_signal); the poll loop runs when they differ from
 * z_k.seen_events. */
extern volatile uint32_t z_isr_events;
/* k_wait_any and k_gather wait here, each with the set of tasks it waits for as its
 * wait_data; a task's exit wakes only the waiters whose set holds it (z_exit_notify). */
extern struct k_waitq z_any_exit;
struct z_exit_set {
    k_task_t *const *tasks;      /* NULL entries are skipped */
    int n;
};

/* Internal consistency checks (xv6-style: the scheduler's invariants at every switch).
 * On unless the build says K_CHECKS=0; a failure panics with the condition and line. */
#ifndef K_CHECKS
#define K_CHECKS 1
#endif
#if K_CHECKS
#define K_CHECK(c) K_ASSERT(c)
#else
#define K_CHECK(c) ((void)0)
#endif

/* Guard words at the low end of every task stack, checked at every switch. */
#define K_GUARD_WORDS 4
#define K_GUARD_PATTERN 0xDEADC0DEu
/* Paint of unused stack, for the high-water mark. */
#define K_STACK_PAINT 0xA5A5A5A5u

/* --- sched.c ------------------------------------------------------------------------- */

/* The outgoing task's stack guard was overwritten: panic, naming it. */
void z_overflow(k_task_t *t) __attribute__((noreturn, noinline, cold));

/* The ready queue; every insertion and removal goes through these (t->on_ready). Inline,
 * with z_switch_to: with k_yield() they are the hot path (make bench's *_switch_insns). */
static inline void z_ready_push(k_task_t *t)
{
    K_CHECK(!t->on_ready && !k_list_linked(&t->link) && t != &z_k.idle);
    k_list_append(&z_k.ready, &t->link);
    t->on_ready = true;
}

static inline k_task_t *z_ready_pop(void)
{
    k_task_t *t = k_container_of(k_list_pop(&z_k.ready), k_task_t, link);
    K_CHECK(t->on_ready);
    t->on_ready = false;
    return t;
}

/* Switch from the current task to next. The outgoing task's guard word next to its stack
 * is checked here, so an overflow is reported at the latest when its task next gives up
 * the CPU. */
static inline void z_switch_to(k_task_t *next)
{
    k_task_t *prev = z_k.current;
    void *fake;

    if (prev->guard[K_GUARD_WORDS - 1] != K_GUARD_PATTERN)
        z_overflow(prev);
    /* xv6-style state checks at every switch: the next task is ready and off every queue;
     * the previous one has left the running state, and is on the ready queue exactly when
     * it is ready (the idle task is never queued and stays "running" between passes). */
    K_CHECK(next != prev);
    K_CHECK(next == &z_k.idle || (next->state == K_READY && !next->on_ready && !k_list_linked(&next->link)));
    K_CHECK(prev == &z_k.idle || prev->state != K_RUNNING);
    K_CHECK(prev == &z_k.idle || (prev->state == K_READY) == prev->on_ready);
    prev->saved_errno = *z_k.errno_ptr;
    *z_k.errno_ptr = next->saved_errno;
    next->state = K_RUNNING;
    next->switches++;
    z_k.current = next;
#if defined(__SANITIZE_ADDRESS__)
    z_san_leave(&fake, next == &z_k.idle ? z_k.idle_stack : next->san_stack,
                next == &z_k.idle ? z_k.idle_stack_size : next->san_stack_size);
#else
    z_san_leave(&fake, NULL, 0);
#endif
    arch_switch(&prev->sp, next->sp);
    z_san_arrive(fake, NULL, NULL);
}

/* Run the next ready task, or the idle task if none is ready or an interrupt event is
 * pending; the caller has already queued or blocked the current task. */
void z_schedule(void);

/* Wake blocked task t with result (its wait returns it): off its wait queue and the
 * timeout list, its abort hook run if result != 0, onto the ready queue. */
void z_make_ready(k_task_t *t, int result);

/*
 * Block the current task on wq (may be NULL: a pure timeout) for up to timeout
 * (K_FOREVER, or >= 0; callers handle K_NO_WAIT themselves). `what` is shown by ps. The
 * abort hook set with z_wait_abort() for this wait runs if it ends with result != 0.
 * Returns the wake-up result: what z_waitq_wake_one() passed, -ETIMEDOUT or -ECANCELED.
 * After it returns the caller must not touch wq's object (the lifetime rule above).
 */
int z_wait(struct k_waitq *wq, k_timeout_t timeout, const char *what);

/* Set the current task's abort hook for its next z_wait (cleared when that wait ends, or
 * by z_wait_abort(NULL) if the caller ends up not waiting). */
void z_wait_abort(z_wait_abort_fn fn);

/* Wake the longest waiter of wq with result; returns it, or NULL if none waits. */
k_task_t *z_waitq_wake_one(struct k_waitq *wq, int result);
/* Wake every waiter with result; returns how many. */
int z_waitq_wake_all(struct k_waitq *wq, int result);

static inline void z_waitq_init(struct k_waitq *wq) { k_list_init(&wq->tasks); }
static inline bool z_waitq_empty(const struct k_waitq *wq) { return k_list_empty(&wq->tasks); }

/* Whether wq's object still has users: a task waiting on it, or a task woken from it that
 * has not run since. An object may be freed only when this is false for all its queues. */
bool z_waitq_in_use(const struct k_waitq *wq);

/* The longest waiter of wq, or NULL (for hand-overs that fill in its wait_data). */
static inline k_task_t *z_waitq_first(const struct k_waitq *wq)
{
    return k_list_empty(&wq->tasks) ? NULL : k_container_of(wq->tasks.next, k_task_t, link);
}

/* --- timeout.c ----------------------------------------------------------------------- */

/* Put the current task on the timeout list, due timeout.ms from now (plus the board's
 * clock resolution); arms the board's timer if it is now the earliest. */
void z_timeout_add(k_task_t *t, k_timeout_t timeout);
/* Take t off the timeout list (a wake-up before its deadline). */
void z_timeout_del(k_task_t *t);
/* Wake every task whose deadline is at or before now with -ETIMEDOUT; re-arm. */
void z_timeout_expire(uint64_t now);
/* The earliest deadline (ms), or UINT64_MAX. */
uint64_t z_timeout_next(void);
/* What the board's timer is armed for to reach deadline from now: at most 60 s ahead (a
 * one-shot timer counts 85 s at the least); the poll loop arms it again when that passes. */
uint64_t z_timer_cap(uint64_t deadline, uint64_t now);

/* --- task.c -------------------------------------------------------------------------- */

/* Round a requested stack size up to 16 bytes; 0 if it is out of range
 * (< K_STACK_MIN or > 1 GiB). */
size_t z_stack_size_ok(size_t size);

/* Write the guard words at the low end of [stack, stack + size) and paint the rest below
 * `paint_end` (NULL: the whole stack) for the high-water mark. */
void z_stack_prepare(void *stack, size_t size, void *paint_end);

/* Bytes of the painted stack [stack, stack + size) that were ever used: its high-water
 * mark (the guard words excluded). */
size_t z_stack_used(const void *stack, size_t size);

/* Free an exited (or never run, at k_run's end) task: unlink it from the task list. */
void z_task_free(k_task_t *t);

/* --- poll.c, wall.c ------------------------------------------------------------------ */

/* kernel/wall.c: read the RTC at boot; sample the cycle counter (poll loop, new events). */
void z_wall_init(void);
void z_entropy_event(void);

#endif
