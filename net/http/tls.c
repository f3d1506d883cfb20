/*
 * tls.c - TLS 1.2 client connections on mbedTLS (configuration: mbedtls_config.h), the
 * trust store, the random number generator's seed, and the shell's `tls` command.
 *
 * Transport: mbedTLS reads and writes the non-blocking lwIP socket through our two BIO
 * callbacks; when it wants to read or write and cannot, we wait through the HTTP client's
 * readiness wait (its deadline, and Ctrl-C), as for plain HTTP. Tasks are cooperative, so
 * the shared configuration, trust store and random generator need no locks.
 *
 * Trust: the CA bundle compiled into the image (ca_bundle.c, from make's CA_BUNDLE, default
 * Debian's ca-certificates), parsed on the first https:// request, plus any certificate
 * added at run time with `tls ca-add` (pasted on the console: a private CA).
 *
 * Randomness: CTR_DRBG (NIST SP 800-90A) seeded by mbedTLS's entropy accumulator (SHA-512)
 * from mbedtls_hardware_poll() below: RDRAND where the CPU has it, the cycle counter at the
 * interrupts the poll loop saw (k_entropy_samples), the cycle counter now, the wall clock
 * and a per-build seed. Under QEMU the timings are far less random than on hardware; the
 * README says how strong each board's sources are.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lwip/sockets.h"
#include "mbedtls/ctr_drbg.h"
#include "mbedtls/entropy.h"
#include "mbedtls/error.h"
#include "mbedtls/net_sockets.h"
#include "mbedtls/platform.h"
#include "mbedtls/platform_util.h"
#include "mbedtls/ssl.h"
#include "mbedtls/version.h"
#include "mbedtls/x509_crt.h"

#include "board.h"
#include "http.h"
#include "k.h"
#include "tls.h"

extern const char ca_bundle_pem[];        /* build/<board>/ca_bundle.c, NUL-terminated */
extern const char ca_bundle_source[];
extern const unsigned char k_build_seed[16];

struct http_tls {
    mbedtls_ssl_context ssl;
    int s;
    int sock_errno;                        /* the socket error a BIO call met */
    http_tls_wait_fn wait;
    void *ctx;
};

static struct {
    bool ready;
    int init_rc;
    mbedtls_entropy_context entropy;
    mbedtls_ctr_drbg_context drbg;
    mbedtls_x509_crt cas;
    int cas_count, cas_failed;
    mbedtls_ssl_config conf[2];            /* [0] verify, [1] no verification (fetch -k) */
    uint32_t connections, handshakes, failures;
    size_t heap_now, heap_peak;            /* bytes mbedTLS holds (its calloc/free) */
} tls;

/* --- mbedTLS's memory, counted ------------------------------------------------------- */

static void *tls_calloc(size_t n, size_t size)
{
    size_t *p;
    if (size && n > (SIZE_MAX - 16) / size)
        return NULL;
    p = calloc(1, n * size + sizeof(size_t) * 2);
    if (!p)
        return NULL;
    p[0] = n * size;
    tls.heap_now += p[0];
    if (tls.heap_now > tls.heap_peak)
        tls.heap_peak = tls.heap_now;
    return p + 2;
}

static void tls_free(void *ptr)
{
    size_t *p = ptr;
    if (!p)
        return;
    tls.heap_now -= p[-2];
    free(p - 2);
}

/* Certificate dates: newlib's gmtime_r (its gmtime() allocates a buffer on first use, a
 * heap block that would never come back). */
struct tm *mbedtls_platform_gmtime_r(const mbedtls_time_t *tt, struct tm *tm_buf)
{
    time_t t = (time_t)*tt;
    return gmtime_r(&t, tm_buf);
}

/* --- entropy --------------------------------------------------------------------------- */

int mbedtls_hardware_poll(void *data, unsigned char *output, size_t len, size_t *olen);
int mbedtls_hardware_poll(void *data, unsigned char *output, size_t len, size_t *olen)
{
    uint32_t words[72];
    size_t n = 0, bytes;
    (void)data;
    for (int i = 0; i < 8; i++)
        if (board_hw_random(&words[n]) == 0)
            n++;
    n += k_entropy_samples(words + n, 48);
    words[n++] = board_cycles();
    words[n++] = (uint32_t)k_wall_seconds();
    words[n++] = (uint32_t)k_uptime_ms();
    memcpy(&words[n], k_build_seed, 16);
    n += 4;
    words[n++] = board_cycles();
    bytes = n * sizeof(uint32_t);
    if (bytes > len)
        bytes = len;
    memcpy(output, words, bytes);
    *olen = bytes;
    return 0;
}

