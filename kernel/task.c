/*
 * task.c - tasks, the ready queue, timeouts, and the idle task's poll loop.
 *
 * Model: Unikraft's ukschedcoop (run queue + sleep queue + idle that halts), xv6's swtch.
 * The ready queue is a FIFO. Blocked tasks sit on the wait queue of what they wait for and,
 * when the wait has a timeout, on the timeout list sorted by deadline. The context that
 * calls k_run() becomes the idle task: it runs the poll hooks, expires timeouts and halts
 * the CPU; it is never on the ready queue and is chosen when no task is ready or when an
 * interrupt event is pending, so device work is never starved by tasks that only yield.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch.h"
#include "board.h"
#include "k_internal.h"

static struct {
    k_task_t *current;
    k_task_t idle;
    k_task_t *main;
    struct k_list ready;
    struct k_list timers;
    struct k_list all;
    struct k_list zombies;       /* exited detached tasks, freed by the idle task */
    uint32_t seen_events;
    uint32_t next_id;
    int *errno_ptr;
    bool main_done;
    struct k_idle_stats idle_stats;
} k;

static volatile uint32_t k_isr_events;
#ifndef K_BUSY_POLL_US
#define K_BUSY_POLL_US 0             /* the host build; boards: the make variable */
#endif
static uint32_t k_busy_window_us = K_BUSY_POLL_US;
static struct k_poll_hook *k_hooks;  /* outside k: registered before k_run() resets k */
static uint32_t k_idle_guard[K_GUARD_WORDS];

void (*k_panic_handler)(const char *msg);

/* ----------------------------------------------------------------------------------- */

static void k_overflow(k_task_t *t) __attribute__((noreturn, noinline, cold));
static void k_overflow(k_task_t *t)
{
    k.current = t;
    k_panic("stack overflow: guard at %p overwritten (stack %u bytes)", (void *)t->guard,
            (unsigned)t->stack_size);
}

/* Switch from the current task to next. The outgoing task's guard word next to its stack
 * is checked here, so an overflow is reported at the latest when its task next gives up
 * the CPU. This and k_yield() are the hot path: keep them short. */
/* The ready queue, with each task's membership recorded (t->on_ready) so that the
 * switch checks below cost O(1). Every insertion and removal goes through these. */
static inline void ready_push(k_task_t *t)
{
    K_CHECK(!t->on_ready && !k_list_linked(&t->link) && t != &k.idle);
    k_list_append(&k.ready, &t->link);
    t->on_ready = true;
}

static inline k_task_t *ready_pop(void)
{
    k_task_t *t = k_container_of(k_list_pop(&k.ready), k_task_t, link);
    K_CHECK(t->on_ready);
    t->on_ready = false;
    return t;
}

static inline void k_switch_to(k_task_t *next)
{
    k_task_t *prev = k.current;

    if (prev->guard[K_GUARD_WORDS - 1] != K_GUARD_PATTERN)
        k_overflow(prev);
    /* xv6-style state checks at every switch: the next task is ready and off every queue;
     * the previous one has left the running state, and is on the ready queue exactly when
     * it is ready (the idle task is never queued and stays "running" between passes). */
    K_CHECK(next != prev);
    K_CHECK(next == &k.idle || (next->state == K_READY && !next->on_ready && !k_list_linked(&next->link)));
    K_CHECK(prev == &k.idle || prev->state != K_RUNNING);
    K_CHECK(prev == &k.idle || (prev->state == K_READY) == prev->on_ready);
    prev->saved_errno = *k.errno_ptr;
    *k.errno_ptr = next->saved_errno;
    next->state = K_RUNNING;
    next->switches++;
    k.current = next;
    arch_switch(&prev->sp, next->sp);
}

/* Run the next ready task; the caller has already queued or blocked the current one. */
static void k_schedule(void)
{
    k_task_t *next;

    if (k.seen_events != k_isr_events || k_list_empty(&k.ready))
        next = &k.idle;
    else
        next = ready_pop();
    if (next != k.current)
        k_switch_to(next);
}

