/*
 * board.c - TI's Stellaris EK-LM3S6965 evaluation board (LM3S6965: Cortex-M3, 256 KiB
 * flash, 64 KiB SRAM, Ethernet MAC and PHY on chip) and QEMU's model of it (machine
 * lm3s6965evb, hw/arm/stellaris.c): its wiring only; the devices are in drivers/, the
 * core's start-up, exceptions and faults in kernel/arch/armv7m/.
 *   clock    50 MHz from the PLL (clock/stellaris_sysctl.h); SysTick counts it
 *   console  UART0 (a PL011) at 0x4000C000, interrupt 5, on PA0/PA1 (the board's USB
 *            debug port carries it)
 *   timer    GPTM Timer0 at 0x40030000, interrupt 19: one-shot deadlines
 *   NIC      the on-chip Ethernet MAC at 0x40048000, interrupt 42
 *   exit     semihosting (QEMU; a real core stops at the BKPT)
 */
#include <stdint.h>

#include "arch.h"
#include "arch/armv7m/armv7m.h"
#include "board.h"
#include "clock/stellaris_sysctl.h"
#include "intc/nvic.h"
#include "k.h"
#include "net/wiring.h"
#include "timer/stellaris_gptm.h"
#include "timer/systick.h"
#include "uart/pl011.h"

const char board_name[] = BOARD_NAME;
const unsigned board_clock_resolution_ms = 1;

#define SYSCLK_HZ 50000000u
#define UART0_IRQ 5u
#define GPIOA_AFSEL (*(volatile uint32_t *)0x40004420u)
#define GPIOA_DEN   (*(volatile uint32_t *)0x4000451Cu)

const struct netdrv_wiring board_netdrv = { .base = 0x40048000u, .irq = 42 };
static struct pl011 uart0 = { .base = 0x4000C000u, .clock_hz = SYSCLK_HZ };
static struct stellaris_gptm timer0 = { .base = 0x40030000u, .irq = 19 };

void board_console_putc(char c) { pl011_putc(&uart0, c); }
int board_console_getc(void) { return pl011_getc(&uart0); }
uint32_t board_console_overruns(void) { return uart0.rx.overruns; }

static void uart0_isr(void *ctx)
{
    pl011_rx_isr(ctx);
    k_isr_signal(k_console_hook());
}

uint64_t board_uptime_us(void) { return systick_uptime_us(); }
uint64_t board_uptime_ms(void) { return systick_uptime_us() / 1000u; }
uint32_t board_cycles(void) { return systick_cycles(); }

int board_irq_attach(unsigned irq, void (*isr)(void *), void *ctx)
{
    return nvic_irq_attach(irq, isr, ctx);
}

/* Timer 0, one-shot, for the cycles to the deadline (at most 2^32: 85 s at 50 MHz) */
bool board_timer_arm(uint64_t deadline_ms)
{
    uint32_t cycles;

    stellaris_gptm_stop(&timer0);
    if (deadline_ms == UINT64_MAX)
        return true;
    if (!systick_cycles_until(deadline_ms, SYSCLK_HZ, &cycles))
        return false;                  /* already due */
    stellaris_gptm_oneshot(&timer0, cycles);
    return true;
}

int board_idle(uint64_t deadline_ms)
{
    if (!board_timer_arm(deadline_ms))
        return 0;                      /* already due: the poll loop runs again */
    arch_idle();
    return 0;
}

void board_exit(int status) { armv7m_semihost_exit(status); }
void board_reboot(void) { armv7m_sysreset(); }

/* The LM3S6965's hibernation module keeps a seconds counter, but only with a battery and
 * a 32 kHz crystal, which QEMU does not model: no real-time clock. */
int64_t board_rtc_seconds(void) { return -1; }

/* No hardware random generator on the LM3S6965. */
int board_hw_random(uint32_t *out)
{
    (void)out;
    return -1;
}

void board_init(void)
{
    bool pll = stellaris_sysctl_clock_50mhz();
    stellaris_sysctl_gate_on(SYSCTL_GATE_GPIOA);
    stellaris_sysctl_gate_on(SYSCTL_GATE_UART0);
    stellaris_sysctl_gate_on(SYSCTL_GATE_TIMER0);
    GPIOA_AFSEL |= 3u;                 /* PA0 U0Rx, PA1 U0Tx */
    GPIOA_DEN |= 3u;
    pl011_init(&uart0);
    if (!pll)
        k_panic("board: the PLL did not lock (no 8 MHz crystal?)");
    if (nvic_irq_attach(UART0_IRQ, uart0_isr, &uart0) != 0 || stellaris_gptm_init(&timer0) != 0)
        k_panic("board: interrupt lines taken");
    systick_init(SYSCLK_HZ);
    __asm__ volatile("cpsie i");
}
