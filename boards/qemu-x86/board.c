/*
 * board.c - QEMU pc (i386): IDT, 8259A PICs, HPET one-shot timer (tickless; 8254 PIT at
 * 100 Hz without an HPET), COM1 16550 console with
 * a receive interrupt, isa-debug-exit for the exit status, keyboard-controller reset.
 * Interrupt handlers acknowledge the device, record the event, and return.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "arch.h"

#include "board.h"
#include "k.h"
#include "net/wiring.h"
#include "portio.h"
#include "uart/ns16550.h"

const char board_name[] = "qemu-x86";

/* The e1000 is found on PCI, with the BAR and interrupt line the firmware gave it. */
const struct netdrv_wiring board_netdrv = { .base = 0, .irq = 0 };
const unsigned board_clock_resolution_ms = 1;

/* --- console: COM1, a 16550 (drivers/uart/ns16550.c) on IRQ 4 ------------------------ */
static struct ns16550 com1 = { .port = 0x3F8 };

void board_console_putc(char c) { ns16550_putc(&com1, c); }
int board_console_getc(void) { return ns16550_getc(&com1); }
uint32_t board_console_overruns(void) { return com1.rx.overruns; }

/* --- 8259A PICs, HPET and 8254 PIT ----------------------------------------------------
 * Tickless: the clock is the HPET's 64-bit main counter (IA-PC HPET Specification 1.0a,
 * 2.3), and the poll loop's next deadline is programmed into its timer 0 as a one-shot
 * comparator, routed to IRQ0 by the legacy replacement option (2.3.9.2.2). An idle guest
 * is woken only by its devices or its own next deadline. Without an HPET (a machine that
 * has none, or QEMU's -machine hpet=off) the 8254 PIT ticks at 100 Hz as before: wake-ups
 * then come on a 10 ms grid. */
#define PIC1 0x20
#define PIC2 0xA0
#define PIT_HZ 1193182u
#define TICK_HZ 100u
#define PIT_DIVISOR ((PIT_HZ + TICK_HZ / 2) / TICK_HZ)   /* 11932: 99.998 Hz */

#define HPET_BASE 0xFED00000u       /* where PC firmware (and QEMU) put it */
#define HPET_REG(off) (*(volatile uint32_t *)(uintptr_t)(HPET_BASE + (off)))
#define HPET_GCAP_LO 0x000          /* bits 15: LEG_RT_CAP */
#define HPET_GCAP_HI 0x004          /* COUNTER_CLK_PERIOD, femtoseconds */
#define HPET_GCONF   0x010          /* bit 0 ENABLE_CNF, bit 1 LEG_RT_CNF */
#define HPET_COUNT_LO 0x0F0
#define HPET_COUNT_HI 0x0F4
#define HPET_T0_CONF 0x100          /* bit 2 Tn_INT_ENB_CNF; one-shot, edge */
#define HPET_T0_CMP_LO 0x108
#define HPET_T0_CMP_HI 0x10C

static volatile uint64_t ticks;     /* PIT fallback only */
static uint64_t last_ms;
static uint32_t hpet_per_ms;        /* counter ticks per ms; 0: no HPET, the PIT ticks */
static uint64_t hpet_armed;         /* comparator value programmed, 0 if none */

static void pic_init(void)
{
    outb(PIC1, 0x11); outb(PIC2, 0x11);     /* ICW1: edge, cascade, ICW4 */
    outb(PIC1 + 1, 0x20); outb(PIC2 + 1, 0x28); /* ICW2: vectors 32..47 */
    outb(PIC1 + 1, 0x04); outb(PIC2 + 1, 0x02); /* ICW3: slave on IRQ2 */
    outb(PIC1 + 1, 0x01); outb(PIC2 + 1, 0x01); /* ICW4: 8086 mode */
    outb(PIC1 + 1, (uint8_t)~((1u << 0) | (1u << 2) | (1u << 4))); /* PIT, cascade, COM1 */
    outb(PIC2 + 1, 0xFF);
}

