/*
 * examples.c - the seeds' generator and asyncio programs, ported to the kernel's
 * generators and tasks. Each is a shell command:
 *   fib [N]            gen_fib: the first N Fibonacci numbers from a generator
 *   chain              my_chain: yield from over a list, a dict's keys and a range
 *   countasync         three tasks print One, sleep 1 s, print Two (gather)
 *   chained [N...]     part1 -> part2 chains run concurrently (chained.py)
 *   asyncq [-p NP] [-c NC] [-u ms]  producers/consumers over a channel (asyncq.py)
 * Random numbers come from a xorshift generator seeded with 666 (the seeds'
 * random.seed(666)), so a run prints the same items every time. Sleeps of "seconds" in
 * the seeds are units of -u ms (100 ms by default) here, to keep the examples short.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "k.h"
#include "lwip/sockets.h"
#include "net.h"

#define V(x) ((void *)(intptr_t)(x))
#define I(p) ((intptr_t)(p))

/* xorshift32. The generator a task uses is its own (seeded from 666 and the task's role
 * and number), so what each producer makes does not depend on how tasks interleave. */
static uint32_t rng_shared;       /* chained: one generator, as the seed's random module */
static uint32_t rng_next_of(uint32_t *st)
{
    *st ^= *st << 13;
    *st ^= *st >> 17;
    *st ^= *st << 5;
    return *st;
}
/* random.randint(lo, hi) */
static int randint_of(uint32_t *st, int lo, int hi) { return lo + (int)(rng_next_of(st) % (uint32_t)(hi - lo + 1)); }
static int randint(int lo, int hi) { return randint_of(&rng_shared, lo, hi); }

/* --- fib ------------------------------------------------------------------------------- */

/* def gen_fib(index): n, a, b = 0, 0, 1; while n < index: yield b; a, b = b, a + b; n += 1 */
static void *gen_fib(k_gen_t *g, void *arg)
{
    intptr_t n = 0, a = 0, b = 1;
    while (n < I(arg)) {
        if (k_gen_yield(g, V(b), NULL))
            return NULL;          /* closed or thrown into: stop */
        intptr_t t = a + b;
        a = b;
        b = t;
        n++;
    }
    return NULL;
}

static int cmd_fib(int argc, char **argv)
{
    long n = argc > 1 ? strtol(argv[1], NULL, 10) : 10;
    k_gen_t *g;
    k_result_t v;

    if (n < 0 || n > 46) {
        printf("usage: fib [N], 0 <= N <= 46\n");
        return -1;
    }
    g = k_gen_new(gen_fib, V(n), K_STACK(1024));
    if (!g) {
        printf("fib: out of memory\n");
        return -1;
    }
    printf("fib:");
    while (k_gen_next(g, &v) == K_GEN_YIELDED)
        printf(" %ld", (long)I(v.value));
    printf("\n");
    k_gen_free(g);
    return 0;
}
K_SHELL_CMD(fib, "fib", "[N] - the first N Fibonacci numbers from a generator (gen_fib)", cmd_fib);

/* --- chain ------------------------------------------------------------------------------ */

struct strs { const char *const *items; int n; };

/* iterate a list of strings (a list, or a dict's keys) */
static void *iter_strs(k_gen_t *g, void *arg)
{
    const struct strs *s = arg;
    for (int i = 0; i < s->n; i++)
        if (k_gen_yield(g, (void *)s->items[i], NULL))
            return NULL;
    return V(s->n);
}

/* range(lo, hi), as strings */
struct range { int lo, hi; char buf[12]; };
static void *iter_range(k_gen_t *g, void *arg)
{
    struct range *r = arg;
    for (int i = r->lo; i < r->hi; i++) {
        snprintf(r->buf, sizeof(r->buf), "%d", i);
        if (k_gen_yield(g, r->buf, NULL))
            return NULL;
    }
    return V(r->hi - r->lo);
}

/* def my_chain(*args): for it in args: yield from it */
struct chain_args { k_gen_t **subs; int n; };
static void *my_chain(k_gen_t *g, void *arg)
{
    struct chain_args *c = arg;
    intptr_t total = 0;
    for (int i = 0; i < c->n; i++) {
        k_result_t r;
        int rc = k_gen_yield_from(g, c->subs[i], &r);
        if (rc || r.error)
            return NULL;
        total += I(r.value);
    }
    return V(total);
}

