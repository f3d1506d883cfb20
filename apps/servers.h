/* servers.h - the chat server (CHAT_PORT, 8000) and the selector-style echo server
 * (SELECT_PORT, 55555) of the seeds; the ports come from the build's config.h. */
#ifndef APPS_SERVERS_H
#define APPS_SERVERS_H
#include <stdint.h>

#include "k.h"

/* Neither server has a fixed connection limit: they take connections while the heap keeps
 * its reserve (net_conn_admit()) and refuse the others with a reset, counted as refused. */
/* CHAT_QUEUE (config.h, make; 16): lines queued for a client; when full, the sender waits.
 * CHAT_STACK (config.h; 2048): bytes of stack of each client's reader and writer task. */
#define CHAT_SLOW K_MSEC(5000)  /* a queue full this long: the client does not read, drop it */
#define SELECT_BACKLOG 255      /* completed connections lwIP holds until the loop takes them */
#define SELECT_BUF 256          /* bytes of a connection's buffer, on its generator's stack */
/* bytes of stack per connection generator: the buffer and a send that runs tcp_output() to
 * the driver (the peak is in `servers`: stack_peak) */
#define SELECT_STACK K_STACK(1472)

struct chat_stats { uint32_t accepted, clients, refused, lines, dropped_slow; };
struct select_stats {
    uint32_t accepted, active, peak, refused, wakeups;
    uint32_t stack_peak;        /* most stack bytes a finished connection's generator used */
};

int servers_start(void);
const struct chat_stats *chat_stats(void);
const struct select_stats *select_stats(void);
#endif
