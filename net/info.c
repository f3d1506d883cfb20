/* info.c - copies of lwIP's pool counters, TCP endpoints and addresses, for status pages and
 * the shell; and the event-loop servers' connection table (net.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lwip/dns.h"
#include "lwip/nd6.h"
#include "lwip/priv/nd6_priv.h"
#include "lwip/sockets.h"

#include "lwip/memp.h"
#include "lwip/priv/memp_priv.h"
#include "lwip/priv/tcp_priv.h"
#include "lwip/stats.h"
#include "lwip/tcpip.h"

#include "net.h"

/* Pool names, in the order of lwIP's memp_t (its own X-macro list). */
static const char *const pool_names[] = {
#define LWIP_MEMPOOL(name, num, size, desc) #name,
#include "lwip/priv/memp_std.h"
};

unsigned net_pool_info(struct net_pool_info *out, unsigned max)
{
    LOCK_TCPIP_CORE();
    for (unsigned i = 0; i < MEMP_MAX && i < max; i++) {
        const struct stats_mem *m = memp_pools[i]->stats;
        out[i] = (struct net_pool_info){ .name = pool_names[i], .size = memp_pools[i]->size,
                                         .used = m->used, .max = m->max, .avail = m->avail,
                                         .err = m->err };
    }
    UNLOCK_TCPIP_CORE();
    return MEMP_MAX;
}

/* RFC 5952 4.3: IPv6 text in lower case (lwIP writes upper case) */
static char *lower(char *s)
{
    for (char *p = s; *p; p++)
        if (*p >= 'A' && *p <= 'F')
            *p = (char)(*p - 'A' + 'a');
    return s;
}

char *net_addr_str(const ip_addr_t *ip, char *out, size_t size)
{
    ipaddr_ntoa_r(ip, out, (int)size);
    return lower(out);
}

void net_endpoint_str(char *out, size_t size, const ip_addr_t *ip, uint16_t port)
{
    char a[IPADDR_STRLEN_MAX];
#if LWIP_IPV6
    if (IP_IS_ANY_TYPE_VAL(*ip)) {
        snprintf(out, size, "[::]:%u", (unsigned)port);
        return;
    }
#endif
    net_addr_str(ip, a, sizeof(a));
    snprintf(out, size, IP_IS_V6(ip) ? "[%s]:%u" : "%s:%u", a, (unsigned)port);
}

static void endpoint(struct net_tcp_endpoint *e, const ip_addr_t *la, u16_t lp,
                     const ip_addr_t *ra, u16_t rp, const char *state)
{
    net_endpoint_str(e->local, sizeof(e->local), la, lp);
    net_endpoint_str(e->remote, sizeof(e->remote), ra, rp);
    e->state = state;
}

unsigned net_tcp_endpoints(struct net_tcp_endpoint *out, unsigned max)
{
    unsigned n = 0;
    LOCK_TCPIP_CORE();
    for (struct tcp_pcb_listen *l = tcp_listen_pcbs.listen_pcbs; l; l = l->next, n++)
        if (n < max)
            endpoint(&out[n], &l->local_ip, l->local_port, &l->local_ip, 0, "LISTEN");
    for (struct tcp_pcb *p = tcp_active_pcbs; p; p = p->next, n++)
        if (n < max)
            endpoint(&out[n], &p->local_ip, p->local_port, &p->remote_ip, p->remote_port,
                     tcp_debug_state_str(p->state));
    for (struct tcp_pcb *p = tcp_tw_pcbs; p; p = p->next, n++)
        if (n < max)
            endpoint(&out[n], &p->local_ip, p->local_port, &p->remote_ip, p->remote_port,
                     "TIME_WAIT");
    UNLOCK_TCPIP_CORE();
    return n;
}

void net_netif_addrs(char ip[16], char mask[16], char gw[16], char dns[NET_IP6_STRLEN])
{
    struct netif *n = net_netif();
    ip[0] = mask[0] = gw[0] = dns[0] = '\0';
    if (!n)
        return;
    LOCK_TCPIP_CORE();
    ip4addr_ntoa_r(netif_ip4_addr(n), ip, 16);
    ip4addr_ntoa_r(netif_ip4_netmask(n), mask, 16);
    ip4addr_ntoa_r(netif_ip4_gw(n), gw, 16);
    net_addr_str(dns_getserver(0), dns, NET_IP6_STRLEN);
    UNLOCK_TCPIP_CORE();
}

