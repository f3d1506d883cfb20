/*
 * e1000.c - Intel 82540EM Gigabit Ethernet (QEMU -device e1000), shaped like lwIP's
 * ethernetif. Register names and bits from the "PCI/PCI-X Family of Gigabit Ethernet
 * Controllers Software Developer's Manual" (8254x), chapters 3 (descriptors) and 13
 * (registers). Legacy descriptors; RX and TX rings of 256 descriptors with 2 KiB buffers in
 * static memory (paging is off: physical = virtual).
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "lwip/etharp.h"
#include "lwip/pbuf.h"
#include "lwip/stats.h"
#include "netif/ethernet.h"

#include "board.h"
#include "k.h"
#include "netdrv.h"
#include "regwait.h"
#include "bus/pci.h"

#define E1000_VENDOR 0x8086
#define E1000_DEVICE 0x100E     /* 82540EM */

/* registers (13.4) */
#define CTRL   0x0000
#define STATUS 0x0008
#define ICR    0x00C0
#define IMS    0x00D0
#define IMC    0x00D8
#define ROC    0x40B4      /* receive oversize count, clears on read (8254x 13.7.35) */
#define RCTL   0x0100
#define TCTL   0x0400
#define TIPG   0x0410
#define RDBAL  0x2800
#define RDBAH  0x2804
#define RDLEN  0x2808
#define RDH    0x2810
#define RDT    0x2818
#define RDTR   0x2820
#define TDBAL  0x3800
#define TDBAH  0x3804
#define TDLEN  0x3808
#define TDH    0x3810
#define TDT    0x3818
#define MTA    0x5200
#define RAL0   0x5400
#define RAH0   0x5404

#define CTRL_ASDE (1u << 5)
#define CTRL_SLU  (1u << 6)
#define CTRL_RST  (1u << 26)
#define STATUS_LU (1u << 1)
#define RCTL_EN    (1u << 1)
#define RCTL_MPE   (1u << 4)    /* multicast promiscuous: IPv6's groups (8254x 13.4.22) */
#define RCTL_BAM   (1u << 15)
#define RCTL_SECRC (1u << 26)   /* strip the Ethernet CRC */
#define TCTL_EN  (1u << 1)
#define TCTL_PSP (1u << 3)
#define ICR_TXDW   (1u << 0)
#define ICR_LSC    (1u << 2)
#define ICR_RXDMT0 (1u << 4)
#define ICR_RXO    (1u << 6)
#define ICR_RXT0   (1u << 7)

struct rx_desc {
    uint64_t addr;
    uint16_t length, csum;
    uint8_t status, errors;
    uint16_t special;
} __attribute__((packed));

struct tx_desc {
    uint64_t addr;
    uint16_t length;
    uint8_t cso, cmd, status, css;
    uint16_t special;
} __attribute__((packed));

#define DESC_DD  0x01
#define DESC_EOP 0x02
#define TXCMD_EOP  0x01
#define TXCMD_IFCS 0x02
#define TXCMD_RS   0x08

/* 256 descriptors each way (8254x manual 3.2.6: a multiple of 8): a burst from thousands of
 * connections waits in the ring, and QEMU holds further frames back while it is full. */
#define RX_RING 256
#define TX_RING 256
#define BUF_SIZE 2048

static struct rx_desc rx_ring[RX_RING] __attribute__((aligned(128)));
static struct tx_desc tx_ring[TX_RING] __attribute__((aligned(128)));
static uint8_t rx_buf[RX_RING][BUF_SIZE] __attribute__((aligned(16)));
static uint8_t tx_buf[TX_RING][BUF_SIZE] __attribute__((aligned(16)));

static volatile uint8_t *mmio;
static uint32_t rx_next;          /* next descriptor the device will fill */
static uint32_t tx_next;          /* next descriptor we will fill */
static bool rx_discarding;        /* inside a frame too long for one buffer */
static struct netdrv_stats stats;

