/*
 * server.c - the HTTP/1.1 server of server.h: one task, one event loop, one generator per
 * connection.
 *
 * A connection's generator is written as straight-line blocking code (read a request,
 * answer it, read the next), but every socket call is non-blocking: where it would block,
 * the generator records what it waits for (POLLIN or POLLOUT, and a deadline) and yields
 * to the loop. The loop waits on every connection's socket and the listener at once
 * (net_wait_fds) for at most the time to the nearest deadline, then resumes the generators
 * whose sockets are ready or whose deadline passed. A socket error or a send timeout ends
 * the generator from wherever it is (k_gen_raise); the loop then closes and frees it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lwip/sockets.h"

#include "k.h"
#include "net.h"
#include "server.h"

#define HTTPD_IN 512            /* bytes read from the socket at a time */
#define HTTPD_OUT 1460          /* bytes of response buffered before a send (one segment) */
#define CHUNK_HEAD 6            /* "hhhh\r\n": a chunk's size line, zero-padded */
#define CHUNK_TAIL 7            /* "\r\n" after a chunk, and room for "0\r\n\r\n" */
#define HTTPD_OVERLOAD_MAX 8    /* connections at once taken on the heap's reserve only to
                                 * answer 503; past that, a reset */
#define HTTPD_LINGER_MS 1000    /* after a response that closes: read and drop what the
                                 * peer still sends for up to this long, then close (so the
                                 * close sends FIN, not a reset over unread data) */

struct http_server_timeouts http_server_timeouts = { .request_ms = 10000, .idle_ms = 15000,
                                                     .send_ms = 30000 };

struct http_conn {
    k_gen_t *g;
    int fd;
    short events;               /* what the generator waits for (0: only its deadline) */
    bool timed_out;             /* resumed because the deadline passed */
    bool overload;              /* taken on the reserve: answer 503 and close */
    uint64_t deadline;          /* ms; 0: none */
    /* the response being written */
    bool head_only, chunked, close_after;
    int chunk_at;               /* offset of the open chunk's size line in out, or -1 */
    void *scratch;
    uint16_t in_len, in_off, out_len;
    char in[HTTPD_IN];
    char out[HTTPD_OUT];
    struct http_req req;
};

static struct http_server_stats st;
static const struct http_server_config *config;
static unsigned overload_now;

const struct http_server_stats *http_server_stats(void) { return &st; }

/* --- inside a connection's generator --------------------------------------------------- */

/* Wait (yield to the loop) until the socket is ready for events, or deadline (0: none).
 * @return 0 (ready) or -ETIMEDOUT. */
static int conn_wait(struct http_conn *c, short events, uint64_t deadline)
{
    c->events = events;
    c->deadline = deadline;
    c->timed_out = false;
    if (k_gen_yield(c->g, NULL, NULL) != 0)
        k_gen_raise(c->g, -ECANCELED);      /* closed by the loop */
    return c->timed_out ? -ETIMEDOUT : 0;
}

/* The connection cannot go on: end the generator here (the loop closes the socket). */
static void conn_drop(struct http_conn *c, int err) __attribute__((noreturn));
static void conn_drop(struct http_conn *c, int err)
{
    st.dropped++;
    k_gen_raise(c->g, err);
}

static void send_all(struct http_conn *c, const void *data, size_t len)
{
    const char *p = data;
    uint64_t deadline = k_uptime_ms() + http_server_timeouts.send_ms;
    while (len) {
        ssize_t n = lwip_send(c->fd, p, len, MSG_DONTWAIT);
        if (n > 0) {
            p += n;
            len -= (size_t)n;
            st.bytes_out += (uint64_t)n;
            deadline = k_uptime_ms() + http_server_timeouts.send_ms;
        } else if (n < 0 && (errno == EWOULDBLOCK || errno == EAGAIN)) {
            if (conn_wait(c, POLLOUT, deadline) != 0)
                conn_drop(c, -ETIMEDOUT);       /* the peer does not read */
        } else {
            conn_drop(c, -EIO);
        }
    }
}

/* Read what the socket has into c->in (which is empty), waiting until deadline.
 * @return bytes read, 0 at EOF, -ETIMEDOUT. A socket error drops the connection. */
