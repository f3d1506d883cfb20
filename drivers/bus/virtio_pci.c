/*
 * virtio_pci.c - virtio over PCI, the modern interface (VIRTIO 1.2, 4.1; see virtio.h):
 * the registers are structures in memory BARs that vendor capabilities point to (4.1.4):
 * common configuration, notifications, ISR status and the device's own configuration.
 * The legacy I/O-port interface is not used (QEMU: -device ...,disable-legacy=on). Paging
 * is off on the boards that use this (x86): a BAR's address is where we read it.
 */
#include <stdint.h>
#include <stdio.h>

#include "bus/pci.h"
#include "bus/virtio.h"

#define VIRTIO_VENDOR 0x1AF4
#define VIRTIO_MODERN_BASE 0x1040        /* device ID = 0x1040 + device type (4.1.2.1) */

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

#define MAX_QUEUES 2
static volatile struct virtio_common *common;
static volatile uint8_t *isr_status, *devcfg;
static uintptr_t notify_base;
static uint32_t notify_mult;
static volatile uint16_t *notify[MAX_QUEUES];

/* Map a capability's structure: BAR + offset, which must lie below 4 GiB (no paging). */
static volatile uint8_t *cap_map(const struct pci_dev *d, unsigned cap)
{
    unsigned bar = pci_cfg_read(d, cap + 4) & 0xFF;
    uint64_t a = pci_bar(d, bar);
    if (!a || bar > 5)
        return NULL;
    a += pci_cfg_read(d, cap + 8);
    if (a >> 32) {
        printf("virtio-pci: BAR %u is above 4 GiB (0x%08lx%08lx)\n", bar,
               (unsigned long)(a >> 32), (unsigned long)a);
        return NULL;
    }
    return (volatile uint8_t *)(uintptr_t)a;
}

int virtio_find(unsigned type, unsigned *irq)
{
    struct pci_dev pci;
    if (pci_find(VIRTIO_VENDOR, (uint16_t)(VIRTIO_MODERN_BASE + type), &pci) != 0)
        return -1;
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
        printf("virtio-pci: device without the modern interface's structures\n");
        common = NULL;
        return -1;
    }
    *irq = pci.irq;
    return 0;
}

uint8_t virtio_status(void) { return common->device_status; }
void virtio_status_set(uint8_t status) { common->device_status = status; }

uint64_t virtio_device_features(void)
{
    common->device_feature_select = 0;
    uint64_t f = common->device_feature;
    common->device_feature_select = 1;
    return f | (uint64_t)common->device_feature << 32;
}

void virtio_driver_features(uint64_t features)
{
    common->driver_feature_select = 0;
    common->driver_feature = (uint32_t)features;
    common->driver_feature_select = 1;
    common->driver_feature = (uint32_t)(features >> 32);
}

uint16_t virtio_queue_max(uint16_t index)
{
    if (index >= MAX_QUEUES)
        return 0;
    common->queue_select = index;
    return common->queue_size;
}

void virtio_queue_setup(uint16_t index, uint16_t size, uint64_t desc, uint64_t driver,
                        uint64_t device)
{
    common->queue_select = index;
    common->queue_size = size;
    common->queue_desc_lo = (uint32_t)desc;
    common->queue_desc_hi = (uint32_t)(desc >> 32);
    common->queue_driver_lo = (uint32_t)driver;
    common->queue_driver_hi = (uint32_t)(driver >> 32);
    common->queue_device_lo = (uint32_t)device;
    common->queue_device_hi = (uint32_t)(device >> 32);
    notify[index] = (volatile uint16_t *)(notify_base +
                                          (uintptr_t)common->queue_notify_off * notify_mult);
    common->queue_enable = 1;
}

void virtio_queue_notify(uint16_t index) { *notify[index] = index; }

/* Reading the ISR status acknowledges the interrupt (4.1.4.5). */
uint32_t virtio_irq_ack(void) { return *isr_status; }

uint8_t virtio_config8(unsigned off) { return devcfg[off]; }
