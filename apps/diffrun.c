/*
 * diffrun.c - the kernel's side of the differential tests against CPython (tests/diff/): an
 * interpreter of the scenario language on the kernel's tasks, generators, events, mutexes,
 * condition variables and channels. tests/diff/scenario.py defines the language and runs the
 * same programs on asyncio; tests/diff/difftest.py compares the two traces.
 *
 * A program is a few bodies of statements, one per line: `task N {` ... `}` (T0 is the
 * caller, the others are spawned by the `spawn N` statement), `gen N {` ... `}` (G0..G3,
 * created when the program starts), `chan N CAP`, and `end`. Blocks nest: `try {` ...
 * `} except ERR... {` ... `}`, `lock L T {` ... `}`, `with C {` ... `}`. Numbers are small:
 * task, generator and object indices, values 0..99, times in ticks (a timeout of 0 waits
 * forever). Errors are E1 (-EIO), E2 (-EDOM), TIMEOUT, CANCELLED, PIPE (a closed channel)
 * and EXIT (K_GEN_EXIT); a statement that fails ends its block, as a raised exception
 * does, until a `try` catches it or the task or generator ends with it.
 *
 * Every event prints one line, "<tick> T<n> <event> = <outcome>", the outcome as the C API
 * gives it (errno names); docs/python.md ("Differential testing: the mapping") says which
 * Python outcome each one stands for. The parser fills a static table (no malloc, no
 * recursion): a block's first statement records where the block ends.
 *
 * asyncio resumes some waiters through extra turns of its loop (a done callback that
 * completes another future: asyncio.shield, wait_for, gather, wait). After those calls the
 * interpreter yields as many times (HOPS below), so that both sides resume the waiter at
 * the same place of their FIFO ready queues; that table explains each count.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diffrun.h"
#include "k.h"

#define V(x) ((void *)(intptr_t)(x))
#define I(p) ((int)(intptr_t)(p))

#define DR_STMTS 160
#define DR_TASKS 8
#define DR_GENS 4
#define DR_CHANS 2
#define DR_EVENTS 2
#define DR_LOCKS 2
#define DR_CONDS 2
#define DR_DEPTH 8            /* open blocks, task or gen included */
#define DR_WORDS 12
#define DR_LINE 96
#if defined(__SANITIZE_ADDRESS__)
#define DR_TASK_STACK K_STACK(8192)   /* ASan's redzones make every frame larger */
#define DR_GEN_STACK K_STACK(8192)
#else
#define DR_TASK_STACK K_STACK(2048)
#define DR_GEN_STACK K_STACK(1536)
#endif
#define DR_STUCK_TICKS 2000   /* the epilogue's patience with a task that does not end */

enum op {
    OP_TASK, OP_GEN, OP_EXCEPT, OP_TRY, OP_LOCK, OP_WITH,      /* blocks */
    OP_SPAWN, OP_SLEEP, OP_YIELD, OP_SAY, OP_RETURN, OP_RAISE, OP_CANCEL, OP_JOIN, OP_WAITFOR,
    OP_GATHER, OP_WAITANY, OP_EVSET, OP_EVCLEAR, OP_EVWAIT, OP_CWAIT, OP_NOTIFY, OP_NOTIFYALL,
    OP_PUT, OP_GET, OP_TASKDONE, OP_QJOIN, OP_CLOSE, OP_NEXT, OP_SEND, OP_THROW, OP_GCLOSE,
    OP_GYIELD, OP_YIELDFROM,
};

struct stmt {
    uint8_t op;
    uint8_t x;                /* the task, generator, channel, event, lock or condition */
    uint8_t set;              /* gather, waitany: bit n for Tn; except: bit i for errs[i] */
    uint8_t end;              /* blocks: index after the block (try: of its except line) */
    int16_t v;                /* value; gather: return_exceptions; raise, throw: the error */
    int16_t t;                /* ticks (a timeout: 0 waits forever) */
};