static void k_make_ready(k_task_t *t, int result)
{
    K_CHECK(t->state == K_BLOCKED);       /* only a waiting task is woken, and only once */
    if (k_list_linked(&t->link))
        k_list_del(&t->link);
    if (k_list_linked(&t->timer))
        k_list_del(&t->timer);
    t->wait_result = result;
    t->wait = "";
    t->state = K_READY;
    ready_push(t);
}

void k_yield(void)
{
    k_task_t *t = k.current, *next;

    if (k.seen_events != k_isr_events) {
        /* An interrupt event is pending: let the poll loop run first. */
        if (t == &k.idle)
            return;
        t->state = K_READY;
        ready_push(t);
        k_switch_to(&k.idle);
        return;
    }
    if (k_list_empty(&k.ready) || t == &k.idle)
        return;
    next = ready_pop();
    t->state = K_READY;
    ready_push(t);
    k_switch_to(next);
}

int k_wait(struct k_waitq *wq, k_timeout_t timeout, const char *what)
{
    k_task_t *t = k.current;

    if (t == &k.idle)
        k_panic("the idle task (a poll hook) tried to block on %s", what);
    K_ASSERT(timeout.ms >= 0 || K_TIMEOUT_EQ(timeout, K_FOREVER));
    t->wait_cancellable = !t->cancel_shield;
    if (t->cancel_pending && t->wait_cancellable) {
        t->cancel_pending = false;   /* delivered once, like CancelledError */
        t->cancels++;
        return -ECANCELED;
    }
    t->state = K_BLOCKED;
    t->wait = what;
    t->wait_result = 0;
    if (wq)
        k_list_append(&wq->tasks, &t->link);
    if (!K_TIMEOUT_EQ(timeout, K_FOREVER)) {
        struct k_list *pos;
        t->deadline = k_uptime_ms() + (uint32_t)timeout.ms + board_clock_resolution_ms;
        /* Sorted by deadline; equal deadlines keep their arrival order. */
        for (pos = k.timers.next; pos != &k.timers; pos = pos->next)
            if (k_container_of(pos, k_task_t, timer)->deadline > t->deadline)
                break;
        k_list_insert_before(pos, &t->timer);
    }
    k_schedule();
    if (t->wait_result == -ECANCELED)
        t->cancels++;
    return t->wait_result;
}

uint32_t k_task_cancels(void) { return k.current->cancels; }

k_task_t *k_waitq_wake_one(struct k_waitq *wq, int result)
{
    struct k_list *n = wq->tasks.next;
    k_task_t *t;

    if (n == &wq->tasks)
        return NULL;
    t = k_container_of(n, k_task_t, link);
    k_make_ready(t, result);
    return t;
}

int k_waitq_wake_all(struct k_waitq *wq, int result)
{
    int n = 0;
    while (k_waitq_wake_one(wq, result))
        n++;
    return n;
}

int k_sleep_ms(uint32_t ms)
{
    if (ms == 0) {
        k_yield();
        return 0;
    }
    if (ms > INT32_MAX)
        ms = INT32_MAX;
    return k_wait(NULL, K_MSEC(ms), "sleep") == -ECANCELED ? -ECANCELED : 0;
}

int k_task_cancel(k_task_t *t)
{
    if (!t || t == &k.idle || t->state == K_EXITED)
        return -EINVAL;
    if (t->state == K_BLOCKED && t->wait_cancellable)
        k_make_ready(t, -ECANCELED);
    else
        t->cancel_pending = true;
    return 0;
}

void k_cancel_shield(bool on)
{
    k_task_t *t = k.current;
    if (on)
        t->cancel_shield++;
    else if (t->cancel_shield)
        t->cancel_shield--;
}

static struct k_waitq k_any_exit = { { &k_any_exit.tasks, &k_any_exit.tasks } };

int k_wait_any(k_task_t *const *tasks, int n, k_timeout_t timeout)
{
    uint64_t deadline = K_TIMEOUT_EQ(timeout, K_FOREVER) ? UINT64_MAX : k_uptime_ms() + (uint32_t)timeout.ms;
    for (;;) {
        int rc;
        for (int i = 0; i < n; i++)
            if (tasks[i] && tasks[i]->state == K_EXITED)
                return i;
        if (K_TIMEOUT_EQ(timeout, K_NO_WAIT))
            return -EAGAIN;
        uint64_t now = k_uptime_ms();
        if (now >= deadline)
            return -ETIMEDOUT;
        rc = k_wait(&k_any_exit, deadline == UINT64_MAX ? K_FOREVER : K_MSEC(deadline - now), "any");
        if (rc == -ECANCELED)
            return rc;
    }
}

