/* cmsdk_uart.h - ARM CMSDK APB UART (ARM DDI 0479, "APB UART"; MPS2 UART0: 0x40004000) as
 * the console: 115200 baud from the board's APB clock, an interrupt per received byte. */
#ifndef DRIVERS_UART_CMSDK_UART_H
#define DRIVERS_UART_CMSDK_UART_H
#include "uart/uart.h"

struct cmsdk_uart {
    uintptr_t base;             /* set by the board */
    uint32_t clock_hz;          /* APB clock, for the baud divisor */
    struct uart_rx rx;
};

void cmsdk_uart_init(struct cmsdk_uart *u);
void cmsdk_uart_putc(struct cmsdk_uart *u, char c);
/* From the board's receive interrupt handler: acknowledge, move bytes into the ring. */
void cmsdk_uart_rx_isr(struct cmsdk_uart *u);
/* The next received byte, or -1. Resumes a receiver paused by a full ring. Task context. */
int cmsdk_uart_getc(struct cmsdk_uart *u);
#endif
