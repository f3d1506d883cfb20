/* cmds.c - network shell commands: ifconfig, netstat, keepalive, sntp. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lwip/dns.h"
#include "lwip/memp.h"
#include "lwip/priv/memp_priv.h"
#include "lwip/priv/tcp_priv.h"
#include "lwip/sockets.h"
#include "lwip/stats.h"
#include "lwip/tcpip.h"
#include "lwip/udp.h"

#include "k.h"
#include "net.h"
#include "net/netdrv.h"

static void print_lifetime(const char *what, uint32_t s)
{
    if (s == 0)
        return;                             /* static: no lifetime */
    if (s == 0xffffffffu)
        printf("  %s forever", what);
    else
        printf("  %s %lu s", what, (unsigned long)s);
}

/* inet6 lines (address, scope, state, lifetimes), the router, the DNS servers */
static void print_ip6(void)
{
    struct net_ip6_info a[LWIP_IPV6 ? LWIP_IPV6_NUM_ADDRESSES : 1];
    char router[NET_IP6_STRLEN], dns[DNS_MAX_SERVERS][NET_IP6_STRLEN];
    uint32_t life;
    unsigned n = net_netif_ip6(a, sizeof(a) / sizeof(a[0]));
    for (unsigned i = 0; i < n; i++) {
        printf("  inet6 %s/64  %s  %s", a[i].addr, a[i].scope, a[i].state);
        print_lifetime("valid", a[i].valid_s);
        print_lifetime("preferred", a[i].preferred_s);
        printf("\n");
    }
    if (LWIP_IPV6) {
        if (net_ip6_router(router, &life))
            printf("  router6 %s  lifetime %lu s\n", router, (unsigned long)life);
        else
            printf("  router6 none (no router advertisement yet)\n");
    }
    n = net_dns_servers(dns, DNS_MAX_SERVERS);
    printf("  dns");
    for (unsigned i = 0; i < n; i++)
        printf(" %s", dns[i]);
    printf("%s\n", n ? "" : " none");
}

static int cmd_ifconfig(int argc, char **argv)
{
    struct netif *n = net_netif();
    const struct netdrv_stats *s;
    char ip[16], mask[16], gw[16], dns[NET_IP6_STRLEN];
    (void)argc;
    (void)argv;
    if (!n) {
        printf("no network interface\n");
        return -1;
    }
    netdrv_stats_collect();
    s = netdrv_stats();
    net_netif_addrs(ip, mask, gw, dns);
    printf("%c%c%u: %s  link %s  mtu %u  hwaddr %02x:%02x:%02x:%02x:%02x:%02x\n", n->name[0],
           n->name[1], n->num, netdrv_name(), netdrv_link_up() ? "up" : "down", n->mtu,
           n->hwaddr[0], n->hwaddr[1], n->hwaddr[2], n->hwaddr[3], n->hwaddr[4], n->hwaddr[5]);
    printf("  inet %s  netmask %s  gateway %s  (%s)\n", ip, mask, gw, net_addr_source());
    print_ip6();
    printf("  rx frames=%u bytes=%u dropped_nomem=%u dropped_toobig=%u dropped_fifo=%u errors=%u\n",
           (unsigned)s->rx_frames, (unsigned)s->rx_bytes, (unsigned)s->rx_dropped_nomem,
           (unsigned)s->rx_dropped_toobig, (unsigned)s->rx_dropped_fifo, (unsigned)s->rx_errors);
    printf("  tx frames=%u bytes=%u dropped=%u  irqs=%u  rx waiting=%u\n", (unsigned)s->tx_frames,
           (unsigned)s->tx_bytes, (unsigned)s->tx_dropped, (unsigned)s->irqs,
           (unsigned)s->rx_waiting);
    printf("  device timeouts=%u  link reads=%u  statistics reads=%u\n", (unsigned)s->hw_timeouts,
           (unsigned)s->phy_reads, (unsigned)s->stat_reads);
    return 0;
}
K_SHELL_CMD(ifconfig, "ifconfig", "- IPv4 and IPv6 addresses, router, DNS, MAC, link, counters", cmd_ifconfig);

