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
 *    k_wait_fds() and resumes the ready ones. Sockets are non-blocking.
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
    int fd;
    bool used;
    k_chan_t out;                /* lines to send to this client */
    k_task_t *writer;
};

static struct chat_client clients[CHAT_MAX_CLIENTS];
static struct chat_stats chat_st;

const struct chat_stats *chat_stats(void) { return &chat_st; }

struct line { uint16_t len; char text[CHAT_LINE]; };

static void *chat_writer(void *arg)
{
    struct chat_client *c = arg;
    struct line l;
    while (k_chan_get(&c->out, &l, K_FOREVER) == 0) {
        if (lwip_send(c->fd, l.text, l.len, 0) < 0)
            break;
    }
    lwip_shutdown(c->fd, SHUT_RDWR);    /* wakes the reader if it still waits */
    return NULL;
}

static void broadcast(struct chat_client *from, const struct line *l)
{
    for (int i = 0; i < CHAT_MAX_CLIENTS; i++) {
        struct chat_client *c = &clients[i];
        if (!c->used || c == from || c->out.closed)
            continue;
        if (k_chan_put(&c->out, l, K_NO_WAIT) != 0) {
            chat_st.dropped_slow++;     /* it does not read: disconnect it */
            k_chan_close(&c->out);
        } else {
            chat_st.lines++;
        }
    }
}

