/* stellaris_sysctl.h - the Stellaris system control block (LM3S6965 datasheet, chapter 6
 * "System Control"; 0x400FE000): the system clock from the PLL, and the clock gates that
 * a peripheral needs opened before its registers answer. */
#ifndef DRIVERS_CLOCK_STELLARIS_SYSCTL_H
#define DRIVERS_CLOCK_STELLARIS_SYSCTL_H

#include <stdbool.h>
#include <stdint.h>

/* Clock gates, as (register, bit): RCGC1 (0x104) and RCGC2 (0x108), datasheet 6.4. */
#define SYSCTL_GATE_UART0  0x10400u
#define SYSCTL_GATE_TIMER0 0x10410u
#define SYSCTL_GATE_GPIOA  0x10800u
#define SYSCTL_GATE_EMAC0  0x1081Cu
#define SYSCTL_GATE_EPHY0  0x1081Eu

/* Run the system clock at 50 MHz: the main oscillator (an 8 MHz crystal on the
 * EK-LM3S6965) through the 400 MHz PLL, halved, divided by 4 (RCC.SYSDIV 3), the
 * sequence of datasheet 6.1.4.3: bypass the PLL, set crystal and divider, power the PLL
 * up, wait for PLLLRIS (bounded), then leave the bypass. Returns false (the core left on
 * its reset clock) if the PLL never locked. QEMU's model derives its clock from SYSDIV
 * alone, so both run at 50 MHz. Interrupts off, once, from board_init(). */
bool stellaris_sysctl_clock_50mhz(void);

/* Open a peripheral's clock gate (SYSCTL_GATE_*) and wait the few cycles the datasheet
 * asks before its registers are touched. */
void stellaris_sysctl_gate_on(uint32_t gate);

/* The MAC address programmed at the factory into the USER0/USER1 registers (datasheet
 * 6.4, "USER0": bytes 0-2 in USER0 bits 0-23, bytes 3-5 in USER1). Returns false if they
 * are unprogrammed (all ones) or zero, as on QEMU's model. */
bool stellaris_sysctl_user_mac(uint8_t mac[6]);

#endif
