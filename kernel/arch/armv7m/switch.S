/*
 * void arch_switch(void **save_sp, void *load_sp);     AAPCS: r0, r1
 *
 * Frame on a switched-out stack, low to high (see arch_stack_init):
 *   r4 r5 r6 r7 r8 r9 r10 r11  lr(return address, Thumb bit set)
 * No PendSV, no exception frame: a plain call that returns into another stack.
 */
    .syntax unified
    .thumb
    .text
    .globl arch_switch
    .type arch_switch, %function
    .thumb_func
arch_switch:
    push {r4-r11, lr}
    str sp, [r0]
    mov sp, r1
    pop {r4-r11, pc}
    .size arch_switch, .-arch_switch
