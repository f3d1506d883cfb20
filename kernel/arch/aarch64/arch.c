/* AArch64 arch: stack frames for arch_switch (switch.S), DAIF.I, wfi, the C side of the
 * exception vectors (start.S), semihosting and PSCI. See aarch64.h. */
#include <stdint.h>

#include "aarch64.h"
#include "../../arch.h"
#include "../../board.h"
#include "../../k.h"

void arch_task_trampoline(void);     /* switch.S: x29 = x30 = 0, then br x19 */
void aarch64_start(void);
void aarch64_irq(void);
void aarch64_fault(uint64_t kind, uint64_t esr, uint64_t far, uint64_t elr, uint64_t spsr,
                   uint64_t sp, uint64_t lr);
int app_main_entry(void);

extern char __boot_stack_bottom[], __boot_stack_top[], __heap_start[], __heap_end[];

#define FPCR_INITIAL 0u              /* round to nearest, no traps, no flush-to-zero */

void *arch_stack_init(void *stack_base, size_t size, void (*entry)(void))
{
    uint64_t *sp = (uint64_t *)(((uintptr_t)stack_base + size) & ~(uintptr_t)15);
    sp -= 22;                        /* the 176-byte frame of switch.S */
    for (int i = 0; i < 22; i++)
        sp[i] = 0;
    sp[0] = (uintptr_t)entry;        /* x19: where the trampoline goes */
    sp[11] = (uintptr_t)arch_task_trampoline;   /* x30: where arch_switch returns */
    sp[20] = FPCR_INITIAL;
    return sp;                       /* 16-aligned before and after the pops (AAPCS64 6.4.5.1) */
}

unsigned long arch_irq_save(void)
{
    unsigned long daif;
    __asm__ volatile("mrs %0, daif; msr daifset, #2" : "=r"(daif) : : "memory");
    return daif;
}

void arch_irq_restore(unsigned long state)
{
    __asm__ volatile("msr daif, %0" : : "r"(state) : "memory");
}

/* A pending interrupt ends wfi even while PSTATE.I masks it (D1.16.2); it is taken once
 * the caller unmasks. */
void arch_idle(void) { __asm__ volatile("dsb sy; wfi" : : : "memory"); }

unsigned arch_stack_register(void *base, size_t size) { (void)base; (void)size; return 0; }
void arch_stack_deregister(unsigned handle) { (void)handle; }
void arch_stack_scan_begin(void) {}
void arch_stack_scan_end(void) {}

/* The linker script (linker/qemu-virt-aarch64.ld) places the boot stack and the heap. */
void board_boot_stack(void **base, size_t *size)
{
    *base = __boot_stack_bottom;
    *size = (size_t)(__boot_stack_top - __boot_stack_bottom);
}

void board_heap(char **start, char **end)
{
    *start = __heap_start;
    *end = __heap_end;
}

static void (*irq_dispatch)(void);

void aarch64_irq_handler_set(void (*dispatch)(void)) { irq_dispatch = dispatch; }

void aarch64_irq(void)
{
    if (!irq_dispatch)
        k_panic("interrupt before the interrupt controller was set up");
    irq_dispatch();
}

void aarch64_fault(uint64_t kind, uint64_t esr, uint64_t far, uint64_t elr, uint64_t spsr,
                   uint64_t sp, uint64_t lr)
{
    static const char *const kinds[] = { "synchronous", "IRQ", "FIQ", "SError" };
    k_panic("%s exception (vector %u) at pc=0x%lx lr=0x%lx sp=0x%lx esr=0x%lx (class 0x%x) "
            "far=0x%lx spsr=0x%lx", kinds[kind & 3], (unsigned)kind, (unsigned long)elr,
            (unsigned long)lr, (unsigned long)sp, (unsigned long)esr, (unsigned)(esr >> 26),
            (unsigned long)far, (unsigned long)spsr);
}

void aarch64_start(void)
{
    board_init();
    board_exit(app_main_entry());
}

void aarch64_semihost_exit(int status)
{
    static uint64_t block[2];
    __asm__ volatile("msr daifset, #2");
    block[0] = 0x20026u;             /* ADP_Stopped_ApplicationExit */
    block[1] = (uint64_t)(int64_t)status;
    register uint64_t x0 __asm__("x0") = 0x18;   /* SYS_EXIT */
    register uint64_t *x1 __asm__("x1") = block;
    __asm__ volatile("hlt #0xf000" : : "r"(x0), "r"(x1) : "memory");
    for (;;)
        __asm__ volatile("wfi");
}

uint8_t aarch64_boot_el;             /* start.S: the exception level _start ran at */

/* PSCI's conduit is the call to the level above the kernel's: HVC when the kernel was
 * entered at EL1 (QEMU virt emulates PSCI there), SMC to EL3's firmware when it was entered
 * at EL2 and so owns that level itself (QEMU virt with virtualization=on, TF-A). */
void aarch64_psci_reset(void)
{
    register uint64_t x0 __asm__("x0") = 0x84000009u;
    if (aarch64_boot_el >= 2)
        __asm__ volatile("smc #0" : "+r"(x0) : : "memory");
    else
        __asm__ volatile("hvc #0" : "+r"(x0) : : "memory");
    for (;;)
        __asm__ volatile("wfi");
}
