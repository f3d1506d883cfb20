/*
 * void arch_switch(void **save_sp, void *load_sp);     AAPCS64: x0, x1
 *
 * Frame on a switched-out stack, low to high (see arch_stack_init), 176 bytes:
 *   x19 x20 ... x28  x29 x30  d8 ... d15  fpcr pad
 * The registers the AAPCS64 (6.1.1, 6.1.2) makes callee-saved, x19-x29, the return
 * address in x30, and the low 64 bits of v8-v15; FPCR too, so that each context keeps its
 * own rounding mode (apps/fpu.c checks it). x30 is the address the switch returns to.
 */
    .text
    .globl arch_switch
    .type arch_switch, %function
    .balign 16
arch_switch:
    sub sp, sp, #176
    stp x19, x20, [sp, #0]
    stp x21, x22, [sp, #16]
    stp x23, x24, [sp, #32]
    stp x25, x26, [sp, #48]
    stp x27, x28, [sp, #64]
    stp x29, x30, [sp, #80]
    stp d8, d9, [sp, #96]
    stp d10, d11, [sp, #112]
    stp d12, d13, [sp, #128]
    stp d14, d15, [sp, #144]
    mrs x9, fpcr
    str x9, [sp, #160]
    mov x9, sp
    str x9, [x0]
    mov sp, x1
    ldr x9, [sp, #160]
    msr fpcr, x9
    ldp d14, d15, [sp, #144]
    ldp d12, d13, [sp, #128]
    ldp d10, d11, [sp, #112]
    ldp d8, d9, [sp, #96]
    ldp x29, x30, [sp, #80]
    ldp x27, x28, [sp, #64]
    ldp x25, x26, [sp, #48]
    ldp x23, x24, [sp, #32]
    ldp x21, x22, [sp, #16]
    ldp x19, x20, [sp, #0]
    add sp, sp, #176
    ret
    .size arch_switch, .-arch_switch

/*
 * A new task's first switch returns here (arch_stack_init), with its entry in x19: enter it
 * with x29 = x30 = 0, so a debugger's backtrace ends at the task's outermost frame.
 */
    .globl arch_task_trampoline
    .type arch_task_trampoline, %function
arch_task_trampoline:
    mov x29, xzr
    mov x30, xzr
    br x19
    .size arch_task_trampoline, .-arch_task_trampoline
