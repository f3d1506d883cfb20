/* k_internal.h - scheduler internals shared by the kernel's modules (not public API). */
#ifndef KERNEL_K_INTERNAL_H
#define KERNEL_K_INTERNAL_H

#include "k.h"
#include "list.h"

struct k_task {
    void *sp;                    /* saved stack pointer (arch_switch); first member */
    struct k_list link;          /* ready queue or the wait queue it blocks on */
    struct k_list timer;         /* timeout list, sorted by deadline */
    struct k_list all;           /* every live task */
    uint64_t deadline;           /* ms, while on the timeout list */
    int wait_result;             /* what the wait returns: 0, -ETIMEDOUT, ... */
    const char *wait;            /* what it waits on, for ps */
    void *wait_data;             /* the waited-on object's per-waiter data (queue message) */
    enum k_task_state state;
    int saved_errno;             /* newlib's errno is global: saved per task at switch */
    uint32_t *guard;             /* K_GUARD_WORDS words at the stack's low end */
    char *stack;                 /* low end of the stack */
    size_t stack_size;
    void *(*entry)(void *);
    void *arg;
    void *result;
    k_task_t *joiner;            /* task blocked in k_join on this one */
    struct k_waitq exit_wait;    /* the joiner waits here */
    bool detached;
    bool on_ready;               /* on the ready queue (ready_push/ready_pop) */
    bool cancel_pending;         /* k_task_cancel() called; the next cancellable wait fails */
    bool wait_cancellable;       /* the current wait can be ended by k_task_cancel() */
    uint8_t cancel_shield;       /* > 0: waits are not cancellation points */
    uint32_t cancels;            /* waits that returned -ECANCELED (k_task_cancels) */
    int exit_status;             /* 0, or the error of k_task_exit_error() */
    uint32_t id;
    uint32_t switches;
    unsigned stack_id;           /* arch_stack_register() handle (valgrind on the host) */
    char name[K_NAME_MAX + 1];
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

/* Round a requested stack size up to 16 bytes; 0 if it is out of range
 * (< K_STACK_MIN or > 1 GiB). */
size_t k_stack_size_ok(size_t size);

/* Write the guard words at the low end of [stack, stack + size) and paint the rest below
 * `paint_end` (NULL: the whole stack) for the high-water mark. */
void k_stack_prepare(void *stack, size_t size, void *paint_end);

/* Bytes of the painted stack [stack, stack + size) that were ever used: its high-water
 * mark (the guard words excluded). */
size_t k_stack_used(const void *stack, size_t size);

/*
 * Block the current task on wq (may be NULL: a pure timeout) for up to timeout
 * (K_FOREVER, or >= 0; callers handle K_NO_WAIT themselves). `what` is shown by ps.
 * Returns the wake-up result: what k_waitq_wake_one() passed, or -ETIMEDOUT.
 */
int k_wait(struct k_waitq *wq, k_timeout_t timeout, const char *what);

/* Wake the longest waiter of wq with result; returns it, or NULL if none waits. */
k_task_t *k_waitq_wake_one(struct k_waitq *wq, int result);
/* Wake every waiter with result; returns how many. */
int k_waitq_wake_all(struct k_waitq *wq, int result);

static inline void k_waitq_init(struct k_waitq *wq) { k_list_init(&wq->tasks); }
static inline bool k_waitq_empty(const struct k_waitq *wq) { return k_list_empty(&wq->tasks); }

/* kernel/wall.c: read the RTC at boot; sample the cycle counter (poll loop, new events). */
void k_wall_init(void);
void k_entropy_event(void);

#endif
