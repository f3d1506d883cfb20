/* test_url.c - URL parsing and RFC 3986 reference resolution: the examples of RFC 3986
 * section 5.4 (normal and abnormal), which Python's urljoin also passes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "http/http.h"

static void test_url_parse_forms(void **state)
{
    struct http_url u;
    (void)state;
    assert_int_equal(http_url_parse("http://example.com", &u), 0);
    assert_string_equal(u.host, "example.com");
    assert_int_equal(u.port, 80);
    assert_string_equal(u.target, "/");
    assert_int_equal(http_url_parse("HTTP://10.0.2.2:8080/a/b?x=1&y=2#frag", &u), 0);
    assert_string_equal(u.host, "10.0.2.2");
    assert_int_equal(u.port, 8080);
    assert_string_equal(u.target, "/a/b?x=1&y=2");
    assert_int_equal(http_url_parse("http://h?q", &u), 0);
    assert_string_equal(u.target, "/?q");
    assert_int_equal(http_url_parse("http://h:/p", &u), 0);
    assert_int_equal(u.port, 80);
    assert_false(u.https);
    assert_int_equal(http_url_parse("https://example.com/x", &u), 0);
    assert_true(u.https);
    assert_int_equal(u.port, 443);
    assert_string_equal(u.target, "/x");
    assert_int_equal(http_url_parse("HTTPS://h:8443", &u), 0);
    assert_true(u.https);
    assert_int_equal(u.port, 8443);
}

static void test_url_parse_rejects_bad_input(void **state)
{
    struct http_url u;
    char longhost[300];
    (void)state;
    const char *bad[] = {
        "", "example.com/", "https:/example.com/", "ftp://x/", "http://", "http:///path",
        "http://h:0/", "http://h:65536/", "http://h:12x/", "http://user@h/", "http://h]/",
        "http://h/a b", "http://h/\x01",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_int_equal(http_url_parse(bad[i], &u), HTTP_ERR_URL);
    memset(longhost, 'a', sizeof(longhost));
    memcpy(longhost, "http://", 7);
    longhost[sizeof(longhost) - 1] = 0;
    assert_int_equal(http_url_parse(longhost, &u), HTTP_ERR_URL);
    assert_int_equal(http_url_parse(NULL, &u), HTTP_ERR_URL);
}

/* RFC 3986 3.2.2 IP-literal: the host keeps the address without brackets */
static void test_url_parse_ipv6_literals(void **state)
{
    struct http_url u;
    char auth[80];
    (void)state;
    const char *good[][2] = {
        { "http://[::1]/", "::1" },
        { "http://[::]/", "::" },
        { "http://[fec0::2]:8080/x", "fec0::2" },
        { "http://[2001:db8:0:0:1:0:0:1]", "2001:db8:0:0:1:0:0:1" },
        { "http://[FE80::5054:FF:FE12:3456]?q", "FE80::5054:FF:FE12:3456" },
        { "http://[1::]/", "1::" },
        { "http://[1:2:3:4:5:6:7::]/", "1:2:3:4:5:6:7::" },
        { "http://[::ffff:10.0.2.2]/", "::ffff:10.0.2.2" },
        { "http://[1:2:3:4:5:6:1.2.3.4]/", "1:2:3:4:5:6:1.2.3.4" },
        { "http://[::1]:/p", "::1" },
    };
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        assert_int_equal(http_url_parse(good[i][0], &u), 0);
        assert_string_equal(u.host, good[i][1]);
    }
    assert_int_equal(http_url_parse("http://[fec0::2]:8080/x", &u), 0);
    assert_int_equal(u.port, 8080);
    assert_string_equal(u.target, "/x");
    /* Host: brackets again, and the port only when it is not the default */
    assert_int_equal(http_url_authority(&u, auth, sizeof(auth)), 14);
    assert_string_equal(auth, "[fec0::2]:8080");
    assert_int_equal(http_url_parse("https://[::1]/", &u), 0);
    assert_int_equal(http_url_authority(&u, auth, sizeof(auth)), 5);
    assert_string_equal(auth, "[::1]");
    assert_int_equal(http_url_parse("http://10.0.2.2:81/", &u), 0);
    assert_int_equal(http_url_authority(&u, auth, sizeof(auth)), 11);
    assert_string_equal(auth, "10.0.2.2:81");
    assert_int_equal(http_url_authority(&u, auth, 5), -1);

    const char *bad[] = {
        "http://[]/", "http://[::1/", "http://[::1]x/", "http://[:1]/", "http://[1:]/",
        "http://[:::]/", "http://[1::2::3]/", "http://[12345::]/", "http://[g::]/",
        "http://[1:2:3:4:5:6:7:8:9]/", "http://[1:2:3:4:5:6:7]/", "http://[1:2:3:4:5:6:7:8::]/",
        "http://[fe80::1%25en0]/", "http://[fe80::1%en0]/", "http://[v1.fec0]/",
        "http://[::1.2.3.256]/", "http://[::1.2.3]/", "http://[::01.2.3.4]/",
        "http://[1:2:3:4:5:6:7:1.2.3.4]/", "http://[::1.2.3.4:5]/", "http://fec0::2/",
        "http://[::1]]/", "http://[[::1]/",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (http_url_parse(bad[i], &u) != HTTP_ERR_URL)
            fail_msg("accepted %s", bad[i]);
    }
}

