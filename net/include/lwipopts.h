/*
 * lwipopts.h - lwIP configuration: NO_SYS=0 on the kernel's tasks, sockets with poll() and
 * select(), core locking, DHCP and DNS. Sizes come from the board (NET_* in board.mk) with
 * the defaults below.
 */
#ifndef NET_LWIPOPTS_H
#define NET_LWIPOPTS_H

/* --- system ---------------------------------------------------------------------------- */
#define NO_SYS                          0
#define SYS_LIGHTWEIGHT_PROT            0   /* cooperative tasks, no lwIP calls from ISRs */
#define LWIP_TCPIP_CORE_LOCKING         1
#define LWIP_TCPIP_CORE_LOCKING_INPUT   0   /* the poll loop posts frames to the tcpip task */
#define TCPIP_THREAD_NAME               "tcpip"
/* lwIP checks, in its core functions, that the caller holds the core lock (net/sys_arch.c:
 * the tcpip task, or a task inside LOCK_TCPIP_CORE()); a violation panics, naming the task. */
void sys_check_core_locking(void);
void sys_mark_tcpip_thread(void);
#define LWIP_ASSERT_CORE_LOCKED()       sys_check_core_locking()
#define LWIP_MARK_TCPIP_THREAD()        sys_mark_tcpip_thread()
#define TCPIP_THREAD_STACKSIZE          NET_TCPIP_STACK      /* config.h (make): 8192 bytes */
#define TCPIP_MBOX_SIZE                 (8 * NET_MBOX_SIZE)  /* frames and API messages queued */
/* Received frames queued for the tcpip task at most (net.c, netdrv_rx_room()): past this
 * they wait in the NIC. The mailbox less 16 places for API messages, or NET_RX_QUEUE_MAX
 * (config.h, make) if smaller: each queued frame is a pbuf on the heap, and on the 64 KiB
 * board 112 of them would be all of it. */
#define NET_RX_QUEUE (NET_RX_QUEUE_MAX && NET_RX_QUEUE_MAX < TCPIP_MBOX_SIZE - 16 ? NET_RX_QUEUE_MAX : TCPIP_MBOX_SIZE - 16)
#define DEFAULT_THREAD_STACKSIZE        4096
/* Mailboxes start at 4 messages and grow to these sizes as needed (net/sys_arch.c). A TCP
 * receive mailbox must hold a whole window of segments: when it is full lwIP keeps the
 * segment as "refused data" and drops the ones after it, which the peer must resend.
 * NET_MBOX_SIZE (config.h, make) is 64 but on small boards. */
#define DEFAULT_TCP_RECVMBOX_SIZE       NET_MBOX_SIZE
#define DEFAULT_UDP_RECVMBOX_SIZE       (NET_MBOX_SIZE / 2)
#define DEFAULT_RAW_RECVMBOX_SIZE       8
#define DEFAULT_ACCEPTMBOX_SIZE         (4 * NET_MBOX_SIZE)  /* >= the largest listen backlog */
#define LWIP_NETCONN_SEM_PER_THREAD     0
#define LWIP_MPU_COMPATIBLE             0

/* --- memory ----------------------------------------------------------------------------
 * Everything lwIP allocates (PCBs, netconns, pbufs, segments, mailboxes) comes from the
 * kernel's heap (MEM_LIBC_MALLOC, MEMP_MEM_MALLOC), so the number of connections grows with
 * the board's RAM instead of being fixed by pool sizes; `mem` shows all of it. The MEMP_NUM_*
 * counts below then limit nothing (lwIP sets a pool's "avail", which netstat and /api/net
 * show, only for real pools: it reads 0 here), except MEMP_NUM_NETCONN, which
 * sizes lwIP's socket table (the one static array, NET_MAX_SOCKETS from board.mk, about
 * 16 bytes a socket; newlib's FD_SETSIZE is raised to match on the command line). The
 * applications refuse new connections before the heap runs out (net_conn_admit()). */
/* What lwIP aligns its blocks and pbuf payloads to: a pointer's size (its structures hold
 * pointers), 8 on the LP64 board, 4 on the 32-bit ones. A constant of the preprocessor:
 * lwIP tests it with #if. net/mem.c keeps the blocks it hands out so aligned. */
#define MEM_ALIGNMENT                   __SIZEOF_POINTER__
#define MEM_LIBC_MALLOC                 1
#include <stddef.h>
void *net_mem_malloc(size_t n);                 /* net/mem.c: malloc with a cache of */
void *net_mem_calloc(size_t count, size_t size); /* freed blocks per size */
void net_mem_free(void *p);
#define mem_clib_malloc                 net_mem_malloc
#define mem_clib_calloc                 net_mem_calloc
#define mem_clib_free                   net_mem_free
#define MEMP_MEM_MALLOC                 1
#define MEM_SIZE                        (1024 * 1024)   /* unused with MEM_LIBC_MALLOC, but
                                                         * > 64 KiB makes mem_size_t 32-bit */