static int cmd_chain(int argc, char **argv)
{
    static const char *const list[] = { "1", "2", "3" };
    static const char *const dict_keys[] = { "Robin", "Jack" };   /* {"Robin": ..., "Jack": ...} */
    struct strs a = { list, 3 }, b = { dict_keys, 2 };
    struct range r = { 4, 7, "" };
    k_gen_t *subs[3] = { k_gen_new(iter_strs, &a, K_STACK(1024)),
                         k_gen_new(iter_strs, &b, K_STACK(1024)),
                         k_gen_new(iter_range, &r, K_STACK(1024)) };
    struct chain_args c = { subs, 3 };
    k_gen_t *g = k_gen_new(my_chain, &c, K_STACK(2048));
    k_result_t v;
    int rc;
    (void)argc;
    (void)argv;

    if (!g || !subs[0] || !subs[1] || !subs[2]) {
        printf("chain: out of memory\n");
        rc = -1;
    } else {
        while ((rc = k_gen_next(g, &v)) == K_GEN_YIELDED)
            printf("chain: %s\n", (const char *)v.value);
        printf("chain: returned %ld values\n", (long)I(v.value));
        rc = rc == K_GEN_DONE && v.error == 0 ? 0 : -1;
    }
    k_gen_free(g);
    for (int i = 0; i < 3; i++)
        k_gen_free(subs[i]);
    return rc;
}
K_SHELL_CMD(chain, "chain", "- my_chain: yield from over a list, a dict and a range", cmd_chain);

/* --- countasync ----------------------------------------------------------------------------- */

static void *count(void *arg)
{
    (void)arg;
    printf("One\n");
    k_sleep_ms(1000);
    printf("Two\n");
    return NULL;
}

static int cmd_countasync(int argc, char **argv)
{
    k_task_t *t[3];
    uint64_t t0 = k_uptime_ms();
    (void)argc;
    (void)argv;
    for (int i = 0; i < 3; i++)
        t[i] = k_task_spawn("count", count, NULL, K_STACK(2048));
    if (!t[0] || !t[1] || !t[2]) {
        printf("countasync: out of memory\n");
        for (int i = 0; i < 3; i++)
            if (t[i])
                k_join(t[i], K_FOREVER, NULL);
        return -1;
    }
    k_gather(t, 3, NULL, K_GATHER_RETURN_EXCEPTIONS);
    uint64_t ms = k_uptime_ms() - t0;
    printf("countasync executed in %lu.%02lu seconds.\n", (unsigned long)(ms / 1000),
           (unsigned long)(ms % 1000 / 10));
    return 0;
}
K_SHELL_CMD(countasync, "countasync", "- three tasks: One, sleep 1 s, Two (gather)", cmd_countasync);

/* --- chained ----------------------------------------------------------------------------------- */

static uint32_t unit_ms = 100;

struct chain_job { int n; char p1[32], p2[96]; };

static void part1(struct chain_job *j)
{
    int i = randint(0, 10);
    printf("part1(%d) sleeping for %d units.\n", j->n, i);
    k_sleep_ms((uint32_t)i * unit_ms);
    snprintf(j->p1, sizeof(j->p1), "result%d-1", j->n);
    printf("Returning part1(%d) == %s.\n", j->n, j->p1);
}

static void part2(struct chain_job *j)
{
    int i = randint(0, 10);
    printf("part2(%d, '%s') sleeping for %d units.\n", j->n, j->p1, i);
    k_sleep_ms((uint32_t)i * unit_ms);
    snprintf(j->p2, sizeof(j->p2), "result%d-2 derived from %s", j->n, j->p1);
    printf("Returning part2(%d, '%s') == %s.\n", j->n, j->p1, j->p2);
}

static void *chain_task(void *arg)
{
    struct chain_job *j = arg;
    uint64_t t0 = k_uptime_ms();
    part1(j);
    part2(j);
    printf("-->Chained result%d => %s (took %lu ms).\n", j->n, j->p2,
           (unsigned long)(k_uptime_ms() - t0));
    return NULL;
}

static int cmd_chained(int argc, char **argv)
{
    struct chain_job jobs[8];
    k_task_t *t[8];
    int n = 0;
    uint64_t t0 = k_uptime_ms();

    rng_shared = 666;
    unit_ms = 100;
    for (int i = 1; i < argc && n < 8; i++, n++)
        jobs[n].n = atoi(argv[i]);
    if (n == 0)
        for (; n < 3; n++)
            jobs[n].n = n + 1;
    for (int i = 0; i < n; i++)
        t[i] = k_task_spawn("chain", chain_task, &jobs[i], 3072);
    for (int i = 0; i < n; i++)
        if (t[i])
            k_join(t[i], K_FOREVER, NULL);
    printf("Program finished in %lu ms.\n", (unsigned long)(k_uptime_ms() - t0));
    return 0;
}
K_SHELL_CMD(chained, "chained", "[N...] - chained coroutines run concurrently (chained.py)", cmd_chained);

/* --- asyncq ------------------------------------------------------------------------------------- */

struct item { char hex[11]; uint64_t t; };
static k_chan_t q;
static int produced, consumed;

/* Returns -ECANCELED if the sleep was cancelled (Python: CancelledError propagates). */
static int randsleep(uint32_t *rng, const char *who, int id)
{
    int i = randint_of(rng, 0, 10);
    printf("%s %d sleeping for %d units.\n", who, id, i);
    return k_sleep_ms((uint32_t)i * unit_ms);
}