uint64_t k_uptime_ms(void) { return board_uptime_ms(); }
uint64_t k_uptime_us(void) { return board_uptime_us(); }

k_task_t *k_current(void) { return k.current; }

const char *k_task_name(const k_task_t *t) { return t->name; }

/* ----------------------------------------------------------------------------------- */

static void k_task_start(void)
{
    k_task_t *t = k.current;
    k_task_exit(t->entry(t->arg));
}

size_t k_stack_size_ok(size_t size)
{
    if (size < K_STACK_MIN || size > (1u << 30))
        return 0;
    return (size + 15u) & ~(size_t)15u;
}

void k_stack_prepare(void *stack, size_t size, void *paint_end)
{
    uint32_t *w = stack, *end = paint_end ? paint_end : (uint32_t *)((char *)stack + size);
    size_t i;
    for (i = 0; i < K_GUARD_WORDS; i++)
        w[i] = K_GUARD_PATTERN;
    for (w += K_GUARD_WORDS; w < end; w++)
        *w = K_STACK_PAINT;
}

k_task_t *k_task_spawn(const char *name, void *(*entry)(void *), void *arg, size_t stack_size)
{
    const size_t tcb = (sizeof(k_task_t) + 15u) & ~(size_t)15u;
    char *mem;
    k_task_t *t;

    stack_size = k_stack_size_ok(stack_size);
    if (!entry || !stack_size) {
        errno = EINVAL;
        return NULL;
    }
    /* Stack below, task above: an overflow runs into the guard, not into the task. */
    mem = malloc(stack_size + tcb);
    if (!mem) {
        errno = ENOMEM;
        return NULL;
    }
    t = (k_task_t *)(mem + stack_size);
    memset(t, 0, sizeof(*t));
    k_list_init(&t->link);
    k_list_init(&t->timer);
    k_waitq_init(&t->exit_wait);
    t->stack = mem;
    t->stack_size = stack_size;
    t->guard = (uint32_t *)mem;
    k_stack_prepare(mem, stack_size, NULL);
    t->stack_id = arch_stack_register(mem, stack_size);
    t->sp = arch_stack_init(mem, stack_size, k_task_start);
    t->entry = entry;
    t->arg = arg;
    t->id = ++k.next_id;
    t->wait = "";
    strncpy(t->name, name ? name : "?", K_NAME_MAX);
    t->state = K_READY;
    k_list_init(&t->link);
    k_list_append(&k.all, &t->all);
    ready_push(t);
    return t;
}

static void k_task_free(k_task_t *t)
{
    k_list_del(&t->all);
    arch_stack_deregister(t->stack_id);
    free(t->stack);
}

void k_task_exit_error(int err)
{
    k.current->exit_status = err < 0 ? err : -EINVAL;
    k_task_exit(NULL);
}

void k_task_exit(void *result)
{
    k_task_t *t = k.current;

    if (t == &k.idle)
        k_panic("the idle task cannot exit");
    t->result = result;
    t->state = K_EXITED;
    t->wait = "";
    k_waitq_wake_all(&t->exit_wait, 0);
    k_waitq_wake_all(&k_any_exit, 0);
    if (t->detached)
        k_list_append(&k.zombies, &t->link);
    if (t == k.main) {
        k.main_done = true;
        k_switch_to(&k.idle);
    } else {
        k_schedule();
    }
    k_panic("exited task resumed");
}

int k_join(k_task_t *t, k_timeout_t timeout, void **result)
{
    int rc_exit;

    if (!t || t->detached)
        return -EINVAL;
    if (t == k.current)
        return -EDEADLK;
    if (t->joiner)
        return -EBUSY;
    if (t->state != K_EXITED) {
        int rc;
        if (K_TIMEOUT_EQ(timeout, K_NO_WAIT))
            return -EAGAIN;
        t->joiner = k.current;
        rc = k_wait(&t->exit_wait, timeout, "join");
        t->joiner = NULL;
        if (rc)
            return rc;
    }
    if (result)
        *result = t->result;
    rc_exit = t->exit_status;
    if (t == k.main)
        return rc_exit; /* k_run frees main */
    k_task_free(t);
    return rc_exit;
}

