/*
 * tcp_demux.c - constant-time TCP demultiplexing for lwIP's active connections.
 *
 * lwIP 2.1 finds the connection of an incoming segment by walking tcp_active_pcbs, a
 * singly linked list, and moves the one it finds to the front. With thousands of
 * connections that all receive a segment in turn (every client sends a line), each walk
 * is as long as the list: O(N) per segment, O(N^2) per round, and 10,000 connections
 * took 40 s to echo one line each. lwIP is compiled untouched, so instead of changing the
 * walk we make it end at once: before tcp_input() runs (linker --wrap), the connection is
 * looked up in a hash table and moved to the front of the list, where lwIP's walk finds
 * it first (its "cache hit").
 *
 * Moving a node to the front of a singly linked list needs its predecessor. We track it:
 * every change lwIP makes at the front (a new connection pushed by TCP_REG, a connection
 * moved there by tcp_input) sets the predecessor of the node that follows the new head,
 * and our own moves update both neighbours. Changes we do not see (a connection removed
 * from the middle, one gone to TIME_WAIT) leave a recorded predecessor stale; every use
 * checks it first (the predecessor is a live connection we track, in an active state,
 * whose next is this one), and when the check fails we walk the list once ourselves to
 * repair it. Connections come into the tables through lwIP's passive-open callback on the
 * listening PCB (tcp_ext_arg, LWIP_TCP_PCB_NUM_EXT_ARGS) and leave through its destroy
 * callback; connections this kernel opens (fetch) are not tracked and keep lwIP's walk.
 */
#include <stdlib.h>

#include "lwip/api.h"
#include "lwip/ip.h"
#include "lwip/priv/sockets_priv.h"
#include "lwip/priv/tcp_priv.h"
#include "lwip/sockets.h"
#include "lwip/tcp.h"
#include "lwip/tcpip.h"

#include "net.h"

/* Buckets of each table: a power of two, about half the socket table. */
#define DEMUX_BUCKETS (NET_MAX_SOCKETS / 2 < 64 ? 64 : NET_MAX_SOCKETS / 2)

struct demux_ent {
    struct demux_ent *next_key;     /* chain of the 4-tuple table */
    struct demux_ent *next_ptr;     /* chain of the PCB-address table */
    struct tcp_pcb *pcb;
    struct tcp_pcb *prev;           /* its predecessor in tcp_active_pcbs, if known */
    ip_addr_t remote_ip;            /* IPv4, or IPv6 (an IPv4 peer is IPv4 in lwIP's PCB,
                                     * even on a dual-stack listener) */
    u16_t remote_port, local_port;  /* host order, as in the PCB */
};

static struct demux_ent *by_key[DEMUX_BUCKETS], *by_ptr[DEMUX_BUCKETS];
static u8_t ext_id = LWIP_TCP_PCB_NUM_EXT_ARG_ID_INVALID;
static struct tcp_demux_stats st;

const struct tcp_demux_stats *tcp_demux_stats(void) { return &st; }

static unsigned hash_key(const ip_addr_t *addr, u16_t rport, u16_t lport)
{
    u32_t ip;
#if LWIP_IPV6
    if (IP_IS_V6(addr)) {
        const u32_t *w = ip_2_ip6(addr)->addr;
        ip = w[0] ^ w[1] ^ w[2] ^ w[3];     /* SLAAC peers differ in the low 64 bits */
    } else
#endif
        ip = ip_2_ip4(addr)->addr;
    u32_t h = ip ^ ((u32_t)rport << 16 | lport);
    h ^= h >> 16;
    h *= 0x45d9f3bu;
    h ^= h >> 16;
    return h & (DEMUX_BUCKETS - 1);
}

static unsigned hash_ptr(const void *p) { return ((uintptr_t)p >> 4) * 2654435761u >> 8 & (DEMUX_BUCKETS - 1); }

static struct demux_ent *find_ptr(const struct tcp_pcb *pcb)
{
    struct demux_ent *e;
    for (e = by_ptr[hash_ptr(pcb)]; e && e->pcb != pcb; e = e->next_ptr)
        ;
    return e;
}

/* A PCB in one of these states is on tcp_active_pcbs (lwIP's invariant). */
static bool on_active_list(const struct tcp_pcb *pcb)
{
    return pcb->state != CLOSED && pcb->state != LISTEN && pcb->state != TIME_WAIT;
}

static void set_prev(struct tcp_pcb *pcb, struct tcp_pcb *prev)
{
    struct demux_ent *e = pcb ? find_ptr(pcb) : NULL;
    if (e)
        e->prev = prev;
}

static void unlink_list(struct demux_ent **head, struct demux_ent *e, size_t off)
{
    for (struct demux_ent **p = head; *p; p = (struct demux_ent **)((char *)*p + off))
        if (*p == e) {
            *p = *(struct demux_ent **)((char *)e + off);
            return;
        }
}

