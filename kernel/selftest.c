/*
 * selftest.c - `selftest`: exercises the scheduler on the real architecture (context
 * switch, tick, sleeps, semaphores, mutex, queues, join, errno per task, stack marks, heap
 * returning to its baseline). Prints one line per check and "selftest: N passed, M failed".
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "k.h"
#include "k_internal.h"

static struct k_selftest st = { .suite = "selftest" };

#define CHECK(name, cond, ...) k_selftest_check(&st, (cond), name, __VA_ARGS__)

static char trace[64];
static size_t trace_len;
static void mark(char c)
{
    if (trace_len + 1 < sizeof(trace)) {
        trace[trace_len++] = c;
        trace[trace_len] = 0;
    }
}

static void *yielder(void *arg)
{
    for (int i = 0; i < 3; i++) {
        mark(*(const char *)arg);
        k_yield();
    }
    return NULL;
}

static void *sleeper(void *arg)
{
    uint32_t ms = (uint32_t)(uintptr_t)arg;
    uint64_t t0 = k_uptime_ms();
    k_sleep_ms(ms);
    mark((char)('0' + ms / 10));
    return (void *)(uintptr_t)(k_uptime_ms() - t0);
}

static void *ret_arg(void *arg) { return arg; }

static void *errno_task(void *arg)
{
    errno = (int)(uintptr_t)arg;
    k_yield();
    k_sleep_ms(2);
    return (void *)(uintptr_t)errno;
}

struct mx { k_mutex_t m; int inside, overlap; };
static void *mutex_task(void *arg)
{
    struct mx *x = arg;
    for (int i = 0; i < 5; i++) {
        k_mutex_lock(&x->m, K_FOREVER);
        if (x->inside++)
            x->overlap++;
        k_yield();
        x->inside--;
        k_mutex_unlock(&x->m);
        k_yield();
    }
    return NULL;
}

static void *producer(void *arg)
{
    k_queue_t *q = arg;
    for (uint32_t i = 0; i < 20; i++)
        if (k_queue_put(q, &i, K_MSEC(1000)) != 0)
            return (void *)1;
    return NULL;
}

static void *deep(void *arg)
{
    volatile char buf[1024];
    memset((char *)buf, 1, sizeof(buf));
    k_sem_take(arg, K_FOREVER);
    return (void *)(uintptr_t)buf[3];
}

/* A task that only yields, until *done: it must not starve a sleeper (issue 23, bug 3). */
static void *spin_yield(void *arg)
{
    volatile bool *done = arg;
    while (!*done)
        k_yield();
    return NULL;
}

static void *sleep_100_late(void *arg)
{
    uint64_t t0 = k_uptime_ms();
    k_sleep_ms(100);
    *(uint64_t *)arg = k_uptime_ms() - t0 - 100;
    return NULL;
}

static int peak_of(const struct k_task_info *i, void *ctx)
{
    if (strcmp(i->name, "st-deep") == 0) {
        *(size_t *)ctx = i->stack_peak;
        return 1;
    }
    return 0;
}

