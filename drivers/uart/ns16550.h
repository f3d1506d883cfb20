/* ns16550.h - a 16550-compatible UART on x86 I/O ports (PC COM1: 0x3F8, IRQ 4), as the
 * console: 115200 baud 8N1, FIFO on, an interrupt per received byte. Register layout from
 * the National Semiconductor PC16550D datasheet. */
#ifndef DRIVERS_UART_NS16550_H
#define DRIVERS_UART_NS16550_H
#include "uart/uart.h"

struct ns16550 {
    uint16_t port;              /* I/O base, set by the board */
    struct uart_rx rx;
};

/* Program the UART and enable its receive interrupt (the board routes the IRQ). */
void ns16550_init(struct ns16550 *u);
/* Send c, waiting (spinning) while the transmit holding register is full. */
void ns16550_putc(struct ns16550 *u, char c);
/* From the board's interrupt handler: move received bytes into the ring. */
void ns16550_rx_isr(struct ns16550 *u);
/* The next received byte, or -1. Resumes a receiver paused by a full ring. Task context. */
int ns16550_getc(struct ns16550 *u);
#endif