static void *chat_reader(void *arg)
{
    struct chat_client *c = arg;
    struct line l = { 0, "" };
    char buf[128];

    for (;;) {
        ssize_t n = lwip_recv(c->fd, buf, sizeof(buf), 0);
        if (n <= 0)
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
    k_chan_close(&c->out);
    k_join(c->writer, K_FOREVER, NULL);
    lwip_close(c->fd);
    k_chan_free(&c->out);
    c->used = false;
    chat_st.clients--;
    return NULL;
}

static void *chat_server(void *arg)
{
    int ls = net_tcp_listen(CHAT_PORT, 4);
    (void)arg;
    if (ls < 0) {
        printf("chat: cannot listen on port %d: %s\n", CHAT_PORT, strerror(-ls));
        return NULL;
    }
    for (;;) {
        int fd = lwip_accept(ls, NULL, NULL), i;
        if (fd < 0) {
            k_sleep_ms(10);
            continue;
        }
        for (i = 0; i < CHAT_MAX_CLIENTS && clients[i].used; i++)
            ;
        if (i == CHAT_MAX_CLIENTS || k_chan_alloc(&clients[i].out, sizeof(struct line), 16) != 0) {
            static const char full[] = "chat: server full\n";
            lwip_send(fd, full, sizeof(full) - 1, 0);
            lwip_close(fd);
            chat_st.refused++;
            continue;
        }
        struct chat_client *c = &clients[i];
        c->fd = fd;
        c->writer = k_task_spawn("chat-out", chat_writer, c, 2048);
        k_task_t *r = c->writer ? k_task_spawn("chat-in", chat_reader, c, 2048) : NULL;
        if (!r) {
            if (c->writer) {
                k_chan_close(&c->out);
                k_join(c->writer, K_FOREVER, NULL);
            }
            k_chan_free(&c->out);
            lwip_close(fd);
            chat_st.refused++;
            continue;
        }
        k_task_detach(r);
        c->used = true;
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
    char buf[512];
    struct wait_req w = { fd, POLLIN };

    for (;;) {
        w.events = POLLIN;
        if (k_gen_yield(g, &w, NULL))
            break;
        ssize_t n = lwip_recv(fd, buf, sizeof(buf), 0);
        if (n == 0 || (n < 0 && errno != EWOULDBLOCK && errno != EAGAIN))
            break;
        for (ssize_t off = 0; n > 0 && off < n;) {
            w.events = POLLOUT;
            if (k_gen_yield(g, &w, NULL))
                goto done;
            ssize_t s = lwip_send(fd, buf + off, (size_t)(n - off), 0);
            if (s < 0 && errno != EWOULDBLOCK && errno != EAGAIN)
                goto done;
            if (s > 0)
                off += s;
        }
    }
done:
    lwip_close(fd);
    return NULL;
}

static struct select_stats sel_st;
const struct select_stats *select_stats(void) { return &sel_st; }

static void *select_server(void *arg)
{
    static k_gen_t *gens[SELECT_MAX_CONN];
    static struct wait_req *waits[SELECT_MAX_CONN];
    struct pollfd pfd[SELECT_MAX_CONN + 1];
    int ls = net_tcp_listen(SELECT_PORT, 4);
    (void)arg;

    if (ls < 0) {
        printf("selecho: cannot listen on port %d: %s\n", SELECT_PORT, strerror(-ls));
        return NULL;
    }
    lwip_fcntl(ls, F_SETFL, O_NONBLOCK);
    for (;;) {
        int n = 0, map[SELECT_MAX_CONN + 1];
        int free_slots = 0;
        for (int i = 0; i < SELECT_MAX_CONN; i++) {
            if (gens[i]) {
                pfd[n] = (struct pollfd){ .fd = waits[i]->fd, .events = waits[i]->events };
                map[n++] = i;
            } else {
                free_slots++;
            }
        }
        if (free_slots) {            /* accept only while there is room */
            pfd[n] = (struct pollfd){ .fd = ls, .events = POLLIN };
            map[n++] = -1;
        }
        sel_st.active = (uint32_t)(SELECT_MAX_CONN - free_slots);
        if (k_wait_fds(pfd, n, K_FOREVER) < 0) {
            k_sleep_ms(10);
            continue;
        }
        sel_st.wakeups++;
        for (int j = 0; j < n; j++) {
            if (!pfd[j].revents)
                continue;
            if (map[j] < 0) {
                int fd = lwip_accept(ls, NULL, NULL), i;
                if (fd < 0)
                    continue;
                lwip_fcntl(fd, F_SETFL, O_NONBLOCK);
                for (i = 0; i < SELECT_MAX_CONN && gens[i]; i++)
                    ;
                k_gen_t *g = k_gen_new(handle_client, (void *)(intptr_t)fd, 2048);
                void *w;
                if (!g || k_gen_next(g, &w) != K_GEN_YIELDED) {   /* runs to its first wait */
                    k_gen_free(g);
                    lwip_close(fd);
                    continue;
                }
                gens[i] = g;
                waits[i] = w;
                sel_st.accepted++;
            } else {
                int i = map[j];
                void *w;
                if (k_gen_next(gens[i], &w) == K_GEN_YIELDED) {
                    waits[i] = w;
                } else {
                    k_gen_free(gens[i]);      /* the connection ended */
                    gens[i] = NULL;
                }
            }
        }
    }
}

int servers_start(void)
{
    k_task_t *a = k_task_spawn("chat", chat_server, NULL, 3072);
    k_task_t *b = k_task_spawn("selecho", select_server, NULL, 4096);
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
    printf("echo tcp accepted=%u active=%u refused=%u errors=%u bytes=%u  udp datagrams=%u errors=%u\n",
           (unsigned)es->tcp_accepted, (unsigned)es->tcp_active, (unsigned)es->tcp_refused,
           (unsigned)es->tcp_errors, (unsigned)es->tcp_bytes, (unsigned)es->udp_datagrams,
           (unsigned)es->udp_errors);
    printf("chat accepted=%u clients=%u refused=%u lines=%u dropped_slow=%u\n",
           (unsigned)chat_st.accepted, (unsigned)chat_st.clients, (unsigned)chat_st.refused,
           (unsigned)chat_st.lines, (unsigned)chat_st.dropped_slow);
    printf("selecho accepted=%u active=%u wakeups=%u\n", (unsigned)sel_st.accepted,
           (unsigned)sel_st.active, (unsigned)sel_st.wakeups);
    return 0;
}
K_SHELL_CMD(servers, "servers", "- echo, chat and selector server counters", cmd_servers);
