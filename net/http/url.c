/*
 * url.c - http:// and https:// URL parsing and RFC 3986 reference resolution (section 5.2).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"

static bool has_prefix_nocase(const char *s, const char *prefix)
{
    for (; *prefix; s++, prefix++)
        if (tolower((unsigned char)*s) != *prefix)
            return false;
    return true;
}

/* RFC 3986 3.2.2 IPv6address: up to 8 groups of 1-4 hex digits, at most one "::"
 * standing for one or more zero groups, and optionally an IPv4 dotted quad as the last
 * 32 bits (two groups). s[0..n) holds it without brackets. */
static bool ipv6_literal_ok(const char *s, size_t n)
{
    const char *p = s, *end = s + n;
    int groups = 0;
    bool gap = false;

    if (n >= 2 && p[0] == ':' && p[1] == ':') {
        gap = true;
        p += 2;
        if (p == end)
            return true;                /* "::" */
    } else if (n && p[0] == ':') {
        return false;                   /* a single leading ':' */
    }
    while (p < end) {
        const char *g = p;
        while (p < end && isxdigit((unsigned char)*p) && p - g < 5)
            p++;
        if (p < end && *p == '.') {      /* the IPv4 tail: d.d.d.d, each 0-255 */
            int parts = 0;
            p = g;
            for (;;) {
                unsigned v = 0, digits = 0;
                while (p < end && isdigit((unsigned char)*p) && digits < 4) {
                    v = v * 10 + (unsigned)(*p++ - '0');
                    digits++;
                }
                if (!digits || digits > 3 || v > 255 || (digits > 1 && p[-(int)digits] == '0'))
                    return false;
                if (++parts == 4)
                    break;
                if (p >= end || *p++ != '.')
                    return false;
            }
            if (p != end)
                return false;
            groups += 2;
            break;
        }
        if (p == g || p - g > 4)
            return false;
        groups++;
        if (p == end)
            break;
        if (*p != ':')
            return false;
        p++;
        if (p < end && *p == ':') {
            if (gap)
                return false;           /* a second "::" */
            gap = true;
            p++;
            if (p == end)
                break;                  /* "...::" at the end */
        } else if (p == end) {
            return false;               /* a single trailing ':' */
        }
    }
    return gap ? groups <= 7 : groups == 8;
}

int http_url_authority(const struct http_url *u, char *out, size_t size)
{
    bool v6 = strchr(u->host, ':') != NULL;
    int n;
    if (u->port != (u->https ? 443 : 80))
        n = snprintf(out, size, v6 ? "[%s]:%u" : "%s:%u", u->host, (unsigned)u->port);
    else
        n = snprintf(out, size, v6 ? "[%s]" : "%s", u->host);
    return n < 0 || (size_t)n >= size ? -1 : n;
}

