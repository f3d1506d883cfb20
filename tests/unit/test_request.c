/* test_request.c - the HTTP server's request parser (net/http/request.c): RFC 9112's
 * request syntax, the limits and the status each violation gets, streaming (any split of
 * the bytes parses the same), and the helpers for paths and entity-tags. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "http/server.h"

/* Parse s whole; return the bytes consumed. */
static size_t parse(struct http_req *r, const char *s)
{
    http_req_init(r);
    return http_req_feed(r, s, strlen(s));
}

static int status_of(const char *s)
{
    struct http_req r;
    parse(&r, s);
    return r.state == HTTP_REQ_ERROR ? r.status : r.state == HTTP_REQ_DONE ? 200 : 0;
}

static void test_request_get(void **state)
{
    struct http_req r;
    const char *s = "GET /a/b?x=1 HTTP/1.1\r\nHost: k\r\nIf-None-Match: \"abc\" \r\n"
                    "Connection: Keep-Alive, Close\r\nX-Other: whatever\r\n\r\n";
    (void)state;
    assert_int_equal(parse(&r, s), strlen(s));
    assert_int_equal(r.state, HTTP_REQ_DONE);
    assert_int_equal(r.method, HTTP_M_GET);
    assert_string_equal(r.target, "/a/b?x=1");
    assert_int_equal(r.minor, 1);
    assert_true(r.has_host);
    assert_true(r.conn_close);
    assert_true(r.conn_keep_alive);
    assert_string_equal(r.if_none_match, "\"abc\"");
    assert_int_equal(r.content_length, -1);
    assert_false(r.transfer_encoding);
}

static void test_request_forms(void **state)
{
    struct http_req r;
    (void)state;
    /* HTTP/1.0 needs no Host; bare LF line ends; empty lines before the request line */
    const char *s = "\r\n\nHEAD / HTTP/1.0\nContent-Length:  12\n\n";
    assert_int_equal(parse(&r, s), strlen(s));
    assert_int_equal(r.state, HTTP_REQ_DONE);
    assert_int_equal(r.method, HTTP_M_HEAD);
    assert_int_equal(r.minor, 0);
    assert_int_equal(r.content_length, 12);
    /* HTTP/1.2 reads as 1.1; the same Content-Length twice is fine */
    assert_int_equal(status_of("GET / HTTP/1.2\r\nHost: a\r\nContent-Length: 3\r\ncontent-length: 3\r\n\r\n"), 200);
    /* every method we know */
    const char *m[] = { "POST", "PUT", "DELETE", "OPTIONS", "PATCH", "TRACE", "CONNECT" };
    for (unsigned i = 0; i < sizeof(m) / sizeof(m[0]); i++) {
        char buf[64];
        snprintf(buf, sizeof(buf), "%s / HTTP/1.1\r\nHost: a\r\n\r\n", m[i]);
        parse(&r, buf);
        assert_int_equal(r.state, HTTP_REQ_DONE);
        assert_string_equal(http_method_name(r.method), m[i]);
    }
    assert_int_equal(status_of("GET / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"), 200);
    parse(&r, "GET / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n");
    assert_true(r.transfer_encoding);
    /* a huge Content-Length saturates (the server answers 413) */
    parse(&r, "GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999999999999999\r\n\r\n");
    assert_int_equal(r.state, HTTP_REQ_DONE);
    assert_true(r.content_length == INT64_MAX);
}

static void test_request_pipelined(void **state)
{
    struct http_req r;
    const char *two = "GET /1 HTTP/1.1\r\nHost: a\r\n\r\nGET /2 HTTP/1.1\r\nHost: a\r\n\r\n";
    (void)state;
    size_t n = parse(&r, two);
    assert_int_equal(n, strlen(two) / 2);
    assert_string_equal(r.target, "/1");
    http_req_init(&r);
    assert_int_equal(http_req_feed(&r, two + n, strlen(two) - n), strlen(two) / 2);
    assert_string_equal(r.target, "/2");
}

