/*
 * k.h - the kernel's public API: cooperative tasks, time, semaphores, mutexes, message
 * queues, the poll loop's hooks, the console and the shell.
 *
 * Scheduling model. Tasks are stackful coroutines. A task runs until it yields (k_yield),
 * blocks (a wait on a semaphore, mutex, queue, join, sleep) or exits; nothing preempts it,
 * and interrupt handlers never switch tasks. So code between two blocking calls is atomic
 * with respect to other tasks, exactly like the code between two `yield`s of a Python
 * generator, or two `await`s of an asyncio coroutine.
 *
 * Ready tasks run in FIFO order. When no task is ready, or when an interrupt event has
 * arrived since the last poll (at least every tick), the idle task runs the poll loop: it
 * calls every registered poll hook (console receive, network card), expires timeouts, and
 * halts the CPU if there is still nothing to do.
 *
 * Timeouts are k_timeout_t values: K_NO_WAIT never blocks, K_FOREVER has no timeout,
 * K_MSEC(n) waits up to n ms. A wait that times out returns -ETIMEDOUT; a K_NO_WAIT call that
 * would block returns -EAGAIN. (Durations that are not timeouts, as k_sleep_ms's, stay plain
 * milliseconds.)
 *
 * None of these functions may be called from an interrupt handler.
 */
#ifndef KERNEL_K_H
#define KERNEL_K_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * A timeout, in the spirit of Zephyr's k_timeout_t: a struct, so that a bare number cannot
 * be passed where a timeout is meant and 0 means one thing everywhere (no wait), in the
 * kernel, the lwIP port (whose own 0 means "forever": sys_arch.c converts) and the HTTP
 * client. Compare with K_TIMEOUT_EQ; .ms is the bound in ms, or -1 for K_FOREVER.
 */
typedef struct {
    int32_t ms;
} k_timeout_t;

#define K_NO_WAIT ((k_timeout_t){ .ms = 0 })
#define K_FOREVER ((k_timeout_t){ .ms = -1 })
/* Up to n ms. n below 0 is K_NO_WAIT (a deadline already past), n above INT32_MAX is cut to
 * INT32_MAX (24.8 days). Like Zephyr's K_MSEC, a macro usable in static initializers that
 * evaluates n more than once: pass a value, not an expression with side effects. */
#define K_MSEC(n) ((k_timeout_t){ .ms = (n) <= 0 ? 0 : (n) >= INT32_MAX ? INT32_MAX : (int32_t)(n) })
#define K_SECONDS(n) K_MSEC((int64_t)(n) * 1000)
#define K_TIMEOUT_EQ(a, b) ((a).ms == (b).ms)

/*
 * A stack of n bytes as measured on the 32-bit boards, for the target being built: the
 * same there, twice that on a 64-bit one (LP64). There registers, pointers and frame
 * records are 8 bytes, and newlib's printf carries a 128-bit long double: a 2,048-byte
 * task that prints overflows on AArch64. The sizes in the source are given through it; the
 * configured ones (MAIN_STACK, CHAT_STACK, ...) are set per board in its board.mk.
 */
#if UINTPTR_MAX > 0xFFFFFFFFu
#define K_STACK(n) (2u * (n))
#else
#define K_STACK(n) (n)
#endif

/* Smallest and default task stack, in bytes. */
#define K_STACK_MIN     512u
#define K_STACK_DEFAULT K_STACK(4096u)

/* Longest task name kept, in bytes, without the terminating NUL (longer names are cut). */
#define K_NAME_MAX 15

/* ---------------------------------------------------------------------------------------
 * Intrusive doubly linked lists (used by wait queues and the scheduler).
 */
struct k_list {
    struct k_list *next, *prev;
};

/* A FIFO of blocked tasks. Embedded in every object a task can wait on. */
struct k_waitq {
    struct k_list tasks;
};

/* ---------------------------------------------------------------------------------------
 * Tasks
 */
typedef struct k_task k_task_t;

enum k_task_state {
    K_READY,    /* in the ready queue */
    K_RUNNING,  /* the current task */
    K_BLOCKED,  /* waiting on an object or a timeout */
    K_EXITED,   /* finished; its result waits for k_join() */
};

/*
 * Create a task that runs entry(arg) on its own stack of stack_size bytes and put it at the
 * tail of the ready queue; it first runs when the caller blocks or yields. The name is
 * copied (cut to K_NAME_MAX bytes). Task and stack come from one malloc() block.
 * The task is joinable: its result is kept until k_join() collects it, or, after
 * k_task_detach(), freed when it exits. (Like asyncio.create_task.)
 * @param stack_size bytes, at least K_STACK_MIN; rounded up to 16.
 * @return the task, or NULL with errno = EINVAL (NULL entry, stack_size < K_STACK_MIN)
 *         or ENOMEM (no memory for stack and task). Does not block.
 */
k_task_t *k_task_spawn(const char *name, void *(*entry)(void *), void *arg, size_t stack_size);

