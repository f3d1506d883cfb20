/*
 * poll.c - poll hooks, the idle task's poll loop (with busy polling), k_run and k_panic.
 *
 * The context that calls k_run() becomes the idle task. Each pass of its loop frees
 * exited detached tasks, runs the poll hooks whose device raised an event (or that were
 * kicked, or whose period is up), expires due deadlines and runs the ready tasks; when none
 * is ready and no event is pending it busy-polls briefly after network work, then halts
 * the CPU until the next interrupt or the earliest deadline (tickless).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "arch.h"
#include "board.h"
#include "k_internal.h"

#ifndef K_BUSY_POLL_US
#define K_BUSY_POLL_US 0             /* the host build; boards: the make variable */
#endif
static uint32_t busy_window_us = K_BUSY_POLL_US;
static struct k_poll_hook *hooks;    /* outside z_k: registered before k_run() resets it */
static uint32_t idle_guard[K_GUARD_WORDS];

void (*k_panic_handler)(const char *msg);

void k_isr_event(void) { z_isr_events++; }

void k_isr_signal(struct k_poll_hook *h)
{
    h->events++;
    z_isr_events++;
}

void k_poll_kick(struct k_poll_hook *h)
{
    h->kicked = true;
    z_isr_events++;
}

void k_poll_register(struct k_poll_hook *h)
{
    struct k_poll_hook **p = &hooks;
    while (*p)
        p = &(*p)->next;
    h->next = NULL;
    *p = h;
    k_poll_kick(h);
}

int k_poll_unregister(struct k_poll_hook *h)
{
    for (struct k_poll_hook **p = &hooks; *p; p = &(*p)->next) {
        if (*p == h) {
            *p = h->next;
            return 0;
        }
    }
    return -ENOENT;
}

struct k_poll_hook *k_poll_hooks(void) { return hooks; }

int k_busy_poll_set(uint32_t us)
{
    if (us > K_BUSY_POLL_MAX_US)
        return -EINVAL;
    busy_window_us = us;
    return 0;
}

uint32_t k_busy_poll_us(void) { return busy_window_us; }

void k_idle_stats(struct k_idle_stats *st) { *st = z_k.idle_stats; }

/* Spin on the pending() checks of the hooks until one has work, an interrupt event comes,
 * the busy-poll window that opened at work_us has passed, or the earliest sleeper's
 * deadline (ms) has come. The checks come first: a device writes a frame before it raises
 * the interrupt that announces it, so that interrupt finds the frame pending too. Returns
 * the hook with work (kicked, so that it runs at the next pass), or NULL. */
static struct k_poll_hook *busy_poll(uint64_t work_us, uint64_t deadline_ms)
{
    uint64_t start = k_uptime_us(), now;
    struct k_poll_hook *h;

    z_k.idle_stats.busy_polls++;
    for (unsigned i = 1;; i++) {
        for (h = hooks; h && !(h->pending && h->pending(h->ctx)); h = h->next)
            ;
        if (h || z_k.seen_events != z_isr_events)
            break;
        if (i % K_BUSY_POLL_CHECKS)
            continue;
        now = k_uptime_us();
        if (now - work_us >= busy_window_us || now / 1000u >= deadline_ms)
            break;
    }
    z_k.idle_stats.busy_us += k_uptime_us() - start;
    if (h) {
        h->busy_hits++;
        z_k.idle_stats.busy_hits++;
        k_poll_kick(h);
    }
    return h;
}

/* Run the hooks that have work; true if one with a pending() check handled some. */
static bool run_hooks(void)
{
    uint64_t now = k_uptime_ms();
    bool busy = false;

    for (struct k_poll_hook *h = hooks; h; h = h->next) {
        uint32_t ev = h->events;
        if (ev == h->seen && !h->kicked && !(h->period_ms && now - h->last_ms >= h->period_ms))
            continue;              /* nothing for it: its device was quiet */
        h->seen = ev;
        h->kicked = false;
        h->last_ms = now;
        int n = h->poll(h->ctx);
        h->calls++;
        if (n > 0) {
            h->items += (uint32_t)n;
            busy |= h->pending && busy_window_us;
        }
    }
    return busy;
}

/* Halt until the next interrupt or deadline, unless an event came meanwhile. Returns
 * board_idle()'s -1 (nothing can ever wake the system: the host's deadlock), else 0. */
