/*
 * i386.h - what the i386 architecture gives boards (kernel/arch/i386/): the interrupt
 * descriptor table and trap dispatch. Intel SDM Vol. 3A, 6.10-6.12 (IDT, gates).
 * Vectors 0-31 are CPU exceptions: each stops the kernel with a panic naming it and the
 * faulting eip. Vectors 32-47 are the 16 lines of the board's interrupt controller
 * (drivers/intc/i8259.c remaps the PICs there).
 */
#ifndef KERNEL_ARCH_I386_H
#define KERNEL_ARCH_I386_H

#define I386_IRQ_VECTOR0 32u           /* line n arrives as vector 32 + n */
#define I386_IRQ_LINES 16u

/* Load the IDT: interrupt gates, ring 0, for vectors 0-47. Vectors 32-47 call
 * irq(line), line 0-15, in interrupt context with interrupts off; irq acknowledges the
 * interrupt controller. Called once from board_init(), interrupts off. */
void i386_idt_init(void (*irq)(unsigned line));

#endif
