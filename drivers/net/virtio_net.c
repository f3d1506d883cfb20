/*
 * virtio_net.c - virtio network device over PCI, the modern (version 1) interface
 * (Virtual I/O Device (VIRTIO) Version 1.2, OASIS: 4.1 "Virtio Over PCI Bus", 2.7 "Split
 * Virtqueues", 5.1 "Network Device"). QEMU: -device virtio-net-pci,disable-legacy=on.
 *
 * Only the modern interface: its registers are in memory BARs found through PCI vendor
 * capabilities, which is also how the virtio-mmio transport of other machines lays them
 * out; the legacy I/O-port interface would be x86-only. Features taken: VERSION_1, MAC,
 * STATUS; no checksum offload, no merged buffers, no control queue. One receive and one
 * transmit queue of up to 256 entries, each entry one 2 KiB buffer in static memory that
 * holds the 12-byte virtio-net header and a whole frame (paging is off: physical =
 * virtual). Receive buffers are given back to the device from the poll loop; while lwIP's
 * input queue is full they stay with us and the device holds new frames back (it never
 * drops them for want of a buffer, unlike the LAN9118's FIFO). The interrupt handler reads
 * the ISR status (which acknowledges it) and marks the poll hook.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "lwip/pbuf.h"
#include "lwip/stats.h"

#include "board.h"
#include "bus/pci.h"
#include "netdrv.h"

#define VIRTIO_VENDOR 0x1AF4
#define VIRTIO_NET_MODERN 0x1041         /* 0x1040 + device type 1 (4.1.2.1) */

/* PCI vendor capability (4.1.4): cfg_type */
#define CAP_COMMON 1
#define CAP_NOTIFY 2
#define CAP_ISR    3
#define CAP_DEVICE 4

/* common configuration structure (4.1.4.3) */
struct virtio_common {
    uint32_t device_feature_select, device_feature;
    uint32_t driver_feature_select, driver_feature;
    uint16_t msix_config, num_queues;
    uint8_t device_status, config_generation;
    uint16_t queue_select, queue_size, queue_msix_vector, queue_enable, queue_notify_off;
    uint32_t queue_desc_lo, queue_desc_hi;
    uint32_t queue_driver_lo, queue_driver_hi;
    uint32_t queue_device_lo, queue_device_hi;
} __attribute__((packed));

#define STATUS_ACKNOWLEDGE 1
#define STATUS_DRIVER      2
#define STATUS_DRIVER_OK   4
#define STATUS_FEATURES_OK 8
#define STATUS_FAILED      128

#define F_MAC       (1ull << 5)           /* 5.1.3 */
#define F_STATUS    (1ull << 16)
#define F_VERSION_1 (1ull << 32)          /* 6 */
#define NET_S_LINK_UP 1

/* split virtqueue (2.7) */
struct vq_desc {
    uint64_t addr;
    uint32_t len;
    uint16_t flags, next;
};
#define DESC_F_WRITE 2
struct vq_used_elem {
    uint32_t id, len;
};
#define USED_F_NO_NOTIFY 1

#define QSIZE 256
#define BUF_SIZE 2048
#define HDR_LEN 12                          /* struct virtio_net_hdr with num_buffers (5.1.6) */

struct vq {
    struct vq_desc desc[QSIZE] __attribute__((aligned(16)));
    struct {
        uint16_t flags, idx, ring[QSIZE], used_event;
    } avail __attribute__((aligned(2)));
    struct {
        uint16_t flags, idx;
        struct vq_used_elem ring[QSIZE];
        uint16_t avail_event;
    } used __attribute__((aligned(4)));
    uint16_t size;                          /* entries in use: the device's maximum, at most QSIZE */
    uint16_t last_used;                     /* used.idx up to which we have looked */
    volatile uint16_t *notify;              /* where to write the queue's index to kick it */
    uint16_t index;
};

static struct vq rxq __attribute__((aligned(4096)));
static struct vq txq __attribute__((aligned(4096)));
static uint8_t rx_buf[QSIZE][BUF_SIZE] __attribute__((aligned(16)));
static uint8_t tx_buf[QSIZE][BUF_SIZE] __attribute__((aligned(16)));
static uint16_t tx_free;                    /* transmit entries the device has given back */
static uint16_t tx_next;                    /* next transmit entry to fill */