/*
 * How a task or a generator ended: the value it returned, or the error it raised. The
 * calls that collect it (k_join, k_wait_for, k_gather, k_gen_send...) return only whether
 * the call itself did its job; what the task did comes back here, so that a task whose own
 * error is -ETIMEDOUT is never taken for a join that timed out (minicoro's mco_result
 * beside the coroutine's own values; Python keeps the two apart as an exception raised by
 * `await` vs. the awaited task's result).
 */
typedef struct k_result {
    int error;          /* 0: returned `value`; < 0: ended with this error (k_task_exit_error,
                           k_gen_raise, -ECANCELED for a cancellation it did not handle) */
    void *value;        /* entry's return value or k_task_exit's argument; NULL on error */
} k_result_t;

/*
 * Wait up to timeout for task t to finish, then store how it ended in *res (if res is not
 * NULL) and free the task: t is invalid after a join that returned 0. (Like `await task`,
 * or pthread_timedjoin_np.) Blocks the caller unless t has already exited.
 * @return 0: t finished and is freed (its own error, if any, is res->error); -ETIMEDOUT (t
 *         still runs and stays joinable); -EAGAIN (K_NO_WAIT and t still runs); -EINVAL
 *         (t is NULL or detached); -EDEADLK (t is the caller); -EBUSY (another task is
 *         already joining t); -ECANCELED (the caller was cancelled; t stays joinable).
 */
int k_join(k_task_t *t, k_timeout_t timeout, k_result_t *res);

/*
 * Let t free itself when it exits; nobody may join it afterwards. If t has already exited
 * it is freed now. @return 0, or -EINVAL (NULL, already detached, being joined, or the
 * main task, which k_run() collects).
 */
int k_task_detach(k_task_t *t);

/* Put the caller at the tail of the ready queue and run the next ready task. Returns at
 * once if no other task is ready and no interrupt event is pending. (Python: a bare
 * `yield`; asyncio: `await asyncio.sleep(0)`.) */
void k_yield(void);

/*
 * Block the caller for at least ms milliseconds (ms = 0 behaves like k_yield()). On a
 * board the wake-up comes on the first tick after the deadline; on the host build the
 * clock is virtual and jumps to the deadline when every task is blocked.
 * @return 0, or -ECANCELED (k_task_cancel) before the time is up.
 */
int k_sleep_ms(uint32_t ms);

/* The running task (the idle task while the poll loop runs). Never NULL after k_run(). */
k_task_t *k_current(void);

/* End the calling task with result (same as returning it from entry). Never returns. */
void k_task_exit(void *result) __attribute__((noreturn));

/* End the calling task with error err (negative; 0 or positive become -EINVAL): its
 * joiner's k_result_t.error is err, the value NULL (Python: the task raised). Never
 * returns. */
void k_task_exit_error(int err) __attribute__((noreturn));

/*
 * Cancel task t (asyncio's Task.cancel): if t is blocked at a cancellation point, that
 * wait returns -ECANCELED now; otherwise its next one does. Delivered once: t may handle
 * it and go on. Cancellation points: k_sleep_ms, k_sem_take, k_mutex_lock, k_queue_put/get,
 * k_join, k_wait_any, k_event_wait, k_cond_wait, k_chan_*, net_wait_readable/writable.
 * lwIP's own blocking socket calls are not (a cancelled lwIP call could leave a message
 * in flight): wait with net_wait_readable() first. A task inside k_cancel_shield(true)
 * is not interrupted either; the cancellation waits for its next wait outside the shield.
 * @return 0, or -EINVAL (NULL, idle, or already exited).
 */
int k_task_cancel(k_task_t *t);

/* asyncio's Task.uncancel() for the caller: drop a cancellation that no wait has delivered
 * yet (the shell does, after a command that Ctrl-C interrupted ended by itself). @return
 * whether one was pending. Does not block. */
bool k_task_uncancel(void);

/* How many cancellations the calling task's waits have returned (-ECANCELED) so far. For
 * code that calls a library whose waits hide why they ended (lwIP's poll reports a
 * cancelled wait as "nothing ready"): compare the count before and after the call. */
uint32_t k_task_cancels(void);

/* Make the caller's waits non-cancellable (on) until the matching k_cancel_shield(false).
 * Nests. For code that must not be interrupted half-way (lwIP's port uses it). */
void k_cancel_shield(bool on);

/*
 * asyncio.wait_for (Python 3.11): join t within timeout. On timeout, cancel t and wait
 * (shielded) until it has finished; if it then ended cancelled, free it and return
 * -ETIMEDOUT; if it finished anyway (it handled the cancellation), the result is its
 * outcome, as wait_for returns fut.result() then. If the caller is cancelled while it
 * waits, t is cancelled too and joined, and the call returns -ECANCELED; with K_FOREVER
 * (wait_for(t, None) is `await t`) it returns t's outcome instead if t handled that
 * cancellation and finished. With a timeout, a cancelled caller gets -ECANCELED even when
 * t has ended by the time it runs again: the cancellation is delivered, not spent on t's
 * result (3.11 returns fut.result() there and leaves the caller's cancelling() count
 * raised; docs/python.md).
 * Blocks. t is freed whenever the call returns 0, -ETIMEDOUT or -ECANCELED.
 * @return 0 (t finished: *res says how, res->error -ETIMEDOUT included: that is t's own);
 *         -ETIMEDOUT (timed out; t was cancelled and is freed); -ECANCELED (the caller was
 *         cancelled; so was t, which is freed); -EINVAL, -EDEADLK, -EBUSY as k_join.
 */
