/*
 * void arch_switch(void **save_sp, void *load_sp);     cdecl: both on the stack
 *
 * Frame on a switched-out stack, low to high (see arch_stack_init):
 *   edi esi ebx ebp  return-address
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
    movl %esp, (%eax)
    movl %edx, %esp
    popl %edi
    popl %esi
    popl %ebx
    popl %ebp
    ret
    .size arch_switch, .-arch_switch
    .section .note.GNU-stack,"",@progbits
