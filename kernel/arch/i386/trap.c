/* trap.c - i386 IDT and trap dispatch (see i386.h). The entry stubs are in vectors.S. */
#include <stdint.h>

#include "i386.h"
#include "../../k.h"

struct i386_frame {
    uint32_t edi, esi, ebp, esp, ebx, edx, ecx, eax;   /* pushal */
    uint32_t vector, error;
    uint32_t eip, cs, eflags;
};

struct idt_entry {
    uint16_t off_lo, sel;
    uint8_t zero, flags;
    uint16_t off_hi;
} __attribute__((packed));

static struct idt_entry idt[I386_IRQ_VECTOR0 + I386_IRQ_LINES];
extern const uint32_t i386_vectors[I386_IRQ_VECTOR0 + I386_IRQ_LINES];
static void (*irq_entry)(unsigned line);

void i386_idt_init(void (*irq)(unsigned line))
{
    struct { uint16_t limit; uint32_t base; } __attribute__((packed)) desc;
    irq_entry = irq;
    for (unsigned i = 0; i < I386_IRQ_VECTOR0 + I386_IRQ_LINES; i++) {
        idt[i].off_lo = i386_vectors[i] & 0xFFFF;
        idt[i].off_hi = i386_vectors[i] >> 16;
        idt[i].sel = 0x08;                  /* the code segment start.S loads */
        idt[i].zero = 0;
        idt[i].flags = 0x8E;                /* present, ring 0, 32-bit interrupt gate */
    }
    desc.limit = sizeof(idt) - 1;
    desc.base = (uint32_t)idt;
    __asm__ volatile("lidt %0" : : "m"(desc));
}

static const char *const exc_names[32] = {
    "divide error", "debug", "NMI", "breakpoint", "overflow", "bound range", "invalid opcode",
    "device not available", "double fault", "coprocessor overrun", "invalid TSS",
    "segment not present", "stack fault", "general protection fault", "page fault", "?",
    "x87 error", "alignment check", "machine check", "SIMD error",
};

void i386_trap(struct i386_frame *f);
void i386_trap(struct i386_frame *f)
{
    if (f->vector < I386_IRQ_VECTOR0)
        k_panic("CPU exception %u (%s) at eip=0x%08x error=0x%x", (unsigned)f->vector,
                exc_names[f->vector] ? exc_names[f->vector] : "reserved", (unsigned)f->eip,
                (unsigned)f->error);
    if (!irq_entry)
        k_panic("interrupt %u before the board set up its controller",
                (unsigned)(f->vector - I386_IRQ_VECTOR0));
    irq_entry(f->vector - I386_IRQ_VECTOR0);
}
