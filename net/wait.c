/*
 * wait.c - readiness waits over lwIP sockets, as cancellation points.
 * lwip_poll() waits on a semaphore with a finite timeout, which the port leaves
 * cancellable (net/sys_arch.c). lwip_poll() reports a cancelled wait as "nothing ready",
 * but it also returns "nothing ready" early on its own (two tasks poll one socket, the
 * other reads the data first): the cause is taken from the kernel (k_task_cancels()),
 * never inferred from the clock. An early empty return that was not a cancellation
 * polls again for the time that is left.
 */
#include "lwip/sockets.h"

#include "k.h"
#include "net.h"

#define SLICE_MS (60 * 60 * 1000)   /* K_FOREVER waits in slices of an hour */

int net_wait_fds(struct pollfd *fds, int n, k_timeout_t timeout)
{
    uint64_t deadline = K_TIMEOUT_EQ(timeout, K_FOREVER) ? UINT64_MAX : k_uptime_ms() + (uint32_t)timeout.ms;

    if (n <= 0 || !fds || (timeout.ms < 0 && !K_TIMEOUT_EQ(timeout, K_FOREVER)))
        return -EINVAL;
    for (;;) {
        uint64_t now = k_uptime_ms();
        uint32_t cancels;
        int slice, rc, i, bad = 0;

        if (K_TIMEOUT_EQ(timeout, K_NO_WAIT))
            slice = 0;
        else if (deadline == UINT64_MAX)
            slice = SLICE_MS;
        else
            slice = deadline <= now ? 0 : (int)(deadline - now > SLICE_MS ? SLICE_MS : deadline - now);
        cancels = k_task_cancels();
        errno = 0;
        rc = lwip_poll(fds, (nfds_t)n, slice);
        if (rc < 0) {
            /* lwIP 2.1.3 returns -1 without errno for a socket that is not open */
            for (i = 0; i < n; i++)
                if (fds[i].revents & POLLNVAL)
                    return -EBADF;
            return errno == EBADF ? -EBADF : -EINVAL;
        }
        for (i = 0; i < n; i++)
            bad += fds[i].fd < 0 || (fds[i].revents & POLLNVAL) != 0;
        if (bad == n)
            return -EBADF;
        /* k_task_cancel() ended the wait. Checked before the events: lwIP scans the
         * sockets again after its wait, and one may have become ready in the same pass as
         * the cancellation. The cancellation was delivered (counted) in there; returning
         * the events would lose it, while the events (level-triggered) are still there
         * for whoever polls next. */
        if (k_task_cancels() != cancels)
            return -ECANCELED;
        if (rc > 0)
            return rc;
        if (K_TIMEOUT_EQ(timeout, K_NO_WAIT))
            return -EAGAIN;
        if (deadline != UINT64_MAX && k_uptime_ms() >= deadline)
            return -ETIMEDOUT;
    }
}

static int wait_one(int fd, short events, k_timeout_t timeout)
{
    struct pollfd p = { .fd = fd, .events = events };
    int rc = net_wait_fds(&p, 1, timeout);
    return rc > 0 ? 0 : rc;
}

int net_wait_readable(int fd, k_timeout_t timeout) { return wait_one(fd, POLLIN, timeout); }
int net_wait_writable(int fd, k_timeout_t timeout) { return wait_one(fd, POLLOUT, timeout); }
