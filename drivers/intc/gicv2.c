/* gicv2.c - GICv2 distributor and CPU interface (see gicv2.h). Registers: ARM IHI 0048B,
 * 4.3 (distributor) and 4.4 (CPU interface). */
#include <errno.h>
#include <stdint.h>

#include "intc/gicv2.h"
#include "k.h"

#define D(g, off) (*(volatile uint32_t *)((g)->gicd + (off)))
#define D8(g, off) (*(volatile uint8_t *)((g)->gicd + (off)))
#define C(g, off) (*(volatile uint32_t *)((g)->gicc + (off)))
#define GICD_CTLR       0x000u
#define GICD_TYPER      0x004u
#define GICD_ISENABLER  0x100u
#define GICD_ICENABLER  0x180u
#define GICD_ICPENDR    0x280u
#define GICD_IPRIORITYR 0x400u
#define GICD_ITARGETSR  0x800u
#define GICC_CTLR       0x000u
#define GICC_PMR        0x004u
#define GICC_IAR        0x00Cu
#define GICC_EOIR       0x010u

#define MAX_IDS 256u
#define PRIORITY 0xA0u

static struct { void (*isr)(void *); void *ctx; } handlers[MAX_IDS];
static unsigned lines;
uint32_t gicv2_irqs, gicv2_spurious;

unsigned gicv2_init(struct gicv2 *g)
{
    D(g, GICD_CTLR) = 0;
    lines = 32u * ((D(g, GICD_TYPER) & 0x1Fu) + 1u);
    if (lines > MAX_IDS)
        lines = MAX_IDS;
    for (unsigned i = 0; i < lines / 32u; i++) {
        D(g, GICD_ICENABLER + 4u * i) = 0xFFFFFFFFu;
        D(g, GICD_ICPENDR + 4u * i) = 0xFFFFFFFFu;
    }
    D(g, GICD_CTLR) = 1u;
    C(g, GICC_PMR) = 0xF0u;
    C(g, GICC_CTLR) = 1u;
    return lines;
}

int gicv2_irq_attach(struct gicv2 *g, unsigned id, void (*isr)(void *), void *ctx)
{
    if (id < 16u || id >= lines || !isr || handlers[id].isr)
        return -EINVAL;
    handlers[id].ctx = ctx;
    handlers[id].isr = isr;
    D8(g, GICD_IPRIORITYR + id) = PRIORITY;
    if (id >= 32u)
        D8(g, GICD_ITARGETSR + id) = 1u;          /* CPU 0 (read-only for private lines) */
    __asm__ volatile("dsb sy" : : : "memory");
    D(g, GICD_ISENABLER + 4u * (id / 32u)) = 1u << (id % 32u);
    return 0;
}

void gicv2_dispatch(struct gicv2 *g)
{
    uint32_t iar = C(g, GICC_IAR);
    unsigned id = iar & 0x3FFu;
    if (id >= 1020u) {
        gicv2_spurious++;
        return;
    }
    gicv2_irqs++;
    if (id >= MAX_IDS || !handlers[id].isr)
        k_panic("unexpected interrupt %u", id);
    handlers[id].isr(handlers[id].ctx);
    C(g, GICC_EOIR) = iar;
}