static volatile struct virtio_common *common;
static volatile uint8_t *isr_status, *devcfg;
static uintptr_t notify_base;
static uint32_t notify_mult;
static uint64_t features;
static struct netdrv_stats stats;

/* The device reads and writes the rings in memory: order our stores and its loads. */
#define barrier() __atomic_thread_fence(__ATOMIC_SEQ_CST)

const char *netdrv_name(void) { return "virtio-net"; }
const struct netdrv_stats *netdrv_stats(void) { return &stats; }

bool netdrv_link_up(void)
{
    stats.phy_reads++;
    if (!common)
        return false;
    if (!(features & F_STATUS))
        return true;                        /* 5.1.4: without STATUS, the link is up */
    return (devcfg[6] | devcfg[7] << 8) & NET_S_LINK_UP;
}

static void virtio_isr(void *ctx)
{
    (void)ctx;
    (void)*isr_status;                      /* reading acknowledges (4.1.4.5) */
    stats.irqs++;
    netdrv_isr_signal();
}

static void kick(struct vq *q)
{
    barrier();
    if (!(q->used.flags & USED_F_NO_NOTIFY))
        *q->notify = q->index;
}

/* Give the device receive entry i again (not yet visible: kick publishes the index). */
static void rx_post(uint16_t i)
{
    rxq.avail.ring[rxq.avail.idx % rxq.size] = i;
    barrier();
    rxq.avail.idx++;
}

/* Take back the transmit entries the device has used. */
static void tx_reclaim(void)
{
    while (txq.last_used != txq.used.idx) {
        barrier();
        txq.last_used++;
        tx_free++;
    }
}

/* low_level_output: the header (all zero: no offload) and the frame in one buffer. */
static err_t virtio_output(struct netif *netif, struct pbuf *p)
{
    (void)netif;
    tx_reclaim();
    if (!tx_free || p->tot_len > BUF_SIZE - HDR_LEN) {
        stats.tx_dropped++;
        LINK_STATS_INC(link.drop);
        return ERR_MEM;
    }
    uint16_t i = tx_next;
    memset(tx_buf[i], 0, HDR_LEN);
    pbuf_copy_partial(p, tx_buf[i] + HDR_LEN, p->tot_len, 0);
    txq.desc[i].len = HDR_LEN + p->tot_len;
    txq.avail.ring[txq.avail.idx % txq.size] = i;
    barrier();
    txq.avail.idx++;
    tx_next = (uint16_t)((tx_next + 1) % txq.size);
    tx_free--;
    kick(&txq);
    stats.tx_frames++;
    stats.tx_bytes += p->tot_len;
    LINK_STATS_INC(link.xmit);
    return ERR_OK;
}

