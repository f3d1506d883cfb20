/*
 * virtio_net.c - virtio network device (Virtual I/O Device (VIRTIO) Version 1.2, OASIS:
 * 2.7 "Split Virtqueues", 5.1 "Network Device") over the transport linked beside it
 * (bus/virtio.h: virtio_pci.c on x86, QEMU -device virtio-net-pci,disable-legacy=on;
 * virtio_mmio.c on QEMU virt, -device virtio-net-device). Modern devices only
 * (VIRTIO_F_VERSION_1). Features taken: VERSION_1, MAC,
 * STATUS; no checksum offload, no merged buffers, no control queue. One receive and one
 * transmit queue of up to 256 entries, each entry one 2 KiB buffer in static memory that
 * holds the 12-byte virtio-net header and a whole frame (physical = virtual: no paging, or
 * an identity map). Receive buffers are given back to the device from the poll loop; while
 * lwIP's input queue is full they stay with us and the device holds new frames back (it never
 * drops them for want of a buffer, unlike the LAN9118's FIFO). The interrupt handler
 * acknowledges the interrupt through the transport and marks the poll hook.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "lwip/pbuf.h"
#include "lwip/stats.h"

#include "board.h"
#include "bus/virtio.h"
#include "bus/virtqueue.h"
#include "netdrv.h"

#define VIRTIO_ID_NET 1                   /* 5: device type */

#define F_MAC       (1ull << 5)           /* 5.1.3 */
#define F_STATUS    (1ull << 16)
#define F_VERSION_1 (1ull << 32)          /* 6 */
#define NET_S_LINK_UP 1

#define BUF_SIZE 2048
#define HDR_LEN 12                          /* struct virtio_net_hdr with num_buffers (5.1.6) */

static struct vq rxq __attribute__((aligned(4096)));
static struct vq txq __attribute__((aligned(4096)));
static uint8_t rx_buf[VQ_MAX][BUF_SIZE] __attribute__((aligned(16)));
static uint8_t tx_buf[VQ_MAX][BUF_SIZE] __attribute__((aligned(16)));

static bool found;
static uint64_t features;
static struct netdrv_stats stats;

const char *netdrv_name(void) { return "virtio-net"; }
const struct netdrv_stats *netdrv_stats(void) { return &stats; }
void netdrv_stats_collect(void) {}     /* no statistics registers */

bool netdrv_link_up(void)
{
    stats.phy_reads++;
    if (!found)
        return false;
    if (!(features & F_STATUS))
        return true;                        /* 5.1.4: without STATUS, the link is up */
    return (virtio_config8(6) | virtio_config8(7) << 8) & NET_S_LINK_UP;
}

static void virtio_isr(void *ctx)
{
    (void)ctx;
    (void)virtio_irq_ack();
    stats.irqs++;
    netdrv_isr_signal();
}

static void kick(struct vq *q)
{
    vq_barrier();
    if (!(q->used.flags & VQ_USED_F_NO_NOTIFY))
        virtio_queue_notify(q->index);
}

static uint16_t tx_unkicked;         /* entries made available since the last notify */

/* Notify the device of the batch of transmit entries (see netdrv.h) */
void netdrv_tx_flush(void)
{
    if (tx_unkicked) {
        tx_unkicked = 0;
        kick(&txq);
    }
}

/* low_level_output: the header (all zero: no offload) and the frame in one buffer. */
static err_t virtio_output(struct netif *netif, struct pbuf *p)
{
    (void)netif;
    vq_reclaim(&txq);
    int i = p->tot_len > BUF_SIZE - HDR_LEN ? -1 : vq_get(&txq);
    if (i < 0) {
        stats.tx_dropped++;
        LINK_STATS_INC(link.drop);
        return ERR_MEM;
    }
    memset(tx_buf[i], 0, HDR_LEN);
    pbuf_copy_partial(p, tx_buf[i] + HDR_LEN, p->tot_len, 0);
    txq.desc[i].len = HDR_LEN + p->tot_len;
    vq_post(&txq, (uint16_t)i);
    if (++tx_unkicked >= NETDRV_TX_BATCH || !txq.nfree)
        netdrv_tx_flush();
    else
        netdrv_tx_later();
    stats.tx_frames++;
    stats.tx_bytes += p->tot_len;
    LINK_STATS_INC(link.xmit);
    return ERR_OK;
}

/* The device has used a receive buffer we have not looked at (2.7.8) */
static bool virtio_net_rx_pending(void)
{
    return *(volatile uint16_t *)&rxq.used.idx != rxq.last_used;
}
bool (*const netdrv_rx_pending)(void) = virtio_net_rx_pending;

