/* echo.h - TCP and UDP echo servers (RFC 862) on port ECHO_PORT (7; the port numbers of
 * every server come from the build's config.h: make variables, see the Makefile). */
#ifndef APPS_ECHO_H
#define APPS_ECHO_H
#include <stdint.h>

#include "k.h"

/* Listen backlog: connections lwIP completes before the acceptor takes them. The acceptor
 * takes them as fast as they come, so this absorbs bursts of SYNs (a client opening
 * thousands at once); past it lwIP drops SYNs and the client retries. */
#define ECHO_BACKLOG 255
#define ECHO_BUF 768            /* bytes, on the connection task's stack */
/* bytes per connection task: the buffer plus the deepest path, a send that runs
 * tcp_output() down to the driver under the core lock (peak measured with `ps`: see
 * docs/design.md, "Memory per connection"). 768 and 2,304, down from 1,024 and 2,560,
 * took qemu-x86 at -m 128M from 39,206 connections to 42,606 (make bench-net
 * BENCH_CEILING=only); a recv() still takes a full 1,460-byte segment in two calls. */
#define ECHO_STACK K_STACK(2304)

struct echo_stats {
    uint32_t tcp_accepted, tcp_active, tcp_refused, tcp_errors, tcp_bytes;
    uint32_t tcp_peak;          /* most connections served at once */
    uint32_t udp_datagrams, udp_errors;
};

/* Start the servers (two tasks). Returns 0 or -ENOMEM. */
int echo_start(void);
const struct echo_stats *echo_stats(void);
#endif
