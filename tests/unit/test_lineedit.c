/* test_lineedit.c - the shell's line editor (kernel/lineedit.c) and the crawler's href
 * extraction (apps/links.c): byte-level behaviour, including bytes a terminal or a web
 * page should not send. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "k.h"
#include "links.h"

static char echoed[4096];

static int feed(struct k_line *l, const char *s, size_t n)
{
    int rc = K_LINE_MORE;
    echoed[0] = 0;
    for (size_t i = 0; i < n && rc == K_LINE_MORE; i++) {
        const char *e;
        rc = k_line_feed(l, (unsigned char)s[i], &e);
        if (e)
            strcat(echoed, e);
    }
    return rc;
}

static void test_line_editing(void **state)
{
    char buf[16];
    struct k_line l;
    (void)state;
    k_line_init(&l, buf, sizeof(buf));
    assert_int_equal(feed(&l, "psx\x7f\r", 5), K_LINE_DONE);
    assert_string_equal(buf, "ps");
    assert_string_equal(echoed, "psx\b \b\n");
    k_line_init(&l, buf, sizeof(buf));
    assert_int_equal(feed(&l, "abc\x15xy\x08z\n", 9), K_LINE_DONE);
    assert_string_equal(buf, "xz");
    /* Ctrl-U erases what is on the line, one "\b \b" a character, and no more */
    assert_string_equal(echoed, "abc\b \b\b \b\b \bxy\b \bz\n");
    char big[K_SHELL_LINE_MAX], all[3 * K_SHELL_LINE_MAX + 2] = "";
    k_line_init(&l, big, sizeof(big));
    memset(all, 'a', sizeof(big) - 1);
    feed(&l, all, sizeof(big) - 1);
    assert_int_equal(l.len, sizeof(big) - 1);
    assert_int_equal(feed(&l, "\x15", 1), K_LINE_MORE);
    assert_int_equal(strlen(echoed), 3 * (sizeof(big) - 1));
    assert_int_equal(strspn(echoed, "\b "), strlen(echoed));
    /* escape sequences, NUL and 8-bit bytes are ignored */
    k_line_init(&l, buf, sizeof(buf));
    assert_int_equal(feed(&l, "a\x1b[A\0\xff" "b\r", 8), K_LINE_DONE);
    assert_string_equal(buf, "a[Ab");
    /* Ctrl-C cancels */
    k_line_init(&l, buf, sizeof(buf));
    assert_int_equal(feed(&l, "reboot\x03", 7), K_LINE_CANCELLED);
    assert_int_equal(l.len, 0);
    /* too long: refused at the end of the line, never past the buffer */
    k_line_init(&l, buf, sizeof(buf));
    assert_int_equal(feed(&l, "0123456789abcdefghij\r", 21), K_LINE_TOO_LONG);
    assert_int_equal(l.len, sizeof(buf) - 1);
    /* backspace on an empty line echoes nothing */
    k_line_init(&l, buf, sizeof(buf));
    assert_int_equal(feed(&l, "\x08\x08\r", 3), K_LINE_DONE);
    assert_string_equal(echoed, "\n");
}

static char found[8][HREF_MAX];
static bool found_ok[8];
static int nfound;

static void on_link(void *ctx, const char *link, size_t len, bool ok)
{
    (void)ctx;
    assert_int_equal(strlen(link), len);
    if (nfound < 8) {
        strcpy(found[nfound], link);
        found_ok[nfound] = ok;
    }
    nfound++;
}

static void test_href_extraction(void **state)
{
    static const char page[] = "<a href=\"/a\">x</a> hhref=\"b?c=1\" href=\"\" href=\"no\nend\" "
                               "href=\"nul\0x\" href='single' HREF=\"upper\" href=\"last\"";
    (void)state;
    /* whole, then byte by byte: the same links */
    for (int step = 0; step < 2; step++) {
        struct href_scanner s;
        href_init(&s);
        nfound = 0;
        if (step == 0)
            href_scan(&s, page, sizeof(page) - 1, on_link, NULL);
        else
            for (size_t i = 0; i < sizeof(page) - 1; i++)
                href_scan(&s, page + i, 1, on_link, NULL);
        assert_int_equal(nfound, 5);
        assert_string_equal(found[0], "/a");
        assert_string_equal(found[1], "b?c=1");
        assert_string_equal(found[2], "");
        assert_false(found_ok[3]);                /* a NUL inside: not a usable link */
        assert_string_equal(found[4], "last");
        assert_true(found_ok[0] && found_ok[1] && found_ok[2] && found_ok[4]);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_line_editing),
        cmocka_unit_test(test_href_extraction),
    };
    return cmocka_run_group_tests_name("lineedit", tests, NULL, NULL);
}
