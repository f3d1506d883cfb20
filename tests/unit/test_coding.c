/* test_coding.c - content codings: the parser's reading of Content-Encoding (RFC 9110 8.4)
 * and the streaming decoder (net/http/coding.c, zlib's inflate) on gzip, zlib and raw
 * deflate bodies fed whole and byte by byte, with damaged, truncated and oversized ones. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "coding_vectors.h"
#include "http/http.h"

static char expected[sizeof(MSG) * MSG_REPEAT];
static size_t expected_len;

struct sink {
    char out[4096];
    size_t len;
};

static int collect(void *ctx, const void *data, size_t len)
{
    struct sink *s = ctx;
    assert_true(s->len + len <= sizeof(s->out));
    memcpy(s->out + s->len, data, len);
    s->len += len;
    return 0;
}

static int setup(void **state)
{
    (void)state;
    expected_len = 0;
    for (int i = 0; i < MSG_REPEAT; i++) {
        memcpy(expected + expected_len, MSG, sizeof(MSG) - 1);
        expected_len += sizeof(MSG) - 1;
    }
    return 0;
}

/* Decode in pieces of `step` bytes (0: whole); returns finish()'s result or the first
 * feed error. */
static int decode(int coding, const unsigned char *in, size_t n, size_t step, uint64_t limit,
                  struct sink *s)
{
    struct http_decoder *d = http_decoder_new(coding, limit, collect, s);
    int rc = 0;
    assert_non_null(d);
    memset(s, 0, sizeof(*s));
    for (size_t at = 0; at < n && rc == 0; at += step ? step : n)
        rc = http_decoder_feed(d, in + at, step && n - at > step ? step : n - at);
    if (rc == 0)
        rc = http_decoder_finish(d);
    http_decoder_free(d);
    return rc;
}

static void test_decodes_every_format_whole_and_byte_by_byte(void **state)
{
    struct {
        int coding;
        const unsigned char *in;
        size_t n;
    } v[] = { { HTTP_CODING_GZIP, gz, sizeof(gz) },
              { HTTP_CODING_DEFLATE, zl, sizeof(zl) },     /* RFC 1950, as 8.4.1.2 says */
              { HTTP_CODING_DEFLATE, raw, sizeof(raw) } }; /* raw, as some servers send */
    struct sink s;
    (void)state;
    for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
        for (size_t step = 0; step <= 1; step++) {
            assert_int_equal(decode(v[i].coding, v[i].in, v[i].n, step, 0, &s), 0);
            assert_int_equal(s.len, expected_len);
            assert_memory_equal(s.out, expected, expected_len);
        }
}

/* 3074 'a's as raw deflate (zlib level 9): 20 bytes in, 3074 out. Fed whole, inflate takes
 * every input byte while the first 1024-byte output buffer is still filling, and holds the
 * rest of the last match back: the decoder must call it again with no input left (a fuzz
 * run found bodies cut short by 4 bytes and reported as bad-gzip). */
static const unsigned char runs[] = { 0xed, 0xc1, 0x81, 0x00, 0x00, 0x00, 0x00, 0xc3, 0x20, 0xd6,
                                      0xf9, 0x4b, 0x1c, 0xe4, 0x55, 0x01, 0x00, 0x00, 0x3f, 0x06 };

static void test_output_held_back_after_the_last_input_byte(void **state)
{
    struct sink s;
    (void)state;
    for (size_t step = 0; step <= 1; step++) {
        assert_int_equal(decode(HTTP_CODING_DEFLATE, runs, sizeof(runs), step, 0, &s), 0);
        assert_int_equal(s.len, 3074);
        for (size_t i = 0; i < s.len; i++)
            assert_int_equal(s.out[i], 'a');
    }
}