static void *selftest_main(void *arg)
{
    struct k_heap_stats h0, h1;
    k_task_t *t[100];
    k_result_t res;
    int rc;
    (void)arg;

    k_heap_stats(&h0);

    /* run order */
    trace_len = 0;
    t[0] = k_task_spawn("st-a", yielder, "a", 2048);
    t[1] = k_task_spawn("st-b", yielder, "b", 2048);
    t[2] = k_task_spawn("st-c", yielder, "c", 2048);
    for (int i = 0; i < 3; i++)
        k_join(t[i], K_FOREVER, NULL);
    CHECK("round-robin", strcmp(trace, "abcabcabc") == 0, "order %s", trace);

    /* sleeps wake by deadline, each at least as late as asked */
    trace_len = 0;
    uintptr_t ms[3] = { 30, 10, 20 }, took[3];
    for (int i = 0; i < 3; i++)
        t[i] = k_task_spawn("st-sleep", sleeper, (void *)ms[i], 2048);
    for (int i = 0; i < 3; i++) {
        k_join(t[i], K_FOREVER, &res);
        took[i] = (uintptr_t)res.value;
    }
    CHECK("sleep-order", strcmp(trace, "123") == 0, "order %s", trace);
    /* never early; the upper bound only catches a lost wake-up: how late a wake-up is
     * depends on the host QEMU shares (its latency is measured by benchmarks, not here) */
    CHECK("sleep-duration", took[0] >= 30 && took[1] >= 10 && took[2] >= 20 &&
          took[0] < 1000 && took[1] < 1000 && took[2] < 1000,
          "took %u %u %u ms", (unsigned)took[0], (unsigned)took[1], (unsigned)took[2]);

    /* a task yielding in a loop does not starve a sleeper: the deadline armed the board's
     * timer where it was made, and its interrupt sends the next switch to the poll loop.
     * (Before: woken only when the loop ended, or at SysTick's wrap, 335-671 ms late.) The
     * bound here only catches starvation; how late is measured (printed; `make bench`). */
    {
        static volatile bool spun;
        static uint64_t late;
        spun = false;
        late = UINT32_MAX;
        t[0] = k_task_spawn("st-sleep", sleep_100_late, &late, 2048);
        t[1] = k_task_spawn("st-spin", spin_yield, (void *)&spun, 2048);
        uint64_t t0 = k_uptime_ms();
        while (late == UINT32_MAX && k_uptime_ms() - t0 < 3000)
            k_yield();                  /* this task spins too */
        spun = true;
        k_join(t[0], K_FOREVER, NULL);
        k_join(t[1], K_FOREVER, NULL);
        CHECK("sleep-beside-yielders", late < 100, "a 100 ms sleep woke %u ms late",
              (unsigned)late);
        printf("selftest: a 100 ms sleep beside tasks that only yield woke %u ms late\n",
               (unsigned)late);
    }

    /* tickless: a 1 ms sleep lasts at least 1 ms, and each halt of the poll loop during it
     * is armed for the sleep's own deadline (at most 2 ms ahead: k_uptime_ms() is whole ms),
     * not for a tick period. What the kernel arms is exact; the wall clock's upper bound
     * (median of 21 under 100 ms) only catches a wake-up that never comes. */
    {
        unsigned d[21], lo = 0, waits = 0, wait_max = 0;
        struct k_idle_stats before, after;
        for (int i = 0; i < 21; i++) {
            uint64_t s0 = k_uptime_ms();
            k_idle_stats(&before);
            k_sleep_ms(1);
            d[i] = (unsigned)(k_uptime_ms() - s0);
            k_idle_stats(&after);
            if (after.halts != before.halts) {       /* no halt: an event kept it busy */
                waits++;
                if (after.last_wait_ms > wait_max)
                    wait_max = after.last_wait_ms;
            }
        }
        for (int i = 0; i < 21; i++)
            for (int j = i + 1; j < 21; j++)
                if (d[j] < d[i]) {
                    unsigned x = d[i];
                    d[i] = d[j];
                    d[j] = x;
                }
        lo = d[0];
        CHECK("sleep-1ms", lo >= 1 && d[10] < 100 && waits > 0 && wait_max <= 2,
              "min %u ms, median %u ms, max %u ms; %u halts armed for at most %u ms", lo, d[10],
              d[20], waits, wait_max);
    }

    /* join */
    t[0] = k_task_spawn("st-ret", ret_arg, (void *)0xC0FFEE, 2048);
    rc = k_join(t[0], K_FOREVER, &res);
    CHECK("join-result", rc == 0 && res.error == 0 && res.value == (void *)0xC0FFEE,
          "rc=%d error=%d value=%p", rc, res.error, res.value);
    t[0] = k_task_spawn("st-slow", sleeper, (void *)50, 2048);
    uint64_t t0 = k_uptime_ms();
    rc = k_join(t[0], K_MSEC(10), &res);
    uint64_t waited = k_uptime_ms() - t0;
    CHECK("join-timeout", rc == -ETIMEDOUT && waited >= 10 && waited < 1000, "rc=%d waited=%u", rc,
          (unsigned)waited);
    k_join(t[0], K_FOREVER, NULL);

    /* semaphore */
    k_sem_t s;
    k_sem_init(&s, 0, 2);
    t0 = k_uptime_ms();
    rc = k_sem_take(&s, K_MSEC(15));
    waited = k_uptime_ms() - t0;
    CHECK("sem-timeout", rc == -ETIMEDOUT && waited >= 15, "rc=%d waited=%u", rc, (unsigned)waited);
    CHECK("sem-limit", k_sem_give(&s) == 0 && k_sem_give(&s) == 0 && k_sem_give(&s) == -EOVERFLOW &&
          k_sem_take(&s, K_NO_WAIT) == 0 && k_sem_take(&s, K_NO_WAIT) == 0 &&
          k_sem_take(&s, K_NO_WAIT) == -EAGAIN, "counting");

    /* mutex */
    static struct mx x;
    k_mutex_init(&x.m);
    x.inside = x.overlap = 0;
    for (int i = 0; i < 3; i++)
        t[i] = k_task_spawn("st-mutex", mutex_task, &x, 2048);
    for (int i = 0; i < 3; i++)
        k_join(t[i], K_FOREVER, NULL);
    CHECK("mutex-exclusion", x.overlap == 0, "%d overlaps", x.overlap);
    CHECK("mutex-owner", k_mutex_unlock(&x.m) == -EPERM, "unlock without owning");

    /* queue: a producer blocks on the full queue, FIFO order holds */
    k_queue_t q;
    uint32_t qbuf[4], v, expect = 0;
    bool ordered = true;
    k_queue_init(&q, qbuf, sizeof(uint32_t), 4);
    t[0] = k_task_spawn("st-producer", producer, &q, 2048);
    for (int i = 0; i < 20; i++) {
        if (k_queue_get(&q, &v, K_MSEC(1000)) != 0 || v != expect++)
            ordered = false;
    }
    k_join(t[0], K_FOREVER, &res);
    CHECK("queue-fifo", ordered && res.value == NULL, "messages out of order or lost");
    t0 = k_uptime_ms();
    rc = k_queue_get(&q, &v, K_MSEC(12));
    CHECK("queue-timeout", rc == -ETIMEDOUT && k_uptime_ms() - t0 >= 12, "rc=%d", rc);

    /* errno is per task */
    errno = 0;
    for (int i = 0; i < 4; i++)
        t[i] = k_task_spawn("st-errno", errno_task, (void *)(uintptr_t)(100 + i), 2048);
    bool errno_ok = true;
    for (int i = 0; i < 4; i++) {
        k_join(t[i], K_FOREVER, &res);
        errno_ok = errno_ok && (uintptr_t)res.value == (uintptr_t)(100 + i);
    }
    CHECK("errno-per-task", errno_ok && errno == 0, "errno leaked between tasks");

    /* stack high-water mark */
    size_t peak = 0;
    k_sem_init(&s, 0, 1);
    t[0] = k_task_spawn("st-deep", deep, &s, 4096);
    k_yield();
    k_task_foreach(peak_of, &peak);
    k_sem_give(&s);
    k_join(t[0], K_FOREVER, NULL);
    CHECK("stack-peak", peak >= 1024 && peak < 4096, "peak=%u", (unsigned)peak);

    /* many tasks: 100, or as many as half the free heap holds (the 64 KiB board: about 15) */
    int spawned = 0, joined = 0, many = 100;
    struct k_heap_stats hs;
    k_heap_stats(&hs);
    if ((size_t)many * 1280u > hs.free / 2)
        many = (int)(hs.free / 2 / 1280u);
    for (int i = 0; i < many; i++)
        if ((t[i] = k_task_spawn("st-many", ret_arg, (void *)(uintptr_t)i, 1024)))
            spawned++;
    for (int i = 0; i < many; i++)
        if (t[i] && k_join(t[i], K_FOREVER, &res) == 0 && (uintptr_t)res.value == (uintptr_t)i)
            joined++;
    CHECK("many-tasks", many >= 10 && spawned == many && joined == many, "many=%d spawned=%d joined=%d",
          many, spawned, joined);

    /* a bad spawn is a clean error */
    errno = 0;
    CHECK("spawn-einval", !k_task_spawn("bad", NULL, NULL, 2048) && errno == EINVAL, "errno=%d", errno);
    CHECK("spawn-enomem", !k_task_spawn("huge", ret_arg, NULL, 512u << 20) && errno == ENOMEM,
          "errno=%d", errno);

    /* The heap is shared: the network allocates and frees beside this task (a frame in
     * lwIP's mailbox, lwIP's block cache, which gives blocks back after a quiet second).
     * What it holds at one reading is gone within a few; a leak of the checks above stays.
     * (CI, AN385 on QEMU's user network: once 36 bytes more at the first reading.) */
    for (int i = 0; i < 60; i++) {
        k_heap_stats(&h1);
        if (h1.used == h0.used)
            break;
        k_sleep_ms(50);
    }
    CHECK("heap-baseline", h1.used == h0.used, "used %u -> %u", (unsigned)h0.used, (unsigned)h1.used);
    return NULL;
}

