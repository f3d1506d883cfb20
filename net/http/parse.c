/*
 * parse.c - incremental HTTP/1.1 response parser (RFC 9112).
 * Lines end in CRLF; a bare LF is accepted too (RFC 9112 section 2.2). The body length
 * follows RFC 9112 section 6.3: no body for HEAD, 1xx, 204 and 304; chunked when the last
 * transfer coding is "chunked"; else Content-Length; else until the connection closes.
 * Interim 1xx responses are skipped (RFC 9110 section 15.2).
 */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "http.h"

enum {
    S_STATUS, S_HEADERS, S_BODY_LENGTH, S_BODY_CLOSE, S_CHUNK_SIZE, S_CHUNK_DATA,
    S_CHUNK_END, S_TRAILERS, S_DONE,
};

const char *http_strerror(int err)
{
    switch (err) {
    case HTTP_OK: return "ok";
    case HTTP_ERR_URL: return "bad-url";
    case HTTP_ERR_DNS: return "dns";
    case HTTP_ERR_REFUSED: return "refused";
    case HTTP_ERR_UNREACHABLE: return "unreachable";
    case HTTP_ERR_TIMEOUT: return "timeout";
    case HTTP_ERR_RESET: return "reset";
    case HTTP_ERR_CLOSED: return "closed-early";
    case HTTP_ERR_STATUS_LINE: return "bad-status-line";
    case HTTP_ERR_HEADER_TOO_LONG: return "header-too-long";
    case HTTP_ERR_HEADER: return "bad-header";
    case HTTP_ERR_LENGTH: return "bad-content-length";
    case HTTP_ERR_CHUNK: return "bad-chunk-size";
    case HTTP_ERR_REDIRECTS: return "too-many-redirects";
    case HTTP_ERR_REDIRECT_LOOP: return "redirect-loop";
    case HTTP_ERR_BODY_TOO_LARGE: return "body-too-large";
    case HTTP_ERR_NOMEM: return "no-memory";
    case HTTP_ERR_ABORTED: return "aborted";
    case HTTP_ERR_IO: return "io";
    case HTTP_ERR_LOCATION: return "bad-location";
    case HTTP_ERR_GZIP: return "bad-gzip";
    case HTTP_ERR_ENCODING: return "bad-encoding";
    case HTTP_ERR_TLS_HANDSHAKE: return "tls-handshake";
    case HTTP_ERR_CERT_UNTRUSTED: return "cert-untrusted";
    case HTTP_ERR_CERT_NAME: return "cert-name";
    case HTTP_ERR_CERT_EXPIRED: return "cert-expired";
    case HTTP_ERR_TLS_ALERT: return "tls-alert";
    case HTTP_ERR_NO_TLS: return "no-tls";
    case HTTP_ERR_NO_IPV6: return "no-ipv6";
    case HTTP_ERR_NO_SOCKET: return "no-socket";
    case HTTP_ERR_CANCELLED: return "cancelled";
    }
    return "unknown";
}

const char *http_strmessage(int err)
{
    switch (err) {
    case HTTP_OK: return "success";
    case HTTP_ERR_URL: return "not an http:// URL this client can fetch";
    case HTTP_ERR_DNS: return "host name not found";
    case HTTP_ERR_REFUSED: return "connection refused";
    case HTTP_ERR_UNREACHABLE: return "host unreachable";
    case HTTP_ERR_TIMEOUT: return "timed out";
    case HTTP_ERR_RESET: return "connection reset by peer";
    case HTTP_ERR_CLOSED: return "connection closed before the response was complete";
    case HTTP_ERR_STATUS_LINE: return "malformed status line";
    case HTTP_ERR_HEADER_TOO_LONG: return "status or header line too long";
    case HTTP_ERR_HEADER: return "malformed header field, or too many";
    case HTTP_ERR_LENGTH: return "invalid Content-Length";
    case HTTP_ERR_CHUNK: return "bad chunk size or chunk framing";
    case HTTP_ERR_REDIRECTS: return "too many redirects";
    case HTTP_ERR_REDIRECT_LOOP: return "redirect loop";
    case HTTP_ERR_BODY_TOO_LARGE: return "body over the limit";
    case HTTP_ERR_NOMEM: return "out of memory";
    case HTTP_ERR_ABORTED: return "stopped by the body callback";
    case HTTP_ERR_IO: return "socket error";
    case HTTP_ERR_LOCATION: return "redirect without a usable Location";
    case HTTP_ERR_CANCELLED: return "cancelled";
    case HTTP_ERR_GZIP: return "gzip or deflate body does not decode";
    case HTTP_ERR_ENCODING: return "content coding not asked for";
    case HTTP_ERR_TLS_HANDSHAKE: return "TLS handshake failed";
    case HTTP_ERR_CERT_UNTRUSTED: return "certificate not from a trusted CA";
    case HTTP_ERR_CERT_NAME: return "certificate not for this host";
    case HTTP_ERR_CERT_EXPIRED: return "certificate outside its validity dates";
    case HTTP_ERR_TLS_ALERT: return "the server sent a TLS alert";
    case HTTP_ERR_NO_TLS: return "https:// needs TLS, which this image leaves out (NET_TLS=0)";
    case HTTP_ERR_NO_IPV6: return "an IPv6 address, and this image has IPv4 only (NET_IPV6=0)";
    case HTTP_ERR_NO_SOCKET: return "no free socket: the socket table is full (netstat, socklimit)";
    }
    return "unknown error";
}