static void test_request_errors(void **state)
{
    (void)state;
    /* 400: syntax */
    const char *bad[] = {
        "GET / HTTP/1.1\r\n\r\n",                                  /* no Host in 1.1 */
        "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",            /* two Hosts */
        "GET / HTTP/1.1\r\nHost : a\r\n\r\n",                      /* space before colon */
        "GET / HTTP/1.1\r\nHost: a\r\n folded\r\n\r\n",            /* obs-fold */
        "GET / HTTP/1.1\r\nHost: a\r\n: v\r\n\r\n",                /* empty name */
        "GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 1x\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: a\r\nContent-Length:\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: a\rX\n\r\n",                      /* CR without LF */
        "GET / HTTP/1.1\r\nHost: a\x01\r\n\r\n",                   /* control character */
        "GET / HTTP/1.1\r\nHo(st: a\r\n\r\n",                      /* not a token */
        "GET  / HTTP/1.1\r\nHost: a\r\n\r\n",                      /* two spaces */
        "GET /\x7f HTTP/1.1\r\nHost: a\r\n\r\n",
        "GET / HTTP/1.1 \r\nHost: a\r\n\r\n",
        "GET / HTTPS/1.1\r\nHost: a\r\n\r\n",
        "GET / HTTP/11\r\nHost: a\r\n\r\n",
        "GET /\r\n\r\n",                                           /* HTTP/0.9 */
        " GET / HTTP/1.1\r\n",
        "G@T / HTTP/1.1\r\n",
    };
    for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct http_req r;
        parse(&r, bad[i]);
        assert_int_equal(r.state, HTTP_REQ_ERROR);
        assert_int_equal(r.status, 400);
        assert_non_null(r.error);
    }
    assert_int_equal(status_of("GET / HTTP/2.0\r\nHost: a\r\n\r\n"), 505);
    assert_int_equal(status_of("BREW / HTTP/1.1\r\nHost: a\r\n\r\n"), 501);
    assert_int_equal(status_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ / HTTP/1.1\r\n"), 501);
}

static void test_request_limits(void **state)
{
    size_t big = HTTPD_HEADERS_MAX + 100;
    char *s = malloc(big + 200);
    struct http_req r;
    (void)state;
    /* a request-target of HTTPD_TARGET_MAX bytes is kept whole; one byte more is 414 */
    strcpy(s, "GET /");
    memset(s + 5, 'a', HTTPD_TARGET_MAX - 1);
    strcpy(s + 4 + HTTPD_TARGET_MAX, " HTTP/1.1\r\nHost: a\r\n\r\n");
    parse(&r, s);
    assert_int_equal(r.state, HTTP_REQ_DONE);
    assert_int_equal(strlen(r.target), HTTPD_TARGET_MAX);
    strcpy(s, "GET /");
    memset(s + 5, 'a', HTTPD_TARGET_MAX);
    strcpy(s + 5 + HTTPD_TARGET_MAX, " HTTP/1.1\r\nHost: a\r\n\r\n");
    assert_int_equal(status_of(s), 414);
    /* a 10 KB field is fine (not kept); a section over HTTPD_HEADERS_MAX is 431 */
    strcpy(s, "GET / HTTP/1.1\r\nHost: a\r\nCookie: ");
    size_t at = strlen(s);
    memset(s + at, 'c', 10 * 1024);
    strcpy(s + at + 10 * 1024, "\r\n\r\n");
    assert_int_equal(status_of(s), 200);
    memset(s + at, 'c', big);
    strcpy(s + at + big, "\r\n\r\n");
    assert_int_equal(status_of(s), 431);
    /* HTTPD_FIELDS_MAX fields are fine, one more is 431 */
    for (int extra = 0; extra <= 1; extra++) {
        strcpy(s, "GET / HTTP/1.1\r\nHost: a\r\n");
        for (int i = 1; i < HTTPD_FIELDS_MAX + extra; i++)
            strcat(s, "X: 1\r\n");
        strcat(s, "\r\n");
        assert_int_equal(status_of(s), extra ? 431 : 200);
    }
    /* an If-None-Match too long to keep is ignored, not an error */
    strcpy(s, "GET / HTTP/1.1\r\nHost: a\r\nIf-None-Match: ");
    at = strlen(s);
    memset(s + at, 'e', 300);
    strcpy(s + at + 300, "\r\n\r\n");
    parse(&r, s);
    assert_int_equal(r.state, HTTP_REQ_DONE);
    assert_true(r.if_none_match_cut);
    free(s);
}