int http_url_parse(const char *url, struct http_url *out)
{
    const char *p, *host, *host_end, *path;
    size_t n;

    if (url && has_prefix_nocase(url, "http://")) {
        out->https = false;
        host = url + 7;
    } else if (url && has_prefix_nocase(url, "https://")) {
        out->https = true;
        host = url + 8;
    } else {
        return HTTP_ERR_URL;
    }
    if (*host == '[') {
        /* IP-literal = "[" ( IPv6address / IPvFuture ) "]"; the host keeps what is inside */
        const char *close = strchr(host, ']');
        size_t n6;
        if (!close)
            return HTTP_ERR_URL;
        n6 = (size_t)(close - host - 1);
        if (n6 >= sizeof(out->host) || !ipv6_literal_ok(host + 1, n6))
            return HTTP_ERR_URL;       /* also "%25" zone IDs and "v1.x" IPvFuture */
        memcpy(out->host, host + 1, n6);
        out->host[n6] = 0;
        host_end = close + 1;
        if (*host_end && !strchr(":/?#", *host_end))
            return HTTP_ERR_URL;       /* "[::1]x" */
    } else {
        host_end = host + strcspn(host, ":/?#");
        if (host_end == host || (size_t)(host_end - host) >= sizeof(out->host))
            return HTTP_ERR_URL;
        for (p = host; p < host_end; p++)
            if (*p == '@' || *p == '[' || *p == ']' || isspace((unsigned char)*p) ||
                iscntrl((unsigned char)*p))
                return HTTP_ERR_URL;   /* userinfo and spaces: not supported */
        memcpy(out->host, host, (size_t)(host_end - host));
        out->host[host_end - host] = 0;
    }
    out->port = out->https ? 443 : 80;
    p = host_end;
    if (*p == ':') {
        unsigned long port = 0;
        const char *d = ++p;
        while (isdigit((unsigned char)*p) && p - d < 6)
            port = port * 10 + (unsigned long)(*p++ - '0');
        if (p == d) {
            if (*p && *p != '/' && *p != '?' && *p != '#')
                return HTTP_ERR_URL;   /* "host:" with nothing is allowed (the default) */
        } else if (port == 0 || port > 65535 || (*p && *p != '/' && *p != '?' && *p != '#')) {
            return HTTP_ERR_URL;
        } else {
            out->port = (uint16_t)port;
        }
    }
    path = p;
    n = strcspn(path, "#");
    for (p = path; p < path + n; p++)
        if (isspace((unsigned char)*p) || iscntrl((unsigned char)*p))
            return HTTP_ERR_URL;
    if (n + 2 > sizeof(out->target))
        return HTTP_ERR_URL;
    if (n == 0 || path[0] == '?') {
        out->target[0] = '/';      /* RFC 9112 3.2.1: empty path is "/" */
        memcpy(out->target + 1, path, n);
        out->target[n + 1] = 0;
    } else {
        memcpy(out->target, path, n);
        out->target[n] = 0;
    }
    return 0;
}

/* URI components of RFC 3986 section 3, as (start, length); len < 0: undefined. */
struct uri {
    const char *scheme, *auth, *path, *query, *frag;
    int scheme_len, auth_len, path_len, query_len, frag_len;
};

/* Split with the regular expression of RFC 3986 appendix B. */
static void uri_split(const char *s, struct uri *u)
{
    const char *p = s;
    size_t n = strcspn(s, ":/?#");
    memset(u, 0, sizeof(*u));
    u->scheme_len = u->auth_len = u->query_len = u->frag_len = -1;
    if (n > 0 && s[n] == ':') {
        u->scheme = s;
        u->scheme_len = (int)n;
        p = s + n + 1;
    }
    if (p[0] == '/' && p[1] == '/') {
        p += 2;
        u->auth = p;
        u->auth_len = (int)strcspn(p, "/?#");
        p += u->auth_len;
    }
    u->path = p;
    u->path_len = (int)strcspn(p, "?#");
    p += u->path_len;
    if (*p == '?') {
        u->query = ++p;
        u->query_len = (int)strcspn(p, "#");
        p += u->query_len;
    }
    if (*p == '#') {
        u->frag = ++p;
        u->frag_len = (int)strlen(p);
    }
}

/* Output buffer with overflow tracking. */
struct buf {
    char *s;
    size_t size, len;
    bool overflow;
};

static void put(struct buf *b, const char *s, int n)
{
    if (n <= 0)
        return;
    if (b->len + (size_t)n + 1 > b->size) {
        b->overflow = true;
        return;
    }
    memcpy(b->s + b->len, s, (size_t)n);
    b->len += (size_t)n;
    b->s[b->len] = 0;
}

