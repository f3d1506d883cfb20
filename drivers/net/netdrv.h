/*
 * netdrv.h - the contract of an Ethernet driver (drivers/net/), shaped like lwIP's
 * contrib/examples/ethernetif/ethernetif.c: an init callback for netif_add() (doing the
 * low_level_init), an output (low_level_output) installed on the netif, and a poll that the
 * kernel's poll loop calls to hand received frames to lwIP (low_level_input) and reclaim
 * transmit buffers. The interrupt handler only acknowledges the device and calls
 * netdrv_isr_signal(), which marks the network's poll hook: the loop then runs that hook
 * (and not the others).
 */
#ifndef DRIVERS_NET_NETDRV_H
#define DRIVERS_NET_NETDRV_H

#include <stdbool.h>
#include <stdint.h>

#include "lwip/netif.h"

#include "net/wiring.h"

struct netdrv_stats {
    uint32_t rx_frames, rx_bytes;
    uint32_t rx_dropped_nomem;    /* no pbuf (pools empty) or lwIP refused the frame */
    uint32_t rx_dropped_toobig;   /* frame longer than the largest Ethernet frame */
    uint32_t rx_errors;           /* errors the device reported, and frames whose length
                                   * the device gave as shorter than a header or impossible */
    uint32_t rx_dropped_fifo;     /* frames the device dropped (its receive FIFO was full),
                                   * or the driver flushed with a FIFO out of step */
    uint32_t tx_frames, tx_bytes;
    uint32_t tx_dropped;          /* no room in the transmit ring or FIFO */
    uint32_t irqs;
    uint32_t rx_waiting;          /* frames left in the device after the last poll */
    uint32_t hw_timeouts;         /* device waits that gave up (a busy bit never cleared) */
    uint32_t phy_reads;           /* link-state reads (the poll loop: at most 2 a second) */
    uint32_t stat_reads;          /* statistics-register reads (netdrv_stats_collect()) */
};

/* netif_add() init callback: find and reset the device, read its MAC address, set up its
 * rings/FIFOs and interrupt, fill in the netif. Returns ERR_OK or ERR_IF (no device). */
err_t netdrv_init(struct netif *netif);

/* Called by the poll loop (idle task, never blocks): pass received frames to
 * netif->input(), reclaim transmitted buffers. Returns the number of frames received.
 * A FIFO driver may also call it from its own output (the sending task, lwIP's core lock
 * held): the LAN9118 does, so that its FIFO is drained during bursts of transmission
 * (docs/design.md, "The M3 and its receive FIFO"). Never from an interrupt handler. */
int netdrv_poll(struct netif *netif);

/* For the driver's interrupt handler: the network's poll hook (net/net.c) runs at the
 * loop's next pass. Safe from interrupt context. */
void netdrv_isr_signal(void);

/* Transmit doorbells are batched: a driver whose device is told of new transmit
 * descriptors by a register write (e1000 TDT, virtio's queue notify) fills descriptors in
 * its output and rings the doorbell once for up to NETDRV_TX_BATCH frames, or at the poll
 * loop's next pass, which output asks for with netdrv_tx_later() (the network's poll hook
 * then calls netdrv_tx_flush()). lwIP sends a burst of segments from one tcp_output() call,
 * so a burst costs one trap instead of one per frame: bulk echo on QEMU's e1000 went from
 * 15-16 to 24 MB/s (docs/design.md). A frame waits at most until the task that sent it
 * blocks or yields. FIFO devices (LAN9118, Stellaris) send as they are written: their
 * netdrv_tx_flush() does nothing. */
#define NETDRV_TX_BATCH 32
void netdrv_tx_flush(void);
/* The network's poll hook runs at the loop's next pass (it flushes, and polls). */
void netdrv_tx_later(void);

/* Whether a received frame waits for netdrv_poll(), read from memory alone (the receive
 * ring's next descriptor), never from a device register: the network poll hook's pending()
 * check, which the poll loop spins on after work (k_busy_poll_set()). NULL for a device
 * that can only be asked through its registers (a FIFO: LAN9118, Stellaris), whose
 * interrupt is then the only news of a frame. Any context; never blocks. */
extern bool (*const netdrv_rx_pending)(void);

/* Link state from the PHY / status register (bounded: a PHY that does not answer leaves
 * the last state read). Not cheap on every device (LAN9118: four MAC CSR round trips), so
 * the poll loop asks at most every NET_LINK_POLL_MS. */
bool netdrv_link_up(void);

/* Device name ("e1000", "lan9118") and counters. netdrv_stats() reads memory only: the
 * poll loop reads rx_waiting on every pass. What a device counts in its own clear-on-read
 * statistics registers (e1000 ROC, LAN9118 RX_DROP) is added to the counters by netdrv_stats_collect(), a
 * register read each (an MMIO trap into QEMU): called by what shows the counters (ifconfig,
 * the status page's /api/net), never by the poll loop. */
const char *netdrv_name(void);
const struct netdrv_stats *netdrv_stats(void);
void netdrv_stats_collect(void);

/* The netif fields every Ethernet driver sets the same way (name "en", MTU 1500,
 * broadcast/ARP/Ethernet flags, link state, etharp_output); linkoutput is the driver's
 * low_level_output. */
void netdrv_netif_setup(struct netif *netif, netif_linkoutput_fn linkoutput);

/* Set netif's MAC address from the two registers both NICs keep it in: bytes 0-3 in lo
 * (byte 0 lowest), bytes 4-5 in the low half of hi (e1000 RAL0/RAH0, LAN9118 ADDRL/ADDRH). */
void netdrv_set_mac(struct netif *netif, uint32_t lo, uint32_t hi);

/* Copy a received frame (len bytes, FCS excluded) from the device's buffer into a pbuf of
 * exactly its size and pass it to lwIP, counting it in st (rx_frames/rx_bytes, or
 * rx_dropped_nomem when no pbuf or lwIP refuses it). Returns 1 if delivered, else 0. For
 * drivers whose device writes frames into buffers in memory (e1000, virtio-net). */
int netdrv_input(struct netif *netif, const void *frame, uint16_t len, struct netdrv_stats *st);

/* Pass a received frame already in pbuf p (FCS excluded) to lwIP and count it in st, as
 * netdrv_input() does: rx_frames/rx_bytes, or rx_dropped_nomem (p freed) if lwIP refuses
 * it. For drivers that copy frames out of a FIFO into the pbuf themselves (LAN9118,
 * Stellaris). Returns 1 if delivered, else 0. */
int netdrv_deliver(struct netif *netif, struct pbuf *p, struct netdrv_stats *st);

/* Whether lwIP's input queue (the tcpip task's mailbox) takes another frame now. Drivers
 * stop taking frames from the device while it is full, so that the device, not the
 * driver, holds back (e1000) or drops and counts (LAN9118 FIFO) what does not fit. */
bool netdrv_rx_room(void);

/* Largest Ethernet frame handled, FCS excluded (1500 + 14 + 4 for a VLAN tag). */
#define NETDRV_MAX_FRAME 1518

#endif
