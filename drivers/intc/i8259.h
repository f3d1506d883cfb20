/* i8259.h - the two cascaded 8259A programmable interrupt controllers of a PC (Intel 8259A
 * datasheet; ports 0x20/0xA0): 15 usable lines, remapped to CPU vectors 32-47
 * (kernel/arch/i386/i386.h), edge-triggered, every line masked until a driver attaches. */
#ifndef DRIVERS_INTC_I8259_H
#define DRIVERS_INTC_I8259_H

#include <stdbool.h>

/* Program both PICs (ICW1-ICW4), all lines masked but the cascade (2). Interrupts off. */
void i8259_init(void);

/* Route line (0-15) to isr(ctx) and unmask it. Returns 0, or -EINVAL for line 2 (the
 * cascade), a line out of range, or one already taken. Any context. */
int i8259_attach(unsigned line, void (*isr)(void *ctx), void *ctx);

/* From the CPU's interrupt entry (i386_idt_init's irq): ignore a spurious line 7 or 15,
 * run the line's handler (a line nobody attached only marks an event), send EOI. */
void i8259_dispatch(unsigned line);

/* Whether line (0-7) is requested and not yet serviced: the master's IRR (OCW3). Any
 * context, interrupts off for a stable answer. */
bool i8259_pending(unsigned line);

#endif
