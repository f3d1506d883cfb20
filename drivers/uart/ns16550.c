/* ns16550.c - 16550 UART console driver (ns16550.h). */
#include "arch.h"
#include "portio.h"
#include "uart/ns16550.h"

#define UART_RBR 0   /* receive buffer (read) / THR transmit (write) */
#define UART_IER 1
#define UART_FCR 2
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define LSR_DR   0x01
#define LSR_OE   0x02
#define LSR_THRE 0x20
#define IER_RDA  0x01

void ns16550_init(struct ns16550 *u)
{
    uint16_t p = u->port;
    outb(p + UART_IER, 0x00);
    outb(p + UART_LCR, 0x80);            /* DLAB: divisor 1 = 115200 baud */
    outb(p + 0, 1);
    outb(p + 1, 0);
    outb(p + UART_LCR, 0x03);            /* 8N1 */
    outb(p + UART_FCR, 0x07);            /* FIFO on, cleared, interrupt at 1 byte */
    outb(p + UART_MCR, 0x0B);            /* DTR, RTS, OUT2 (routes the IRQ to the PIC) */
    outb(p + UART_IER, IER_RDA);         /* interrupt on received data */
}

void ns16550_putc(struct ns16550 *u, char c)
{
    while (!(inb(u->port + UART_LSR) & LSR_THRE))
        ;
    outb(u->port + UART_RBR, (uint8_t)c);
}

void ns16550_rx_isr(struct ns16550 *u)
{
    uint8_t lsr;
    while (!k_ring_full(&u->rx.ring) && ((lsr = inb(u->port + UART_LSR)) & LSR_DR)) {
        if (lsr & LSR_OE)
            u->rx.overruns++;
        k_ring_put(&u->rx.ring, inb(u->port + UART_RBR));
    }
    if (k_ring_full(&u->rx.ring) && !u->rx.paused) {
        u->rx.paused = true;
        outb(u->port + UART_IER, 0);
    }
}

int ns16550_getc(struct ns16550 *u)
{
    int c = k_ring_get(&u->rx.ring);
    if (c >= 0 && u->rx.paused) {
        unsigned long s = arch_irq_save();
        u->rx.paused = false;
        ns16550_rx_isr(u);                  /* what waited in the UART meanwhile */
        if (!u->rx.paused)
            outb(u->port + UART_IER, IER_RDA);
        arch_irq_restore(s);
    }
    return c;
}