int k_wait_for(k_task_t *t, k_timeout_t timeout, k_result_t *res);

/* k_gather() flags. */
#define K_GATHER_RETURN_EXCEPTIONS 1u   /* wait for every task, errors are results */

/*
 * asyncio.gather(*tasks, return_exceptions=...) (Python 3.11): wait for the tasks of
 * tasks[0..n). Every task that finishes is joined (freed), its outcome stored in results[i]
 * (if results is not NULL) and tasks[i] set to NULL. NULL entries are skipped (their result
 * is {0, NULL}).
 *  - flags K_GATHER_RETURN_EXCEPTIONS: waits until every task has finished (errors are
 *    results). If the caller is cancelled meanwhile, every unfinished task is cancelled,
 *    all are still joined, and the call returns -ECANCELED.
 *  - flags 0: returns as soon as a task fails (in the order the tasks finished: the first
 *    to fail), with -ECHILD; tasks still running stay in tasks[] (joinable: join or cancel
 *    them), as asyncio.gather leaves its other children running when it raises. If the
 *    caller is cancelled, every unfinished task is cancelled, and the call returns at the
 *    first that fails: -ECANCELED if it ended cancelled, -ECHILD for another error; or,
 *    if all finish anyway, -ECANCELED when the last has (3.11's _done_callback).
 * A task may stand in tasks[] more than once (one result each, as in asyncio.gather).
 * Blocks.
 * @return 0 (every task finished; with flags 0 none failed); -ECHILD (flags 0: a task
 *         failed: the results[i] with a non-zero error); -ECANCELED (the caller was).
 */
int k_gather(k_task_t **tasks, int n, k_result_t *results, unsigned flags);

/*
 * asyncio.wait(return_when=FIRST_COMPLETED): wait until one of tasks[0..n) has finished
 * (NULL entries are skipped) and store the lowest such index in *index; it is not joined.
 * Blocks up to timeout; a task that ends as the timeout does is still reported (asyncio
 * collects what is done after its timer). The tasks must not be joined or detached by
 * another task meanwhile.
 * @return 0; -EAGAIN (K_NO_WAIT, none finished); -ETIMEDOUT; -ECANCELED; -EINVAL (no
 *         task at all: asyncio.wait raises ValueError for an empty set).
 */
int k_wait_any(k_task_t *const *tasks, int n, k_timeout_t timeout, int *index);

/* The task's name. */
const char *k_task_name(const k_task_t *t);

/* Bytes of t's stack ever used (high-water mark of the painted stack), for sizing: a task
 * may ask for its own before it returns (fetch and crawl report theirs). 0 for a task
 * whose stack is not painted (the boot stack on the host). Does not block. */
size_t k_task_stack_peak(const k_task_t *t);

/* What `ps` shows of a task. */
struct k_task_info {
    uint32_t id;                 /* 0 is the idle task */
    const char *name;
    enum k_task_state state;
    const char *wait;            /* what a blocked task waits on ("sleep", "sem", ...) or "" */
    size_t stack_size;           /* bytes; 0 if unknown (the boot stack on the host) */
    size_t stack_peak;           /* bytes ever used (high-water mark of the painted stack) */
    uint32_t switches;           /* times the task was switched in */
};

/* Call fn for every live task, idle first, then in creation order. Stops early and returns
 * fn's value if fn returns non-zero; otherwise returns 0. fn must not block. */
int k_task_foreach(int (*fn)(const struct k_task_info *info, void *ctx), void *ctx);

/* How many live tasks there are, the idle task included (what k_task_foreach visits),
 * without computing their stack marks. Does not block. */
unsigned k_task_count(void);

/* Name of a state for display ("ready", "running", "blocked", "exited"). */
const char *k_task_state_name(enum k_task_state s);

/*
 * Start the scheduler: spawn main_entry(arg) as task "main" and run tasks until it
 * finishes. The calling context becomes the idle task and runs the poll loop.
 * Tasks still alive when main finishes are freed without running further (as asyncio.run
 * cancels what is left); their count is printed.
 * @param result main's result, if not NULL.
 * @return 0 when main finished; -EDEADLK if every task blocked with nothing left that
 *         could wake one (only possible on the host build, which has no interrupts);
 *         -ENOMEM if main could not be spawned.
 */
int k_run(void *(*main_entry)(void *), void *arg, size_t stack_size, void **result);