/* --- the shared configuration ---------------------------------------------------------- */

static int add_pem(const char *pem, size_t len_with_nul)
{
    int before = tls.cas_count;
    int rc = mbedtls_x509_crt_parse(&tls.cas, (const unsigned char *)pem, len_with_nul);
    if (rc < 0)
        return rc;
    tls.cas_failed += rc;                  /* certificates it could not use (old algorithms) */
    tls.cas_count = 0;
    for (mbedtls_x509_crt *c = &tls.cas; c && c->raw.len; c = c->next)
        tls.cas_count++;
    return tls.cas_count - before;
}

static int tls_init(void)
{
    static const char pers[] = "kernel-http-tls";
    if (tls.ready)
        return tls.init_rc;
    tls.ready = true;
    mbedtls_platform_set_calloc_free(tls_calloc, tls_free);
    mbedtls_entropy_init(&tls.entropy);
    mbedtls_ctr_drbg_init(&tls.drbg);
    mbedtls_x509_crt_init(&tls.cas);
    tls.init_rc = mbedtls_ctr_drbg_seed(&tls.drbg, mbedtls_entropy_func, &tls.entropy,
                                        (const unsigned char *)pers, sizeof(pers) - 1);
    if (tls.init_rc)
        return tls.init_rc;
    if (ca_bundle_pem[0])
        (void)add_pem(ca_bundle_pem, strlen(ca_bundle_pem) + 1);
    for (int i = 0; i < 2; i++) {
        mbedtls_ssl_config *c = &tls.conf[i];
        mbedtls_ssl_config_init(c);
        tls.init_rc = mbedtls_ssl_config_defaults(c, MBEDTLS_SSL_IS_CLIENT,
                                                  MBEDTLS_SSL_TRANSPORT_STREAM,
                                                  MBEDTLS_SSL_PRESET_DEFAULT);
        if (tls.init_rc)
            return tls.init_rc;
        mbedtls_ssl_conf_min_version(c, MBEDTLS_SSL_MAJOR_VERSION_3, MBEDTLS_SSL_MINOR_VERSION_3);
        mbedtls_ssl_conf_rng(c, mbedtls_ctr_drbg_random, &tls.drbg);
        mbedtls_ssl_conf_ca_chain(c, &tls.cas, NULL);
        mbedtls_ssl_conf_authmode(c, i == 0 ? MBEDTLS_SSL_VERIFY_REQUIRED : MBEDTLS_SSL_VERIFY_NONE);
    }
    return 0;
}

/* A board that knows only a lower bound on the date ("build") cannot say a certificate is
 * not valid yet; it can still say one has expired. */
static int verify_cb(void *ctx, mbedtls_x509_crt *crt, int depth, uint32_t *flags)
{
    (void)ctx;
    (void)crt;
    (void)depth;
    if (strcmp(k_wall_source(), "build") == 0 || strcmp(k_wall_source(), "none") == 0)
        *flags &= ~(uint32_t)MBEDTLS_X509_BADCERT_FUTURE;
    if (strcmp(k_wall_source(), "none") == 0)
        *flags &= ~(uint32_t)MBEDTLS_X509_BADCERT_EXPIRED;
    return 0;
}

/* --- the socket under mbedTLS ------------------------------------------------------------ */

static int bio_send(void *ctx, const unsigned char *buf, size_t len)
{
    struct http_tls *t = ctx;
    ssize_t n = lwip_send(t->s, buf, len, 0);
    if (n >= 0)
        return (int)n;
    if (errno == EWOULDBLOCK || errno == EAGAIN)
        return MBEDTLS_ERR_SSL_WANT_WRITE;
    t->sock_errno = errno;
    return MBEDTLS_ERR_NET_SEND_FAILED;
}

