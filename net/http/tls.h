/*
 * tls.h - TLS 1.2 client connections for the HTTP client (https://), on mbedTLS over a
 * connected, non-blocking lwIP socket. Private to net/http; the shell's `tls` command and
 * the trust store are in tls.c too.
 */
#ifndef NET_HTTP_TLS_H
#define NET_HTTP_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct http_tls;

/* Wait until the socket is ready for events (POLLIN or POLLOUT). Returns 0, or the
 * HTTP_ERR_* to end with (HTTP_ERR_TIMEOUT, HTTP_ERR_CANCELLED, ...). */
typedef int (*http_tls_wait_fn)(void *ctx, short events);

/* Handshake on connected socket s with server name host (SNI, RFC 6066 3, and the name
 * checked against the certificate, RFC 6125). verify false skips the chain, name and date
 * checks (fetch -k). Blocks the calling task through wait(). Returns 0 and *out, or
 * HTTP_ERR_TLS_HANDSHAKE, HTTP_ERR_TLS_ALERT, HTTP_ERR_CERT_UNTRUSTED, HTTP_ERR_CERT_NAME,
 * HTTP_ERR_CERT_EXPIRED, HTTP_ERR_NOMEM, or what wait() or the socket returned. The
 * socket stays the caller's. */
int http_tls_connect(struct http_tls **out, int s, const char *host, bool verify,
                     http_tls_wait_fn wait, void *ctx);

/* Send all len bytes. Returns 0 or an HTTP_ERR_* code. Blocks through wait(). */
int http_tls_send(struct http_tls *t, const void *buf, size_t len);

/* Receive up to len bytes: returns how many (> 0), 0 at the end of the stream (the server's
 * close_notify, or its TCP FIN), or an HTTP_ERR_* code. Blocks through wait(). */
int http_tls_recv(struct http_tls *t, void *buf, size_t len);

/* Send close_notify if it can go at once, and free t (NULL is ignored). Never blocks. */
void http_tls_close(struct http_tls *t);

#endif
