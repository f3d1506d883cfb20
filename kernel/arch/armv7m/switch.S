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

/*
 * A new task's first switch "returns" here (arch_stack_init), with its entry in r4: enter it
 * with lr = 0, so the task's outermost frame has no caller and a debugger's backtrace ends
 * there instead of running into whatever lr held.
 */
    .globl arch_task_trampoline
    .type arch_task_trampoline, %function
    .thumb_func
arch_task_trampoline:
    movs r0, #0
    mov lr, r0
    bx r4
    .size arch_task_trampoline, .-arch_task_trampoline
