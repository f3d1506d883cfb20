/*
 * timeout.c - deadlines: the timeout list, the board's one-shot timer, sleeping.
 *
 * Blocked tasks with a deadline sit on one list sorted by deadline (ms of the board's
 * clock), equal deadlines in arrival order. The board's one-shot timer is armed where a
 * deadline is made, as Zephyr's z_add_timeout() does: a deadline that becomes the earliest
 * programs it at once, not only when the idle task halts. Its interrupt raises an event,
 * which sends the next switch through the poll loop (sched.c), which expires what is due:
 * so a task that yields in a loop cannot starve a sleeper, nor lwIP's timers.
 * Insertion walks from the latest deadline back: the common long timeouts (readiness
 * waits, lwIP's mailboxes) land at the tail in O(1).
 */
#include "arch.h"
#include "board.h"
#include "k_internal.h"

/* The longest the timer is armed for at once: the boards' one-shot timers count 85 s at the
 * least (the LM3S's 32 bits at 50 MHz). A later deadline is armed for this, and again when
 * it has passed (z_timeout_expire), so that its interrupt still comes while tasks yield. */
#define Z_ARM_MAX_MS 60000u

/* Arm the board's timer for deadline; if that is already due, no interrupt will come: raise
 * the event here, so that the poll loop runs at the next switch all the same. */
uint64_t z_timer_cap(uint64_t deadline, uint64_t now)
{
    if (deadline == UINT64_MAX || deadline <= now || deadline - now <= Z_ARM_MAX_MS)
        return deadline;        /* none (the timer is disarmed), due, or near enough */
    return now + Z_ARM_MAX_MS;
}

static void z_timer_arm(uint64_t deadline, uint64_t now)
{
    deadline = z_timer_cap(deadline, now);
    /* with interrupts off: the timer's own interrupt may come while its registers (and a
     * driver's copy of them, the HPET's) are being written */
    unsigned long irq = arch_irq_save();
    bool armed = board_timer_arm(deadline);
    z_k.idle_stats.timer_arms++;
    arch_irq_restore(irq);
    z_k.armed = deadline;
    if (!armed)
        k_isr_event();
}

void z_timeout_add(k_task_t *t, k_timeout_t timeout)
{
    uint64_t now = k_uptime_ms();
    struct k_list *pos;

    t->deadline = now + (uint32_t)timeout.ms + board_clock_resolution_ms;
    for (pos = z_k.timers.prev; pos != &z_k.timers; pos = pos->prev)
        if (k_container_of(pos, k_task_t, timer)->deadline <= t->deadline)
            break;
    k_list_insert_before(pos->next, &t->timer);
    /* The earliest now, or the timer's last arming has passed (it fired): arm it. */
    if (z_k.timers.next == &t->timer && (t->deadline < z_k.armed || z_k.armed <= now))
        z_timer_arm(t->deadline, now);
}

void z_timeout_del(k_task_t *t)
{
    /* The timer stays armed for it: one spurious poll-loop pass, not a register write
     * at every wake-up before a deadline. */
    k_list_del(&t->timer);
}

uint64_t z_timeout_next(void)
{
    return k_list_empty(&z_k.timers) ? UINT64_MAX
                                     : k_container_of(z_k.timers.next, k_task_t, timer)->deadline;
}

void z_timeout_expire(uint64_t now)
{
    while (!k_list_empty(&z_k.timers)) {
        k_task_t *t = k_container_of(z_k.timers.next, k_task_t, timer);
        if (t->deadline > now)
            break;
        z_make_ready(t, -ETIMEDOUT);
    }
    /* The armed deadline has passed (its interrupt came, or will): arm for the next. */
    if (z_k.armed <= now) {
        uint64_t next = z_timeout_next();
        if (next == UINT64_MAX)
            z_k.armed = UINT64_MAX;  /* nothing to arm: the idle task's halt disarms */
        else
            z_timer_arm(next, now);
    }
}

int k_sleep_ms(uint32_t ms)
{
    if (ms == 0) {
        k_yield();
        return 0;
    }
    if (ms > INT32_MAX)
        ms = INT32_MAX;
    return z_wait(NULL, K_MSEC(ms), "sleep") == -ECANCELED ? -ECANCELED : 0;
}

uint64_t k_uptime_ms(void) { return board_uptime_ms(); }
uint64_t k_uptime_us(void) { return board_uptime_us(); }
