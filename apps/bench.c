/*
 * bench.c - `bench [N]`: two tasks each call k_yield() N times; prints the number of
 * switches and the elapsed time. Under QEMU's -icount shift=0 one instruction advances the
 * virtual clock by 1 ns, so elapsed ns / switches is instructions per switch
 * (tests/bench/bench_qemu.py runs it that way).
 */
#include <stdio.h>
#include <stdlib.h>

#include "k.h"

static void *yield_n(void *arg)
{
    for (unsigned long i = (unsigned long)arg; i; i--)
        k_yield();
    return NULL;
}

static int cmd_bench(int argc, char **argv)
{
    unsigned long n = argc > 1 ? strtoul(argv[1], NULL, 0) : 1000000ul;
    k_task_t *a, *b;
    uint64_t t0, t1;

    if (n == 0) {
        printf("usage: bench [N>0]\n");
        return -1;
    }
    a = k_task_spawn("bench-a", yield_n, (void *)n, 1024);
    b = k_task_spawn("bench-b", yield_n, (void *)n, 1024);
    if (!a || !b) {
        printf("bench: out of memory\n");
        if (a) k_join(a, K_FOREVER, NULL);
        return -1;
    }
    t0 = k_uptime_ms();
    k_join(a, K_FOREVER, NULL);
    k_join(b, K_FOREVER, NULL);
    t1 = k_uptime_ms();
    /* a and b alternate: 2n switches between them (plus 3 to enter and leave) */
    printf("bench: switches=%lu ms=%lu\n", 2 * n, (unsigned long)(t1 - t0));
    return 0;
}
K_SHELL_CMD(bench, "bench", "[N] - time N k_yield() round trips between two tasks", cmd_bench);
