/*
 * start.S - AArch64 entry, the MMU's identity map and the exception vectors (aarch64.h).
 */
#define SCTLR_M (1 << 0)
#define SCTLR_A (1 << 1)
#define SCTLR_C (1 << 2)
#define SCTLR_I (1 << 12)
#define SCTLR_WXN (1 << 19)
/* MAIR_EL1 (D17.2.97): attribute 0 Device-nGnRnE, attribute 1 Normal, write-back
 * read/write-allocate, inner and outer */
#define MAIR_VALUE 0xFF00
/* TCR_EL1 (D17.2.131): T0SZ 32 (a 4 GiB space, walks start at level 1), inner/outer
 * write-back walks, inner shareable, 4 KiB granule, no TTBR1 walks (EPD1), 32-bit PA */
#define TCR_VALUE ((32 << 0) | (1 << 8) | (1 << 10) | (3 << 12) | (1 << 23))
/* level 1 block descriptors (D8.3.1): valid block, AttrIndx, SH, AF, PXN/UXN */
#define BLOCK_DEVICE (0x1 | (0 << 2) | (1 << 10) | (1 << 53) | (1 << 54))
#define BLOCK_NORMAL (0x1 | (1 << 2) | (3 << 8) | (1 << 10))

    .section .text.boot, "ax"
    .globl _start
    .type _start, %function
_start:
    mrs x19, CurrentEL                  /* kept in x19 until .bss is cleared: see below */
    lsr x19, x19, #2
    cmp x19, #2
    b.ne 1f
    /* EL2 (a firmware's hand-over): EL1 in AArch64, the timer's counter readable there,
     * no virtual offset; enter EL1 with SP_EL1 and everything masked */
    mov x0, #(1 << 31)
    msr hcr_el2, x0
    mov x0, #3
    msr cnthctl_el2, x0
    msr cntvoff_el2, xzr
    mov x0, #0x3c5
    msr spsr_el2, x0
    adr x0, 1f
    msr elr_el2, x0
    eret
1:  msr daifset, #0xf
    ldr x0, =__exc_stack_top
    mov sp, x0                          /* SPSel is 1 here: this is SP_EL1 */
    mov x0, #(3 << 20)                  /* CPACR_EL1.FPEN: FP/SIMD at EL1 and EL0 */
    msr cpacr_el1, x0
    ldr x0, =aarch64_vectors
    msr vbar_el1, x0
    isb

    /* the MMU: identity map, caches on */
    ldr x0, =MAIR_VALUE
    msr mair_el1, x0
    ldr x0, =TCR_VALUE
    msr tcr_el1, x0
    adrp x0, aarch64_l1_table
    msr ttbr0_el1, x0
    isb
    tlbi vmalle1
    dsb nsh
    isb
    mrs x0, sctlr_el1
    orr x0, x0, #SCTLR_M
    orr x0, x0, #SCTLR_C
    orr x0, x0, #SCTLR_I
    bic x0, x0, #SCTLR_A
    bic x0, x0, #SCTLR_WXN
    msr sctlr_el1, x0
    isb

    ldr x0, =__bss_start
    ldr x1, =__bss_end
2:  cmp x0, x1
    b.hs 3f
    str xzr, [x0], #8
    b 2b
3:  adrp x0, aarch64_boot_el           /* the level we were entered at: PSCI's conduit */
    strb w19, [x0, :lo12:aarch64_boot_el]
    msr spsel, #0                       /* tasks run on SP_EL0, starting with the boot stack */
    ldr x0, =__boot_stack_top
    mov sp, x0
    mov x29, xzr
    mov x30, xzr
    bl aarch64_start
4:  wfi
    b 4b
    .size _start, .-_start
    .ltorg

    .section .data.pagetable, "aw"
    .balign 4096
    .globl aarch64_l1_table
aarch64_l1_table:
    .quad 0x00000000 | BLOCK_DEVICE      /* 0-1 GiB: flash, GIC, UART, RTC, virtio-mmio, PCIe */
    .quad 0x40000000 | BLOCK_NORMAL      /* 1-2 GiB: RAM */
    .quad 0
    .quad 0

/*
 * Exception vectors (D1.10.2): 16 entries of 128 bytes. Tasks run in EL1t, so the first
 * group (current EL with SP_EL0) is the one in use: IRQs go to the board's dispatch, a
 * synchronous exception is a fault. Anything else is unexpected: reported, then a panic.
 */
    .macro ventry target, kind
    .balign 0x80
    mov x18, #\kind                     /* x18: the kind, for a fault report only */
    b \target
    .endm

    .section .text.vectors, "ax"
    .balign 0x800
    .globl aarch64_vectors
