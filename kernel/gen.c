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
    int signal;             /* in: 0, a thrown error or K_GEN_EXIT; out: K_GEN_YIELDED, K_GEN_DONE
                               (returned) or the error it raised */
    uint32_t *guard;
    char *stack;
    size_t stack_size;
    unsigned stack_id;
    const void *caller_stack;   /* the resumer's stack, for ASan (san.h) */
    size_t caller_stack_size;
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
    void *fake;
    gen_check_guard(g);
    z_san_leave(&fake, g->caller_stack, g->caller_stack_size);
    arch_switch(&g->sp, g->caller_sp);
    z_san_arrive(fake, &g->caller_stack, &g->caller_stack_size);
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
    z_san_arrive(NULL, &g->caller_stack, &g->caller_stack_size);
    void *r = g->fn(g, g->arg);
    gen_finish(g, K_GEN_DONE, r);
}

k_gen_t *k_gen_new(k_gen_fn fn, void *arg, size_t stack_size)
{
    k_gen_t *g;

    stack_size = z_stack_size_ok(stack_size);
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
    z_stack_prepare(g->stack, stack_size, NULL);     /* painted: k_gen_stack_peak() */
    g->stack_id = arch_stack_register(g->stack, stack_size);
    g->sp = arch_stack_init(g->stack, stack_size, gen_entry);
    g->fn = fn;
    g->arg = arg;
    g->state = GEN_NEW;
    return g;
}

/* Run g with (signal, value) until it yields or finishes: K_GEN_YIELDED or K_GEN_DONE,
 * with what it yielded, returned or raised in *r. */
static int gen_resume(k_gen_t *g, int signal, void *value, k_result_t *r)
{
    if (g->state == GEN_NEW)
        k_gen_starting = g;
    g->state = GEN_RUNNING;
    g->signal = signal;
    g->value = value;
    {
        void *fake;
#if defined(__SANITIZE_ADDRESS__)
        /* the driving task runs on g's stack now, also if g blocks and it is switched
         * out and back in meanwhile (z_switch_to names this stack to ASan) */
        k_task_t *t = z_k.current;     /* NULL: driven outside k_run (the unit tests) */
        const void *own = t ? t->san_stack : NULL;
        size_t own_size = t ? t->san_stack_size : 0;
        if (t) {
            t->san_stack = g->stack;
            t->san_stack_size = g->stack_size;
        }
#endif
        z_san_leave(&fake, g->stack, g->stack_size);
        arch_switch(&g->caller_sp, g->sp);
        z_san_arrive(fake, NULL, NULL);
#if defined(__SANITIZE_ADDRESS__)
        if (t) {
            t->san_stack = own;
            t->san_stack_size = own_size;
        }
#endif
    }
    if (g->state == GEN_RUNNING)
        g->state = GEN_SUSPENDED;
    if (r) {
        r->error = g->signal < 0 ? g->signal : 0;
        r->value = g->signal < 0 ? NULL : g->value;
    }
    return g->signal == K_GEN_YIELDED ? K_GEN_YIELDED : K_GEN_DONE;
}

int k_gen_send(k_gen_t *g, void *in, k_result_t *r)
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
    return gen_resume(g, 0, in, r);
}

int k_gen_next(k_gen_t *g, k_result_t *r) { return k_gen_send(g, NULL, r); }

int k_gen_throw(k_gen_t *g, int err, k_result_t *r)
{
    if (err >= 0)
        return -EINVAL;
    switch (g->state) {
    case GEN_RUNNING: return -EBUSY;
    case GEN_NEW:
    case GEN_DONE:
        g->state = GEN_DONE;    /* raised before the first line / after the end */
        if (r)
            *r = (k_result_t){ err, NULL };
        return K_GEN_DONE;
    case GEN_SUSPENDED: break;
    }
    return gen_resume(g, err, NULL, r);
}

int k_gen_close(k_gen_t *g, k_result_t *r)
{
    k_result_t out = { 0, NULL };
    int rc = 0;

    switch (g->state) {
    case GEN_RUNNING: return -EBUSY;
    case GEN_NEW:
    case GEN_DONE:
        g->state = GEN_DONE;
        break;
    case GEN_SUSPENDED:
        if (gen_resume(g, K_GEN_EXIT, NULL, &out) == K_GEN_YIELDED)
            rc = -EPROTO;       /* generator ignored GeneratorExit */
        else if (out.error == K_GEN_EXIT)
            out.error = 0;      /* GeneratorExit raised on: a clean close */
        else
            out.value = NULL;   /* close() returns None, whatever g returned */
        break;
    }
    if (r)
        *r = out;
    return rc;
}

size_t k_gen_stack_peak(const k_gen_t *g) { return z_stack_used(g->stack, g->stack_size); }

void k_gen_free(k_gen_t *g)
{
    if (!g)
        return;
    if (g->state == GEN_RUNNING)
        k_panic("k_gen_free: generator is running");
    if (g->state == GEN_SUSPENDED && k_gen_close(g, NULL) == -EPROTO)
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

int k_gen_yield_from(k_gen_t *g, k_gen_t *sub, k_result_t *r)
{
    k_result_t out;
    void *sent = NULL;
    int rc = k_gen_next(sub, &out);

    for (;;) {
        int y;
        if (rc < 0)
            return rc;                      /* sub could not run: exhausted or running */
        if (rc == K_GEN_DONE) {
            if (r)
                *r = out;                   /* returned, or raised: the caller propagates */
            return 0;
        }
        y = k_gen_yield(g, out.value, &sent);
        if (y == K_GEN_EXIT) {
            /* PEP 380: close the subiterator first, then GeneratorExit goes on up; an
             * error sub raises while closing replaces it */
            int c = k_gen_close(sub, &out);
            if (r)
                *r = (k_result_t){ c == -EPROTO ? -EPROTO : out.error, NULL };
            return K_GEN_EXIT;
        }
        rc = y < 0 ? k_gen_throw(sub, y, &out) : k_gen_send(sub, sent, &out);
    }
}
