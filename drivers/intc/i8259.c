/* i8259.c - cascaded 8259A PICs (see i8259.h). */
#include <errno.h>
#include <stdint.h>

#include "arch.h"
#include "intc/i8259.h"
#include "k.h"
#include "portio.h"

#define PIC1 0x20
#define PIC2 0xA0
#define EOI 0x20
#define OCW3_READ_IRR 0x0A
#define OCW3_READ_ISR 0x0B

static struct { void (*isr)(void *); void *ctx; } lines[16];

void i8259_init(void)
{
    outb(PIC1, 0x11); outb(PIC2, 0x11);         /* ICW1: edge, cascade, ICW4 follows */
    outb(PIC1 + 1, 0x20); outb(PIC2 + 1, 0x28); /* ICW2: vectors 32..47 */
    outb(PIC1 + 1, 0x04); outb(PIC2 + 1, 0x02); /* ICW3: slave on line 2 */
    outb(PIC1 + 1, 0x01); outb(PIC2 + 1, 0x01); /* ICW4: 8086 mode */
    outb(PIC1 + 1, (uint8_t)~(1u << 2));        /* OCW1: all masked but the cascade */
    outb(PIC2 + 1, 0xFF);
}

int i8259_attach(unsigned line, void (*isr)(void *), void *ctx)
{
    unsigned long s;
    if (line >= 16 || line == 2 || !isr || lines[line].isr)
        return -EINVAL;
    s = arch_irq_save();
    lines[line].isr = isr;
    lines[line].ctx = ctx;
    if (line < 8)
        outb(PIC1 + 1, inb(PIC1 + 1) & (uint8_t)~(1u << line));
    else
        outb(PIC2 + 1, inb(PIC2 + 1) & (uint8_t)~(1u << (line - 8)));
    arch_irq_restore(s);
    return 0;
}

void i8259_dispatch(unsigned line)
{
    if (line == 7 || line == 15) {
        /* spurious (the request went away before the CPU acknowledged it): its in-service
         * bit is clear; no EOI to that PIC (the master still gets one for a slave's) */
        uint16_t pic = line == 7 ? PIC1 : PIC2;
        outb(pic, OCW3_READ_ISR);
        if (!(inb(pic) & 0x80)) {
            if (line == 15)
                outb(PIC1, EOI);
            return;
        }
    }
    if (line < 16 && lines[line].isr)
        lines[line].isr(lines[line].ctx);       /* signals its own poll hook */
    else
        k_isr_event();
    if (line >= 8)
        outb(PIC2, EOI);
    outb(PIC1, EOI);
}

bool i8259_pending(unsigned line)
{
    outb(PIC1, OCW3_READ_IRR);
    return (inb(PIC1) >> line) & 1u;
}