#define IN_TASK 1
#define IN_GEN 2
static const struct opdef {
    char name[10];
    uint8_t op, where;
    char args[4];             /* n g q e l c: an index into x; v, E: v; t: t; *: tasks */
} opdefs[] = {
    { "spawn", OP_SPAWN, IN_TASK, "n" },     { "sleep", OP_SLEEP, IN_TASK, "t" },
    { "yield", OP_YIELD, IN_TASK, "" },      { "yield", OP_GYIELD, IN_GEN, "v" },
    { "say", OP_SAY, IN_TASK | IN_GEN, "v" }, { "return", OP_RETURN, IN_TASK | IN_GEN, "v" },
    { "raise", OP_RAISE, IN_TASK | IN_GEN, "E" }, { "cancel", OP_CANCEL, IN_TASK, "n" },
    { "join", OP_JOIN, IN_TASK, "nt" },      { "waitfor", OP_WAITFOR, IN_TASK, "nt" },
    { "gather", OP_GATHER, IN_TASK, "v*" },  { "waitany", OP_WAITANY, IN_TASK, "t*" },
    { "evset", OP_EVSET, IN_TASK, "e" },     { "evclear", OP_EVCLEAR, IN_TASK, "e" },
    { "evwait", OP_EVWAIT, IN_TASK, "et" },  { "lock", OP_LOCK, IN_TASK, "lt" },
    { "with", OP_WITH, IN_TASK, "c" },       { "cwait", OP_CWAIT, IN_TASK, "ct" },
    { "notify", OP_NOTIFY, IN_TASK, "c" },   { "notifyall", OP_NOTIFYALL, IN_TASK, "c" },
    { "put", OP_PUT, IN_TASK, "qvt" },       { "get", OP_GET, IN_TASK, "qt" },
    { "taskdone", OP_TASKDONE, IN_TASK, "q" }, { "qjoin", OP_QJOIN, IN_TASK, "qt" },
    { "close", OP_CLOSE, IN_TASK, "q" },     { "next", OP_NEXT, IN_TASK, "g" },
    { "send", OP_SEND, IN_TASK, "gv" },      { "throw", OP_THROW, IN_TASK, "gE" },
    { "gclose", OP_GCLOSE, IN_TASK, "g" },   { "yieldfrom", OP_YIELDFROM, IN_GEN, "g" },
    { "try", OP_TRY, IN_TASK | IN_GEN, "" },
};

/* The language's errors (an except line's bits), then the other outcomes' names. */
static const struct { int err; const char *name; } errs[] = {
    { -EIO, "E1" }, { -EDOM, "E2" }, { -ETIMEDOUT, "TIMEOUT" }, { -ECANCELED, "CANCELLED" },
    { -EPIPE, "PIPE" }, { K_GEN_EXIT, "EXIT" },
};
#define DR_ERRS (sizeof(errs) / sizeof(errs[0]))
static const struct { int err; const char *name; } errnames[] = {
    { -EIO, "EIO" }, { -EDOM, "EDOM" }, { -ETIMEDOUT, "ETIMEDOUT" }, { -ECANCELED, "ECANCELED" },
    { -EPIPE, "EPIPE" }, { K_GEN_EXIT, "GEN_EXIT" }, { -EINVAL, "EINVAL" }, { -EBUSY, "EBUSY" },
    { -EPROTO, "EPROTO" }, { -EAGAIN, "EAGAIN" }, { -EDEADLK, "EDEADLK" }, { -EPERM, "EPERM" },
    { -ENOMEM, "ENOMEM" }, { -EEXIST, "EEXIST" },
};

static const char *errname(int err)
{
    for (size_t i = 0; i < sizeof(errnames) / sizeof(errnames[0]); i++)
        if (errnames[i].err == err)
            return errnames[i].name;
    return "E?";
}

/* The language's name of err (E1, TIMEOUT, ...). */
static const char *lang_name(int err)
{
    for (size_t i = 0; i < DR_ERRS; i++)
        if (errs[i].err == err)
            return errs[i].name;
    return "?";
}

/* Whether err is one of the language's errors: those propagate; the other outcomes of a
 * generator call (misuse: EPIPE of an exhausted one, EINVAL, EBUSY, EPROTO) are printed
 * only, as the Python side catches StopIteration, TypeError, ValueError, RuntimeError. */
static bool lang_err(int err)
{
    for (size_t i = 0; i < DR_ERRS; i++)
        if (errs[i].err == err)
            return true;
    return false;
}

/* The program and its run, on the heap while they are needed: 1.6 KB that the 64 KiB
 * board's other commands want back (diffrun_load takes it, diffrun_run gives it back). */
static struct dr {
    struct {
        struct stmt s[DR_STMTS];
        int n;
        int16_t task_at[DR_TASKS], gen_at[DR_GENS];   /* the task/gen line, or -1 */
        uint8_t cap[DR_CHANS];                        /* 0: no such channel */
    } prog;

    struct {
        k_task_t *task[DR_TASKS];     /* NULL: not spawned yet, or joined (freed) */
        k_task_t **where[DR_TASKS];   /* where Tn's handle is: &task[n], or in a gather's array
                                         while k_gather may join (free) it and NULL it there */
        uint8_t spawner[DR_TASKS];
        bool ended[DR_TASKS];         /* printed its exit line */
        bool failed[DR_TASKS];        /* ... with an error */
        k_gen_t *gen[DR_GENS];
        k_chan_t chan[DR_CHANS];
        k_event_t ev[DR_EVENTS];
        k_mutex_t lock[DR_LOCKS], cond_lock[DR_CONDS];
        k_cond_t cond[DR_CONDS];
        uint64_t start_ms;
        unsigned tick_ms;
        bool quiet;                   /* the final frees: no more trace */
    } rt;
} *dr;
#define prog (dr->prog)
#define rt (dr->rt)
static bool dr_stuck;             /* a program left a task running (on dr, kept): refuse more */

/* ---------------------------------------------------------------------------------------
 * The trace. One static buffer: tasks switch only when they block, never inside out().
 */
