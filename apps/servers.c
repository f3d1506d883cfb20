/*
 * servers.c - two more of the seeds' servers:
 *  - chat (port 8000, the seeds' socket_server.py): every line a client sends goes to all
 *    other clients. One reader task per client; each client also has a writer task fed by
 *    a bounded channel, so a client that stops reading cannot block the others: when its
 *    channel is full it is disconnected (counted), never silently skipped. "logout" ends a
 *    session.
 *  - selector echo (port 55555, the seeds' EventLoopIo): ONE task runs an event loop over
 *    generators, one generator per connection. A generator yields what it waits for
 *    (a socket and POLLIN/POLLOUT); the loop waits on all of them at once with
 *    net_wait_fds() and resumes the ready ones. Sockets are non-blocking.
 */
#include <stdio.h>
#include <string.h>

#include "lwip/sockets.h"

#include "k.h"
#include "net.h"
#include "echo.h"
#include "servers.h"

/* --- chat ----------------------------------------------------------------------------- */

#define CHAT_LINE 256

struct chat_client {
    struct chat_client *next;    /* the list of clients, newest first */
    uint32_t got;                /* sequence number of the last line queued to it */
    int fd;
    k_chan_t out;                /* lines to send to this client */
    k_task_t *writer, *reader;
    bool out_done;               /* the writer has ended: the reader ends too */
};

static struct chat_client *clients;     /* no fixed limit: the heap is (net_conn_admit) */
static uint32_t chat_generation;        /* bumped whenever a client leaves the list */
static uint32_t chat_seq;               /* lines broadcast so far */
static struct chat_stats chat_st;

const struct chat_stats *chat_stats(void) { return &chat_st; }

struct line { uint16_t len; char text[CHAT_LINE]; };

static void *chat_writer(void *arg)
{
    struct chat_client *c = arg;
    struct line l;
    while (k_chan_get(&c->out, &l, K_FOREVER) == 0) {
        ssize_t n = 0;
        /* all of the line; a send that times out (SO_SNDTIMEO) may have sent a part */
        for (uint16_t off = 0; off < l.len && n >= 0; off += (uint16_t)n)
            n = lwip_send(c->fd, l.text + off, l.len - off, 0);
        if (n < 0)
            break;
    }
    /* Wake the reader by cancelling its wait, not by shutting the socket down under it:
     * lwIP frees a connection's receive mailbox on shutdown(SHUT_RD), even while another
     * task waits in recv() on it. */
    c->out_done = true;
    if (c->reader)
        k_task_cancel(c->reader);
    return NULL;
}

/* Queue a line to every other client. A full queue makes the sender wait (TCP pushes back
 * on a client that sends faster than the others read) for up to CHAT_SLOW; a client
 * whose queue stays full that long does not read and is disconnected (counted), never
 * silently skipped. While we wait, clients may leave (and be freed): the walk then starts
 * again from the head, skipping those that have this line already. */
static void broadcast(struct chat_client *from, const struct line *l)
{
    uint32_t seq = ++chat_seq;
restart:
    for (struct chat_client *c = clients; c; c = c->next) {
        uint32_t gen = chat_generation;
        int rc;
        if (c == from || c->out.closed || c->got == seq)
            continue;
        rc = k_chan_put(&c->out, l, K_NO_WAIT);
        if (rc == -EAGAIN)
            rc = k_chan_put(&c->out, l, CHAT_SLOW);
        if (gen != chat_generation || rc == -ECANCELED)
            goto restart;               /* c may be gone: do not touch it; or our own
                                         * writer ended (delivered once): go on */
        c->got = seq;
        if (rc == 0) {
            chat_st.lines++;
        } else if (rc == -ETIMEDOUT) {
            chat_st.dropped_slow++;     /* it does not read: disconnect it */
            k_chan_close(&c->out);
        }
    }
}

/* After the channel's close: a broadcaster woken by it (-EPIPE) may not have run yet; it
 * touches neither the channel nor c when it does (the kernel's lifetime rule), but the
 * channel may be freed only once it has (k_chan_busy). It is on the ready queue: the wait
 * is bounded by one round of the ready tasks. */
static void chat_free(struct chat_client *c)
{
    while (k_chan_busy(&c->out))
        k_yield();
    k_chan_free(&c->out);
    free(c);
}

