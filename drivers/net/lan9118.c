/*
 * lan9118.c - SMSC LAN9118 Ethernet controller, shaped like lwIP's ethernetif, at the
 * address and interrupt the board gives (board_netdrv; MPS2: 0x40200000, IRQ 13). Register map and bits from the SMSC
 * LAN9118 datasheet, section 5 (system control and status registers), 5.4 (MAC control
 * and status registers, reached through MAC_CSR_CMD/DATA) and 7 (PHY through MII_ACC).
 * Programmed I/O: frames are copied through the TX and RX data FIFOs, a 32-bit word per
 * access where the pbuf payload is aligned.
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

static uintptr_t base;            /* board_netdrv.base, set by netdrv_init */
#define REG(off) (*(volatile uint32_t *)(base + (off)))
#define RX_DATA_FIFO   REG(0x00)
#define TX_DATA_FIFO   REG(0x20)
#define RX_STATUS_FIFO REG(0x40)
#define TX_STATUS_FIFO REG(0x48)
#define ID_REV         REG(0x50)
#define IRQ_CFG        REG(0x54)
#define INT_STS        REG(0x58)
#define INT_EN         REG(0x5C)
#define BYTE_TEST      REG(0x64)
#define FIFO_INT       REG(0x68)
#define RX_CFG         REG(0x6C)
#define TX_CFG         REG(0x70)
#define HW_CFG         REG(0x74)
#define RX_FIFO_INF    REG(0x7C)
#define RX_DROP        REG(0xA0)      /* frames dropped for lack of FIFO space (clears on read) */
#define TX_FIFO_INF    REG(0x80)
#define PMT_CTRL       REG(0x84)
#define MAC_CSR_CMD    REG(0xA4)
#define MAC_CSR_DATA   REG(0xA8)

#define IRQ_CFG_TYPE (1u << 0)      /* push-pull */
#define IRQ_CFG_POL  (1u << 4)      /* active high */
#define IRQ_CFG_EN   (1u << 8)
#define INT_RSFL     (1u << 3)      /* RX status FIFO level */
#define INT_RXE      (1u << 14)
#define INT_TXE      (1u << 13)
#define INT_PHY      (1u << 26)
#define HW_CFG_SRST  (1u << 0)
#define PMT_READY    (1u << 0)
#define TX_CFG_TX_ON (1u << 1)
#define CSR_BUSY     (1u << 31)
#define CSR_READ     (1u << 30)

/* MAC CSRs */
#define MAC_CR    1
#define MAC_ADDRH 2
#define MAC_ADDRL 3
#define MII_ACC   6
#define MII_DATA  7
#define MAC_CR_RXEN (1u << 2)
#define MAC_CR_TXEN (1u << 3)
#define MAC_CR_MCPAS (1u << 19)   /* pass all multicast (datasheet 5.4.1): IPv6's groups */
#define MII_BUSY  (1u << 0)
#define MII_WRITE (1u << 1)
#define PHY_ADDR  1
#define PHY_BSR   1
#define PHY_BSR_LINK (1u << 2)

/* TX command words (datasheet 3.12.2) */
#define TXA_FIRST (1u << 13)
#define TXA_LAST  (1u << 12)

static struct netdrv_stats stats;
static bool present;

/* FIFO device: only its interrupt tells of a frame (no busy polling) */
bool (*const netdrv_rx_pending)(void) = NULL;

void netdrv_tx_flush(void) {}

const char *netdrv_name(void) { return "lan9118"; }
const struct netdrv_stats *netdrv_stats(void) { return &stats; }

/* Frames the MAC dropped for want of FIFO space: RX_DROP clears on read (datasheet section
 * 5, "RX_DROP"), so each read is added to the driver's counter. Only when someone asks
 * (see netdrv.h): a register read each, never from the poll loop. */
void netdrv_stats_collect(void)
{
    if (present) {
        stats.rx_dropped_fifo += RX_DROP;
        stats.stat_reads++;
    }
}

/* Bounded waits (regwait.h): about 1 ms of register reads on the M3 at 25 MHz; the
 * datasheet's MAC CSR and MII operations take microseconds. */
#define SPIN_MAX 5000u

static bool csr_idle(void)
{
    if (regwait_clear(&MAC_CSR_CMD, CSR_BUSY, SPIN_MAX))
        return true;
    stats.hw_timeouts++;
    return false;
}

/* MAC CSR read through MAC_CSR_CMD/DATA (datasheet 5.3.18). @return false on timeout. */
static bool mac_read(unsigned csr, uint32_t *v)
{
    if (!csr_idle())
        return false;
    MAC_CSR_CMD = CSR_BUSY | CSR_READ | csr;
    if (!csr_idle())
        return false;
    *v = MAC_CSR_DATA;
    return true;
}