int netdrv_poll(struct netif *netif)
{
    int n = 0, posted = 0;

    tx_reclaim();
    while (rxq.last_used != rxq.used.idx && netdrv_rx_room()) {
        barrier();
        struct vq_used_elem e = rxq.used.ring[rxq.last_used % rxq.size];
        rxq.last_used++;
        uint16_t i = (uint16_t)e.id;
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
            rx_post(i);
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
    common->queue_select = index;
    uint16_t max = common->queue_size;
    if (!max)
        return -1;
    q->size = max < QSIZE ? max : QSIZE;    /* a power of two (2.7): both are */
    q->index = index;
    common->queue_size = q->size;
    common->queue_desc_lo = (uint32_t)(uintptr_t)q->desc;
    common->queue_desc_hi = 0;
    common->queue_driver_lo = (uint32_t)(uintptr_t)&q->avail;
    common->queue_driver_hi = 0;
    common->queue_device_lo = (uint32_t)(uintptr_t)&q->used;
    common->queue_device_hi = 0;
    q->notify = (volatile uint16_t *)(notify_base + (uintptr_t)common->queue_notify_off * notify_mult);
    common->queue_enable = 1;
    return 0;
}

/* Map a capability's structure: BAR + offset, which must lie below 4 GiB (no paging). */
static volatile uint8_t *cap_map(const struct pci_dev *d, unsigned cap)
{
    unsigned bar = pci_cfg_read(d, cap + 4) & 0xFF;
    uint64_t a = pci_bar(d, bar);
    if (!a || bar > 5)
        return NULL;
    a += pci_cfg_read(d, cap + 8);
    if (a >> 32) {
        printf("virtio-net: BAR %u is above 4 GiB (0x%08lx%08lx)\n", bar,
               (unsigned long)(a >> 32), (unsigned long)a);
        return NULL;
    }
    return (volatile uint8_t *)(uintptr_t)a;
}

err_t netdrv_init(struct netif *netif)
{
    struct pci_dev pci;
    if (pci_find(VIRTIO_VENDOR, VIRTIO_NET_MODERN, &pci) != 0)
        return ERR_IF;
    for (unsigned cap = pci_cap_next(&pci, 0x09, 0); cap; cap = pci_cap_next(&pci, 0x09, cap)) {
        /* the vendor capability (4.1.4): cap_vndr, cap_next, cap_len, cfg_type | bar,
         * padding | offset | length (| notify_off_multiplier) */
        uint8_t cfg_type = (pci_cfg_read(&pci, cap) >> 24) & 0xFF;
        volatile uint8_t *m;
        switch (cfg_type) {
        case CAP_COMMON:
            if (!common && (m = cap_map(&pci, cap)))
                common = (volatile struct virtio_common *)m;
            break;
        case CAP_NOTIFY:
            if (!notify_base && (m = cap_map(&pci, cap))) {
                notify_base = (uintptr_t)m;
                notify_mult = pci_cfg_read(&pci, cap + 16);
            }
            break;
        case CAP_ISR:
            if (!isr_status)
                isr_status = cap_map(&pci, cap);
            break;
        case CAP_DEVICE:
            if (!devcfg)
                devcfg = cap_map(&pci, cap);
            break;
        }
    }
    if (!common || !notify_base || !isr_status || !devcfg) {
        printf("virtio-net: device without the modern interface's structures\n");
        common = NULL;
        return ERR_IF;
    }

    /* 3.1.1: reset, acknowledge, driver, features, FEATURES_OK, queues, DRIVER_OK */
    common->device_status = 0;
    while (common->device_status != 0)
        ;
    common->device_status = STATUS_ACKNOWLEDGE;
    common->device_status = STATUS_ACKNOWLEDGE | STATUS_DRIVER;
    common->device_feature_select = 0;
    uint64_t offered = common->device_feature;
    common->device_feature_select = 1;
    offered |= (uint64_t)common->device_feature << 32;
    features = offered & (F_VERSION_1 | F_MAC | F_STATUS);
    if (!(features & F_VERSION_1)) {
        printf("virtio-net: the device does not offer VIRTIO_F_VERSION_1\n");
        common->device_status = STATUS_FAILED;
        common = NULL;
        return ERR_IF;
    }
    common->driver_feature_select = 0;
    common->driver_feature = (uint32_t)features;
    common->driver_feature_select = 1;
    common->driver_feature = (uint32_t)(features >> 32);
    common->device_status = STATUS_ACKNOWLEDGE | STATUS_DRIVER | STATUS_FEATURES_OK;
    if (!(common->device_status & STATUS_FEATURES_OK) || vq_init(&rxq, 0) || vq_init(&txq, 1)) {
        printf("virtio-net: the device refused the features or has no queues\n");
        common->device_status = STATUS_FAILED;
        common = NULL;
        return ERR_IF;
    }

    if (features & F_MAC)
        netdrv_set_mac(netif, devcfg[0] | devcfg[1] << 8 | devcfg[2] << 16 | (uint32_t)devcfg[3] << 24,
                       devcfg[4] | devcfg[5] << 8);
    else
        netdrv_set_mac(netif, 0x00525402u, 0x0100u);     /* a locally administered one */

    for (uint16_t i = 0; i < rxq.size; i++) {
        rxq.desc[i] = (struct vq_desc){ .addr = (uint32_t)(uintptr_t)rx_buf[i], .len = BUF_SIZE,
                                        .flags = DESC_F_WRITE };
        rx_post(i);
    }
    for (uint16_t i = 0; i < txq.size; i++)
        txq.desc[i] = (struct vq_desc){ .addr = (uint32_t)(uintptr_t)tx_buf[i] };
    tx_free = txq.size;
    tx_next = 0;

    if (board_irq_attach(pci.irq, virtio_isr, NULL) != 0) {
        common->device_status = STATUS_FAILED;
        common = NULL;
        return ERR_IF;
    }
    common->device_status = STATUS_ACKNOWLEDGE | STATUS_DRIVER | STATUS_FEATURES_OK |
                            STATUS_DRIVER_OK;
    kick(&rxq);
    netdrv_netif_setup(netif, virtio_output);
    return ERR_OK;
}
