/*
 * start.c - ARMv7-M start-up: the vector table, the reset handler, exception dispatch,
 * fault reports and, on cores with an FPU, its lazy enabling. See armv7m.h.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "armv7m.h"
#include "../../board.h"
#include "../../k.h"

#define REG(a) (*(volatile uint32_t *)(a))
#define SCB_CCR   REG(0xE000ED14u)
#define SCB_SHCSR REG(0xE000ED24u)
#define SCB_CFSR  REG(0xE000ED28u)
#define SCB_HFSR  REG(0xE000ED2Cu)
#define SCB_MMFAR REG(0xE000ED34u)
#define SCB_BFAR  REG(0xE000ED38u)
#define SCB_AIRCR REG(0xE000ED0Cu)
#define SCB_CPACR REG(0xE000ED88u)

#define CCR_DIV_0_TRP (1u << 4)
#define SHCSR_FAULTS ((1u << 16) | (1u << 17) | (1u << 18))  /* MEM, BUS, USG FAULTENA */
#define CFSR_NOCP (1u << 19)           /* UFSR.NOCP: coprocessor (FPU) access while off */
#define CPACR_FP (0xFu << 20)          /* CP10 and CP11: full access */

extern uint32_t __boot_stack_top[], __data_start[], __data_end[], __data_load[];
extern uint32_t __bss_start[], __bss_end[];
extern char __boot_stack_bottom[], __heap_start[], __heap_end[];
int app_main_entry(void);

/* Every ARMv7-M linker script (linker/<board>.ld) places the boot stack and the heap between
 * these symbols, so the architecture answers kernel/board.h's two questions for its boards. */
void board_boot_stack(void **base, size_t *size)
{
    *base = __boot_stack_bottom;
    *size = (size_t)((char *)__boot_stack_top - __boot_stack_bottom);
}

void board_heap(char **start, char **end)
{
    *start = __heap_start;
    *end = __heap_end;
}

static struct { void (*isr)(void *); void *ctx; } handlers[16 + ARMV7M_IRQS];

int armv7m_exception_attach(unsigned exc, void (*isr)(void *), void *ctx)
{
    if ((exc != ARMV7M_EXC_SYSTICK && (exc < 16 || exc >= 16 + ARMV7M_IRQS)) || !isr ||
        handlers[exc].isr)
        return -EINVAL;
    handlers[exc].ctx = ctx;
    handlers[exc].isr = isr;
    return 0;
}

static uint32_t ipsr(void)
{
    uint32_t v;
    __asm__ volatile("mrs %0, ipsr" : "=r"(v));
    return v;
}

static void dispatch(void)
{
    uint32_t exc = ipsr();
    if (exc >= 16 + ARMV7M_IRQS || !handlers[exc].isr)
        k_panic("unexpected interrupt %u (exception %u)", (unsigned)exc - 16u, (unsigned)exc);
    handlers[exc].isr(handlers[exc].ctx);
}

static void unexpected(void)
{
    k_panic("unexpected exception %u", (unsigned)ipsr());
}

/*
 * Faults. The FPU starts off (CPACR) and each context turns it on by using it: its first
 * floating-point instruction raises a UsageFault with NOCP, which enables CP10/CP11 and
 * returns to run that instruction again. From then on arch_switch saves and restores that
 * context's s16-s31 and FPSCR (switch.S), and only that context's. Interrupt handlers
 * must not use the FPU: one that does, while it is off, ends here with a clear panic.
 */
void armv7m_fault_report(uint32_t *frame, uint32_t exc_return);
void armv7m_fault_report(uint32_t *frame, uint32_t exc_return)
{
    uint32_t exc = ipsr();
#if defined(__ARM_FP)
    if (exc == 6 && (SCB_CFSR & CFSR_NOCP)) {
        if (!(exc_return & 8u))
            k_panic("FPU used in an interrupt handler at pc=0x%08x", (unsigned)frame[6]);
        SCB_CFSR = CFSR_NOCP;          /* write one to clear */
        SCB_CPACR |= CPACR_FP;
        __asm__ volatile("dsb; isb");
        return;                        /* exception return runs the instruction again */
    }
#else
    (void)exc_return;
#endif
    k_panic("fault %u at pc=0x%08x lr=0x%08x cfsr=0x%08x hfsr=0x%08x mmfar=0x%08x bfar=0x%08x",
            (unsigned)exc, (unsigned)frame[6], (unsigned)frame[5], (unsigned)SCB_CFSR,
            (unsigned)SCB_HFSR, (unsigned)SCB_MMFAR, (unsigned)SCB_BFAR);
}

/* The stacked frame is on the stack the fault came from: MSP or PSP (EXC_RETURN bit 2). */
__attribute__((naked)) static void fault(void)
{
    __asm__ volatile(
        "tst lr, #4\n"
        "ite eq\n"
        "mrseq r0, msp\n"
        "mrsne r0, psp\n"
        "mov r1, lr\n"
        "b armv7m_fault_report\n");
}

void Reset_Handler(void);
void Reset_Handler(void)
{
    memcpy(__data_start, __data_load, (size_t)((char *)__data_end - (char *)__data_start));
    memset(__bss_start, 0, (size_t)((char *)__bss_end - (char *)__bss_start));
    SCB_CCR |= CCR_DIV_0_TRP;
    SCB_SHCSR |= SHCSR_FAULTS;         /* their own handlers, not escalated to HardFault */
    board_init();
    board_exit(app_main_entry());
}

__attribute__((section(".vectors"), used))
static void (*const vectors[16 + ARMV7M_IRQS])(void) = {
    [0] = (void (*)(void))__boot_stack_top,
    [1] = Reset_Handler,
    [2] = fault,                       /* NMI */
    [3] = fault,                       /* HardFault */
    [4] = fault,                       /* MemManage */
    [5] = fault,                       /* BusFault */
    [6] = fault,                       /* UsageFault (and the FPU's first use) */
    [11] = unexpected,                 /* SVCall */
    [12] = unexpected,                 /* DebugMonitor */
    [14] = unexpected,                 /* PendSV: not used, no preemption */
    [15] = dispatch,                   /* SysTick */
    [16 ... 16 + ARMV7M_IRQS - 1] = dispatch,
};

void armv7m_semihost_exit(int status)
{
    static uint32_t block[2];
    __asm__ volatile("cpsid i");
    block[0] = 0x20026u;               /* ADP_Stopped_ApplicationExit */
    block[1] = (uint32_t)status;
    __asm__ volatile("movs r0, #0x20\n"
                     "mov r1, %0\n"
                     "bkpt 0xab" : : "r"(block) : "r0", "r1", "memory");
    for (;;)
        __asm__ volatile("wfi");
}

void armv7m_sysreset(void)
{
    __asm__ volatile("dsb");
    SCB_AIRCR = 0x05FA0004u;           /* VECTKEY | SYSRESETREQ */
    __asm__ volatile("dsb");
    for (;;)
        ;
}