/* The running task's number: spawned tasks are named "T<n>"; T0 is the caller. */
static int cur_slot(void)
{
    const char *name = k_task_name(k_current());
    return name[0] == 'T' && name[1] >= '1' && name[1] < '0' + DR_TASKS && !name[2] ? name[1] - '0' : 0;
}

static char *put_str(char *p, char *end, const char *s)
{
    while (*s && p < end)
        *p++ = *s++;
    return p;
}

static char *put_int(char *p, char *end, long v)
{
    char b[12], *q = b + sizeof(b);
    unsigned long u = v < 0 ? -(unsigned long)v : (unsigned long)v;
    *--q = 0;
    do
        *--q = (char)('0' + u % 10);
    while (u /= 10);
    if (v < 0)
        *--q = '-';
    return put_str(p, end, q);
}

/* One trace line: "<tick> T<n> " and fmt, whose only conversions are %d and %s (a small
 * formatter: the tasks' stacks stay small, and newlib's printf needs much of one). */
static void out(const char *fmt, ...)
{
    static char line[DR_LINE];
    char *p = line, *end = line + sizeof(line) - 2;
    va_list ap;

    if (rt.quiet)
        return;
    /* whole ticks since the start, rounded down: a board's timers fire late, never early,
     * and the lateness a chain of waits adds up stays below a tick */
    p = put_int(p, end, (long)((k_uptime_ms() - rt.start_ms) / rt.tick_ms));
    p = put_str(p, end, " T");
    p = put_int(p, end, cur_slot());
    p = put_str(p, end, " ");
    va_start(ap, fmt);
    for (; *fmt && p < end; fmt++) {
        if (*fmt != '%') {
            *p++ = *fmt;
            continue;
        }
        fmt++;
        if (*fmt == 'd')
            p = put_int(p, end, va_arg(ap, int));
        else
            p = put_str(p, end, va_arg(ap, const char *));
    }
    va_end(ap);
    *p++ = '\n';
    *p = 0;
    fputs(line, stdout);
}

/* ---------------------------------------------------------------------------------------
 * The parser: one line at a time into prog.
 */
struct parser {
    int depth, where, line;
    int16_t open[DR_DEPTH];       /* the statements whose blocks are open */
    const char *err;
};

static int split(char *s, char **w)
{
    int n = 0;
    for (;;) {
        while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
            *s++ = 0;
        if (!*s || n == DR_WORDS)
            return *s ? -1 : n;
        w[n++] = s;
        while (*s && *s != ' ' && *s != '\t' && *s != '\r' && *s != '\n')
            s++;
    }
}

/* A number in [lo, hi), or -1. */
static int num(const char *s, int lo, int hi)
{
    char *e;
    long v = strtol(s, &e, 10);
    return *s && !*e && v >= lo && v < hi ? (int)v : -1;
}

static int err_index(const char *s)
{
    for (size_t i = 0; i < DR_ERRS; i++)
        if (!strcmp(errs[i].name, s))
            return (int)i;
    return -1;
}

static struct stmt *add(struct parser *ps, uint8_t op)
{
    if (prog.n == DR_STMTS) {
        ps->err = "program too long";
        return NULL;
    }
    memset(&prog.s[prog.n], 0, sizeof(prog.s[0]));
    prog.s[prog.n].op = op;
    return &prog.s[prog.n++];
}

static int open_block(struct parser *ps)
{
    if (ps->depth == DR_DEPTH) {
        ps->err = "blocks nested too deep";
        return -1;
    }
    ps->open[ps->depth++] = (int16_t)(prog.n - 1);
    return 0;
}

/* A top-level line: chan, task, gen. */
static int parse_top(struct parser *ps, char **w, int n)
{
    bool task = !strcmp(w[0], "task");
    struct stmt *s;
    int i;

    if (n == 3 && !strcmp(w[0], "chan")) {
        int q = num(w[1], 0, DR_CHANS), cap = num(w[2], 1, 9);
        if (q < 0 || cap < 0)
            return ps->err = "bad chan line", -1;
        prog.cap[q] = (uint8_t)cap;
        return 0;
    }
    if (n != 3 || (!task && strcmp(w[0], "gen")) || strcmp(w[2], "{"))
        return ps->err = "expected chan, task, gen or end", -1;
    i = num(w[1], 0, task ? DR_TASKS : DR_GENS);
    if (i < 0 || (task ? prog.task_at[i] : prog.gen_at[i]) >= 0)
        return ps->err = "bad or repeated task or gen number", -1;
    if (!(s = add(ps, task ? OP_TASK : OP_GEN)))
        return -1;
    s->x = (uint8_t)i;
    (task ? prog.task_at : prog.gen_at)[i] = (int16_t)(prog.n - 1);
    ps->where = task ? IN_TASK : IN_GEN;
    return open_block(ps);
}