void http_parser_init(struct http_parser *p, http_body_cb on_body, void *ctx, uint64_t body_limit)
{
    memset(p, 0, sizeof(*p));
    p->state = S_STATUS;
    p->content_length = -1;
    p->body_limit = body_limit;
    p->on_body = on_body;
    p->ctx = ctx;
}

/* "HTTP/" DIGIT "." DIGIT SP 3DIGIT [SP reason] (RFC 9112 section 4). */
static int parse_status_line(struct http_parser *p, const char *l)
{
    if (strncmp(l, "HTTP/", 5) != 0 || !isdigit((unsigned char)l[5]) || l[6] != '.' ||
        !isdigit((unsigned char)l[7]) || l[8] != ' ' || !isdigit((unsigned char)l[9]) ||
        !isdigit((unsigned char)l[10]) || !isdigit((unsigned char)l[11]) ||
        (l[12] != ' ' && l[12] != 0) || l[5] != '1')
        return HTTP_ERR_STATUS_LINE;
    p->status = (l[9] - '0') * 100 + (l[10] - '0') * 10 + (l[11] - '0');
    if (p->status < 100 || p->status > 599)
        return HTTP_ERR_STATUS_LINE;
    p->keep_alive = l[7] != '0';       /* HTTP/1.1 persists unless told (RFC 9112 9.3) */
    return 0;
}

/* Does the comma-separated list v name token t (case-insensitive)? */
static bool list_has(const char *v, const char *t)
{
    size_t n = strlen(t);
    while (*v) {
        while (*v == ' ' || *v == '\t' || *v == ',')
            v++;
        size_t len = strcspn(v, ",");
        size_t trim = len;
        while (trim && (v[trim - 1] == ' ' || v[trim - 1] == '\t'))
            trim--;
        if (trim == n && !strncasecmp(v, t, n))
            return true;
        v += len;
    }
    return false;
}

static bool is_tchar(char c)
{
    return isalnum((unsigned char)c) || (c && strchr("!#$%&'*+-.^_`|~", c));
}

/* The last non-empty element of a comma-separated list (RFC 9110 5.6.1: empty elements,
 * "a, ,b" or "chunked,", do not count): *len bytes at the returned pointer, or NULL if the
 * list has no element at all. */
static const char *last_list_element(const char *v, size_t *len)
{
    const char *found = NULL;
    while (*v) {
        const char *e;
        while (*v == ' ' || *v == '\t' || *v == ',')
            v++;
        if (!*v)
            break;
        for (e = v; *e && *e != ','; e++)
            ;
        found = v;
        *len = (size_t)(e - v);
        v = e;
    }
    if (found)
        while (*len && (found[*len - 1] == ' ' || found[*len - 1] == '\t'))
            (*len)--;
    return found;
}

/* Is the coding "chunked" (with or without parameters)? */
static bool coding_is_chunked(const char *c, size_t len)
{
    return len >= 7 && strncasecmp(c, "chunked", 7) == 0 &&
           (len == 7 || c[7] == ' ' || c[7] == '\t' || c[7] == ';');
}

