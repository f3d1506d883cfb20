/*
 * board.c - the MPS2 FPGA board with the AN385 image (Cortex-M3) on QEMU, and the AN386
 * image (Cortex-M4F), which has the same memory map and devices (QEMU's hw/arm/mps2.c
 * builds both from one table): its wiring only. The devices are in drivers/; the core's
 * start-up, exceptions and FPU in kernel/arch/armv7m/.
 *   console  CMSDK APB UART0 at 0x40004000, RX interrupt 0
 *   clock    SysTick on the 25 MHz processor clock
 *   timer    CMSDK APB timer 0 at 0x40000000, interrupt 8: one-shot deadlines
 *   NIC      LAN9118 at 0x40200000, interrupt 13
 *   exit     semihosting
 */
#include <stdint.h>

#include "arch.h"
#include "arch/armv7m/armv7m.h"
#include "board.h"
#include "intc/nvic.h"
#include "k.h"
#include "net/wiring.h"
#include "timer/cmsdk_timer.h"
#include "timer/systick.h"
#include "uart/cmsdk_uart.h"

const char board_name[] = BOARD_NAME;
const unsigned board_clock_resolution_ms = 1;

#define SYSCLK_HZ 25000000u
#define UART0_RX_IRQ 0u

const struct netdrv_wiring board_netdrv = { .base = 0x40200000u, .irq = 13 };
static struct cmsdk_uart uart0 = { .base = 0x40004000u, .clock_hz = SYSCLK_HZ };
static struct cmsdk_timer timer0 = { .base = 0x40000000u, .irq = 8 };

void board_console_putc(char c) { cmsdk_uart_putc(&uart0, c); }
int board_console_getc(void) { return cmsdk_uart_getc(&uart0); }
uint32_t board_console_overruns(void) { return uart0.rx.overruns; }

static void uart0_rx_isr(void *ctx)
{
    cmsdk_uart_rx_isr(ctx);
    k_isr_signal(k_console_hook());
}

uint64_t board_uptime_us(void) { return systick_uptime_us(); }
uint64_t board_uptime_ms(void) { return systick_uptime_us() / 1000u; }
uint32_t board_cycles(void) { return systick_cycles(); }

int board_irq_attach(unsigned irq, void (*isr)(void *), void *ctx)
{
    return nvic_irq_attach(irq, isr, ctx);
}

/* Timer 0, one-shot, for the cycles to the deadline (at most 2^32: 171 s at 25 MHz) */
bool board_timer_arm(uint64_t deadline_ms)
{
    uint32_t cycles;

    cmsdk_timer_stop(&timer0);
    if (deadline_ms == UINT64_MAX)
        return true;
    if (!systick_cycles_until(deadline_ms, SYSCLK_HZ, &cycles))
        return false;                  /* already due */
    cmsdk_timer_oneshot(&timer0, cycles);
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

/* No real-time clock on the MPS2 (the FPGA board has none QEMU models). */
int64_t board_rtc_seconds(void) { return -1; }

/* No hardware random generator on these cores. */
int board_hw_random(uint32_t *out)
{
    (void)out;
    return -1;
}

void board_init(void)
{
    cmsdk_uart_init(&uart0);
    if (nvic_irq_attach(UART0_RX_IRQ, uart0_rx_isr, &uart0) != 0 ||
        cmsdk_timer_init(&timer0) != 0)
        k_panic("board: interrupt lines taken");
    systick_init(SYSCLK_HZ);
    __asm__ volatile("cpsie i");
}