/* "}" or "} except ERR... {". */
static int parse_close(struct parser *ps, char **w, int n)
{
    struct stmt *top = &prog.s[ps->open[ps->depth - 1]], *s;

    if (n == 1) {
        if (top->op == OP_TRY)
            return ps->err = "try without except", -1;
        top->end = (uint8_t)prog.n;
        ps->depth--;
        return 0;
    }
    if (top->op != OP_TRY || n < 4 || strcmp(w[1], "except") || strcmp(w[n - 1], "{"))
        return ps->err = "bad except line", -1;
    top->end = (uint8_t)prog.n;
    if (!(s = add(ps, OP_EXCEPT)))
        return -1;
    for (int i = 2; i < n - 1; i++) {
        int e = err_index(w[i]);
        if (e < 0)
            return ps->err = "unknown error name", -1;
        s->set |= (uint8_t)(1u << e);
    }
    ps->open[ps->depth - 1] = (int16_t)(prog.n - 1);
    return 0;
}

static int parse_stmt(struct parser *ps, char **w, int n)
{
    const struct opdef *d = NULL;
    struct stmt *s;
    bool block;
    int a = 1;

    for (size_t i = 0; i < sizeof(opdefs) / sizeof(opdefs[0]) && !d; i++)
        if (!strcmp(opdefs[i].name, w[0]) && (opdefs[i].where & ps->where))
            d = &opdefs[i];
    if (!d)
        return ps->err = "unknown statement", -1;
    block = d->op == OP_TRY || d->op == OP_LOCK || d->op == OP_WITH;
    if (block && strcmp(w[--n], "{"))
        return ps->err = "a block statement ends with {", -1;
    if (!(s = add(ps, d->op)))
        return -1;
    for (const char *k = d->args; *k; k++) {
        int v;
        if (*k == '*') {
            if (a == n)
                return ps->err = "no tasks", -1;
            for (; a < n; a++) {
                if ((v = num(w[a], 0, DR_TASKS)) < 0)
                    return ps->err = "bad task number", -1;
                s->set |= (uint8_t)(1u << v);
            }
            break;
        }
        if (a == n)
            return ps->err = "too few arguments", -1;
        const char *arg = w[a++];
        switch (*k) {
        case 'v': v = num(arg, 0, 100); s->v = (int16_t)v; break;
        case 't': v = num(arg, 0, 1001); s->t = (int16_t)v; break;
        case 'E': v = err_index(arg); s->v = (int16_t)(v < 0 ? 0 : errs[v].err); break;
        default:
            v = num(arg, 0, *k == 'n' ? DR_TASKS : *k == 'g' ? DR_GENS : *k == 'q' ? DR_CHANS
                            : *k == 'e' ? DR_EVENTS : *k == 'l' ? DR_LOCKS : DR_CONDS);
            s->x = (uint8_t)v;
        }
        if (v < 0)
            return ps->err = "bad argument", -1;
    }
    if (a != n)
        return ps->err = "too many arguments", -1;
    return block ? open_block(ps) : 0;
}

/* Every task, generator and channel a statement names must exist. */
static const char *check_refs(void)
{
    for (int i = 0; i < prog.n; i++) {
        const struct stmt *s = &prog.s[i];
        switch (s->op) {
        case OP_SPAWN:
            if (prog.task_at[s->x] < 0 || s->x == 0)
                return "spawn of a task without a body";
            break;
        case OP_NEXT: case OP_SEND: case OP_THROW: case OP_GCLOSE: case OP_YIELDFROM:
            if (prog.gen_at[s->x] < 0)
                return "a generator without a body";
            break;
        case OP_PUT: case OP_GET: case OP_TASKDONE: case OP_QJOIN: case OP_CLOSE:
            if (!prog.cap[s->x])
                return "a channel not declared";
            break;
        }
    }
    return prog.task_at[0] < 0 ? "no task 0" : NULL;
}

int diffrun_load(diffrun_getline get, void *ctx)
{
    struct parser ps = { .err = NULL };
    char buf[DR_LINE], *w[DR_WORDS];
    int err_line = 0;
    bool any = false;

    if (dr_stuck) {
        printf("diffrun: a task of an earlier program is still running: reboot\n");
        return -1;
    }
    if (!dr && !(dr = malloc(sizeof(*dr)))) {
        printf("diffrun: error: out of memory\n");
        return -1;
    }
    memset(&prog, 0, sizeof(prog));
    memset(prog.task_at, -1, sizeof(prog.task_at));
    memset(prog.gen_at, -1, sizeof(prog.gen_at));
    for (;;) {
        if (get(buf, sizeof(buf), ctx) < 0) {
            free(dr);
            dr = NULL;
            if (!any)
                return DIFFRUN_EOF;
            printf("diffrun: error: the input ended before the end line\n");
            return -1;
        }
        ps.line++;
        int n = split(buf, w);
        if (n == 0)
            continue;
        any = true;
        if (n == 1 && !strcmp(w[0], "end")) {
            if (ps.depth && !ps.err) {
                ps.err = "a block is not closed";
                err_line = ps.line;
            }
            break;
        }
        if (ps.err)
            continue;            /* skip to the end line */
        if (n < 0)
            ps.err = "too many words";
        else if (ps.depth == 0)
            parse_top(&ps, w, n);
        else if (!strcmp(w[0], "}"))
            parse_close(&ps, w, n);
        else
            parse_stmt(&ps, w, n);
        if (ps.err)
            err_line = ps.line;
    }
    if (!ps.err && (ps.err = check_refs()) != NULL)
        err_line = ps.line;
    if (ps.err) {
        printf("diffrun: error: line %d: %s\n", err_line, ps.err);
        free(dr);
        dr = NULL;
        return -1;
    }
    return 0;
}

