/* pl011.h - ARM PrimeCell UART PL011 (ARM DDI 0183, "PrimeCell UART (PL011) Technical
 * Reference Manual"; the Stellaris LM3S6965's UART0 at 0x4000C000, IRQ 5, is one) as the
 * console: 115200 baud 8N1 from the UART's reference clock, FIFOs on, an interrupt when a
 * byte arrives (RXIM) or the receive FIFO has sat non-empty for 32 bit times (RTIM). */
#ifndef DRIVERS_UART_PL011_H
#define DRIVERS_UART_PL011_H
#include "uart/uart.h"

struct pl011 {
    uintptr_t base;             /* set by the board */
    uint32_t clock_hz;          /* UARTCLK, for the baud divisors (IBRD, FBRD) */
    struct uart_rx rx;
};

/* Program 115200 8N1 and enable transmit, receive and the receive interrupts. */
void pl011_init(struct pl011 *u);
/* Send one byte; waits while the transmit FIFO is full (UARTFR.TXFF). */
void pl011_putc(struct pl011 *u, char c);
/* From the board's interrupt handler: acknowledge (UARTICR), move bytes into the ring. */
void pl011_rx_isr(struct pl011 *u);
/* The next received byte, or -1. Resumes a receiver paused by a full ring. Task context. */
int pl011_getc(struct pl011 *u);
#endif
