/*
 * request.c - the HTTP/1.1 request parser of server.h: one byte at a time through a state
 * machine, keeping only the request-target and the values of the fields the server reads.
 * Grammar: RFC 9112 sections 2-6 (request-line, field lines, message body length); tokens
 * and field values: RFC 9110 section 5.
 */
#include <ctype.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "server.h"

enum {
    S_START,      /* before the request line: empty lines are skipped */
    S_METHOD,
    S_TARGET,
    S_VERSION,
    S_LINE_LF,    /* a CR came: LF must follow */
    S_FIELD,      /* start of a field line, or of the blank line that ends the section */
    S_NAME,
    S_OWS,        /* whitespace before a value */
    S_VALUE,
    S_END_LF,     /* CR of the blank line came */
};

/* Fields whose value the server keeps. */
enum { F_SKIP = -1, F_HOST, F_CONNECTION, F_CONTENT_LENGTH, F_TRANSFER_ENCODING, F_IF_NONE_MATCH };
static const char *const fields[] = { "host", "connection", "content-length",
                                      "transfer-encoding", "if-none-match" };

static const char *const methods[] = { "GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS",
                                       "PATCH", "TRACE", "CONNECT" };

const char *http_method_name(enum http_method m)
{
    return m < HTTP_M_OTHER ? methods[m] : "OTHER";
}

/* tchar of RFC 9110 section 5.6.2 */
static bool is_tchar(unsigned char ch)
{
    return isalnum(ch) || (ch && strchr("!#$%&'*+-.^_`|~", ch));
}

void http_req_init(struct http_req *r)
{
    memset(r, 0, sizeof(*r));
    r->content_length = -1;
    r->field = F_SKIP;
}

static size_t fail(struct http_req *r, int status, const char *why, size_t consumed)
{
    r->state = HTTP_REQ_ERROR;
    r->status = status;
    r->error = why;
    return consumed;
}

