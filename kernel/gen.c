/*
 * gen.c - generators: stackful coroutines resumed by their caller (minicoro's
 * resume/yield model) with Python's generator protocol on top (PEP 255/342/380).
 * A resume is one arch_switch from the caller's stack to the generator's, a yield one
 * back. The scheduler is not involved: the generator runs as part of whichever task
 * resumed it, so it can block on kernel waits like any code of that task.
 */
#include <stdlib.h>
#include <string.h>

#include "arch.h"
#include "k_internal.h"

enum gen_state { GEN_NEW, GEN_SUSPENDED, GEN_RUNNING, GEN_DONE };

struct k_gen {
    void *sp;               /* the generator's saved stack pointer while not running */
    void *caller_sp;        /* the resumer's, while the generator runs */
    enum gen_state state;
    k_gen_fn fn;
    void *arg;
    void *value;            /* in: what send passes; out: what yield/return passes */
    int signal;             /* in: 0, a thrown error or K_GEN_EXIT; out: K_GEN_* or error */
    uint32_t *guard;
    char *stack;
    size_t stack_size;
    unsigned stack_id;
};

static k_gen_t *k_gen_starting;

static void gen_check_guard(k_gen_t *g)
{
    if (g->guard[K_GUARD_WORDS - 1] != K_GUARD_PATTERN)
        k_panic("generator stack overflow (generator %p, stack %u bytes)", (void *)g,
                (unsigned)g->stack_size);
}

/* Back to the resumer; returns when resumed again. */
static void gen_switch_out(k_gen_t *g)
{
    gen_check_guard(g);
    arch_switch(&g->sp, g->caller_sp);
}

static void gen_finish(k_gen_t *g, int signal, void *value) __attribute__((noreturn));
static void gen_finish(k_gen_t *g, int signal, void *value)
{
    g->state = GEN_DONE;
    g->signal = signal;
    g->value = value;
    gen_switch_out(g);
    k_panic("exhausted generator resumed");
}

static void gen_entry(void)
{
    k_gen_t *g = k_gen_starting;
    void *r = g->fn(g, g->arg);
    gen_finish(g, K_GEN_RETURNED, r);
}

k_gen_t *k_gen_new(k_gen_fn fn, void *arg, size_t stack_size)
{
    k_gen_t *g;

    stack_size = k_stack_size_ok(stack_size);
    if (!fn || !stack_size) {
        errno = EINVAL;
        return NULL;
    }
    /* One block, as for tasks: the stack at the low end, so that an overflow runs into the
     * guard words, never into the generator structure above it. */
    char *mem = malloc(stack_size + sizeof(*g));
    if (!mem) {
        errno = ENOMEM;
        return NULL;
    }
    g = (k_gen_t *)(mem + stack_size);
    memset(g, 0, sizeof(*g));
    g->stack = mem;
    g->stack_size = stack_size;
    g->guard = (uint32_t *)g->stack;
    k_stack_prepare(g->stack, stack_size, NULL);     /* painted: k_gen_stack_peak() */
    g->stack_id = arch_stack_register(g->stack, stack_size);
    g->sp = arch_stack_init(g->stack, stack_size, gen_entry);
    g->fn = fn;
    g->arg = arg;
    g->state = GEN_NEW;
    return g;
}

/* Run g with (signal, value) until it yields or finishes. */
static int gen_resume(k_gen_t *g, int signal, void *value, void **out)
{
    if (g->state == GEN_NEW)
        k_gen_starting = g;
    g->state = GEN_RUNNING;
    g->signal = signal;
    g->value = value;
    arch_switch(&g->caller_sp, g->sp);
    if (g->state == GEN_RUNNING)
        g->state = GEN_SUSPENDED;
    if (out && g->signal >= 0)
        *out = g->value;
    return g->signal;
}

int k_gen_send(k_gen_t *g, void *in, void **out)
{
    switch (g->state) {
    case GEN_RUNNING: return -EBUSY;
    case GEN_DONE: return -EPIPE;
    case GEN_NEW:
        if (in)
            return -EINVAL;  /* can't send non-None value to a just-started generator */
        break;
    case GEN_SUSPENDED: break;
    }
    return gen_resume(g, 0, in, out);
}

int k_gen_next(k_gen_t *g, void **out) { return k_gen_send(g, NULL, out); }

int k_gen_throw(k_gen_t *g, int err, void **out)
{
    if (err >= 0)
        return -EINVAL;
    switch (g->state) {
    case GEN_RUNNING: return -EBUSY;
    case GEN_NEW:
    case GEN_DONE:
        g->state = GEN_DONE;    /* raised before the first line / after the end */
        return err;
    case GEN_SUSPENDED: break;
    }
    return gen_resume(g, err, NULL, out);
}

int k_gen_close(k_gen_t *g)
{
    int rc;
    switch (g->state) {
    case GEN_RUNNING: return -EBUSY;
    case GEN_NEW:
    case GEN_DONE:
        g->state = GEN_DONE;
        return 0;
    case GEN_SUSPENDED: break;
    }
    rc = gen_resume(g, K_GEN_EXIT, NULL, NULL);
    if (rc == K_GEN_YIELDED)
        return -EPROTO;         /* generator ignored GeneratorExit */
    if (rc == K_GEN_RETURNED || rc == K_GEN_EXIT)
        return 0;
    return rc;
}

size_t k_gen_stack_peak(const k_gen_t *g) { return k_stack_used(g->stack, g->stack_size); }

void k_gen_free(k_gen_t *g)
{
    if (!g)
        return;
    if (g->state == GEN_RUNNING)
        k_panic("k_gen_free: generator is running");
    if (g->state == GEN_SUSPENDED && k_gen_close(g) == -EPROTO)
        g->state = GEN_DONE;    /* it refused to finish: its stack goes anyway */
    arch_stack_deregister(g->stack_id);
    free(g->stack);     /* the generator structure is in the same block */
}

int k_gen_yield(k_gen_t *g, void *value, void **in)
{
    if (g->state != GEN_RUNNING)
        k_panic("k_gen_yield: not called from inside the generator");
    g->signal = K_GEN_YIELDED;
    g->value = value;
    gen_switch_out(g);
    /* resumed: signal is 0 (send), a thrown error, or K_GEN_EXIT */
    if (g->signal == 0 && in)
        *in = g->value;
    return g->signal;
}

void k_gen_raise(k_gen_t *g, int err)
{
    if (err >= 0)
        err = -EINVAL;
    gen_finish(g, err, NULL);
}

int k_gen_yield_from(k_gen_t *g, k_gen_t *sub, void **result)
{
    void *v = NULL, *sent = NULL;
    int rc = k_gen_next(sub, &v);

    for (;;) {
        int y;
        if (rc == K_GEN_RETURNED) {
            if (result)
                *result = v;
            return 0;
        }
        if (rc < 0)
            return rc;                      /* sub raised: it propagates */
        y = k_gen_yield(g, v, &sent);
        if (y == K_GEN_EXIT) {
            int c = k_gen_close(sub);
            return c ? c : K_GEN_EXIT;
        }
        rc = y < 0 ? k_gen_throw(sub, y, &v) : k_gen_send(sub, sent, &v);
    }
}
