/*
 * await.c - the combinators over tasks, with asyncio's semantics (Python 3.11, the
 * reference the differential tests run): wait_for, gather, wait(FIRST_COMPLETED).
 * Each returns how the wait itself went; what the tasks did is in their k_result_t.
 * They wait on z_any_exit with the set of tasks they wait for (the exit of one of those
 * wakes them, no other), and touch only the tasks (which the caller owns), never that
 * queue, after a wake-up.
 */
#include "k_internal.h"

int k_wait_for(k_task_t *t, k_timeout_t timeout, k_result_t *res)
{
    k_result_t r;
    int rc = k_join(t, timeout, &r);

    if (rc == 0) {
        if (res)
            *res = r;
        return 0;
    }
    if (rc != -ETIMEDOUT && rc != -EAGAIN && rc != -ECANCELED)
        return rc;               /* -EINVAL, -EDEADLK, -EBUSY: t untouched */
    /* Timed out, or the caller was cancelled: cancel t and wait until it has finished
     * (bpo-32751: the task is not left running after wait_for returns). */
    k_task_cancel(t);
    k_cancel_shield(true);
    (void)k_join(t, K_FOREVER, &r);
    k_cancel_shield(false);
    if (rc == -ECANCELED && K_TIMEOUT_EQ(timeout, K_FOREVER) && r.error != -ECANCELED) {
        if (res)
            *res = r;            /* wait_for(t, None) is `await t`: t's outcome, also when
                                    it handled the cancellation passed on to it */
        return 0;
    }
    if (rc == -ECANCELED)
        return -ECANCELED;
    if (r.error == -ECANCELED)
        return -ETIMEDOUT;       /* CancelledError becomes TimeoutError */
    if (res)
        *res = r;                /* it finished anyway: wait_for returns fut.result() */
    return 0;
}

/* Join tasks[i] (exited), store its outcome in results[i] and in those of the later
 * entries that name the same task (asyncio.gather takes an awaitable twice: one result
 * each), and clear them all; *left counts them off. Returns its error. */
static int gather_collect(k_task_t **tasks, int n, int i, k_result_t *results, int *left)
{
    k_task_t *t = tasks[i];
    k_result_t r = { 0, NULL };
    int rc = k_join(t, K_NO_WAIT, &r);
    K_CHECK(rc == 0);            /* exited and owned by the caller: cannot fail */
    (void)rc;
    for (int j = i; j < n; j++) {
        if (tasks[j] == t) {
            tasks[j] = NULL;
            (*left)--;
            if (results)
                results[j] = r;
        }
    }
    return r.error;
}

/* The exited task among tasks[0..n) that exited first, or -1. */
static int gather_first_exited(k_task_t *const *tasks, int n)
{
    int best = -1;
    for (int i = 0; i < n; i++)
        if (tasks[i] && tasks[i]->state == K_EXITED &&
            (best < 0 || tasks[i]->exit_seq < tasks[best]->exit_seq))
            best = i;
    return best;
}

int k_gather(k_task_t **tasks, int n, k_result_t *results, unsigned flags)
{
    const bool all = flags & K_GATHER_RETURN_EXCEPTIONS;
    bool cancelled = false;
    int i, left = 0;

    for (i = 0; i < n; i++) {
        if (results)
            results[i] = (k_result_t){ 0, NULL };
        if (tasks[i])
            left++;
    }
    /* Tasks done before the call are seen in list order (asyncio adds their done
     * callbacks in that order); later ones in the order they finish. */
    for (i = 0; i < n; i++)
        if (tasks[i] && tasks[i]->state == K_EXITED && gather_collect(tasks, n, i, results, &left) && !all)
            return -ECHILD;
    while (left > 0) {
        int rc;
        if (cancelled)
            k_cancel_shield(true);
        z_k.current->wait_data = &(struct z_exit_set){ tasks, n };
        rc = z_wait(&z_any_exit, K_FOREVER, "gather");
        if (cancelled)
            k_cancel_shield(false);
        if (rc == -ECANCELED && !cancelled) {
            /* the gather itself was cancelled: so is every task still running */
            cancelled = true;
            for (i = 0; i < n; i++)
                if (tasks[i] && tasks[i]->state != K_EXITED)
                    k_task_cancel(tasks[i]);
        }
        while ((i = gather_first_exited(tasks, n)) >= 0) {
            int err = gather_collect(tasks, n, i, results, &left);
            if (err && !all)
                return cancelled && err == -ECANCELED ? -ECANCELED : -ECHILD;
        }
    }
    return cancelled ? -ECANCELED : 0;
}

/* The lowest index of an exited task in tasks[0..n), or -1. */
static int any_exited(k_task_t *const *tasks, int n)
{
    for (int i = 0; i < n; i++)
        if (tasks[i] && tasks[i]->state == K_EXITED)
            return i;
    return -1;
}

int k_wait_any(k_task_t *const *tasks, int n, k_timeout_t timeout, int *index)
{
    uint64_t deadline = K_TIMEOUT_EQ(timeout, K_FOREVER) ? UINT64_MAX : k_uptime_ms() + (uint32_t)timeout.ms;
    int i, rc = -EAGAIN;

    for (i = 0; i < n && !tasks[i]; i++)
        ;
    if (i == n)
        return -EINVAL;
    /* Looks again after every wake-up, a timeout's too: asyncio.wait collects what is done
     * after its timer, and a task may have ended between the two. */
    while ((i = any_exited(tasks, n)) < 0) {
        uint64_t now = k_uptime_ms();
        if (K_TIMEOUT_EQ(timeout, K_NO_WAIT) || rc == -ETIMEDOUT)
            return rc;
        if (now >= deadline)
            return -ETIMEDOUT;
        z_k.current->wait_data = &(struct z_exit_set){ tasks, n };
        rc = z_wait(&z_any_exit, deadline == UINT64_MAX ? K_FOREVER : K_MSEC(deadline - now), "any");
        if (rc == -ECANCELED)
            return rc;
    }
    if (index)
        *index = i;
    return 0;
}
