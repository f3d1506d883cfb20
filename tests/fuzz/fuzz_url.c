/* fuzz_url.c - URL parsing and RFC 3986 reference resolution (net/http/url.c), checked
 * against an independent implementation of RFC 3986 section 5.2: components split with
 * the regular expression of appendix B (POSIX regcomp), remove_dot_segments written as
 * the RFC's string-rewriting loop (5.2.4), recomposition as 5.3.
 * Input: "base\nreference" (each cut at 250 bytes and at a NUL). */
#include <assert.h>
#include <regex.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "http/http.h"

struct comp {
    char *scheme, *auth, *path, *query, *frag;    /* NULL: undefined */
};

static regex_t re;

static char *dup_n(const char *s, size_t n)
{
    char *d = malloc(n + 1);
    memcpy(d, s, n);
    d[n] = 0;
    return d;
}

static void split(const char *s, struct comp *c)
{
    regmatch_t m[10];
    int rc = regexec(&re, s, 10, m, 0);
    assert(rc == 0);                 /* the appendix B expression matches every string */
#define GROUP(i) (m[i].rm_so < 0 ? NULL : dup_n(s + m[i].rm_so, (size_t)(m[i].rm_eo - m[i].rm_so)))
    c->scheme = GROUP(2);
    c->auth = GROUP(4);
    c->path = GROUP(5);
    c->query = GROUP(7);
    c->frag = GROUP(9);
    if (!c->path)
        c->path = dup_n("", 0);
}

static void comp_free(struct comp *c)
{
    free(c->scheme), free(c->auth), free(c->path), free(c->query), free(c->frag);
}

static int starts(const char *s, const char *p) { return strncmp(s, p, strlen(p)) == 0; }

/* RFC 3986 5.2.4, step by step on an input and an output string. */
static char *remove_dots(const char *path)
{
    size_t cap = strlen(path) + 2;
    char *in = dup_n(path, strlen(path)), *out = calloc(1, cap);
    while (*in) {
        char *rest;
        if (starts(in, "../")) {
            rest = dup_n(in + 3, strlen(in + 3));
        } else if (starts(in, "./")) {
            rest = dup_n(in + 2, strlen(in + 2));
        } else if (starts(in, "/./")) {
            rest = dup_n(in + 2, strlen(in + 2));                 /* "/" + after */
        } else if (!strcmp(in, "/.")) {
            rest = dup_n("/", 1);
        } else if (starts(in, "/../") || !strcmp(in, "/..")) {
            rest = starts(in, "/../") ? dup_n(in + 3, strlen(in + 3)) : dup_n("/", 1);
            char *slash = strrchr(out, '/');                       /* last segment and */
            if (slash)                                             /* its preceding "/" */
                *slash = 0;
            else
                out[0] = 0;
        } else if (!strcmp(in, ".") || !strcmp(in, "..")) {
            rest = dup_n("", 0);
        } else {
            size_t seg = (in[0] == '/') + strcspn(in + (in[0] == '/'), "/");
            strncat(out, in, seg);
            rest = dup_n(in + seg, strlen(in + seg));
        }
        free(in);
        in = rest;
    }
    free(in);
    return out;
}

static char *cat(char *a, const char *b)
{
    a = realloc(a, strlen(a) + strlen(b) + 1);
    return strcat(a, b);
}

