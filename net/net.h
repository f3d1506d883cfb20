/*
 * net.h - bringing the network up: lwIP's tcpip task, the board's Ethernet interface,
 * DHCP with a static fallback, and the poll hook that feeds lwIP from the driver.
 */
#ifndef NET_NET_H
#define NET_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lwip/netif.h"

/* Addressing. DHCP first; when it gives no lease within dhcp_timeout_ms (or when dhcp is
 * false) the static address is used. Defaults: QEMU's user network, 10.0.2.15/24 via
 * 10.0.2.2, DNS 10.0.2.3. */
struct net_config {
    bool dhcp;
    uint32_t dhcp_timeout_ms;
    const char *ip, *netmask, *gateway, *dns;
};
extern struct net_config net_config;

/* Upper bound on a connection's retransmission timeout, ms (net/tcp_rto.c): from
 * NET_TCP_RTO_MAX_MS, set by the shell's `rto` within NET_TCP_RTO_MAX_RANGE; and the times a
 * connection's timeout was cut to it, shown by netstat and rto. */
extern uint32_t net_tcp_rto_max_ms;
extern uint32_t net_rto_capped;
#define NET_TCP_RTO_MIN_SETTABLE_MS 1000u      /* lwIP's slow timer ticks every 500 ms */
#define NET_TCP_RTO_MAX_SETTABLE_MS 600000u    /* 10 min */

/*
 * Start lwIP's tcpip task and the interface, then wait (blocking the caller) for an
 * address: DHCP, or the static fallback. Returns 0 when the interface is up with an
 * address, -ENODEV if the board has no working network device.
 */
int net_start(void);

/* The interface (NULL before net_start() succeeded). */
struct netif *net_netif(void);

/* Fill ss with the wildcard address and port (host order) of the build's families:
 * :: (AF_INET6, without IPV6_V6ONLY, so IPv4 peers come too as IPv4-mapped addresses,
 * RFC 3493 3.7) when NET_IPV6, else 0.0.0.0 (AF_INET); ss->s2_len is its length.
 * @return the family to open the socket with. */
struct sockaddr_storage;
int net_any_addr(struct sockaddr_storage *ss, uint16_t port);

/* A TCP socket listening on port of both families (net_any_addr(); SO_REUSEADDR) with the given backlog (at most lwIP's
 * accept mailbox, DEFAULT_ACCEPTMBOX_SIZE: 256, the 64 KiB board 64). Its connections
 * have TCP keep-alive on (SO_KEEPALIVE, inherited by each accepted PCB), so a peer that
 * vanishes without FIN or RST is dropped after net_keepalive_get()'s timings.
 * @return the socket, or a negative errno. Does not block. */
int net_tcp_listen(uint16_t port, int backlog);

/* Ask server for the time with SNTP (RFC 4330, lwIP's sntp app) now and every hour; each
 * answer sets the wall clock (k_wall_set, source "sntp"). server: a name or an IPv4
 * address with an optional ":port", an IPv6 address in brackets with an optional ":port"
 * ("[fec0::2]:123", as in a URL, RFC 3986 3.2.2), or a bare IPv6 address (port 123, the
 * default). NULL or "" stops it. Returns 0, -EINVAL for a bad port, a bad IPv6 address or
 * a name over 63 bytes, -EAFNOSUPPORT for an IPv6 address on an IPv4-only image. Takes
 * lwIP's core lock; does not wait for the answer. */
int net_sntp_start(const char *server);

/* The server asked ("" if none; an IPv6 address without brackets), and the wall-clock
 * seconds of the last answer (0: none). */
const char *net_sntp_server(void);
int64_t net_sntp_last(void);

/* TCP keep-alive timings (RFC 1122 4.2.3.6): after idle_s seconds with nothing received, a
 * probe every intvl_s seconds; after count unanswered probes the connection is reset and
 * its socket's next call fails with ECONNABORTED. Defaults: NET_KEEPALIVE_IDLE_S,
 * NET_KEEPALIVE_INTVL_S, NET_KEEPALIVE_COUNT. */
#define NET_KEEPALIVE_IDLE_S  120u
#define NET_KEEPALIVE_INTVL_S 10u
#define NET_KEEPALIVE_COUNT   5u
struct net_keepalive {
    unsigned idle_s, intvl_s, count;
};
void net_keepalive_get(struct net_keepalive *ka);

