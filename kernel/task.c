/*
 * task.c - the task lifecycle (spawn, exit, join, detach), task stacks, and what `ps` shows.
 *
 * A task and its stack are one malloc() block, the stack below the task structure, so an
 * overflow runs into the guard words (checked at every switch) before it reaches the task.
 * A task ends with a k_result_t that its joiner collects; k_join frees it. A detached task
 * is freed by the idle task after it exits (poll.c).
 */
#include <stdlib.h>
#include <string.h>

#include "arch.h"
#include "k_internal.h"

struct k_waitq z_any_exit = { { &z_any_exit.tasks, &z_any_exit.tasks } };

static void z_task_start(void)
{
    k_task_t *t = z_k.current;

#if defined(__SANITIZE_ADDRESS__)
    const void *from;
    size_t from_size;
    z_san_arrive(NULL, &from, &from_size);
    if (t == z_k.main && !z_k.idle_stack) {     /* the first switch is always idle -> main */
        z_k.idle_stack = from;
        z_k.idle_stack_size = from_size;
    }
#endif
    k_task_exit(t->entry(t->arg));
}

size_t z_stack_size_ok(size_t size)
{
    if (size < K_STACK_MIN || size > (1u << 30))
        return 0;
    return (size + 15u) & ~(size_t)15u;
}

void z_stack_prepare(void *stack, size_t size, void *paint_end)
{
    uint32_t *w = stack, *end = paint_end ? paint_end : (uint32_t *)((char *)stack + size);
    size_t i;
    for (i = 0; i < K_GUARD_WORDS; i++)
        w[i] = K_GUARD_PATTERN;
    for (w += K_GUARD_WORDS; w < end; w++)
        *w = K_STACK_PAINT;
}

size_t z_stack_used(const void *stack, size_t size)
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

k_task_t *k_task_spawn(const char *name, void *(*entry)(void *), void *arg, size_t stack_size)
{
    const size_t tcb = (sizeof(k_task_t) + 15u) & ~(size_t)15u;
    char *mem;
    k_task_t *t;

    stack_size = z_stack_size_ok(stack_size);
    if (!entry || !stack_size) {
        errno = EINVAL;
        return NULL;
    }
    mem = malloc(stack_size + tcb);
    if (!mem) {
        errno = ENOMEM;
        return NULL;
    }
    t = (k_task_t *)(mem + stack_size);
    memset(t, 0, sizeof(*t));
    k_list_init(&t->link);
    k_list_init(&t->timer);
    z_waitq_init(&t->exit_wait);
    t->stack = mem;
    t->stack_size = stack_size;
    t->guard = (uint32_t *)mem;
    z_stack_prepare(mem, stack_size, NULL);
    t->stack_id = arch_stack_register(mem, stack_size);
#if defined(__SANITIZE_ADDRESS__)
    t->san_stack = mem;
    t->san_stack_size = stack_size;
#endif
    t->sp = arch_stack_init(mem, stack_size, z_task_start);
    t->entry = entry;
    t->arg = arg;
    t->id = ++z_k.next_id;
    t->wait = "";
    strncpy(t->name, name ? name : "?", K_NAME_MAX);
    t->state = K_READY;
    k_list_append(&z_k.all, &t->all);
    z_ready_push(t);
    return t;
}

void z_task_free(k_task_t *t)
{
    k_list_del(&t->all);
    arch_stack_deregister(t->stack_id);
    free(t->stack);
}

/* Wake the k_wait_any/k_gather callers that wait for t: only those. Waking every waiter on
 * every exit let a caller run from the place in the ready queue that an unrelated exit gave
 * it, and a cancellation that came meanwhile found it ready, not waiting: lost by the call
 * (found by the differential tests against asyncio). */
