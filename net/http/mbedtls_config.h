/*
 * mbedtls_config.h - what we use of mbedTLS 2.28 (Debian's source package, compiled
 * untouched; this file replaces its config.h through MBEDTLS_CONFIG_FILE).
 *
 * A TLS 1.2 client only. mbedTLS 2.28's TLS 1.3 is an incomplete prototype
 * (MBEDTLS_SSL_PROTO_TLS1_3_EXPERIMENTAL: no client handshake worth the name), so it is off.
 * Modern suites only: ECDHE key exchange (forward secrecy) with ECDSA or RSA certificates,
 * AES-GCM or ChaCha20-Poly1305 (AEAD; no CBC, no RC4, no static RSA key exchange, no SHA-1
 * MACs). No renegotiation (off unless MBEDTLS_SSL_RENEGOTIATION is defined), no compression.
 * Certificates: X.509 chains verified against the compiled-in CA bundle, with their key
 * usage; SHA-1 stays only to parse old root certificates' self-signatures, which are never
 * checked (RFC 5280 6.1: a trust anchor's signature is not part of path validation).
 */
#ifndef NET_HTTP_MBEDTLS_CONFIG_H
#define NET_HTTP_MBEDTLS_CONFIG_H

/* platform: newlib's calloc/free and time(); no /dev/urandom, no file system, no threads */
#define MBEDTLS_HAVE_ASM
#define MBEDTLS_HAVE_TIME
#define MBEDTLS_HAVE_TIME_DATE
#define MBEDTLS_PLATFORM_GMTIME_R_ALT   /* newlib's gmtime_r: gmtime() would malloc a struct tm */
#define MBEDTLS_NO_PLATFORM_ENTROPY
#define MBEDTLS_ENTROPY_HARDWARE_ALT   /* mbedtls_hardware_poll(): net/http/tls.c */
#define MBEDTLS_PLATFORM_C
#define MBEDTLS_PLATFORM_MEMORY        /* counted: `tls` shows what mbedTLS holds */

/* the TLS 1.2 client */
#define MBEDTLS_SSL_TLS_C
#define MBEDTLS_SSL_CLI_C
#define MBEDTLS_SSL_PROTO_TLS1_2
#define MBEDTLS_SSL_SERVER_NAME_INDICATION
#define MBEDTLS_SSL_EXTENDED_MASTER_SECRET
#define MBEDTLS_SSL_MAX_FRAGMENT_LENGTH
/* A server may send 16 KiB records (nginx does; max_fragment_length is rarely honoured):
 * the receive buffer must hold one. Our requests are small. */
#define MBEDTLS_SSL_IN_CONTENT_LEN 16384
#define MBEDTLS_SSL_OUT_CONTENT_LEN 4096

#define MBEDTLS_KEY_EXCHANGE_ECDHE_ECDSA_ENABLED
#define MBEDTLS_KEY_EXCHANGE_ECDHE_RSA_ENABLED
#define MBEDTLS_SSL_CIPHERSUITES                                                           \
    MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,                                       \
        MBEDTLS_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,                                     \
        MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,                                   \
        MBEDTLS_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,                                     \
        MBEDTLS_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,                             \
        MBEDTLS_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256

/* public keys and curves */
#define MBEDTLS_BIGNUM_C
#define MBEDTLS_ECP_C
#define MBEDTLS_ECP_NIST_OPTIM
#define MBEDTLS_ECP_DP_SECP256R1_ENABLED
#define MBEDTLS_ECP_DP_SECP384R1_ENABLED
#define MBEDTLS_ECP_DP_CURVE25519_ENABLED
#define MBEDTLS_ECDH_C
#define MBEDTLS_ECDSA_C
#define MBEDTLS_RSA_C
#define MBEDTLS_PKCS1_V15
#define MBEDTLS_PKCS1_V21
#define MBEDTLS_PK_C
#define MBEDTLS_PK_PARSE_C

/* symmetric: AEAD only */
#define MBEDTLS_CIPHER_C
#define MBEDTLS_AES_C
#define MBEDTLS_GCM_C
#define MBEDTLS_CHACHA20_C
#define MBEDTLS_POLY1305_C
#define MBEDTLS_CHACHAPOLY_C
#define MBEDTLS_MD_C
#define MBEDTLS_SHA1_C
#define MBEDTLS_SHA256_C
#define MBEDTLS_SHA512_C

/* randomness: the entropy accumulator over our sources, CTR_DRBG (NIST SP 800-90A) */
#define MBEDTLS_ENTROPY_C
#define MBEDTLS_CTR_DRBG_C

/* certificates */
#define MBEDTLS_ASN1_PARSE_C
#define MBEDTLS_ASN1_WRITE_C
#define MBEDTLS_OID_C
#define MBEDTLS_BASE64_C
#define MBEDTLS_PEM_PARSE_C
#define MBEDTLS_X509_USE_C
#define MBEDTLS_X509_CRT_PARSE_C
#define MBEDTLS_X509_CHECK_KEY_USAGE
#define MBEDTLS_X509_CHECK_EXTENDED_KEY_USAGE

#define MBEDTLS_ERROR_C                /* mbedtls_strerror, for `fetch -v` */

#include "mbedtls/check_config.h"

#endif
