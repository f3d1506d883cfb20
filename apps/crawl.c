/*
 * crawl.c - `crawl [-d N] [-t ms] URL [URL ...]`: the seeds' areq.py. Fetch every page
 * concurrently (one task each), extract links with the seeds' rule (every value of
 * href="..." in the body, as the regular expression href="(.*?)" finds them: not
 * HTML-unescaped, never across a line break), resolve each against the page URL as
 * RFC 3986 reference resolution does (Python's urljoin), and print one line
 *   <page url>\t<absolute link>
 * per distinct link per page, then
 *   crawl: pages=<n> links=<m> errors=<k> ms=<elapsed>
 * Only the given pages are fetched, unless -d N asks for N more levels of links; those
 * are followed only on the hosts (host:port) of the given URLs, each page once.
 * A page that fails (or answers other than 2xx) prints "crawl: <url> error=<what>"; so does
 * a page that could not be fetched for want of memory (error=no-memory: its record, its
 * task or a link's copy could not be allocated), and it counts in errors. Limits are said,
 * not hidden: links over CRAWL_MAX_LINKS on a page ("links-not-kept=N") and links not
 * followed because the crawl reached CRAWL_MAX_PAGES ("page limit ... not followed").
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/http.h"
#include "k.h"
#include "links.h"

#define CRAWL_MAX_PAGES 64        /* pages fetched in one crawl */
#define CRAWL_MAX_LINKS 256       /* distinct links kept per page */
#define CRAWL_PER_HOST 2          /* persistent connections per origin (-c) */

struct page {
    char url[HTTP_URL_MAX];
    int rc, status;
    struct href_scanner hrefs;
    /* distinct absolute links */
    char **links;
    int nlinks, dropped;         /* dropped: not a URL we can resolve */
    int over, lost;              /* over CRAWL_MAX_LINKS; lost: no memory for the copy */
};

static void add_link(void *ctx, const char *link, size_t len, bool ok)
{
    struct page *p = ctx;
    char abs[HTTP_URL_MAX];
    (void)len;
    if (!ok || http_url_resolve(p->url, link, abs, sizeof(abs)) != 0) {
        p->dropped++;
        return;
    }
    for (int i = 0; i < p->nlinks; i++)
        if (!strcmp(p->links[i], abs))
            return;
    if (p->nlinks == CRAWL_MAX_LINKS) {
        p->over++;
        return;
    }
    if (!(p->links[p->nlinks] = strdup(abs))) {
        p->lost++;
        return;
    }
    p->nlinks++;
}

/* The body callback: links as the body streams in (apps/links.c). */
static int scan(void *ctx, const void *data, size_t n)
{
    struct page *p = ctx;
    href_scan(&p->hrefs, data, n, add_link, p);
    return 0;
}

static uint32_t crawl_timeout_ms;
static struct http_pool *crawl_pool;

static size_t stack_peak;        /* the most any crawl task used (bytes), for sizing */

static void *crawl_task(void *arg)
{
    struct page *p = arg;
    struct http_response res;
    struct http_request req;
    http_request_init(&req, p->url);
    req.total_timeout = req.read_timeout = req.connect_timeout = K_MSEC(crawl_timeout_ms);
    req.on_body = scan;
    req.ctx = p;
    req.pool = crawl_pool;
    p->links = calloc(CRAWL_MAX_LINKS, sizeof(char *));
    if (!p->links) {
        p->rc = HTTP_ERR_NOMEM;
        printf("crawl: %s error=%s\n", p->url, http_strerror(p->rc));
        return NULL;
    }
    p->rc = http_get(&req, &res);
    p->status = res.status;
    if (p->rc == 0 && p->lost)
        p->rc = HTTP_ERR_NOMEM;      /* its link list is incomplete: not a result */
    if (p->rc == 0 && (res.status < 200 || res.status > 299)) {
        printf("crawl: %s error=status-%d\n", p->url, res.status);
    } else if (p->rc) {
        printf("crawl: %s error=%s\n", p->url, http_strerror(p->rc));
    } else {
        for (int i = 0; i < p->nlinks; i++)
            printf("%s\t%s\n", p->url, p->links[i]);
        if (p->over)
            printf("crawl: %s links-not-kept=%d (at most %d per page)\n", p->url, p->over,
                   CRAWL_MAX_LINKS);
    }
    size_t peak = k_task_stack_peak(k_current());
    if (peak > stack_peak)
        stack_peak = peak;
    return NULL;
}

static bool page_ok(const struct page *p) { return p->rc == 0 && p->status >= 200 && p->status <= 299; }

/* "host:port" of an http URL, for the same-host rule. */
static bool host_key(const char *url, char *key, size_t size)
{
    struct http_url u;
    if (http_url_parse(url, &u) != 0)
        return false;
    snprintf(key, size, "%s:%u", u.host, (unsigned)u.port);
    return true;
}