/* ---------------------------------------------------------------------------------------
 * Generators: a function that runs on its own stack and is resumed by its caller, with
 * Python's generator protocol (PEP 255, PEP 342, PEP 380) as the reference semantics.
 * A generator is driven from any task (or another generator) and may itself block on
 * kernel waits: the task driving it blocks meanwhile. Values in and out are void *.
 *
 *   Python                          C
 *   def gen(arg): ... yield v       void *gen(k_gen_t *g, void *arg) { k_gen_yield(g, v, &in); }
 *   g = gen(arg)                    g = k_gen_new(gen, arg, stack_size)
 *   next(g), g.send(x)              k_gen_next(g, &r), k_gen_send(g, x, &r)
 *   g.throw(E)                      k_gen_throw(g, -E, &r)
 *   g.close()                       k_gen_close(g, &r)
 *   r = yield from sub              k_gen_yield_from(g, sub, &r)
 *   return v (StopIteration(v))     return v    (k_gen_send returns K_GEN_DONE, r = {0, v})
 *   raise E                         k_gen_raise(g, -E)     (K_GEN_DONE, r = {-E, NULL})
 *
 * The resuming calls return how the call went (K_GEN_YIELDED, K_GEN_DONE, or a negative
 * error for a call that did not run g at all); what g yielded, returned or raised is in
 * the k_result_t, so an error g raises never reads as a misuse of g.
 */
typedef struct k_gen k_gen_t;
typedef void *(*k_gen_fn)(k_gen_t *g, void *arg);

/* What k_gen_send/next/throw return when they ran the generator. */
#define K_GEN_YIELDED 0     /* it yielded: r->value is the value, r->error 0 */
#define K_GEN_DONE    1     /* it finished: returned r->value (r->error 0) or raised r->error */
/* What k_gen_yield returns inside a generator being closed (Python's GeneratorExit). */
#define K_GEN_EXIT (-4096)   /* outside the errno range on purpose */

/* Create a generator that will run fn(g, arg) on a stack of stack_size bytes (>=
 * K_STACK_MIN). It does not run until the first k_gen_next/send (Python: calling a
 * generator function). @return the generator, or NULL with errno EINVAL or ENOMEM. */
k_gen_t *k_gen_new(k_gen_fn fn, void *arg, size_t stack_size);

/*
 * Resume g with value `in` at its paused yield (the first resume starts it: `in` must then
 * be NULL). Runs g until it yields, returns or raises. Blocks only if g blocks.
 * @param r  where what g yielded, returned or raised goes (may be NULL).
 * @return K_GEN_YIELDED; K_GEN_DONE (g returned or raised, see r->error; g is now
 *   exhausted); or, without running g: -EINVAL (non-NULL `in` to an unstarted generator:
 *   Python's TypeError; g stays unstarted); -EPIPE (g is exhausted: StopIteration);
 *   -EBUSY (g is running: ValueError: generator already executing).
 */
int k_gen_send(k_gen_t *g, void *in, k_result_t *r);

/* k_gen_send(g, NULL, r): Python's next(g). */
int k_gen_next(k_gen_t *g, k_result_t *r);

/*
 * Raise err (negative) at g's paused yield: k_gen_yield returns err inside g, which may
 * handle it and yield again, or finish: return, or k_gen_raise(g, err) to let it
 * propagate (C has no unwinding: propagation is explicit). An unstarted or exhausted
 * generator is (left) exhausted and err comes straight back as what it raised: K_GEN_DONE
 * with r->error = err (Python semantics).
 * @return as k_gen_send, and -EINVAL (err is not negative; g does not run).
 */
int k_gen_throw(k_gen_t *g, int err, k_result_t *r);

/*
 * Close g (Python's g.close()): if it is paused at a yield, that yield returns K_GEN_EXIT
 * and g must return (or raise). Closing an unstarted or exhausted generator just marks it
 * exhausted.
 * @return 0: g is exhausted; r->error is 0, or the error g raised while closing (other
 *   than K_GEN_EXIT, which is a clean close): close() raises it in Python. -EPROTO: g
 *   yielded again (Python's RuntimeError "generator ignored GeneratorExit"); g is left
 *   paused, r->value is what it yielded. -EBUSY: g is running.
 */
int k_gen_close(k_gen_t *g, k_result_t *r);

/* Bytes of g's stack ever used (high-water mark of the painted stack), for sizing. */
size_t k_gen_stack_peak(const k_gen_t *g);

/* Close g if it is paused, then free it. g must not be running. */
void k_gen_free(k_gen_t *g);

/*
 * Inside generator g: pass value out to the caller and pause. Returns 0 with *in (if not
 * NULL) = the value the caller sent (NULL for next), or the error thrown in by
 * k_gen_throw, or K_GEN_EXIT when the caller closes g.
 */
int k_gen_yield(k_gen_t *g, void *value, void **in);

/* Inside generator g: finish with error err (negative), which the caller's
 * k_gen_send/throw reports as r->error (Python: raise). Never returns. */
void k_gen_raise(k_gen_t *g, int err) __attribute__((noreturn));

/*
 * Inside generator g: delegate to sub-generator sub until it finishes (PEP 380): every
 * value sub yields is yielded by g, every value sent to g goes to sub, errors thrown into
 * g are thrown into sub, closing g closes sub.
 * @return 0: sub finished, *r says how (r->error: what sub raised, which propagates in
 *   Python: g usually raises it on); K_GEN_EXIT: g is being closed (sub was closed first;
 *   r->error is what sub's close raised, or 0); -EPIPE, -EBUSY: sub could not be started
 *   (exhausted, running).
 */
int k_gen_yield_from(k_gen_t *g, k_gen_t *sub, k_result_t *r);

