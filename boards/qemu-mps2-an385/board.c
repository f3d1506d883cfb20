/*
 * board.c - MPS2 AN385 (Cortex-M3) on QEMU: CMSDK APB UART0 console with a receive
 * interrupt, tickless time (SysTick as the clock, CMSDK timer 0 one-shot for deadlines),
 * NVIC, semihosting exit.
 * Interrupt handlers acknowledge the device, record the event, and return.
 */
#include <errno.h>
#include <stdint.h>

#include "arch.h"
#include "board.h"
#include "k.h"
#include "net/wiring.h"
#include "uart/cmsdk_uart.h"

const char board_name[] = "qemu-mps2-an385";

/* The LAN9118 on the MPS2's APB (AN385 memory map; QEMU's mps2.c): registers and IRQ. */
const struct netdrv_wiring board_netdrv = { .base = 0x40200000u, .irq = 13 };
const unsigned board_clock_resolution_ms = 1;

#define REG(a) (*(volatile uint32_t *)(a))

/* --- console: CMSDK APB UART0 (drivers/uart/cmsdk_uart.c), RX interrupt 0 ----------- */
#define SYSCLK_HZ 25000000u
static struct cmsdk_uart uart0 = { .base = 0x40004000u, .clock_hz = SYSCLK_HZ };

void board_console_putc(char c) { cmsdk_uart_putc(&uart0, c); }
int board_console_getc(void) { return cmsdk_uart_getc(&uart0); }
uint32_t board_console_overruns(void) { return uart0.rx.overruns; }

void mps2_uart0_rx_isr(void)
{
    cmsdk_uart_rx_isr(&uart0);
    k_isr_signal(k_console_hook());
}

/* --- SysTick (ARMv7-M ARM B3.3) and NVIC --------------------------------------------- */
#define SYST_CSR REG(0xE000E010u)
#define SYST_RVR REG(0xE000E014u)
#define SYST_CVR REG(0xE000E018u)
#define NVIC_ISER0 REG(0xE000E100u)
#define SCB_AIRCR REG(0xE000ED0Cu)
#define SCB_CFSR  REG(0xE000ED28u)
#define SCB_HFSR  REG(0xE000ED2Cu)
#define SCB_MMFAR REG(0xE000ED34u)
#define SCB_BFAR  REG(0xE000ED38u)
#define SCB_CCR   REG(0xE000ED14u)

#define SCB_ICSR REG(0xE000ED04u)
#define ICSR_PENDSTSET (1u << 26)

/* Tickless. SysTick is only the clock: it counts its whole 24-bit range (2^24 cycles of
 * the 25 MHz clock, 671 ms) and its interrupt counts the wraps. The poll loop's next
 * deadline goes into the CMSDK APB timer 0 (ARM DDI 0479, "Timer"; QEMU's mps2.c wires it
 * to IRQ 8), loaded with the cycles to wait and stopped when it fires: a one-shot. */
#define SYST_RELOAD (1u << 24)

static volatile uint64_t ticks;     /* SysTick wraps */
static uint64_t last_ms;

#define TIMER0_CTRL     REG(0x40000000u)    /* bit 0 enable, bit 3 interrupt enable */
#define TIMER0_VALUE    REG(0x40000004u)
#define TIMER0_RELOAD   REG(0x40000008u)
#define TIMER0_INTCLEAR REG(0x4000000Cu)
#define TIMER0_IRQ 8u

void mps2_systick_isr(void)
{
    ticks++;
    k_isr_event();
}

static void timer0_isr(void *ctx)
{
    (void)ctx;
    TIMER0_CTRL = 0;                   /* one-shot: stop */
    TIMER0_INTCLEAR = 1u;
    k_isr_event();
}

/* Wraps plus the part of the current period SysTick has counted down. A period that ended
 * while interrupts were off shows as SysTick pending (ICSR.PENDSTSET) with the counter
 * already reloaded: count it as elapsed. Never goes backwards. */
uint64_t board_uptime_ms(void)
{
    unsigned long s = arch_irq_save();
    uint64_t t = ticks, ms;
    uint32_t cvr = SYST_CVR;

    if ((SCB_ICSR & ICSR_PENDSTSET) && cvr > SYST_RELOAD / 2)
        t++;
    ms = (t * SYST_RELOAD + (SYST_RELOAD - 1u - cvr)) / (SYSCLK_HZ / 1000u);
    if (ms < last_ms)
        ms = last_ms;
    last_ms = ms;
    arch_irq_restore(s);
    return ms;
}

void mps2_unexpected_isr(void)
{
    uint32_t ipsr;
    __asm__ volatile("mrs %0, ipsr" : "=r"(ipsr));
    k_panic("unexpected exception %u", (unsigned)ipsr);
}

#define IRQS 32
static struct { void (*isr)(void *); void *ctx; } irq_handlers[IRQS];

