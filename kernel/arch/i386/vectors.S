/*
 * vectors.S - i386 interrupt entry stubs, vectors 0..47 (see i386.h). Each pushes an
 * error code (0 where the CPU pushes none) and its vector, then i386_trap(struct
 * i386_frame *) runs on the interrupted stack.
 */
    .text
.macro STUB n
    .globl i386_vec\n
i386_vec\n:
    .if (\n == 8) || (\n >= 10 && \n <= 14) || (\n == 17)
    .else
    pushl $0
    .endif
    pushl $\n
    jmp i386_trap_common
.endm

    .altmacro
    .set i, 0
    .rept 48
    STUB %i
    .set i, i + 1
    .endr

i386_trap_common:
    pushal
    cld
    movl %esp, %eax
    pushl %eax
    call i386_trap
    addl $4, %esp
    popal
    addl $8, %esp                       /* vector and error code */
    iret

    .section .rodata
    .align 4
    .globl i386_vectors
i386_vectors:
.macro VEC n
    .long i386_vec\n
.endm
    .set i, 0
    .rept 48
    VEC %i
    .set i, i + 1
    .endr

    .section .note.GNU-stack,"",@progbits