/* Set the keep-alive timings for connections made from now on and for every connection
 * that has keep-alive on now (their idle time counts from their last received segment).
 * idle_s and intvl_s in seconds, 1..86400; count 1..100.
 * @return 0, or -EINVAL for a value out of range. Takes lwIP's core lock; does not block
 * otherwise. */
int net_keepalive_set(unsigned idle_s, unsigned intvl_s, unsigned count);

/* ---------------------------------------------------------------------------------------
 * Admission control for servers. Every connection a server takes costs heap (its task or
 * generator stack, lwIP's PCB, netconn and mailbox: `mem` shows it), and the connections
 * already taken need some more while they move data (pbufs, segments). So a server takes a
 * new connection only while the heap keeps a reserve free, and otherwise refuses it at
 * accept time with a reset, before reading any of its data: an accepted connection is never
 * reset for want of memory, and service goes on.
 */

/* Heap bytes kept free for the connections already taken: 1/32 of the heap, at least
 * NET_CONN_RESERVE_MIN (config.h, make: 64 KiB) (x86, 126 MiB of heap: about 4 MiB; M3,
 * 16 MiB: 512 KiB), and at least NET_CONN_INFLIGHT (config.h; 0) bytes per TCP
 * connection that can move data (lwIP's active list, so not TIME_WAIT): on a board whose heap is a few of its connections' windows (the 64 KiB
 * one), what its open connections may hold in flight at once is kept free for them. */
size_t net_conn_reserve(void);

/* true if a new connection may be taken now (net_conn_reserve() bytes are free). O(1)
 * while the heap has room above its break. Does not block. */
bool net_conn_admit(void);

/* A server took connection fd (it passed net_conn_admit()): raise it from the listener's
 * lowest priority to lwIP's normal one. Connections waiting in a backlog keep the lowest,
 * so when a flood of SYNs leaves lwIP no memory for another PCB, the connection its
 * tcp_alloc() kills to make room is one of those, never one a server has taken (on a
 * heap of 50 KiB a flood's pending connections are enough to fill it). Does not block. */
void net_conn_accepted(int fd);

/* After lwip_accept() failed: true if it dropped a waiting connection for want of a socket
 * or memory (errno ENFILE or ENOMEM; lwIP closes that connection itself), which a server
 * counts as refused; false for anything else (EWOULDBLOCK, a closed listener). */
bool net_accept_refused(void);

/* Refuse an accepted socket: close it with a reset (SO_LINGER 0; RFC 9293 3.10.7.1 calls it
 * an abort), so the peer learns at once and nothing it sent is taken as served. */
void net_conn_refuse(int fd);

/* The socket table (net/socktab.c): lwip_socket(), lwip_accept() and lwip_close() are
 * wrapped so that it never fills, since Debian's lwIP panics (lwip_accept) or hands out a
 * bad descriptor (lwip_socket) when it does. Past the limit, socket() fails with ENFILE
 * and accept() closes the waiting connection and fails with ENFILE (net_accept_refused()). */
struct net_socket_stats {
    unsigned taken;       /* sockets handed out and not closed */
    unsigned inflight;    /* calls inside lwip_socket() or lwip_accept() (one entry each) */
    unsigned limit;       /* 0: the table's size; else at most this many (net_socket_limit) */
    unsigned table;       /* entries in lwIP's table: NET_MAX_SOCKETS (board.mk, make) */
    uint32_t refused;     /* socket() and accept() calls refused for want of an entry */
};
const struct net_socket_stats *net_socket_stats(void);

/* Cap the socket table at n entries (0: no cap, the whole table), as a board with a smaller
 * table would be; sockets taken already stay. Does not block.
 * @return 0, or -EINVAL if n is larger than the table. */
int net_socket_limit(unsigned n);

/* ---------------------------------------------------------------------------------------
 * Constant-time demultiplexing of incoming TCP segments to the connections of listening
 * sockets (net/tcp_demux.c), for servers with thousands of connections.
 */