static inline uint32_t rd(uint32_t reg) { return *(volatile uint32_t *)(mmio + reg); }
static inline void wr(uint32_t reg, uint32_t v) { *(volatile uint32_t *)(mmio + reg) = v; }

static uint32_t tx_unflushed;     /* descriptors filled but not yet given to the device */

/* Give the filled descriptors to the device: one TDT write for the batch (each write traps
 * into QEMU's model, under its global lock, which then sends everything up to TDT). */
void netdrv_tx_flush(void)
{
    if (tx_unflushed) {
        __asm__ volatile("" : : : "memory");
        wr(TDT, tx_next);
        tx_unflushed = 0;
    }
}

const char *netdrv_name(void) { return "e1000"; }
const struct netdrv_stats *netdrv_stats(void) { return &stats; }

/* Frames over 1522 bytes never reach the ring: the device drops them and counts them in
 * ROC, which clears on read (8254x 13.7: every statistics register does), so each read is
 * added to the driver's counter. Only when someone asks (see netdrv.h): a trap each. */
void netdrv_stats_collect(void)
{
    if (mmio) {
        stats.rx_dropped_toobig += rd(ROC);
        stats.stat_reads++;
    }
}
bool netdrv_link_up(void)
{
    stats.phy_reads++;
    return mmio && (rd(STATUS) & STATUS_LU);
}

/* Interrupt: reading ICR acknowledges every cause. The poll loop does the work. */
static void e1000_isr(void *ctx)
{
    (void)ctx;
    (void)rd(ICR);
    stats.irqs++;
    netdrv_isr_signal();
}

/* low_level_output: copy the frame into the next free transmit buffer. */
static err_t e1000_output(struct netif *netif, struct pbuf *p)
{
    struct tx_desc *d = &tx_ring[tx_next];
    (void)netif;

    if (p->tot_len > BUF_SIZE || !(d->status & DESC_DD)) {
        stats.tx_dropped++;
        LINK_STATS_INC(link.drop);
        return ERR_MEM;
    }
    pbuf_copy_partial(p, tx_buf[tx_next], p->tot_len, 0);
    d->length = p->tot_len;
    d->cmd = TXCMD_EOP | TXCMD_IFCS | TXCMD_RS;
    d->status = 0;
    tx_next = (tx_next + 1) % TX_RING;
    if (++tx_unflushed >= NETDRV_TX_BATCH)
        netdrv_tx_flush();
    else
        netdrv_tx_later();
    stats.tx_frames++;
    stats.tx_bytes += p->tot_len;
    LINK_STATS_INC(link.xmit);
    return ERR_OK;
}

/* The next descriptor written back (8254x 3.2.3: DD) */
static bool e1000_rx_pending(void)
{
    return mmio && (*(volatile uint8_t *)&rx_ring[rx_next].status & DESC_DD);
}
bool (*const netdrv_rx_pending)(void) = e1000_rx_pending;

/* low_level_input, for every completed receive descriptor; returns frames delivered. */
int netdrv_poll(struct netif *netif)
{
    int n = 0;
    uint32_t last = RX_RING;        /* none given back yet */

    /* Frames stay in the ring (the device holds back the rest) while lwIP's input queue
     * is full: dropping them here would only make the peers retransmit. */
    while ((rx_ring[rx_next].status & DESC_DD) && netdrv_rx_room()) {
        struct rx_desc *d = &rx_ring[rx_next];
        uint16_t len = d->length;
        bool eop = d->status & DESC_EOP;

        if (d->errors) {
            stats.rx_errors++;
            LINK_STATS_INC(link.err);
        } else if (rx_discarding || !eop || len > NETDRV_MAX_FRAME) {
            /* part of a frame longer than a buffer: drop up to its last descriptor */
            if (!rx_discarding) {
                stats.rx_dropped_toobig++;
                LINK_STATS_INC(link.lenerr);
            }
            rx_discarding = !eop;
        } else {
            n += netdrv_input(netif, rx_buf[rx_next], len, &stats);
        }
        d->status = 0;
        last = rx_next;
        rx_next = (rx_next + 1) % RX_RING;
    }
    /* give the descriptors back, once for the whole batch (every register write is a trap
     * into the device model): RDT points at the last one the device may use */
    if (last != RX_RING)
        wr(RDT, last);
    /* frames still in the ring (lwIP's input queue was full): count them for the next pass */
    stats.rx_waiting = 0;
    for (uint32_t i = rx_next; (rx_ring[i].status & DESC_DD) && stats.rx_waiting < RX_RING;
         i = (i + 1) % RX_RING)
        stats.rx_waiting++;
    return n;
}