aarch64_vectors:
    ventry fault_entry, 0               /* current EL, SP_EL0: synchronous */
    .balign 0x80
    b irq_entry                         /* current EL, SP_EL0: IRQ */
    ventry fault_entry, 2               /* FIQ */
    ventry fault_entry, 3               /* SError */
    ventry fault_entry, 4               /* current EL, SP_ELx: synchronous (in a handler) */
    ventry fault_entry, 5
    ventry fault_entry, 6
    ventry fault_entry, 7
    ventry fault_entry, 8               /* lower EL, AArch64 */
    ventry fault_entry, 9
    ventry fault_entry, 10
    ventry fault_entry, 11
    ventry fault_entry, 12              /* lower EL, AArch32 */
    ventry fault_entry, 13
    ventry fault_entry, 14
    ventry fault_entry, 15

/*
 * An IRQ: on SP_EL1, save what the AAPCS64 lets the handler clobber and the return state,
 * run the dispatch, restore and return. Clobberable: x0-x18 and x30, FPSR and FPCR, and
 * all 32 SIMD registers whole. v8-v15 too: AAPCS64 6.1.2 makes only their low 64 bits
 * (d8-d15) callee-saved, so a C handler that uses them (GCC vectorizes copies and
 * loops) restores only d8-d15, which zeroes the upper halves of the interrupted task's
 * q8-q15. `archtest` checks it (irqtest.c). 704 bytes of the exception stack; q8-q15 cost
 * 8 instructions an interrupt (4 STP, 4 LDP of 128 bytes: 68 in the entry and exit, 60
 * before).
 */
    .text
irq_entry:
    sub sp, sp, #704
    stp x0, x1, [sp, #0]
    stp x2, x3, [sp, #16]
    stp x4, x5, [sp, #32]
    stp x6, x7, [sp, #48]
    stp x8, x9, [sp, #64]
    stp x10, x11, [sp, #80]
    stp x12, x13, [sp, #96]
    stp x14, x15, [sp, #112]
    stp x16, x17, [sp, #128]
    stp x18, x30, [sp, #144]
    mrs x0, elr_el1
    mrs x1, spsr_el1
    stp x0, x1, [sp, #160]
    mrs x0, fpsr
    mrs x1, fpcr
    stp x0, x1, [sp, #176]
    stp q0, q1, [sp, #192]
    stp q2, q3, [sp, #224]
    stp q4, q5, [sp, #256]
    stp q6, q7, [sp, #288]
    stp q8, q9, [sp, #320]
    stp q10, q11, [sp, #352]
    stp q12, q13, [sp, #384]
    stp q14, q15, [sp, #416]
    stp q16, q17, [sp, #448]
    stp q18, q19, [sp, #480]
    stp q20, q21, [sp, #512]
    stp q22, q23, [sp, #544]
    stp q24, q25, [sp, #576]
    stp q26, q27, [sp, #608]
    stp q28, q29, [sp, #640]
    stp q30, q31, [sp, #672]
    bl aarch64_irq
    ldp q30, q31, [sp, #672]
    ldp q28, q29, [sp, #640]
    ldp q26, q27, [sp, #608]
    ldp q24, q25, [sp, #576]
    ldp q22, q23, [sp, #544]
    ldp q20, q21, [sp, #512]
    ldp q18, q19, [sp, #480]
    ldp q16, q17, [sp, #448]
    ldp q14, q15, [sp, #416]
    ldp q12, q13, [sp, #384]
    ldp q10, q11, [sp, #352]
    ldp q8, q9, [sp, #320]
    ldp q6, q7, [sp, #288]
    ldp q4, q5, [sp, #256]
    ldp q2, q3, [sp, #224]
    ldp q0, q1, [sp, #192]
    ldp x0, x1, [sp, #176]
    msr fpsr, x0
    msr fpcr, x1
    ldp x0, x1, [sp, #160]
    msr elr_el1, x0
    msr spsr_el1, x1
    ldp x18, x30, [sp, #144]
    ldp x16, x17, [sp, #128]
    ldp x14, x15, [sp, #112]
    ldp x12, x13, [sp, #96]
    ldp x10, x11, [sp, #80]
    ldp x8, x9, [sp, #64]
    ldp x6, x7, [sp, #48]
    ldp x4, x5, [sp, #32]
    ldp x2, x3, [sp, #16]
    ldp x0, x1, [sp, #0]
    add sp, sp, #704
    eret

/* A fault: x0 = kind, x1 = ESR, x2 = FAR, x3 = ELR, x4 = SPSR, x5 = SP_EL0, x6 = x30;
 * aarch64_fault() reports and stops. (x18 was clobbered for the kind; the platform
 * register is not otherwise used.) */
fault_entry:
    mov x6, x30
    mov x0, x18
    mrs x1, esr_el1
    mrs x2, far_el1
    mrs x3, elr_el1
    mrs x4, spsr_el1
    mrs x5, sp_el0
    ldr x7, =__exc_stack_top             /* a fresh exception stack: the old may be the fault */
    mov sp, x7
    bl aarch64_fault
5:  wfi
    b 5b