/* 5.2.2 (strict) and 5.3. NULL if the base has no scheme (not an absolute URI). */
static char *resolve(const char *base, const char *ref)
{
    struct comp B, R, T = { 0 };
    char *s;
    split(base, &B);
    split(ref, &R);
    if (!B.scheme) {
        comp_free(&B), comp_free(&R);
        return NULL;
    }
    if (R.scheme) {
        T.scheme = strdup(R.scheme);
        T.auth = R.auth ? strdup(R.auth) : NULL;
        T.path = remove_dots(R.path);
        T.query = R.query ? strdup(R.query) : NULL;
    } else {
        if (R.auth) {
            T.auth = strdup(R.auth);
            T.path = remove_dots(R.path);
            T.query = R.query ? strdup(R.query) : NULL;
        } else {
            if (!R.path[0]) {
                T.path = strdup(B.path);
                T.query = R.query ? strdup(R.query) : B.query ? strdup(B.query) : NULL;
            } else {
                if (R.path[0] == '/') {
                    T.path = remove_dots(R.path);
                } else {
                    /* 5.2.3 merge */
                    char *merged;
                    if (B.auth && !B.path[0]) {
                        merged = cat(strdup("/"), R.path);
                    } else {
                        char *last = strrchr(B.path, '/');
                        merged = last ? dup_n(B.path, (size_t)(last - B.path + 1)) : strdup("");
                        merged = cat(merged, R.path);
                    }
                    T.path = remove_dots(merged);
                    free(merged);
                }
                T.query = R.query ? strdup(R.query) : NULL;
            }
            T.auth = B.auth ? strdup(B.auth) : NULL;
        }
        T.scheme = strdup(B.scheme);
    }
    T.frag = R.frag ? strdup(R.frag) : NULL;
    /* 5.3 */
    s = cat(strdup(T.scheme), ":");
    if (T.auth)
        s = cat(cat(s, "//"), T.auth);
    s = cat(s, T.path);
    if (T.query)
        s = cat(cat(s, "?"), T.query);
    if (T.frag)
        s = cat(cat(s, "#"), T.frag);
    comp_free(&B), comp_free(&R), comp_free(&T);
    return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char base[251], ref[251];
    size_t i = 0, n;
    struct http_url u;
    char out[HTTP_URL_MAX];

    if (!re.re_nsub &&
        regcomp(&re, "^(([^:/?#]+):)?(//([^/?#]*))?([^?#]*)(\\?([^#]*))?(#(.*))?", REG_EXTENDED))
        abort();
    for (n = 0; i < size && data[i] != '\n' && n < 250; i++)
        base[n++] = data[i] ? (char)data[i] : '_';
    base[n] = 0;
    while (i < size && data[i] != '\n')
        i++;
    i++;
    for (n = 0; i < size && n < 250; i++)
        ref[n++] = data[i] ? (char)data[i] : '_';
    ref[n] = 0;

    /* parse: either an error, or a usable request target and host */
    if (http_url_parse(base, &u) == 0) {
        assert(u.host[0] && strlen(u.host) < sizeof(u.host) && !strchr(u.host, '@'));
        assert(u.target[0] == '/' && strlen(u.target) < sizeof(u.target));
        assert(u.port != 0);
        assert(!strchr(u.target, '#') && !strchr(u.target, ' '));
        /* an IPv6 literal (the only host with a ':') is one that glibc's inet_pton, an
         * independent parser of RFC 4291 2.2's text forms, accepts too */
        unsigned char a6[16];
        if (strchr(u.host, ':'))
            assert(inet_pton(AF_INET6, u.host, a6) == 1);
        /* the Host value names the same host and port when parsed again */
        char auth[HTTP_HOST_MAX + 16], again[HTTP_HOST_MAX + 32];
        struct http_url v;
        assert(http_url_authority(&u, auth, sizeof(auth)) > 0);
        snprintf(again, sizeof(again), "%s://%s/", u.https ? "https" : "http", auth);
        assert(http_url_parse(again, &v) == 0);
        assert(!strcmp(v.host, u.host) && v.port == u.port);
    }
    /* and the other way: every address inet_pton takes, in brackets, is a valid URL host */
    if (!strncmp(base, "http://[", 8)) {
        const char *close = strchr(base + 8, ']');
        char lit[64];
        unsigned char a6[16];
        size_t n = close ? (size_t)(close - base - 8) : 0;
        if (close && n < sizeof(lit)) {
            char url[sizeof(lit) + 16];
            memcpy(lit, base + 8, n);
            lit[n] = 0;
            snprintf(url, sizeof(url), "http://[%s]/", lit);
            if (inet_pton(AF_INET6, lit, a6) == 1)
                assert(http_url_parse(url, &u) == 0 && !strcmp(u.host, lit));
        }
    }

    /* resolve: the same string as the reference implementation, or an error exactly when
     * the base is not absolute or the result does not fit */
    int rc = http_url_resolve(base, ref, out, sizeof(out));
    char *expect = resolve(base, ref);
    if (!expect) {
        assert(rc == HTTP_ERR_URL);
    } else if (strlen(expect) < sizeof(out)) {
        if (rc != 0 || strcmp(out, expect) != 0) {
            fprintf(stderr, "base [%s]\nref  [%s]\nours [%s] rc=%d\nrfc  [%s]\n", base, ref, out, rc, expect);
            abort();
        }
    } else {
        assert(rc == HTTP_ERR_URL);
    }
    free(expect);
    return 0;
}
