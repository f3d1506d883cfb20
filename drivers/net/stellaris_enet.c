/*
 * stellaris_enet.c - the Ethernet controller of the Stellaris LM3S6965 (LM3S6965
 * datasheet, chapter 15 "Ethernet Controller"; 0x40048000, IRQ 42), shaped like lwIP's
 * ethernetif. Programmed I/O through one 32-bit data register (MACDATA) in front of a
 * 2 KiB receive FIFO and a one-frame transmit FIFO:
 *   receive  the first word of a frame holds its FIFO length (frame + 2-byte length
 *            field + 4-byte FCS) in bits 0-15 and the frame's first two bytes above it;
 *   transmit the first word holds the length of the data after the 14-byte Ethernet
 *            header in bits 0-15, the frame's first two bytes above it; MACTR.NEWTX sends.
 * The datasheet's FIFO holds a few frames; QEMU's model (hw/net/stellaris_enet.c) 31.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "lwip/etharp.h"
#include "lwip/pbuf.h"
#include "lwip/stats.h"
#include "netif/ethernet.h"

#include "arch.h"
#include "board.h"
#include "clock/stellaris_sysctl.h"
#include "k.h"
#include "netdrv.h"
#include "regwait.h"
#include "stellaris_rx.h"

static uintptr_t base;            /* board_netdrv.base, set by netdrv_init */
#define REG(off) (*(volatile uint32_t *)(base + (off)))
#define MACRIS  REG(0x00)         /* read: raw interrupt status; write: MACIACK */
#define MACIM   REG(0x04)
#define MACRCTL REG(0x08)
#define MACTCTL REG(0x0C)
#define MACDATA REG(0x10)
#define MACIA0  REG(0x14)
#define MACIA1  REG(0x18)
#define MACMCTL REG(0x20)
#define MACMRXD REG(0x30)
#define MACNP   REG(0x34)         /* frames in the receive FIFO */
#define MACTR   REG(0x38)

#define INT_RX   (1u << 0)
#define INT_TXER (1u << 1)
#define INT_FOV  (1u << 3)        /* receive FIFO overrun: a frame was dropped */
#define INT_RXER (1u << 4)
#define RCTL_RXEN    (1u << 0)
#define RCTL_AMUL    (1u << 1)    /* all multicast frames (IPv6's groups) */
#define RCTL_BADCRC  (1u << 3)    /* reject frames with a bad FCS */
#define RCTL_RSTFIFO (1u << 4)
#define TCTL_TXEN    (1u << 0)
#define TCTL_PADEN   (1u << 1)
#define TCTL_CRC     (1u << 2)
#define TCTL_DUPLEX  (1u << 4)
#define TR_NEWTX     (1u << 0)
#define MCTL_START   (1u << 0)
#define PHY_BMSR 1
#define BMSR_LINK (1u << 2)
#define TX_MAX_DATA 2032u         /* the transmit FIFO's 2 KiB less its length word */

static struct netdrv_stats stats;
static bool present;

/* FIFO device: only its interrupt tells of a frame (no busy polling) */
bool (*const netdrv_rx_pending)(void) = NULL;

void netdrv_tx_flush(void) {}

const char *netdrv_name(void) { return "stellaris"; }
const struct netdrv_stats *netdrv_stats(void) { return &stats; }
void netdrv_stats_collect(void) {}     /* no statistics registers */

/* Bounded waits (regwait.h): a full frame leaves the transmit FIFO in about 120 us at
 * 100 Mb/s (6,000 cycles at 50 MHz); an MII read takes about 30 us. */
#define SPIN_MAX 20000u

/* Link state from the PHY's status register through MACMCTL/MACMRXD (datasheet 15.6,
 * "MACMCTL"). QEMU does not model the MII: its MACMRXD reads 0, which no PHY answers to
 * a BMSR read (bits 11-15 give the PHY's abilities), so 0 is taken as "link up". */
