/*
 * coding.c - content codings (RFC 9110 8.4.1) decoded while the body streams, with zlib's
 * inflate (Debian's zlib source, compiled untouched by `make deps`).
 *   gzip:    RFC 1952, its CRC-32 and length trailer checked (inflateInit2 with 16 + 15);
 *   deflate: RFC 9110 8.4.1.2 says the zlib format (RFC 1950); some servers send a raw
 *            RFC 1951 stream instead, so the first two bytes decide: a valid zlib header
 *            (CM 8, FCHECK a multiple of 31) is zlib, anything else raw deflate.
 * One decoder holds zlib's state (about 7 KiB) and its 32 KiB window, from the heap.
 */
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "zlib.h"

struct http_decoder {
    z_stream z;
    int coding;
    bool started;                 /* inflateInit2 done */
    bool ended;                   /* Z_STREAM_END seen */
    unsigned char head[2];        /* deflate: the first bytes, until the format is known */
    unsigned head_len;
    uint64_t limit, out_len;
    http_body_cb out;
    void *ctx;
    int err;                      /* the decoder's own error, once failed */
    unsigned char buf[1024];
};

struct http_decoder *http_decoder_new(int coding, uint64_t limit, http_body_cb out, void *ctx)
{
    struct http_decoder *d;
    if (coding != HTTP_CODING_GZIP && coding != HTTP_CODING_DEFLATE)
        return NULL;
    d = calloc(1, sizeof(*d));
    if (!d)
        return NULL;
    d->coding = coding;
    d->limit = limit;
    d->out = out;
    d->ctx = ctx;
    return d;
}

static int start(struct http_decoder *d, int window_bits)
{
    if (inflateInit2(&d->z, window_bits) != Z_OK)
        return HTTP_ERR_NOMEM;
    d->started = true;
    return 0;
}

/* Inflate n bytes, passing every decoded piece on. inflate() is called again while input
 * is left or while it filled the whole output buffer: it may hold back decoded bytes it had
 * no room for even after it took the last input byte (a long match at the end). */
static int inflate_some(struct http_decoder *d, const unsigned char *in, size_t n)
{
    bool full = false;                      /* the last pass filled d->buf */
    d->z.next_in = (unsigned char *)in;
    d->z.avail_in = (uInt)n;
    while ((d->z.avail_in > 0 || full) && !d->ended) {
        int zr;
        size_t got;
        d->z.next_out = d->buf;
        d->z.avail_out = sizeof(d->buf);
        zr = inflate(&d->z, Z_NO_FLUSH);
        if (zr == Z_MEM_ERROR)
            return HTTP_ERR_NOMEM;
        if (zr != Z_OK && zr != Z_STREAM_END && zr != Z_BUF_ERROR)
            return HTTP_ERR_GZIP;          /* Z_DATA_ERROR (bad data or check value) */
        got = sizeof(d->buf) - d->z.avail_out;
        full = d->z.avail_out == 0;
        if (got) {
            if (d->limit && d->out_len + got > d->limit)
                return HTTP_ERR_BODY_TOO_LARGE;
            d->out_len += got;
            if (d->out && d->out(d->ctx, d->buf, got))
                return HTTP_ERR_ABORTED;
        }
        if (zr == Z_STREAM_END)
            d->ended = true;
        else if (zr == Z_BUF_ERROR && got == 0)
            break;                          /* needs more input */
    }
    if (d->ended && d->z.avail_in > 0)
        return HTTP_ERR_GZIP;               /* bytes after the end of the stream */
    return 0;
}

int http_decoder_feed(struct http_decoder *d, const void *data, size_t n)
{
    const unsigned char *in = data;
    int rc;
    if (d->err)
        return d->err;
    if (!n)
        return 0;
    if (!d->started && d->coding == HTTP_CODING_GZIP) {
        rc = start(d, 16 + 15);
    } else if (!d->started) {
        /* deflate: wait for two bytes to tell zlib from raw */
        while (d->head_len < 2 && n) {
            d->head[d->head_len++] = *in++;
            n--;
        }
        if (d->head_len < 2)
            return 0;
        unsigned h = (unsigned)d->head[0] << 8 | d->head[1];
        rc = start(d, (d->head[0] & 0x0f) == 8 && h % 31 == 0 ? 15 : -15);
        if (rc == 0)
            rc = inflate_some(d, d->head, 2);
        if (rc)
            return d->err = rc;
    } else {
        rc = 0;
    }
    if (rc == 0 && n)
        rc = inflate_some(d, in, n);
    if (rc)
        d->err = rc;
    return rc;
}

int http_decoder_finish(struct http_decoder *d)
{
    if (d->err)
        return d->err;
    if (!d->started && d->head_len == 0)
        return 0;                           /* an empty body: nothing was coded */
    return d->ended ? 0 : HTTP_ERR_GZIP;    /* truncated, or no trailer */
}

uint64_t http_decoder_out_len(const struct http_decoder *d) { return d->out_len; }

void http_decoder_free(struct http_decoder *d)
{
    if (!d)
        return;
    if (d->started)
        inflateEnd(&d->z);
    free(d);
}
