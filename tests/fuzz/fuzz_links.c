/* fuzz_links.c - the crawler's link extraction (apps/links.c), streamed in pieces cut at
 * points taken from the input, against the regular expression it implements,
 * href="(.*?)" with no newline in the value, applied to the whole page at once. */
#define _GNU_SOURCE            /* memmem */
#include <assert.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "links.h"

#define MAXL 4096

struct found {
    size_t n;
    size_t len[MAXL];
    char ok[MAXL];
    const char *link[MAXL];
};

static void on_link(void *ctx, const char *link, size_t len, bool ok)
{
    struct found *f = ctx;
    assert(strlen(link) == len && len < HREF_MAX);
    if (f->n < MAXL) {
        f->link[f->n] = strdup(link);
        f->len[f->n] = len;
        f->ok[f->n] = ok;
    }
    f->n++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct found f;
    static struct href_scanner s;
    const char *d = (const char *)data;
    uint32_t seed = size ? data[0] : 0;
    size_t at = 0, i = 0, k = 0;

    memset(&f, 0, sizeof(f));
    href_init(&s);
    while (at < size) {
        seed = seed * 1103515245u + 12345u;
        size_t n = 1 + (seed >> 16) % 97;
        if (n > size - at)
            n = size - at;
        href_scan(&s, d + at, n, on_link, &f);
        at += n;
    }
    /* the regular expression, leftmost match first, then on after the match */
    while (i + 6 <= size) {
        const char *m = memmem(d + i, size - i, "href=\"", 6);
        if (!m)
            break;
        size_t v = (size_t)(m - d) + 6, e = v;
        while (e < size && d[e] != '"' && d[e] != '\n')
            e++;
        if (e == size || d[e] == '\n') {
            i = (size_t)(m - d) + 1;       /* no match starting here */
            continue;
        }
        size_t len = e - v;
        int usable = len <= HREF_MAX - 1 && !memchr(d + v, 0, len);   /* fits with its NUL */
        if (k >= f.n || k >= MAXL) {
            fprintf(stderr, "scanner found %zu values, the expression more\n", f.n);
            abort();
        }
        assert(f.ok[k] == usable);
        if (usable)
            assert(f.len[k] == len && !memcmp(f.link[k], d + v, len));
        k++;
        i = e + 1;
    }
    if (k != f.n) {
        fprintf(stderr, "scanner found %zu values, the expression %zu\n", f.n, k);
        abort();
    }
    for (size_t j = 0; j < f.n && j < MAXL; j++)
        free((void *)f.link[j]);
    return 0;
}
