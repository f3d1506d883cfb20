/*
 * mem.c - lwIP's heap (mem_clib_malloc/free/calloc, lwipopts.h) in front of newlib's
 * malloc: freed blocks are kept on per-size free lists and handed out again in O(1).
 *
 * lwIP allocates and frees the same few sizes all the time (a pbuf per frame, a segment
 * per send, PCBs and netconns per connection). newlib's malloc (dlmalloc 2.6) does that
 * well on a tidy heap, but on a heap holding thousands of connections, with small blocks
 * freed between them, its bin scans became the hot spot of the 10,000-connection echo:
 * sampled with QEMU's monitor, half of all guest time was in _malloc_r. The cache holds at
 * most NET_MEM_CACHE_MAX bytes and 1/32 of the heap, shows them in `mem` as `cached` (not
 * `used`), and gives them back to malloc after a second in which lwIP allocated or freed
 * fewer than 64 times (net_mem_idle(), from the poll hook), or at once when malloc cannot
 * serve lwIP. With 10,000 connections each round of one line puts a few hundred bytes per
 * connection through it: a 256 KiB cap sent most of them to malloc, whose bin scans on a
 * heap fragmented by an earlier HTTP benchmark made the round take 4 s instead of 0.4.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lwip/opt.h"

#include "k.h"
#include "net.h"

#define CLASSES (NET_MEM_CACHE_MAX ? 512 : 1)  /* sizes up to 2,044 bytes, in 4-byte steps */
/* A block's size (a uint32_t), in front of what lwIP gets: MEM_ALIGNMENT bytes of it, so
 * that what lwIP gets is as aligned as malloc's blocks are, to MEM_ALIGNMENT. */
#define HDR MEM_ALIGNMENT
_Static_assert(MEM_ALIGNMENT >= _Alignof(void *) && MEM_ALIGNMENT >= sizeof(uint32_t),
               "lwIP's blocks hold pointers: MEM_ALIGNMENT below a pointer's alignment");

static void *cache[CLASSES];             /* free lists; a cached block's payload starts
                                          * with the next pointer */
static struct net_mem_stats st;

/* Bytes the cache may hold: NET_MEM_CACHE_MAX, and at most 1/32 of the heap (read each
 * time: `mem -l` can lower it). */
static size_t cache_cap(void)
{
    size_t share = k_heap_total() / 32;
    return NET_MEM_CACHE_MAX < share ? NET_MEM_CACHE_MAX : share;
}
static uint32_t ops, last_ops;
static uint64_t period_start;

const struct net_mem_stats *net_mem_stats(void) { return &st; }

void *net_mem_malloc(size_t n)
{
    /* 4-byte size classes, none below a pointer: a cached block holds its list's link */
    size_t sz = n < sizeof(void *) ? sizeof(void *) : (n + 3u) & ~(size_t)3u;
    char *b;

    ops++;
    if (sz / 4 < CLASSES && cache[sz / 4]) {
        b = cache[sz / 4];
        cache[sz / 4] = *(void **)(b + HDR);
        st.cached -= (uint32_t)sz;
        st.hits++;
        return b + HDR;
    }
    st.misses++;
    b = malloc(HDR + sz);
    if (!b && st.cached) {           /* the heap is short: what the cache holds comes first */
        net_mem_flush();
        b = malloc(HDR + sz);
    }
    if (!b)
        return NULL;
    *(uint32_t *)(void *)b = (uint32_t)sz;
    return b + HDR;
}

void *net_mem_calloc(size_t count, size_t size)
{
    void *p;
    if (size && count > SIZE_MAX / size)
        return NULL;
    p = net_mem_malloc(count * size);
    if (p)
        memset(p, 0, count * size);
    return p;
}

void net_mem_free(void *p)
{
    char *b = (char *)p - HDR;
    size_t sz = *(uint32_t *)(void *)b;

    ops++;
    if (sz / 4 < CLASSES && st.cached + sz <= cache_cap()) {
        *(void **)p = cache[sz / 4];
        cache[sz / 4] = b;
        st.cached += (uint32_t)sz;
        return;
    }
    free(b);
}

void net_mem_flush(void)
{
    for (unsigned c = 0; c < CLASSES; c++)
        while (cache[c]) {
            char *b = cache[c];
            cache[c] = *(void **)(b + HDR);
            free(b);
        }
    st.cached = 0;
    st.flushes++;
}

void net_mem_idle(uint64_t now_ms)
{
    if (now_ms - period_start < 1000)
        return;
    if (ops - last_ops < 64 && st.cached)
        net_mem_flush();
    last_ops = ops;
    period_start = now_ms;
}

static size_t cached_bytes(void) { return st.cached; }

void net_mem_init(void) { k_heap_register_cache(cached_bytes); }
