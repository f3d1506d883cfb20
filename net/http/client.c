/*
 * client.c - HTTP/1.1 GET over lwIP sockets: DNS, non-blocking connect bounded by a
 * timeout, request, response through the incremental parser and, for a gzip or deflate
 * body, the decoder (coding.c), redirects.
 * One socket per request, closed on every path; the receive buffer is on the stack.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lwip/api.h"
#include "lwip/netdb.h"
#include "lwip/sockets.h"

#include "http.h"
#include "tls.h"
#include "k.h"
#include "net.h"

#define RECV_BUF 1024

struct fetch {
    const struct http_request *req;
    uint64_t deadline;          /* k_uptime_ms() at which the whole fetch times out;
                                 * UINT64_MAX: never (total_timeout K_FOREVER) */
    bool deliver;               /* pass the body to the caller (not for redirects) */
    struct http_parser parser;
    struct http_decoder *dec;   /* a gzip or deflate body's decoder, for this exchange */
    int dec_err;                /* why the decoder stopped the parser */
    uint64_t decoded;           /* bytes the decoder passed on */
};

/* Whether the whole fetch's time is up. */
static bool expired(const struct fetch *f) { return k_uptime_ms() >= f->deadline; }

/* What to wait now: the shorter of t and what is left of the whole fetch's time. */
static k_timeout_t wait_budget(const struct fetch *f, k_timeout_t t)
{
    uint64_t now = k_uptime_ms(), left;
    if (f->deadline == UINT64_MAX)
        return t;
    left = now >= f->deadline ? 0 : f->deadline - now;
    return K_TIMEOUT_EQ(t, K_FOREVER) || (uint64_t)t.ms > left ? K_MSEC(left) : t;
}

static int map_errno(int e)
{
    switch (e) {
    case ECONNREFUSED: return HTTP_ERR_REFUSED;
    case ECONNRESET: return HTTP_ERR_RESET;
    case ECONNABORTED: return HTTP_ERR_RESET;
    case EHOSTUNREACH:
    case ENETUNREACH: return HTTP_ERR_UNREACHABLE;
    case ETIMEDOUT: return HTTP_ERR_TIMEOUT;
    case ENOMEM:
    case ENOBUFS: return HTTP_ERR_NOMEM;
    case ENFILE: return HTTP_ERR_NO_SOCKET;
    }
    return HTTP_ERR_IO;
}

/* Wait for `events` on s within the budget, through the kernel's readiness wait (so a
 * cancelled task is told apart from a timeout). Returns 0, HTTP_ERR_TIMEOUT,
 * HTTP_ERR_CANCELLED or HTTP_ERR_IO. */
static int wait_for(struct fetch *f, int s, short events, k_timeout_t t)
{
    struct pollfd pfd = { .fd = s, .events = events };
    int rc;
    if (expired(f))
        return HTTP_ERR_TIMEOUT;
    rc = net_wait_fds(&pfd, 1, wait_budget(f, t));
    if (rc > 0)
        return 0;
    if (rc == -ETIMEDOUT || rc == -EAGAIN)       /* -EAGAIN: K_NO_WAIT and not ready */
        return HTTP_ERR_TIMEOUT;
    if (rc == -ECANCELED)
        return HTTP_ERR_CANCELLED;
    return HTTP_ERR_IO;
}

