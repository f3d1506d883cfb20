/*
 * server.h - an HTTP/1.1 server (RFC 9110 semantics, RFC 9112 message syntax) on lwIP's
 * sockets, in two layers:
 *   - the request parser: an incremental state machine fed with whatever bytes arrive,
 *     bounded in what it keeps (the request-target and a few header values), so a request
 *     of any size costs a connection the same few hundred bytes. No sockets: it is tested
 *     and fuzzed on the host.
 *   - the server: ONE task running an event loop over generators, one generator per
 *     connection (the seeds' EventLoopIo, as the selector echo server on port 55555). A
 *     connection's generator reads and parses requests, answers them in order (keep-alive
 *     and pipelining), and yields whenever its socket would block; the loop waits on every
 *     socket at once with net_wait_fds() and on the nearest deadline (idle timeouts).
 * What is served is the application's: a handler gets each request and answers it with the
 * calls below (a compiled-in file with ETag and 304, or a streamed body).
 */
#ifndef NET_HTTP_SERVER_H
#define NET_HTTP_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---------------------------------------------------------------------------------------
 * Request parser
 */
#define HTTPD_TARGET_MAX 1024        /* bytes of request-target kept; longer: 414 */
#define HTTPD_HEADERS_MAX (16 * 1024) /* bytes of header section (after the request line);
                                       * more: 431 (RFC 6585 section 5) */
#define HTTPD_FIELDS_MAX 100         /* header fields; more: 431 */
#define HTTPD_VALUE_MAX 128          /* bytes kept of a header value the server reads (Host,
                                      * Connection, If-None-Match, ...); others are skipped.
                                      * An If-None-Match this long or longer is ignored */
#define HTTPD_METHOD_MAX 16          /* bytes of method name; longer: 501 (not one we know) */

enum http_method {
    HTTP_M_GET, HTTP_M_HEAD, HTTP_M_POST, HTTP_M_PUT, HTTP_M_DELETE, HTTP_M_OPTIONS,
    HTTP_M_PATCH, HTTP_M_TRACE, HTTP_M_CONNECT,
    HTTP_M_OTHER,                    /* a valid token that is none of the above: 501 */
};

enum http_req_state { HTTP_REQ_PARSING, HTTP_REQ_DONE, HTTP_REQ_ERROR };

struct http_req {
    enum http_req_state state;
    int status;                   /* HTTP_REQ_ERROR: the status to answer (400, 414, 431,
                                   * 501, 505) */
    const char *error;            /* HTTP_REQ_ERROR: why, one phrase (for the body) */
    enum http_method method;
    char method_name[HTTPD_METHOD_MAX + 1];
    char target[HTTPD_TARGET_MAX + 1];   /* as received (not decoded), NUL-terminated */
    uint8_t minor;                /* HTTP/1.<minor>: 0 or 1 (1.2 and up are read as 1.1) */
    bool has_host;
    bool conn_close;              /* Connection: close */
    bool conn_keep_alive;         /* Connection: keep-alive (HTTP/1.0's opt-in) */
    bool transfer_encoding;       /* a Transfer-Encoding field came (a body we do not read) */
    int64_t content_length;       /* -1 if none; over 2^53 reads as INT64_MAX */
    char if_none_match[HTTPD_VALUE_MAX + 1];  /* "" if none */
    bool if_none_match_cut;       /* too long to keep, or twice: ignored (no 304) */
    /* parser state */
    uint8_t st;
    bool started;                 /* a byte of the request line came (for 408) */
    uint16_t len;                 /* bytes in the current token / name / value */
    uint32_t header_bytes;
    uint16_t fields;
    int8_t field;                 /* which field the value belongs to (-1: skipped) */
    char name[24];                /* the field name being read, cut */
    char value[HTTPD_VALUE_MAX + 1];
    char version[9];
};

/* Ready r for a new request. Does not block. */
void http_req_init(struct http_req *r);

/*
 * Feed n bytes of the connection to the parser. It stops right after the blank line that
 * ends the header section (state HTTP_REQ_DONE: the body, content_length bytes, is the
 * caller's to read) or at the first error (HTTP_REQ_ERROR, status and error set: answer and
 * close the connection, RFC 9112 section 9.6). Accepts CRLF or a bare LF as line end and
 * skips empty lines before the request line (RFC 9112 section 2.2); refuses whitespace
 * before a field's colon and obsolete line folding (sections 5.1, 5.2), a second Host, or
 * Content-Length values that differ (section 6.3), with 400; a missing Host in HTTP/1.1
 * is 400 (section 3.2); a version other than 1.x is 505.
 * @return bytes consumed (less than n only when the state left HTTP_REQ_PARSING).
 */
size_t http_req_feed(struct http_req *r, const char *buf, size_t n);

/* The method's name for a enum http_method ("GET", ...). */
const char *http_method_name(enum http_method m);

/* The reason phrase of a status code ("Not Found"), "" if unknown. */
const char *http_reason(int status);

/*
 * Decode the path of a request-target (origin-form "/path?query", or absolute-form
 * "http://host/path", RFC 9112 section 3.2) into out: percent-decoded, query dropped.
 * @return 0, or -1 if it is not a path (asterisk-form, authority-form), has a bad %-escape
 * or a NUL, or does not fit in out_size bytes. Does not block.
 */