/* ---------------------------------------------------------------------------------------
 * Time
 */

/* Milliseconds since boot (host build: virtual milliseconds since k_run()). */
uint64_t k_uptime_ms(void);
/* Microseconds since boot, the same clock (board_uptime_us()). */
uint64_t k_uptime_us(void);

/* What the poll loop's halts have been (the idle task calls board_idle() when no task is
 * ready and no interrupt event is pending). Tickless: each halt is armed for the earliest
 * sleeper's deadline, or for none. */
struct k_idle_stats {
    uint32_t halts;              /* board_idle() calls since boot */
    uint32_t timed_halts;        /* of those, armed with a deadline */
    uint32_t last_wait_ms;       /* the most recent halt's deadline minus its start, ms;
                                    UINT32_MAX when it had none, 0 when already due */
    uint64_t halted_ms;          /* time spent inside board_idle(), ms */
    uint32_t busy_polls;         /* busy polls (k_busy_poll_set()) instead of a halt */
    uint32_t busy_hits;          /* of those, ended by a hook's pending work */
    uint64_t busy_us;            /* time spent busy polling, us */
    uint32_t timer_arms;         /* the board's one-shot timer armed where a deadline was
                                    made (kernel/timeout.c), not by a halt */
};

/* Copy the poll loop's halt counters into *st. Any task; does not block. */
void k_idle_stats(struct k_idle_stats *st);

/* Wall-clock time, seconds since 1970-01-01 00:00 UTC (what time() returns): from the
 * board's real-time clock at boot, else from the image's build time (a lower bound), else
 * from 0. Does not block. */
int64_t k_wall_seconds(void);

/* Where the wall clock came from: "rtc", "build" (the build time: a lower bound on the true
 * time), "none", or what k_wall_set() was given ("sntp", "shell"). */
const char *k_wall_source(void);

/* Set the wall clock to epoch_s seconds now, naming its source (a string that lives on). */
void k_wall_set(int64_t epoch_s, const char *source);

/* Up to max entropy samples (the cycle counter when interrupts came), newest first; returns
 * how many. They are raw timings: condition them (a hash) before use. Does not block. */
size_t k_entropy_samples(uint32_t *out, size_t max);

/* Samples ever taken (interrupt arrivals the poll loop saw). */
uint32_t k_entropy_count(void);

/* ---------------------------------------------------------------------------------------
 * Counting semaphores (Dijkstra's P/V; lwIP's sys_sem).
 */
typedef struct k_sem {
    unsigned count;
    unsigned limit;
    struct k_waitq waiters;
} k_sem_t;

/* Initialise with count = initial (at most limit, which is at least 1).
 * @return 0, or -EINVAL if limit is 0 or initial > limit. */
int k_sem_init(k_sem_t *s, unsigned initial, unsigned limit);

/* Take one unit, blocking up to timeout while the count is 0. Waiters are served FIFO.
 * @return 0; -EAGAIN (K_NO_WAIT and count 0); -ETIMEDOUT. */
int k_sem_take(k_sem_t *s, k_timeout_t timeout);

/* Give one unit: wakes the longest waiter, or increments the count.
 * @return 0, or -EOVERFLOW if the count is already at its limit (nothing changes). */
int k_sem_give(k_sem_t *s);

/* ---------------------------------------------------------------------------------------
 * Mutex: owned, not recursive, handed directly to the longest waiter on unlock (FIFO, no
 * barging). No priority inheritance: tasks have no priorities.
 */
typedef struct k_mutex {
    k_task_t *owner;
    struct k_waitq waiters;
} k_mutex_t;

void k_mutex_init(k_mutex_t *m);

/* @return 0; -EAGAIN (K_NO_WAIT and locked); -ETIMEDOUT; -EDEADLK (caller owns it). */
int k_mutex_lock(k_mutex_t *m, k_timeout_t timeout);

/* @return 0, or -EPERM if the caller does not own m. */
int k_mutex_unlock(k_mutex_t *m);

/* ---------------------------------------------------------------------------------------
 * Bounded message queues: a ring of `capacity` messages of `msg_size` bytes each, copied in
 * and out. FIFO for messages and for waiters on both sides. (asyncio.Queue(maxsize);
 * lwIP's sys_mbox with msg_size = sizeof(void *).)
 */
typedef struct k_queue {
    char *buf;
    size_t msg_size;
    uint32_t capacity, head, count;
    bool owns_buf;
    struct k_waitq getters, putters;
} k_queue_t;

/* Use buf (capacity * msg_size bytes, owned by the caller). @return 0 or -EINVAL. */
int k_queue_init(k_queue_t *q, void *buf, size_t msg_size, uint32_t capacity);

/* Allocate the ring with malloc(). @return 0, -EINVAL (zero size), -ENOMEM. */
int k_queue_alloc(k_queue_t *q, size_t msg_size, uint32_t capacity);

/* Give a ring from k_queue_alloc() room for `capacity` messages (at least its current
 * capacity), keeping the queued ones in order: for queues that start small and grow only
 * when they have to (lwIP's per-connection mailboxes). Putters already blocked stay blocked
 * until a get, as before. @return 0, -EINVAL (not allocated by k_queue_alloc, or smaller),
 * -ENOMEM (the ring is unchanged). Does not block. */
