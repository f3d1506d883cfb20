/*
 * board.c - QEMU virt (hw/arm/virt.c) with a Cortex-A53 at EL1: its wiring only; the devices
 * are in drivers/, the core's start-up, MMU, vectors and faults in kernel/arch/aarch64/.
 * The addresses are the machine's fixed map (QEMU's docs/system/arm/virt.rst), the same
 * its device tree describes:
 *   interrupts  GICv2: distributor 0x08000000, CPU interface 0x08010000
 *   clock       the generic timer: counter CNTVCT_EL0, one-shot EL1 virtual timer (PPI 27)
 *   console     PL011 at 0x09000000, SPI 1 (GIC ID 33), 24 MHz reference clock
 *   RTC         PL031 at 0x09010000
 *   NIC         virtio-net on one of 32 virtio-mmio transports at 0x0a000000 + 0x200 * n,
 *               SPI 16 + n (GIC ID 48 + n)
 *   exit        semihosting (QEMU -semihosting-config enable=on); reset by PSCI (HVC, or
 *               SMC when entered at EL2: kernel/arch/aarch64/arch.c)
 */
#include <stdint.h>

#include "arch.h"
#include "arch/aarch64/aarch64.h"
#include "board.h"
#include "intc/gicv2.h"
#include "k.h"
#include "net/wiring.h"
#include "rtc/pl031.h"
#include "timer/arm_generic_timer.h"
#include "uart/pl011.h"

const char board_name[] = BOARD_NAME;
const unsigned board_clock_resolution_ms = 1;

#define UART0_IRQ 33u
#define PL031_BASE 0x09010000u

const struct netdrv_wiring board_netdrv = { .base = 0x0a000000u, .irq = 48, .count = 32,
                                            .stride = 0x200u };
static struct gicv2 gic = { .gicd = 0x08000000u, .gicc = 0x08010000u };
static struct pl011 uart0 = { .base = 0x09000000u, .clock_hz = 24000000u };

void board_console_putc(char c) { pl011_putc(&uart0, c); }
int board_console_getc(void) { return pl011_getc(&uart0); }
uint32_t board_console_overruns(void) { return uart0.rx.overruns; }

static void uart0_isr(void *ctx)
{
    pl011_rx_isr(ctx);
    k_isr_signal(k_console_hook());
}

static void timer_isr(void *ctx)
{
    (void)ctx;
    arm_generic_timer_stop();          /* its level-sensitive line drops */
    k_isr_event();                     /* timers: no hook to run, the loop checks deadlines */
}

static void irq_dispatch(void) { gicv2_dispatch(&gic); }

uint64_t board_uptime_us(void) { return arm_generic_timer_uptime_us(); }
uint64_t board_uptime_ms(void) { return arm_generic_timer_uptime_us() / 1000u; }
uint32_t board_cycles(void) { return arm_generic_timer_cycles(); }

int board_irq_attach(unsigned irq, void (*isr)(void *), void *ctx)
{
    return gicv2_irq_attach(&gic, irq, isr, ctx);
}

bool board_timer_arm(uint64_t deadline_ms)
{
    arm_generic_timer_stop();
    if (deadline_ms == UINT64_MAX)
        return true;
    if (deadline_ms <= board_uptime_ms())
        return false;                  /* already due */
    arm_generic_timer_oneshot_ms(deadline_ms);
    return true;
}

int board_idle(uint64_t deadline_ms)
{
    if (!board_timer_arm(deadline_ms))
        return 0;                      /* already due: the poll loop runs again */
    arch_idle();
    return 0;
}

void board_exit(int status) { aarch64_semihost_exit(status); }
void board_reboot(void) { aarch64_psci_reset(); }

int64_t board_rtc_seconds(void) { return pl031_seconds(PL031_BASE); }

/* The Cortex-A53 has no random number instructions (FEAT_RNG is Armv8.5). */
int board_hw_random(uint32_t *out)
{
    (void)out;
    return -1;
}

void board_init(void)
{
    pl011_init(&uart0);
    if (!arm_generic_timer_init())
        k_panic("board: CNTFRQ_EL0 is 0 (the firmware did not set the timer's frequency)");
    gicv2_init(&gic);
    aarch64_irq_handler_set(irq_dispatch);
    if (gicv2_irq_attach(&gic, UART0_IRQ, uart0_isr, &uart0) != 0 ||
        gicv2_irq_attach(&gic, ARM_GENERIC_TIMER_VIRT_PPI, timer_isr, NULL) != 0)
        k_panic("board: interrupt lines taken");
    __asm__ volatile("msr daifclr, #2" : : : "memory");
}