static void test_damage_is_bad_gzip(void **state)
{
    unsigned char b[sizeof(gz) + 1];
    struct sink s;
    (void)state;
    memcpy(b, gz, sizeof(gz));
    b[sizeof(gz) - 5] ^= 0x40;                     /* the CRC-32 */
    assert_int_equal(decode(HTTP_CODING_GZIP, b, sizeof(gz), 0, 0, &s), HTTP_ERR_GZIP);
    memcpy(b, gz, sizeof(gz));
    b[sizeof(gz) - 1] ^= 0x01;                     /* the length (ISIZE) */
    assert_int_equal(decode(HTTP_CODING_GZIP, b, sizeof(gz), 1, 0, &s), HTTP_ERR_GZIP);
    memcpy(b, zl, sizeof(zl));
    b[sizeof(zl) - 1] ^= 0x01;                     /* the Adler-32 */
    assert_int_equal(decode(HTTP_CODING_DEFLATE, b, sizeof(zl), 0, 0, &s), HTTP_ERR_GZIP);
    /* cut short: every prefix fails at the end, none passes as complete */
    for (size_t n = 1; n < sizeof(gz); n++)
        assert_int_equal(decode(HTTP_CODING_GZIP, gz, n, 0, 0, &s), HTTP_ERR_GZIP);
    /* bytes after the end of the stream */
    memcpy(b, gz, sizeof(gz));
    b[sizeof(gz)] = 'x';
    assert_int_equal(decode(HTTP_CODING_GZIP, b, sizeof(gz) + 1, 0, 0, &s), HTTP_ERR_GZIP);
    /* not gzip at all */
    assert_int_equal(decode(HTTP_CODING_GZIP, (const unsigned char *)"<html>", 6, 0, 0, &s),
                     HTTP_ERR_GZIP);
}

static void test_limit_is_on_decoded_bytes(void **state)
{
    struct sink s;
    (void)state;
    assert_int_equal(decode(HTTP_CODING_GZIP, gz, sizeof(gz), 0, expected_len - 1, &s),
                     HTTP_ERR_BODY_TOO_LARGE);
    assert_true(s.len <= expected_len - 1);
    assert_int_equal(decode(HTTP_CODING_GZIP, gz, sizeof(gz), 0, expected_len, &s), 0);
    assert_null(http_decoder_new(HTTP_CODING_OTHER, 0, collect, &s));
    assert_null(http_decoder_new(HTTP_CODING_IDENTITY, 0, collect, &s));
}

static void test_empty_body_is_complete(void **state)
{
    struct sink s;
    (void)state;
    assert_int_equal(decode(HTTP_CODING_GZIP, gz, 0, 0, 0, &s), 0);
    assert_int_equal(s.len, 0);
}

/* Content-Encoding as the parser reads it, and the body limit moving to the decoder. */
static int coding_of(const char *fields, uint64_t limit, int *rc_out)
{
    struct http_parser p;
    char msg[512];
    int n = snprintf(msg, sizeof(msg), "HTTP/1.1 200 OK\r\nContent-Length: 50\r\n%s\r\n", fields);
    http_parser_init(&p, NULL, NULL, limit);
    *rc_out = http_parser_feed(&p, msg, (size_t)n);
    return p.coding;
}

static void test_parser_reads_content_encoding(void **state)
{
    int rc;
    (void)state;
    assert_int_equal(coding_of("", 0, &rc), HTTP_CODING_IDENTITY);
    assert_int_equal(coding_of("Content-Encoding: gzip\r\n", 0, &rc), HTTP_CODING_GZIP);
    assert_int_equal(coding_of("content-encoding: X-GZIP\r\n", 0, &rc), HTTP_CODING_GZIP);
    assert_int_equal(coding_of("Content-Encoding: deflate\r\n", 0, &rc), HTTP_CODING_DEFLATE);
    assert_int_equal(coding_of("Content-Encoding: identity, gzip ,\r\n", 0, &rc), HTTP_CODING_GZIP);
    assert_int_equal(coding_of("Content-Encoding: identity\r\n", 0, &rc), HTTP_CODING_IDENTITY);
    assert_int_equal(coding_of("Content-Encoding: br\r\n", 0, &rc), HTTP_CODING_OTHER);
    assert_int_equal(coding_of("Content-Encoding: gzip, gzip\r\n", 0, &rc), HTTP_CODING_OTHER);
    /* two fields are one list (RFC 9110 5.3) */
    assert_int_equal(coding_of("Content-Encoding: gzip\r\nContent-Encoding: deflate\r\n", 0, &rc),
                     HTTP_CODING_OTHER);
    /* Content-Length 50 over a 10-byte limit: an error for identity only; a coded body's
     * limit is on its decoded size */
    coding_of("", 10, &rc);
    assert_int_equal(rc, HTTP_ERR_BODY_TOO_LARGE);
    coding_of("Content-Encoding: gzip\r\n", 10, &rc);
    assert_int_equal(rc, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_decodes_every_format_whole_and_byte_by_byte, setup),
        cmocka_unit_test_setup(test_output_held_back_after_the_last_input_byte, setup),
        cmocka_unit_test_setup(test_damage_is_bad_gzip, setup),
        cmocka_unit_test_setup(test_limit_is_on_decoded_bytes, setup),
        cmocka_unit_test_setup(test_empty_body_is_complete, setup),
        cmocka_unit_test(test_parser_reads_content_encoding),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
