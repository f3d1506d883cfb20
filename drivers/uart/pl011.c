/* pl011.c - PL011 console driver (pl011.h). Registers: ARM DDI 0183, 3.2 (summary). */
#include "arch.h"
#include "uart/pl011.h"

#define REG(u, off) (*(volatile uint32_t *)((u)->base + (off)))
#define DR(u)   REG(u, 0x00)       /* data; on read bits 8-11 are FE, PE, BE, OE */
#define FR(u)   REG(u, 0x18)       /* flags: bit 4 RXFE, bit 5 TXFF */
#define IBRD(u) REG(u, 0x24)
#define FBRD(u) REG(u, 0x28)
#define LCRH(u) REG(u, 0x2C)       /* bits 5-6 WLEN, bit 4 FEN */
#define CR(u)   REG(u, 0x30)       /* bit 0 UARTEN, bit 8 TXE, bit 9 RXE */
#define IFLS(u) REG(u, 0x34)
#define IMSC(u) REG(u, 0x38)       /* bit 4 RXIM, bit 6 RTIM */
#define ICR(u)  REG(u, 0x44)

#define FR_RXFE (1u << 4)
#define FR_TXFF (1u << 5)
#define DR_OE   (1u << 11)
#define INT_RX  ((1u << 4) | (1u << 6))

void pl011_init(struct pl011 *u)
{
    /* divisor = UARTCLK / (16 * baud), as 16.6 fixed point, rounded (ARM DDI 0183, 3.3.6) */
    uint32_t div64 = (u->clock_hz * 4u + 115200u / 2u) / 115200u;
    CR(u) = 0;
    IBRD(u) = div64 >> 6;
    FBRD(u) = div64 & 63u;
    LCRH(u) = (3u << 5) | (1u << 4);   /* 8 bits, no parity, 1 stop, FIFOs on */
    IFLS(u) = 0;                       /* receive interrupt at 1/8 full */
    ICR(u) = 0x7FFu;
    IMSC(u) = INT_RX;
    CR(u) = 1u | (1u << 8) | (1u << 9);
}

void pl011_putc(struct pl011 *u, char c)
{
    while (FR(u) & FR_TXFF)
        ;
    DR(u) = (uint8_t)c;
}

static void drain(struct pl011 *u)
{
    while (!k_ring_full(&u->rx.ring) && !(FR(u) & FR_RXFE)) {
        uint32_t d = DR(u);
        if (d & DR_OE)
            u->rx.overruns++;
        k_ring_put(&u->rx.ring, (uint8_t)d);
    }
    if (k_ring_full(&u->rx.ring) && !u->rx.paused) {
        u->rx.paused = true;
        IMSC(u) = 0;
    }
}

void pl011_rx_isr(struct pl011 *u)
{
    ICR(u) = INT_RX;
    drain(u);
}

int pl011_getc(struct pl011 *u)
{
    int c = k_ring_get(&u->rx.ring);
    if (c >= 0 && u->rx.paused) {
        /* drain what waited in the FIFO, then take interrupts again; a byte that arrives
         * in between raises RXIM once enabled (the interrupt is a level, not an edge) */
        unsigned long s = arch_irq_save();
        u->rx.paused = false;
        drain(u);
        if (!u->rx.paused)
            IMSC(u) = INT_RX;
        arch_irq_restore(s);
    }
    return c;
}
