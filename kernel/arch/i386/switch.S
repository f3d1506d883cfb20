/*
 * void arch_switch(void **save_sp, void *load_sp);     cdecl: both on the stack
 *
 * Frame on a switched-out stack, low to high (see arch_stack_init):
 *   x87-control-word edi esi ebx ebp  return-address
 * The x87 control word (rounding, precision) is callee-saved in the i386 System V ABI
 * (3.2.3, "the control bits of the x87 control word"), so each context keeps its own; the
 * FP data registers are caller-saved and the x87 stack is empty at a call. No SSE state:
 * the kernel is built for i686 and uses none.
 */
    .text
    .globl arch_switch
    .type arch_switch, @function
arch_switch:
    movl 4(%esp), %eax
    movl 8(%esp), %edx
    pushl %ebp
    pushl %ebx
    pushl %esi
    pushl %edi
    subl $4, %esp
    fnstcw (%esp)
    movl %esp, (%eax)
    movl %edx, %esp
    fldcw (%esp)
    addl $4, %esp
    popl %edi
    popl %esi
    popl %ebx
    popl %ebp
    ret
    .size arch_switch, .-arch_switch
    .section .note.GNU-stack,"",@progbits