bool netdrv_link_up(void)
{
    static bool last;
    uint32_t bmsr;
    if (!present)
        return false;
    stats.phy_reads++;
    MACMCTL = (PHY_BMSR << 3) | MCTL_START;
    if (!regwait_clear(&MACMCTL, MCTL_START, SPIN_MAX)) {
        stats.hw_timeouts++;
        return last;
    }
    bmsr = MACMRXD & 0xFFFFu;
    last = bmsr == 0 || (bmsr & BMSR_LINK);
    return last;
}

/* Interrupt: acknowledge what is raised (write-one-to-clear); the poll loop does the work. */
static void enet_isr(void *ctx)
{
    uint32_t ris = MACRIS;
    (void)ctx;
    MACRIS = ris;
    if (ris & INT_FOV)
        stats.rx_dropped_fifo++;
    if (ris & INT_RXER)
        stats.rx_errors++;
    stats.irqs++;
    netdrv_isr_signal();
}

/* low_level_output: the length word with the first two bytes, then the rest as
 * little-endian words (unaligned loads are fine on ARMv7-M), then MACTR.NEWTX. */
static err_t enet_output(struct netif *netif, struct pbuf *p)
{
    uint32_t w, nbytes = 2;
    struct pbuf *q;
    (void)netif;

    if (p->tot_len < 14u || p->tot_len - 14u > TX_MAX_DATA || p->tot_len > NETDRV_MAX_FRAME ||
        !regwait_clear(&MACTR, TR_NEWTX, SPIN_MAX)) {    /* the last frame still leaving */
        stats.tx_dropped++;
        LINK_STATS_INC(link.drop);
        return ERR_MEM;
    }
    w = p->tot_len - 14u;
    for (q = p; q; q = q->next) {
        const uint8_t *b = q->payload;
        unsigned i = 0;
        for (; i < q->len && nbytes; i++) {
            w |= (uint32_t)b[i] << (8 * nbytes);
            if (++nbytes == 4) {
                MACDATA = w;
                w = 0;
                nbytes = 0;
            }
        }
        for (; i + 4 <= q->len; i += 4) {
            memcpy(&w, b + i, 4);
            MACDATA = w;
        }
        if (i < q->len)                     /* here nbytes is 0: start a new word */
            for (w = 0; i < q->len; i++)
                w |= (uint32_t)b[i] << (8 * nbytes++);
    }
    if (nbytes)
        MACDATA = w;
    MACTR = TR_NEWTX;
    stats.tx_frames++;
    stats.tx_bytes += p->tot_len;
    LINK_STATS_INC(link.xmit);
    return ERR_OK;
}

static void rx_discard(uint32_t words)
{
    while (words--)
        (void)MACDATA;
}

/* Add n to a counter that the interrupt handler counts too (rx_errors, rx_dropped_fifo):
 * with interrupts off, or an increment of the handler's between our load and store is
 * lost. */
static void count_shared(volatile uint32_t *c, uint32_t n)
{
    unsigned long irq = arch_irq_save();
    *c += n;
    arch_irq_restore(irq);
}

/* Flush the receive FIFO (MACRCTL.RSTFIFO, with the receiver off while it is done, as the
 * datasheet's MACRCTL description recommends): the frames in it are lost, counted. */
static void rx_fifo_reset(void)
{
    uint32_t rctl = MACRCTL & ~RCTL_RSTFIFO;
    count_shared(&stats.rx_dropped_fifo, MACNP);
    MACRCTL = rctl & ~RCTL_RXEN;
    MACRCTL = (rctl & ~RCTL_RXEN) | RCTL_RSTFIFO;
    MACRCTL = rctl;
}

/* One frame out of the receive FIFO into a pbuf of its size (plus the 2-byte length
 * field, which lands first so the whole words go straight into the pbuf's aligned
 * payload), then to lwIP. A length word that fits no frame (stellaris_rx.h) means the
 * FIFO is out of step: reading on would take frame bytes for lengths, so it is reset. */