/* ---------------------------------------------------------------------------------------
 * The interpreter.
 */
#define DR_RETURNED 1             /* exec(): a `return` ended the body (value in ctx) */

struct ctx {
    k_gen_t *g;                   /* inside generator number gn, or NULL (a task) */
    int gn;
    intptr_t ret;
};

static int exec(struct ctx *c, int i, int end);

/* A wait of t ticks (0: forever) from the tick the trace now prints: up to a quarter into
 * tick now + t, measured from the program's start, so that a board's lateness (a few ms a
 * wake-up, more on a loaded host) does not add up over a task's waits and sleeps. On the
 * host (1 ms a tick, an exact virtual clock) it is t ms. */
static k_timeout_t ticks(int t)
{
    uint64_t el = k_uptime_ms() - rt.start_ms;
    if (!t)
        return K_FOREVER;
    return K_MSEC((el / rt.tick_ms + (uint64_t)t) * rt.tick_ms + rt.tick_ms / 4 - el);
}

static void yields(int n)
{
    while (n-- > 0)
        k_yield();
}

/* The statement after the one at i (and after its blocks). */
static int after(int i)
{
    const struct stmt *s = &prog.s[i];
    if (s->op == OP_TRY)
        return prog.s[s->end].end;
    return s->op == OP_LOCK || s->op == OP_WITH ? s->end : i + 1;
}

/* "<what> = ok" for 0, else "<what> = <error>"; returns rc. */
static int report(const char *what, int x, int rc)
{
    if (rc)
        out("%s%d = %s", what, x, errname(rc));
    else
        out("%s%d = ok", what, x);
    return rc;
}

/* Only the task that spawned Tn collects it (join, waitfor, gather, waitany): the
 * pointer is then valid (a join frees the task; see progen.py's rules). */
static k_task_t *owned(int n)
{
    int me = cur_slot();

    return rt.spawner[n] == me ? *rt.where[n] : NULL;
}

/* Tn was joined: its task is freed. */
static void collected(int n) { rt.task[n] = NULL; }

static void *task_entry(void *arg);

static int spawn(int n)
{
    if (rt.task[n] || rt.ended[n]) {
        out("spawn T%d = EEXIST", n);
        return 0;
    }
    char name[4] = { 'T', (char)('0' + n), 0 };
    rt.spawner[n] = (uint8_t)cur_slot();
    rt.task[n] = k_task_spawn(name, task_entry, V(n), DR_TASK_STACK);
    if (!rt.task[n]) {
        out("spawn T%d = ENOMEM", n);
        return 0;
    }
    out("spawn T%d", n);
    return 0;
}

/* join Tn within t (k_join: like await asyncio.shield(Tn), cancelling the joiner leaves
 * Tn running). asyncio: Tn's end completes the shield's outer future in a callback, which
 * wakes the joiner: one hop more than the kernel's direct wake-up. */
static int join(int n, int t)
{
    k_task_t *tk = owned(n);
    k_result_t r;
    bool before = rt.ended[n];
    int rc = k_join(tk, ticks(t), &r);

    if (rc == 0) {
        collected(n);
        if (!before)
            yields(1);
        if (!r.error) {
            out("join T%d = ok %d", n, I(r.value));
            return 0;
        }
        rc = r.error;
    }
    out("join T%d = %s", n, errname(rc));
    return rc;
}

/* asyncio.wait_for(Tn, t) (Python 3.11): with a timeout, Tn's end goes through
 * _release_waiter (one hop); a Tn already done at the call too (its callback is scheduled
 * at once: two hops). Without a timeout it is `await Tn`: no extra hop. */
static int waitfor(int n, int t)
{
    k_task_t *tk = owned(n);
    k_result_t r;
    bool before = rt.ended[n];
    int rc = k_wait_for(tk, ticks(t), &r);

    if (rc == 0 || rc == -ETIMEDOUT || rc == -ECANCELED)
        collected(n);
    yields(!t ? 0 : before ? 2 : 1);
    if (rc == 0 && !r.error) {
        out("waitfor T%d = ok %d", n, I(r.value));
        return 0;
    }
    if (rc == 0)
        rc = r.error;
    out("waitfor T%d = %s", n, errname(rc));
    return rc;
}

/* "gather T1 T3" / "waitany T1 T3" into b. */
static void task_list(char *b, size_t size, const char *what, uint8_t set)
{
    char *p = put_str(b, b + size - 1, what);
    for (int n = 0; n < DR_TASKS; n++)
        if (set & (1u << n)) {
            p = put_str(p, b + size - 1, " T");
            p = put_int(p, b + size - 1, n);
        }
    *p = 0;
}

