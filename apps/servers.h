/* servers.h - the chat server (port 8000) and the selector-style echo server (port
 * 55555) of the seeds. */
#ifndef APPS_SERVERS_H
#define APPS_SERVERS_H
#include <stdint.h>

#define CHAT_PORT 8000
#define CHAT_MAX_CLIENTS 8
#define SELECT_PORT 55555
#define SELECT_MAX_CONN 16

struct chat_stats { uint32_t accepted, clients, refused, lines, dropped_slow; };
struct select_stats { uint32_t accepted, active, wakeups; };

int servers_start(void);
const struct chat_stats *chat_stats(void);
const struct select_stats *select_stats(void);
#endif