/* `selftest overflow`: a task whose call chain runs off the low end of its stack. It
 * recurses, each frame filling a buffer, until it is within 512 bytes of that end; the
 * deepest call then uses the rest of the stack down through the guard words, as a deeper
 * chain would, and everything returns. Nothing is noticed until the task next gives up the
 * CPU: the switch finds the guard overwritten and panics naming the task, and the machine
 * stops with K_PANIC_STATUS. Nothing outside the stack's allocation is written (its first
 * word is left too), so the panic report runs on intact memory. */
static unsigned overflow_depth;

static unsigned __attribute__((noinline)) overflow_descend(uintptr_t low, unsigned depth)
{
    volatile uint32_t frame[16];
    uintptr_t here = (uintptr_t)&frame[0];

    for (unsigned i = 0; i < 16; i++)
        frame[i] = depth;
    if (here > low + 512u)
        return overflow_descend(low, depth + 1u) + frame[depth & 15u];
    for (volatile uint32_t *w = (volatile uint32_t *)(low + 4u); (uintptr_t)w < here - 128u; w++)
        *w = depth;
    overflow_depth = depth;
    return depth;
}

static void *overflow_task(void *arg)
{
    (void)arg;
    (void)overflow_descend((uintptr_t)k_current()->stack, 0);
    printf("selftest: '%s' used its %u-byte stack through its guard (%u calls deep); "
           "yielding\n", k_current()->name, (unsigned)k_current()->stack_size, overflow_depth);
    k_yield();                         /* the switch checks the guard: panic */
    return NULL;
}