static int conn_recv(struct http_conn *c, uint64_t deadline)
{
    for (;;) {
        ssize_t n = lwip_recv(c->fd, c->in, sizeof(c->in), MSG_DONTWAIT);
        if (n >= 0) {
            c->in_off = 0;
            c->in_len = (uint16_t)n;
            return (int)n;
        }
        if (errno != EWOULDBLOCK && errno != EAGAIN)
            conn_drop(c, -EIO);
        if (conn_wait(c, POLLIN, deadline) != 0)
            return -ETIMEDOUT;
    }
}

static void flush(struct http_conn *c)
{
    if (c->chunk_at >= 0) {
        int len = c->out_len - c->chunk_at - CHUNK_HEAD;
        if (len == 0) {
            c->out_len = (uint16_t)c->chunk_at;         /* an empty chunk would end the body */
        } else {
            char *h = c->out + c->chunk_at;         /* "hhhh\r\n": len < HTTPD_OUT */
            for (int k = 0; k < 4; k++)
                h[k] = "0123456789abcdef"[(len >> (12 - 4 * k)) & 15];
            h[4] = '\r';
            h[5] = '\n';
            c->out[c->out_len++] = '\r';
            c->out[c->out_len++] = '\n';
        }
        c->chunk_at = -1;
    }
    if (c->out_len)
        send_all(c, c->out, c->out_len);
    c->out_len = 0;
}

/* Room for body bytes in c->out (opening a chunk if the body is chunked); flushes first if
 * there is less than `want`. */
static size_t body_room(struct http_conn *c, size_t want)
{
    size_t tail = c->chunked ? CHUNK_TAIL : 0;
    if (c->chunked && c->chunk_at < 0) {
        if (c->out_len + CHUNK_HEAD + tail + want > sizeof(c->out))
            flush(c);
        c->chunk_at = c->out_len;
        c->out_len += CHUNK_HEAD;
    }
    if (c->out_len + tail + want > sizeof(c->out)) {
        flush(c);
        return body_room(c, want);
    }
    return sizeof(c->out) - c->out_len - tail;
}

/* Status line and header fields into c->out. length: Content-Length; -1 for a streamed
 * body (chunked, or close-delimited for HTTP/1.0); -2 for none at all (304). */
static void write_head(struct http_conn *c, const struct http_req *req, int status,
                       const char *type, int64_t length, const char *extra)
{
    if (c->out_len)
        flush(c);                               /* (nothing is pending between answers) */
    if (status >= 400 && status != 404 && status != 405)
        c->close_after = true;
    if (req->conn_close || (req->minor == 0 && !req->conn_keep_alive))
        c->close_after = true;
    c->chunked = length == -1 && req->minor >= 1;
    if (length == -1 && !c->chunked)
        c->close_after = true;                  /* HTTP/1.0: the close ends the body */
    if (status >= 200 && status < 600)
        st.status[status / 100]++;
    char length_field[40] = "";
    if (length >= 0)
        snprintf(length_field, sizeof(length_field), "Content-Length: %lu\r\n",
                 (unsigned long)length);
    int n = snprintf(c->out, sizeof(c->out),
                     "HTTP/1.1 %d %s\r\nServer: kernel-httpd\r\n%s%s%s%s%s%s%s\r\n", status,
                     http_reason(status), type ? "Content-Type: " : "", type ? type : "",
                     type ? "\r\n" : "", length_field,
                     c->chunked ? "Transfer-Encoding: chunked\r\n" : "",
                     c->close_after ? "Connection: close\r\n"
                                    : req->minor == 0 ? "Connection: keep-alive\r\n" : "",
                     extra ? extra : "");
    /* the head always fits: the longest (type, extra) any caller passes is under 300 bytes */
    c->out_len = (uint16_t)(n > 0 && (size_t)n < sizeof(c->out) ? n : 0);
    c->head_only = req->method == HTTP_M_HEAD || status == 304;
}

int http_send_file(struct http_conn *c, const struct http_req *req, const struct http_file *f)
{
    char extra[96];
    bool not_modified = req->if_none_match[0] && !req->if_none_match_cut &&
                        http_etag_match(req->if_none_match, f->etag);
    snprintf(extra, sizeof(extra), "ETag: %s\r\nCache-Control: no-cache\r\n", f->etag);
    if (not_modified) {
        write_head(c, req, 304, NULL, -2, extra);      /* -2: neither body nor framing */
        flush(c);
        return 0;
    }
    write_head(c, req, 200, f->type, f->size, extra);
    if (!c->head_only) {
        size_t first = f->size;
        if (first > sizeof(c->out) - c->out_len)
            first = sizeof(c->out) - c->out_len;
        memcpy(c->out + c->out_len, f->data, first);
        c->out_len += (uint16_t)first;
        flush(c);
        if (f->size > first)
            send_all(c, f->data + first, f->size - first);
    }
    flush(c);
    return 0;
}

