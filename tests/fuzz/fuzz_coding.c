/* fuzz_coding.c - the content-coding decoder (net/http/coding.c over zlib's inflate): the
 * first byte picks gzip or deflate and a decoded-size limit, the rest is the coded body.
 * Fed whole, byte by byte and in random pieces, it must give the same result and the same
 * decoded bytes; an accepted body never exceeds the limit. */
#include <assert.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/http.h"

struct outcome {
    int rc;
    uint64_t len;
    uint32_t hash;                       /* FNV-1a of the decoded bytes */
};

static int on_out(void *ctx, const void *data, size_t n)
{
    struct outcome *o = ctx;
    const uint8_t *b = data;
    assert(n > 0 && n <= 1024);
    for (size_t i = 0; i < n; i++)
        o->hash = (o->hash ^ b[i]) * 16777619u;
    o->len += n;
    return 0;
}

static struct outcome decode(int coding, uint64_t limit, const uint8_t *in, size_t n, int mode,
                             uint32_t seed)
{
    struct outcome o = { .hash = 2166136261u };
    struct http_decoder *d = http_decoder_new(coding, limit, on_out, &o);
    size_t at = 0;
    assert(d);
    while (at < n && !o.rc) {
        size_t k = n - at;
        if (mode == 1)
            k = 1;
        else if (mode == 2) {
            seed = seed * 1103515245u + 12345u;
            k = 1 + (seed >> 16) % (k < 97 ? k : 97);
        }
        o.rc = http_decoder_feed(d, in + at, k);
        at += k;
    }
    if (!o.rc)
        o.rc = http_decoder_finish(d);
    http_decoder_free(d);
    return o;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    int coding = data[0] & 1 ? HTTP_CODING_DEFLATE : HTTP_CODING_GZIP;
    uint64_t limit = (data[0] >> 1) ? (uint64_t)(data[0] >> 1) * 997u : 0;
    struct outcome a = decode(coding, limit, data + 1, size - 1, 0, 0);
    struct outcome b = decode(coding, limit, data + 1, size - 1, 1, 0);
    struct outcome c = decode(coding, limit, data + 1, size - 1, 2, data[0]);
    for (int i = 0; i < 2; i++) {
        const struct outcome *x = i ? &c : &b;
        /* the same verdict; the same bytes when accepted. A body both over the limit and
         * damaged may report either first: how far inflate reads ahead of its output
         * depends on how the input was cut. */
        bool both = (x->rc == HTTP_ERR_GZIP && a.rc == HTTP_ERR_BODY_TOO_LARGE) ||
                    (x->rc == HTTP_ERR_BODY_TOO_LARGE && a.rc == HTTP_ERR_GZIP);
        if ((x->rc != a.rc && !both) || (a.rc == 0 && (x->len != a.len || x->hash != a.hash))) {
            fprintf(stderr, "whole: rc=%d len=%llu; %s: rc=%d len=%llu\n", a.rc,
                    (unsigned long long)a.len, i ? "split" : "bytewise", x->rc,
                    (unsigned long long)x->len);
            abort();
        }
    }
    assert(a.rc == 0 || a.rc == HTTP_ERR_GZIP || a.rc == HTTP_ERR_BODY_TOO_LARGE);
    assert(!limit || a.len <= limit);
    return 0;
}
