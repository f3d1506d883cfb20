/*
 * socktab.c - the socket table's accounting: a new socket past its end is refused with
 * ENFILE, never a panic.
 *
 * lwIP's sockets live in one static table of NET_MAX_SOCKETS entries (MEMP_NUM_NETCONN).
 * Debian's lwIP (its patch max_sockets, which adds LWIP_SOCKET_OPEN_COUNT) rewrote
 * alloc_socket() so that a full table is not seen: with every entry taken it returns the
 * table's size as a descriptor, and lwip_accept() then fails its assertion "invalid socket
 * index" (sockets.c), the panic a client with 32,768 connections caused on qemu-x86;
 * lwip_socket() hands that descriptor out. lwIP is compiled untouched, so the table is
 * never allowed to fill: lwip_socket(), lwip_accept() and lwip_close() are wrapped (linker
 * --wrap) and count
 *   taken     sockets handed out and not closed,
 *   inflight  calls inside lwip_socket() or lwip_accept() now (each may take one entry;
 *             lwip_accept() waits for a connection first),
 * and a call enters only while taken + inflight < the limit (at most the table's size): so
 * whenever lwIP looks for a free entry, one exists. A socket() past the limit fails with
 * ENFILE. An accept() past it takes a connection that waits at the netconn level (no
 * socket) and closes it: the peer sees its connection closed (reset if it had sent data,
 * RFC 9293 3.10.4), the caller gets -1 with ENFILE, which servers count as refused
 * (net_accept_refused()), and every connection already held keeps its socket. With no
 * connection waiting it waits, looking again every ROOM_POLL_MS for an entry freed by a
 * close, and then accepts as usual (a listener's SO_RCVTIMEO does not end that wait).
 */
#include <errno.h>

#include "lwip/api.h"
#include "lwip/priv/sockets_priv.h"
#include "lwip/sockets.h"

#include "k.h"
#include "net.h"

int __real_lwip_socket(int domain, int type, int protocol);
int __real_lwip_accept(int s, struct sockaddr *addr, socklen_t *addrlen);
int __real_lwip_close(int s);
int __wrap_lwip_socket(int domain, int type, int protocol);
int __wrap_lwip_accept(int s, struct sockaddr *addr, socklen_t *addrlen);
int __wrap_lwip_close(int s);

static struct net_socket_stats st;

static unsigned limit(void)
{
    return st.limit && st.limit < MEMP_NUM_NETCONN ? st.limit : MEMP_NUM_NETCONN;
}

static bool room(void) { return st.taken + st.inflight < limit(); }

int __wrap_lwip_socket(int domain, int type, int protocol)
{
    int fd;
    if (!room()) {
        st.refused++;
        errno = ENFILE;
        return -1;
    }
    st.inflight++;
    fd = __real_lwip_socket(domain, type, protocol);
    st.inflight--;
    if (fd >= 0)
        st.taken++;
    return fd;
}

/* How often a server waiting in accept() for an entry looks again (ms), if no connection
 * comes meanwhile. */
#define ROOM_POLL_MS 20

/* No entry for it: take the connection that waits without a socket, and close it. */
static int refuse_waiting(struct netconn *listener)
{
    struct netconn *nc = NULL;
    err_t err = netconn_accept(listener, &nc);
    if (err != ERR_OK) {
        errno = err == ERR_WOULDBLOCK ? EWOULDBLOCK : err == ERR_CLSD ? EINVAL : err_to_errno(err);
        return -1;
    }
    netconn_delete(nc);
    st.refused++;
    errno = ENFILE;
    return -1;
}

int __wrap_lwip_accept(int s, struct sockaddr *addr, socklen_t *addrlen)
{
    int fd;
    /* No entry: refuse a connection that waits; else wait for one, or for an entry that a
     * close frees (then take the next connection as usual). */
    while (!room()) {
        struct lwip_sock *ls = lwip_socket_dbg_get_socket(s);
        if (!ls || !ls->conn) {
            errno = EBADF;
            return -1;
        }
        if (ls->rcvevent > 0)
            return refuse_waiting(ls->conn);
        if (netconn_is_nonblocking(ls->conn)) {
            errno = EWOULDBLOCK;
            return -1;
        }
        int rc = net_wait_readable(s, K_MSEC(ROOM_POLL_MS));
        if (rc != 0 && rc != -ETIMEDOUT) {
            errno = -rc;
            return -1;
        }
        /* readable with no connection waiting is an error on the listener: its accept
         * will say so once there is room; until then wait, do not spin */
        if (rc == 0 && ls->rcvevent <= 0 && (rc = k_sleep_ms(ROOM_POLL_MS)) < 0) {
            errno = -rc;
            return -1;
        }
    }
    st.inflight++;
    fd = __real_lwip_accept(s, addr, addrlen);
    st.inflight--;
    if (fd >= 0)
        st.taken++;
    return fd;
}

int __wrap_lwip_close(int s)
{
    int rc = __real_lwip_close(s);
    if (rc == 0)
        st.taken--;
    return rc;
}

const struct net_socket_stats *net_socket_stats(void)
{
    st.table = MEMP_NUM_NETCONN;
    return &st;
}

int net_socket_limit(unsigned n)
{
    if (n > MEMP_NUM_NETCONN)
        return -EINVAL;
    st.limit = n;
    return 0;
}
