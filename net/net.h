/*
 * net.h - bringing the network up: lwIP's tcpip task, the board's Ethernet interface,
 * DHCP with a static fallback, and the poll hook that feeds lwIP from the driver.
 */
#ifndef NET_NET_H
#define NET_NET_H

#include <stdbool.h>
#include <stdint.h>

#include "lwip/netif.h"

/* Addressing. DHCP first; when it gives no lease within dhcp_timeout_ms (or when dhcp is
 * false) the static address is used. Defaults: QEMU's user network, 10.0.2.15/24 via
 * 10.0.2.2, DNS 10.0.2.3. */
struct net_config {
    bool dhcp;
    uint32_t dhcp_timeout_ms;
    const char *ip, *netmask, *gateway, *dns;
};
extern struct net_config net_config;

/*
 * Start lwIP's tcpip task and the interface, then wait (blocking the caller) for an
 * address: DHCP, or the static fallback. Returns 0 when the interface is up with an
 * address, -ENODEV if the board has no working network device.
 */
int net_start(void);

/* The interface (NULL before net_start() succeeded). */
struct netif *net_netif(void);

/* How the address was obtained: "dhcp", "static", or "none". */
const char *net_addr_source(void);

#endif
