/*
 * net.c - network bring-up and the driver's poll hook.
 * Frames move: device -> (poll loop, idle task) netdrv_poll -> tcpip_input, which posts to
 * the tcpip task's mailbox -> lwIP. Nothing of lwIP runs in an interrupt handler.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lwip/api.h"
#include "lwip/dhcp.h"
#include "lwip/dhcp6.h"
#include "lwip/dns.h"
#include "lwip/etharp.h"
#include "lwip/ethip6.h"
#include "lwip/init.h"
#include "lwip/sockets.h"
#include "lwip/stats.h"
#include "lwip/tcpip.h"
#include "lwip/memp.h"
#include "lwip/priv/sockets_priv.h"
#include "lwip/priv/tcp_priv.h"
#include "lwip/apps/sntp.h"

#include "k.h"
#include "net.h"
#include "net/netdrv.h"

/* Build-time configuration: NET_DHCP, NET_IP, NET_NETMASK, NET_GATEWAY, NET_DNS come from
 * the build's config.h (make variables; the defaults fit QEMU's user network). */
struct net_config net_config = {
    .dhcp = NET_DHCP,
    .dhcp_timeout_ms = 5000,
    .ip = NET_IP,
    .netmask = NET_NETMASK,
    .gateway = NET_GATEWAY,
    .dns = NET_DNS,
};

static struct netif netif;
static bool netif_ok;
static bool link_was_up;
static const char *addr_source = "none";

struct netif *net_netif(void) { return netif_ok ? &netif : NULL; }
const char *net_addr_source(void) { return addr_source; }

void netdrv_netif_setup(struct netif *nif, netif_linkoutput_fn linkoutput)
{
    nif->name[0] = 'e';
    nif->name[1] = 'n';
    nif->mtu = 1500;
    nif->flags = NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP | NETIF_FLAG_ETHERNET;
    if (netdrv_link_up())
        nif->flags |= NETIF_FLAG_LINK_UP;
    nif->output = etharp_output;
#if LWIP_IPV6
    /* the drivers take every multicast frame (all-multicast mode), so no MAC filter
     * callback: MLD's joins need nothing from them */
    nif->flags |= NETIF_FLAG_MLD6;
    nif->output_ip6 = ethip6_output;
#endif
    nif->linkoutput = linkoutput;
}

void netdrv_set_mac(struct netif *nif, uint32_t lo, uint32_t hi)
{
    nif->hwaddr_len = ETH_HWADDR_LEN;
    for (int i = 0; i < 4; i++)
        nif->hwaddr[i] = (uint8_t)(lo >> (8 * i));
    nif->hwaddr[4] = (uint8_t)hi;
    nif->hwaddr[5] = (uint8_t)(hi >> 8);
}

int netdrv_input(struct netif *nif, const void *frame, uint16_t len, struct netdrv_stats *st)
{
    struct pbuf *p = pbuf_alloc(PBUF_RAW, len, PBUF_RAM);   /* exactly its size */
    if (!p) {
        st->rx_dropped_nomem++;
        LINK_STATS_INC(link.memerr);
        return 0;
    }
    pbuf_take(p, frame, len);
    return netdrv_deliver(nif, p, st);
}

int netdrv_deliver(struct netif *nif, struct pbuf *p, struct netdrv_stats *st)
{
    uint16_t len = p->tot_len;
    if (nif->input(p, nif) != ERR_OK) {
        pbuf_free(p);
        st->rx_dropped_nomem++;
        LINK_STATS_INC(link.drop);
        return 0;
    }
    st->rx_frames++;
    st->rx_bytes += len;
    LINK_STATS_INC(link.recv);
    return 1;
}

/* A TCP socket's PCB priority (lwIP's tcp_setprio(): when it runs out of PCB memory,
 * tcp_alloc() kills the longest-idle connection of the new one's priority or lower). */
static void set_prio(int fd, u8_t prio)
{
    struct lwip_sock *sock = lwip_socket_dbg_get_socket(fd);
    LOCK_TCPIP_CORE();
    if (sock && sock->conn && sock->conn->pcb.tcp)
        tcp_setprio(sock->conn->pcb.tcp, prio);
    UNLOCK_TCPIP_CORE();
}

void net_conn_accepted(int fd) { set_prio(fd, TCP_PRIO_NORMAL); }