static int cmd_selftest(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "overflow") == 0) {
        k_task_t *t = k_task_spawn("st-overflow", overflow_task, NULL, 2048);
        if (!t) {
            printf("selftest: cannot spawn: %s\n", strerror(errno));
            return -1;
        }
        k_join(t, K_FOREVER, NULL);
        printf("selftest: the overflow was not detected\n");   /* never, unless broken */
        return -1;
    }
    if (argc != 1) {
        printf("usage: selftest [overflow]\n");
        return -1;
    }
    st.passed = st.failed = 0;
    k_task_t *t = k_task_spawn("selftest", selftest_main, NULL, 8192);
    if (!t) {
        printf("selftest: cannot spawn: %s\n", strerror(errno));
        return -1;
    }
    k_join(t, K_FOREVER, NULL);
    printf("selftest: %d passed, %d failed\n", st.passed, st.failed);
    return st.failed ? -1 : 0;
}
K_SHELL_CMD(selftest, "selftest",
            "[overflow] - check the scheduler on this board; overflow: overflow a task's stack "
            "on purpose (panics, the machine stops)",
            cmd_selftest);

bool k_selftest_check(struct k_selftest *t, bool ok, const char *name, const char *fmt, ...)
{
    printf("%s: %-*s ", t->suite, 30 - (int)strlen(t->suite), name);
    if (ok) {
        t->passed++;
        printf("ok\n");
    } else {
        va_list ap;
        t->failed++;
        printf("FAIL: ");
        va_start(ap, fmt);
        vprintf(fmt, ap);
        va_end(ap);
        printf("\n");
    }
    return ok;
}