err_t netdrv_init(struct netif *netif)
{
    struct pci_dev pci;
    uint32_t ral, rah;
    int i;

    if (pci_find(E1000_VENDOR, E1000_DEVICE, &pci) != 0 || !pci.bar0)
        return ERR_IF;
    mmio = (volatile uint8_t *)(uintptr_t)pci.bar0;

    wr(IMC, 0xFFFFFFFFu);
    wr(CTRL, rd(CTRL) | CTRL_RST);
    if (!regwait_clear((volatile uint32_t *)(mmio + CTRL), CTRL_RST, 100000)) {   /* 8254x 13.4.1 */
        stats.hw_timeouts++;
        printf("e1000: reset did not complete (CTRL 0x%08lx)\n", (unsigned long)rd(CTRL));
        return ERR_IF;
    }
    wr(IMC, 0xFFFFFFFFu);
    (void)rd(ICR);
    wr(CTRL, (rd(CTRL) | CTRL_SLU | CTRL_ASDE));

    /* MAC address: loaded from the EEPROM into receive address 0 at reset */
    ral = rd(RAL0);
    rah = rd(RAH0);
    netdrv_set_mac(netif, ral, rah);
    wr(RAH0, rah | (1u << 31));            /* address valid */
    for (i = 0; i < 128; i++)
        wr(MTA + 4 * i, 0);

    for (i = 0; i < RX_RING; i++) {
        rx_ring[i].addr = (uint32_t)(uintptr_t)rx_buf[i];
        rx_ring[i].status = 0;
    }
    wr(RDBAL, (uint32_t)(uintptr_t)rx_ring);
    wr(RDBAH, 0);
    wr(RDLEN, sizeof(rx_ring));
    wr(RDH, 0);
    wr(RDT, RX_RING - 1);
    wr(RDTR, 0);
    rx_next = 0;
    /* BSIZE 00: 2048-byte buffers; with IPv6 every multicast frame too (the solicited-node
     * and all-nodes groups that neighbour discovery needs), instead of the MTA hash */
    wr(RCTL, RCTL_EN | RCTL_BAM | RCTL_SECRC | (LWIP_IPV6 ? RCTL_MPE : 0));

    for (i = 0; i < TX_RING; i++) {
        tx_ring[i].addr = (uint32_t)(uintptr_t)tx_buf[i];
        tx_ring[i].status = DESC_DD;               /* free */
        tx_ring[i].cmd = 0;
    }
    wr(TDBAL, (uint32_t)(uintptr_t)tx_ring);
    wr(TDBAH, 0);
    wr(TDLEN, sizeof(tx_ring));
    wr(TDH, 0);
    wr(TDT, 0);
    tx_next = 0;
    wr(TIPG, 10u | (8u << 10) | (6u << 20));
    wr(TCTL, TCTL_EN | TCTL_PSP | (0x10u << 4) | (0x40u << 12));

    if (board_irq_attach(pci.irq, e1000_isr, NULL) != 0)
        return ERR_IF;
    wr(IMS, ICR_RXT0 | ICR_RXO | ICR_RXDMT0 | ICR_LSC);

    netdrv_netif_setup(netif, e1000_output);
    return ERR_OK;
}
