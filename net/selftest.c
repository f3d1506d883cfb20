/*
 * selftest.c - `netselftest`: checks of the kernel's readiness waits over lwIP sockets
 * that need no peer: UDP datagrams sent to the interface's own address (looped back by
 * lwIP, LWIP_NETIF_LOOPBACK). Prints one line per check and "netselftest: N passed, M
 * failed", like the kernel's `selftest`.
 */
#include <stdio.h>
#include <string.h>

#include "lwip/sockets.h"
#include "lwip/tcpip.h"

#include "k.h"
#include "net.h"

static struct k_selftest st = { .suite = "netselftest" };

#define CHECK(name, cond, ...) k_selftest_check(&st, (cond), name, __VA_ARGS__)

#define PORT 50007

static int sock;
static struct sockaddr_in self;

struct waiter {
    k_timeout_t timeout;
    int rc;              /* net_wait_readable's result */
    int got;             /* bytes read after it, or -1 */
};

static void *wait_task(void *arg)
{
    struct waiter *w = arg;
    char b[64];
    w->rc = net_wait_readable(sock, w->timeout);
    w->got = w->rc == 0 ? (int)lwip_recv(sock, b, sizeof(b), MSG_DONTWAIT) : -1;
    return NULL;
}

static int send_self(const char *msg)
{
    return (int)lwip_sendto(sock, msg, strlen(msg), 0, (struct sockaddr *)&self, sizeof(self));
}

static void *netselftest_main(void *arg)
{
    struct waiter w[2];
    k_task_t *t[2];
    uint64_t t0;
    (void)arg;

    sock = lwip_socket(AF_INET, SOCK_DGRAM, 0);
    if (sock < 0) {
        CHECK("socket", 0, "errno=%d", errno);
        return NULL;
    }
    memset(&self, 0, sizeof(self));
    self.sin_len = sizeof(self);
    self.sin_family = AF_INET;
    self.sin_port = lwip_htons(PORT);
    LOCK_TCPIP_CORE();
    self.sin_addr.s_addr = ip4_addr_get_u32(netif_ip4_addr(net_netif()));
    UNLOCK_TCPIP_CORE();
    CHECK("bind-self", lwip_bind(sock, (struct sockaddr *)&self, sizeof(self)) == 0, "errno=%d", errno);

    /* a datagram to ourselves makes the socket readable */
    send_self("ping");
    w[0] = (struct waiter){ .timeout = K_MSEC(2000) };
    wait_task(&w[0]);
    CHECK("loopback", w[0].rc == 0 && w[0].got == 4, "rc=%d got=%d", w[0].rc, w[0].got);

    /* nothing to read: a timeout, not a cancellation, and not early */
    t0 = k_uptime_ms();
    int rc = net_wait_readable(sock, K_MSEC(50));
    uint64_t dt = k_uptime_ms() - t0;
    CHECK("wait-timeout", rc == -ETIMEDOUT && dt >= 50, "rc=%d after %u ms", rc, (unsigned)dt);

    /* Two tasks wait on one socket; one datagram. lwIP wakes both, the first reads it and
     * the second's poll finds nothing: that one must go on waiting (and time out), not
     * report a cancellation that nobody sent. */
    w[0] = (struct waiter){ .timeout = K_MSEC(300) };
    w[1] = (struct waiter){ .timeout = K_MSEC(300) };
    t[0] = k_task_spawn("nst-wait", wait_task, &w[0], 2048);
    t[1] = k_task_spawn("nst-wait", wait_task, &w[1], 2048);
    k_sleep_ms(20);                                   /* both are waiting */
    send_self("one");
    k_gather(t, 2, NULL, K_GATHER_RETURN_EXCEPTIONS);
    int winners = (w[0].rc == 0 && w[0].got == 3) + (w[1].rc == 0 && w[1].got == 3);
    int timeouts = (w[0].rc == -ETIMEDOUT) + (w[1].rc == -ETIMEDOUT);
    CHECK("wait-shared", winners == 1 && timeouts == 1, "results %d/%d and %d/%d", w[0].rc,
          w[0].got, w[1].rc, w[1].got);

    /* a real cancellation ends the wait at once with -ECANCELED (well before its 5 s timeout;
     * the bound is loose because the host QEMU shares can stall it) */
    w[0] = (struct waiter){ .timeout = K_MSEC(5000) };
    t[0] = k_task_spawn("nst-wait", wait_task, &w[0], 2048);
    k_sleep_ms(20);
    t0 = k_uptime_ms();
    k_task_cancel(t[0]);
    k_join(t[0], K_FOREVER, NULL);
    dt = k_uptime_ms() - t0;
    CHECK("wait-cancel", w[0].rc == -ECANCELED && dt < 1000, "rc=%d after %u ms", w[0].rc, (unsigned)dt);

    /* A cancellation and an event in the same pass: the datagram is queued for the tcpip
     * task, then the waiter is cancelled (made ready with -ECANCELED) before the datagram
     * arrives. lwIP's poll then finds the socket readable after its cancelled wait; the
     * cancellation must still be reported, not swallowed (Ctrl-C once lost a fetch this
     * way, when its connection completed as the cancel came). */
    w[0] = (struct waiter){ .timeout = K_MSEC(5000) };
    t[0] = k_task_spawn("nst-wait", wait_task, &w[0], 2048);
    k_sleep_ms(20);                                   /* it is waiting */
    send_self("late");
    k_task_cancel(t[0]);
    k_join(t[0], K_FOREVER, NULL);
    CHECK("wait-cancel-ready", w[0].rc == -ECANCELED, "rc=%d got=%d", w[0].rc, w[0].got);
    {
        char b[16];
        (void)lwip_recv(sock, b, sizeof(b), MSG_DONTWAIT);   /* the datagram is still there */
    }

    lwip_close(sock);
    return NULL;
}

static int cmd_netselftest(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    st.passed = st.failed = 0;
    if (!net_netif()) {
        printf("netselftest: no network interface\n");
        return -1;
    }
    k_task_t *t = k_task_spawn("netselftest", netselftest_main, NULL, 4096);
    if (!t) {
        printf("netselftest: cannot spawn: %s\n", strerror(errno));
        return -1;
    }
    k_join(t, K_FOREVER, NULL);
    printf("netselftest: %d passed, %d failed\n", st.passed, st.failed);
    return st.failed ? -1 : 0;
}
K_SHELL_CMD(netselftest, "netselftest", "- check readiness waits on lwIP sockets (over loopback)", cmd_netselftest);