int k_task_detach(k_task_t *t)
{
    if (!t || t->detached || t->joiner)
        return -EINVAL;
    t->detached = true;
    if (t->state == K_EXITED && t != k.main)
        k_task_free(t);
    return 0;
}

/* ----------------------------------------------------------------------------------- */

const char *k_task_state_name(enum k_task_state s)
{
    switch (s) {
    case K_READY: return "ready";
    case K_RUNNING: return "running";
    case K_BLOCKED: return "blocked";
    case K_EXITED: return "exited";
    }
    return "?";
}

size_t k_task_stack_peak(const k_task_t *t) { return t->stack ? k_stack_used(t->stack, t->stack_size) : 0; }

size_t k_stack_used(const void *stack, size_t size)
{
    const uint32_t *w = (const uint32_t *)stack + K_GUARD_WORDS;
    const uint32_t *end = (const uint32_t *)((const char *)stack + size);

    if (!size)
        return 0;
    arch_stack_scan_begin();
    while (w < end && *w == K_STACK_PAINT)
        w++;
    arch_stack_scan_end();
    return (size_t)((const char *)end - (const char *)w);
}

static int k_info(const k_task_t *t, int (*fn)(const struct k_task_info *, void *), void *ctx)
{
    struct k_task_info i = {
        .id = t->id, .name = t->name, .wait = t->wait,
        /* the idle task is always runnable but never queued */
        .state = t == &k.idle ? (k.current == t ? K_RUNNING : K_READY) : t->state,
        .stack_size = t->stack_size, .stack_peak = k_stack_used(t->stack, t->stack_size), .switches = t->switches,
    };
    return fn(&i, ctx);
}

unsigned k_task_count(void)
{
    unsigned n = 1;                 /* the idle task */
    for (struct k_list *l = k.all.next; l != &k.all; l = l->next)
        n++;
    return n;
}

int k_task_foreach(int (*fn)(const struct k_task_info *info, void *ctx), void *ctx)
{
    struct k_list *n, *next;
    int rc = k_info(&k.idle, fn, ctx);

    for (n = k.all.next; !rc && n != &k.all; n = next) {
        next = n->next;
        rc = k_info(k_container_of(n, k_task_t, all), fn, ctx);
    }
    return rc;
}

/* ----------------------------------------------------------------------------------- */

void k_isr_event(void) { k_isr_events++; }

void k_isr_signal(struct k_poll_hook *h)
{
    h->events++;
    k_isr_events++;
}

void k_poll_kick(struct k_poll_hook *h)
{
    h->kicked = true;
    k_isr_events++;
}

void k_poll_register(struct k_poll_hook *h)
{
    struct k_poll_hook **p = &k_hooks;
    while (*p)
        p = &(*p)->next;
    h->next = NULL;
    *p = h;
    k_poll_kick(h);
}

int k_poll_unregister(struct k_poll_hook *h)
{
    struct k_poll_hook **p;
    for (p = &k_hooks; *p; p = &(*p)->next) {
        if (*p == h) {
            *p = h->next;
            return 0;
        }
    }
    return -ENOENT;
}

struct k_poll_hook *k_poll_hooks(void) { return k_hooks; }

int k_busy_poll_set(uint32_t us)
{
    if (us > K_BUSY_POLL_MAX_US)
        return -EINVAL;
    k_busy_window_us = us;
    return 0;
}

uint32_t k_busy_poll_us(void) { return k_busy_window_us; }

void k_idle_stats(struct k_idle_stats *st) { *st = k.idle_stats; }

static void k_expire_timers(uint64_t now)
{
    while (!k_list_empty(&k.timers)) {
        k_task_t *t = k_container_of(k.timers.next, k_task_t, timer);
        if (t->deadline > now)
            break;
        k_make_ready(t, -ETIMEDOUT);
    }
}