/* asyncio.gather: the child that decides the outcome completes the outer future in its
 * done callback, which wakes the caller (one hop); children done at the call have their
 * callbacks scheduled at once (two hops when one of them decides). */
static int gather(const struct stmt *s)
{
    k_task_t *tasks[DR_TASKS];
    k_result_t res[DR_TASKS];
    int slot[DR_TASKS], k = 0, rc;
    bool all_before = true, failed_before = false;
    char label[48], vals[64], *p = vals;

    task_list(label, sizeof(label), "gather", s->set);
    for (int n = 0; n < DR_TASKS; n++)
        if (s->set & (1u << n)) {
            all_before &= rt.ended[n];
            failed_before |= rt.ended[n] && rt.failed[n];
            slot[k] = n;
            tasks[k++] = owned(n);
        }
    for (int j = 0; j < k; j++)
        rt.where[slot[j]] = &tasks[j];
    rc = k_gather(tasks, k, res, s->v ? K_GATHER_RETURN_EXCEPTIONS : 0);
    for (int j = 0; j < k; j++) {
        rt.task[slot[j]] = tasks[j];           /* NULL if joined */
        rt.where[slot[j]] = &rt.task[slot[j]];
    }
    yields(all_before || (!s->v && failed_before) ? 2 : 1);
    if (rc == -ECHILD) {                      /* the one that failed */
        for (int j = 0; j < k; j++)
            if (res[j].error)
                rc = res[j].error;
    }
    if (rc) {
        out("%s = %s", label, errname(rc));
        return rc;
    }
    for (int j = 0; j < k; j++) {
        if (j)
            p = put_str(p, vals + sizeof(vals) - 1, ",");
        p = res[j].error ? put_str(p, vals + sizeof(vals) - 1, errname(res[j].error))
                         : put_int(p, vals + sizeof(vals) - 1, I(res[j].value));
    }
    *p = 0;
    out("%s = ok %s", label, vals);
    return 0;
}

/* asyncio.wait(FIRST_COMPLETED): the first end sets the waiter in a callback (one hop;
 * two for a task done at the call); a timeout or a cancellation wakes the caller directly.
 * A timeout is an outcome there, not an error. */
static int waitany(const struct stmt *s)
{
    k_task_t *tasks[DR_TASKS];
    int slot[DR_TASKS], k = 0, idx = 0, rc;
    bool any_before = false;
    char label[48];

    task_list(label, sizeof(label), "waitany", s->set);
    for (int n = 0; n < DR_TASKS; n++)
        if (s->set & (1u << n)) {
            any_before |= rt.ended[n];
            slot[k] = n;
            tasks[k++] = owned(n);
        }
    rc = k_wait_any(tasks, k, ticks(s->t), &idx);
    yields(any_before ? 2 : rc == 0 ? 1 : 0);
    if (rc == 0)
        out("%s = done T%d", label, slot[idx]);
    else
        out("%s = %s", label, errname(rc));
    return rc == -ETIMEDOUT ? 0 : rc;
}

/* next, send, throw, gclose of generator x from a task. */
static int gen_call(const struct stmt *s)
{
    static const char *const what[] = { "next", "send", "throw", "gclose" };
    k_gen_t *g = rt.gen[s->x];
    k_result_t r = { 0, NULL };
    int rc, w = s->op - OP_NEXT;
    char label[24], *p = label, *end = label + sizeof(label) - 1;

    p = put_str(p, end, what[w]);
    p = put_str(p, end, " G");
    p = put_int(p, end, s->x);
    if (s->op == OP_SEND) {
        p = put_str(p, end, " ");
        p = put_int(p, end, s->v);
    } else if (s->op == OP_THROW) {
        p = put_str(p, end, " ");
        p = put_str(p, end, lang_name(s->v));
    }
    *p = 0;
    switch (s->op) {
    case OP_NEXT: rc = k_gen_next(g, &r); break;
    case OP_SEND: rc = k_gen_send(g, V(s->v), &r); break;
    case OP_THROW: rc = k_gen_throw(g, s->v, &r); break;
    default: rc = k_gen_close(g, &r); break;
    }
    if (rc < 0) {                              /* g did not run: a misuse */
        out("%s = %s", label, errname(rc));
        return 0;
    }
    if (r.error) {
        out("%s = raise %s", label, errname(r.error));
        return lang_err(r.error) ? r.error : 0;
    }
    if (s->op == OP_GCLOSE)
        out("%s = ok", label);
    else
        out("%s = %s %d", label, rc == K_GEN_YIELDED ? "yield" : "return", I(r.value));
    return 0;
}

/* The lock or with statement at i: hold m, run the block, release m. */
static int locked(struct ctx *c, int i, k_mutex_t *m, const char *what, const char *release)
{
    const struct stmt *s = &prog.s[i];
    int rc = report(what, s->x, k_mutex_lock(m, ticks(s->op == OP_LOCK ? s->t : 0)));

    if (rc)
        return rc;
    rc = exec(c, i + 1, s->end);
    k_mutex_unlock(m);
    out("%s%d", release, s->x);
    return rc;
}