int k_queue_grow(k_queue_t *q, uint32_t capacity);

/* Free a ring from k_queue_alloc(). No task may be waiting (checked: panics). */
void k_queue_free(k_queue_t *q);

/* Copy msg_size bytes from msg to the tail, blocking up to timeout while full.
 * @return 0; -EAGAIN (K_NO_WAIT and full); -ETIMEDOUT. */
int k_queue_put(k_queue_t *q, const void *msg, k_timeout_t timeout);

/* Copy the head message to msg, blocking up to timeout while empty.
 * @return 0; -EAGAIN (K_NO_WAIT and empty); -ETIMEDOUT. */
int k_queue_get(k_queue_t *q, void *msg, k_timeout_t timeout);

/* Messages waiting. */
static inline uint32_t k_queue_count(const k_queue_t *q) { return q->count; }

/* ---------------------------------------------------------------------------------------
 * Events (asyncio.Event): a flag tasks can wait for.
 */
typedef struct k_event {
    bool set;
    struct k_waitq waiters;
} k_event_t;

void k_event_init(k_event_t *e);
/* Set the flag and wake every waiter. */
void k_event_set(k_event_t *e);
/* Clear the flag; later waits block until the next k_event_set. */
void k_event_clear(k_event_t *e);
static inline bool k_event_is_set(const k_event_t *e) { return e->set; }
/* Wait until the flag is set. @return 0; -EAGAIN (K_NO_WAIT, not set); -ETIMEDOUT;
 * -ECANCELED. */
int k_event_wait(k_event_t *e, k_timeout_t timeout);

/* ---------------------------------------------------------------------------------------
 * Condition variables (asyncio.Condition, pthread_cond), used with a k_mutex.
 */
typedef struct k_cond {
    struct k_waitq waiters;
} k_cond_t;

void k_cond_init(k_cond_t *c);
/* Unlock m (which the caller must own), wait for a signal, lock m again (always, also on
 * timeout or cancellation). Spurious wake-ups do not happen, but re-check the predicate.
 * @return 0; -EAGAIN (K_NO_WAIT: unlocks and relocks m, never blocks); -ETIMEDOUT;
 * -ECANCELED; -EPERM (caller does not own m). */
int k_cond_wait(k_cond_t *c, k_mutex_t *m, k_timeout_t timeout);
/* Wake the longest waiter / every waiter. */
void k_cond_signal(k_cond_t *c);
void k_cond_broadcast(k_cond_t *c);

/* ---------------------------------------------------------------------------------------
 * Channels (asyncio.Queue with Go's close): a bounded message queue that can be closed,
 * with task_done()/join() accounting of unfinished items.
 */
typedef struct k_chan {
    k_queue_t q;
    bool closed;
    uint32_t unfinished;         /* messages that entered the queue minus task_done */
    struct k_waitq joiners;
} k_chan_t;

/* Allocate a channel of capacity messages of msg_size bytes. @return 0, -EINVAL, -ENOMEM. */
int k_chan_alloc(k_chan_t *ch, size_t msg_size, uint32_t capacity);
/* Free it. No task may wait on it, nor have been woken from it and not yet run (checked:
 * panics; see k_chan_busy). */
void k_chan_free(k_chan_t *ch);
/* Whether a task waits on ch, or was woken from it (a hand-over, its close, a timeout) and
 * has not run since: while true, k_chan_free() refuses. After k_chan_close(), yield until
 * it is false before freeing (getters and putters are woken by the close; a task in
 * k_chan_join() is not, and keeps ch busy until its messages are done or it times out).
 * Does not block. */
bool k_chan_busy(const k_chan_t *ch);
/* Put a message, waiting while full. @return 0; -EPIPE (closed, also while waiting);
 * -EAGAIN; -ETIMEDOUT; -ECANCELED. */
int k_chan_put(k_chan_t *ch, const void *msg, k_timeout_t timeout);
/* Get a message, waiting while empty. Messages put before the close are still delivered.
 * @return 0; -EPIPE (closed and empty: the end of the stream); -EAGAIN; -ETIMEDOUT;
 * -ECANCELED. */
int k_chan_get(k_chan_t *ch, void *msg, k_timeout_t timeout);
/* Close: no more puts; waiting putters get -EPIPE, and waiting getters get -EPIPE once
 * the channel is empty. Closing twice is harmless. */
void k_chan_close(k_chan_t *ch);
/* A got message is processed (asyncio.Queue.task_done). @return 0, or -EINVAL if called
 * more often than messages were put. */
int k_chan_task_done(k_chan_t *ch);
/* Wait until every message put has been task_done'd (asyncio.Queue.join).
 * @return 0; -EAGAIN; -ETIMEDOUT; -ECANCELED. */
int k_chan_join(k_chan_t *ch, k_timeout_t timeout);