static int halt(uint64_t deadline)
{
    unsigned long irq = arch_irq_save();
    int rc = 0;

    if (z_k.seen_events == z_isr_events) {
        uint64_t start = k_uptime_ms();
        deadline = z_timer_cap(deadline, start);   /* a far one: armed in steps */
        z_k.idle_stats.halts++;
        z_k.idle_stats.last_wait_ms = UINT32_MAX;
        if (deadline != UINT64_MAX) {
            z_k.idle_stats.timed_halts++;
            z_k.idle_stats.last_wait_ms = deadline <= start ? 0
                                          : deadline - start >= UINT32_MAX ? UINT32_MAX - 1u
                                                                           : (uint32_t)(deadline - start);
        }
        z_k.armed = deadline;        /* board_idle arms (or disarms) the timer for it */
        rc = board_idle(deadline);
        z_k.idle_stats.halted_ms += k_uptime_ms() - start;
    }
    arch_irq_restore(irq);
    return rc;
}

/* The idle task: the poll loop. Returns when main has exited, or on a deadlock. */
static int idle_loop(void)
{
    bool busy = false;               /* a hook with pending() found work; the last work
                                        (its, or a task's run since) was at work_us */
    uint64_t work_us = 0;

    for (;;) {
        uint64_t deadline;

        while (!k_list_empty(&z_k.zombies))
            z_task_free(k_container_of(k_list_pop(&z_k.zombies), k_task_t, link));
        if (z_k.main_done)
            return 0;
        if (z_k.seen_events != z_isr_events)
            z_entropy_event();
        z_k.seen_events = z_isr_events;
        if (run_hooks()) {
            busy = true;
            work_us = k_uptime_us();
        }
        z_timeout_expire(k_uptime_ms());
        if (!k_list_empty(&z_k.ready)) {
            z_switch_to(z_ready_pop());
            if (busy)
                work_us = k_uptime_us();  /* the window counts from the last work done */
            continue;
        }
        deadline = z_timeout_next();
        if (busy && busy_window_us) {     /* (a task may have turned it off since) */
            if (busy_poll(work_us, deadline) || z_k.seen_events != z_isr_events)
                continue;            /* work, or an interrupt: another pass */
            busy = false;            /* the window has passed (or a deadline came) */
            if (k_uptime_ms() >= deadline)
                continue;
        }
        if (halt(deadline) < 0)
            return -EDEADLK;
    }
}

int k_run(void *(*main_entry)(void *), void *arg, size_t stack_size, void **result)
{
    k_task_t *idle = &z_k.idle;
    struct k_list *n;
    void *base;
    size_t size, left = 0;
    int rc;

    memset(&z_k, 0, sizeof(z_k));
    k_list_init(&z_k.ready);
    k_list_init(&z_k.timers);
    k_list_init(&z_k.all);
    k_list_init(&z_k.zombies);
    z_waitq_init(&z_any_exit);
    z_k.armed = UINT64_MAX;
    z_k.errno_ptr = &errno;
    z_wall_init();

    k_list_init(&idle->link);
    k_list_init(&idle->timer);
    z_waitq_init(&idle->exit_wait);
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
        z_stack_prepare(base, size, (void *)((uintptr_t)__builtin_frame_address(0) - 512));
    } else {
        idle->guard = idle_guard;
        z_stack_prepare(idle_guard, sizeof(idle_guard), NULL);
    }
    z_k.current = idle;

    z_k.main = k_task_spawn("main", main_entry, arg, stack_size);
    if (!z_k.main)
        return -ENOMEM;
    rc = idle_loop();
    if (result)
        *result = z_k.main_done ? z_k.main->result.value : NULL;

    /* Free what is left, main last: off every queue first (wait queues of objects that
     * outlive k_run, the ready queue, the timeout list), then the memory. */
    for (n = z_k.all.next; n != &z_k.all;) {
        k_task_t *t = k_container_of(n, k_task_t, all);
        n = n->next;
        if (t == z_k.main)
            continue;
        if (k_list_linked(&t->link))
            k_list_del(&t->link);
        if (k_list_linked(&t->timer))
            k_list_del(&t->timer);
        z_task_free(t);
        left++;
    }
    z_task_free(z_k.main);
    z_k.main = NULL;
    if (left)
        printf("k_run: %u task(s) still alive when main finished were freed\n", (unsigned)left);
    return rc;
}

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
                 z_k.current ? z_k.current->name : "none");
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