static int parse_header(struct http_parser *p, char *l)
{
    char *colon = strchr(l, ':'), *v, *end;

    if (++p->headers > HTTP_HEADERS_MAX)
        return HTTP_ERR_HEADER;
    if (l[0] == ' ' || l[0] == '\t' || !colon || colon == l)
        return HTTP_ERR_HEADER;   /* obsolete line folding or no name (RFC 9112 5.2) */
    for (char *c = l; c < colon; c++)
        if (!is_tchar(*c))
            return HTTP_ERR_HEADER;
    *colon = 0;
    v = colon + 1;
    while (*v == ' ' || *v == '\t')
        v++;
    end = v + strlen(v);
    while (end > v && (end[-1] == ' ' || end[-1] == '\t'))
        *--end = 0;

    if (!strcasecmp(l, "Content-Length")) {
        /* 1*DIGIT; a list of identical values is accepted (RFC 9110 8.6) */
        int64_t n = -1;
        const char *s = v;
        while (*s) {
            int64_t x = 0;
            if (!isdigit((unsigned char)*s))
                return HTTP_ERR_LENGTH;
            while (isdigit((unsigned char)*s)) {
                if (x > (INT64_MAX - 9) / 10)
                    return HTTP_ERR_LENGTH;
                x = x * 10 + (*s++ - '0');
            }
            if (n >= 0 && x != n)
                return HTTP_ERR_LENGTH;
            n = x;
            while (*s == ' ' || *s == '\t')
                s++;
            if (*s == ',') {
                s++;
                while (*s == ' ' || *s == '\t')
                    s++;
            } else if (*s) {
                return HTTP_ERR_LENGTH;
            }
        }
        if (n < 0 || (p->content_length >= 0 && p->content_length != n))
            return HTTP_ERR_LENGTH;
        p->content_length = n;
    } else if (!strcasecmp(l, "Transfer-Encoding")) {
        /* Several fields are one list (RFC 9110 5.3): what counts is the last coding of
         * the last field that has one; a field with only empty elements adds nothing. */
        size_t n;
        const char *last = last_list_element(v, &n);
        if (last) {
            p->chunked = coding_is_chunked(last, n);
            if (!p->chunked)
                p->close_delimited = true;   /* RFC 9112 6.3 item 4 (response) */
        }
    } else if (!strcasecmp(l, "Content-Encoding")) {
        /* a list, in the order the codings were applied (RFC 9110 8.4), continued by
         * each further field (5.3); identity adds nothing; we decode one gzip or deflate */
        int coding = p->coding;
        const char *e = v;
        while (*e) {
            size_t n = strcspn(e, ",");
            const char *stop = e + n;
            while (e < stop && (*e == ' ' || *e == '\t'))
                e++;
            while (stop > e && (stop[-1] == ' ' || stop[-1] == '\t'))
                stop--;
            size_t len = (size_t)(stop - e);
            int c = len == 0 ? -1
                    : (len == 4 && !strncasecmp(e, "gzip", 4)) ||
                              (len == 6 && !strncasecmp(e, "x-gzip", 6))
                        ? HTTP_CODING_GZIP
                    : len == 7 && !strncasecmp(e, "deflate", 7)  ? HTTP_CODING_DEFLATE
                    : len == 8 && !strncasecmp(e, "identity", 8) ? -1
                                                                  : HTTP_CODING_OTHER;
            if (c >= 0)
                coding = coding == HTTP_CODING_IDENTITY ? c : HTTP_CODING_OTHER;
            e = stop + strcspn(stop, ",");
            if (*e == ',')
                e++;
        }
        p->coding = coding;
    } else if (!strcasecmp(l, "Connection")) {
        if (list_has(v, "close"))
            p->conn_close = true;
        if (list_has(v, "keep-alive"))
            p->keep_alive = true;           /* an HTTP/1.0 server's opt-in */
    } else if (!strcasecmp(l, "Location")) {
        if (strlen(v) >= sizeof(p->location))
            return HTTP_ERR_HEADER_TOO_LONG;
        strcpy(p->location, v);
    }
    return 0;
}

/* The empty line after the headers: decide how the body is delimited. */
static int headers_complete(struct http_parser *p)
{
    if (p->status < 200) {
        /* interim response: the real one follows */
        int status = p->status;
        http_body_cb cb = p->on_body;
        void *ctx = p->ctx;
        uint64_t limit = p->body_limit;
        bool head = p->head_request;
        (void)status;
        http_parser_init(p, cb, ctx, limit);
        p->head_request = head;
        return 0;
    }
    p->headers_done = true;
    if (p->coding != HTTP_CODING_IDENTITY)
        p->body_limit = 0;              /* the decoder limits the decoded body */
    if (p->head_request || p->status == 204 || p->status == 304) {
        p->state = S_DONE;
    } else if (p->chunked) {
        p->close_delimited = false;
        p->state = S_CHUNK_SIZE;
    } else if (p->close_delimited) {
        p->state = S_BODY_CLOSE;
    } else if (p->content_length >= 0) {
        p->remaining = (uint64_t)p->content_length;
        if (p->body_limit && p->remaining > p->body_limit)
            return HTTP_ERR_BODY_TOO_LARGE;
        p->state = p->remaining ? S_BODY_LENGTH : S_DONE;
    } else {
        p->close_delimited = true;
        p->state = S_BODY_CLOSE;
    }
    p->done = p->state == S_DONE;
    return 0;
}