/* Spin on the pending() checks of the hooks until one has work, an interrupt event comes,
 * the busy-poll window that opened at work_us has passed, or the earliest sleeper's
 * deadline (ms; no timer interrupt is armed while spinning) has come. The checks come
 * first: a device writes a frame before it raises the interrupt that announces it, so that
 * interrupt finds the frame pending too. Returns the hook with work (kicked, so that it runs
 * at the next pass), or NULL. */
static struct k_poll_hook *k_busy_poll(uint64_t work_us, uint64_t deadline_ms)
{
    uint64_t start = k_uptime_us(), now;
    struct k_poll_hook *h;

    k.idle_stats.busy_polls++;
    for (unsigned i = 1;; i++) {
        for (h = k_hooks; h && !(h->pending && h->pending(h->ctx)); h = h->next)
            ;
        if (h || k.seen_events != k_isr_events)
            break;
        if (i % K_BUSY_POLL_CHECKS)
            continue;
        now = k_uptime_us();
        if (now - work_us >= k_busy_window_us || now / 1000u >= deadline_ms)
            break;
    }
    k.idle_stats.busy_us += k_uptime_us() - start;
    if (h) {
        h->busy_hits++;
        k.idle_stats.busy_hits++;
        k_poll_kick(h);
    }
    return h;
}

/* The idle task: the poll loop. Returns when main has exited, or on a deadlock. */
static int k_idle_loop(void)
{
    bool busy = false;               /* a hook with pending() found work; the last work
                                        (its, or a task's run since) was at work_us */
    uint64_t work_us = 0;

    for (;;) {
        struct k_poll_hook *h;
        unsigned long irq;
        uint64_t deadline, now;
        int rc = 0;

        while (!k_list_empty(&k.zombies))
            k_task_free(k_container_of(k_list_pop(&k.zombies), k_task_t, link));
        if (k.main_done)
            return 0;
        if (k.seen_events != k_isr_events)
            k_entropy_event();
        k.seen_events = k_isr_events;
        now = k_uptime_ms();
        for (h = k_hooks; h; h = h->next) {
            uint32_t ev = h->events;
            if (ev == h->seen && !h->kicked &&
                !(h->period_ms && now - h->last_ms >= h->period_ms))
                continue;              /* nothing for it: its device was quiet */
            h->seen = ev;
            h->kicked = false;
            h->last_ms = now;
            int n = h->poll(h->ctx);
            h->calls++;
            if (n > 0) {
                h->items += (uint32_t)n;
                if (h->pending && k_busy_window_us) {
                    busy = true;
                    work_us = k_uptime_us();
                }
            }
        }
        k_expire_timers(k_uptime_ms());
        if (!k_list_empty(&k.ready)) {
            k_switch_to(ready_pop());
            if (busy)
                work_us = k_uptime_us();  /* the window counts from the last work done */
            continue;
        }
        deadline = k_list_empty(&k.timers)
                       ? UINT64_MAX
                       : k_container_of(k.timers.next, k_task_t, timer)->deadline;
        if (busy && k_busy_window_us) {   /* (a task may have turned it off since) */
            if (k_busy_poll(work_us, deadline) || k.seen_events != k_isr_events)
                continue;            /* work, or an interrupt: another pass */
            busy = false;            /* the window has passed (or a deadline came) */
            if (k_uptime_ms() >= deadline)
                continue;
        }
        irq = arch_irq_save();
        if (k.seen_events == k_isr_events) {
            uint64_t start = k_uptime_ms();
            k.idle_stats.halts++;
            k.idle_stats.last_wait_ms = UINT32_MAX;
            if (deadline != UINT64_MAX) {
                k.idle_stats.timed_halts++;
                k.idle_stats.last_wait_ms =
                    deadline <= start ? 0
                    : deadline - start >= UINT32_MAX ? UINT32_MAX - 1u
                                                     : (uint32_t)(deadline - start);
            }
            rc = board_idle(deadline);
            k.idle_stats.halted_ms += k_uptime_ms() - start;
        }
        arch_irq_restore(irq);
        if (rc < 0)
            return -EDEADLK;
    }
}

