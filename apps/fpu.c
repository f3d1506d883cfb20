/*
 * fpu.c - `fpu [N]`: floating point in N tasks and 2 generators at once, each yielding after
 * every step, must give bit for bit what the same computation gives run alone. Half of
 * them also compute in round-toward-zero while the others round to nearest, so a rounding
 * mode that leaked from one context to another shows too. It checks what arch_switch must
 * keep per context on a core with an FPU: the callee-saved FP registers (Cortex-M4F:
 * s16-s31, FPSCR; see kernel/arch/armv7m/switch.S), the FP control word (i386: the x87
 * control word) and AArch64's d8-d15 and FPCR (kernel/arch/aarch64/switch.S). On a core
 * without one (Cortex-M3: soft float) the values still run through the switch in integer
 * registers, and rounding modes are not applicable.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "k.h"

#define STEPS 200u
#define GENS 2u

/* The FP rounding mode of the running context: nearest or toward zero. */
#if defined(__aarch64__)
#define HAVE_ROUNDING 1
static unsigned round_get(void)
{
    uint64_t v;
    __asm__ volatile("mrs %0, fpcr" : "=r"(v));
    return (unsigned)v;
}
static void round_set(unsigned v)
{
    __asm__ volatile("msr fpcr, %0" : : "r"((uint64_t)v) : "memory");
}
#define ROUND_MASK (3u << 22)          /* FPCR.RMode */
#define ROUND_ZERO (3u << 22)
#elif defined(__ARM_FP)
#define HAVE_ROUNDING 1
static unsigned round_get(void)
{
    unsigned v;
    __asm__ volatile("vmrs %0, fpscr" : "=r"(v));
    return v;
}
static void round_set(unsigned v) { __asm__ volatile("vmsr fpscr, %0" : : "r"(v) : "memory"); }
#define ROUND_MASK (3u << 22)          /* FPSCR.RMode */
#define ROUND_ZERO (3u << 22)
#elif defined(__i386__)
#define HAVE_ROUNDING 1
static unsigned round_get(void)
{
    uint16_t cw;
    __asm__ volatile("fnstcw %0" : "=m"(cw));
    return cw;
}
static void round_set(unsigned v)
{
    uint16_t cw = (uint16_t)v;
    __asm__ volatile("fldcw %0" : : "m"(cw) : "memory");
}
#define ROUND_MASK (3u << 10)          /* x87 control word RC */
#define ROUND_ZERO (3u << 10)
#else
#define HAVE_ROUNDING 0
static unsigned round_get(void) { return 0; }
static void round_set(unsigned v) { (void)v; }
#define ROUND_MASK 0u
#define ROUND_ZERO 0u
#endif

static void set_toward_zero(int on)
{
    round_set((round_get() & ~ROUND_MASK) | (on ? ROUND_ZERO : 0u));
}

/* A chain of float and double operations whose every step depends on the last, with the
 * values live across pause(): the compiler keeps them in callee-saved FP registers. */
static __attribute__((noinline)) uint32_t work(unsigned seed, void (*pause)(void *), void *ctx)
{
    float a = (float)seed * 0.37f + 1.0f, b = 1.0f / (float)(seed + 3), c = 0.5f, d = (float)seed;
    double e = seed / 7.0;
    for (unsigned i = 0; i < STEPS; i++) {
        a = a * 1.0001f + b;
        b = b * c - a / 1024.0f;
        c = c + d * 1e-3f;
        d = (d + a) * 0.5f / (1.0f + c * c);
        e = e * 0.999 + a;
        pause(ctx);
    }
    float r = a + b + c + d + (float)e;
    uint32_t bits;
    memcpy(&bits, &r, sizeof(bits));
    return bits;
}

static void no_pause(void *ctx) { (void)ctx; }
static void task_pause(void *ctx) { (void)ctx; k_yield(); }
static void gen_pause(void *ctx) { (void)k_gen_yield(ctx, NULL, NULL); }

