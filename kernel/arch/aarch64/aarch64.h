/*
 * aarch64.h - what the AArch64 architecture gives boards (kernel/arch/aarch64/): start-up at
 * EL1, the exception vectors, fault reports, semihosting exit and PSCI reset. Reference:
 * Arm Architecture Reference Manual for A-profile (ARM DDI 0487), D1.10 (exception
 * vectors), D8 (VMSAv8-64 translation), D11 (generic timer); AAPCS64 (IHI 0055) 6.1.
 *
 * Start-up (start.S): from EL2 (a firmware's or U-Boot's hand-over) it drops to EL1; at EL1
 * it masks interrupts, turns the FP/SIMD unit on (CPACR_EL1.FPEN), installs the vectors,
 * turns the MMU and both caches on over an identity map of the first 4 GiB (first GiB
 * Device-nGnRnE, the second Normal write-back: QEMU virt's devices and RAM), zeroes .bss
 * and calls board_init() and board_exit(app_main_entry()) on the boot stack.
 *
 * Stacks: tasks run at EL1 on SP_EL0 ("EL1t"); exceptions switch to SP_EL1, one exception
 * stack, so an interrupt costs a task's stack nothing. Interrupts do not nest.
 */
#ifndef KERNEL_ARCH_AARCH64_H
#define KERNEL_ARCH_AARCH64_H

#include <stdint.h>

/* The board's interrupt controller's dispatch (e.g. gicv2_dispatch), called for every IRQ
 * with interrupts masked on the exception stack. Set once from board_init(). */
void aarch64_irq_handler_set(void (*dispatch)(void));

/*
 * Semihosting SYS_EXIT (0x18) through HLT #0xF000 with the AArch64 parameter block
 * {ADP_Stopped_ApplicationExit, status} (Arm "Semihosting for AArch32 and AArch64", 6.6):
 * QEMU (-semihosting-config enable=on) exits with that status. Never returns.
 */
void aarch64_semihost_exit(int status) __attribute__((noreturn));

/* PSCI SYSTEM_RESET (0x84000009, Arm DEN 0022, 5.10): through HVC if the kernel was
 * entered at EL1 (QEMU virt's conduit then), through SMC if at EL2. Never returns. */
void aarch64_psci_reset(void) __attribute__((noreturn));

#endif