struct tcp_demux_stats {
    uint32_t tracked;     /* connections in the tables now */
    uint32_t moves;       /* segments whose connection was moved to the front of the list */
    uint32_t repairs;     /* of those, how many needed a walk to find the predecessor */
};

/* Track the connections that listening socket listen_fd accepts from now on. Called by
 * net_tcp_listen(). @return 0, or -EINVAL (not a listening TCP socket, or no ext-arg id
 * left in lwIP: LWIP_TCP_PCB_NUM_EXT_ARGS). Does not block (takes the core lock). */
int tcp_demux_attach(int listen_fd);
const struct tcp_demux_stats *tcp_demux_stats(void);

/* ---------------------------------------------------------------------------------------
 * lwIP's heap (net/mem.c): malloc with a cache of freed blocks, per size.
 */
/* NET_MEM_CACHE_MAX (config.h, make): bytes of freed blocks kept, at most (4 MiB, and never
 * more than 1/32 of the heap; 0: no cache, lwIP's blocks go straight back to malloc, as on
 * the 64 KiB board) */

struct net_mem_stats {
    uint32_t cached;      /* bytes on the free lists now */
    uint32_t hits;        /* allocations served from them */
    uint32_t misses;      /* allocations that went to malloc */
    uint32_t flushes;     /* times the lists were given back to malloc */
};

/* lwIP's mem_clib_malloc/calloc/free (lwipopts.h). malloc semantics: NULL when the heap
 * is exhausted even after the cache was given back; blocks are 4-byte aligned
 * (MEM_ALIGNMENT). Do not block. */
void *net_mem_malloc(size_t n);
void *net_mem_calloc(size_t count, size_t size);
void net_mem_free(void *p);

/* Give every cached block back to malloc. */
void net_mem_flush(void);

/* From the poll hook: flush after a second of fewer than 64 allocations and frees. */
void net_mem_idle(uint64_t now_ms);

/* Show the cache in `mem` (k_heap_register_cache). Called by net_start(). */
void net_mem_init(void);
const struct net_mem_stats *net_mem_stats(void);

/* How the address was obtained: "dhcp", "static", or "none". */
const char *net_addr_source(void);

/* ---------------------------------------------------------------------------------------
 * Readiness waits on lwIP sockets (the selectors of the seeds' event loops). These are
 * cancellation points (k_task_cancel), unlike lwIP's own blocking calls.
 */
struct pollfd;

/*
 * Wait until one of fds[0..n) is ready for its .events (POLLIN, POLLOUT), as lwip_poll()
 * does, filling .revents. An error or hang-up on a socket counts as ready (read it to
 * learn which). A cancellation that comes in the same pass as an event is reported as
 * -ECANCELED (the events stay: poll is level-triggered), never lost.
 * @return the number of ready entries (> 0); -EAGAIN (K_NO_WAIT and none);
 * -ETIMEDOUT; -ECANCELED; -EBADF (no valid socket in fds); -EINVAL.
 */
int net_wait_fds(struct pollfd *fds, int n, k_timeout_t timeout);

/* One socket: wait until fd is readable (data, a connection to accept, EOF or an error) /
 * writable. @return 0, -EAGAIN, -ETIMEDOUT, -ECANCELED, -EBADF. */
int net_wait_readable(int fd, k_timeout_t timeout);
int net_wait_writable(int fd, k_timeout_t timeout);


/* ---------------------------------------------------------------------------------------
 * What the network holds now, for status pages (net/info.c). Both take lwIP's core lock
 * for the copy and do not block otherwise.
 */
struct net_pool_info {
    const char *name;      /* lwIP's pool name ("TCP_PCB", "PBUF_POOL", ...) */
    uint32_t size;         /* bytes per element */
    uint32_t used, max;    /* elements in use now, most ever */
    uint32_t avail;        /* elements the pool may hold (MEMP_NUM_*) */
    uint32_t err;          /* allocations that failed */
};

/* Fill out[0..max) with lwIP's pools. @return how many there are (may exceed max). */
unsigned net_pool_info(struct net_pool_info *out, unsigned max);

/* Longest endpoint text, NUL included: "[IPv6 address]:port" (IPv4: "a.b.c.d:port"). */
#define NET_ENDPOINT_STRLEN (LWIP_IPV6 ? 48 : 22)

