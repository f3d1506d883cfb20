/* info.c - copies of lwIP's pool counters and TCP endpoints, for status pages (net.h). */
#include <stdio.h>

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