static void conn_destroyed(u8_t id, void *data)
{
    struct demux_ent *e = data;
    (void)id;
    if (!e)
        return;                     /* a listening PCB */
    unlink_list(&by_key[hash_key(&e->remote_ip, e->remote_port, e->local_port)], e,
                offsetof(struct demux_ent, next_key));
    unlink_list(&by_ptr[hash_ptr(e->pcb)], e, offsetof(struct demux_ent, next_ptr));
    free(e);
    st.tracked--;
}

static const struct tcp_ext_arg_callbacks conn_callbacks = { conn_destroyed, NULL };

static err_t passive_open(u8_t id, struct tcp_pcb_listen *lpcb, struct tcp_pcb *cpcb)
{
    struct demux_ent *e = malloc(sizeof(*e));
    unsigned k;
    (void)lpcb;

    tcp_ext_arg_set_callbacks(cpcb, id, &conn_callbacks);
    tcp_ext_arg_set(cpcb, id, e);
    if (!e)
        return ERR_OK;              /* untracked: lwIP's own walk still finds it */
    e->pcb = cpcb;
    ip_addr_copy(e->remote_ip, cpcb->remote_ip);
    e->remote_port = cpcb->remote_port;
    e->local_port = cpcb->local_port;
    e->prev = NULL;                 /* TCP_REG_ACTIVE put it at the front */
    k = hash_key(&e->remote_ip, e->remote_port, e->local_port);
    e->next_key = by_key[k];
    by_key[k] = e;
    k = hash_ptr(cpcb);
    e->next_ptr = by_ptr[k];
    by_ptr[k] = e;
    if (cpcb->next)
        set_prev(cpcb->next, cpcb);
    st.tracked++;
    return ERR_OK;
}

static const struct tcp_ext_arg_callbacks listen_callbacks = { conn_destroyed, passive_open };

int tcp_demux_attach(int listen_fd)
{
    struct lwip_sock *sock = lwip_socket_dbg_get_socket(listen_fd);
    int rc = -EINVAL;

    LOCK_TCPIP_CORE();
    if (ext_id == LWIP_TCP_PCB_NUM_EXT_ARG_ID_INVALID)
        ext_id = tcp_ext_arg_alloc_id();
    if (sock && sock->conn && sock->conn->pcb.tcp && sock->conn->pcb.tcp->state == LISTEN &&
        ext_id < LWIP_TCP_PCB_NUM_EXT_ARGS) {
        tcp_ext_arg_set_callbacks(sock->conn->pcb.tcp, ext_id, &listen_callbacks);
        tcp_ext_arg_set(sock->conn->pcb.tcp, ext_id, NULL);
        rc = 0;
    }
    UNLOCK_TCPIP_CORE();
    return rc;
}

/* Move pcb (tracked, e) to the front of tcp_active_pcbs. */
static void move_to_front(struct demux_ent *e)
{
    struct tcp_pcb *pcb = e->pcb, *prev = e->prev, *p;
    struct demux_ent *pe = prev ? find_ptr(prev) : NULL;

    if (!(pe && on_active_list(prev) && prev->next == pcb)) {
        /* not known, or stale: find it the slow way, once */
        st.repairs++;
        for (prev = tcp_active_pcbs; prev && prev->next != pcb; prev = prev->next)
            ;
        if (!prev)
            return;                 /* not on the list after all: leave it to lwIP */
    }
    prev->next = pcb->next;
    set_prev(pcb->next, prev);
    p = tcp_active_pcbs;
    pcb->next = p;
    set_prev(p, pcb);
    tcp_active_pcbs = pcb;
    e->prev = NULL;
    st.moves++;
}

void __real_tcp_input(struct pbuf *p, struct netif *inp);
void __wrap_tcp_input(struct pbuf *p, struct netif *inp);
void __wrap_tcp_input(struct pbuf *p, struct netif *inp)
{
    if (p->len >= TCP_HLEN) {
        const struct tcp_hdr *h = p->payload;
        const ip_addr_t *ip = ip_current_src_addr();
        u16_t rport = lwip_ntohs(h->src), lport = lwip_ntohs(h->dest);
        struct demux_ent *e;

        /* ip_addr_cmp() compares the family, then the address (IPv6: and its zone) */
        for (e = by_key[hash_key(ip, rport, lport)]; e; e = e->next_key)
            if (e->remote_port == rport && e->local_port == lport && ip_addr_cmp(&e->remote_ip, ip))
                break;
        if (e && e->pcb != tcp_active_pcbs && on_active_list(e->pcb))
            move_to_front(e);
    }
    __real_tcp_input(p, inp);
    /* whatever lwIP put at the front (a new connection, or one its walk moved there) is
     * now the predecessor of the node after it */
    if (tcp_active_pcbs && tcp_active_pcbs->next)
        set_prev(tcp_active_pcbs->next, tcp_active_pcbs);
}