void mps2_irq_dispatch(void)
{
    uint32_t ipsr;
    __asm__ volatile("mrs %0, ipsr" : "=r"(ipsr));
    unsigned irq = (unsigned)ipsr - 16u;
    if (irq >= IRQS || !irq_handlers[irq].isr)
        k_panic("unexpected interrupt %u", irq);
    irq_handlers[irq].isr(irq_handlers[irq].ctx);
}

int board_irq_attach(unsigned irq, void (*isr)(void *), void *ctx)
{
    if (irq == 0 || irq >= IRQS || irq_handlers[irq].isr)
        return -EINVAL;
    irq_handlers[irq].isr = isr;
    irq_handlers[irq].ctx = ctx;
    NVIC_ISER0 = 1u << irq;
    return 0;
}

/* HardFault & co: report the faulting PC from the stacked exception frame. */
void mps2_fault_report(uint32_t *frame, uint32_t ipsr);
void mps2_fault_report(uint32_t *frame, uint32_t ipsr)
{
    k_panic("fault %u at pc=0x%08x lr=0x%08x cfsr=0x%08x hfsr=0x%08x mmfar=0x%08x bfar=0x%08x",
            (unsigned)ipsr, (unsigned)frame[6], (unsigned)frame[5], (unsigned)SCB_CFSR,
            (unsigned)SCB_HFSR, (unsigned)SCB_MMFAR, (unsigned)SCB_BFAR);
}

__attribute__((naked)) void mps2_fault(void)
{
    __asm__ volatile(
        "tst lr, #4\n"
        "ite eq\n"
        "mrseq r0, msp\n"
        "mrsne r0, psp\n"
        "mrs r1, ipsr\n"
        "b mps2_fault_report\n");
}

/* --- board contract ---------------------------------------------------------------------- */

int board_idle(uint64_t deadline_ms)
{
    uint64_t now = board_uptime_ms();

    TIMER0_CTRL = 0;
    if (deadline_ms != UINT64_MAX) {
        uint64_t cycles;
        if (deadline_ms <= now)
            return 0;                  /* already due: the poll loop runs again */
        /* now is whole ms, the clock a little later: waking this many cycles from here
         * is at or after the deadline; at most 2^32 cycles (171 s), then wake and rearm */
        cycles = (deadline_ms - now) * (SYSCLK_HZ / 1000u);
        if (cycles > 0xFFFFFFFFu)
            cycles = 0xFFFFFFFFu;
        TIMER0_INTCLEAR = 1u;
        TIMER0_RELOAD = (uint32_t)cycles;
        TIMER0_VALUE = (uint32_t)cycles;
        TIMER0_CTRL = 1u | 8u;
    }
    arch_idle();
    return 0;
}

/* Semihosting (ARM DUI 0471): SYS_EXIT_EXTENDED (0x20) with ADP_Stopped_ApplicationExit
 * and the status as subcode; QEMU exits with that status. */
void board_exit(int status)
{
    static uint32_t block[2];
    arch_irq_save();
    block[0] = 0x20026u;               /* ADP_Stopped_ApplicationExit */
    block[1] = (uint32_t)status;
    __asm__ volatile("movs r0, #0x20\n"
                     "mov r1, %0\n"
                     "bkpt 0xab" : : "r"(block) : "r0", "r1", "memory");
    for (;;)
        __asm__ volatile("wfi");
}

void board_reboot(void)
{
    __asm__ volatile("dsb");
    SCB_AIRCR = 0x05FA0004u;           /* VECTKEY | SYSRESETREQ */
    __asm__ volatile("dsb");
    for (;;)
        ;
}

extern char __boot_stack_bottom[], __boot_stack_top[], __heap_start[], __heap_end[];

void board_boot_stack(void **base, size_t *size)
{
    *base = __boot_stack_bottom;
    *size = (size_t)(__boot_stack_top - __boot_stack_bottom);
}

/* No real-time clock on the MPS2 (the FPGA board has none QEMU models). */
int64_t board_rtc_seconds(void) { return -1; }

/* SysTick's current value (25 MHz) mixed with its wrap count. */
uint32_t board_cycles(void) { return SYST_CVR ^ (uint32_t)(ticks << 24); }

/* No hardware random generator on a Cortex-M3. */
int board_hw_random(uint32_t *out)
{
    (void)out;
    return -1;
}

void board_heap(char **start, char **end)
{
    *start = __heap_start;
    *end = __heap_end;
}

void board_init(void)
{
    SCB_CCR |= (1u << 4);              /* DIV_0_TRP: divide by zero faults */
    cmsdk_uart_init(&uart0);
    NVIC_ISER0 = 1u << 0;              /* UART0 RX */
    SYST_RVR = SYST_RELOAD - 1u;
    SYST_CVR = 0;
    SYST_CSR = 7u;                     /* enable, interrupt, processor clock */
    TIMER0_CTRL = 0;
    (void)board_irq_attach(TIMER0_IRQ, timer0_isr, NULL);
    __asm__ volatile("cpsie i");
}

int app_main_entry(void);
void mps2_main(void)
{
    board_init();
    board_exit(app_main_entry());
}