const char *net_ip6_state_name(uint8_t state)
{
#if LWIP_IPV6
    if (ip6_addr_istentative(state))
        return "tentative";
    if (ip6_addr_ispreferred(state))
        return "preferred";
    if (ip6_addr_isdeprecated(state))
        return "deprecated";
    if (ip6_addr_isduplicated(state))
        return "duplicated";
#endif
    (void)state;
    return "invalid";
}

unsigned net_netif_ip6(struct net_ip6_info *out, unsigned max)
{
    unsigned n = 0;
#if LWIP_IPV6
    struct netif *nif = net_netif();
    if (!nif)
        return 0;
    LOCK_TCPIP_CORE();
    for (int i = 0; i < LWIP_IPV6_NUM_ADDRESSES && n < max; i++) {
        u8_t st = netif_ip6_addr_state(nif, i);
        if (ip6_addr_isinvalid(st))
            continue;
        struct net_ip6_info *o = &out[n++];
        const ip6_addr_t *a = netif_ip6_addr(nif, i);
        lower(ip6addr_ntoa_r(a, o->addr, sizeof(o->addr)));
        o->state = net_ip6_state_name(st);
        o->scope = ip6_addr_islinklocal(a) ? "link" : "global";
#if LWIP_IPV6_ADDRESS_LIFETIMES
        o->valid_s = netif_ip6_addr_valid_life(nif, i);
        o->preferred_s = netif_ip6_addr_pref_life(nif, i);
#else
        o->valid_s = o->preferred_s = 0;
#endif
    }
    UNLOCK_TCPIP_CORE();
#else
    (void)out;
    (void)max;
#endif
    return n;
}

bool net_ip6_global_ready(void)
{
    bool ok = false;
#if LWIP_IPV6
    struct netif *nif = net_netif();
    if (!nif)
        return false;
    LOCK_TCPIP_CORE();
    for (int i = 0; i < LWIP_IPV6_NUM_ADDRESSES && !ok; i++)
        ok = ip6_addr_ispreferred(netif_ip6_addr_state(nif, i)) &&
             !ip6_addr_islinklocal(netif_ip6_addr(nif, i));
    UNLOCK_TCPIP_CORE();
#endif
    return ok;
}

bool net_ip6_router(char addr[NET_IP6_STRLEN], uint32_t *lifetime_s)
{
#if LWIP_IPV6
    bool found = false;
    LOCK_TCPIP_CORE();
    for (int i = 0; i < LWIP_ND6_NUM_ROUTERS && !found; i++) {
        const struct nd6_router_list_entry *r = &default_router_list[i];
        if (r->neighbor_entry && r->invalidation_timer > 0) {
            lower(ip6addr_ntoa_r(&r->neighbor_entry->next_hop_address, addr, NET_IP6_STRLEN));
            *lifetime_s = r->invalidation_timer;
            found = true;
        }
    }
    UNLOCK_TCPIP_CORE();
    return found;
#else
    (void)addr;
    (void)lifetime_s;
    return false;
#endif
}

unsigned net_dns_servers(char out[][NET_IP6_STRLEN], unsigned max)
{
    unsigned n = 0;
    LOCK_TCPIP_CORE();
    for (u8_t i = 0; i < DNS_MAX_SERVERS && n < max; i++) {
        const ip_addr_t *a = dns_getserver(i);
        if (!ip_addr_isany(a))
            net_addr_str(a, out[n++], NET_IP6_STRLEN);
    }
    UNLOCK_TCPIP_CORE();
    return n;
}

bool net_table_reserve(struct net_conn_table *t)
{
    if (t->n < t->cap)
        return true;
    unsigned ncap = t->cap ? t->cap * 2 : 16;
    void *items = realloc(t->items, ncap * t->item_size);
    if (!items)
        return false;
    t->items = items;
    struct pollfd *p = realloc(t->pfd, (ncap + 1) * sizeof(*p));
    if (!p)
        return false;       /* items is larger already: harmless, cap stays */
    t->pfd = p;
    t->cap = ncap;
    return true;
}

void net_table_shrink(struct net_conn_table *t)
{
    while (t->cap > 16 && t->n < t->cap / 4) {
        unsigned ncap = t->cap / 2;
        void *items = malloc(ncap * t->item_size);
        struct pollfd *p = malloc((ncap + 1) * sizeof(*p));
        if (!items || !p) {
            free(items);
            free(p);
            return;
        }
        memcpy(items, t->items, t->n * t->item_size);
        free(t->items);
        free(t->pfd);
        t->items = items;
        t->pfd = p;
        t->cap = ncap;
    }
}
