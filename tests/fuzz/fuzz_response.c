/* fuzz_response.c - the HTTP/1.1 response parser (net/http/parse.c) fed one message three
 * ways: whole, byte by byte, and cut at split points taken from the input. All three must
 * agree on the result, the status and every body byte (a streaming parser must not depend
 * on where TCP cut the stream). Input: [limit byte][split seed byte] message. */
#include <assert.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/http.h"

struct outcome {
    int coding;
    int rc, status;
    int done;
    uint64_t body_len;
    uint32_t hash;                   /* FNV-1a of the body */
};

static int on_body(void *ctx, const void *data, size_t n)
{
    struct outcome *o = ctx;
    const uint8_t *d = data;
    assert(n > 0);
    for (size_t i = 0; i < n; i++)
        o->hash = (o->hash ^ d[i]) * 16777619u;
    return 0;
}

static struct outcome parse(const uint8_t *msg, size_t len, uint64_t limit, uint32_t seed, int mode)
{
    static struct http_parser p;       /* large: not on the stack */
    struct outcome o = { .hash = 2166136261u };
    size_t at = 0;
    http_parser_init(&p, on_body, &o, limit);
    while (at < len && !o.rc) {
        size_t n = len - at;
        if (mode == 1)
            n = 1;
        else if (mode == 2) {
            seed = seed * 1103515245u + 12345u;
            n = 1 + (seed >> 16) % (n < 64 ? n : 64);
        }
        o.rc = http_parser_feed(&p, (const char *)msg + at, n);
        at += n;
        if (p.done)
            break;
    }
    if (!o.rc && !p.done)
        o.rc = http_parser_eof(&p);
    o.status = p.status;
    o.done = p.done;
    o.body_len = p.body_len;
    o.coding = p.coding;
    return o;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    uint64_t limit = data[0] ? (uint64_t)data[0] * 37u : 0;
    uint32_t seed = data[1];
    struct outcome a = parse(data + 2, size - 2, limit, seed, 0);
    struct outcome b = parse(data + 2, size - 2, limit, seed, 1);
    struct outcome c = parse(data + 2, size - 2, limit, seed, 2);
    for (int i = 0; i < 2; i++) {
        const struct outcome *x = i ? &c : &b;
        if (x->rc != a.rc || (a.rc == 0 && (x->status != a.status || x->done != a.done ||
                                             x->body_len != a.body_len || x->hash != a.hash))) {
            fprintf(stderr, "whole: rc=%d status=%d body=%llu; %s: rc=%d status=%d body=%llu\n",
                    a.rc, a.status, (unsigned long long)a.body_len, i ? "split" : "bytewise",
                    x->rc, x->status, (unsigned long long)x->body_len);
            abort();
        }
    }
    if (a.rc == 0) {
        assert(a.done);
        assert(a.status >= 200 && a.status <= 599);
        /* the limit is on the wire body only for identity; a coded body's is on its
         * decoded size, which the decoder checks */
        assert(!limit || a.body_len <= limit || a.coding != HTTP_CODING_IDENTITY);
    } else {
        assert(a.rc < 0 && strcmp(http_strerror(a.rc), "unknown") != 0);
    }
    return 0;
}