int net_any_addr(struct sockaddr_storage *ss, uint16_t port)
{
    memset(ss, 0, sizeof(*ss));
#if LWIP_IPV6
    struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;
    a->sin6_len = sizeof(*a);
    a->sin6_family = AF_INET6;           /* :: and no IPV6_V6ONLY: both families */
    a->sin6_port = lwip_htons(port);
    return AF_INET6;
#else
    struct sockaddr_in *a = (struct sockaddr_in *)ss;
    a->sin_len = sizeof(*a);
    a->sin_family = AF_INET;
    a->sin_port = lwip_htons(port);
    return AF_INET;
#endif
}

int net_tcp_listen(uint16_t port, int backlog)
{
    struct sockaddr_storage addr;
    int family = net_any_addr(&addr, port);
    int one = 1, err, s = lwip_socket(family, SOCK_STREAM, 0);
    if (s < 0)
        return -errno;
    /* lwIP resets a connection its accept mailbox has no room for, below any server's
     * count; with the backlog at most the mailbox, it is never full (past the backlog,
     * SYNs wait for the client to send them again) */
    if (backlog > DEFAULT_ACCEPTMBOX_SIZE)
        backlog = DEFAULT_ACCEPTMBOX_SIZE;
    set_prio(s, TCP_PRIO_MIN);      /* its connections start at the lowest: see net.h */
    if (lwip_setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
        lwip_setsockopt(s, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one)) < 0 ||
        lwip_bind(s, (struct sockaddr *)&addr, addr.s2_len) < 0 || lwip_listen(s, backlog) < 0) {
        err = errno;
        lwip_close(s);
        return -err;
    }
    (void)tcp_demux_attach(s);      /* without it, lwIP's linear lookup still works */
    return s;
}

/* --- SNTP ------------------------------------------------------------------------------- */
unsigned short net_sntp_port = 123;
static char sntp_server[64];
static int64_t sntp_last;

void net_sntp_set_time(unsigned long epoch_s)
{
    k_wall_set((int64_t)epoch_s, "sntp");
    sntp_last = (int64_t)epoch_s;
}

const char *net_sntp_server(void) { return sntp_server; }
int64_t net_sntp_last(void) { return sntp_last; }

int net_sntp_start(const char *server)
{
    char name[64];
    unsigned long port = 123;
    const char *host = server ? server : "", *end, *colon;
    bool literal6 = host[0] == '[';
    ip_addr_t addr;

    if (literal6) {                             /* "[v6]" or "[v6]:port" */
        end = strchr(++host, ']');
        if (!end || (end[1] && end[1] != ':'))
            return -EINVAL;
        colon = end[1] ? end + 1 : NULL;
    } else {                                    /* "name[:port]", or a bare IPv6 address */
        colon = strchr(host, ':');
        if (colon && strchr(colon + 1, ':'))
            colon = NULL;                       /* two colons or more: no port */
        end = colon ? colon : host + strlen(host);
    }
    if (colon) {
        char *e;
        port = strtoul(colon + 1, &e, 10);
        if (*e || e == colon + 1 || port == 0 || port > 65535)
            return -EINVAL;
    }
    size_t n = (size_t)(end - host);
    if (n >= sizeof(name))
        return -EINVAL;
    memcpy(name, host, n);
    name[n] = 0;
    bool is_addr = ipaddr_aton(name, &addr);
    if (literal6 || memchr(name, ':', n)) {     /* it can only be an IPv6 address */
        if (!LWIP_IPV6)
            return -EAFNOSUPPORT;
        if (!is_addr || !IP_IS_V6(&addr))
            return -EINVAL;
    }
    LOCK_TCPIP_CORE();
    if (sntp_enabled())
        sntp_stop();
    strcpy(sntp_server, name);        /* lwIP keeps the pointer: it must live on */
    net_sntp_port = (unsigned short)port;
    if (n) {
        sntp_setoperatingmode(SNTP_OPMODE_POLL);
        if (is_addr)
            sntp_setserver(0, &addr);            /* an address: no DNS lookup */
        else
            sntp_setservername(0, sntp_server);
        sntp_init();
    }
    UNLOCK_TCPIP_CORE();
    return 0;
}

unsigned net_keepalive_idle_ms = NET_KEEPALIVE_IDLE_S * 1000u;
unsigned net_keepalive_intvl_ms = NET_KEEPALIVE_INTVL_S * 1000u;
unsigned net_keepalive_count = NET_KEEPALIVE_COUNT;

void net_keepalive_get(struct net_keepalive *ka)
{
    ka->idle_s = net_keepalive_idle_ms / 1000u;
    ka->intvl_s = net_keepalive_intvl_ms / 1000u;
    ka->count = net_keepalive_count;
}