static void pcb_row(const char *proto, const ip_addr_t *la, u16_t lp, const ip_addr_t *ra, u16_t rp,
                    const char *state)
{
    char lb[NET_ENDPOINT_STRLEN], rb[NET_ENDPOINT_STRLEN];
    net_endpoint_str(lb, sizeof(lb), la, lp);
    net_endpoint_str(rb, sizeof(rb), ra, rp);
    printf("%-5s %-21s %-21s %s\n", proto, lb, rb, state);
}

/* Connections listed before netstat only counts them (netstat -a lists all). */
#define NETSTAT_ROWS 32

static int cmd_netstat(int argc, char **argv)
{
    struct tcp_pcb *p;
    struct tcp_pcb_listen *lp;
    struct udp_pcb *u;
    int sockets = 0, tcp = 0, rows = 0;
    bool all = argc > 1 && !strcmp(argv[1], "-a");

    if (!net_netif()) {
        printf("no network interface\n");
        return -1;
    }
    printf("proto local                 remote                state\n");
    LOCK_TCPIP_CORE();
    for (lp = tcp_listen_pcbs.listen_pcbs; lp; lp = lp->next)
        pcb_row("tcp", &lp->local_ip, lp->local_port, &lp->local_ip, 0, "LISTEN");
    for (p = tcp_active_pcbs; p; p = p->next, tcp++)
        if (all || rows++ < NETSTAT_ROWS)
            pcb_row("tcp", &p->local_ip, p->local_port, &p->remote_ip, p->remote_port, tcp_debug_state_str(p->state));
    for (p = tcp_tw_pcbs; p; p = p->next, tcp++)
        if (all || rows++ < NETSTAT_ROWS)
            pcb_row("tcp", &p->local_ip, p->local_port, &p->remote_ip, p->remote_port, "TIME_WAIT");
    if (!all && rows > NETSTAT_ROWS)
        printf("(%d more connections: netstat -a lists all)\n", rows - NETSTAT_ROWS);
    for (u = udp_pcbs; u; u = u->next)
        pcb_row("udp", &u->local_ip, u->local_port, &u->remote_ip, u->remote_port, "");
    UNLOCK_TCPIP_CORE();
    for (int fd = LWIP_SOCKET_OFFSET; fd < LWIP_SOCKET_OFFSET + MEMP_NUM_NETCONN; fd++) {
        int type;
        socklen_t len = sizeof(type);
        if (lwip_getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) == 0)
            sockets++;
    }
    printf("sockets open=%d max=%d  tcp connections=%d\n", sockets, MEMP_NUM_NETCONN, tcp);
    const struct net_socket_stats *ss = net_socket_stats();
    printf("socket table taken=%u inflight=%u limit=%u refused=%lu\n", ss->taken, ss->inflight,
           ss->limit ? ss->limit : ss->table, (unsigned long)ss->refused);
    unsigned pool_bytes = 0;
    for (int i = 0; i < MEMP_MAX; i++)
        pool_bytes += (unsigned)(memp_pools[i]->stats->used * memp_pools[i]->size);
    printf("lwip pools bytes used=%u  lwip heap bytes used=%u\n", pool_bytes,
           (unsigned)lwip_stats.mem.used);
    printf("pbuf pool used=%u avail=%u  tcp pcbs used=%u/%u\n",
           (unsigned)lwip_stats.memp[MEMP_PBUF_POOL]->used, (unsigned)lwip_stats.memp[MEMP_PBUF_POOL]->avail,
           (unsigned)lwip_stats.memp[MEMP_TCP_PCB]->used, (unsigned)lwip_stats.memp[MEMP_TCP_PCB]->avail);
    printf("tcpip input queued=%u (frames stay in the NIC at %u)\n",
           (unsigned)lwip_stats.memp[MEMP_TCPIP_MSG_INPKT]->used, (unsigned)NET_RX_QUEUE);
    printf("tcp retransmission timeout max=%lu ms, cut to it %lu times\n",
           (unsigned long)net_tcp_rto_max_ms, (unsigned long)net_rto_capped);
    printf("lwip mem cache bytes=%u hits=%u misses=%u flushes=%u\n",
           (unsigned)net_mem_stats()->cached, (unsigned)net_mem_stats()->hits,
           (unsigned)net_mem_stats()->misses, (unsigned)net_mem_stats()->flushes);
    printf("tcp demux tracked=%u moves=%u repairs=%u\n", (unsigned)tcp_demux_stats()->tracked,
           (unsigned)tcp_demux_stats()->moves, (unsigned)tcp_demux_stats()->repairs);
    printf("tcp xmit=%u recv=%u drop=%u chkerr=%u memerr=%u proterr=%u  ip drop=%u  link drop=%u\n",
           (unsigned)lwip_stats.tcp.xmit, (unsigned)lwip_stats.tcp.recv, (unsigned)lwip_stats.tcp.drop, (unsigned)lwip_stats.tcp.chkerr, (unsigned)lwip_stats.tcp.memerr,
           (unsigned)lwip_stats.tcp.proterr, (unsigned)lwip_stats.ip.drop, (unsigned)lwip_stats.link.drop);
    printf("ip recv=%u chkerr=%u lenerr=%u proterr=%u  reassembly drop=%u  udp recv=%u chkerr=%u drop=%u\n",
           (unsigned)lwip_stats.ip.recv, (unsigned)lwip_stats.ip.chkerr, (unsigned)lwip_stats.ip.lenerr,
           (unsigned)lwip_stats.ip.proterr, (unsigned)lwip_stats.ip_frag.drop, (unsigned)lwip_stats.udp.recv,
           (unsigned)lwip_stats.udp.chkerr, (unsigned)lwip_stats.udp.drop);
    return 0;
}
K_SHELL_CMD(netstat, "netstat", "[-a] - sockets, TCP/UDP endpoints and states, pool use", cmd_netstat);

