/*
 * http.h - an HTTP/1.1 client (RFC 9110 semantics, RFC 9112 message syntax) on lwIP's
 * sockets, streaming the response body to a callback so bodies larger than RAM pass
 * through. Split in three layers, each usable alone:
 *   - URLs: parsing "http://host[:port]/path?query" and RFC 3986 reference resolution
 *     (the rule Python's urllib.parse.urljoin follows);
 *   - the response parser: an incremental state machine fed with whatever bytes arrive
 *     (status line, headers, Content-Length / chunked / close-delimited bodies);
 *   - the client: DNS, connect, request, timeouts, redirects.
 * The URL and parser layers use no sockets and are tested on the host.
 */
#ifndef NET_HTTP_H
#define NET_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "k.h"

/* Every failure is one of these (negative); http_strerror() names it. They are -2001 and
 * below: outside the errno range (as K_GEN_EXIT's -4096 is), so an HTTP error never reads
 * as an errno value, nor an errno value as an HTTP error. */
enum http_err {
    HTTP_OK = 0,
    HTTP_ERR_URL = -2001,          /* not an http:// or https:// URL we can fetch */
    HTTP_ERR_DNS = -2002,          /* host name did not resolve */
    HTTP_ERR_REFUSED = -2003,      /* connection refused (RST to our SYN) */
    HTTP_ERR_UNREACHABLE = -2004,  /* no route to the host */
    HTTP_ERR_TIMEOUT = -2005,      /* connect, read or total timeout */
    HTTP_ERR_RESET = -2006,        /* connection reset after it was established */
    HTTP_ERR_CLOSED = -2007,       /* connection closed before the message was complete */
    HTTP_ERR_STATUS_LINE = -2008,  /* malformed status line */
    HTTP_ERR_HEADER_TOO_LONG = -2009, /* a status or header line over HTTP_LINE_MAX */
    HTTP_ERR_HEADER = -2010,       /* malformed header field, or too many of them */
    HTTP_ERR_LENGTH = -2011,       /* invalid or conflicting Content-Length */
    HTTP_ERR_CHUNK = -2012,        /* bad chunk size line or chunk framing */
    HTTP_ERR_REDIRECTS = -2013,    /* more than max_redirects redirects */
    HTTP_ERR_REDIRECT_LOOP = -2014, /* a redirect back to a URL already visited */
    HTTP_ERR_BODY_TOO_LARGE = -2015, /* body over the caller's limit */
    HTTP_ERR_NOMEM = -2016,        /* no memory for a socket or buffer */
    HTTP_ERR_ABORTED = -2017,      /* the body callback asked to stop */
    HTTP_ERR_IO = -2018,           /* any other socket error */
    HTTP_ERR_LOCATION = -2019,     /* redirect without a usable Location */
    HTTP_ERR_CANCELLED = -2020,    /* the fetching task was cancelled (k_task_cancel) */
    HTTP_ERR_GZIP = -2021,         /* a gzip or deflate body that does not decode: bad
                                    * data, a wrong CRC-32 or length, or truncated */
    HTTP_ERR_ENCODING = -2022,     /* a content coding we did not ask for (not gzip,
                                    * deflate or identity, or more than one) */
    HTTP_ERR_TLS_HANDSHAKE = -2023, /* the TLS handshake failed (no common suite, bad
                                    * messages, the server closed during it) */
    HTTP_ERR_CERT_UNTRUSTED = -2024, /* the server's chain does not lead to a trusted CA */
    HTTP_ERR_CERT_NAME = -2025,    /* the certificate is not for the URL's host */
    HTTP_ERR_CERT_EXPIRED = -2026, /* the certificate is outside its validity dates */
    HTTP_ERR_TLS_ALERT = -2027,    /* the server sent a fatal TLS alert */
    HTTP_ERR_NO_TLS = -2028,       /* an https:// URL, and this image has no TLS (built
                                    * with NET_TLS=0, as small boards are) */
    HTTP_ERR_NO_IPV6 = -2029,      /* an IPv6 literal, and this image has no IPv6 (built
                                    * with NET_IPV6=0, as the 64 KiB board is) */
    HTTP_ERR_NO_SOCKET = -2030,    /* the socket table is full (ENFILE: net/socktab.c) */
    HTTP_ERR_FIRST = HTTP_ERR_URL,
    HTTP_ERR_LAST = HTTP_ERR_NO_SOCKET,
};

/* Short name of an error ("refused", "timeout", "bad-chunk-size", ...), one word, for
 * machine-readable output; http_strmessage() gives a sentence. */
const char *http_strerror(int err);
const char *http_strmessage(int err);

/* ---------------------------------------------------------------------------------------
 * URLs
 */
#define HTTP_URL_MAX 512     /* bytes, terminating NUL included */
#define HTTP_HOST_MAX 128

struct http_url {
    bool https;                 /* https:// (TLS), not http:// */
    char host[HTTP_HOST_MAX];   /* name, IPv4 literal, or IPv6 literal without its
                                 * brackets (the only form with a ':') */
    uint16_t port;              /* 80 (https: 443) unless given */
    char target[HTTP_URL_MAX];  /* path and query ("/" if empty), for the request line */
};