/* ---------------------------------------------------------------------------------------
 * Poll loop hooks. A hook moves work from one device into the kernel (received bytes to a
 * waiting task, frames to lwIP) and returns how many items it handled. Its device's
 * interrupt handler acknowledges the device and calls k_isr_signal(hook); the idle task's
 * poll loop then runs that hook, and only the hooks whose events are set, before the next
 * task switch. A hook also runs when k_poll_kick() asked for it (work left over, or a task
 * started waiting for what the hook delivers), and, if it has a period_ms, at a pass of the
 * loop when that long has passed since it last ran (passes happen anyway for timers and
 * other events; a period never wakes the CPU by itself). It runs in the idle task's
 * context: it may wake tasks but must never block.
 */
struct k_poll_hook {
    const char *name;
    int (*poll)(void *ctx);
    void *ctx;
    uint32_t period_ms;          /* 0: only on events and kicks */
    /* Optional: whether work waits that the device's interrupt may not have announced yet,
     * read cheaply and without side effects (a receive descriptor's done bit in memory,
     * not a device register). After such a hook has found work, the poll loop spins on
     * this for up to k_busy_poll_us() before it halts (see there). NULL: never polled so. */
    bool (*pending)(void *ctx);
    struct k_poll_hook *next;
    volatile uint32_t events;    /* k_isr_signal() counts here */
    uint32_t seen;               /* events when it last ran */
    volatile bool kicked;        /* k_poll_kick(): run at the next pass */
    uint64_t last_ms;            /* when it last ran */
    uint32_t calls, items;       /* statistics, shown by `ps` */
    uint32_t busy_hits;          /* busy polls that found its work (pending() true) */
};

/*
 * Busy polling, as Linux's net.core.busy_poll and NAPI's "poll before re-enabling the
 * interrupt": when no task is ready and a hook with a pending() check found work less than
 * us microseconds ago, the poll loop spins on those checks (and on interrupt events)
 * instead of halting, until one is true or the window has passed since that work. A device
 * that delays its interrupts (the e1000's mitigation timer: 128 us at least between two
 * interrupts under QEMU) or a CPU slow to wake from a halt (a QEMU vCPU) then costs a
 * round trip nothing; the price is up to us of CPU after each burst of work, never while
 * idle. 0 turns it off. Default K_BUSY_POLL_US (make variable). Returns 0, or -EINVAL if us
 * is over K_BUSY_POLL_MAX_US. Does not block.
 */
#define K_BUSY_POLL_MAX_US 100000u
/* The clock is read once per this many rounds of checks: on qemu-x86 a read is three HPET
 * register reads, each a trap into QEMU under the lock its I/O thread needs to deliver the
 * very frames the spin waits for. */
#define K_BUSY_POLL_CHECKS 16u
int k_busy_poll_set(uint32_t us);
uint32_t k_busy_poll_us(void);

/* Add a hook (once; the struct must stay valid). It runs at the next pass. */
void k_poll_register(struct k_poll_hook *h);
/* Remove a hook; returns 0 or -ENOENT. */
int k_poll_unregister(struct k_poll_hook *h);
/* First registered hook (for listing). */
struct k_poll_hook *k_poll_hooks(void);

/*
 * An interrupt handler calls this (and nothing else of the kernel) after acknowledging its
 * device: h runs at the poll loop's next pass, which comes before the next task switch,
 * and the idle task does not halt meanwhile. Safe from any context.
 */
void k_isr_signal(struct k_poll_hook *h);

/* An interrupt with no hook to run (a timer): the poll loop passes (timers expire), the
 * idle task does not halt. Safe from any context. */
void k_isr_event(void);

/* From a task or a hook: run h at the poll loop's next pass (work is left that no
 * interrupt will announce). Does not block. */
void k_poll_kick(struct k_poll_hook *h);

/* The console's hook, for the board's UART receive interrupt (k_isr_signal). */
struct k_poll_hook *k_console_hook(void);

/* ---------------------------------------------------------------------------------------
 * Panic and assertions
 */

/* Print "PANIC: <message> (task '<current>')" on the console and stop the board with exit
 * status K_PANIC_STATUS. Never returns. The host build calls k_panic_handler instead, if
 * set (tests use it). */