/* The request line is complete: method_name, target and version are in. */
static int end_request_line(struct http_req *r)
{
    const char *v = r->version;
    r->version[r->len] = '\0';
    if (strlen(v) != 8 || strncmp(v, "HTTP/", 5) || !isdigit((unsigned char)v[5]) || v[6] != '.' ||
        !isdigit((unsigned char)v[7]))
        return 400;
    if (v[5] != '1')
        return 505;
    r->minor = v[7] == '0' ? 0 : 1;
    r->method = HTTP_M_OTHER;
    for (unsigned i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
        if (!strcmp(r->method_name, methods[i]))
            r->method = (enum http_method)i;
    return 0;
}

/* Is token `tok` (len bytes) in the comma-separated list s, case-insensitively? */
static bool list_has(const char *s, const char *tok)
{
    size_t len = strlen(tok);
    while (*s) {
        while (*s == ' ' || *s == '\t' || *s == ',')
            s++;
        const char *e = s;
        while (*e && *e != ',')
            e++;
        const char *t = e;
        while (t > s && (t[-1] == ' ' || t[-1] == '\t'))
            t--;
        if ((size_t)(t - s) == len && !strncasecmp(s, tok, len))
            return true;
        s = e;
    }
    return false;
}

/* A field line is complete; its value (trimmed) is r->value if it is one we keep. */
static const char *end_field(struct http_req *r)
{
    while (r->len && (r->value[r->len - 1] == ' ' || r->value[r->len - 1] == '\t'))
        r->len--;
    r->value[r->len] = '\0';
    switch (r->field) {
    case F_HOST:
        if (r->has_host)
            return "more than one Host";
        r->has_host = true;
        break;
    case F_CONNECTION:
        if (list_has(r->value, "close"))
            r->conn_close = true;
        if (list_has(r->value, "keep-alive"))
            r->conn_keep_alive = true;
        break;
    case F_CONTENT_LENGTH: {
        int64_t v = 0;
        if (!r->len)
            return "bad Content-Length";
        for (const char *p = r->value; *p; p++) {
            if (!isdigit((unsigned char)*p))
                return "bad Content-Length";
            v = v > (INT64_MAX - 9) / 10 ? INT64_MAX : v * 10 + (*p - '0');
        }
        if (r->content_length >= 0 && r->content_length != v)
            return "conflicting Content-Length";
        r->content_length = v;
        break;
    }
    case F_TRANSFER_ENCODING:
        r->transfer_encoding = true;
        break;
    case F_IF_NONE_MATCH:
        if (r->if_none_match[0] || r->if_none_match_cut) {
            r->if_none_match_cut = true;    /* a second line: keep it simple, no 304 */
        } else if (r->len > HTTPD_VALUE_MAX - 1) {
            r->if_none_match_cut = true;
        } else {
            memcpy(r->if_none_match, r->value, r->len + 1u);
        }
        break;
    default:
        break;
    }
    return NULL;
}

static const char *end_headers(struct http_req *r)
{
    if (r->minor == 1 && !r->has_host)
        return "no Host (HTTP/1.1 needs one)";
    return NULL;
}

size_t http_req_feed(struct http_req *r, const char *buf, size_t n)
{
    size_t i;
    for (i = 0; i < n && r->state == HTTP_REQ_PARSING; i++) {
        unsigned char ch = (unsigned char)buf[i];
        const char *why;
        if (r->st >= S_FIELD && ++r->header_bytes > HTTPD_HEADERS_MAX)
            return fail(r, 431, "header section too large", i + 1);
        switch (r->st) {
        case S_START:
            if (ch == '\r' || ch == '\n')
                break;                      /* empty lines before the request (2.2) */
            r->st = S_METHOD;
            r->started = true;
            /* fall through */
        case S_METHOD:
            if (ch == ' ') {
                if (!r->len)
                    return fail(r, 400, "no method", i + 1);
                r->method_name[r->len] = '\0';
                r->len = 0;
                r->st = S_TARGET;
            } else if (!is_tchar(ch)) {
                return fail(r, 400, "bad request line", i + 1);
            } else if (r->len == HTTPD_METHOD_MAX) {
                return fail(r, 501, "method not implemented", i + 1);
            } else {
                r->method_name[r->len++] = (char)ch;
            }
            break;
        case S_TARGET:
            if (ch == ' ') {
                if (!r->len)
                    return fail(r, 400, "no request-target", i + 1);
                r->target[r->len] = '\0';
                r->len = 0;
                r->st = S_VERSION;
            } else if (ch <= 0x20 || ch >= 0x7f) {
                return fail(r, 400, "bad request-target", i + 1);
            } else if (r->len == HTTPD_TARGET_MAX) {
                return fail(r, 414, "request-target too long", i + 1);
            } else {
                r->target[r->len++] = (char)ch;
            }
            break;
        case S_VERSION:
            if (ch == '\r' || ch == '\n') {
                int status = end_request_line(r);
                if (status)
                    return fail(r, status, status == 505 ? "HTTP version not supported"
                                                         : "bad HTTP version", i + 1);
                if (r->method == HTTP_M_OTHER)
                    return fail(r, 501, "method not implemented", i + 1);
                r->len = 0;
                r->st = ch == '\r' ? S_LINE_LF : S_FIELD;
            } else if (r->len == sizeof(r->version) - 1) {
                return fail(r, 400, "bad HTTP version", i + 1);
            } else {
                r->version[r->len++] = (char)ch;
            }
            break;
        case S_LINE_LF:
            if (ch != '\n')
                return fail(r, 400, "CR without LF", i + 1);
            r->st = S_FIELD;
            break;
        case S_FIELD:
            if (ch == '\r' || ch == '\n') {
                if (ch == '\r') {
                    r->st = S_END_LF;
                    break;
                }
                if ((why = end_headers(r)))
                    return fail(r, 400, why, i + 1);
                r->state = HTTP_REQ_DONE;
                break;
            }
            if (ch == ' ' || ch == '\t')
                return fail(r, 400, "obsolete line folding", i + 1);
            if (++r->fields > HTTPD_FIELDS_MAX)
                return fail(r, 431, "too many header fields", i + 1);
            r->len = 0;
            r->st = S_NAME;
            /* fall through */
        case S_NAME:
            if (ch == ':') {
                if (!r->len)
                    return fail(r, 400, "empty field name", i + 1);
                r->field = F_SKIP;
                if (r->len < sizeof(r->name)) {
                    r->name[r->len] = '\0';
                    for (unsigned f = 0; f < sizeof(fields) / sizeof(fields[0]); f++)
                        if (!strcasecmp(r->name, fields[f]))
                            r->field = (int8_t)f;
                }
                r->len = 0;
                r->st = S_OWS;
            } else if (!is_tchar(ch)) {
                return fail(r, 400, ch == ' ' || ch == '\t' ? "whitespace before a field's colon"
                                                            : "bad field name", i + 1);
            } else {
                if (r->len < sizeof(r->name))
                    r->name[r->len] = (char)ch;
                if (r->len < UINT16_MAX)
                    r->len++;
            }
            break;
        case S_OWS:
            if (ch == ' ' || ch == '\t')
                break;
            r->st = S_VALUE;
            /* fall through */
        case S_VALUE:
            if (ch == '\r' || ch == '\n') {
                if ((why = end_field(r)))
                    return fail(r, 400, why, i + 1);
                r->len = 0;
                r->st = ch == '\r' ? S_LINE_LF : S_FIELD;
            } else if ((ch < 0x20 && ch != '\t') || ch == 0x7f) {
                return fail(r, 400, "bad character in a field value", i + 1);
            } else if (r->field != F_SKIP) {
                if (r->len < HTTPD_VALUE_MAX)
                    r->value[r->len++] = (char)ch;
                else if (r->field == F_IF_NONE_MATCH)
                    r->len = HTTPD_VALUE_MAX; /* end_field sees it full: cut */
                else if (r->field == F_CONTENT_LENGTH)
                    return fail(r, 400, "bad Content-Length", i + 1);
                /* Host, Connection, Transfer-Encoding: what fits is enough */
            }
            break;
        case S_END_LF:
            if (ch != '\n')
                return fail(r, 400, "CR without LF", i + 1);
            if ((why = end_headers(r)))
                return fail(r, 400, why, i + 1);
            r->state = HTTP_REQ_DONE;
            break;
        }
    }
    return i;
}

const char *http_reason(int status)
{
    switch (status) {
    case 200: return "OK";
    case 304: return "Not Modified";
    case 400: return "Bad Request";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 411: return "Length Required";
    case 413: return "Content Too Large";
    case 414: return "URI Too Long";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
    case 505: return "HTTP Version Not Supported";
    default: return "";
    }
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = (char)(c | 0x20);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

int http_target_path(const char *target, char *out, size_t out_size)
{
    const char *p = target;
    size_t o = 0;
    if (!strncasecmp(p, "http://", 7) || !strncasecmp(p, "https://", 8)) {
        p = strstr(p, "//") + 2;        /* absolute-form: the path after the authority */
        p += strcspn(p, "/?");
        if (*p != '/')
            return *p == '\0' && out_size > 1 ? (out[0] = '/', out[1] = '\0', 0) : -1;
    }
    if (*p != '/')
        return -1;
    for (; *p && *p != '?' && *p != '#'; p++) {
        char ch = *p;
        if (ch == '%') {
            int hi = hexval(p[1]), lo = hi < 0 ? -1 : hexval(p[2]);
            if (hi < 0 || lo < 0 || (hi | lo) == 0)
                return -1;              /* a bad escape, or %00 */
            ch = (char)(hi * 16 + lo);
            p += 2;
        }
        if (o + 1 >= out_size)
            return -1;
        out[o++] = ch;
    }
    out[o] = '\0';
    return 0;
}

bool http_etag_match(const char *inm, const char *etag)
{
    /* compare the opaque-tags, ignoring a W/ prefix on either side (weak comparison) */
    if (!strncmp(etag, "W/", 2))
        etag += 2;
    size_t elen = strlen(etag);
    const char *s = inm;
    while (*s) {
        while (*s == ' ' || *s == '\t' || *s == ',')
            s++;
        if (*s == '*')
            return true;
        if (!strncmp(s, "W/", 2))
            s += 2;
        if (*s != '"')
            return false;               /* malformed: no match, the full response goes out */
        const char *e = strchr(s + 1, '"');
        if (!e)
            return false;
        if ((size_t)(e + 1 - s) == elen && !strncmp(s, etag, elen))
            return true;
        s = e + 1;
    }
    return false;
}
