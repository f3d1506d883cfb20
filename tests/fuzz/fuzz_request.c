/* fuzz_request.c - the HTTP server's request parser (net/http/request.c). A streaming
 * parser must not depend on how the bytes arrive: the input is parsed whole, then again
 * split where its first byte says (1..16 bytes a call), and both results must agree in
 * every field, with the consumed count, the limits and the terminated strings checked.
 * The decoded path (http_target_path) must fit its buffer and hold no NUL or '?'. */
#include <assert.h>
#include <stdint.h>
#include <string.h>

#include "http/server.h"

static size_t run(struct http_req *r, const char *s, size_t n, size_t step)
{
    size_t used = 0;
    http_req_init(r);
    while (r->state == HTTP_REQ_PARSING && used < n) {
        size_t k = n - used < step ? n - used : step;
        size_t c = http_req_feed(r, s + used, k);
        assert(c <= k);
        assert(c == k || r->state != HTTP_REQ_PARSING);
        used += c;
    }
    return used;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct http_req a, b;
    if (size < 1)
        return 0;
    size_t step = (data[0] & 15) + 1;
    const char *s = (const char *)data + 1;
    size_t n = size - 1;

    size_t ua = run(&a, s, n, n ? n : 1), ub = run(&b, s, n, step);
    assert(ua == ub);
    assert(a.state == b.state);
    assert(a.header_bytes <= HTTPD_HEADERS_MAX + 1);
    assert(a.fields <= HTTPD_FIELDS_MAX + 1);
    if (a.state == HTTP_REQ_ERROR) {
        assert(a.status == b.status && a.status >= 400 && a.status <= 505 && a.error);
        assert(!strcmp(a.error, b.error));
        return 0;
    }
    assert(strlen(a.method_name) <= HTTPD_METHOD_MAX);
    if (a.state == HTTP_REQ_DONE) {
        assert(a.method == b.method && a.minor == b.minor && a.minor <= 1);
        assert(!strcmp(a.target, b.target) && strlen(a.target) <= HTTPD_TARGET_MAX);
        assert(!strcmp(a.if_none_match, b.if_none_match));
        assert(a.if_none_match_cut == b.if_none_match_cut);
        assert(a.content_length == b.content_length && a.content_length >= -1);
        assert(a.has_host == b.has_host && (a.has_host || a.minor == 0));
        assert(a.conn_close == b.conn_close && a.conn_keep_alive == b.conn_keep_alive);
        assert(a.transfer_encoding == b.transfer_encoding);
        char path[HTTPD_TARGET_MAX + 1];
        if (http_target_path(a.target, path, sizeof(path)) == 0) {
            assert(path[0] == '/' && strlen(path) <= HTTPD_TARGET_MAX);
            assert(!strchr(path, '?') || strchr(a.target, '%'));
        }
        (void)http_etag_match(a.if_none_match, "\"0123456789abcdef\"");
    }
    return 0;
}
