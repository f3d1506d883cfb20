/* gicv2.h - the Arm Generic Interrupt Controller, architecture version 2 (ARM IHI 0048B),
 * as a board's interrupt controller: its distributor (GICD) and CPU interface (GICC), one
 * core. Interrupt IDs are the GIC's: 16-31 private (PPI; the generic timer's 27 and 30),
 * 32 + n shared peripheral interrupt n. Every line at one priority: nothing preempts
 * anything, which a cooperative kernel wants. */
#ifndef DRIVERS_INTC_GICV2_H
#define DRIVERS_INTC_GICV2_H

#include <stdint.h>

struct gicv2 {
    uintptr_t gicd, gicc;       /* register frames, set by the board */
};

/* Disable every line, then enable the distributor and the CPU interface with all
 * priorities let through (GICC_PMR). Interrupts stay masked at the core. Returns the
 * number of interrupt lines (GICD_TYPER.ITLinesNumber). */
unsigned gicv2_init(struct gicv2 *g);

/* Route interrupt id to isr(ctx) on this core and enable it, level-sensitive (a shared
 * line's GICD_ICFGR as reset, targeting CPU 0). Returns 0, or -EINVAL for an id the
 * distributor does not have (an SGI, or at or above its line count), one at or above 256
 * (the handler table's size), or one already taken. */
int gicv2_irq_attach(struct gicv2 *g, unsigned id, void (*isr)(void *ctx), void *ctx);

/* For the architecture's IRQ vector: acknowledge (GICC_IAR), run the handler, end it
 * (GICC_EOIR); a spurious ID (1020-1023) is ignored. */
void gicv2_dispatch(struct gicv2 *g);

/* Interrupts dispatched and spurious acknowledgements seen since gicv2_init(). */
extern uint32_t gicv2_irqs, gicv2_spurious;

#endif
