/* wiring.h - how a board wires its NIC, for the driver in drivers/net/. The board defines
 * board_netdrv (board.c) without including anything of the network stack: this header is
 * all it needs. */
#ifndef DRIVERS_NET_WIRING_H
#define DRIVERS_NET_WIRING_H

#include <stdint.h>

/* Where the device's registers are and which interrupt line it raises (board_irq_attach
 * numbering). A driver for a device on a discoverable bus (e1000 on PCI) reads both from
 * the bus and ignores them. */
struct netdrv_wiring {
    uintptr_t base;
    unsigned irq;
    /* A row of slots that may hold the device (virtio-mmio transports): `count` of them,
     * slot i at base + i * stride raising irq + i. 0: one, at base. */
    unsigned count;
    uintptr_t stride;
};
extern const struct netdrv_wiring board_netdrv;

#endif