static void pit_init(void)
{
    outb(0x43, 0x34);                       /* channel 0, lo/hi byte, mode 2 (rate) */
    outb(0x40, PIT_DIVISOR & 0xFF);
    outb(0x40, PIT_DIVISOR >> 8);
}

/* The HPET's main counter, read as two halves (the high one twice, 2.3.4: a 32-bit CPU). */
static uint64_t hpet_count(void)
{
    uint32_t hi, lo;
    do {
        hi = HPET_REG(HPET_COUNT_HI);
        lo = HPET_REG(HPET_COUNT_LO);
    } while (hi != HPET_REG(HPET_COUNT_HI));
    return (uint64_t)hi << 32 | lo;
}

static bool hpet_init(void)
{
    uint32_t period_fs = HPET_REG(HPET_GCAP_HI);
    /* 2.3.4: the period is at most 100 ns (10^8 fs); all ones: nothing is there */
    if (period_fs == 0 || period_fs > 100000000u || !(HPET_REG(HPET_GCAP_LO) & (1u << 15)))
        return false;
    hpet_per_ms = (uint32_t)(1000000000000ull / period_fs);
    HPET_REG(HPET_T0_CONF) = 0;                       /* timer 0 off until a deadline */
    HPET_REG(HPET_GCONF) = 3u;                        /* counting, legacy replacement */
    return true;
}

/* Ticks plus the part of the current period the PIT has counted down (8254 counter latch).
 * A period that ended while interrupts were off shows as IRQ0 pending in the PIC's IRR
 * with a counter already reloaded: count it as elapsed. Never goes backwards. */
static uint64_t pit_uptime_ms(void)
{
    uint64_t t = ticks, pit;
    uint16_t count;
    uint8_t irr;

    outb(0x43, 0x00);                       /* latch channel 0 */
    count = inb(0x40);
    count |= (uint16_t)(inb(0x40) << 8);
    outb(PIC1, 0x0A);                       /* OCW3: read IRR */
    irr = inb(PIC1);
    if ((irr & 1) && count > PIT_DIVISOR / 2)
        t++;
    pit = t * PIT_DIVISOR + (PIT_DIVISOR - count);
    return pit * 1000u / PIT_HZ;
}

uint64_t board_uptime_ms(void)
{
    unsigned long s = arch_irq_save();
    uint64_t ms = hpet_per_ms ? hpet_count() / hpet_per_ms : pit_uptime_ms();
    if (ms < last_ms)
        ms = last_ms;
    last_ms = ms;
    arch_irq_restore(s);
    return ms;
}

/* --- IDT and traps ----------------------------------------------------------------- */
struct x86_frame {
    uint32_t edi, esi, ebp, esp, ebx, edx, ecx, eax;   /* pushal */
    uint32_t vector, error;
    uint32_t eip, cs, eflags;
};

struct idt_entry {
    uint16_t off_lo, sel;
    uint8_t zero, flags;
    uint16_t off_hi;
} __attribute__((packed));

static struct idt_entry idt[48];
extern const uint32_t x86_vectors[48];