int http_error(struct http_conn *c, const struct http_req *req, int status, const char *why)
{
    char body[160];
    int n = snprintf(body, sizeof(body), "%d %s%s%s\n", status, http_reason(status),
                     why ? ": " : "", why ? why : "");
    if (n < 0 || (size_t)n >= sizeof(body))
        n = (int)strlen(body);
    write_head(c, req, status, "text/plain; charset=utf-8", n,
               status == 405 ? "Allow: GET, HEAD\r\n" : status == 503 ? "Retry-After: 1\r\n" : "");
    if (!c->head_only) {
        memcpy(c->out + c->out_len, body, (size_t)n);   /* a head fits in out with room */
        c->out_len += (uint16_t)n;
    }
    flush(c);
    return 0;
}

int http_begin(struct http_conn *c, const struct http_req *req, const char *type, const char *extra)
{
    write_head(c, req, 200, type, -1, extra);
    return 0;
}

int http_write(struct http_conn *c, const void *data, size_t len)
{
    const char *p = data;
    if (c->head_only)
        return 0;
    while (len) {
        size_t room = body_room(c, 1);
        size_t k = len < room ? len : room;
        memcpy(c->out + c->out_len, p, k);
        c->out_len += (uint16_t)k;
        p += k;
        len -= k;
    }
    return 0;
}