static void *chat_reader(void *arg)
{
    struct chat_client *c = arg;
    struct line l = { 0, "" };
    char buf[128];

    while (!c->out_done) {
        ssize_t n;
        int rc = net_wait_readable(c->fd, K_FOREVER);   /* the writer cancels it when it ends */
        if (rc == -ECANCELED)
            continue;
        if (rc != 0)
            break;
        n = lwip_recv(c->fd, buf, sizeof(buf), MSG_DONTWAIT);
        if (n == 0 || (n < 0 && errno != EWOULDBLOCK && errno != EAGAIN))
            break;
        for (ssize_t i = 0; i < n; i++) {
            l.text[l.len++] = buf[i];
            if (buf[i] == '\n' || l.len == CHAT_LINE) {
                if (l.len >= 6 && !strncmp(l.text, "logout", 6) && (l.len == 6 || l.text[6] == '\n' || l.text[6] == '\r'))
                    goto out;
                broadcast(c, &l);
                l.len = 0;
            }
        }
    }
out:
    k_cancel_shield(true);              /* the writer's cancel must not cut this join */
    k_chan_close(&c->out);
    k_join(c->writer, K_FOREVER, NULL);
    k_cancel_shield(false);
    lwip_close(c->fd);
    for (struct chat_client **p = &clients; *p; p = &(*p)->next)
        if (*p == c) {
            *p = c->next;
            break;
        }
    chat_generation++;
    chat_free(c);
    chat_st.clients--;
    return NULL;
}

static void *chat_server(void *arg)
{
    int ls = net_tcp_listen(CHAT_PORT, 16);
    (void)arg;
    if (ls < 0) {
        printf("chat: cannot listen on port %d: %s\n", CHAT_PORT, strerror(-ls));
        return NULL;
    }
    for (;;) {
        int fd = lwip_accept(ls, NULL, NULL);
        if (fd < 0) {
            if (net_accept_refused())
                chat_st.refused++;              /* no socket: lwIP dropped it */
            k_sleep_ms(10);
            continue;
        }
        struct chat_client *c = net_conn_admit() ? calloc(1, sizeof(*c)) : NULL;
        if (c && k_chan_alloc(&c->out, sizeof(struct line), CHAT_QUEUE) != 0) {
            free(c);
            c = NULL;
        }
        if (c) {
            /* a client that does not read: its writer's send gives up after CHAT_SLOW
             * (lwIP's SO_SNDTIMEO), the writer ends and the client is disconnected */
            struct timeval slow = { CHAT_SLOW.ms / 1000, CHAT_SLOW.ms % 1000 * 1000 };
            c->fd = fd;
            lwip_setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &slow, sizeof(slow));
            c->writer = k_task_spawn("chat-out", chat_writer, c, CHAT_STACK);
        }
        k_task_t *r = c && c->writer ? k_task_spawn("chat-in", chat_reader, c, CHAT_STACK) : NULL;
        if (c)
            c->reader = r;
        if (!r) {
            if (c && c->writer) {
                k_chan_close(&c->out);
                k_join(c->writer, K_FOREVER, NULL);
            }
            if (c)
                chat_free(c);
            net_conn_refuse(fd);
            chat_st.refused++;
            continue;
        }
        net_conn_accepted(fd);
        k_task_detach(r);
        c->next = clients;
        clients = c;
        chat_st.clients++;
        chat_st.accepted++;
    }
}

/* --- selector echo: generators + one event loop ------------------------------------------ */

struct wait_req { int fd; short events; };

/* def handle_client(sock): while True: yield 'wait_read', sock; data = sock.recv(4096);
 *   if not data: break; yield 'wait_write', sock; sock.sendall(data) */
static void *handle_client(k_gen_t *g, void *arg)
{
    int fd = (int)(intptr_t)arg;
    char buf[SELECT_BUF];
    struct wait_req w = { fd, POLLIN };

    for (;;) {
        w.events = POLLIN;
        if (k_gen_yield(g, &w, NULL))
            break;
        ssize_t n = lwip_recv(fd, buf, sizeof(buf), 0);
        if (n == 0 || (n < 0 && errno != EWOULDBLOCK && errno != EAGAIN))
            break;
        for (ssize_t off = 0; n > 0 && off < n;) {
            ssize_t s = lwip_send(fd, buf + off, (size_t)(n - off), 0);
            if (s < 0 && errno != EWOULDBLOCK && errno != EAGAIN)
                goto done;
            if (s > 0)
                off += s;
            if (off < n) {           /* the send buffer is full: wait until it drains */
                w.events = POLLOUT;
                if (k_gen_yield(g, &w, NULL))
                    goto done;
            }
        }
    }
done:
    lwip_close(fd);
    return NULL;
}

static struct select_stats sel_st;
const struct select_stats *select_stats(void) { return &sel_st; }

/* The loop's tables grow with the number of connections, so the only limit is the heap:
 * item i is connection i, pfd[i] its poll entry; pfd[n] is the listener. */
struct sel_conn { k_gen_t *g; struct wait_req *w; };
static struct net_conn_table tab = { .item_size = sizeof(struct sel_conn) };
#define CONN(i) (((struct sel_conn *)tab.items)[i])

static void sel_end(unsigned i)
{
    size_t peak = k_gen_stack_peak(CONN(i).g);
    if (peak > sel_st.stack_peak)
        sel_st.stack_peak = (uint32_t)peak;
    k_gen_free(CONN(i).g);               /* the connection ended */
    CONN(i) = CONN(--tab.n);             /* the last one takes its place */
}

