/* fuzz_chunked.c - the chunked transfer coding decoder (RFC 9112 7.1) inside the response
 * parser: the input is a chunked body after a fixed header. Streamed byte by byte and
 * whole, it must give the same result; and whenever both the parser and an independent
 * whole-buffer decoder written from the RFC's grammar accept it, the same body bytes. */
#include <assert.h>
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/http.h"

static const char HEAD[] = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";

struct sink {
    uint8_t *buf;
    size_t len;
};

static int on_body(void *ctx, const void *data, size_t n)
{
    struct sink *s = ctx;
    memcpy(s->buf + s->len, data, n);
    s->len += n;
    return 0;
}

static int parse(const uint8_t *body, size_t n, int bytewise, struct sink *s)
{
    static struct http_parser p;
    int rc;
    http_parser_init(&p, on_body, s, 0);
    rc = http_parser_feed(&p, HEAD, sizeof(HEAD) - 1);
    for (size_t at = 0; !rc && at < n && !p.done; at += bytewise ? 1 : n - at)
        rc = http_parser_feed(&p, (const char *)body + at, bytewise ? 1 : n - at);
    if (!rc && !p.done)
        rc = http_parser_eof(&p);
    return rc;
}

/* A line ending at *i: CRLF or LF (RFC 9112 2.2 lets a recipient accept a bare LF).
 * Returns the line length, the index after its end in *next; -1 if there is no end. */
static long line(const uint8_t *b, size_t n, size_t i, size_t *next)
{
    for (size_t j = i; j < n; j++)
        if (b[j] == '\n') {
            *next = j + 1;
            return (long)(j - i - (j > i && b[j - 1] == '\r'));
        }
    return -1;
}

/* chunked-body = *chunk last-chunk trailer-section CRLF; 0 and the body, or -1. */
static int reference(const uint8_t *b, size_t n, struct sink *out)
{
    size_t i = 0, next;
    for (;;) {
        long len = line(b, n, i, &next);
        uint64_t size = 0;
        size_t k = i;
        if (len < 0 || !isxdigit(b[k]))
            return -1;
        for (; k < i + (size_t)len && isxdigit(b[k]); k++) {
            if (size >> 59)
                return -1;
            size = size * 16 + (uint64_t)(isdigit(b[k]) ? b[k] - '0' : tolower(b[k]) - 'a' + 10);
        }
        while (k < i + (size_t)len && (b[k] == ' ' || b[k] == '\t'))
            k++;
        if (k < i + (size_t)len && b[k] != ';')
            return -1;                            /* only a chunk-ext may follow */
        for (size_t q = i; q < i + (size_t)len; q++)
            if (b[q] == 0 || b[q] == '\r')
                return -1;
        i = next;
        if (size == 0)
            break;
        if (size > n - i)
            return -1;
        memcpy(out->buf + out->len, b + i, (size_t)size);
        out->len += (size_t)size;
        i += (size_t)size;
        if (line(b, n, i, &next) != 0)
            return -1;                            /* CRLF right after the data */
        i = next;
    }
    for (;;) {                                    /* trailer fields, then the empty line */
        long len = line(b, n, i, &next);
        if (len < 0)
            return -1;
        if (len == 0)
            return 0;
        if (!memchr(b + i, ':', (size_t)len) || memchr(b + i, 0, (size_t)len) ||
            memchr(b + i, '\r', (size_t)len))
            return -1;
        i = next;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct sink a = { malloc(size + 1), 0 }, b = { malloc(size + 1), 0 }, r = { malloc(size + 1), 0 };
    int ra = parse(data, size, 0, &a);
    int rb = parse(data, size, 1, &b);
    if (ra != rb || (ra == 0 && (a.len != b.len || memcmp(a.buf, b.buf, a.len)))) {
        fprintf(stderr, "whole rc=%d len=%zu, bytewise rc=%d len=%zu\n", ra, a.len, rb, b.len);
        abort();
    }
    if (ra == 0 && reference(data, size, &r) == 0) {
        if (r.len != a.len || memcmp(r.buf, a.buf, a.len)) {
            fprintf(stderr, "parser body %zu bytes, reference %zu bytes\n", a.len, r.len);
            abort();
        }
    }
    free(a.buf), free(b.buf), free(r.buf);
    return 0;
}