void k_panic(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
#define K_PANIC_STATUS 3
extern void (*k_panic_handler)(const char *msg);

#define K_ASSERT(c) \
    do { if (!(c)) k_panic("assertion failed: %s at %s:%d", #c, __FILE__, __LINE__); } while (0)

/* ---------------------------------------------------------------------------------------
 * Self-test reporting (`selftest`, `netselftest`): one line per check, "<suite>: <name> ok"
 * or "<suite>: <name> FAIL: <why>", counted in *t.
 */
struct k_selftest {
    const char *suite;
    int passed, failed;
};
/* Count and print one check; fmt/... say why it failed (printed only then). @return ok. */
bool k_selftest_check(struct k_selftest *t, bool ok, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* ---------------------------------------------------------------------------------------
 * Console (the board's UART, through newlib's stdio for output)
 */

/* Wait up to timeout for one received byte. @return the byte (0..255), -EAGAIN (K_NO_WAIT
 * and nothing received), -ETIMEDOUT, or -ECANCELED (the task was cancelled: Ctrl-C while
 * the shell runs its command). Blocks the calling task; other tasks run meanwhile. */
int k_console_getc(k_timeout_t timeout);

/* Register the console's poll hook (boards with a console call it once at boot). */
void k_console_init(void);

/* Make t (NULL: nobody) the console's interrupt target: while it is, a received Ctrl-C
 * (ETX, 0x03) is not read by anyone but cancels t (k_task_cancel), as a terminal's ISIG
 * sends SIGINT; other bytes received meanwhile wait for the next k_console_getc(), none
 * dropped: past the type-ahead ring (K_RING_SIZE, 256 bytes) and the board's receive ring,
 * the UART's flow control holds them, and a Ctrl-C behind them is seen when a reader or the
 * command's end makes room. The shell sets itself while a command runs. Does not block. */
void k_console_set_intr(k_task_t *t);

/* v in decimal, written at the end of b (21 bytes); returns where it starts. newlib's
 * printf on ARM (nano) has no %llu/%lld: print 64-bit values with "%s" and this. */
const char *k_u64_str(char b[21], uint64_t v);

/* ---------------------------------------------------------------------------------------
 * Heap (newlib's malloc over _sbrk, bounded by the board's linker map)
 */
struct k_heap_stats {
    size_t total;   /* bytes between the heap's start and end in the linker map */
    size_t used;    /* bytes in allocated blocks now (mallinfo().uordblks), less `cached` */
    size_t cached;  /* bytes allocated but only kept for reuse by a cache (k_heap_register_cache) */
    size_t free;    /* total - used */
    size_t brk;     /* bytes taken from the heap region by _sbrk so far */
    size_t peak;    /* highest brk ever: the heap's high-water mark */
};

/* Fill *st. Boards only (the host build uses the host's malloc). Does not block. */
void k_heap_stats(struct k_heap_stats *st);

/* Bytes between the heap's start and end (k_heap_stats().total), in O(1). Does not block. */
size_t k_heap_total(void);

/* A module that keeps freed blocks for reuse (lwIP's heap, net/mem.c) registers how many
 * bytes it holds, so that `mem` shows them apart from the memory in use. */
void k_heap_register_cache(size_t (*cached_bytes)(void));

/*
 * Whether at least `bytes` of heap are free: what admission control asks before it takes
 * on new work (a connection) so that the work already taken keeps the memory it needs.
 * O(1) while the break is more than `bytes` below the heap's end; otherwise it counts the
 * free blocks (mallinfo()). Boards only. Does not block.
 */
bool k_heap_has_free(size_t bytes);

/*
 * Make the heap end `bytes` after its start (0: at the board's end again), so that what
 * happens when memory runs out can be tried without filling all of RAM (`mem -l`). Memory
 * already taken stays. @return 0, or -EINVAL if bytes is below what the heap already uses
 * (its break) or above the board's heap. Does not block.
 */
int k_heap_limit(size_t bytes);

/* ---------------------------------------------------------------------------------------
 * Shell: a line-oriented command interpreter on the console. Modules register commands at
 * build time with K_SHELL_CMD; `help` lists them.
 */
struct k_shell_cmd {
    const char *name;
    const char *help;                       /* one line: "[args] - what it does" */
    int (*fn)(int argc, char **argv);       /* returns 0 on success */
};

#define K_SHELL_CMD(id, cmdname, helptext, handler)                                        \
    static const struct k_shell_cmd k_shell_cmd_##id                                       \
        __attribute__((used, section("k_shell_cmds"), aligned(sizeof(void *)))) =          \
        { cmdname, helptext, handler }

/* Longest input line, in bytes; longer input is refused with a message. */
#define K_SHELL_LINE_MAX 256
/* Most arguments on a line, command name included. */
#define K_SHELL_ARGS_MAX 16

/* The shell's line editor, a state machine with no I/O (kernel/lineedit.c): printable
 * ASCII is kept and echoed, backspace/DEL erase one byte, Ctrl-U the line, Ctrl-C cancels
 * it; CR or LF ends it; other bytes are ignored. Bytes past size - 1 are dropped and the
 * line is refused when it ends. */
struct k_line {
    char *buf;
    size_t size, len;            /* size <= K_SHELL_LINE_MAX; buf[len] is always 0 */
    bool overflow;
};
enum { K_LINE_MORE, K_LINE_DONE, K_LINE_CANCELLED, K_LINE_TOO_LONG };
void k_line_init(struct k_line *l, char *buf, size_t size);
/* Feed one byte c (0..255). *echo is set to what the terminal should show (NULL: nothing).
 * @return K_LINE_MORE, K_LINE_DONE (buf holds the line), K_LINE_CANCELLED (Ctrl-C), or
 * K_LINE_TOO_LONG (the line ended after overflowing). Does not block. */
int k_line_feed(struct k_line *l, int c, const char **echo);

/* Split line (modified in place) into words and run the command. Prints
 * "unknown command: <name>" for a name no module registered.
 * @return the command's status, -ENOENT (unknown), or -E2BIG (too many words). */
int k_shell_exec(char *line);

/* The shell task's entry: prints the prompt "> ", reads lines with backspace editing and
 * runs them, forever. arg is unused. */
void *k_shell_main(void *arg);

#endif