/* RFC 3986 5.2.4 remove_dot_segments, from in (n bytes) appended to b. */
static void remove_dot_segments(struct buf *b, const char *in, int n)
{
    char tmp[HTTP_URL_MAX];
    size_t out = 0;
    int i = 0;

    if (n >= (int)sizeof(tmp)) {
        b->overflow = true;
        return;
    }
    while (i < n) {
        const char *s = in + i;
        int left = n - i;
        if (left >= 3 && !strncmp(s, "../", 3)) {
            i += 3;
        } else if (left >= 2 && !strncmp(s, "./", 2)) {
            i += 2;
        } else if (left >= 3 && !strncmp(s, "/./", 3)) {
            i += 2;
        } else if (left == 2 && !strncmp(s, "/.", 2)) {
            i += 1;
            tmp[out++] = '/';
            i += 1;
        } else if ((left >= 4 && !strncmp(s, "/../", 4)) || (left == 3 && !strncmp(s, "/..", 3))) {
            /* drop the last output segment and its preceding "/" */
            while (out > 0 && tmp[out - 1] != '/')
                out--;
            if (out > 0)
                out--;
            if (left == 3)
                tmp[out++] = '/';   /* "/.." at the end becomes "/" */
            i += 3;                 /* "/../" leaves its last "/" in the input */
        } else if ((left == 1 && s[0] == '.') || (left == 2 && !strncmp(s, "..", 2))) {
            i += left;
        } else {
            /* move the first segment (with its leading "/", if any) to the output */
            int j = (s[0] == '/') ? 1 : 0;
            while (j < left && s[j] != '/')
                j++;
            memcpy(tmp + out, s, (size_t)j);
            out += (size_t)j;
            i += j;
        }
    }
    put(b, tmp, (int)out);
}

int http_url_resolve(const char *base, const char *ref, char *out, size_t out_size)
{
    struct uri B, R;
    struct buf b = { out, out_size, 0, false };
    const char *query;
    int query_len;

    if (!out_size)
        return HTTP_ERR_URL;
    out[0] = 0;
    uri_split(base, &B);
    uri_split(ref, &R);
    if (B.scheme_len < 0)
        return HTTP_ERR_URL;

    /* 5.2.2, strict parser; then 5.3 recomposition, written out as we go */
    if (R.scheme_len >= 0) {
        put(&b, R.scheme, R.scheme_len);
    } else {
        put(&b, B.scheme, B.scheme_len);
    }
    put(&b, ":", 1);
    if (R.scheme_len >= 0 || R.auth_len >= 0) {
        /* the reference brings its own authority (and, with a scheme, maybe none) */
        if (R.auth_len >= 0) {
            put(&b, "//", 2);
            put(&b, R.auth, R.auth_len);
        }
        remove_dot_segments(&b, R.path, R.path_len);
        query = R.query;
        query_len = R.query_len;
    } else {
        if (B.auth_len >= 0) {
            put(&b, "//", 2);
            put(&b, B.auth, B.auth_len);
        }
        if (R.path_len == 0) {
            put(&b, B.path, B.path_len);
            if (R.query_len >= 0) {
                query = R.query;
                query_len = R.query_len;
            } else {
                query = B.query;
                query_len = B.query_len;
            }
        } else {
            if (R.path[0] == '/') {
                remove_dot_segments(&b, R.path, R.path_len);
            } else {
                /* 5.2.3 merge: base path up to its last "/", or "/" if the base has
                 * an authority and an empty path */
                char merged[HTTP_URL_MAX];
                int dir = B.path_len;
                while (dir > 0 && B.path[dir - 1] != '/')
                    dir--;
                if (B.auth_len >= 0 && B.path_len == 0) {
                    if (R.path_len + 1 >= (int)sizeof(merged))
                        return HTTP_ERR_URL;
                    merged[0] = '/';
                    memcpy(merged + 1, R.path, (size_t)R.path_len);
                    remove_dot_segments(&b, merged, R.path_len + 1);
                } else {
                    if (dir + R.path_len >= (int)sizeof(merged))
                        return HTTP_ERR_URL;
                    memcpy(merged, B.path, (size_t)dir);
                    memcpy(merged + dir, R.path, (size_t)R.path_len);
                    remove_dot_segments(&b, merged, dir + R.path_len);
                }
            }
            query = R.query;
            query_len = R.query_len;
        }
    }
    if (query_len >= 0) {
        put(&b, "?", 1);
        put(&b, query, query_len);
    }
    if (R.frag_len >= 0) {
        put(&b, "#", 1);
        put(&b, R.frag, R.frag_len);
    }
    return b.overflow ? HTTP_ERR_URL : 0;
}