static void z_exit_notify(k_task_t *t)
{
    struct k_list *l, *next;

    for (l = z_any_exit.tasks.next; l != &z_any_exit.tasks; l = next) {
        k_task_t *w = k_container_of(l, k_task_t, link);
        const struct z_exit_set *set = w->wait_data;
        next = l->next;
        for (int i = 0; i < set->n; i++) {
            if (set->tasks[i] == t) {
                z_make_ready(w, 0);
                break;
            }
        }
    }
}

/* End the current task with res: wake its joiner and the wait_any/gather callers. */
static void z_task_end(k_result_t res) __attribute__((noreturn));
static void z_task_end(k_result_t res)
{
    k_task_t *t = z_k.current;

    if (t == &z_k.idle)
        k_panic("the idle task cannot exit");
    t->result = res;
    t->state = K_EXITED;
    t->exit_seq = ++z_k.exits;
    t->wait = "";
    z_waitq_wake_all(&t->exit_wait, 0);
    z_exit_notify(t);
    if (t->detached)
        k_list_append(&z_k.zombies, &t->link);
    if (t == z_k.main) {
        z_k.main_done = true;
        z_switch_to(&z_k.idle);
    } else {
        z_schedule();
    }
    k_panic("exited task resumed");
}

void k_task_exit(void *result) { z_task_end((k_result_t){ 0, result }); }

void k_task_exit_error(int err) { z_task_end((k_result_t){ err < 0 ? err : -EINVAL, NULL }); }

int k_join(k_task_t *t, k_timeout_t timeout, k_result_t *res)
{
    if (!t || t->detached)
        return -EINVAL;
    if (t == z_k.current)
        return -EDEADLK;
    if (t->joiner)
        return -EBUSY;
    if (t->state != K_EXITED) {
        int rc;
        if (K_TIMEOUT_EQ(timeout, K_NO_WAIT))
            return -EAGAIN;
        /* The one joiner owns t (k_internal.h: the lifetime rule's exception): nobody else
         * may free it, so t is still valid when the wait returns. */
        t->joiner = z_k.current;
        rc = z_wait(&t->exit_wait, timeout, "join");
        t->joiner = NULL;
        if (rc)
            return rc;
    }
    if (res)
        *res = t->result;
    if (t != z_k.main)          /* k_run frees main */
        z_task_free(t);
    return 0;
}

int k_task_detach(k_task_t *t)
{
    if (!t || t->detached || t->joiner || t == z_k.main)   /* k_run collects main */
        return -EINVAL;
    t->detached = true;
    if (t->state == K_EXITED && t != z_k.main)
        z_task_free(t);
    return 0;
}

/* --- what ps shows ------------------------------------------------------------------- */

const char *k_task_name(const k_task_t *t) { return t->name; }

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

size_t k_task_stack_peak(const k_task_t *t) { return t->stack ? z_stack_used(t->stack, t->stack_size) : 0; }

static int z_task_info(const k_task_t *t, int (*fn)(const struct k_task_info *, void *), void *ctx)
{
    struct k_task_info i = {
        .id = t->id, .name = t->name, .wait = t->wait,
        /* the idle task is always runnable but never queued */
        .state = t == &z_k.idle ? (z_k.current == t ? K_RUNNING : K_READY) : t->state,
        .stack_size = t->stack_size, .stack_peak = z_stack_used(t->stack, t->stack_size),
        .switches = t->switches,
    };
    return fn(&i, ctx);
}

unsigned k_task_count(void)
{
    unsigned n = 1;                 /* the idle task */
    for (struct k_list *l = z_k.all.next; l != &z_k.all; l = l->next)
        n++;
    return n;
}

int k_task_foreach(int (*fn)(const struct k_task_info *info, void *ctx), void *ctx)
{
    struct k_list *n, *next;
    int rc = z_task_info(&z_k.idle, fn, ctx);

    for (n = z_k.all.next; !rc && n != &z_k.all; n = next) {
        next = n->next;
        rc = z_task_info(k_container_of(n, k_task_t, all), fn, ctx);
    }
    return rc;
}