/* Connect s to a (port in host order) and wait for the handshake. */
static int connect_addr(struct fetch *f, const ip_addr_t *a, uint16_t port, int *out)
{
    struct sockaddr_storage ss;
    int s, rc, err = 0;
    socklen_t len = sizeof(err);

    memset(&ss, 0, sizeof(ss));
#if LWIP_IPV6
    if (IP_IS_V6(a)) {
        struct sockaddr_in6 *sa = (struct sockaddr_in6 *)&ss;
        sa->sin6_len = sizeof(*sa);
        sa->sin6_family = AF_INET6;
        sa->sin6_port = lwip_htons(port);
        inet6_addr_from_ip6addr(&sa->sin6_addr, ip_2_ip6(a));
    } else
#endif
    {
        struct sockaddr_in *sa = (struct sockaddr_in *)&ss;
        sa->sin_len = sizeof(*sa);
        sa->sin_family = AF_INET;
        sa->sin_port = lwip_htons(port);
        inet_addr_from_ip4addr(&sa->sin_addr, ip_2_ip4(a));
    }
    s = lwip_socket(ss.ss_family, SOCK_STREAM, 0);
    if (s < 0)
        return errno == ENFILE ? HTTP_ERR_NO_SOCKET : HTTP_ERR_NOMEM;
    lwip_fcntl(s, F_SETFL, O_NONBLOCK);
    if (lwip_connect(s, (struct sockaddr *)&ss, ss.s2_len) < 0 && errno != EINPROGRESS) {
        rc = map_errno(errno);
        lwip_close(s);
        return rc;
    }
    rc = wait_for(f, s, POLLOUT, f->req->connect_timeout);
    if (rc == 0 && lwip_getsockopt(s, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err)
        rc = map_errno(err);
    if (rc == HTTP_ERR_RESET)
        rc = HTTP_ERR_REFUSED;       /* an RST answering our SYN */
    if (rc) {
        lwip_close(s);
        return rc;
    }
    *out = s;
    return 0;
}

/* One DNS lookup of host for one family (NETCONN_DNS_IPV4 / _IPV6). Blocks the task. */
static int lookup(const char *host, u8_t family, ip_addr_t *a)
{
#if LWIP_IPV6
    return netconn_gethostbyname_addrtype(host, a, family) == ERR_OK ? 0 : HTTP_ERR_DNS;
#else
    (void)family;
    return netconn_gethostbyname(host, a) == ERR_OK ? 0 : HTTP_ERR_DNS;
#endif
}

/*
 * Connect to u's host. A literal is used as it is (an IPv6 one fails with
 * HTTP_ERR_NO_IPV6 in an IPv4-only image). A name is looked up one family at a time, in
 * the order of RFC 6724's spirit: IPv6 first when the interface has a preferred global
 * IPv6 address (a destination it could reach), IPv4 first otherwise; if the first
 * family has no address, or its connection fails, the other is tried (RFC 8305's
 * fallback, one after the other rather than raced). A cancellation or the total timeout
 * ends it at once.
 */
static int connect_to(struct fetch *f, const struct http_url *u, int *out)
{
    ip_addr_t a;
    if (strchr(u->host, ':')) {
#if LWIP_IPV6
        if (!ipaddr_aton(u->host, &a))
            return HTTP_ERR_URL;
        return connect_addr(f, &a, u->port, out);
#else
        return HTTP_ERR_NO_IPV6;
#endif
    }
    if (ip4addr_aton(u->host, ip_2_ip4(&a))) {
        IP_SET_TYPE_VAL(a, IPADDR_TYPE_V4);
        return connect_addr(f, &a, u->port, out);
    }
#if LWIP_IPV6
    u8_t order[2] = { NETCONN_DNS_IPV4, NETCONN_DNS_IPV6 };
    if (net_ip6_global_ready()) {
        order[0] = NETCONN_DNS_IPV6;
        order[1] = NETCONN_DNS_IPV4;
    }
#else
    u8_t order[1] = { 0 };
#endif
    int rc = HTTP_ERR_DNS;
    for (unsigned i = 0; i < sizeof(order); i++) {
        int r = lookup(u->host, order[i], &a);
        if (r) {
            if (rc == HTTP_ERR_DNS)
                rc = r;
            continue;                /* no address of this family */
        }
        rc = connect_addr(f, &a, u->port, out);
        if (rc == 0 || rc == HTTP_ERR_CANCELLED || expired(f))
            return rc;
    }
    return rc;
}

static int send_all(struct fetch *f, int s, const char *buf, size_t len)
{
    while (len) {
        ssize_t n = lwip_send(s, buf, len, 0);
        if (n < 0) {
            if (errno != EWOULDBLOCK && errno != EAGAIN)
                return map_errno(errno);
            int rc = wait_for(f, s, POLLOUT, f->req->read_timeout);
            if (rc)
                return rc;
            continue;
        }
        buf += n;
        len -= (size_t)n;
    }
    return 0;
}

/* A connection: the socket, and TLS on it for https://. */
struct conn {
    struct fetch *f;            /* the fetch using it now (its deadline for waits) */
    int s;
    struct http_tls *tls;
    bool reused;                /* it served a request before this one */
    struct conn *next;          /* in its origin's idle list */
};

/* --- the pool of persistent connections ------------------------------------------------- */

struct origin {
    struct origin *next;
    bool https;
    uint16_t port;
    char host[HTTP_HOST_MAX];
    k_sem_t slots;              /* connections that may still be opened or taken */
    struct conn *idle;
};

struct http_pool {
    unsigned per_host;
    struct origin *origins;
    struct http_pool_stats st;
};

struct http_pool *http_pool_new(unsigned per_host)
{
    struct http_pool *p;
    if (per_host < 1 || per_host > 64)
        return NULL;
    p = calloc(1, sizeof(*p));
    if (p)
        p->per_host = per_host;
    return p;
}

static void conn_close(struct conn *c)
{
    http_tls_close(c->tls);
    lwip_close(c->s);
    free(c);
}

void http_pool_free(struct http_pool *pool)
{
    if (!pool)
        return;
    while (pool->origins) {
        struct origin *o = pool->origins;
        pool->origins = o->next;
        while (o->idle) {
            struct conn *c = o->idle;
            o->idle = c->next;
            conn_close(c);
        }
        free(o);
    }
    free(pool);
}

void http_pool_stats(const struct http_pool *pool, struct http_pool_stats *st) { *st = pool->st; }

void http_pool_report(const struct http_pool *pool, const char *who)
{
    printf("%s: connections opened=%lu reused=%lu retried=%lu stale=%lu (at most %u per host)\n",
           who, (unsigned long)pool->st.opened, (unsigned long)pool->st.reused,
           (unsigned long)pool->st.retried, (unsigned long)pool->st.stale, pool->per_host);
}

static struct origin *origin_of(struct http_pool *pool, const struct http_url *u)
{
    struct origin *o;
    for (o = pool->origins; o; o = o->next)
        if (o->https == u->https && o->port == u->port && !strcmp(o->host, u->host))
            return o;
    o = calloc(1, sizeof(*o));
    if (!o)
        return NULL;
    o->https = u->https;
    o->port = u->port;
    strcpy(o->host, u->host);
    k_sem_init(&o->slots, pool->per_host, pool->per_host);
    o->next = pool->origins;
    pool->origins = o;
    return o;
}

/* An idle connection the server closed (or sent something on) reads as ready. */
static bool still_open(struct conn *c)
{
    struct pollfd p = { .fd = c->s, .events = POLLIN };
    return lwip_poll(&p, 1, 0) == 0;
}

static int tls_wait(void *ctx, short events)
{
    struct conn *c = ctx;
    return wait_for(c->f, c->s, events, c->f->req->read_timeout);
}

static int conn_send(struct conn *c, const char *buf, size_t len)
{
    return c->tls ? http_tls_send(c->tls, buf, len) : send_all(c->f, c->s, buf, len);
}

/* Returns the bytes received (> 0), 0 at the end of the stream, or an HTTP_ERR_* code. */
static int conn_recv(struct conn *c, char *buf, size_t len)
{
    if (c->tls)
        return http_tls_recv(c->tls, buf, len);
    for (;;) {
        ssize_t got = lwip_recv(c->s, buf, len, 0);
        if (got >= 0)
            return (int)got;
        if (errno != EWOULDBLOCK && errno != EAGAIN)
            return map_errno(errno);
        int rc = wait_for(c->f, c->s, POLLIN, c->f->req->read_timeout);
        if (rc)
            return rc;
    }
}

static int body_filter(void *ctx, const void *data, size_t len)
{
    struct fetch *f = ctx;
    if (!f->deliver)
        return 0;
    if (f->dec) {
        f->dec_err = http_decoder_feed(f->dec, data, len);
        return f->dec_err;
    }
    if (!f->req->on_body)
        return 0;
    return f->req->on_body(f->req->ctx, data, len);
}

/* The headers are in: a coded body to deliver gets its decoder. */
static int start_decoder(struct fetch *f)
{
    int coding = f->parser.coding;
    if (!f->deliver || coding == HTTP_CODING_IDENTITY)
        return 0;
    if (coding == HTTP_CODING_OTHER || !NET_GZIP)   /* without zlib we asked for identity */
        return HTTP_ERR_ENCODING;
    f->dec = http_decoder_new(coding, f->req->body_limit, f->req->on_body, f->req->ctx);
    return f->dec ? 0 : HTTP_ERR_NOMEM;
}

static bool is_redirect(int status)
{
    return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

/* A new connection to u: TCP, and the TLS handshake for https://. */
static int conn_open(struct fetch *f, const struct http_url *u, struct conn **out)
{
    struct conn *c = calloc(1, sizeof(*c));
    int rc;
    *out = NULL;
    if (u->https && !NET_TLS) {
        free(c);
        return HTTP_ERR_NO_TLS;
    }
    if (!c)
        return HTTP_ERR_NOMEM;
    c->f = f;
    rc = connect_to(f, u, &c->s);
    if (rc) {
        free(c);
        return rc;
    }
    if (u->https)
        rc = http_tls_connect(&c->tls, c->s, u->host, !f->req->insecure, tls_wait, c);
    if (rc) {
        lwip_close(c->s);
        free(c);
        return rc;
    }
    *out = c;
    return 0;
}

/* A connection for u: from the pool (waiting for a free slot of its origin) or, if there
 * is none idle or fresh is asked for, new. On failure no slot is held (*o is NULL). */
static int conn_get(struct fetch *f, const struct http_url *u, bool fresh, struct origin **o,
                    struct conn **out)
{
    struct http_pool *pool = f->req->pool;
    *o = NULL;
    if (!pool)
        return conn_open(f, u, out);
    *o = origin_of(pool, u);
    if (!*o)
        return HTTP_ERR_NOMEM;
    int rc = expired(f) ? -ETIMEDOUT : k_sem_take(&(*o)->slots, wait_budget(f, K_FOREVER));
    if (rc) {
        *o = NULL;                       /* no slot taken */
        return rc == -ECANCELED ? HTTP_ERR_CANCELLED : HTTP_ERR_TIMEOUT;
    }
    while (!fresh && (*o)->idle) {
        struct conn *c = (*o)->idle;
        (*o)->idle = c->next;
        if (still_open(c)) {
            c->f = f;
            c->reused = true;
            pool->st.reused++;
            *out = c;
            return 0;
        }
        pool->st.stale++;
        conn_close(c);
    }
    rc = conn_open(f, u, out);
    if (rc) {
        k_sem_give(&(*o)->slots);
        *o = NULL;
        return rc;
    }
    pool->st.opened++;
    return 0;
}

/* Done with c: back to its origin's idle list if keep, else closed; the slot is freed. */
static void conn_put(struct origin *o, struct conn *c, bool keep)
{
    if (c && o && keep) {
        c->next = o->idle;
        o->idle = c;
    } else if (c) {
        conn_close(c);
    }
    if (o)
        k_sem_give(&o->slots);
}

/* One request and its response on connection c. *got_any: a byte of the response came. */
static int exchange_on(struct fetch *f, struct conn *c, const struct http_url *u, bool follow,
                       bool *got_any)
{
    char buf[RECV_BUF];
    int rc = 0, n;
    {
        char host[HTTP_HOST_MAX + 8];
        (void)http_url_authority(u, host, sizeof(host));   /* fits: host < HTTP_HOST_MAX */
        n = snprintf(buf, sizeof(buf),
                     "GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: " HTTP_USER_AGENT "\r\n"
                     "%s%s\r\n", u->target, host,
                     NET_GZIP ? "Accept-Encoding: gzip, deflate\r\n" : "",
                     f->req->pool ? "" : "Connection: close\r\n");
    }
    *got_any = false;
    if (n < 0 || (size_t)n >= sizeof(buf))
        rc = HTTP_ERR_URL;
    else
        rc = conn_send(c, buf, (size_t)n);

    http_parser_init(&f->parser, body_filter, f, f->req->body_limit);
    f->deliver = false;
    f->dec = NULL;
    f->dec_err = 0;
    f->decoded = 0;
    while (rc == 0 && !f->parser.done) {
        int got = conn_recv(c, buf, sizeof(buf));
        if (got < 0) {
            rc = got;
            break;
        }
        if (got == 0) {
            rc = http_parser_eof(&f->parser);
            break;
        }
        *got_any = true;
        if (!f->parser.headers_done) {
            /* feed up to the end of the headers first, to know whether to deliver */
            int i = 0;
            while (i < got && !f->parser.headers_done && rc == 0)
                rc = http_parser_feed(&f->parser, buf + i++, 1);
            f->deliver = !(follow && is_redirect(f->parser.status) && f->parser.location[0]);
            if (rc == 0 && f->parser.headers_done)
                rc = start_decoder(f);
            if (rc == 0 && i < got)
                rc = http_parser_feed(&f->parser, buf + i, (size_t)(got - i));
        } else {
            rc = http_parser_feed(&f->parser, buf, (size_t)got);
        }
    }
    if (rc == HTTP_ERR_ABORTED && f->dec_err)
        rc = f->dec_err;                 /* the decoder's reason, not "aborted" */
    if (f->dec) {
        if (rc == 0)
            rc = http_decoder_finish(f->dec);
        f->decoded = http_decoder_out_len(f->dec);
        http_decoder_free(f->dec);
        f->dec = NULL;
    }
    return rc;
}

/* One request/response: on a pooled connection if there is a pool, else a new one. A
 * request that fails on a reused connection before any byte of the response is sent once
 * more, on a new connection. */
static int exchange(struct fetch *f, const struct http_url *u, bool follow)
{
    for (int attempt = 0;; attempt++) {
        struct origin *o;
        struct conn *c;
        bool got_any, keep;
        int rc = conn_get(f, u, attempt > 0, &o, &c);
        if (rc) {
            http_parser_init(&f->parser, NULL, NULL, 0);
            return rc;
        }
        rc = exchange_on(f, c, u, follow, &got_any);
        keep = rc == 0 && f->parser.done && f->parser.keep_alive && !f->parser.conn_close &&
               !f->parser.close_delimited;
        if (rc && c->reused && !got_any && attempt == 0 &&
            (rc == HTTP_ERR_RESET || rc == HTTP_ERR_CLOSED || rc == HTTP_ERR_IO)) {
            conn_put(o, c, false);
            f->req->pool->st.retried++;
            continue;                    /* once more, on a new connection */
        }
        conn_put(o, c, keep);
        return rc;
    }
}

void http_request_init(struct http_request *req, const char *url)
{
    *req = (struct http_request){
        .url = url,
        .connect_timeout = HTTP_CONNECT_TIMEOUT,
        .read_timeout = HTTP_READ_TIMEOUT,
        .total_timeout = HTTP_TOTAL_TIMEOUT,
        .max_redirects = HTTP_MAX_REDIRECTS,
    };
}

/* The redirect chain of one http_get (the URLs visited, for loop detection), on the heap
 * and only once a redirect comes: most fetches have none, and a small board's fetch task
 * keeps its stack for the exchange. */
struct visited {
    int n;
    char url[HTTP_MAX_REDIRECTS + 1][HTTP_URL_MAX];
};

static int http_get_chain(const struct http_request *req, struct http_response *res,
                          struct visited **vp)
{
    struct fetch f = { .req = req };
    int max = req->max_redirects < 0 ? HTTP_MAX_REDIRECTS : req->max_redirects;

    memset(res, 0, sizeof(*res));
    f.deadline = K_TIMEOUT_EQ(req->total_timeout, K_FOREVER)
                     ? UINT64_MAX : k_uptime_ms() + (uint64_t)req->total_timeout.ms;
    if (strlen(req->url) >= sizeof(res->url))
        return HTTP_ERR_URL;
    strcpy(res->url, req->url);
    if (max > HTTP_MAX_REDIRECTS)
        max = HTTP_MAX_REDIRECTS;

    for (;;) {
        struct http_url u;
        struct visited *v;
        int rc = http_url_parse(res->url, &u);
        if (rc)
            return rc;
        rc = exchange(&f, &u, true);
        res->status = f.parser.status;
        res->coding = f.parser.coding;
        res->wire_len = f.deliver ? f.parser.body_len : 0;
        res->body_len = !f.deliver ? 0
                        : f.parser.coding != HTTP_CODING_IDENTITY ? f.decoded
                                                                  : f.parser.body_len;
        if (rc)
            return rc;
        if (!is_redirect(res->status) || !f.parser.location[0])
            return 0;
        if (res->redirects == max)
            return HTTP_ERR_REDIRECTS;
        if (!*vp && !(*vp = calloc(1, sizeof(**vp))))
            return HTTP_ERR_NOMEM;
        v = *vp;
        strcpy(v->url[v->n++], res->url);
        if (http_url_resolve(res->url, f.parser.location, v->url[v->n], HTTP_URL_MAX) != 0)
            return HTTP_ERR_LOCATION;
        {
            char *hash = strchr(v->url[v->n], '#');
            if (hash)
                *hash = 0;       /* the fragment is not sent */
        }
        for (int i = 0; i < v->n; i++)
            if (!strcmp(v->url[i], v->url[v->n]))
                return HTTP_ERR_REDIRECT_LOOP;
        res->redirects++;
        strcpy(res->url, v->url[v->n]);
    }
}

int http_get(const struct http_request *req, struct http_response *res)
{
    struct visited *v = NULL;
    int rc = http_get_chain(req, res, &v);
    free(v);
    return rc;
}