/* Run the statement at i. @return 0, DR_RETURNED, or the error it raised. */
static int step(struct ctx *c, int i)
{
    const struct stmt *s = &prog.s[i];
    k_chan_t *ch = s->x < DR_CHANS ? &rt.chan[s->x] : NULL;   /* for the channel statements */
    int rc, m;

    switch (s->op) {
    case OP_SPAWN: return spawn(s->x);
    case OP_SLEEP:
        rc = k_sleep_ms(s->t ? (uint32_t)ticks(s->t).ms : 0);
        out("sleep %d = %s", s->t, rc ? errname(rc) : "ok");
        return rc;
    case OP_YIELD: k_yield(); out("yield = ok"); return 0;
    case OP_SAY: out("say %d", s->v); return 0;
    case OP_RETURN: c->ret = s->v; return DR_RETURNED;
    case OP_RAISE: return s->v;
    case OP_CANCEL:
        rc = k_task_cancel(*rt.where[s->x]);
        out("cancel T%d = %s", s->x, rc ? errname(rc) : "ok");
        return 0;
    case OP_JOIN: return join(s->x, s->t);
    case OP_WAITFOR: return waitfor(s->x, s->t);
    case OP_GATHER: return gather(s);
    case OP_WAITANY: return waitany(s);
    case OP_EVSET: k_event_set(&rt.ev[s->x]); out("evset E%d", s->x); return 0;
    case OP_EVCLEAR: k_event_clear(&rt.ev[s->x]); out("evclear E%d", s->x); return 0;
    case OP_EVWAIT: return report("evwait E", s->x, k_event_wait(&rt.ev[s->x], ticks(s->t)));
    case OP_LOCK: return locked(c, i, &rt.lock[s->x], "lock L", "unlock L");
    case OP_WITH: return locked(c, i, &rt.cond_lock[s->x], "with C", "release C");
    case OP_CWAIT:
        return report("cwait C", s->x, k_cond_wait(&rt.cond[s->x], &rt.cond_lock[s->x], ticks(s->t)));
    case OP_NOTIFY: k_cond_signal(&rt.cond[s->x]); out("notify C%d", s->x); return 0;
    case OP_NOTIFYALL: k_cond_broadcast(&rt.cond[s->x]); out("notifyall C%d", s->x); return 0;
    case OP_PUT:
        m = s->v;
        rc = k_chan_put(ch, &m, ticks(s->t));
        out("put Q%d %d = %s", s->x, s->v, rc ? errname(rc) : "ok");
        return rc;
    case OP_GET:
        rc = k_chan_get(ch, &m, ticks(s->t));
        if (rc)
            out("get Q%d = %s", s->x, errname(rc));
        else
            out("get Q%d = ok %d", s->x, m);
        return rc;
    case OP_TASKDONE: report("taskdone Q", s->x, k_chan_task_done(ch)); return 0;
    case OP_QJOIN: return report("qjoin Q", s->x, k_chan_join(ch, ticks(s->t)));
    case OP_CLOSE: k_chan_close(ch); out("close Q%d", s->x); return 0;
    case OP_NEXT: case OP_SEND: case OP_THROW: case OP_GCLOSE: return gen_call(s);
    case OP_GYIELD: {
        void *in = NULL;
        rc = k_gen_yield(c->g, V(s->v), &in);
        if (rc)
            out("G%d yield %d = %s", c->gn, s->v, errname(rc));
        else
            out("G%d yield %d = ok %d", c->gn, s->v, I(in));
        return rc;
    }
    case OP_YIELDFROM: {
        k_result_t r = { 0, NULL };
        rc = k_gen_yield_from(c->g, rt.gen[s->x], &r);
        if (rc == -EPIPE || rc == -EBUSY) {   /* sub could not run: exhausted, running */
            out("G%d yieldfrom G%d = not run %s", c->gn, s->x, errname(rc));
            return rc == -EPIPE ? 0 : rc;     /* an exhausted one returns None at once */
        }
        if (rc == K_GEN_EXIT && r.error)
            rc = r.error;                     /* the subgenerator's close raised it */
        else if (rc == 0)
            rc = r.error;                     /* what sub raised propagates */
        if (rc)
            out("G%d yieldfrom G%d = %s", c->gn, s->x, errname(rc));
        else
            out("G%d yieldfrom G%d = ok %d", c->gn, s->x, I(r.value));
        return rc;
    }
    case OP_TRY: {
        const struct stmt *ex = &prog.s[s->end];
        rc = exec(c, i + 1, s->end);
        for (size_t e = 0; rc < 0 && e < DR_ERRS; e++)
            if ((ex->set & (1u << e)) && errs[e].err == rc) {
                out("catch %s", errname(rc));
                return exec(c, s->end + 1, ex->end);
            }
        return rc;
    }
    }
    return 0;
}

static int exec(struct ctx *c, int i, int end)
{
    for (; i < end; i = after(i)) {
        int rc = step(c, i);
        if (rc)
            return rc;
    }
    return 0;
}