static bool mac_write(unsigned csr, uint32_t v)
{
    if (!csr_idle())
        return false;
    MAC_CSR_DATA = v;
    MAC_CSR_CMD = CSR_BUSY | csr;
    return csr_idle();
}

static bool mii_idle(void)
{
    uint32_t v;
    for (unsigned i = 0; i < SPIN_MAX / 16; i++) {
        if (!mac_read(MII_ACC, &v))
            return false;
        if (!(v & MII_BUSY))
            return true;
    }
    stats.hw_timeouts++;
    return false;
}

/* PHY register through MII_ACC/MII_DATA (datasheet 5.4.6). @return the value, or -1 if
 * the MAC or the PHY did not answer in time. */
static int phy_read(unsigned reg)
{
    uint32_t v;
    stats.phy_reads++;
    if (!mii_idle() || !mac_write(MII_ACC, (PHY_ADDR << 11) | (reg << 6) | MII_BUSY) ||
        !mii_idle() || !mac_read(MII_DATA, &v))
        return -1;
    return (int)(v & 0xFFFFu);
}

bool netdrv_link_up(void)
{
    static bool last;
    int bsr;
    if (!present)
        return false;
    bsr = phy_read(PHY_BSR);
    if (bsr >= 0)
        last = (bsr & PHY_BSR_LINK) != 0;
    return last;
}

/* Interrupt: acknowledge (INT_STS is write-one-to-clear); the poll loop does the work. */
static void lan9118_isr(void *ctx)
{
    (void)ctx;
    INT_STS = INT_STS;
    stats.irqs++;
    netdrv_isr_signal();
}

/* low_level_output: command words, then the frame as little-endian 32-bit words. */
static err_t lan9118_output(struct netif *netif, struct pbuf *p)
{
    uint32_t words = (p->tot_len + 3u) / 4u, w = 0;
    unsigned nbytes = 0;
    struct pbuf *q;
    (void)netif;

    if (p->tot_len > NETDRV_MAX_FRAME || (TX_FIFO_INF & 0xFFFFu) < words * 4u + 8u) {
        stats.tx_dropped++;
        LINK_STATS_INC(link.drop);
        return ERR_MEM;
    }
    TX_DATA_FIFO = TXA_FIRST | TXA_LAST | p->tot_len;
    TX_DATA_FIFO = ((uint32_t)p->tot_len << 16) | p->tot_len;   /* tag = length */
    for (q = p; q; q = q->next) {
        const uint8_t *b = q->payload;
        unsigned i = 0;
        /* whole words straight from an aligned payload, bytes around them */
        for (; i < q->len && nbytes; i++) {
            w |= (uint32_t)b[i] << (8 * nbytes);
            if (++nbytes == 4) {
                TX_DATA_FIFO = w;
                w = 0;
                nbytes = 0;
            }
        }
        if (((uintptr_t)(b + i) & 3) == 0)
            for (; i + 4 <= q->len; i += 4)
                TX_DATA_FIFO = *(const uint32_t *)(const void *)(b + i);
        for (; i < q->len; i++) {
            w |= (uint32_t)b[i] << (8 * nbytes);
            if (++nbytes == 4) {
                TX_DATA_FIFO = w;
                w = 0;
                nbytes = 0;
            }
        }
    }
    if (nbytes)
        TX_DATA_FIFO = w;
    stats.tx_frames++;
    stats.tx_bytes += p->tot_len;
    LINK_STATS_INC(link.xmit);
    /* The RX FIFO is drained here too, not only at the poll loop's passes: a task (or the
     * tcpip task working through its mailbox) that sends a burst of answers runs for
     * milliseconds without returning to the loop, while the peers' next requests and ACKs
     * arrive; what finds the 10 KiB FIFO full is lost (QEMU's model drops it without
     * counting it in RX_DROP), and the peer waits for its retransmission timeout, 200 ms at
     * least (docs/design.md, "The M3 and its receive FIFO", has the measurements). Frames
     * go to lwIP's mailbox as the loop's poll would send them (netdrv_rx_room() bounds
     * both); any left for want of room are the loop's at its next pass. */
    if ((RX_FIFO_INF >> 16) & 0xFFu) {
        (void)netdrv_poll(netif);
        if (stats.rx_waiting)
            netdrv_tx_later();        /* the network's poll hook runs at the next pass */
    }
    return ERR_OK;
}

static void rx_discard(uint32_t words)
{
    while (words--)
        (void)RX_DATA_FIFO;
}

