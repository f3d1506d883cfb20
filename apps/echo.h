/* echo.h - TCP and UDP echo servers (RFC 862) on port 7. */
#ifndef APPS_ECHO_H
#define APPS_ECHO_H
#include <stdint.h>

#define ECHO_PORT 7
#define ECHO_MAX_CONN 32        /* connections served at once */
/* More wait in lwIP's listen queue. Each of them already holds a netconn from lwIP's pool
 * (MEMP_NUM_NETCONN, 64): slots + backlog + the other servers' sockets must fit in it, or
 * lwIP resets the connections it cannot give a netconn. */
#define ECHO_BACKLOG 16
#define ECHO_BUF 1024           /* bytes, on the connection task's stack */
#define ECHO_STACK 3072         /* bytes per connection task */

struct echo_stats {
    uint32_t tcp_accepted, tcp_active, tcp_refused, tcp_errors, tcp_bytes;
    uint32_t udp_datagrams, udp_errors;
};

/* Start the servers (two tasks). Returns 0 or -ENOMEM. */
int echo_start(void);
const struct echo_stats *echo_stats(void);
#endif
