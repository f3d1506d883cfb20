/*
 * void arch_switch(void **save_sp, void *load_sp);     AAPCS: r0, r1
 *
 * Frame on a switched-out stack, low to high (see arch_stack_init):
 *   without an FPU:        r4 r5 r6 r7 r8 r9 r10 r11 lr
 *   with one (__ARM_FP):   cpacr [fpscr s16..s31 if cpacr != 0] r4 ... r11 lr
 * lr is the return address (Thumb bit set). No PendSV, no exception frame: a plain call
 * that returns into another stack.
 *
 * FPU: a context that never used it runs with it off (CPACR CP10/CP11 = 0) and costs no FP
 * work here. Its first FP instruction faults once (NOCP) and turns it on (start.c); from
 * then on the switch saves what the AAPCS makes callee-saved, s16-s31, and FPSCR (rounding
 * mode and flags are per context), and restores them for that context only. The word at
 * the bottom of the frame is the context's CPACR, so the FPU is on exactly while an FP
 * context runs: written when a switch crosses between an FP and a non-FP context, and
 * then also CONTROL.FPCA cleared, so that interrupts taken in a non-FP context push the
 * basic frame, not the FP one. Between two non-FP contexts the switch costs 7 instructions
 * more than on a core without an FPU; between two FP contexts 12 (docs/design.md).
 */
    .syntax unified
    .thumb
    .text
    .globl arch_switch
    .type arch_switch, %function
    .thumb_func
arch_switch:
    push {r4-r11, lr}
#if defined(__ARM_FP)
    ldr r2, =0xE000ED88                 /* CPACR */
    ldr r3, [r2]
    ands r3, r3, #0x00F00000
    bne 4f                              /* the outgoing context uses the FPU */
    push {r3}                           /* cpacr = 0: no FP state */
    str sp, [r0]
    mov sp, r1
    pop {r3}
    cbnz r3, 6f                         /* the incoming one does: on, and restore */
    pop {r4-r11, pc}                    /* neither: the FPU stays off, nothing to do */
4:  vpush {s16-s31}
    vmrs r12, fpscr
    push {r3, r12}                      /* cpacr lowest, then fpscr */
    str sp, [r0]
    mov sp, r1
    pop {r3}
    cbnz r3, 5f                         /* FP to FP: the FPU is already on */
    str r3, [r2]                        /* FP to non-FP: off, and CONTROL.FPCA = 0 */
    mrs r12, control
    bic r12, r12, #4
    msr control, r12
    pop {r4-r11, pc}
6:  str r3, [r2]                        /* non-FP to FP: on before the next FP instruction */
    dsb
    isb
5:  pop {r12}
    vmsr fpscr, r12
    vpop {s16-s31}
    pop {r4-r11, pc}
    .ltorg
#else
    str sp, [r0]
    mov sp, r1
    pop {r4-r11, pc}
#endif
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
