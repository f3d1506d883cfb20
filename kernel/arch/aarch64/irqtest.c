/*
 * irqtest.c - `archtest`: checks of the AArch64 IRQ entry (start.S) on the real CPU.
 *
 * irq-keeps-q8-q15: a task fills q8-q15 with a pattern and spins, with interrupts
 * unmasked, until an interrupt has been taken whose C handler writes all 128 bits of
 * v8-v15 (as a handler that GCC vectorizes does). By the AAPCS64 the handler saves and
 * restores only d8-d15, the low halves (and a write of d8 zeroes v8's upper half): the
 * entry must keep the upper ones. Without it they came back as zeros. The
 * interrupt is the EL1 physical timer's (PPI 30, ARM DDI 0487 D11.2), which nothing else
 * uses: armed to fire at once, and stopped by the handler.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "../../board.h"
#include "../../k.h"

#define PHYS_TIMER_PPI 30u
#define SPIN_MAX 100000000u               /* about a second under QEMU: the timer is due at once */

static volatile uint32_t taken;

static void clobbering_isr(void *ctx)
{
    (void)ctx;
    __asm__ volatile("msr cntp_ctl_el0, xzr; isb");          /* off: its level line drops */
    __asm__ volatile("movi v8.16b, #0xa5\n movi v9.16b, #0xa5\n movi v10.16b, #0xa5\n"
                     "movi v11.16b, #0xa5\n movi v12.16b, #0xa5\n movi v13.16b, #0xa5\n"
                     "movi v14.16b, #0xa5\n movi v15.16b, #0xa5"
                     : : : "v8", "v9", "v10", "v11", "v12", "v13", "v14", "v15");
    taken++;
}

/* Load q8-q15 from in, take the timer's interrupt, store q8-q15 to out. @return the
 * spins left (0: no interrupt came). */
static uint64_t q8_q15_across_irq(const uint8_t in[8][16], uint8_t out[8][16])
{
    uint64_t spins = SPIN_MAX, daif, one = 1;
    uint32_t before = taken;
    __asm__ volatile(
        "mrs %[daif], daif\n"
        "msr daifset, #2\n"                          /* no interrupt until q8-q15 are set */
        "ldp q8, q9, [%[in]]\n ldp q10, q11, [%[in], #32]\n"
        "ldp q12, q13, [%[in], #64]\n ldp q14, q15, [%[in], #96]\n"
        "msr cntp_tval_el0, xzr\n"                   /* due now (D11.2.4) */
        "msr cntp_ctl_el0, %[one]\n"                 /* ENABLE, IMASK clear */
        "isb\n"
        "msr daifclr, #2\n"
        "1: ldr w9, [%[taken]]\n"
        "cmp w9, %w[before]\n"
        "b.ne 2f\n"
        "subs %[spins], %[spins], #1\n"
        "b.ne 1b\n"
        "2: msr daif, %[daif]\n"
        "stp q8, q9, [%[out]]\n stp q10, q11, [%[out], #32]\n"
        "stp q12, q13, [%[out], #64]\n stp q14, q15, [%[out], #96]\n"
        : [spins] "+r"(spins), [daif] "=&r"(daif)
        : [in] "r"(in), [out] "r"(out), [taken] "r"(&taken), [before] "r"(before),
          [one] "r"(one)
        : "x9", "v8", "v9", "v10", "v11", "v12", "v13", "v14", "v15", "cc", "memory");
    return spins;
}

static int cmd_archtest(int argc, char **argv)
{
    static struct k_selftest st = { .suite = "archtest" };
    static bool attached;
    uint8_t in[8][16], out[8][16];
    (void)argv;
    if (argc != 1) {
        printf("usage: archtest\n");
        return -EINVAL;
    }
    if (!attached && board_irq_attach(PHYS_TIMER_PPI, clobbering_isr, NULL) != 0) {
        printf("archtest: cannot attach the physical timer's interrupt (PPI %u)\n",
               PHYS_TIMER_PPI);
        return -EBUSY;
    }
    attached = true;
    st.passed = st.failed = 0;
    for (int i = 0; i < 8; i++)
        for (int j = 0; j < 16; j++)
            in[i][j] = (uint8_t)(16 * i + j + 1);
    memset(out, 0, sizeof(out));
    uint64_t left = q8_q15_across_irq(in, out);
    if (k_selftest_check(&st, left != 0, "irq-taken", "no interrupt in %u spins", SPIN_MAX)) {
        int bad = 0;                                 /* the first register changed, or 8 */
        while (bad < 8 && memcmp(in[bad], out[bad], 16) == 0)
            bad++;
        const uint8_t *was = in[bad % 8], *now = out[bad % 8];
        k_selftest_check(&st, bad == 8, "irq-keeps-q8-q15",
                         "q%d's upper half came back %02x..%02x, was %02x..%02x", bad + 8,
                         now[8], now[15], was[8], was[15]);
    }
    printf("archtest: %d passed, %d failed\n", st.passed, st.failed);
    return st.failed ? -EIO : 0;
}
K_SHELL_CMD(archtest, "archtest", "- AArch64: an interrupt whose handler uses v8-v15 leaves a task's q8-q15 whole",
            cmd_archtest);
