/*
 * syscalls.c - the system calls newlib needs on a bare-metal board: console I/O, a heap
 * bounded by the linker map, time from the kernel tick, and exit through the board.
 */
#include <errno.h>
#include <malloc.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "board.h"
#include "k.h"

#undef errno
extern int errno;

static char *heap_brk, *heap_peak;
static size_t heap_limit;       /* k_heap_limit(): bytes from the start, 0 for none */
static size_t (*heap_cache_bytes)(void);    /* k_heap_register_cache() */

void k_heap_register_cache(size_t (*cached_bytes)(void)) { heap_cache_bytes = cached_bytes; }

/* The board's heap bounds, with the break starting at its start. */
static void board_bounds(char **start, char **end)
{
    board_heap(start, end);
    if (!heap_brk)
        heap_brk = heap_peak = *start;
}

/* The heap's bounds: the board's, the end lowered by k_heap_limit(). */
static void heap_bounds(char **start, char **end)
{
    board_bounds(start, end);
    if (heap_limit && heap_limit < (size_t)(*end - *start))
        *end = *start + heap_limit;
}

size_t k_heap_total(void)
{
    char *start, *end;
    heap_bounds(&start, &end);
    return (size_t)(end - start);
}

/* Grow the heap by incr bytes inside [__heap_start, __heap_end) from the linker map.
 * Returns the old break, or (void *)-1 with errno = ENOMEM: malloc then returns NULL. */
void *_sbrk(ptrdiff_t incr);
void *_sbrk(ptrdiff_t incr)
{
    char *start, *end, *old;

    heap_bounds(&start, &end);
    if ((incr > 0 && incr > end - heap_brk) || (incr < 0 && -incr > heap_brk - start)) {
        errno = ENOMEM;
        return (void *)-1;
    }
    old = heap_brk;
    heap_brk += incr;
    if (heap_brk > heap_peak)
        heap_peak = heap_brk;
    return old;
}

void k_heap_stats(struct k_heap_stats *st)
{
    char *start, *end;
    struct mallinfo mi = mallinfo();

    heap_bounds(&start, &end);
    st->total = (size_t)(end - start);
    st->cached = heap_cache_bytes ? heap_cache_bytes() : 0;
    st->used = mi.uordblks > st->cached ? mi.uordblks - st->cached : 0;
    st->free = st->total - st->used;
    st->brk = heap_brk ? (size_t)(heap_brk - start) : 0;
    st->peak = heap_peak ? (size_t)(heap_peak - start) : 0;
}

bool k_heap_has_free(size_t bytes)
{
    char *start, *end;

    heap_bounds(&start, &end);
    if ((size_t)(end - heap_brk) >= bytes)
        return true;
    return (size_t)(end - heap_brk) + mallinfo().fordblks >= bytes;
}

int k_heap_limit(size_t bytes)
{
    char *start, *end;

    board_bounds(&start, &end);
    if (bytes && (bytes < (size_t)(heap_brk - start) || bytes > (size_t)(end - start)))
        return -EINVAL;
    heap_limit = bytes;
    return 0;
}

int _write(int fd, const void *buf, size_t n);
int _write(int fd, const void *buf, size_t n)
{
    const char *p = buf;
    size_t i;

    if (fd != 1 && fd != 2) {
        errno = EBADF;
        return -1;
    }
    for (i = 0; i < n; i++) {
        if (p[i] == '\n')
            board_console_putc('\r');
        board_console_putc(p[i]);
    }
    return (int)n;
}

/* stdin: blocks the calling task until at least one byte arrives; returns what is there. */
int _read(int fd, void *buf, size_t n);
int _read(int fd, void *buf, size_t n)
{
    char *p = buf;
    size_t i = 0;
    int c;

    if (fd != 0) {
        errno = EBADF;
        return -1;
    }
    if (n == 0)
        return 0;
    c = k_console_getc(K_FOREVER);
    while (c >= 0) {
        p[i++] = (char)(c == '\r' ? '\n' : c);
        if (i == n || c == '\r' || c == '\n')
            break;
        c = k_console_getc(K_NO_WAIT);
    }
    return (int)i;
}

int _close(int fd);
int _close(int fd) { (void)fd; errno = EBADF; return -1; }

int _fstat(int fd, struct stat *st);
int _fstat(int fd, struct stat *st)
{
    if (fd < 0 || fd > 2) {
        errno = EBADF;
        return -1;
    }
    st->st_mode = S_IFCHR;
    return 0;
}

int _isatty(int fd);
int _isatty(int fd) { return fd >= 0 && fd <= 2; }

off_t _lseek(int fd, off_t off, int whence);
off_t _lseek(int fd, off_t off, int whence) { (void)fd; (void)off; (void)whence; errno = ESPIPE; return -1; }

int _getpid(void);
int _getpid(void) { return 1; }

int _kill(int pid, int sig);
int _kill(int pid, int sig) { (void)pid; (void)sig; errno = EINVAL; return -1; }

void _exit(int status) { board_exit(status); }

/* The wall clock (k_wall_seconds(): the RTC, else the build time), to the ms of uptime. */
int _gettimeofday(struct timeval *tv, void *tz);
int _gettimeofday(struct timeval *tv, void *tz)
{
    uint64_t ms = k_uptime_ms();
    (void)tz;
    if (tv) {
        tv->tv_sec = (time_t)k_wall_seconds();
        tv->tv_usec = (suseconds_t)((ms % 1000u) * 1000u);
    }
    return 0;
}

#ifndef CLOCK_MONOTONIC
#define CLOCK_MONOTONIC ((clockid_t)4)   /* newlib's value, declared only with _POSIX_MONOTONIC_CLOCK */
#endif

/* CLOCK_MONOTONIC counts from boot, CLOCK_REALTIME from the epoch (k_wall_seconds()), in
 * steps of 1 ms. */
int clock_gettime(clockid_t id, struct timespec *ts);
int clock_gettime(clockid_t id, struct timespec *ts)
{
    uint64_t ms = k_uptime_ms();
    if (id != CLOCK_MONOTONIC && id != CLOCK_REALTIME) {
        errno = EINVAL;
        return -1;
    }
    ts->tv_sec = id == CLOCK_REALTIME ? (time_t)k_wall_seconds() : (time_t)(ms / 1000u);
    ts->tv_nsec = (long)(ms % 1000u) * 1000000L;
    return 0;
}

#ifdef K_NEWLIB_PLAIN_SYSCALL_NAMES
/* A newlib configured for a target it has no system directory for (i686-elf) is built
 * with MISSING_SYSCALL_NAMES: its reentrant wrappers call write(), not _write(). */
#define K_ALIAS(name) __attribute__((alias(#name)))
int write(int fd, const void *buf, size_t n) K_ALIAS(_write);
int read(int fd, void *buf, size_t n) K_ALIAS(_read);
void *sbrk(ptrdiff_t incr) K_ALIAS(_sbrk);
int close(int fd) K_ALIAS(_close);
int fstat(int fd, struct stat *st) K_ALIAS(_fstat);
int isatty(int fd) K_ALIAS(_isatty);
off_t lseek(int fd, off_t off, int whence) K_ALIAS(_lseek);
int getpid(void) K_ALIAS(_getpid);
int kill(int pid, int sig) K_ALIAS(_kill);
int gettimeofday(struct timeval *tv, void *tz) K_ALIAS(_gettimeofday);
#endif