static int cmd_crawl(int argc, char **argv)
{
    static struct page *pages[CRAWL_MAX_PAGES];
    static char hosts[16][HTTP_HOST_MAX + 8];
    k_task_t *tasks[CRAWL_MAX_PAGES];
    int depth = 0, i = 1, npages = 0, nhosts = 0, level_start = 0, ok = 0, errors = 0, links = 0;
    int unfollowed = 0, per_host = CRAWL_PER_HOST;
    uint64_t t0 = k_uptime_ms();

    crawl_timeout_ms = 10000;
    for (; i + 1 < argc && argv[i][0] == '-'; i += 2) {
        if (!strcmp(argv[i], "-d"))
            depth = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "-t"))
            crawl_timeout_ms = (uint32_t)atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "-c"))
            per_host = atoi(argv[i + 1]);
        else
            break;
    }
    if (i >= argc || argv[i][0] == '-' || depth < 0 || depth > 5 || per_host < 1 || per_host > 64) {
        printf("usage: crawl [-d depth 0..5] [-c conns_per_host 1..64] [-t timeout_ms] URL [URL ...]\n");
        return -1;
    }
    crawl_pool = http_pool_new((unsigned)per_host);   /* none without memory: one
                                                         * connection per page then */
    for (; i < argc; i++) {
        char key[HTTP_HOST_MAX + 8];
        struct page *p = npages < CRAWL_MAX_PAGES ? calloc(1, sizeof(*p)) : NULL;
        if (!p) {
            printf("crawl: %s error=%s\n", argv[i],
                   npages < CRAWL_MAX_PAGES ? "no-memory" : "too-many-urls");
            errors++;
            continue;
        }
        snprintf(p->url, sizeof(p->url), "%s", argv[i]);
        pages[npages++] = p;
        if (host_key(argv[i], key, sizeof(key)) && nhosts < 16) {
            int h;
            for (h = 0; h < nhosts && strcmp(hosts[h], key); h++)
                ;
            if (h == nhosts)
                strcpy(hosts[nhosts++], key);
        }
    }

    uint32_t cancels = k_task_cancels();
    for (int level = 0; level <= depth && level_start < npages; level++) {
        int level_end = npages;
        /* a level's pages at once (asyncio.gather), CRAWL_PARALLEL (config.h) at a time */
        for (int b = level_start; b < level_end && depth >= level; b += CRAWL_PARALLEL) {
            int n = level_end - b < CRAWL_PARALLEL ? level_end - b : CRAWL_PARALLEL;
            for (int j = b; j < b + n; j++)
                tasks[j] = k_task_spawn("crawl", crawl_task, pages[j], CRAWL_STACK);
            for (int j = b; j < b + n; j++)
                if (!tasks[j]) {
                    pages[j]->rc = HTTP_ERR_NOMEM;
                    printf("crawl: %s error=%s\n", pages[j]->url, http_strerror(HTTP_ERR_NOMEM));
                }
            /* Ctrl-C: the running fetches end with error=cancelled; no next level, nor
             * the rest of this one */
            if (k_gather(tasks + b, n, NULL, K_GATHER_RETURN_EXCEPTIONS) == -ECANCELED && k_task_cancels() != cancels) {
                depth = level;
                for (int j = b + n; j < level_end; j++)
                    pages[j]->rc = HTTP_ERR_CANCELLED;
                break;
            }
        }
        /* the next level: links on the given hosts, not fetched yet */
        for (int j = level_start; level < depth && j < level_end; j++) {
            if (!page_ok(pages[j]))
                continue;
            for (int l = 0; l < pages[j]->nlinks; l++) {
                char key[HTTP_HOST_MAX + 8], url[HTTP_URL_MAX];
                int h, seen;
                snprintf(url, sizeof(url), "%s", pages[j]->links[l]);
                url[strcspn(url, "#")] = 0;          /* a fragment is not fetched */
                if (!host_key(url, key, sizeof(key)))
                    continue;
                for (h = 0; h < nhosts && strcmp(hosts[h], key); h++)
                    ;
                if (h == nhosts)
                    continue;
                for (seen = 0; seen < npages && strcmp(pages[seen]->url, url); seen++)
                    ;
                if (seen < npages)
                    continue;
                if (npages == CRAWL_MAX_PAGES) {
                    unfollowed++;
                    continue;
                }
                struct page *p = calloc(1, sizeof(*p));
                if (!p) {
                    printf("crawl: %s error=no-memory\n", url);
                    errors++;
                    continue;
                }
                snprintf(p->url, sizeof(p->url), "%s", url);
                pages[npages++] = p;
            }
        }
        level_start = level_end;
    }

    for (int j = 0; j < npages; j++) {
        struct page *p = pages[j];
        if (j < level_start) {
            if (page_ok(p)) {
                ok++;
                links += p->nlinks;
            } else {
                errors++;
            }
        }
        for (int l = 0; l < p->nlinks; l++)
            free(p->links[l]);
        free(p->links);
        free(p);
    }
    if (unfollowed)
        printf("crawl: page limit (%d) reached: %d links not followed\n", CRAWL_MAX_PAGES,
               unfollowed);
    if (crawl_pool)
        http_pool_report(crawl_pool, "crawl");
    http_pool_free(crawl_pool);
    crawl_pool = NULL;
    printf("crawl: task stack=%u bytes, the most used=%u (CRAWL_STACK)\n", (unsigned)CRAWL_STACK,
           (unsigned)stack_peak);
    printf("crawl: pages=%d links=%d errors=%d ms=%lu\n", ok, links, errors,
           (unsigned long)(k_uptime_ms() - t0));
    return errors ? -1 : 0;
}
K_SHELL_CMD(crawl, "crawl", "[-d N] [-c n] [-t ms] URL... - fetch pages concurrently (keep-alive) and list their links (areq.py)", cmd_crawl);
