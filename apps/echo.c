/*
 * echo.c - echo servers on port 7 (RFC 862), in the shape of the seeds' blocking echo
 * server: one task accepts, one task per connection does recv() then send() until EOF.
 * At most ECHO_MAX_CONN connections are served at once; the acceptor takes a slot before
 * accept(), so further clients wait in lwIP's listen backlog (and past it are refused)
 * while the others are served, and are taken as soon as a connection ends.
 * UDP: one task returns every datagram to its sender.
 */
#include <stdio.h>
#include <string.h>

#include "lwip/sockets.h"

#include "echo.h"
#include "k.h"
#include "net.h"

static k_sem_t slots;
static struct echo_stats stats;

const struct echo_stats *echo_stats(void) { return &stats; }

static void *echo_conn(void *arg)
{
    int s = (int)(intptr_t)arg;
    char buf[ECHO_BUF];

    for (;;) {
        ssize_t n = lwip_recv(s, buf, sizeof(buf), 0);
        if (n <= 0) {
            if (n < 0)
                stats.tcp_errors++;
            break;
        }
        stats.tcp_bytes += (uint32_t)n;
        for (ssize_t off = 0; off < n;) {
            ssize_t w = lwip_send(s, buf + off, (size_t)(n - off), 0);
            if (w <= 0) {
                stats.tcp_errors++;
                goto done;
            }
            off += w;
        }
    }
done:
    lwip_close(s);
    stats.tcp_active--;
    k_sem_give(&slots);
    return NULL;
}

static void *echo_tcp_server(void *arg)
{
    int ls = net_tcp_listen(ECHO_PORT, ECHO_BACKLOG);
    (void)arg;

    if (ls < 0) {
        printf("echo: cannot listen on TCP port %d: %s\n", ECHO_PORT, strerror(-ls));
        return NULL;
    }
    for (;;) {
        k_sem_take(&slots, K_FOREVER);
        int s = lwip_accept(ls, NULL, NULL);
        if (s < 0) {
            stats.tcp_errors++;
            k_sem_give(&slots);
            k_sleep_ms(10);     /* out of sockets: let connections finish */
            continue;
        }
        k_task_t *t = k_task_spawn("echo-conn", echo_conn, (void *)(intptr_t)s, ECHO_STACK);
        if (!t) {
            stats.tcp_refused++;        /* out of memory: refuse this one, keep serving */
            lwip_close(s);
            k_sem_give(&slots);
            continue;
        }
        k_task_detach(t);
        stats.tcp_accepted++;
        stats.tcp_active++;
    }
}

static void *echo_udp_server(void *arg)
{
    static char buf[1500];
    struct sockaddr_in addr = { .sin_len = sizeof(addr), .sin_family = AF_INET,
                                .sin_port = lwip_htons(ECHO_PORT) };
    int s = lwip_socket(AF_INET, SOCK_DGRAM, 0);
    (void)arg;

    if (s < 0 || lwip_bind(s, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
        printf("echo: cannot bind UDP port %d: %s\n", ECHO_PORT, strerror(errno));
        return NULL;
    }
    for (;;) {
        struct sockaddr_in from;
        socklen_t fromlen = sizeof(from);
        ssize_t n = lwip_recvfrom(s, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fromlen);
        if (n < 0) {
            stats.udp_errors++;
            continue;
        }
        stats.udp_datagrams++;
        if (lwip_sendto(s, buf, (size_t)n, 0, (struct sockaddr *)&from, fromlen) != n)
            stats.udp_errors++;
    }
}

int echo_start(void)
{
    k_task_t *t, *u;
    k_sem_init(&slots, ECHO_MAX_CONN, ECHO_MAX_CONN);
    t = k_task_spawn("echo-tcp", echo_tcp_server, NULL, 4096);
    u = k_task_spawn("echo-udp", echo_udp_server, NULL, 4096);
    if (t)
        k_task_detach(t);
    if (u)
        k_task_detach(u);
    return t && u ? 0 : -ENOMEM;
}
