/*
 * vectors.c - Cortex-M3 vector table and reset handler for MPS2 AN385.
 * Reset copies .data from its load address in CODE, zeroes .bss, and enters the board.
 */
#include <stdint.h>
#include <string.h>

extern uint32_t __boot_stack_top[], __data_start[], __data_end[], __data_load[];
extern uint32_t __bss_start[], __bss_end[];

void Reset_Handler(void);
void mps2_fault(void);
void mps2_systick_isr(void);
void mps2_uart0_rx_isr(void);
void mps2_unexpected_isr(void);
void mps2_irq_dispatch(void);
void mps2_main(void) __attribute__((noreturn));

void Reset_Handler(void)
{
    memcpy(__data_start, __data_load, (size_t)((char *)__data_end - (char *)__data_start));
    memset(__bss_start, 0, (size_t)((char *)__bss_end - (char *)__bss_start));
    mps2_main();
}

#define IRQS 32
__attribute__((section(".vectors"), used)) static void (*const vectors[16 + IRQS])(void) = {
    [0] = (void (*)(void))__boot_stack_top,
    [1] = Reset_Handler,
    [2] = mps2_fault,          /* NMI */
    [3] = mps2_fault,          /* HardFault */
    [4] = mps2_fault,          /* MemManage */
    [5] = mps2_fault,          /* BusFault */
    [6] = mps2_fault,          /* UsageFault */
    [11] = mps2_unexpected_isr, /* SVCall */
    [12] = mps2_unexpected_isr, /* DebugMonitor */
    [14] = mps2_unexpected_isr, /* PendSV: not used, no preemption */
    [15] = mps2_systick_isr,
    [16 + 0] = mps2_uart0_rx_isr, /* UART0 RX (QEMU mps2.c: uartirq[0] = 0) */
    [16 + 1 ... 16 + IRQS - 1] = mps2_irq_dispatch, /* board_irq_attach() routes these */
};