int netdrv_poll(struct netif *netif)
{
    int n = 0, posted = 0;

    vq_reclaim(&txq);
    while (rxq.last_used != rxq.used.idx && netdrv_rx_room()) {
        vq_barrier();
        struct vq_used_elem e = rxq.used.ring[rxq.last_used % rxq.size];
        rxq.last_used++;
        uint32_t i = e.id;
        if (i >= rxq.size || e.len < HDR_LEN + 14u) {
            stats.rx_errors++;
            LINK_STATS_INC(link.err);
        } else if (e.len - HDR_LEN > NETDRV_MAX_FRAME) {
            stats.rx_dropped_toobig++;
            LINK_STATS_INC(link.lenerr);
        } else {
            n += netdrv_input(netif, rx_buf[i] + HDR_LEN, (uint16_t)(e.len - HDR_LEN), &stats);
        }
        if (i < rxq.size) {
            vq_post(&rxq, (uint16_t)i);       /* the buffer again (kick shows the device) */
            posted++;
        }
    }
    if (posted)
        kick(&rxq);                         /* once for the batch: the notify write traps */
    stats.rx_waiting = (uint16_t)(rxq.used.idx - rxq.last_used);
    return n;
}

/* Set up queue `index` with `size` entries at most; returns 0, or -1 if the device has
 * no such queue. */
static int vq_init(struct vq *q, uint16_t index)
{
    uint16_t max = virtio_queue_max(index);
    if (!max)
        return -1;
    q->size = max < VQ_MAX ? max : VQ_MAX;  /* a power of two (2.7): both are */
    q->index = index;
    virtio_queue_setup(index, q->size, (uintptr_t)q->desc, (uintptr_t)&q->avail,
                       (uintptr_t)&q->used);
    return 0;
}

static err_t fail(const char *why)
{
    printf("virtio-net: %s\n", why);
    virtio_status_set(VIRTIO_STATUS_FAILED);
    return ERR_IF;
}

err_t netdrv_init(struct netif *netif)
{
    unsigned irq;
    if (virtio_find(VIRTIO_ID_NET, &irq) != 0)
        return ERR_IF;

    /* 3.1.1: reset, acknowledge, driver, features, FEATURES_OK, queues, DRIVER_OK */
    if (!virtio_reset()) {
        stats.hw_timeouts++;
        printf("virtio-net: the device did not complete its reset (status 0x%02x after %u "
               "reads); no network\n", (unsigned)virtio_status(), VIRTIO_RESET_READS);
        return ERR_IF;
    }
    virtio_status_set(VIRTIO_STATUS_ACKNOWLEDGE);
    virtio_status_set(VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
    features = virtio_device_features() & (F_VERSION_1 | F_MAC | F_STATUS);
    if (!(features & F_VERSION_1))
        return fail("the device does not offer VIRTIO_F_VERSION_1");
    virtio_driver_features(features);
    virtio_status_set(VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
                      VIRTIO_STATUS_FEATURES_OK);
    if (!(virtio_status() & VIRTIO_STATUS_FEATURES_OK) || vq_init(&rxq, 0) || vq_init(&txq, 1))
        return fail("the device refused the features or has no queues");

    if (features & F_MAC)
        netdrv_set_mac(netif, virtio_config8(0) | virtio_config8(1) << 8 |
                              virtio_config8(2) << 16 | (uint32_t)virtio_config8(3) << 24,
                       virtio_config8(4) | virtio_config8(5) << 8);
    else
        netdrv_set_mac(netif, 0x00525402u, 0x0100u);     /* a locally administered one */

    for (uint16_t i = 0; i < rxq.size; i++) {
        rxq.desc[i] = (struct vq_desc){ .addr = (uintptr_t)rx_buf[i], .len = BUF_SIZE,
                                        .flags = VQ_DESC_F_WRITE };
        vq_post(&rxq, i);
    }
    for (uint16_t i = 0; i < txq.size; i++)
        txq.desc[i] = (struct vq_desc){ .addr = (uintptr_t)tx_buf[i] };
    vq_free_init(&txq);

    if (board_irq_attach(irq, virtio_isr, NULL) != 0)
        return fail("its interrupt line is taken");
    virtio_status_set(VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
                      VIRTIO_STATUS_FEATURES_OK | VIRTIO_STATUS_DRIVER_OK);
    found = true;
    kick(&rxq);
    netdrv_netif_setup(netif, virtio_output);
    return ERR_OK;
}