static int bio_recv(void *ctx, unsigned char *buf, size_t len)
{
    struct http_tls *t = ctx;
    ssize_t n = lwip_recv(t->s, buf, len, 0);
    if (n >= 0)
        return (int)n;                     /* 0: the peer closed */
    if (errno == EWOULDBLOCK || errno == EAGAIN)
        return MBEDTLS_ERR_SSL_WANT_READ;
    t->sock_errno = errno;
    return MBEDTLS_ERR_NET_RECV_FAILED;
}

static int socket_err(int e)
{
    switch (e) {
    case ECONNRESET:
    case ECONNABORTED: return HTTP_ERR_RESET;
    case ETIMEDOUT: return HTTP_ERR_TIMEOUT;
    case ENOMEM:
    case ENOBUFS: return HTTP_ERR_NOMEM;
    }
    return HTTP_ERR_IO;
}

/* An mbedTLS error as ours; want-read/write wait and give 0 (go on). */
static int settle(struct http_tls *t, int rc, bool handshake)
{
    if (rc == MBEDTLS_ERR_SSL_WANT_READ)
        return t->wait(t->ctx, POLLIN);
    if (rc == MBEDTLS_ERR_SSL_WANT_WRITE)
        return t->wait(t->ctx, POLLOUT);
    if (rc == MBEDTLS_ERR_NET_SEND_FAILED || rc == MBEDTLS_ERR_NET_RECV_FAILED)
        return socket_err(t->sock_errno);
    if (rc == MBEDTLS_ERR_SSL_ALLOC_FAILED || rc == MBEDTLS_ERR_MPI_ALLOC_FAILED ||
        rc == MBEDTLS_ERR_ECP_ALLOC_FAILED)
        return HTTP_ERR_NOMEM;
    if (rc == MBEDTLS_ERR_SSL_FATAL_ALERT_MESSAGE)
        return HTTP_ERR_TLS_ALERT;
    if (rc == MBEDTLS_ERR_SSL_CONN_EOF)
        return handshake ? HTTP_ERR_TLS_HANDSHAKE : HTTP_ERR_CLOSED;
    if (rc == MBEDTLS_ERR_X509_CERT_VERIFY_FAILED) {
        uint32_t f = mbedtls_ssl_get_verify_result(&t->ssl);
        if (f & (MBEDTLS_X509_BADCERT_NOT_TRUSTED | MBEDTLS_X509_BADCERT_MISSING))
            return HTTP_ERR_CERT_UNTRUSTED;
        if (f & MBEDTLS_X509_BADCERT_CN_MISMATCH)
            return HTTP_ERR_CERT_NAME;
        if (f & (MBEDTLS_X509_BADCERT_EXPIRED | MBEDTLS_X509_BADCERT_FUTURE))
            return HTTP_ERR_CERT_EXPIRED;
        return HTTP_ERR_CERT_UNTRUSTED;    /* key usage, algorithms, revocation ... */
    }
    return handshake ? HTTP_ERR_TLS_HANDSHAKE : HTTP_ERR_IO;
}

int http_tls_connect(struct http_tls **out, int s, const char *host, bool verify,
                     http_tls_wait_fn wait, void *ctx)
{
    struct http_tls *t;
    int rc;

    *out = NULL;
    if (tls_init() != 0)
        return HTTP_ERR_NOMEM;
    t = calloc(1, sizeof(*t));
    if (!t)
        return HTTP_ERR_NOMEM;
    t->s = s;
    t->wait = wait;
    t->ctx = ctx;
    mbedtls_ssl_init(&t->ssl);
    rc = mbedtls_ssl_setup(&t->ssl, &tls.conf[verify ? 0 : 1]);
    if (rc == 0)
        rc = mbedtls_ssl_set_hostname(&t->ssl, host);
    if (rc) {
        mbedtls_ssl_free(&t->ssl);
        free(t);
        return HTTP_ERR_NOMEM;
    }
    mbedtls_ssl_set_verify(&t->ssl, verify_cb, NULL);
    mbedtls_ssl_set_bio(&t->ssl, t, bio_send, bio_recv, NULL);
    tls.connections++;
    while ((rc = mbedtls_ssl_handshake(&t->ssl)) != 0) {
        rc = settle(t, rc, true);
        if (rc)
            break;
    }
    if (rc) {
        tls.failures++;
        http_tls_close(t);
        return rc;
    }
    tls.handshakes++;
    *out = t;
    return 0;
}

