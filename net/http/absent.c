/*
 * absent.c - what stands in for a feature an image leaves out (Makefile: NET_TLS,
 * NET_GZIP, NET_HTTPD; a board.mk turns off what its RAM cannot hold). The code that
 * uses a feature checks for it first (client.c: https:// fails with HTTP_ERR_NO_TLS before
 * any connection, a gzip body with HTTP_ERR_ENCODING, since identity is all it asked for),
 * so these are never reached but by the shell, whose commands say what is missing.
 */
#include <errno.h>
#include <stdio.h>

#include "http.h"
#include "k.h"
#include "tls.h"

static __attribute__((unused)) int absent(const char *cmd, const char *what, const char *var)
{
    printf("%s: not in this image (built with %s=0): %s\n", cmd, var, what);
    return -ENOSYS;
}

#if !NET_TLS
int http_tls_connect(struct http_tls **out, int s, const char *host, bool verify,
                     http_tls_wait_fn wait, void *ctx)
{
    (void)s, (void)host, (void)verify, (void)wait, (void)ctx;
    *out = NULL;
    return HTTP_ERR_NO_TLS;
}
int http_tls_send(struct http_tls *t, const void *buf, size_t len)
{
    (void)t, (void)buf, (void)len;
    return HTTP_ERR_NO_TLS;
}
int http_tls_recv(struct http_tls *t, void *buf, size_t len)
{
    (void)t, (void)buf, (void)len;
    return HTTP_ERR_NO_TLS;
}
void http_tls_close(struct http_tls *t) { (void)t; }

static int cmd_tls(int argc, char **argv)
{
    (void)argc, (void)argv;
    return absent("tls", "no TLS, so no https://", "NET_TLS");
}
K_SHELL_CMD(tls, "tls", "- TLS status (not in this image)", cmd_tls);
#endif

#if !NET_GZIP
struct http_decoder *http_decoder_new(int coding, uint64_t limit, http_body_cb out, void *ctx)
{
    (void)coding, (void)limit, (void)out, (void)ctx;
    return NULL;
}
int http_decoder_feed(struct http_decoder *d, const void *data, size_t n)
{
    (void)d, (void)data, (void)n;
    return HTTP_ERR_ENCODING;
}
int http_decoder_finish(struct http_decoder *d)
{
    (void)d;
    return HTTP_ERR_ENCODING;
}
uint64_t http_decoder_out_len(const struct http_decoder *d)
{
    (void)d;
    return 0;
}
void http_decoder_free(struct http_decoder *d) { (void)d; }
#endif

#if !NET_HTTPD
static int cmd_httpd(int argc, char **argv)
{
    (void)argc, (void)argv;
    return absent("httpd", "no HTTP server, no status page", "NET_HTTPD");
}
K_SHELL_CMD(httpd, "httpd", "- HTTP server counters (not in this image)", cmd_httpd);
#endif