/* Write "a.b.c.d:port" or "[IPv6 address]:port" (RFC 3986 3.2.2's brackets) into out
 * (size bytes, NUL-terminated, cut if short). A dual-stack listener's address ("any of
 * both families") is written "[::]". */
void net_endpoint_str(char *out, size_t size, const ip_addr_t *ip, uint16_t port);

/* An address as text into out (size bytes): IPv4 dotted, IPv6 in RFC 5952's lower case.
 * @return out. */
char *net_addr_str(const ip_addr_t *ip, char *out, size_t size);

struct net_tcp_endpoint {
    char local[NET_ENDPOINT_STRLEN], remote[NET_ENDPOINT_STRLEN];
    const char *state;            /* "LISTEN", "ESTABLISHED", "TIME_WAIT", ... */
};

/* The interface's IPv4 addresses as text ("" where there is no interface): address,
 * netmask, gateway (16 bytes each), and the first DNS server, of either family
 * (NET_IP6_STRLEN bytes). */
#define NET_IP6_STRLEN 46      /* longest address text, NUL included (INET6_ADDRSTRLEN) */
void net_netif_addrs(char ip[16], char mask[16], char gw[16], char dns[NET_IP6_STRLEN]);

/* IPv6 (NET_IPV6 builds; the IPv4-only ones report none). */
struct net_ip6_info {
    char addr[NET_IP6_STRLEN];
    const char *scope;         /* "link" (fe80::/10) or "global" */
    const char *state;         /* RFC 4862 5.5.4: "tentative" (duplicate address detection
                                * still running), "preferred", "deprecated", "duplicated" */
    uint32_t valid_s, preferred_s;  /* lifetimes left, s; 0 = infinite (link-local, static) */
};

/* Copy the interface's IPv6 addresses (not the unused slots) into out[0..max).
 * @return how many were copied. Takes lwIP's core lock; does not block otherwise. */
unsigned net_netif_ip6(struct net_ip6_info *out, unsigned max);

/* Whether the interface has a preferred IPv6 address of more than link scope (from SLAAC
 * or static), i.e. IPv6 destinations beyond the link can be reached: the HTTP client then
 * looks names up as AAAA first. Takes lwIP's core lock. */
bool net_ip6_global_ready(void);

/* The name of lwIP's address state (IP6_ADDR_TENTATIVE...), as in net_ip6_info.state. */
const char *net_ip6_state_name(uint8_t state);

/* The first default router learned from router advertisements (RFC 4861 6.3.4): its
 * link-local address into addr and the seconds its advertisement has left.
 * @return false if there is none (or no IPv6). */
bool net_ip6_router(char addr[NET_IP6_STRLEN], uint32_t *lifetime_s);

/* The DNS servers lwIP asks, in order (either family; unset ones skipped), as text.
 * @return how many were copied. */
unsigned net_dns_servers(char out[][NET_IP6_STRLEN], unsigned max);

/* Copy up to max TCP endpoints (listeners, then connections, then TIME_WAIT) into out.
 * @return how many there are in all (may exceed max). */
unsigned net_tcp_endpoints(struct net_tcp_endpoint *out, unsigned max);

/* ---------------------------------------------------------------------------------------
 * The connection table of an event-loop server (the selector echo server, the HTTP
 * server): items[0..n) of item_size bytes, one per connection, and pfd[0..cap] for
 * net_wait_fds() (one entry more, for the listener). No fixed size: it doubles when full
 * and halves at a quarter full, so a burst of connections gives its memory back.
 */
struct net_conn_table {
    void *items;
    struct pollfd *pfd;
    unsigned n, cap;
    size_t item_size;
};

/* Room for one more item (n < cap), doubling (16 the first time) if needed.
 * @return true, or false if the heap has no room (the table is unchanged). */
bool net_table_reserve(struct net_conn_table *t);

/* Halve the tables while n < cap / 4 (not below 16), into new blocks: newlib's in-place
 * shrink leaves the freed tail counted as used. Keeps the larger tables if malloc fails. */
void net_table_shrink(struct net_conn_table *t);

/* Item i (i < cap). */
static inline void *net_table_item(const struct net_conn_table *t, unsigned i)
{
    return (char *)t->items + (size_t)i * t->item_size;
}
#endif