/* However the bytes are split, the result is the same. */
static void test_request_any_split(void **state)
{
    const char *s = "\r\nGET /x%20y HTTP/1.1\r\nHost: h\r\nIf-None-Match: W/\"1\", \"2\"\r\n"
                    "Content-Length: 5\r\nConnection: close\r\n\r\nhello";
    struct http_req whole, r;
    (void)state;
    size_t n = parse(&whole, s);
    for (size_t step = 1; step < 8; step++) {
        size_t used = 0;
        http_req_init(&r);
        while (r.state == HTTP_REQ_PARSING && used < strlen(s)) {
            size_t k = strlen(s) - used < step ? strlen(s) - used : step;
            used += http_req_feed(&r, s + used, k);
        }
        assert_int_equal(used, n);
        assert_int_equal(r.state, whole.state);
        assert_string_equal(r.target, whole.target);
        assert_string_equal(r.if_none_match, whole.if_none_match);
        assert_int_equal(r.content_length, 5);
        assert_true(r.conn_close);
    }
}

static void test_target_path(void **state)
{
    char out[32];
    (void)state;
    assert_int_equal(http_target_path("/a/b?q=1", out, sizeof(out)), 0);
    assert_string_equal(out, "/a/b");
    assert_int_equal(http_target_path("/%7euser/x%2Fy", out, sizeof(out)), 0);
    assert_string_equal(out, "/~user/x/y");
    assert_int_equal(http_target_path("http://host:80/p?x", out, sizeof(out)), 0);
    assert_string_equal(out, "/p");
    assert_int_equal(http_target_path("http://host", out, sizeof(out)), 0);
    assert_string_equal(out, "/");
    assert_int_equal(http_target_path("/../../etc/passwd", out, sizeof(out)), 0);
    assert_string_equal(out, "/../../etc/passwd");     /* a name like any other: 404 */
    assert_int_equal(http_target_path("*", out, sizeof(out)), -1);
    assert_int_equal(http_target_path("host:80", out, sizeof(out)), -1);
    assert_int_equal(http_target_path("/a%", out, sizeof(out)), -1);
    assert_int_equal(http_target_path("/a%4", out, sizeof(out)), -1);
    assert_int_equal(http_target_path("/a%zz", out, sizeof(out)), -1);
    assert_int_equal(http_target_path("/a%00b", out, sizeof(out)), -1);
    assert_int_equal(http_target_path("/0123456789012345678901234567890123456789", out, sizeof(out)), -1);
}

static void test_etag_match(void **state)
{
    (void)state;
    assert_true(http_etag_match("\"abc\"", "\"abc\""));
    assert_true(http_etag_match("W/\"abc\"", "\"abc\""));              /* weak comparison */
    assert_true(http_etag_match("\"x\", \"abc\"", "\"abc\""));
    assert_true(http_etag_match("*", "\"abc\""));
    assert_false(http_etag_match("\"abcd\"", "\"abc\""));
    assert_false(http_etag_match("\"ab\"", "\"abc\""));
    assert_false(http_etag_match("abc", "\"abc\""));                   /* not quoted */
    assert_false(http_etag_match("\"abc", "\"abc\""));
    assert_false(http_etag_match("", "\"abc\""));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_request_get),
        cmocka_unit_test(test_request_forms),
        cmocka_unit_test(test_request_pipelined),
        cmocka_unit_test(test_request_errors),
        cmocka_unit_test(test_request_limits),
        cmocka_unit_test(test_request_any_split),
        cmocka_unit_test(test_target_path),
        cmocka_unit_test(test_etag_match),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