#ifndef NET_PBUF_POOL_SIZE
#define NET_PBUF_POOL_SIZE              128
#endif
#define PBUF_POOL_SIZE                  NET_PBUF_POOL_SIZE
#define PBUF_POOL_BUFSIZE               1536
#define MEMP_NUM_PBUF                   64
#define MEMP_NUM_UDP_PCB                8
#ifndef NET_MAX_SOCKETS
#define NET_MAX_SOCKETS                 64
#endif
#define MEMP_NUM_TCP_PCB                NET_MAX_SOCKETS
#define MEMP_NUM_TCP_PCB_LISTEN         8
#define MEMP_NUM_TCP_SEG                256
#define MEMP_NUM_NETBUF                 32
#define MEMP_NUM_NETCONN                NET_MAX_SOCKETS  /* lwIP's socket table */
#define MEMP_NUM_TCPIP_MSG_API          32
#define MEMP_NUM_TCPIP_MSG_INPKT        TCPIP_MBOX_SIZE
#define MEMP_NUM_SYS_TIMEOUT            (LWIP_NUM_SYS_TIMEOUT_INTERNAL + 4)
#define MEMP_OVERFLOW_CHECK             0

/* --- protocols --------------------------------------------------------------------------- */
#define LWIP_IPV4                       1
/* IPv6 beside IPv4 (NET_IPV6 in config.h, make; 0 on the 64 KiB board). The interface
 * forms its link-local address (RFC 4862 5.3), joins the all-nodes and solicited-node
 * groups (MLDv2, RFC 3810), solicits a router and forms a global address from each
 * prefix the router advertises (SLAAC, RFC 4862 5.5), takes DNS servers from the router's
 * RDNSS option (RFC 8106) and from stateless DHCPv6 (RFC 8415 6.1) when the router sets
 * its O flag. Sockets of AF_INET6 bound to :: take IPv4 too (IPv4-mapped addresses,
 * RFC 4291 2.5.5.2), which is how the servers listen on both families with one socket. */
#define LWIP_IPV6                       NET_IPV6
#if LWIP_IPV6
#define LWIP_IPV6_AUTOCONFIG            1
#define LWIP_IPV6_SEND_ROUTER_SOLICIT   1
#define LWIP_IPV6_MLD                   1
#define LWIP_IPV6_DUP_DETECT_ATTEMPTS   1
#define LWIP_ND6_RDNSS_MAX_DNS_SERVERS  DNS_MAX_SERVERS
#define LWIP_IPV6_DHCP6                 1
#define LWIP_IPV6_DHCP6_STATELESS       1
#define LWIP_IPV6_NUM_ADDRESSES         3     /* link-local and two global ones */
/* Fragment reassembly keeps its bookkeeping (two pointers) in the 8-byte fragment header
 * where that fits; 64-bit pointers do not (ip6_frag.c asserts it), so there it copies. */
#if defined(__LP64__)
#define IPV6_FRAG_COPYHEADER            1
#endif
#define MEMP_NUM_MLD6_GROUP             4
#endif
#define LWIP_ARP                        1
#define ARP_QUEUEING                    1   /* keep every packet sent while ARP resolves */
#define LWIP_ETHERNET                   1
#define LWIP_ICMP                       1
#define LWIP_RAW                        0
#define LWIP_UDP                        1
#define LWIP_TCP                        1
#define LWIP_DHCP                       1
/* After the ACK, lwIP's check that nobody else holds the leased address (two ARP probes,
 * the first ending on the next tick of its 500 ms fine timer, the second a tick later:
 * 0.5-1.0 s before the address is used) is off unless
 * NET_DHCP_ARP_CHECK=1. RFC 2131 section 2.2 makes it a SHOULD; on QEMU's user network the
 * server is QEMU's own and the guest the only client, and there it was the larger half of
 * the time from the lease to the first echo. Zephyr's DHCPv4 likewise leaves address
 * conflict detection off by default. A board on a shared LAN may turn it on. */
#define DHCP_DOES_ARP_CHECK             NET_DHCP_ARP_CHECK
#define LWIP_AUTOIP                     0
#define LWIP_DNS                        1
/* Servers: the DHCP or static one, and those of IPv6's RDNSS or DHCPv6 (which write from
 * index 0 on, so an IPv6 network's resolver comes first once a router advertises it) */
#define DNS_MAX_SERVERS                 2
#define LWIP_IGMP                       0
#define IP_REASSEMBLY                   1
#define IP_FRAG                         1
#define TCP_MSS                         NET_TCP_MSS   /* config.h (make): 1460 */
/* Windows cost nothing while a connection is idle (pbufs are taken as data arrives), so
 * they are as large as lwIP allows without window scaling (NET_TCP_WND_SEGMENTS, 44, from
 * the build's config.h); boards may set fewer (board.mk) */