static int cmd_socklimit(int argc, char **argv)
{
    const struct net_socket_stats *ss = net_socket_stats();
    if (argc > 2 || (argc == 2 && (!argv[1][0] || strspn(argv[1], "0123456789") != strlen(argv[1])))) {
        printf("usage: socklimit [N] (0: the whole table, %u sockets)\n", ss->table);
        return -1;
    }
    if (argc == 2) {
        /* narrowed only once it fits: unsigned long is 64 bits on AArch64; the table's
         * bound is net_socket_limit()'s to check */
        errno = 0;
        unsigned long n = strtoul(argv[1], NULL, 10);
        if (errno == ERANGE || n > UINT_MAX || net_socket_limit((unsigned)n) != 0) {
            printf("socklimit: at most %u (NET_MAX_SOCKETS, the table's size)\n", ss->table);
            return -1;
        }
    }
    printf("sockets taken=%u limit=%u of %u refused=%lu\n", ss->taken,
           ss->limit ? ss->limit : ss->table, ss->table, (unsigned long)ss->refused);
    return 0;
}
K_SHELL_CMD(socklimit, "socklimit", "[N] - cap the socket table at N sockets (0: no cap); past it new ones are refused",
            cmd_socklimit);

static int cmd_keepalive(int argc, char **argv)
{
    struct net_keepalive ka;
    if (argc == 4) {
        unsigned long v[3];
        for (int i = 0; i < 3; i++) {
            char *end;
            v[i] = strtoul(argv[i + 1], &end, 10);
            if (*end || end == argv[i + 1] || argv[i + 1][0] == '-')
                v[i] = 0;                         /* out of range below */
        }
        if (net_keepalive_set((unsigned)v[0], (unsigned)v[1], (unsigned)v[2]) != 0) {
            printf("keepalive: idle and interval are 1..86400 s, probes 1..100\n");
            return -EINVAL;
        }
    } else if (argc != 1) {
        printf("usage: keepalive [idle_s interval_s probes]\n");
        return -EINVAL;
    }
    net_keepalive_get(&ka);
    printf("keepalive: idle=%u s interval=%u s probes=%u (a silent peer is dropped after %lu s)\n",
           ka.idle_s, ka.intvl_s, ka.count,
           (unsigned long)ka.idle_s + (unsigned long)ka.intvl_s * ka.count);
    return 0;
}
/* rto [ms]: show or set the upper bound on TCP retransmission timeouts (net/tcp_rto.c). */
static int cmd_rto(int argc, char **argv)
{
    if (argc == 2) {
        char *end;
        unsigned long v = strtoul(argv[1], &end, 10);
        if (*end || end == argv[1] || argv[1][0] == '-' || v < NET_TCP_RTO_MIN_SETTABLE_MS ||
            v > NET_TCP_RTO_MAX_SETTABLE_MS) {
            printf("rto: the maximum is %u..%u ms\n", NET_TCP_RTO_MIN_SETTABLE_MS,
                   NET_TCP_RTO_MAX_SETTABLE_MS);
            return -EINVAL;
        }
        net_tcp_rto_max_ms = (uint32_t)v;
    } else if (argc != 1) {
        printf("usage: rto [max_ms]\n");
        return -EINVAL;
    }
    printf("rto: max=%lu ms, cut to it %lu times\n", (unsigned long)net_tcp_rto_max_ms,
           (unsigned long)net_rto_capped);
    return 0;
}
K_SHELL_CMD(rto, "rto", "[max_ms] - upper bound on TCP retransmission timeouts (RFC 6298 2.5)", cmd_rto);

