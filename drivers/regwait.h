/* regwait.h - bounded waits on device registers. Every wait of a driver for a device bit
 * goes through these: a device that never clears (or never sets) the bit costs at most
 * `max` register reads, which the driver counts (netdrv_stats.hw_timeouts) and reports as
 * an error, instead of freezing the poll loop and with it the whole system. No lwIP or
 * kernel dependency, so the host unit tests check it with a plain variable as the
 * "register". */
#ifndef NET_NETIF_REGWAIT_H
#define NET_NETIF_REGWAIT_H

#include <stdbool.h>
#include <stdint.h>

/* Spin until (*reg & mask) == 0, reading it at most max times. Does not block (spins).
 * @return true if the bits cleared, false if max reads all saw one of them set. */
static inline bool regwait_clear(const volatile uint32_t *reg, uint32_t mask, uint32_t max)
{
    while (max--)
        if ((*reg & mask) == 0)
            return true;
    return false;
}

/* Spin until (*reg & mask) != 0, at most max reads. @return true if a bit was seen set. */
static inline bool regwait_set(const volatile uint32_t *reg, uint32_t mask, uint32_t max)
{
    while (max--)
        if ((*reg & mask) != 0)
            return true;
    return false;
}

#endif
