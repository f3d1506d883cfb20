/* test_http.c - the HTTP/1.1 response parser: framing by Content-Length, chunked transfer
 * coding (extensions, trailers) and connection close, fed whole, split at every byte
 * boundary and byte by byte; limits and malformed input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "http/http.h"

struct sink {
    char body[70000];
    size_t len;
    int abort_after;   /* > 0: stop after this many callbacks */
    int calls;
};

static int collect(void *ctx, const void *data, size_t len)
{
    struct sink *s = ctx;
    assert_true(s->len + len <= sizeof(s->body));
    memcpy(s->body + s->len, data, len);
    s->len += len;
    s->calls++;
    return s->abort_after && s->calls >= s->abort_after;
}

/* Feed msg in pieces cut at `cuts` (sorted offsets); then EOF if `eof`. Returns the
 * first error, or 0. */
static int run(struct http_parser *p, struct sink *s, const char *msg, size_t len,
               const size_t *cuts, int ncuts, int eof)
{
    size_t at = 0;
    int rc = 0;
    memset(s, 0, sizeof(*s));
    http_parser_init(p, collect, s, 0);
    for (int i = 0; i <= ncuts && !rc; i++) {
        size_t end = i < ncuts ? cuts[i] : len;
        rc = http_parser_feed(p, msg + at, end - at);
        at = end;
    }
    if (!rc && eof)
        rc = http_parser_eof(p);
    return rc;
}

/* Every split into two pieces, then byte by byte: same status and body each time. */
static void check_all_splits(const char *msg, int eof, int status, const char *body, size_t body_len)
{
    static struct http_parser p;
    static struct sink s;
    size_t len = strlen(msg);
    for (size_t cut = 0; cut <= len; cut++) {
        assert_int_equal(run(&p, &s, msg, len, &cut, 1, eof), 0);
        assert_true(p.done);
        assert_int_equal(p.status, status);
        assert_int_equal(s.len, body_len);
        assert_memory_equal(s.body, body, body_len);
    }
    size_t *cuts = malloc(len * sizeof(size_t));
    for (size_t i = 0; i < len; i++)
        cuts[i] = i;
    assert_int_equal(run(&p, &s, msg, len, cuts, (int)len, eof), 0);
    free(cuts);
    assert_int_equal(s.len, body_len);
    assert_memory_equal(s.body, body, body_len);
}

static void test_http_content_length(void **state)
{
    (void)state;
    check_all_splits("HTTP/1.1 200 OK\r\nContent-Length: 11\r\nServer: x\r\n\r\nhello world", 0, 200,
                     "hello world", 11);
    /* bytes after the message are ignored */
    check_all_splits("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokEXTRA", 0, 200, "ok", 2);
    check_all_splits("HTTP/1.0 404 Not Found\r\ncontent-length: 0\r\n\r\n", 0, 404, "", 0);
    /* identical repeated values are one length (RFC 9110 8.6) */
    check_all_splits("HTTP/1.1 200 OK\r\nContent-Length: 3, 3\r\nContent-Length: 3\r\n\r\nabc", 0, 200, "abc", 3);
}

