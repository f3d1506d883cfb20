/* cmsdk_uart.c - CMSDK APB UART console driver (cmsdk_uart.h). */
#include "arch.h"
#include "uart/cmsdk_uart.h"

#define REG(u, off) (*(volatile uint32_t *)((u)->base + (off)))
#define DATA(u)     REG(u, 0x00)
#define STATE(u)    REG(u, 0x04)   /* bit0 TX full, bit1 RX full, bit3 RX overrun */
#define CTRL(u)     REG(u, 0x08)   /* bit0 TX en, bit1 RX en, bit3 RX irq en */
#define INTCLEAR(u) REG(u, 0x0C)   /* bit1 RX interrupt */
#define BAUDDIV(u)  REG(u, 0x10)

#define CTRL_ON (1u | 2u)          /* TX, RX enabled */
#define CTRL_RXINT 8u

void cmsdk_uart_init(struct cmsdk_uart *u)
{
    BAUDDIV(u) = u->clock_hz / 115200u;
    CTRL(u) = CTRL_ON | CTRL_RXINT;
}

void cmsdk_uart_putc(struct cmsdk_uart *u, char c)
{
    while (STATE(u) & 1u)
        ;
    DATA(u) = (uint8_t)c;
}

static void drain(struct cmsdk_uart *u)
{
    uint32_t state;
    while (!k_ring_full(&u->rx.ring) && ((state = STATE(u)) & 2u)) {
        if (state & 8u) {
            u->rx.overruns++;
            STATE(u) = 8u;                /* write 1 to clear the overrun flag */
        }
        k_ring_put(&u->rx.ring, (uint8_t)DATA(u));
    }
    if (k_ring_full(&u->rx.ring) && !u->rx.paused) {
        u->rx.paused = true;
        CTRL(u) = CTRL_ON;
    }
}

void cmsdk_uart_rx_isr(struct cmsdk_uart *u)
{
    INTCLEAR(u) = 2u;
    drain(u);
}

int cmsdk_uart_getc(struct cmsdk_uart *u)
{
    int c = k_ring_get(&u->rx.ring);
    if (c >= 0 && u->rx.paused) {
        /* The UART raises its RX interrupt only for a byte that arrives while the
         * interrupt is enabled: drain what waited, enable, and drain again what slipped
         * in before the enable. */
        unsigned long s = arch_irq_save();
        u->rx.paused = false;
        do {
            drain(u);
            if (u->rx.paused)
                break;
            CTRL(u) = CTRL_ON | CTRL_RXINT;
        } while (STATE(u) & 2u);
        arch_irq_restore(s);
    }
    return c;
}
