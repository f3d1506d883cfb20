/*
 * fetch.c - `fetch [-t ms] [-l bytes] URL [URL ...]`: fetch every URL concurrently, one
 * task each (the seeds' concurrent page fetcher), and print for each, as it finishes:
 *   fetch: <url> status=<code> bytes=<body length> crc32=<8 hex> wire=<bytes> ms=<elapsed>
 *   fetch: <url> error=<what> ms=<elapsed>
 * bytes and crc32 are of the body as decoded (gzip and deflate bodies are decoded while
 * they stream: Accept-Encoding: gzip, deflate), wire is the body's length as received.
 * -t sets the total timeout per URL (default 30000 ms), -l a limit on the decoded body
 * (bytes; a small compressed bomb stops with error=body-too-large). https:// URLs are
 * fetched over TLS 1.2 with the server's certificate checked against the trust store
 * (`tls`); -k skips that check and says so. URLs of one origin share at most -c N
 * persistent connections (default 4; HTTP/1.1 keep-alive), counted on a last line:
 *   fetch: connections opened=<n> reused=<n> retried=<n> stale=<n> (at most <N> per host)
 * Ctrl-C stops every fetch still running (error=cancelled).
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/http.h"
#include "k.h"
#include "zlib.h"

#define FETCH_MAX 16
#define FETCH_PER_HOST 4          /* connections per origin (-c), reused between URLs */

struct job {
    const char *url;
    uint32_t total_ms;
    uint64_t limit;
    bool insecure;
    struct http_pool *pool;
    uint32_t crc;
    struct http_response res;
    int rc;
    uint64_t ms;
};

static size_t stack_peak;        /* the most any fetch task used (bytes), for sizing */

static int on_body(void *ctx, const void *data, size_t len)
{
    struct job *j = ctx;
    j->crc = (uint32_t)crc32(j->crc, data, (uInt)len);   /* zlib's */
    return 0;
}

static void *fetch_task(void *arg)
{
    struct job *j = arg;
    struct http_request req;
    http_request_init(&req, j->url);
    req.total_timeout = req.read_timeout = req.connect_timeout = K_MSEC(j->total_ms);
    req.body_limit = j->limit;
    req.on_body = on_body;
    req.ctx = j;
    req.insecure = j->insecure;
    req.pool = j->pool;
    uint64_t t0 = k_uptime_ms();
    j->rc = http_get(&req, &j->res);
    j->ms = k_uptime_ms() - t0;
    char b1[21], b2[21], b3[21];
    if (j->rc == 0)
        printf("fetch: %s status=%d bytes=%s crc32=%08lx wire=%s ms=%s\n", j->url,
               j->res.status, k_u64_str(b1, j->res.body_len), (unsigned long)j->crc,
               k_u64_str(b3, j->res.wire_len), k_u64_str(b2, j->ms));
    else
        printf("fetch: %s error=%s ms=%s\n", j->url, http_strerror(j->rc), k_u64_str(b2, j->ms));
    size_t peak = k_task_stack_peak(k_current());
    if (peak > stack_peak)
        stack_peak = peak;
    return NULL;
}

static int cmd_fetch(int argc, char **argv)
{
    struct job *jobs;
    k_task_t *tasks[FETCH_MAX];
    uint32_t total_ms = 30000;
    uint64_t limit = 0;
    bool insecure = false;
    unsigned per_host = FETCH_PER_HOST;
    struct http_pool *pool;
    int i = 1, n = 0, failed = 0;

    for (; i < argc && argv[i][0] == '-'; i += 2) {
        char *end;
        unsigned long long v;
        if (!strcmp(argv[i], "-k")) {
            insecure = true;
            i--;
            continue;
        }
        v = i + 1 < argc ? strtoull(argv[i + 1], &end, 10) : 0;
        if (i + 1 >= argc || *end ||
            (strcmp(argv[i], "-t") && strcmp(argv[i], "-l") && strcmp(argv[i], "-c")) ||
            (!strcmp(argv[i], "-c") && (v < 1 || v > 64))) {
            printf("usage: fetch [-k] [-c conns_per_host 1..64] [-t total_ms] "
                   "[-l max_body_bytes] URL [URL ...]\n");
            return -1;
        }
        if (!strcmp(argv[i], "-t"))
            total_ms = (uint32_t)v;
        else if (!strcmp(argv[i], "-c"))
            per_host = (unsigned)v;
        else
            limit = v;
    }
    if (i >= argc || argc - i > FETCH_MAX) {
        printf("usage: fetch [-k] [-c conns_per_host] [-t total_ms] [-l max_body_bytes] URL "
               "[URL ...] (at most %d URLs)\n", FETCH_MAX);
        return -1;
    }
    if (insecure)
        printf("fetch: -k: https:// certificates are NOT checked (chain, name, dates)\n");
    jobs = calloc((size_t)(argc - i), sizeof(*jobs));
    if (!jobs) {
        printf("fetch: out of memory\n");
        return -1;
    }
    pool = http_pool_new(per_host);      /* none without memory: a connection per URL */
    for (; i < argc; i++, n++) {
        jobs[n].url = argv[i];
        jobs[n].total_ms = total_ms;
        jobs[n].limit = limit;
        jobs[n].insecure = insecure;
        jobs[n].pool = pool;
    }
    /* All at once (asyncio.gather), FETCH_PARALLEL (config.h) at a time. Ctrl-C cancels the
     * shell task: k_gather then cancels the fetches still running, which end with
     * error=cancelled, and joins them all; the URLs not started end so too. */
    uint32_t cancels = k_task_cancels();
    for (int b = 0; b < n; b += FETCH_PARALLEL) {
        int m = n - b < FETCH_PARALLEL ? n - b : FETCH_PARALLEL;
        for (int j = b; j < b + m; j++) {
            tasks[j] = k_task_spawn("fetch", fetch_task, &jobs[j], FETCH_STACK);
            if (!tasks[j]) {
                printf("fetch: %s error=no-memory ms=0\n", jobs[j].url);
                jobs[j].rc = -1;
            }
        }
        if (k_gather(tasks + b, m, NULL, K_GATHER_RETURN_EXCEPTIONS) == -ECANCELED && k_task_cancels() != cancels) {
            for (int j = b + m; j < n; j++) {
                printf("fetch: %s error=%s ms=0\n", jobs[j].url, http_strerror(HTTP_ERR_CANCELLED));
                jobs[j].rc = HTTP_ERR_CANCELLED;
            }
            break;
        }
    }
    for (i = 0; i < n; i++)
        if (jobs[i].rc)
            failed++;
    if (pool)
        http_pool_report(pool, "fetch");
    http_pool_free(pool);
    printf("fetch: task stack=%u bytes, the most used=%u (FETCH_STACK)\n", (unsigned)FETCH_STACK,
           (unsigned)stack_peak);
    free(jobs);
    return failed ? -1 : 0;
}
K_SHELL_CMD(fetch, "fetch", "[-k] [-c n] [-t ms] [-l bytes] URL... - fetch http:// and https:// pages concurrently: status, bytes, CRC-32", cmd_fetch);