static void idt_init(void)
{
    struct { uint16_t limit; uint32_t base; } __attribute__((packed)) desc;
    for (int i = 0; i < 48; i++) {
        idt[i].off_lo = x86_vectors[i] & 0xFFFF;
        idt[i].off_hi = x86_vectors[i] >> 16;
        idt[i].sel = 0x08;
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

static struct { void (*isr)(void *); void *ctx; } irq_handlers[16];

int board_irq_attach(unsigned irq, void (*isr)(void *), void *ctx)
{
    unsigned long s;
    if (irq >= 16 || irq == 0 || irq == 2 || irq == 4 || irq_handlers[irq].isr)
        return -EINVAL;
    s = arch_irq_save();
    irq_handlers[irq].isr = isr;
    irq_handlers[irq].ctx = ctx;
    if (irq < 8)
        outb(PIC1 + 1, inb(PIC1 + 1) & (uint8_t)~(1u << irq));
    else
        outb(PIC2 + 1, inb(PIC2 + 1) & (uint8_t)~(1u << (irq - 8)));
    arch_irq_restore(s);
    return 0;
}

void x86_trap(struct x86_frame *f);
void x86_trap(struct x86_frame *f)
{
    if (f->vector < 32)
        k_panic("CPU exception %u (%s) at eip=0x%08x error=0x%x", (unsigned)f->vector,
                exc_names[f->vector] ? exc_names[f->vector] : "reserved", (unsigned)f->eip,
                (unsigned)f->error);
    unsigned irq = f->vector - 32;
    if (irq == 7 || irq == 15) {
        /* Spurious interrupt: no EOI if the in-service bit is clear. */
        uint16_t pic = irq == 7 ? PIC1 : PIC2;
        outb(pic, 0x0B);
        if (!(inb(pic) & 0x80)) {
            if (irq == 15)
                outb(PIC1, 0x20);
            return;
        }
    }
    if (irq == 0) {
        if (!hpet_per_ms)
            ticks++;
        hpet_armed = 0;                     /* a one-shot: it fired */
        k_isr_event();                      /* timers: no hook to run */
    } else if (irq == 4) {
        ns16550_rx_isr(&com1);
        k_isr_signal(k_console_hook());
    } else if (irq_handlers[irq].isr) {
        irq_handlers[irq].isr(irq_handlers[irq].ctx);   /* signals its own hook */
    } else {
        k_isr_event();
    }
    if (irq >= 8)
        outb(PIC2, 0x20);
    outb(PIC1, 0x20);
}

/* --- board contract ---------------------------------------------------------------- */

/* Arm HPET timer 0 for deadline_ms (interrupts are off). Returns false if the deadline
 * has already passed: the caller must not halt. */
static bool hpet_arm(uint64_t deadline_ms)
{
    uint64_t cmp;
    if (deadline_ms == UINT64_MAX) {
        HPET_REG(HPET_T0_CONF) = 0;         /* nothing to wake for but the devices */
        hpet_armed = 0;
        return true;
    }
    cmp = deadline_ms * hpet_per_ms;
    if (cmp != hpet_armed) {
        HPET_REG(HPET_T0_CONF) = 0;
        HPET_REG(HPET_T0_CMP_LO) = (uint32_t)cmp;
        HPET_REG(HPET_T0_CMP_HI) = (uint32_t)(cmp >> 32);
        HPET_REG(HPET_T0_CONF) = 1u << 2;   /* interrupt enabled, one-shot, edge */
        hpet_armed = cmp;
    }
    /* the comparator matches only when the counter reaches it: if the counter is already
     * there, no interrupt will come (2.3.9.2.2) */
    return hpet_count() < cmp;
}

int board_idle(uint64_t deadline_ms)
{
    if (hpet_per_ms && !hpet_arm(deadline_ms))
        return 0;                           /* already due: the poll loop runs again */
    arch_idle();                            /* PIT: the next tick (10 ms at most) wakes us */
    return 0;
}

void board_exit(int status)
{
    arch_irq_save();
    outl(0xF4, (uint32_t)status);           /* isa-debug-exit: QEMU exits (status << 1) | 1 */
    for (;;)
        __asm__ volatile("cli; hlt");
}

void board_reboot(void)
{
    arch_irq_save();
    while (inb(0x64) & 0x02)
        ;
    outb(0x64, 0xFE);                       /* keyboard controller: pulse the reset line */
    for (;;)
        __asm__ volatile("hlt");
}

extern char __boot_stack_bottom[], __boot_stack_top[], __heap_start[], __heap_end[];
static char *heap_end;          /* end of RAM, from the multiboot information */

void board_boot_stack(void **base, size_t *size)
{
    *base = __boot_stack_bottom;
    *size = (size_t)(__boot_stack_top - __boot_stack_bottom);
}

/* --- CMOS real-time clock (MC146818: registers 0x00-0x09 through ports 0x70/0x71) -------
 * QEMU sets it from the host (-rtc base=utc, the default). Read twice until equal, so that
 * an update in between is not half seen; BCD unless status register B bit 2 says binary. */
static uint8_t cmos(uint8_t reg)
{
    outb(0x70, reg);
    return inb(0x71);
}

static int64_t days_from_civil(int y, unsigned m, unsigned d)
{
    /* days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm) */
    y -= m <= 2;
    const int era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = (unsigned)(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return (int64_t)era * 146097 + (int64_t)doe - 719468;
}

int64_t board_rtc_seconds(void)
{
    uint8_t r[7], again[7], b;
    int tries = 0;
    do {
        while ((cmos(0x0A) & 0x80) && ++tries < 100000)
            ;                              /* update in progress */
        const uint8_t regs[7] = { 0x00, 0x02, 0x04, 0x07, 0x08, 0x09, 0x32 };
        for (int i = 0; i < 7; i++)
            r[i] = cmos(regs[i]);
        for (int i = 0; i < 7; i++)
            again[i] = cmos(regs[i]);
    } while (memcmp(r, again, sizeof(r)) != 0 && ++tries < 100000);
    b = cmos(0x0B);
    if (!(b & 0x04))
        for (int i = 0; i < 7; i++)
            r[i] = (uint8_t)((r[i] & 0x0F) + (r[i] >> 4) * 10);
    unsigned hour = r[2];
    if (!(b & 0x02) && (hour & 0x80))     /* 12-hour mode, PM */
        hour = (hour & 0x7F) % 12 + 12;
    int year = (r[6] ? r[6] : 20) * 100 + r[5];
    if (r[3] < 1 || r[3] > 31 || r[4] < 1 || r[4] > 12 || year < 2000)
        return -1;                         /* no RTC, or nonsense */
    return days_from_civil(year, r[4], r[3]) * 86400 + hour * 3600 + r[1] * 60 + r[0];
}

uint32_t board_cycles(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return lo ^ hi;
}

/* RDRAND (CPUID.01H:ECX bit 30); QEMU's default CPU model has none, `-cpu max` does. */
int board_hw_random(uint32_t *out)
{
    uint32_t a = 1, b, c, d;
    __asm__ volatile("cpuid" : "+a"(a), "=b"(b), "=c"(c), "=d"(d));
    if (!(c & (1u << 30)))
        return -1;
    for (int i = 0; i < 10; i++) {
        uint8_t ok;
        __asm__ volatile("rdrand %0; setc %1" : "=r"(a), "=qm"(ok));
        if (ok) {
            *out = a;
            return 0;
        }
    }
    return -1;
}

void board_heap(char **start, char **end)
{
    *start = __heap_start;
    *end = heap_end ? heap_end : __heap_end;
}

void board_init(void)
{
    ns16550_init(&com1);
    idt_init();
    pic_init();
    if (!hpet_init())
        pit_init();
    __asm__ volatile("sti");
}

int app_main_entry(void);
/* Multiboot 0.6.96, section 3.3: with flags bit 0, mem_upper is the KiB of RAM from 1 MiB
 * up to the first hole. The heap runs from the end of the image to there. The information
 * structure itself may lie in that range (QEMU puts it after the image): it is read here,
 * before the first malloc(). */
#define MULTIBOOT_BOOTLOADER_MAGIC 0x2BADB002u
struct multiboot_info { uint32_t flags, mem_lower, mem_upper; };

void x86_main(uint32_t magic, const struct multiboot_info *mbi);
void x86_main(uint32_t magic, const struct multiboot_info *mbi)
{
    if (magic == MULTIBOOT_BOOTLOADER_MAGIC && (mbi->flags & 1)) {
        uint64_t top = 0x100000ull + (uint64_t)mbi->mem_upper * 1024u;
        if (top > 0xFFFFF000ull)
            top = 0xFFFFF000ull;
        if (top > (uintptr_t)__heap_end)
            heap_end = (char *)(uintptr_t)(top & ~0xFFFull);
    }
    board_init();
    board_exit(app_main_entry());
}
