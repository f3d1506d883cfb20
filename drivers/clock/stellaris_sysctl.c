/* stellaris_sysctl.c - system clock and clock gates (see stellaris_sysctl.h). */
#include "clock/stellaris_sysctl.h"

#define SYSCTL(off) (*(volatile uint32_t *)(0x400FE000u + (off)))
#define RIS  SYSCTL(0x050)
#define MISC SYSCTL(0x058)
#define RCC  SYSCTL(0x060)
#define RCC_MOSCDIS   (1u << 0)
#define RCC_OSCSRC    (3u << 4)         /* 0: main oscillator */
#define RCC_XTAL      (0xFu << 6)
#define RCC_XTAL_8MHZ (0xEu << 6)
#define RCC_BYPASS    (1u << 11)
#define RCC_PWRDN     (1u << 13)
#define RCC_USESYSDIV (1u << 22)
#define RCC_SYSDIV    (0xFu << 23)
#define RIS_PLLLRIS   (1u << 6)

bool stellaris_sysctl_clock_50mhz(void)
{
    uint32_t rcc = RCC;
    unsigned i;

    rcc = (rcc | RCC_BYPASS) & ~RCC_USESYSDIV;
    RCC = rcc;
    rcc &= ~(RCC_MOSCDIS | RCC_OSCSRC | RCC_XTAL | RCC_SYSDIV);
    rcc |= RCC_XTAL_8MHZ | (3u << 23) | RCC_USESYSDIV;
    MISC = RIS_PLLLRIS;
    RCC = rcc & ~RCC_PWRDN;
    for (i = 0; i < 100000u && !(RIS & RIS_PLLLRIS); i++)
        ;
    if (!(RIS & RIS_PLLLRIS))
        return false;
    RCC = rcc & ~(RCC_PWRDN | RCC_BYPASS);
    return true;
}

void stellaris_sysctl_gate_on(uint32_t gate)
{
    volatile uint32_t *reg = &SYSCTL(gate >> 8);
    *reg |= 1u << (gate & 0x1Fu);
    (void)*reg;                         /* datasheet 6.3: 3 cycles before access */
    (void)*reg;
    (void)*reg;
}

bool stellaris_sysctl_user_mac(uint8_t mac[6])
{
    uint32_t u0 = SYSCTL(0x1E0), u1 = SYSCTL(0x1E4);
    if ((u0 & 0xFFFFFFu) == 0xFFFFFFu || (u1 & 0xFFFFFFu) == 0xFFFFFFu || (u0 | u1) == 0)
        return false;
    for (int i = 0; i < 3; i++) {
        mac[i] = (uint8_t)(u0 >> (8 * i));
        mac[3 + i] = (uint8_t)(u1 >> (8 * i));
    }
    return true;
}
