/*
 * bench.c - `bench [N] [fpu]`: two tasks each call k_yield() N times (with `fpu`, after one
 * floating-point operation each); prints the number of switches and the elapsed time.
 * Under QEMU's -icount shift=0 one instruction advances the virtual clock by 1 ns, so
 * elapsed ns / switches is instructions per switch (tests/bench/bench_qemu.py runs it
 * that way).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "k.h"

static void *yield_n(void *arg)
{
    for (unsigned long i = (unsigned long)arg; i; i--)
        k_yield();
    return NULL;
}

/* The same after one floating-point operation: on a core whose switch keeps FP state only
 * for contexts that used the FPU (Cortex-M4F), this is the switch with that state. */
static void *yield_n_fpu(void *arg)
{
    volatile float f = 1.5f;
    f = f * f;
    return yield_n(arg);
}

static int cmd_bench(int argc, char **argv)
{
    unsigned long n = argc > 1 ? strtoul(argv[1], NULL, 0) : 1000000ul;
    int fpu = argc > 2 && strcmp(argv[2], "fpu") == 0;
    void *(*fn)(void *) = fpu ? yield_n_fpu : yield_n;
    k_task_t *a, *b;
    uint64_t t0, t1;

    if (n == 0 || argc > 3 || (argc > 2 && !fpu)) {
        printf("usage: bench [N>0] [fpu]\n");
        return -1;
    }
    a = k_task_spawn("bench-a", fn, (void *)n, 1024);
    b = k_task_spawn("bench-b", fn, (void *)n, 1024);
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
K_SHELL_CMD(bench, "bench", "[N] [fpu] - time N k_yield() round trips between two tasks (that used the FPU)", cmd_bench);