/* Parse an absolute "http[s]://host[:port][/path][?query][#fragment]" (the fragment is
 * dropped; userinfo is refused). host may be an IPv6 literal in brackets, RFC 3986 3.2.2
 * ("http://[fec0::2]:8080/"); a zone ID (RFC 6874 "%25eth0") or an IPvFuture literal
 * ("[v1.x]") is refused, as is anything between the brackets that is not an RFC 3986
 * IPv6address. Returns 0 or HTTP_ERR_URL. */
int http_url_parse(const char *url, struct http_url *out);

/* Write u's authority as a Host header field value (RFC 9110 7.2: uri-host [":" port],
 * the port only when it is not the scheme's default) into out (size bytes): IPv6
 * literals in brackets. Returns the length, or -1 if it does not fit. */
int http_url_authority(const struct http_url *u, char *out, size_t size);

/* Resolve reference ref against absolute base as RFC 3986 section 5.2 (with the
 * remove_dot_segments of 5.2.4) into out (out_size bytes). Handles absolute URLs, "//host",
 * "/path", "path", "?query", "#frag" and "" references. Returns 0, or HTTP_ERR_URL if the
 * result does not fit or base is not absolute. */
int http_url_resolve(const char *base, const char *ref, char *out, size_t out_size);

/* ---------------------------------------------------------------------------------------
 * Response parser
 */
#define HTTP_LINE_MAX 1024   /* longest status, header or chunk-size line, bytes, CRLF excluded */
#define HTTP_HEADERS_MAX 100 /* most header fields in one response */

/* Called with each piece of the decoded body (chunk framing removed). Return 0 to go on,
 * non-zero to stop (the parser then fails with HTTP_ERR_ABORTED). */
typedef int (*http_body_cb)(void *ctx, const void *data, size_t len);

/* Content codings (RFC 9110 8.4.1), from the last Content-Encoding field's list. */
enum http_coding {
    HTTP_CODING_IDENTITY = 0,      /* none, or only "identity" */
    HTTP_CODING_GZIP,              /* "gzip" or "x-gzip" (RFC 9110 8.4.1.3) */
    HTTP_CODING_DEFLATE,           /* "deflate" (RFC 9110 8.4.1.2) */
    HTTP_CODING_OTHER,             /* anything else, or more than one coding */
};

struct http_parser {
    int state;
    int status;                 /* status code, once the status line was read */
    bool head_request;          /* response to HEAD: no body */
    bool keep_alive;            /* HTTP/1.1, or 1.0 with "Connection: keep-alive" */
    bool conn_close;            /* "Connection: close" (RFC 9112 9.6) */
    bool headers_done;          /* status line and headers complete */
    bool done;                  /* message complete */
    bool chunked;
    bool close_delimited;       /* body ends when the connection closes */
    int coding;                 /* enum http_coding of the body; when not identity, the
                                 * parser's body_limit is dropped at the end of the
                                 * headers (the limit is on the decoded body) */
    int64_t content_length;     /* -1 if none */
    uint64_t remaining;         /* bytes left in the body or the current chunk */
    uint64_t body_len;          /* body bytes delivered so far */
    uint64_t body_limit;        /* 0: no limit */
    unsigned headers;
    size_t line_len;
    char line[HTTP_LINE_MAX + 2];   /* + CR + NUL */
    char location[HTTP_URL_MAX];
    http_body_cb on_body;
    void *ctx;
};

/* Start a parser. body_limit in bytes (0: none); on_body may be NULL. */
void http_parser_init(struct http_parser *p, http_body_cb on_body, void *ctx, uint64_t body_limit);

/* Feed len received bytes. Bytes after the end of the message are ignored.
 * Returns 0 (need more or done: see p->done), or an HTTP_ERR_* code. */
int http_parser_feed(struct http_parser *p, const char *data, size_t len);

/* The connection closed: completes a close-delimited body. Returns 0 if the message is
 * complete, otherwise HTTP_ERR_CLOSED. */
int http_parser_eof(struct http_parser *p);

/* ---------------------------------------------------------------------------------------
 * Content decoding (net/http/coding.c, zlib's inflate): a decoder sits between the parser's
 * body callback and the caller's.
 */
struct http_decoder;

/* A decoder for coding (HTTP_CODING_GZIP or HTTP_CODING_DEFLATE) that passes the decoded
 * body to out(ctx, ...) in pieces of at most 1 KiB, failing with HTTP_ERR_BODY_TOO_LARGE
 * past limit decoded bytes (0: none). Returns NULL for another coding or without memory
 * (about 41 KiB: zlib's state and window). Does not block. */
struct http_decoder *http_decoder_new(int coding, uint64_t limit, http_body_cb out, void *ctx);

/* Decode n more bytes of the coded body. Returns 0, HTTP_ERR_GZIP (not a valid stream,
 * or bytes after its end), HTTP_ERR_BODY_TOO_LARGE, HTTP_ERR_NOMEM or HTTP_ERR_ABORTED
 * (out returned non-zero); after an error, every call returns it again. */
