/*
 * start.S - multiboot entry for QEMU pc (i386). (The interrupt stubs: kernel/arch/i386/.)
 * QEMU's -kernel loads this ELF at 1 MiB and jumps to _start in 32-bit protected mode,
 * paging off, interrupts off, with a GDT we may not rely on: we load our own.
 */
    .set MB_MAGIC, 0x1BADB002
    .set MB_FLAGS, 0x00000003           /* page-align modules, give memory info */

    .section .multiboot, "a"
    .align 4
    .long MB_MAGIC, MB_FLAGS, -(MB_MAGIC + MB_FLAGS)

    .section .rodata
    .align 8
gdt:
    .quad 0                             /* null */
    .quad 0x00CF9A000000FFFF            /* 0x08: code, base 0, 4 GiB, 32-bit, ring 0 */
    .quad 0x00CF92000000FFFF            /* 0x10: data, base 0, 4 GiB, ring 0 */
gdt_end:
gdt_desc:
    .word gdt_end - gdt - 1
    .long gdt

    .text
    .globl _start
    .type _start, @function
_start:
    cli
    movl %eax, %esi                     /* multiboot magic; %ebx: its information */
    lgdt gdt_desc
    ljmp $0x08, $1f
1:  movw $0x10, %ax
    movw %ax, %ds
    movw %ax, %es
    movw %ax, %fs
    movw %ax, %gs
    movw %ax, %ss
    movl $__boot_stack_top, %esp
    pushl %ebx                          /* x86_main(magic, multiboot info): the boot */
    pushl %esi                          /* stack is not in .bss, so these survive */
    /* zero .bss */
    cld
    movl $__bss_start, %edi
    movl $__bss_end, %ecx
    subl %edi, %ecx
    xorl %eax, %eax
    rep stosb
    fninit
    call x86_main                       /* x86_main(eax, ebx); never returns */
2:  cli
    hlt
    jmp 2b

    .section .note.GNU-stack,"",@progbits
