/*
 * host_board.c - the "board" of the host build (unit tests, benchmarks): a virtual clock in
 * milliseconds that advances only when every task is blocked (board_idle jumps it to the
 * next deadline), console on stdout, and a malloc budget so tests can run out of memory.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "board.h"
#include "host_board.h"
#include "k.h"

const char board_name[] = "host";
const unsigned board_clock_resolution_ms = 0;

uint64_t host_now_ms;
size_t host_malloc_budget = SIZE_MAX;   /* bytes malloc may still hand out */
unsigned long host_idle_calls;

void board_init(void) {}
uint64_t board_uptime_ms(void) { return host_now_ms; }
uint64_t board_uptime_us(void) { return host_now_ms * 1000u; }
void board_console_putc(char c) { (void)write(1, &c, 1); }
const char *host_console_in;           /* bytes "received" on the console, read in order */
size_t host_console_in_len;
int board_console_getc(void)
{
    if (!host_console_in_len)
        return -1;
    host_console_in_len--;
    return (uint8_t)*host_console_in++;
}
uint32_t board_console_overruns(void) { return 0; }

/* The one-shot timer: host_advance_ms() plays its interrupt when the clock passes it. */
uint64_t host_armed_ms = UINT64_MAX;
unsigned long host_timer_arms;

/* Like a board's one-shot timer, it counts only so far: the LM3S's GPTM, 2^32 cycles at
 * 50 MHz, 85 s. Armed for later, it fires then (the kernel must arm it again). */
#define HOST_TIMER_SPAN_MS 85000u

bool board_timer_arm(uint64_t deadline_ms)
{
    host_timer_arms++;
    if (deadline_ms == UINT64_MAX)
        host_armed_ms = UINT64_MAX;
    else if (deadline_ms <= host_now_ms)
        return false;
    else
        host_armed_ms = deadline_ms - host_now_ms > HOST_TIMER_SPAN_MS ? host_now_ms + HOST_TIMER_SPAN_MS
                                                                     : deadline_ms;
    return true;
}

void host_advance_ms(uint64_t ms)
{
    host_now_ms += ms;
    if (host_armed_ms <= host_now_ms) {
        host_armed_ms = UINT64_MAX;
        k_isr_event();              /* the timer's interrupt */
    }
}

int board_idle(uint64_t deadline_ms)
{
    host_idle_calls++;
    if (deadline_ms == UINT64_MAX)
        return -1;              /* no interrupts on the host: nothing can ever wake a task */
    if (board_timer_arm(deadline_ms))
        host_now_ms = host_armed_ms;    /* the time passes until the timer fires */
    host_armed_ms = UINT64_MAX;
    return 0;
}

int board_irq_attach(unsigned irq, void (*isr)(void *), void *ctx)
{
    (void)irq, (void)isr, (void)ctx;
    return -EINVAL;
}

void board_exit(int status) { fflush(stdout); _exit(status); }
void board_reboot(void) { board_exit(0); }
void board_boot_stack(void **base, size_t *size) { *base = NULL; *size = 0; }
void board_heap(char **start, char **end) { *start = *end = NULL; }
int64_t board_rtc_seconds(void) { return -1; }
static uint32_t host_cycles;
uint32_t board_cycles(void) { return host_cycles += 7919u; }
int board_hw_random(uint32_t *out) { (void)out; return -1; }

/* Kernel objects are linked with -Wl,--wrap=malloc: a budget lets tests exhaust memory. */
void *__real_malloc(size_t n);
void *__wrap_malloc(size_t n)
{
    if (n > host_malloc_budget)
        return NULL;
    host_malloc_budget -= n;
    return __real_malloc(n);
}