/* chunk-size [ chunk-ext ] (RFC 9112 7.1). */
static int parse_chunk_size(struct http_parser *p, const char *l)
{
    uint64_t n = 0;
    const char *s = l;
    if (!isxdigit((unsigned char)*s))
        return HTTP_ERR_CHUNK;
    while (isxdigit((unsigned char)*s)) {
        if (n >> 59)
            return HTTP_ERR_CHUNK;       /* over 2^63: not a size we accept */
        n = n * 16 + (uint64_t)(isdigit((unsigned char)*s) ? *s - '0' : (tolower((unsigned char)*s) - 'a' + 10));
        s++;
    }
    while (*s == ' ' || *s == '\t')
        s++;
    if (*s && *s != ';')
        return HTTP_ERR_CHUNK;
    if (p->body_limit && p->body_len + n > p->body_limit)
        return HTTP_ERR_BODY_TOO_LARGE;
    p->remaining = n;
    p->state = n ? S_CHUNK_DATA : S_TRAILERS;
    return 0;
}

/* One complete line (CR LF removed) in the current state. */
static int on_line(struct http_parser *p, char *l)
{
    switch (p->state) {
    case S_STATUS:
        if (parse_status_line(p, l))
            return HTTP_ERR_STATUS_LINE;
        p->state = S_HEADERS;
        return 0;
    case S_HEADERS:
        return l[0] ? parse_header(p, l) : headers_complete(p);
    case S_CHUNK_SIZE:
        return parse_chunk_size(p, l);
    case S_CHUNK_END:
        if (l[0])
            return HTTP_ERR_CHUNK;        /* chunk data not followed by CRLF */
        p->state = S_CHUNK_SIZE;
        return 0;
    case S_TRAILERS:
        if (!l[0]) {
            p->state = S_DONE;
            p->done = true;
            return 0;
        }
        if (++p->headers > HTTP_HEADERS_MAX || !strchr(l, ':'))
            return HTTP_ERR_HEADER;
        return 0;                         /* trailer fields are read and dropped */
    }
    return 0;
}

static int deliver(struct http_parser *p, const char *data, size_t n)
{
    if (p->body_limit && p->body_len + n > p->body_limit)
        return HTTP_ERR_BODY_TOO_LARGE;
    p->body_len += n;
    if (p->on_body && p->on_body(p->ctx, data, n))
        return HTTP_ERR_ABORTED;
    return 0;
}

static int line_too_long(const struct http_parser *p)
{
    return p->state == S_CHUNK_SIZE || p->state == S_CHUNK_END ? HTTP_ERR_CHUNK : HTTP_ERR_HEADER_TOO_LONG;
}

/* A NUL (RFC 9110 5.5: invalid in a field value, and it would cut the C string the line
 * is parsed as) or a bare CR (RFC 9112 2.2) in a line: the error of the line's kind. */
static int bad_line_byte(const struct http_parser *p)
{
    switch (p->state) {
    case S_STATUS: return HTTP_ERR_STATUS_LINE;
    case S_CHUNK_SIZE:
    case S_CHUNK_END: return HTTP_ERR_CHUNK;
    default: return HTTP_ERR_HEADER;
    }
}

int http_parser_feed(struct http_parser *p, const char *data, size_t len)
{
    size_t i = 0;

    while (i < len && p->state != S_DONE) {
        if (p->state == S_BODY_LENGTH || p->state == S_CHUNK_DATA || p->state == S_BODY_CLOSE) {
            size_t n = len - i;
            int rc;
            if (p->state != S_BODY_CLOSE && n > p->remaining)
                n = (size_t)p->remaining;
            rc = deliver(p, data + i, n);
            if (rc)
                return rc;
            i += n;
            if (p->state != S_BODY_CLOSE) {
                p->remaining -= n;
                if (p->remaining == 0) {
                    if (p->state == S_BODY_LENGTH) {
                        p->state = S_DONE;
                        p->done = true;
                    } else {
                        p->state = S_CHUNK_END;
                    }
                }
            }
            continue;
        }
        /* line-oriented states */
        char c = data[i++];
        if (c == '\n') {
            int rc;
            if (p->line_len && p->line[p->line_len - 1] == '\r')
                p->line_len--;
            if (p->line_len > HTTP_LINE_MAX)
                return line_too_long(p);
            if (memchr(p->line, '\r', p->line_len))
                return bad_line_byte(p);
            p->line[p->line_len] = 0;
            p->line_len = 0;
            rc = on_line(p, p->line);
            if (rc)
                return rc;
        } else {
            if (c == 0)
                return bad_line_byte(p);
            if (p->line_len == HTTP_LINE_MAX + 1)   /* room for the limit and a CR */
                return line_too_long(p);
            p->line[p->line_len++] = c;
        }
    }
    return 0;
}

int http_parser_eof(struct http_parser *p)
{
    if (p->state == S_BODY_CLOSE) {
        p->state = S_DONE;
        p->done = true;
    }
    return p->done ? 0 : HTTP_ERR_CLOSED;
}