#define TCP_WND                         (NET_TCP_WND_SEGMENTS * TCP_MSS)
/* NET_TCP_SND_SEGMENTS (config.h, make): 44 segments, 64,240 bytes, the most without
 * window scaling; small boards set fewer */
#define TCP_SND_BUF                     (NET_TCP_SND_SEGMENTS * TCP_MSS)
#define TCP_SND_QUEUELEN                (4 * TCP_SND_BUF / TCP_MSS)
/* TIME_WAIT lasts 2 * TCP_MSL. RFC 9293 3.4.2 leaves MSL an engineering choice (2 min is
 * its example); with PCBs on the heap, every TIME_WAIT connection holds ~250 bytes for
 * that long, so we keep it short, like Zephyr (1.5 s TIME_WAIT by default): 2 * 2 s. */
#define TCP_MSL                         2000UL
#define TCP_LISTEN_BACKLOG              1
#define TCP_DEFAULT_LISTEN_BACKLOG      16
#define LWIP_TCP_KEEPALIVE              1
/* Keep-alive timings (RFC 1122 4.2.3.6) come from variables (net/net.c) that the shell's
 * `keepalive` sets: lwIP copies them into each PCB it allocates. Only connections with
 * SO_KEEPALIVE probe: those of every listening socket net_tcp_listen() opens. */
extern unsigned net_keepalive_idle_ms, net_keepalive_intvl_ms, net_keepalive_count;
#define TCP_KEEPIDLE_DEFAULT            net_keepalive_idle_ms
#define TCP_KEEPINTVL_DEFAULT           net_keepalive_intvl_ms
#define TCP_KEEPCNT_DEFAULT             net_keepalive_count
#define LWIP_TCP_PCB_NUM_EXT_ARGS       1    /* net/tcp_demux.c */
#define SO_REUSE                        1
#define LWIP_NETIF_LINK_CALLBACK        1
#define LWIP_NETIF_STATUS_CALLBACK      1
/* Datagrams and segments to the interface's own address are looped back inside lwIP (no
 * frame on the wire): `netselftest` talks to itself this way, and so can applications. */
#define LWIP_NETIF_LOOPBACK             1
#define LWIP_LOOPBACK_MAX_PBUFS         16
#define LWIP_NETIF_HOSTNAME             1
#define LWIP_CHKSUM_ALGORITHM           3

/* --- sockets ------------------------------------------------------------------------------- */
#define LWIP_NETCONN                    1
#define LWIP_SOCKET                     1
#define LWIP_SOCKET_SELECT              0   /* poll() only: an fd_set of
                                                     * NET_MAX_SOCKETS bits is too big for a stack */
#define LWIP_SOCKET_POLL                1
#define LWIP_COMPAT_SOCKETS             0   /* we call lwip_socket() & co. by name */
#define LWIP_POSIX_SOCKETS_IO_NAMES     0
#define LWIP_TIMEVAL_PRIVATE            0   /* newlib's struct timeval */
#define LWIP_SO_RCVTIMEO                1
#define LWIP_SO_SNDTIMEO                1
#define LWIP_SO_RCVBUF                  0
#define LWIP_SO_LINGER                  1
#define LWIP_DNS_API_DECLARE_STRUCTS    1
/* Multicast groups joined through setsockopt (IP_ADD_MEMBERSHIP, IPV6_JOIN_GROUP), for all
 * sockets together. lwIP's default is one per socket: with MLD that was a static table of
 * 28 bytes x NET_MAX_SOCKETS (896 KiB on qemu-x86, 112 KiB on the MPS2 boards), walked
 * whole by every lwip_close() to drop the closing socket's groups. No server here joins a
 * group (the stack's own ND and MLD groups are not in it); an application that does gets
 * ENOMEM past this many. */
#define LWIP_SOCKET_MAX_MEMBERSHIPS     8

/* --- statistics and debugging ---------------------------------------------------------------- */
#define LWIP_STATS                      1
#define LWIP_STATS_DISPLAY              0
#define MEM_STATS                       1
#define MEMP_STATS                      1
#define LINK_STATS                      1
#define LWIP_DEBUG                      0

/* SNTP (lwIP's sntp app, RFC 4330) sets the kernel's wall clock (k_wall_set) for TLS's
 * certificate dates: `sntp SERVER[:PORT]` in the shell, or `make NET_SNTP=SERVER`. The port
 * is a variable so that tests can run a server on an unprivileged one. */
extern unsigned short net_sntp_port;
void net_sntp_set_time(unsigned long epoch_s);
#define SNTP_SERVER_DNS                 1
#define SNTP_PORT                       net_sntp_port
#define SNTP_CHECK_RESPONSE             1    /* the answer comes from the server asked */
#define SNTP_SET_SYSTEM_TIME(sec)       net_sntp_set_time(sec)

#endif