int http_decoder_feed(struct http_decoder *d, const void *data, size_t n);

/* The coded body ended. Returns 0 if the stream was complete (gzip: its CRC-32 and length
 * matched) or the body was empty, HTTP_ERR_GZIP if it was cut short, or the error a feed
 * returned. */
int http_decoder_finish(struct http_decoder *d);

/* Decoded bytes passed to out so far. */
uint64_t http_decoder_out_len(const struct http_decoder *d);

/* Free d (NULL is ignored). */
void http_decoder_free(struct http_decoder *d);

/* ---------------------------------------------------------------------------------------
 * Client
 */

/*
 * A pool of persistent connections (HTTP/1.1 keep-alive, RFC 9112 9.3), shared by the tasks
 * of one fetch or crawl: at most per_host connections to each origin (scheme, host, port)
 * are open at once, busy or idle; a request takes an idle one or opens one, and waits (its
 * deadline, cancellable) while per_host are busy. A connection goes back to the pool only
 * after a complete response that did not say "Connection: close" and was not delimited by
 * the connection closing. An idle connection the server has closed is noticed when it is
 * taken and replaced; a request that fails on a reused connection before any byte of the
 * response is sent again once, on a new one (RFC 9112 9.3.1: GET is idempotent).
 * Everything here runs in task context; tasks are cooperative, so no lock is needed.
 */
struct http_pool;

struct http_pool_stats {
    uint32_t opened;               /* connections opened */
    uint32_t reused;               /* requests sent on a connection used before */
    uint32_t retried;              /* requests sent again after a reused one failed */
    uint32_t stale;                /* idle connections found closed by the server */
};

/* A pool allowing per_host (1..64) connections per origin. Returns NULL without memory or
 * for a bad per_host. Does not block. */
struct http_pool *http_pool_new(unsigned per_host);

/* Close every idle connection and free the pool. No request may be using it. */
void http_pool_free(struct http_pool *pool);

void http_pool_stats(const struct http_pool *pool, struct http_pool_stats *st);

/* Print "<who>: connections opened=N reused=N retried=N stale=N (at most N per host)". */
void http_pool_report(const struct http_pool *pool, const char *who);

/* What http_get() fetches and how. Start from http_request_init(), which sets the defaults
 * below. Timeouts are k_timeout_t: K_FOREVER for no limit; K_NO_WAIT fails with
 * HTTP_ERR_TIMEOUT at the first wait, as does every wait once total_timeout has passed. */
struct http_request {
    const char *url;
    k_timeout_t connect_timeout;   /* TCP connect (default HTTP_CONNECT_TIMEOUT) */
    k_timeout_t read_timeout;      /* longest wait for data or send space (HTTP_READ_TIMEOUT) */
    k_timeout_t total_timeout;     /* whole fetch, redirects included (HTTP_TOTAL_TIMEOUT) */
    uint64_t body_limit;           /* bytes of the decoded body; 0: no limit */
    bool insecure;                 /* https: skip the certificate checks (fetch -k) */
    struct http_pool *pool;        /* persistent connections; NULL: one per request, with
                                    * "Connection: close" */
    int max_redirects;             /* < 0: HTTP_MAX_REDIRECTS */
    http_body_cb on_body;          /* the final response's body; may be NULL */
    void *ctx;
};

#define HTTP_MAX_REDIRECTS 5
#define HTTP_CONNECT_TIMEOUT K_MSEC(10000)
#define HTTP_READ_TIMEOUT K_MSEC(10000)
#define HTTP_TOTAL_TIMEOUT K_MSEC(60000)

/* Fill req with url and the defaults: the timeouts above, HTTP_MAX_REDIRECTS, no pool, no
 * body callback, no body limit, certificate checks on. Does not block. */
void http_request_init(struct http_request *req, const char *url);
#define HTTP_USER_AGENT "kernel-http/1.0"

struct http_response {
    int status;                    /* the final response's status code */
    uint64_t body_len;             /* bytes of its body passed to on_body (decoded) */
    uint64_t wire_len;             /* bytes of its body as received (content-coded, after
                                    * the chunk framing was removed) */
    int coding;                    /* its enum http_coding */
    int redirects;                 /* redirects followed */
    char url[HTTP_URL_MAX];        /* the final URL */
};

/*
 * GET req->url (http:// or https://, TLS 1.2 for the latter): connect (DNS for names), or
 * take a persistent connection from req->pool; send "GET" with Host, User-Agent and
 * Accept-Encoding: gzip, deflate (and Connection: close without a pool); parse the
 * response, decode a gzip or deflate body while it streams, follow redirects
 * 301/302/303/307/308 (RFC 9110 15.4) up to max_redirects, resolving relative Location
 * values against the current URL, and stream the final body to on_body. Any status is a
 * successful fetch (404 included): the caller reads res->status.
 * Blocks the calling task; other tasks run meanwhile. Frees its socket and buffers on
 * every path, or gives a connection that may persist back to the pool. Returns 0 or an
 * HTTP_ERR_* code.
 */
int http_get(const struct http_request *req, struct http_response *res);

#endif