int net_keepalive_set(unsigned idle_s, unsigned intvl_s, unsigned count)
{
    struct tcp_pcb *pcb;
    if (idle_s < 1 || idle_s > 86400u || intvl_s < 1 || intvl_s > 86400u || count < 1 ||
        count > 100u)
        return -EINVAL;
    LOCK_TCPIP_CORE();
    net_keepalive_idle_ms = idle_s * 1000u;
    net_keepalive_intvl_ms = intvl_s * 1000u;
    net_keepalive_count = count;
    for (pcb = tcp_active_pcbs; pcb; pcb = pcb->next)
        if (ip_get_option(pcb, SOF_KEEPALIVE)) {
            pcb->keep_idle = net_keepalive_idle_ms;
            pcb->keep_intvl = net_keepalive_intvl_ms;
            pcb->keep_cnt = net_keepalive_count;
        }
    UNLOCK_TCPIP_CORE();
    return 0;
}

bool netdrv_rx_room(void)
{
    /* every frame posted with tcpip_input() holds one TCPIP_MSG_INPKT until the tcpip task
     * takes it; keep a few mailbox places for API messages and callbacks */
    return lwip_stats.memp[MEMP_TCPIP_MSG_INPKT]->used < NET_RX_QUEUE;
}

size_t net_conn_reserve(void)
{
    size_t total = k_heap_total();
    size_t r = total / 32 > NET_CONN_RESERVE_MIN ? total / 32 : NET_CONN_RESERVE_MIN;
    size_t inflight = 0;
    if (NET_CONN_INFLIGHT) {
        /* the connections that may move data: lwIP's active list (SYN_RCVD to
         * LAST_ACK; not TIME_WAIT, which holds none), short on the boards that set this */
        LOCK_TCPIP_CORE();
        for (struct tcp_pcb *p = tcp_active_pcbs; p; p = p->next)
            inflight += NET_CONN_INFLIGHT;
        UNLOCK_TCPIP_CORE();
    }
    return inflight > r ? inflight : r;
}

bool net_conn_admit(void)
{
    size_t r = net_conn_reserve();
    if (k_heap_has_free(r))
        return true;
    if (!net_mem_stats()->cached)
        return false;
    net_mem_flush();                     /* lwIP's cached blocks are free memory too */
    return k_heap_has_free(r);
}

bool net_accept_refused(void) { return errno == ENFILE || errno == ENOMEM; }

void net_conn_refuse(int fd)
{
    struct linger lg = { .l_onoff = 1, .l_linger = 0 };   /* close() then sends RST */
    (void)lwip_setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
    lwip_close(fd);
}

static void link_changed(void *arg)
{
    if (arg)
        netif_set_link_up(&netif);
    else
        netif_set_link_down(&netif);
}

/* The link state is read at most this often by the poll loop (ms): a PHY read is several
 * device round trips on the LAN9118, and the loop runs thousands of times a second. */
#define NET_LINK_POLL_MS 500

/* Poll hook: runs in the idle task whenever the poll loop runs. */
static struct k_poll_hook net_hook;

static int net_poll(void *ctx)
{
    static uint64_t link_checked;
    uint64_t now = k_uptime_ms();
    (void)ctx;
    if (!netif_ok)
        return 0;
    net_mem_idle(now);
    if (now - link_checked >= NET_LINK_POLL_MS) {
        bool up = netdrv_link_up();
        link_checked = now;
        if (up != link_was_up &&
            tcpip_try_callback(link_changed, up ? (void *)1 : NULL) == ERR_OK)
            link_was_up = up;
    }
    netdrv_tx_flush();
    int n = netdrv_poll(&netif);
    if (netdrv_stats()->rx_waiting)
        k_poll_kick(&net_hook);      /* lwIP's input queue was full: the rest next pass */
    return n;
}

/* Run by the NIC's interrupt (netdrv_isr_signal), by frames left in the device (kicked),
 * and at least every NET_LINK_POLL_MS at passes of the loop, for the link and the cache. */
static struct k_poll_hook net_hook = { .name = "net", .poll = net_poll, .period_ms = NET_LINK_POLL_MS };

void netdrv_isr_signal(void) { k_isr_signal(&net_hook); }
void netdrv_tx_later(void) { k_poll_kick(&net_hook); }

static bool net_pending(void *ctx)
{
    (void)ctx;
    return netif_ok && netdrv_rx_pending();
}

static void tcpip_ready(void *arg) { k_sem_give(arg); }