int k_run(void *(*main_entry)(void *), void *arg, size_t stack_size, void **result)
{
    k_task_t *idle = &k.idle;
    struct k_list *n;
    void *base;
    size_t size, left = 0;
    int rc;

    memset(&k, 0, sizeof(k));
    k_list_init(&k.ready);
    k_list_init(&k.timers);
    k_list_init(&k.all);
    k_list_init(&k.zombies);
    k_waitq_init(&k_any_exit);
    k.errno_ptr = &errno;
    k_wall_init();

    k_list_init(&idle->link);
    k_list_init(&idle->timer);
    k_waitq_init(&idle->exit_wait);
    strcpy(idle->name, "idle");
    idle->state = K_RUNNING;
    idle->detached = true;
    idle->wait = "";
    board_boot_stack(&base, &size);
    if (base && size > 1024) {
        /* Paint the boot stack below the live frames (leave 512 bytes of margin). */
        idle->stack = base;
        idle->stack_size = size;
        idle->guard = base;
        k_stack_prepare(base, size, (void *)((uintptr_t)__builtin_frame_address(0) - 512));
    } else {
        idle->guard = k_idle_guard;
        k_stack_prepare(k_idle_guard, sizeof(k_idle_guard), NULL);
    }
    k.current = idle;

    k.main = k_task_spawn("main", main_entry, arg, stack_size);
    if (!k.main)
        return -ENOMEM;
    rc = k_idle_loop();
    if (result)
        *result = k.main_done ? k.main->result : NULL;

    /* Free what is left, main last. */
    for (n = k.all.next; n != &k.all;) {
        k_task_t *t = k_container_of(n, k_task_t, all);
        n = n->next;
        if (t != k.main) {
            k_task_free(t);
            left++;
        }
    }
    k_task_free(k.main);
    k.main = NULL;
    if (left)
        printf("k_run: %u task(s) still alive when main finished were freed\n", (unsigned)left);
    return rc;
}

/* ----------------------------------------------------------------------------------- */

void k_panic(const char *fmt, ...)
{
    static char msg[192];
    va_list ap;
    int n;
    const char *p;

    va_start(ap, fmt);
    n = vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (n >= 0 && (size_t)n < sizeof(msg))
        snprintf(msg + n, sizeof(msg) - (size_t)n, " (task '%s')",
                 k.current ? k.current->name : "none");
    if (k_panic_handler)
        k_panic_handler(msg);
    for (p = "\r\nPANIC: "; *p; p++)
        board_console_putc(*p);
    for (p = msg; *p; p++)
        board_console_putc(*p);
    board_console_putc('\r');
    board_console_putc('\n');
    board_exit(K_PANIC_STATUS);
}

int k_wait_for(k_task_t *t, k_timeout_t timeout, void **result)
{
    int rc = k_join(t, timeout, result);
    if (rc != -ETIMEDOUT && rc != -EAGAIN)
        return rc;
    /* asyncio.wait_for: on timeout, cancel the task and wait until it has finished */
    k_task_cancel(t);
    k_cancel_shield(true);
    (void)k_join(t, K_FOREVER, NULL);
    k_cancel_shield(false);
    return -ETIMEDOUT;
}

int k_gather(k_task_t *const *tasks, int n, void **results, int *statuses)
{
    int first = 0, i, j;
    bool cancelled = false;
    for (i = 0; i < n; i++) {
        void *r = NULL;
        int rc = 0;
        if (tasks[i]) {
            uint32_t cancels = k_task_cancels();
            if (!cancelled)
                rc = k_join(tasks[i], K_FOREVER, &r);
            if (cancelled || (rc == -ECANCELED && k_task_cancels() != cancels)) {
                /* asyncio.gather: the gather itself was cancelled; so is every task
                 * still running, and all are joined (and freed) before we return */
                if (!cancelled)
                    for (j = i; j < n; j++)
                        if (tasks[j])
                            k_task_cancel(tasks[j]);
                cancelled = true;
                k_cancel_shield(true);
                rc = k_join(tasks[i], K_FOREVER, &r);
                k_cancel_shield(false);
            }
        }
        if (results)
            results[i] = r;
        if (statuses)
            statuses[i] = rc;
        if (rc && !first)
            first = rc;
    }
    return cancelled ? -ECANCELED : first;
}