/* Run the body of task n; print how it ended. */
static int task_body(int n, intptr_t *value)
{
    int at = prog.task_at[n];
    struct ctx c = { .g = NULL, .gn = 0, .ret = 0 };
    int rc = exec(&c, at + 1, prog.s[at].end);

    rt.ended[n] = true;
    if (rc < 0) {
        rt.failed[n] = true;
        out("exit = %s", errname(rc));
        return rc;
    }
    *value = c.ret;
    out("exit = ok %d", (int)c.ret);
    return 0;
}

static void *task_entry(void *arg)
{
    intptr_t v;
    int rc = task_body(I(arg), &v);
    if (rc)
        k_task_exit_error(rc);
    return V(v);
}

static void *gen_entry(k_gen_t *g, void *arg)
{
    int at = prog.gen_at[I(arg)];
    struct ctx c = { .g = g, .gn = I(arg), .ret = 0 };
    int rc = exec(&c, at + 1, prog.s[at].end);

    if (rc < 0)
        k_gen_raise(g, rc);
    return V(c.ret);
}

int diffrun_run(unsigned tick_ms)
{
    struct stmt close = { .op = OP_GCLOSE };
    intptr_t v;
    int rc = 0;

    memset(&rt, 0, sizeof(rt));
    rt.tick_ms = tick_ms ? tick_ms : 1;
    for (int n = 0; n < DR_TASKS; n++)
        rt.where[n] = &rt.task[n];
    for (int i = 0; i < DR_EVENTS; i++)
        k_event_init(&rt.ev[i]);
    for (int i = 0; i < DR_LOCKS; i++)
        k_mutex_init(&rt.lock[i]);
    for (int i = 0; i < DR_CONDS; i++) {
        k_mutex_init(&rt.cond_lock[i]);
        k_cond_init(&rt.cond[i]);
    }
    for (int q = 0; q < DR_CHANS; q++)
        if (prog.cap[q] && k_chan_alloc(&rt.chan[q], sizeof(int), prog.cap[q]) < 0)
            rc = -1;
    for (int g = 0; g < DR_GENS; g++)
        if (prog.gen_at[g] >= 0 && !(rt.gen[g] = k_gen_new(gen_entry, V(g), DR_GEN_STACK)))
            rc = -1;
    if (rc) {
        printf("diffrun: error: out of memory\n");
    } else {
        rt.task[0] = k_current();
        rt.start_ms = k_uptime_ms();
        task_body(0, &v);
        /* the epilogue (asyncio.run's): cancel and join what is left, close the
         * generators; it prints nothing but the generators' own lines */
        for (int n = 1; n < DR_TASKS; n++) {
            bool before = rt.ended[n];
            k_task_t *t = rt.task[n];
            if (!t)
                continue;
            k_task_cancel(t);
            if (k_join(t, ticks(DR_STUCK_TICKS), NULL) < 0) {
                printf("diffrun: T%d does not end\n", n);
                dr_stuck = true;     /* dr stays: that task may still use it */
                return -1;
            }
            collected(n);
            if (!before)
                yields(1);
        }
        for (int g = 0; g < DR_GENS; g++)
            if (rt.gen[g]) {
                close.x = (uint8_t)g;
                gen_call(&close);
            }
        out("done");
    }
    rt.quiet = true;
    for (int g = 0; g < DR_GENS; g++)
        k_gen_free(rt.gen[g]);
    for (int q = 0; q < DR_CHANS; q++) {
        if (!prog.cap[q] || !rt.chan[q].q.buf)
            continue;
        k_chan_close(&rt.chan[q]);
        while (k_chan_busy(&rt.chan[q]))
            k_yield();
        k_chan_free(&rt.chan[q]);
    }
    free(dr);
    dr = NULL;
    return rc;
}

/* ---------------------------------------------------------------------------------------
 * The shell command: the program comes from the console, line by line (no echo), with no
 * timeout (Ctrl-C ends the wait): under the board tests' virtual clock (-icount sleep=off)
 * a timeout would pass in an instant while the host is still writing.
 */
#ifndef DIFFRUN_HOST
static int console_line(char *buf, size_t size, void *ctx)
{
    size_t n = 0;
    int c;
    (void)ctx;
    while ((c = k_console_getc(K_FOREVER)) >= 0 && c != '\n' && c != '\r')
        if (n + 1 < size)
            buf[n++] = (char)c;
    buf[n] = 0;
    return c < 0 ? -1 : 0;
}

static int cmd_diffrun(int argc, char **argv)
{
    int tick = argc > 1 ? atoi(argv[1]) : 20;
    int rc;

    if (argc > 2 || tick < 1 || tick > 1000) {
        printf("usage: diffrun [tick_ms], then the program up to its end line\n");
        return -1;
    }
    rc = diffrun_load(console_line, NULL);
    if (rc == 0)
        rc = diffrun_run((unsigned)tick);
    printf("diffrun: %s\n", rc ? "failed" : "done");
    return rc;
}
K_SHELL_CMD(diffrun, "diffrun", "[tick_ms] - run a scenario program read from the console (tests/diff)",
            cmd_diffrun);
#endif