static void check(const char *base, const char *ref, const char *want)
{
    char out[HTTP_URL_MAX];
    assert_int_equal(http_url_resolve(base, ref, out, sizeof(out)), 0);
    if (strcmp(out, want)) {
        print_error("resolve(%s, %s) = %s, want %s\n", base, ref, out, want);
        fail();
    }
}

static void test_url_resolve_rfc3986_normal(void **state)
{
    const char *b = "http://a/b/c/d;p?q";
    (void)state;
    check(b, "g:h", "g:h");
    check(b, "g", "http://a/b/c/g");
    check(b, "./g", "http://a/b/c/g");
    check(b, "g/", "http://a/b/c/g/");
    check(b, "/g", "http://a/g");
    check(b, "//g", "http://g");
    check(b, "?y", "http://a/b/c/d;p?y");
    check(b, "g?y", "http://a/b/c/g?y");
    check(b, "#s", "http://a/b/c/d;p?q#s");
    check(b, "g#s", "http://a/b/c/g#s");
    check(b, "g?y#s", "http://a/b/c/g?y#s");
    check(b, ";x", "http://a/b/c/;x");
    check(b, "g;x", "http://a/b/c/g;x");
    check(b, "g;x?y#s", "http://a/b/c/g;x?y#s");
    check(b, "", "http://a/b/c/d;p?q");
    check(b, ".", "http://a/b/c/");
    check(b, "./", "http://a/b/c/");
    check(b, "..", "http://a/b/");
    check(b, "../", "http://a/b/");
    check(b, "../g", "http://a/b/g");
    check(b, "../..", "http://a/");
    check(b, "../../", "http://a/");
    check(b, "../../g", "http://a/g");
}

static void test_url_resolve_rfc3986_abnormal(void **state)
{
    const char *b = "http://a/b/c/d;p?q";
    (void)state;
    check(b, "../../../g", "http://a/g");
    check(b, "../../../../g", "http://a/g");
    check(b, "/./g", "http://a/g");
    check(b, "/../g", "http://a/g");
    check(b, "g.", "http://a/b/c/g.");
    check(b, ".g", "http://a/b/c/.g");
    check(b, "g..", "http://a/b/c/g..");
    check(b, "..g", "http://a/b/c/..g");
    check(b, "./../g", "http://a/b/g");
    check(b, "./g/.", "http://a/b/c/g/");
    check(b, "g/./h", "http://a/b/c/g/h");
    check(b, "g/../h", "http://a/b/c/h");
    check(b, "g;x=1/./y", "http://a/b/c/g;x=1/y");
    check(b, "g;x=1/../y", "http://a/b/c/y");
    check(b, "g?y/./x", "http://a/b/c/g?y/./x");
    check(b, "g?y/../x", "http://a/b/c/g?y/../x");
    check(b, "g#s/./x", "http://a/b/c/g#s/./x");
    check(b, "g#s/../x", "http://a/b/c/g#s/../x");
    check(b, "http:g", "http:g");   /* strict parser */
}

static void test_url_resolve_base_without_path(void **state)
{
    (void)state;
    check("http://h", "x", "http://h/x");
    check("http://h:8080", "/r/1?a", "http://h:8080/r/1?a");
    check("http://h/dir/page", "http://other:81/p", "http://other:81/p");
}

static void test_url_resolve_ipv6_authority(void **state)
{
    (void)state;
    check("http://[fec0::2]:8080/a/b", "c", "http://[fec0::2]:8080/a/c");
    check("http://[fec0::2]:8080/a/b", "/x?y", "http://[fec0::2]:8080/x?y");
    check("http://10.0.2.2/a", "//[::1]:81/z", "http://[::1]:81/z");
    check("http://[::1]/a/b", "../../../c", "http://[::1]/c");
}

static void test_url_resolve_errors(void **state)
{
    char out[32];
    (void)state;
    assert_int_equal(http_url_resolve("relative/base", "x", out, sizeof(out)), HTTP_ERR_URL);
    assert_int_equal(http_url_resolve("http://h/", "/a-path-that-is-far-too-long-for-32-bytes", out, sizeof(out)), HTTP_ERR_URL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_url_parse_forms),
        cmocka_unit_test(test_url_parse_rejects_bad_input),
        cmocka_unit_test(test_url_parse_ipv6_literals),
        cmocka_unit_test(test_url_resolve_rfc3986_normal),
        cmocka_unit_test(test_url_resolve_rfc3986_abnormal),
        cmocka_unit_test(test_url_resolve_base_without_path),
        cmocka_unit_test(test_url_resolve_ipv6_authority),
        cmocka_unit_test(test_url_resolve_errors),
    };
    return cmocka_run_group_tests_name("url", tests, NULL, NULL);
}
