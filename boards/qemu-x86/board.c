/*
 * board.c - QEMU pc (i386): its wiring. The devices are in drivers/, the IDT and traps in
 * kernel/arch/i386/, the multiboot entry in start.S.
 *   interrupts  8259A PICs, lines on vectors 32-47
 *   clock       HPET at 0xFED00000, one-shot timer 0 on line 0 (tickless); 8254 PIT at
 *               100 Hz on line 0 without an HPET
 *   console     COM1, a 16550 at 0x3F8 on line 4
 *   RTC         CMOS MC146818
 *   NIC         e1000, found on PCI
 *   exit        isa-debug-exit at 0xF4; reset through the keyboard controller
 */
#include <stdbool.h>
#include <stdint.h>

#include "arch.h"
#include "arch/i386/i386.h"
#include "board.h"
#include "intc/i8259.h"
#include "k.h"
#include "net/wiring.h"
#include "portio.h"
#include "rtc/mc146818.h"
#include "timer/hpet.h"
#include "timer/i8254.h"
#include "uart/ns16550.h"

const char board_name[] = BOARD_NAME;

/* The e1000 is found on PCI, with the BAR and interrupt line the firmware gave it. */
const struct netdrv_wiring board_netdrv = { .base = 0, .irq = 0 };
const unsigned board_clock_resolution_ms = 1;

/* --- console: COM1, a 16550 (drivers/uart/ns16550.c) on IRQ 4 ------------------------ */
static struct ns16550 com1 = { .port = 0x3F8 };

void board_console_putc(char c) { ns16550_putc(&com1, c); }
int board_console_getc(void) { return ns16550_getc(&com1); }
uint32_t board_console_overruns(void) { return com1.rx.overruns; }

/* --- time: the HPET where there is one (tickless), else the PIT at 100 Hz --------------
 * Both raise line 0 (the HPET by legacy replacement). Without an HPET (QEMU's
 * -machine hpet=off) wake-ups come on the PIT's 10 ms grid. */
#define HPET_BASE 0xFED00000u       /* where PC firmware (and QEMU) put it */
#define PIT_TICK_HZ 100u
static bool have_hpet;
static uint64_t last_us;

static void timer_isr(void *ctx)
{
    (void)ctx;
    if (have_hpet)
        hpet_fired();
    else
        i8254_tick();
    k_isr_event();                      /* timers: no hook to run */
}

uint64_t board_uptime_us(void)
{
    unsigned long s = arch_irq_save();
    uint64_t us = have_hpet ? hpet_uptime_us() : i8254_uptime_us(i8259_pending(0));
    if (us < last_us)
        us = last_us;
    last_us = us;
    arch_irq_restore(s);
    return us;
}

uint64_t board_uptime_ms(void) { return board_uptime_us() / 1000u; }

static void com1_isr(void *ctx)
{
    ns16550_rx_isr(ctx);
    k_isr_signal(k_console_hook());
}

int board_irq_attach(unsigned irq, void (*isr)(void *), void *ctx)
{
    return i8259_attach(irq, isr, ctx);
}

/* --- board contract ---------------------------------------------------------------- */

bool board_timer_arm(uint64_t deadline_ms)
{
    return have_hpet ? hpet_arm(deadline_ms) : true;   /* PIT: it ticks every 10 ms anyway */
}

int board_idle(uint64_t deadline_ms)
{
    if (!board_timer_arm(deadline_ms))
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

/* The CMOS clock (drivers/rtc/mc146818.c), which QEMU sets from the host. */
int64_t board_rtc_seconds(void) { return mc146818_seconds(); }

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
    i386_idt_init(i8259_dispatch);
    i8259_init();
    have_hpet = hpet_init(HPET_BASE);
    if (!have_hpet)
        i8254_init(PIT_TICK_HZ);
    if (i8259_attach(0, timer_isr, NULL) != 0 || i8259_attach(4, com1_isr, &com1) != 0)
        k_panic("board: interrupt lines taken");
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