K_SHELL_CMD(keepalive, "keepalive",
            "[idle_s interval_s probes] - TCP keep-alive of the servers' connections (new and open)",
            cmd_keepalive);

static int cmd_sntp(int argc, char **argv)
{
    int rc = argc == 2 ? net_sntp_start(strcmp(argv[1], "off") ? argv[1] : "") : 0;
    if (rc == -EAFNOSUPPORT) {
        printf("sntp: '%s' is an IPv6 address; this image is IPv4-only\n", argv[1]);
        return rc;
    }
    if (rc != 0) {
        printf("sntp: bad server '%s' (name-or-IPv4[:port], [IPv6][:port] or IPv6, port "
               "1..65535)\n", argv[1]);
        return rc;
    }
    if (argc > 2) {
        printf("usage: sntp [server[:port] | [ipv6][:port] | off]\n");
        return -EINVAL;
    }
    const char *s = net_sntp_server();
    bool v6 = strchr(s, ':') != NULL;
    char server[80];
    snprintf(server, sizeof(server), "%s%s%s:%u", v6 ? "[" : "", s, v6 ? "]" : "",
             (unsigned)net_sntp_port);
    if (!s[0])
        printf("sntp: off; clock %s (%lu)\n", k_wall_source(), (unsigned long)k_wall_seconds());
    else if (net_sntp_last())
        printf("sntp: server %s, answered (%lu); clock %s (%lu)\n", server,
               (unsigned long)net_sntp_last(), k_wall_source(), (unsigned long)k_wall_seconds());
    else
        printf("sntp: server %s, no answer yet; clock %s (%lu)\n", server, k_wall_source(),
               (unsigned long)k_wall_seconds());
    return 0;
}
K_SHELL_CMD(sntp, "sntp", "[server[:port] | [ipv6][:port] | off] - set the wall clock from an SNTP server (RFC 4330), hourly", cmd_sntp);