int http_printf(struct http_conn *c, const char *fmt, ...)
{
    char buf[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    if (n < 0)
        return -EINVAL;
    return http_write(c, buf, (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
}

int http_json_string(struct http_conn *c, const char *s)
{
    char buf[64];
    size_t n = 0;
    buf[n++] = '"';
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (n > sizeof(buf) - 8) {
            http_write(c, buf, n);
            n = 0;
        }
        if (ch == '"' || ch == '\\') {
            buf[n++] = '\\';
            buf[n++] = (char)ch;
        } else if (ch < 0x20) {
            n += (size_t)snprintf(buf + n, sizeof(buf) - n, "\\u%04x", ch);
        } else {
            buf[n++] = (char)ch;
        }
    }
    buf[n++] = '"';
    return http_write(c, buf, n);
}

int http_end(struct http_conn *c)
{
    if (c->chunked && !c->head_only) {
        flush(c);
        memcpy(c->out, "0\r\n\r\n", 5);
        c->out_len = 5;
    }
    flush(c);
    return 0;
}

void *http_scratch(struct http_conn *c, size_t size)
{
    free(c->scratch);
    c->scratch = malloc(size);
    return c->scratch;
}

/* After the last response: stop sending, then read and drop until the peer closes (or
 * HTTPD_LINGER_MS), so that our close does not reset a connection with unread data. */
static void linger(struct http_conn *c)
{
    uint64_t deadline = k_uptime_ms() + HTTPD_LINGER_MS;
    lwip_shutdown(c->fd, SHUT_WR);
    while (conn_recv(c, deadline) > 0)
        ;
}

/* Read and drop a request body of len bytes. @return 0, or -ETIMEDOUT / -EPIPE (EOF). */
static int skip_body(struct http_conn *c, int64_t len, uint64_t deadline)
{
    while (len > 0) {
        if (c->in_off == c->in_len) {
            int n = conn_recv(c, deadline);
            if (n <= 0)
                return n == 0 ? -EPIPE : n;
        }
        size_t k = c->in_len - c->in_off;
        if ((int64_t)k > len)
            k = (size_t)len;
        c->in_off += (uint16_t)k;
        len -= (int64_t)k;
    }
    return 0;
}

static void *conn_main(k_gen_t *g, void *arg)
{
    struct http_conn *c = arg;
    struct http_req *r = &c->req;
    char path[HTTPD_TARGET_MAX + 1];
    (void)g;

    for (;;) {
        uint64_t deadline = k_uptime_ms() + http_server_timeouts.idle_ms;
        http_req_init(r);
        c->close_after = c->chunked = c->head_only = false;
        c->chunk_at = -1;
        while (r->state == HTTP_REQ_PARSING) {
            if (c->in_off == c->in_len) {
                int n = conn_recv(c, deadline);
                if (n == 0)
                    return NULL;                        /* the peer closed: done */
                if (n < 0) {
                    st.timeouts++;
                    if (!r->started)
                        return NULL;                    /* idle keep-alive: just close */
                    st.requests++;
                    http_error(c, r, 408, "the request did not come in time");
                    linger(c);
                    return NULL;
                }
            }
            bool was_started = r->started;
            c->in_off += (uint16_t)http_req_feed(r, c->in + c->in_off, c->in_len - c->in_off);
            if (r->started && !was_started)
                deadline = k_uptime_ms() + http_server_timeouts.request_ms;
        }
        st.requests++;
        if (r->state == HTTP_REQ_ERROR) {
            http_error(c, r, r->status, r->error);
            linger(c);
            return NULL;
        }
        if (c->overload) {
            http_error(c, r, 503, "out of memory");
            linger(c);
            return NULL;
        }
        if (r->transfer_encoding) {
            http_error(c, r, 411, "send the body with a Content-Length");
            linger(c);
            return NULL;
        }
        if (r->content_length > HTTPD_BODY_MAX) {
            http_error(c, r, 413, "the body is over 1024 bytes");
            linger(c);
            return NULL;
        }
        if (r->content_length > 0) {
            int rc = skip_body(c, r->content_length, k_uptime_ms() + http_server_timeouts.request_ms);
            if (rc == -EPIPE)
                return NULL;
            if (rc) {
                st.timeouts++;
                http_error(c, r, 408, "the body did not come in time");
                linger(c);
                return NULL;
            }
        }
        if (r->method != HTTP_M_GET && r->method != HTTP_M_HEAD)
            http_error(c, r, 405, NULL);
        else if (http_target_path(r->target, path, sizeof(path)) != 0)
            http_error(c, r, 400, "bad request-target");
        else if (config->handler(c, r, path) != 0)
            return NULL;
        free(c->scratch);
        c->scratch = NULL;
        if (c->close_after) {
            linger(c);
            return NULL;
        }
    }
}

/* --- the server's task: accept, and resume the ready connections --------------------- */

/* items: struct http_conn *, one per connection; pfd[n] is the listener's entry */
static struct net_conn_table tab = { .item_size = sizeof(struct http_conn *) };
#define CONN(i) (((struct http_conn **)tab.items)[i])

static void conn_end(unsigned i)
{
    struct http_conn *c = CONN(i);
    size_t peak = k_gen_stack_peak(c->g);
    if (peak > st.stack_peak)
        st.stack_peak = (uint32_t)peak;
    k_gen_free(c->g);
    lwip_close(c->fd);
    if (c->overload)
        overload_now--;
    free(c->scratch);
    free(c);
    CONN(i) = CONN(--tab.n);
    st.active--;
}

/* Run connection i's generator until it waits; end it if it finished. */
static void conn_resume(unsigned i)
{
    if (k_gen_next(CONN(i)->g, NULL) != K_GEN_YIELDED)
        conn_end(i);
}

static void accept_some(int ls)
{
    for (int k = 0; k < 64; k++) {
        int fd = lwip_accept(ls, NULL, NULL);
        if (fd < 0) {
            if (net_accept_refused()) {
                st.refused++;                    /* the table was full: closed unserved */
                continue;                        /* others may wait: refuse them too */
            }
            return;
        }
        bool admit = net_conn_admit();
        struct http_conn *c = NULL;
        if ((admit || overload_now < HTTPD_OVERLOAD_MAX) && net_table_reserve(&tab))
            c = malloc(sizeof(*c));
        if (c) {
            memset(c, 0, offsetof(struct http_conn, in));
            c->fd = fd;
            c->overload = !admit;
            c->g = k_gen_new(conn_main, c, HTTPD_STACK);
        }
        if (!c || !c->g) {
            free(c);
            st.refused++;
            net_conn_refuse(fd);                 /* not even room to say 503 */
            continue;
        }
        net_conn_accepted(fd);
        int one = 1;
        lwip_fcntl(fd, F_SETFL, O_NONBLOCK);
        lwip_setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
        if (c->overload) {
            overload_now++;
            st.refused++;
        }
        st.accepted++;
        CONN(tab.n++) = c;
        if (++st.active > st.peak)
            st.peak = st.active;
        conn_resume(tab.n - 1);
    }
}

static void *server_task(void *arg)
{
    int ls = (int)(intptr_t)arg;
    uint64_t next_tick = config->tick ? k_uptime_ms() + config->tick_ms : UINT64_MAX;

    for (;;) {
        uint64_t now = k_uptime_ms(), wake = next_tick;
        unsigned n = tab.n;
        struct pollfd *pfd = tab.pfd;
        for (unsigned i = 0; i < n; i++) {
            struct http_conn *c = CONN(i);
            pfd[i] = (struct pollfd){ .fd = c->fd, .events = c->events };
            if (c->deadline && c->deadline < wake)
                wake = c->deadline;
        }
        pfd[n] = (struct pollfd){ .fd = ls, .events = POLLIN };
        k_timeout_t timeout = wake == UINT64_MAX ? K_FOREVER
                              : wake <= now    ? K_NO_WAIT
                                               : K_MSEC(wake - now);
        int rc = net_wait_fds(pfd, (int)n + 1, timeout);
        if (rc < 0 && rc != -ETIMEDOUT && rc != -EAGAIN) {
            k_sleep_ms(10);
            continue;
        }
        now = k_uptime_ms();
        /* conn_end() moves the last entry into a freed slot: walk down from the top */
        for (unsigned i = n; i-- > 0;) {
            struct http_conn *c = CONN(i);
            if (rc > 0 && pfd[i].revents) {
                conn_resume(i);
            } else if (c->deadline && now >= c->deadline) {
                c->timed_out = true;
                conn_resume(i);
            }
        }
        if (rc > 0 && pfd[n].revents)
            accept_some(ls);
        net_table_shrink(&tab);
        if (now >= next_tick) {
            config->tick(now);
            next_tick = now + config->tick_ms;
        }
    }
    return NULL;
}

int http_server_start(const struct http_server_config *cfg)
{
    int ls = net_tcp_listen(cfg->port, HTTPD_BACKLOG);
    if (ls < 0)
        return ls;
    lwip_fcntl(ls, F_SETFL, O_NONBLOCK);
    config = cfg;
    k_task_t *t = net_table_reserve(&tab)
                      ? k_task_spawn("httpd", server_task, (void *)(intptr_t)ls, SERVER_STACK)
                      : NULL;
    if (!t) {
        lwip_close(ls);                          /* no listener left behind */
        return -ENOMEM;
    }
    k_task_detach(t);
    return 0;
}

/* `httpd [request_ms idle_ms send_ms]`: counters, and the timeouts. */
static int cmd_httpd(int argc, char **argv)
{
    if (argc == 4) {
        unsigned long v[3];
        for (int i = 0; i < 3; i++) {
            char *end;
            v[i] = strtoul(argv[i + 1], &end, 10);
            if (*end || end == argv[i + 1] || argv[i + 1][0] == '-' || v[i] < 100 || v[i] > 3600000) {
                printf("httpd: timeouts are 100..3600000 ms\n");
                return -EINVAL;
            }
        }
        http_server_timeouts = (struct http_server_timeouts){ (uint32_t)v[0], (uint32_t)v[1],
                                                              (uint32_t)v[2] };
    } else if (argc != 1) {
        printf("usage: httpd [request_ms idle_ms send_ms]\n");
        return -EINVAL;
    }
    printf("httpd port=%u accepted=%u active=%u peak=%u refused=%u requests=%u\n",
           config ? (unsigned)config->port : 0u, (unsigned)st.accepted, (unsigned)st.active,
           (unsigned)st.peak, (unsigned)st.refused, (unsigned)st.requests);
    char b[21];
    printf("  responses 2xx=%u 3xx=%u 4xx=%u 5xx=%u  timeouts=%u dropped=%u bytes_out=%s\n",
           (unsigned)st.status[2], (unsigned)st.status[3], (unsigned)st.status[4],
           (unsigned)st.status[5], (unsigned)st.timeouts, (unsigned)st.dropped,
           k_u64_str(b, st.bytes_out));
    printf("  timeouts: request=%u ms idle=%u ms send=%u ms  stack=%u stack_peak=%u table=%u\n",
           (unsigned)http_server_timeouts.request_ms, (unsigned)http_server_timeouts.idle_ms,
           (unsigned)http_server_timeouts.send_ms, (unsigned)HTTPD_STACK, (unsigned)st.stack_peak, tab.cap);
    return 0;
}
K_SHELL_CMD(httpd, "httpd", "[request_ms idle_ms send_ms] - HTTP server counters and timeouts", cmd_httpd);
