/*
 * echo.c - echo servers on port 7 (RFC 862), in the shape of the seeds' blocking echo
 * server: one task accepts, one task per connection does recv() then send() until EOF.
 * There is no fixed limit: the acceptor takes every connection while the heap keeps its
 * reserve (net_conn_admit()), and refuses the others with a reset (counted as refused).
 * UDP: one task returns every datagram to its sender.
 */
#include <stdio.h>
#include <string.h>

#include "lwip/sockets.h"

#include "echo.h"
#include "k.h"
#include "net.h"

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
        int s = lwip_accept(ls, NULL, NULL);
        if (s < 0) {
            if (net_accept_refused())
                stats.tcp_refused++;    /* no socket: lwIP dropped it, we count it */
            else
                stats.tcp_errors++;
            k_sleep_ms(10);     /* lwIP could not make a socket: let others run first */
            continue;
        }
        k_task_t *t = net_conn_admit()
                          ? k_task_spawn("echo-conn", echo_conn, (void *)(intptr_t)s, ECHO_STACK)
                          : NULL;
        if (!t) {
            stats.tcp_refused++;        /* out of memory: refuse this one, keep serving */
            net_conn_refuse(s);
            continue;
        }
        net_conn_accepted(s);
        k_task_detach(t);
        stats.tcp_accepted++;
        if (++stats.tcp_active > stats.tcp_peak)
            stats.tcp_peak = stats.tcp_active;
    }
}

static void *echo_udp_server(void *arg)
{
    static char buf[1500];
    struct sockaddr_storage addr;
    int s = lwip_socket(net_any_addr(&addr, ECHO_PORT), SOCK_DGRAM, 0);   /* both families */
    (void)arg;

    if (s < 0 || lwip_bind(s, (struct sockaddr *)&addr, addr.s2_len) < 0) {
        printf("echo: cannot bind UDP port %d: %s\n", ECHO_PORT, strerror(errno));
        if (s >= 0)
            lwip_close(s);                       /* no socket left behind */
        return NULL;
    }
    for (;;) {
        struct sockaddr_storage from;      /* IPv6, or IPv4-mapped IPv6 */
        socklen_t fromlen = sizeof(from);
        ssize_t n = lwip_recvfrom(s, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fromlen);
        if (n < 0) {
            stats.udp_errors++;
            k_yield();          /* a lasting error must not starve the other tasks */
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
    t = k_task_spawn("echo-tcp", echo_tcp_server, NULL, SERVER_STACK);
    u = k_task_spawn("echo-udp", echo_udp_server, NULL, SERVER_STACK);
    if (t)
        k_task_detach(t);
    if (u)
        k_task_detach(u);
    return t && u ? 0 : -ENOMEM;
}