/* arg: seed << 1 | toward-zero */
static void *fp_task(void *arg)
{
    unsigned v = (unsigned)(uintptr_t)arg;
    set_toward_zero(v & 1u);
    return (void *)(uintptr_t)work(v >> 1, task_pause, NULL);
}

static void *fp_gen(k_gen_t *g, void *arg)
{
    unsigned v = (unsigned)(uintptr_t)arg;
    set_toward_zero(v & 1u);
    return (void *)(uintptr_t)work(v >> 1, gen_pause, g);
}

static uint32_t reference(unsigned v)
{
    unsigned saved = round_get();
    set_toward_zero(v & 1u);
    uint32_t r = work(v >> 1, no_pause, NULL);
    round_set(saved);
    return r;
}

static int cmd_fpu(int argc, char **argv)
{
    unsigned n = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 0) : 6u;
    k_task_t *tasks[32] = { 0 };
    k_gen_t *gens[GENS] = { 0 };
    uint32_t got[32 + GENS];
    unsigned bad = 0, running = GENS, mode_before = round_get() & ROUND_MASK;
    int rc = 0;

    if (n < 1 || n > 32) {
        printf("usage: fpu [N, 1..32]\n");
        return -1;
    }
    /* worker i: seed i + 1, toward zero if i is odd */
    for (unsigned i = 0; i < n; i++)
        if (!(tasks[i] = k_task_spawn("fpu", fp_task, (void *)(uintptr_t)((i + 1) << 1 | (i & 1)),
                                      2048)))
            rc = -1;
    for (unsigned j = 0; j < GENS; j++)
        if (!(gens[j] = k_gen_new(fp_gen, (void *)(uintptr_t)((n + j + 1) << 1 | ((n + j) & 1)),
                                  2048)))
            rc = -1;
    /* this task drives the generators, one step each, yielding to the tasks in between */
    while (rc == 0 && running) {
        running = 0;
        for (unsigned j = 0; j < GENS; j++) {
            k_result_t out;
            int r = k_gen_next(gens[j], &out);
            if (r == K_GEN_YIELDED)
                running++;
            else if (r == K_GEN_DONE && out.error == 0)
                got[n + j] = (uint32_t)(uintptr_t)out.value;
            else if (r != -EPIPE)
                rc = -1;
        }
        k_yield();
    }
    for (unsigned i = 0; i < n; i++) {
        k_result_t res;
        if (tasks[i] && k_join(tasks[i], K_FOREVER, &res) == 0)
            got[i] = (uint32_t)(uintptr_t)res.value;
    }
    for (unsigned j = 0; j < GENS; j++)
        if (gens[j])
            k_gen_free(gens[j]);
    if (rc) {
        printf("fpu: out of memory\n");
        return -1;
    }
    for (unsigned i = 0; i < n + GENS; i++) {
        unsigned v = (i + 1) << 1 | (i & 1);
        uint32_t want = reference(v);
        if (got[i] != want) {
            printf("fpu: %s %u (%s): got 0x%08lx, alone 0x%08lx\n", i < n ? "task" : "generator",
                   i < n ? i : i - n, v & 1 ? "toward zero" : "nearest", (unsigned long)got[i],
                   (unsigned long)want);
            bad++;
        }
    }
    if (HAVE_ROUNDING && reference(2u << 1) == reference(2u << 1 | 1u)) {
        printf("fpu: rounding modes give the same result: the check would be blind\n");
        bad++;
    }
    if ((round_get() & ROUND_MASK) != mode_before) {
        printf("fpu: the shell's rounding mode changed\n");
        bad++;
    }
    printf("fpu: %u tasks and %u generators, %u steps each, %s: %s\n", n, GENS, STEPS,
           HAVE_ROUNDING ? "rounding per context" : "soft float, one rounding mode",
           bad ? "MISMATCH" : "all exact");
    return bad ? -1 : 0;
}
K_SHELL_CMD(fpu, "fpu", "[N] - floating point in N tasks and 2 generators at once, checked exact",
            cmd_fpu);
