/*
 * bench_switch.c - context-switch cost on the host (x86-64 Linux), one run, key=value:
 *   switch_ns       one k_yield() switch between two tasks, through the scheduler
 *   bare_switch_ns  arch_switch() alone, ping-pong between two stacks
 *   ucontext_ns     swapcontext() ping-pong, per switch
 *   pthread_ns      mutex/condvar ping-pong between two threads, per switch
 * Each figure is the best of several rounds (the least disturbed by other load).
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <ucontext.h>

#include "arch.h"
#include "k.h"

#define ROUNDS 5

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* --- scheduler -------------------------------------------------------------------- */
static long n_iter;
static void *yielder(void *arg)
{
    (void)arg;
    for (long i = 0; i < n_iter; i++)
        k_yield();
    return NULL;
}

static void *sched_main(void *arg)
{
    double *ns = arg;
    k_task_t *a = k_task_spawn("a", yielder, NULL, 16384);
    k_task_t *b = k_task_spawn("b", yielder, NULL, 16384);
    double t0 = now_ns();
    k_join(a, K_FOREVER, NULL);
    k_join(b, K_FOREVER, NULL);
    *ns = (now_ns() - t0) / (2.0 * (double)n_iter);
    return NULL;
}

static double bench_sched(long n)
{
    double ns;
    n_iter = n;
    k_run(sched_main, &ns, 16384, NULL);
    return ns;
}

/* --- bare arch_switch -------------------------------------------------------------- */
static void *main_sp, *co_sp;
static void co_entry(void)
{
    for (;;)
        arch_switch(&co_sp, main_sp);
}

static double bench_bare(long n)
{
    /* on the heap, like a task's stack */
    char *stack = malloc(16384);
    co_sp = arch_stack_init(stack, 16384, co_entry);
    double t0 = now_ns();
    for (long i = 0; i < n; i++)
        arch_switch(&main_sp, co_sp);
    double ns = (now_ns() - t0) / (2.0 * (double)n);
    free(stack);          /* co is parked in arch_switch: its stack is no longer needed */
    return ns;
}

/* --- ucontext ---------------------------------------------------------------------- */
static ucontext_t uc_main, uc_co;
static void uc_entry(void)
{
    for (;;)
        swapcontext(&uc_co, &uc_main);
}

static double bench_ucontext(long n)
{
    static char stack[65536];
    getcontext(&uc_co);
    uc_co.uc_stack.ss_sp = stack;
    uc_co.uc_stack.ss_size = sizeof(stack);
    uc_co.uc_link = NULL;
    makecontext(&uc_co, uc_entry, 0);
    double t0 = now_ns();
    for (long i = 0; i < n; i++)
        swapcontext(&uc_main, &uc_co);
    return (now_ns() - t0) / (2.0 * (double)n);
}

/* --- pthread condvar ping-pong ----------------------------------------------------------- */
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static long turn, pt_n;

static void *pong(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&mu);
    for (long i = 0; i < pt_n; i++) {
        while (turn != 1)
            pthread_cond_wait(&cv, &mu);
        turn = 0;
        pthread_cond_signal(&cv);
    }
    pthread_mutex_unlock(&mu);
    return NULL;
}

static double bench_pthread(long n)
{
    pthread_t t;
    pt_n = n;
    turn = 0;
    pthread_create(&t, NULL, pong, NULL);
    double t0 = now_ns();
    pthread_mutex_lock(&mu);
    for (long i = 0; i < n; i++) {
        turn = 1;
        pthread_cond_signal(&cv);
        while (turn != 0)
            pthread_cond_wait(&cv, &mu);
    }
    pthread_mutex_unlock(&mu);
    double ns = (now_ns() - t0) / (2.0 * (double)n);
    pthread_join(t, NULL);
    return ns;
}

static double best(double (*fn)(long), long n)
{
    double b = 1e30;
    for (int i = 0; i < ROUNDS; i++) {
        double v = fn(n);
        if (v < b)
            b = v;
    }
    return b;
}

int main(void)
{
    double sw = best(bench_sched, 2000000);
    double bare = best(bench_bare, 5000000);
    double uc = best(bench_ucontext, 500000);
    double pt = best(bench_pthread, 20000);

    printf("switch_ns=%.2f\n", sw);
    printf("bare_switch_ns=%.2f\n", bare);
    printf("ucontext_ns=%.2f\n", uc);
    printf("pthread_ns=%.1f\n", pt);
    printf("switch_over_bare=%.2f   (goal: <= 2)\n", sw / bare);
    printf("ucontext_over_switch=%.1f   (goal: >= 10)\n", uc / sw);
    printf("pthread_over_switch=%.0f\n", pt / sw);
    return 0;
}
