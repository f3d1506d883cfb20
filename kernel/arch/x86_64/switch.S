/*
 * void arch_switch(void **save_sp, void *load_sp);     System V AMD64: rdi, rsi
 *
 * Frame on a switched-out stack, low to high (struct layout for arch_stack_init):
 *   r15 r14 r13 r12 rbx rbp  return-address
 */
    .text
    .globl arch_switch
    .type arch_switch, @function
arch_switch:
    pushq %rbp
    pushq %rbx
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    movq %rsp, (%rdi)
    movq %rsi, %rsp
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %rbx
    popq %rbp
    ret
    .size arch_switch, .-arch_switch
    .section .note.GNU-stack,"",@progbits