static void *produce(void *arg)
{
    int name = (int)I(arg);
    uint32_t rng = 666u * 2654435761u + (uint32_t)name * 2u + 1u;
    int n = randint_of(&rng, 0, 10);
    for (int k = 0; k < n; k++) {
        struct item it;
        if (randsleep(&rng, "Producer", name) == -ECANCELED)
            break;
        snprintf(it.hex, sizeof(it.hex), "%08lx%02x", (unsigned long)rng_next_of(&rng),
                 (unsigned)(rng_next_of(&rng) & 0xFF));
        it.t = k_uptime_ms();
        if (k_chan_put(&q, &it, K_FOREVER) != 0)
            break;
        produced++;
        printf("Producer %d added <%s> to queue.\n", name, it.hex);
    }
    return NULL;
}

static void *consume(void *arg)
{
    int name = (int)I(arg);
    uint32_t rng = 666u * 2654435761u + (uint32_t)name * 2u + 2u;
    for (;;) {
        struct item it;
        if (randsleep(&rng, "Consumer", name) == -ECANCELED || k_chan_get(&q, &it, K_FOREVER) != 0)
            return NULL;          /* cancelled (or closed) */
        consumed++;
        printf("Consumer %d got element <%s> in %lu ms.\n", name, it.hex,
               (unsigned long)(k_uptime_ms() - it.t));
        k_chan_task_done(&q);
    }
}

static int cmd_asyncq(int argc, char **argv)
{
    int np = 5, nc = 10;
    k_task_t *prod[16] = { 0 }, *cons[16] = { 0 };
    uint64_t t0 = k_uptime_ms();

    unit_ms = 100;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "-p"))
            np = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "-c"))
            nc = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "-u"))
            unit_ms = (uint32_t)atoi(argv[i + 1]);
    }
    if (np < 1 || np > 16 || nc < 1 || nc > 16 || (argc % 2) == 0) {
        printf("usage: asyncq [-p producers 1..16] [-c consumers 1..16] [-u unit_ms]\n");
        return -1;
    }
    produced = consumed = 0;
    if (k_chan_alloc(&q, sizeof(struct item), 64) != 0) {
        printf("asyncq: out of memory\n");
        return -1;
    }
    for (int i = 0; i < np; i++)
        prod[i] = k_task_spawn("producer", produce, V(i), 3072);
    for (int i = 0; i < nc; i++)
        cons[i] = k_task_spawn("consumer", consume, V(i), 3072);
    k_gather(prod, np, NULL, K_GATHER_RETURN_EXCEPTIONS);   /* await gather(*producers) */
    k_chan_join(&q, K_FOREVER);             /* await q.join() */
    for (int i = 0; i < nc; i++)            /* for c in consumers: c.cancel() */
        if (cons[i])
            k_task_cancel(cons[i]);
    k_gather(cons, nc, NULL, K_GATHER_RETURN_EXCEPTIONS);  /* return_exceptions=True */
    k_chan_free(&q);
    printf("asyncq: produced=%d consumed=%d\n", produced, consumed);
    printf("Program completed in %lu ms.\n", (unsigned long)(k_uptime_ms() - t0));
    return produced == consumed ? 0 : -1;
}
K_SHELL_CMD(asyncq, "asyncq", "[-p NP] [-c NC] [-u ms] - producers/consumers over a channel", cmd_asyncq);

/* --- cancelwait: a readiness wait on a socket is a cancellation point ---------------------- */

static void *wait_forever(void *arg) { return V(net_wait_readable((int)I(arg), K_FOREVER)); }

static int cmd_cancelwait(int argc, char **argv)
{
    struct sockaddr_in a = { .sin_len = sizeof(a), .sin_family = AF_INET };
    int fd = lwip_socket(AF_INET, SOCK_DGRAM, 0), ok = 1, rc;
    k_result_t r;
    (void)argc;
    (void)argv;
    if (fd < 0 || lwip_bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
        printf("cancelwait: no socket\n");
        return -1;
    }
    k_task_t *t = k_task_spawn("waiter", wait_forever, V(fd), 3072);
    k_sleep_ms(50);
    k_task_cancel(t);
    k_join(t, K_FOREVER, &r);
    printf("cancelwait: cancelled wait returned %d\n", (int)I(r.value));
    ok &= I(r.value) == -ECANCELED;
    rc = net_wait_readable(fd, K_MSEC(20));                /* the socket still works */
    printf("cancelwait: next wait returned %d\n", rc);
    ok &= rc == -ETIMEDOUT;
    ok &= net_wait_readable(-1, K_NO_WAIT) == -EBADF;
    lwip_close(fd);
    printf("cancelwait: %s\n", ok ? "ok" : "FAIL");
    return ok ? 0 : -1;
}
K_SHELL_CMD(cancelwait, "cancelwait", "- cancel a task blocked in net_wait_readable()", cmd_cancelwait);