static int use_static(void)
{
    ip4_addr_t ip, mask, gw;
    ip_addr_t dns = IPADDR4_INIT(0);
    if (!ip4addr_aton(net_config.ip, &ip) || !ip4addr_aton(net_config.netmask, &mask) ||
        !ip4addr_aton(net_config.gateway, &gw) || !ip4addr_aton(net_config.dns, ip_2_ip4(&dns))) {
        printf("net: bad static configuration\n");
        return -EINVAL;
    }
    LOCK_TCPIP_CORE();
    dhcp_stop(&netif);
    netif_set_addr(&netif, &ip, &mask, &gw);
    dns_setserver(0, &dns);
    UNLOCK_TCPIP_CORE();
    addr_source = "static";
    return 0;
}

int net_start(void)
{
    k_sem_t ready;
    err_t err;

    net_mem_init();
    k_sem_init(&ready, 0, 1);
    tcpip_init(tcpip_ready, &ready);
    k_sem_take(&ready, K_FOREVER);

    LOCK_TCPIP_CORE();
    err = netif_add(&netif, IP4_ADDR_ANY4, IP4_ADDR_ANY4, IP4_ADDR_ANY4, NULL, netdrv_init,
                    tcpip_input) ? ERR_OK : ERR_IF;
    if (err == ERR_OK) {
        netif_set_default(&netif);
        netif_set_up(&netif);
        netif_set_hostname(&netif, "kernel");
#if LWIP_IPV6
        /* fe80::/64 from the MAC (modified EUI-64, RFC 4291 2.5.1); then router
         * solicitation, SLAAC from the advertised prefixes, stateless DHCPv6 */
        netif_create_ip6_linklocal_address(&netif, 1);
        netif.ip6_autoconfig_enabled = 1;
        dhcp6_enable_stateless(&netif);
#endif
    }
    UNLOCK_TCPIP_CORE();
    if (err != ERR_OK) {
        printf("net: no network device found\n");
        return -ENODEV;
    }
    netif_ok = true;
    if (netdrv_rx_pending)
        net_hook.pending = net_pending;  /* busy-polled after frames (k_busy_poll_set()) */
    k_poll_register(&net_hook);

    if (net_config.dhcp) {
        uint64_t t0 = k_uptime_ms();
        LOCK_TCPIP_CORE();
        err = dhcp_start(&netif);
        UNLOCK_TCPIP_CORE();
        while (err == ERR_OK && k_uptime_ms() - t0 < net_config.dhcp_timeout_ms) {
            if (dhcp_supplied_address(&netif)) {
                addr_source = "dhcp";
                break;
            }
            k_sleep_ms(10);     /* the servers start once it comes: look often */
        }
        if (strcmp(addr_source, "dhcp") != 0)
            printf("net: no DHCP lease after %u ms, using the static address\n",
                   (unsigned)net_config.dhcp_timeout_ms);
    }
    if (strcmp(addr_source, "dhcp") != 0 && use_static() != 0)
        return -EINVAL;
    /* Ask for the gateway's MAC address now: the request also tells the gateway ours
     * (RFC 826: a host that is the target of a request records the sender), so the first
     * connection from outside is not held up while the peer's ARP retries (1 s on Linux)
     * find a guest that was not yet listening when it first asked. */
    LOCK_TCPIP_CORE();
    if (!ip4_addr_isany_val(*netif_ip4_gw(&netif)))
        (void)etharp_request(&netif, netif_ip4_gw(&netif));
    UNLOCK_TCPIP_CORE();
    char ip[16], gw[16];
    ip4addr_ntoa_r(netif_ip4_addr(&netif), ip, sizeof(ip));
    ip4addr_ntoa_r(netif_ip4_gw(&netif), gw, sizeof(gw));
    printf("net: %s %s via %s (%s), link %s\n", netdrv_name(), ip, gw, addr_source,
           netdrv_link_up() ? "up" : "down");
#if LWIP_IPV6
    if (NET_IP6[0]) {
        /* a static address (NET_IP6): duplicate address detection, then preferred, with
         * no lifetime (RFC 4862 5.4 applies to every unicast address) */
        ip6_addr_t a6;
        s8_t idx;
        err = ip6addr_aton(NET_IP6, &a6) ? ERR_OK : ERR_ARG;
        if (err == ERR_OK) {
            ip6_addr_assign_zone(&a6, IP6_UNICAST, &netif);
            LOCK_TCPIP_CORE();
            err = netif_add_ip6_address(&netif, &a6, &idx);
            UNLOCK_TCPIP_CORE();
        }
        if (err != ERR_OK)
            printf("net: bad or unusable static IPv6 address '%s' (NET_IP6)\n", NET_IP6);
    }
#endif
    if (NET_SNTP[0] && net_sntp_start(NET_SNTP) != 0)
        printf("net: bad SNTP server '%s' (NET_SNTP)\n", NET_SNTP);
    return 0;
}