/* low_level_input for each frame in the RX status FIFO; TX status entries are drained. */
int netdrv_poll(struct netif *netif)
{
    int n = 0;

    for (int i = 0; i < 256 && ((TX_FIFO_INF >> 16) & 0xFFu); i++)   /* FIFO depth bound */
        (void)TX_STATUS_FIFO;

    while (((RX_FIFO_INF >> 16) & 0xFFu) && netdrv_rx_room()) {   /* see netdrv_rx_room() */
        uint32_t status = RX_STATUS_FIFO;
        uint32_t len = (status >> 16) & 0x3FFFu;      /* frame length, CRC included */
        uint32_t words = (len + 3u) / 4u;
        struct pbuf *p;

        if (status & (1u << 15)) {                    /* error status */
            stats.rx_errors++;
            LINK_STATS_INC(link.err);
            rx_discard(words);
            continue;
        }
        if (len < 4u + 14u || len - 4u > NETDRV_MAX_FRAME) {
            stats.rx_dropped_toobig++;
            LINK_STATS_INC(link.lenerr);
            rx_discard(words);
            continue;
        }
        p = pbuf_alloc(PBUF_RAW, (u16_t)(len - 4u), PBUF_RAM);     /* exactly its size */
        if (!p) {
            stats.rx_dropped_nomem++;
            LINK_STATS_INC(link.memerr);
            rx_discard(words);
            continue;
        }
        /* copy the frame out of the FIFO: whole words into each aligned pbuf, the CRC and
         * any odd bytes through a word buffer */
        {
            uint32_t left = len - 4u, words_left = words;
            uint32_t v = 0;
            int vbytes = 0;
            for (struct pbuf *q = p; q && left; q = q->next) {
                uint8_t *d = q->payload;
                uint32_t seg = q->len < left ? q->len : left, k = 0;
                while (k < seg && vbytes) {
                    d[k++] = (uint8_t)v;
                    v >>= 8;
                    vbytes--;
                }
                if (((uintptr_t)(d + k) & 3) == 0)
                    for (; k + 4 <= seg; k += 4, words_left--)
                        *(uint32_t *)(void *)(d + k) = RX_DATA_FIFO;
                while (k < seg) {
                    if (!vbytes) {
                        v = RX_DATA_FIFO;
                        words_left--;
                        vbytes = 4;
                    }
                    d[k++] = (uint8_t)v;
                    v >>= 8;
                    vbytes--;
                }
                left -= seg;
            }
            rx_discard(words_left);          /* the rest of the last word and the CRC */
        }
        n += netdrv_deliver(netif, p, &stats);
    }
    stats.rx_waiting = (RX_FIFO_INF >> 16) & 0xFFu;
    return n;
}

err_t netdrv_init(struct netif *netif)
{
    uint32_t lo, hi;

    base = board_netdrv.base;
    if (!base || BYTE_TEST != 0x87654321u)
        return ERR_IF;
    HW_CFG = HW_CFG_SRST;
    if (!regwait_clear(&HW_CFG, HW_CFG_SRST, 100000) || !regwait_set(&PMT_CTRL, PMT_READY, 100000)) {
        stats.hw_timeouts++;
        printf("lan9118: no answer after reset (HW_CFG 0x%08lx PMT_CTRL 0x%08lx)\n",
               (unsigned long)HW_CFG, (unsigned long)PMT_CTRL);
        return ERR_IF;
    }
    present = true;

    if (!mac_read(MAC_ADDRL, &lo) || !mac_read(MAC_ADDRH, &hi)) {
        printf("lan9118: MAC CSR access timed out\n");
        return ERR_IF;
    }
    netdrv_set_mac(netif, lo, hi);

    TX_CFG = TX_CFG_TX_ON;
    RX_CFG = 0;                                    /* no offset, no end padding */
    /* exact address + broadcast, and with IPv6 every multicast frame (neighbour discovery's
     * solicited-node and all-nodes groups) instead of the hash filter */
    if (!mac_write(MAC_CR, MAC_CR_RXEN | MAC_CR_TXEN | (LWIP_IPV6 ? MAC_CR_MCPAS : 0))) {
        printf("lan9118: MAC CSR access timed out\n");
        return ERR_IF;
    }
    FIFO_INT = 0;                                  /* RSFL interrupt at any status */
    INT_STS = 0xFFFFFFFFu;
    INT_EN = INT_RSFL | INT_RXE | INT_TXE;
    IRQ_CFG = IRQ_CFG_EN | IRQ_CFG_POL | IRQ_CFG_TYPE;
    if (board_irq_attach(board_netdrv.irq, lan9118_isr, NULL) != 0)
        return ERR_IF;

    netdrv_netif_setup(netif, lan9118_output);
    return ERR_OK;
}