int http_tls_send(struct http_tls *t, const void *buf, size_t len)
{
    const unsigned char *p = buf;
    while (len) {
        int n = mbedtls_ssl_write(&t->ssl, p, len);
        if (n > 0) {
            p += n;
            len -= (size_t)n;
            continue;
        }
        int rc = settle(t, n, false);
        if (rc)
            return rc;
    }
    return 0;
}

int http_tls_recv(struct http_tls *t, void *buf, size_t len)
{
    for (;;) {
        int n = mbedtls_ssl_read(&t->ssl, buf, len);
        if (n > 0)
            return n;
        if (n == 0 || n == MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY)
            return 0;
        int rc = settle(t, n, false);
        if (rc)
            return rc;
    }
}

void http_tls_close(struct http_tls *t)
{
    if (!t)
        return;
    (void)mbedtls_ssl_close_notify(&t->ssl);   /* best effort: never waits */
    mbedtls_ssl_free(&t->ssl);
    tls.connections--;
    free(t);
}

/* --- the shell: `tls` and `tls ca-add` ----------------------------------------------------- */

static void print_status(void)
{
    uint32_t x;
    const char *hw = board_hw_random(&x) == 0 ? "RDRAND" : "no hardware generator";
    printf("tls: TLS 1.2 client (mbedTLS %s), clock %s (%lu), entropy: %s, %lu interrupt "
           "timings\n", MBEDTLS_VERSION_STRING, k_wall_source(), (unsigned long)k_wall_seconds(), hw,
           (unsigned long)k_entropy_count());
    printf("tls: trust store %d certificates (%s; %d not usable), handshakes=%lu failed=%lu "
           "open=%lu\n", tls.cas_count, ca_bundle_source, tls.cas_failed,
           (unsigned long)tls.handshakes, (unsigned long)tls.failures,
           (unsigned long)tls.connections);
    printf("tls: heap held by mbedTLS %lu bytes now, %lu at most\n", (unsigned long)tls.heap_now,
           (unsigned long)tls.heap_peak);
}

/* Read a PEM certificate from the console, line by line, up to its END line. */
static int ca_add(void)
{
    size_t cap = 8192, len = 0;
    char *pem = malloc(cap), line[128];
    int rc, in = 0;
    if (!pem) {
        printf("tls: out of memory\n");
        return -1;
    }
    printf("tls: paste the PEM certificate (BEGIN to END line)\n");
    for (;;) {
        size_t n = 0;
        int c;
        while ((c = k_console_getc(K_MSEC(30000))) >= 0 && c != '\n' && c != '\r')
            if (n + 1 < sizeof(line))
                line[n++] = (char)c;
        line[n] = 0;
        if (c < 0) {
            printf("tls: no END line within 30 s\n");
            free(pem);
            return -1;
        }
        if (!in && n == 0)
            continue;
        if (strstr(line, "-----BEGIN CERTIFICATE-----"))
            in = 1;
        if (!in)
            continue;
        if (len + n + 2 > cap) {
            printf("tls: certificate over %u bytes\n", (unsigned)cap);
            free(pem);
            return -1;
        }
        memcpy(pem + len, line, n);
        len += n;
        pem[len++] = '\n';
        if (strstr(line, "-----END CERTIFICATE-----"))
            break;
    }
    pem[len] = 0;
    rc = tls_init() ? -1 : add_pem(pem, len + 1);
    free(pem);
    if (rc <= 0) {
        char msg[96];
        mbedtls_strerror(rc, msg, sizeof(msg));
        printf("tls: not a certificate we can use: %s\n", rc ? msg : "none added");
        return -1;
    }
    printf("tls: added %d certificate(s) to the trust store\n", rc);
    return 0;
}

static int cmd_tls(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "ca-add") == 0)
        return ca_add();
    if (argc != 1) {
        printf("usage: tls [ca-add]\n");
        return -1;
    }
    if (tls_init() != 0)
        printf("tls: cannot start: mbedTLS error -0x%04x\n", (unsigned)-tls.init_rc);
    print_status();
    return 0;
}
K_SHELL_CMD(tls, "tls", "[ca-add] - TLS status (trust store, clock, entropy, memory); ca-add: trust a pasted PEM CA", cmd_tls);