/* Take the connections waiting on the listener, at most 64 a wake-up (the others keep). */
static void sel_accept(int ls)
{
    for (int k = 0; k < 64; k++) {
        int fd = lwip_accept(ls, NULL, NULL);
        if (fd < 0 && net_accept_refused()) {
            sel_st.refused++;                /* no socket: lwIP dropped that one */
            continue;
        }
        if (fd < 0)
            return;                          /* EWOULDBLOCK: no more */
        k_gen_t *g = NULL;
        k_result_t w;
        if (net_conn_admit() && net_table_reserve(&tab))
            g = k_gen_new(handle_client, (void *)(intptr_t)fd, SELECT_STACK);
        if (!g) {
            sel_st.refused++;
            net_conn_refuse(fd);
            continue;
        }
        net_conn_accepted(fd);
        lwip_fcntl(fd, F_SETFL, O_NONBLOCK);
        if (k_gen_next(g, &w) != K_GEN_YIELDED) {   /* runs to its first wait */
            k_gen_free(g);
            continue;
        }
        CONN(tab.n++) = (struct sel_conn){ g, w.value };
        sel_st.accepted++;
        if (tab.n > sel_st.peak)
            sel_st.peak = tab.n;
    }
}

static void *select_server(void *arg)
{
    int ls = net_tcp_listen(SELECT_PORT, SELECT_BACKLOG);
    (void)arg;

    if (ls < 0 || !net_table_reserve(&tab)) {
        printf("selecho: cannot listen on port %d: %s\n", SELECT_PORT,
               strerror(ls < 0 ? -ls : ENOMEM));
        if (ls >= 0)
            lwip_close(ls);                      /* no listener left behind */
        return NULL;
    }
    lwip_fcntl(ls, F_SETFL, O_NONBLOCK);
    for (;;) {
        unsigned n = tab.n;
        struct pollfd *pfd = tab.pfd;
        for (unsigned i = 0; i < n; i++)
            pfd[i] = (struct pollfd){ .fd = CONN(i).w->fd, .events = CONN(i).w->events };
        pfd[n] = (struct pollfd){ .fd = ls, .events = POLLIN };
        sel_st.active = n;
        if (net_wait_fds(pfd, (int)n + 1, K_FOREVER) < 0) {
            k_sleep_ms(10);
            continue;
        }
        sel_st.wakeups++;
        /* Resume the ready ones; sel_end() moves the last entry into a freed slot, so walk
         * down from the top: every entry moved has been looked at already. */
        for (unsigned i = n; i-- > 0;) {
            k_result_t w;
            if (!pfd[i].revents)
                continue;
            if (k_gen_next(CONN(i).g, &w) == K_GEN_YIELDED)
                CONN(i).w = w.value;
            else
                sel_end(i);
        }
        if (pfd[n].revents)
            sel_accept(ls);
        net_table_shrink(&tab);
    }
}

int servers_start(void)
{
    k_task_t *a = k_task_spawn("chat", chat_server, NULL, SERVER_STACK);
    k_task_t *b = k_task_spawn("selecho", select_server, NULL, SERVER_STACK);
    if (a)
        k_task_detach(a);
    if (b)
        k_task_detach(b);
    return a && b ? 0 : -ENOMEM;
}

/* `servers`: what the echo, chat and selector servers have done. */
static int cmd_servers(int argc, char **argv)
{
    const struct echo_stats *es = echo_stats();
    (void)argc;
    (void)argv;
    printf("echo tcp accepted=%u active=%u peak=%u refused=%u errors=%u bytes=%u  udp datagrams=%u errors=%u\n",
           (unsigned)es->tcp_accepted, (unsigned)es->tcp_active, (unsigned)es->tcp_peak, (unsigned)es->tcp_refused,
           (unsigned)es->tcp_errors, (unsigned)es->tcp_bytes, (unsigned)es->udp_datagrams,
           (unsigned)es->udp_errors);
    printf("chat accepted=%u clients=%u refused=%u lines=%u dropped_slow=%u\n",
           (unsigned)chat_st.accepted, (unsigned)chat_st.clients, (unsigned)chat_st.refused,
           (unsigned)chat_st.lines, (unsigned)chat_st.dropped_slow);
    printf("selecho accepted=%u active=%u peak=%u table=%u refused=%u wakeups=%u stack=%u stack_peak=%u\n",
           (unsigned)sel_st.accepted, (unsigned)sel_st.active, (unsigned)sel_st.peak, tab.cap,
           (unsigned)sel_st.refused, (unsigned)sel_st.wakeups, (unsigned)SELECT_STACK,
           (unsigned)sel_st.stack_peak);
    return 0;
}
K_SHELL_CMD(servers, "servers", "- echo, chat and selector server counters", cmd_servers);
