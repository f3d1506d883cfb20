/* info.c - copies of lwIP's pool counters, TCP endpoints and addresses, for status pages and
 * the shell; and the event-loop servers' connection table (net.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lwip/dns.h"
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

static void endpoint(struct net_tcp_endpoint *e, const ip_addr_t *la, u16_t lp,
                     const ip_addr_t *ra, u16_t rp, const char *state)
{
    char a[16];
    ipaddr_ntoa_r(la, a, sizeof(a));
    snprintf(e->local, sizeof(e->local), "%s:%u", a, lp);
    ipaddr_ntoa_r(ra, a, sizeof(a));
    snprintf(e->remote, sizeof(e->remote), "%s:%u", a, rp);
    e->state = state;
}

unsigned net_tcp_endpoints(struct net_tcp_endpoint *out, unsigned max)
{
    unsigned n = 0;
    LOCK_TCPIP_CORE();
    for (struct tcp_pcb_listen *l = tcp_listen_pcbs.listen_pcbs; l; l = l->next, n++)
        if (n < max)
            endpoint(&out[n], &l->local_ip, l->local_port, IP4_ADDR_ANY, 0, "LISTEN");
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

void net_netif_addrs(char ip[16], char mask[16], char gw[16], char dns[16])
{
    struct netif *n = net_netif();
    ip[0] = mask[0] = gw[0] = dns[0] = '\0';
    if (!n)
        return;
    LOCK_TCPIP_CORE();
    ip4addr_ntoa_r(netif_ip4_addr(n), ip, 16);
    ip4addr_ntoa_r(netif_ip4_netmask(n), mask, 16);
    ip4addr_ntoa_r(netif_ip4_gw(n), gw, 16);
    ipaddr_ntoa_r(dns_getserver(0), dns, 16);
    UNLOCK_TCPIP_CORE();
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