int http_target_path(const char *target, char *out, size_t out_size);

/*
 * true if the entity-tag etag (with its quotes, e.g. "\"1a2b\"") matches the field value
 * of If-None-Match (a list of entity-tags or "*"), with the weak comparison of RFC 9110
 * section 13.1.2.
 */
bool http_etag_match(const char *if_none_match, const char *etag);

/* ---------------------------------------------------------------------------------------
 * Server
 */
struct http_conn;

/* A file compiled into the image (scripts/embed_files.py). */
struct http_file {
    const char *path;             /* "/index.html" */
    const char *type;             /* Content-Type */
    const unsigned char *data;
    uint32_t size;                /* bytes */
    const char *etag;             /* strong entity-tag with its quotes: a hash of data */
};

/*
 * A request handler: answer req on c with exactly one of http_send_file(), http_error(),
 * or http_begin() ... http_end(). path is the decoded path (no query). It runs on the
 * connection's generator: the calls below may yield to the server's loop while the socket
 * would block, so it must not keep pointers into things that may change meanwhile (copy
 * them first: http_scratch()). When the socket fails (a reset) or the peer stops reading
 * for http_server_timeouts.send_ms, the connection is dropped from inside the call, which
 * then does not return: the generator ends (k_gen_raise) and the server frees the
 * connection and its http_scratch() buffer. So a handler holds no other resource across
 * these calls.
 * @return 0, or a negative errno to close the connection after this response.
 */
typedef int (*http_handler_t)(struct http_conn *c, const struct http_req *req, const char *path);

struct http_server_config {
    uint16_t port;
    http_handler_t handler;
    void (*tick)(uint64_t now_ms);  /* called every tick_ms by the server's task, or NULL */
    uint32_t tick_ms;
};

/* Timeouts (ms), settable with the `httpd` shell command. */
struct http_server_timeouts {
    uint32_t request_ms;   /* a request not complete this long after its first byte: 408 */
    uint32_t idle_ms;      /* a kept-alive connection with no new request: closed */
    uint32_t send_ms;      /* a response the peer does not read for this long: dropped */
};
extern struct http_server_timeouts http_server_timeouts;

#define HTTPD_BODY_MAX 1024      /* request body bytes read (and dropped); more: 413 */
#define HTTPD_STACK K_STACK(4096) /* bytes of stack per connection generator, twice on
                                   * LP64 (kernel/k.h); its peak is in `httpd` */
#define HTTPD_BACKLOG 64

struct http_server_stats {
    uint32_t accepted, active, peak;
    uint32_t refused;            /* answered 503 at accept: no memory for the connection */
    uint32_t requests;           /* requests parsed (good or bad) */
    uint32_t status[6];          /* responses by class: [2] 2xx, [3] 3xx, [4] 4xx, [5] 5xx */
    uint32_t timeouts;           /* 408s and idle closes */
    uint32_t dropped;            /* connections ended by a socket error (a peer's reset,
                                  * as wrk does when it stops) or a send timeout */
    uint64_t bytes_out;          /* response bytes sent */
    uint32_t stack_peak;         /* most stack bytes a finished connection used */
};

/* Start the server's task. @return 0, -ENOMEM, or the negative errno of listen(). Does
 * not block. */
int http_server_start(const struct http_server_config *cfg);
const struct http_server_stats *http_server_stats(void);

/*
 * Answer with file f: 200 with Content-Length and ETag (body omitted for HEAD), or 304 Not
 * Modified when req's If-None-Match matches (RFC 9110 section 13.1.2). Yields while the
 * socket would block. @return 0 (see http_handler_t for a failing socket).
 */
int http_send_file(struct http_conn *c, const struct http_req *req, const struct http_file *f);

/*
 * Answer with an error status: a short text/plain body naming the status and why. 405
 * adds "Allow: GET, HEAD". Statuses of 400 and up other than 404 and 405 close the
 * connection after the response (Connection: close). 503 adds "Retry-After: 1". The body
 * is omitted for HEAD. @return 0, as http_send_file.
 */
int http_error(struct http_conn *c, const struct http_req *req, int status, const char *why);

/*
 * Start a streamed 200 response of content type `type`: chunked (RFC 9112 section 7.1),
 * or, for an HTTP/1.0 client, delimited by closing the connection. extra_headers is ""
 * or whole lines ending in CRLF. Then http_write()/http_printf() the body and http_end().
 * For HEAD the body is dropped. Body bytes are buffered up to one segment (1460 bytes) and
 * sent as one chunk. All @return 0 (see http_handler_t for a failing socket); http_printf
 * writes at most 255 bytes a call (-EINVAL for a bad format).
 */
int http_begin(struct http_conn *c, const struct http_req *req, const char *type,
               const char *extra_headers);
int http_write(struct http_conn *c, const void *data, size_t len);
int http_printf(struct http_conn *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Write s as a JSON string (RFC 8259 section 7: quotes, escapes). */
int http_json_string(struct http_conn *c, const char *s);
int http_end(struct http_conn *c);

/* A buffer of size bytes that lives until the end of the current request (one per request:
 * a second call frees the first). NULL if the heap has no room: answer 503. */
void *http_scratch(struct http_conn *c, size_t size);

#endif