static void test_http_chunked_with_extensions_and_trailers(void **state)
{
    (void)state;
    check_all_splits("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                     "5;name=value;q=\"x\"\r\nhello\r\n"
                     "1\r\n \r\n"
                     "A  \r\n0123456789\r\n"
                     "0;last\r\nX-Checksum: 1\r\nX-More: 2\r\n\r\n",
                     0, 200, "hello 0123456789", 16);
    /* Transfer-Encoding wins over Content-Length (RFC 9112 6.3); name case-insensitive */
    check_all_splits("HTTP/1.1 200 OK\r\nCONTENT-LENGTH: 99\r\ntransfer-encoding: gzip, Chunked\r\n\r\n"
                     "3\r\nabc\r\n0\r\n\r\n", 0, 200, "abc", 3);
    /* upper-case hex, leading zeros */
    check_all_splits("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                     "00B\r\nhello world\r\n0000\r\n\r\n", 0, 200, "hello world", 11);
}

static void test_http_close_delimited_and_bare_lf(void **state)
{
    (void)state;
    check_all_splits("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nuntil the end", 1, 200, "until the end", 13);
    check_all_splits("HTTP/1.1 200 OK\nContent-Length: 4\n\nbody", 0, 200, "body", 4);
    /* a non-chunked transfer coding: the body runs to the close */
    check_all_splits("HTTP/1.1 200 OK\r\nTransfer-Encoding: identity\r\n\r\nraw", 1, 200, "raw", 3);
}

static void test_http_no_body_statuses(void **state)
{
    (void)state;
    check_all_splits("HTTP/1.1 204 No Content\r\nContent-Length: 10\r\n\r\n", 0, 204, "", 0);
    check_all_splits("HTTP/1.1 304 Not Modified\r\n\r\n", 0, 304, "", 0);
    /* interim 1xx responses are skipped */
    check_all_splits("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: x\r\n\r\n"
                     "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nz", 0, 200, "z", 1);
}

static void test_http_location_header(void **state)
{
    struct http_parser p;
    struct sink s;
    const char *m = "HTTP/1.1 302 Found\r\nlocation:   /next?a=1  \r\nContent-Length: 0\r\n\r\n";
    (void)state;
    assert_int_equal(run(&p, &s, m, strlen(m), NULL, 0, 0), 0);
    assert_int_equal(p.status, 302);
    assert_string_equal(p.location, "/next?a=1");
}

static int expect_error(const char *msg, int eof)
{
    static struct http_parser p;
    static struct sink s;
    return run(&p, &s, msg, strlen(msg), NULL, 0, eof);
}

static void test_http_malformed_status_lines(void **state)
{
    (void)state;
    const char *bad[] = {
        "HTTP/1.1 20 OK\r\n\r\n", "HTTP/1.1 2000 OK\r\n\r\n", "HTTP/1.1 abc OK\r\n\r\n",
        "HTTP/2.0 200 OK\r\n\r\n", "HTTP/1.1  200 OK\r\n\r\n", "http/1.1 200 OK\r\n\r\n",
        "HTTP/1.1 099 Low\r\n\r\n", "HTTP/1.1 600 High\r\n\r\n", "SSH-2.0-OpenSSH\r\n\r\n",
        "\r\n\r\n", "HTPT/1.1 200 OK\r\n\r\n",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_int_equal(expect_error(bad[i], 0), HTTP_ERR_STATUS_LINE);
    /* a reason phrase is optional */
    assert_int_equal(expect_error("HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n", 0), 0);
}

static void test_http_header_limits_and_syntax(void **state)
{
    static char msg[8192];
    (void)state;
    /* a header line one byte over the limit */
    int n = snprintf(msg, sizeof(msg), "HTTP/1.1 200 OK\r\nX-Long: ");
    memset(msg + n, 'a', HTTP_LINE_MAX - 8 + 1);
    strcpy(msg + n + HTTP_LINE_MAX - 8 + 1, "\r\n\r\n");
    assert_int_equal(expect_error(msg, 0), HTTP_ERR_HEADER_TOO_LONG);
    /* exactly at the limit is fine */
    n = snprintf(msg, sizeof(msg), "HTTP/1.1 200 OK\r\nX-Long: ");
    memset(msg + n, 'a', HTTP_LINE_MAX - 8);
    strcpy(msg + n + HTTP_LINE_MAX - 8, "\r\nContent-Length: 0\r\n\r\n");
    assert_int_equal(expect_error(msg, 0), 0);
    /* a status line over the limit */
    memset(msg, 'H', sizeof(msg) - 1);
    msg[sizeof(msg) - 1] = 0;
    assert_int_equal(expect_error(msg, 0), HTTP_ERR_HEADER_TOO_LONG);
    /* too many fields */
    n = snprintf(msg, sizeof(msg), "HTTP/1.1 200 OK\r\n");
    for (int i = 0; i <= HTTP_HEADERS_MAX; i++)
        n += snprintf(msg + n, sizeof(msg) - (size_t)n, "X-%d: v\r\n", i);
    strcpy(msg + n, "\r\n");
    assert_int_equal(expect_error(msg, 0), HTTP_ERR_HEADER);
    assert_int_equal(expect_error("HTTP/1.1 200 OK\r\nNoColon\r\n\r\n", 0), HTTP_ERR_HEADER);
    assert_int_equal(expect_error("HTTP/1.1 200 OK\r\n: empty\r\n\r\n", 0), HTTP_ERR_HEADER);
    assert_int_equal(expect_error("HTTP/1.1 200 OK\r\nBad Name: x\r\n\r\n", 0), HTTP_ERR_HEADER);
    assert_int_equal(expect_error("HTTP/1.1 200 OK\r\nA: b\r\n folded\r\n\r\n", 0), HTTP_ERR_HEADER);
}

static void test_http_bad_content_length(void **state)
{
    (void)state;
    assert_int_equal(expect_error("HTTP/1.1 200 OK\r\nContent-Length: 12a\r\n\r\n", 0), HTTP_ERR_LENGTH);
    assert_int_equal(expect_error("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", 0), HTTP_ERR_LENGTH);
    assert_int_equal(expect_error("HTTP/1.1 200 OK\r\nContent-Length: \r\n\r\n", 0), HTTP_ERR_LENGTH);
    assert_int_equal(expect_error("HTTP/1.1 200 OK\r\nContent-Length: 3, 4\r\n\r\n", 0), HTTP_ERR_LENGTH);
    assert_int_equal(expect_error("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n", 0), HTTP_ERR_LENGTH);
    assert_int_equal(expect_error("HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999999\r\n\r\n", 0), HTTP_ERR_LENGTH);
}

static void test_http_bad_chunks(void **state)
{
    (void)state;
    const char *h = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
    const char *bodies[] = {
        "zz\r\nab\r\n0\r\n\r\n",            /* not hex */
        "\r\nab\r\n0\r\n\r\n",              /* empty size */
        "-1\r\n",                           /* sign */
        "2 x\r\nab\r\n0\r\n\r\n",           /* junk after the size */
        "2\r\nabc\r\n0\r\n\r\n",            /* data longer than the size: no CRLF after it */
        "ffffffffffffffffff\r\n",           /* overflow */
    };
    char msg[256];
    for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
        snprintf(msg, sizeof(msg), "%s%s", h, bodies[i]);
        assert_int_equal(expect_error(msg, 0), HTTP_ERR_CHUNK);
    }
    /* a chunk-size line that never ends */
    static char longline[4096];
    int n = snprintf(longline, sizeof(longline), "%s1", h);
    memset(longline + n, ';', sizeof(longline) - (size_t)n - 1);
    assert_int_equal(expect_error(longline, 0), HTTP_ERR_CHUNK);
}

static void test_http_eof_before_complete(void **state)
{
    (void)state;
    assert_int_equal(expect_error("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort", 1), HTTP_ERR_CLOSED);
    assert_int_equal(expect_error("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab", 1), HTTP_ERR_CLOSED);
    assert_int_equal(expect_error("HTTP/1.1 200 OK\r\nContent-Le", 1), HTTP_ERR_CLOSED);
    assert_int_equal(expect_error("", 1), HTTP_ERR_CLOSED);
}

static void test_http_body_limit_and_abort(void **state)
{
    static struct http_parser p;
    static struct sink s;
    const char *cl = "HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\nhello world";
    const char *ch = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n";
    const char *cd = "HTTP/1.1 200 OK\r\n\r\nhello world";
    (void)state;
    memset(&s, 0, sizeof(s));
    http_parser_init(&p, collect, &s, 10);
    assert_int_equal(http_parser_feed(&p, cl, strlen(cl)), HTTP_ERR_BODY_TOO_LARGE);
    assert_int_equal(s.len, 0);                       /* refused before any byte */
    memset(&s, 0, sizeof(s));
    http_parser_init(&p, collect, &s, 10);
    assert_int_equal(http_parser_feed(&p, ch, strlen(ch)), HTTP_ERR_BODY_TOO_LARGE);
    memset(&s, 0, sizeof(s));
    http_parser_init(&p, collect, &s, 10);
    assert_int_equal(http_parser_feed(&p, cd, strlen(cd)), HTTP_ERR_BODY_TOO_LARGE);
    memset(&s, 0, sizeof(s));
    http_parser_init(&p, collect, &s, 11);
    assert_int_equal(http_parser_feed(&p, cl, strlen(cl)), 0);   /* exactly at the limit */
    memset(&s, 0, sizeof(s));
    s.abort_after = 1;
    http_parser_init(&p, collect, &s, 0);
    assert_int_equal(http_parser_feed(&p, ch, strlen(ch)), HTTP_ERR_ABORTED);
}

/* Messages with a NUL or a bare CR (sizeof - 1: the NUL is part of the message). */
#define EXPECT_ERROR_N(lit) run(&np, &ns, lit, sizeof(lit) - 1, NULL, 0, 0)

static void test_http_nul_and_bare_cr_are_rejected(void **state)
{
    static struct http_parser np;
    static struct sink ns;
    (void)state;
    /* RFC 9110 5.5: NUL in a field value is invalid; reject, never cut the value there */
    assert_int_equal(EXPECT_ERROR_N("HTTP/1.1 200 OK\r\nContent-Length: 5\0 99\r\n\r\nhello"), HTTP_ERR_HEADER);
    assert_int_equal(EXPECT_ERROR_N("HTTP/1.1 200 OK\r\nX-A: a\0b\r\nContent-Length: 0\r\n\r\n"), HTTP_ERR_HEADER);
    assert_int_equal(EXPECT_ERROR_N("HTTP/1.1 200 O\0K\r\nContent-Length: 0\r\n\r\n"), HTTP_ERR_STATUS_LINE);
    assert_int_equal(EXPECT_ERROR_N("HTTP/1.1 200\0 OK\r\nContent-Length: 0\r\n\r\n"), HTTP_ERR_STATUS_LINE);
    assert_int_equal(EXPECT_ERROR_N("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                                    "3\0ff\r\nabc\r\n0\r\n\r\n"), HTTP_ERR_CHUNK);
    assert_int_equal(EXPECT_ERROR_N("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                                    "3\r\nabc\r\n0\r\nX-T: \0\r\n\r\n"), HTTP_ERR_HEADER);
    /* RFC 9112 2.2: a bare CR inside a line is invalid */
    assert_int_equal(EXPECT_ERROR_N("HTTP/1.1 200 OK\r\nX-A: a\rb\r\nContent-Length: 0\r\n\r\n"), HTTP_ERR_HEADER);
    assert_int_equal(EXPECT_ERROR_N("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                                    "3\r\r\nabc\r\n0\r\n\r\n"), HTTP_ERR_CHUNK);
    /* NUL inside the body is data */
    assert_int_equal(EXPECT_ERROR_N("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\na\0b"), 0);
    assert_int_equal(ns.len, 3);
    assert_memory_equal(ns.body, "a\0b", 3);
}

static void test_http_transfer_encoding_empty_list_elements(void **state)
{
    (void)state;
    /* RFC 9110 5.6.1: empty list elements do not count; the last coding is still chunked */
    const char *te[] = { "chunked, ", "chunked,,", ", chunked", "gzip, ,chunked ,", "chunked ,\t," };
    char msg[256];
    for (size_t i = 0; i < sizeof(te) / sizeof(te[0]); i++) {
        snprintf(msg, sizeof(msg), "HTTP/1.1 200 OK\r\nTransfer-Encoding: %s\r\n\r\n"
                 "3\r\nabc\r\n0\r\n\r\n", te[i]);
        check_all_splits(msg, 0, 200, "abc", 3);
    }
    /* an empty field adds nothing to the list: the earlier field's chunked stands */
    check_all_splits("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: ,\r\n\r\n"
                     "3\r\nabc\r\n0\r\n\r\n", 0, 200, "abc", 3);
    /* chunked not last: the body runs to the close (RFC 9112 6.3) */
    check_all_splits("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip,\r\n\r\nraw", 1, 200, "raw", 3);
    /* "chunkedx" is another coding */
    check_all_splits("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunkedx\r\n\r\nraw", 1, 200, "raw", 3);
}

static void test_http_error_names(void **state)
{
    (void)state;
    assert_string_equal(http_strerror(HTTP_ERR_REFUSED), "refused");
    assert_string_equal(http_strerror(HTTP_ERR_TIMEOUT), "timeout");
    assert_string_equal(http_strerror(HTTP_ERR_CHUNK), "bad-chunk-size");
    for (int e = HTTP_ERR_FIRST; e >= HTTP_ERR_LAST; e--) {
        assert_string_not_equal(http_strerror(e), "unknown");
        assert_string_not_equal(http_strmessage(e), "unknown error");
        assert_null(strchr(http_strerror(e), ' '));
    }
    /* an errno value is not an HTTP error, nor the other way round */
    assert_true(HTTP_ERR_FIRST < -1000 && HTTP_ERR_LAST > K_GEN_EXIT);
    assert_string_equal(http_strerror(-ETIMEDOUT), "unknown");
    assert_string_equal(http_strerror(-EIO), "unknown");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_http_content_length),
        cmocka_unit_test(test_http_chunked_with_extensions_and_trailers),
        cmocka_unit_test(test_http_close_delimited_and_bare_lf),
        cmocka_unit_test(test_http_no_body_statuses),
        cmocka_unit_test(test_http_location_header),
        cmocka_unit_test(test_http_malformed_status_lines),
        cmocka_unit_test(test_http_header_limits_and_syntax),
        cmocka_unit_test(test_http_bad_content_length),
        cmocka_unit_test(test_http_bad_chunks),
        cmocka_unit_test(test_http_eof_before_complete),
        cmocka_unit_test(test_http_body_limit_and_abort),
        cmocka_unit_test(test_http_nul_and_bare_cr_are_rejected),
        cmocka_unit_test(test_http_transfer_encoding_empty_list_elements),
        cmocka_unit_test(test_http_error_names),
    };
    return cmocka_run_group_tests_name("http", tests, NULL, NULL);
}