static int rx_frame(struct netif *netif)
{
    uint32_t first = MACDATA, rest, flen, have, i;
    struct pbuf *p;
    uint8_t *d;

    switch (enet_rx_check(first, NETDRV_MAX_FRAME, &rest, &flen)) {
    case ENET_RX_BADLEN:
        count_shared(&stats.rx_errors, 1);
        LINK_STATS_INC(link.lenerr);
        rx_fifo_reset();
        return 0;
    case ENET_RX_RUNT:
        count_shared(&stats.rx_errors, 1);
        LINK_STATS_INC(link.lenerr);
        rx_discard(rest);
        return 0;
    case ENET_RX_TOOBIG:
        stats.rx_dropped_toobig++;
        LINK_STATS_INC(link.lenerr);
        rx_discard(rest);
        return 0;
    case ENET_RX_FRAME:
        break;
    }
    p = pbuf_alloc(PBUF_RAW, (u16_t)(flen + 2u), PBUF_RAM);     /* one contiguous buffer */
    if (!p) {
        stats.rx_dropped_nomem++;
        LINK_STATS_INC(link.memerr);
        rx_discard(rest);
        return 0;
    }
    d = p->payload;
    memcpy(d, &first, 4);
    have = 4;
    for (i = 0; i < rest && have + 4u <= flen + 2u; i++, have += 4)
        *(uint32_t *)(void *)(d + have) = MACDATA;
    if (have < flen + 2u) {                 /* the frame's last bytes share a word with the FCS */
        uint32_t w = MACDATA;
        i++;
        memcpy(d + have, &w, flen + 2u - have);
    }
    rx_discard(rest - i);                   /* the FCS */
    pbuf_remove_header(p, 2);
    return netdrv_deliver(netif, p, &stats);
}

int netdrv_poll(struct netif *netif)
{
    int n = 0;
    while (MACNP && netdrv_rx_room())                  /* see netdrv_rx_room() */
        n += rx_frame(netif);
    stats.rx_waiting = MACNP;
    return n;
}

err_t netdrv_init(struct netif *netif)
{
    uint32_t lo, hi;
    uint8_t mac[6];

    base = board_netdrv.base;
    if (!base)
        return ERR_IF;
    stellaris_sysctl_gate_on(SYSCTL_GATE_EMAC0);
    stellaris_sysctl_gate_on(SYSCTL_GATE_EPHY0);
    MACIM = 0;
    MACRCTL = RCTL_RSTFIFO;
    MACRIS = 0xFFu;
    present = true;

    /* the MAC address: QEMU's model keeps one in MACIA0/1; a real board's is in flash */
    lo = MACIA0;
    hi = MACIA1 & 0xFFFFu;
    if ((lo | hi) == 0 && stellaris_sysctl_user_mac(mac)) {
        lo = mac[0] | (uint32_t)mac[1] << 8 | (uint32_t)mac[2] << 16 | (uint32_t)mac[3] << 24;
        hi = mac[4] | (uint32_t)mac[5] << 8;
        MACIA0 = lo;
        MACIA1 = hi;
    }
    if ((lo | hi) == 0) {
        printf("stellaris: no MAC address (MACIA0/1 and USER0/1 are empty)\n");
        return ERR_IF;
    }
    netdrv_set_mac(netif, lo, hi);

    MACTCTL = TCTL_TXEN | TCTL_PADEN | TCTL_CRC | TCTL_DUPLEX;
    MACRCTL = RCTL_RXEN | RCTL_BADCRC | (LWIP_IPV6 ? RCTL_AMUL : 0);
    MACIM = INT_RX | INT_FOV | INT_RXER;
    if (board_irq_attach(board_netdrv.irq, enet_isr, NULL) != 0)
        return ERR_IF;

    netdrv_netif_setup(netif, enet_output);
    return ERR_OK;
}
