/*
 * virtio_mmio.c - virtio over memory-mapped registers, version 2 (VIRTIO 1.2, 4.2.2 "MMIO
 * Device Register Layout"; see virtio.h). A board wires a row of transports (QEMU virt: 32
 * of them at 0x0a000000, 0x200 apart, shared interrupts 16-47, i.e. GIC IDs 48-79), each
 * with a device or none (DeviceID 0); the first with the wanted type is taken. QEMU keeps
 * its transports legacy (Version 1) unless told `-global virtio-mmio.force-legacy=false`:
 * a legacy one is reported and skipped.
 */
#include <stdint.h>
#include <stdio.h>

#include "bus/virtio.h"
#include "net/wiring.h"

#define R(off) (*(volatile uint32_t *)(base + (off)))
#define MAGIC           0x000u          /* "virt" little-endian */
#define VERSION         0x004u
#define DEVICE_ID       0x008u
#define DEV_FEATURES    0x010u
#define DEV_FEATURES_SEL 0x014u
#define DRV_FEATURES    0x020u
#define DRV_FEATURES_SEL 0x024u
#define QUEUE_SEL       0x030u
#define QUEUE_NUM_MAX   0x034u
#define QUEUE_NUM       0x038u
#define QUEUE_READY     0x044u
#define QUEUE_NOTIFY    0x050u
#define IRQ_STATUS      0x060u
#define IRQ_ACK         0x064u
#define STATUS          0x070u
#define QUEUE_DESC_LO   0x080u
#define QUEUE_DESC_HI   0x084u
#define QUEUE_DRIVER_LO 0x090u
#define QUEUE_DRIVER_HI 0x094u
#define QUEUE_DEVICE_LO 0x0A0u
#define QUEUE_DEVICE_HI 0x0A4u
#define CONFIG          0x100u

#define MAGIC_VALUE 0x74726976u

static uintptr_t base;

int virtio_find(unsigned type, unsigned *irq)
{
    unsigned count = board_netdrv.count ? board_netdrv.count : 1u;
    for (unsigned i = 0; i < count; i++) {
        uintptr_t b = board_netdrv.base + i * board_netdrv.stride;
        volatile uint32_t *r = (volatile uint32_t *)b;
        if (r[MAGIC / 4] != MAGIC_VALUE || r[DEVICE_ID / 4] != type)
            continue;
        if (r[VERSION / 4] != 2u) {
            printf("virtio-mmio: device type %u at 0x%lx is legacy (version %u); QEMU: "
                   "-global virtio-mmio.force-legacy=false\n", type, (unsigned long)b,
                   (unsigned)r[VERSION / 4]);
            continue;
        }
        base = b;
        *irq = board_netdrv.irq + i;
        return 0;
    }
    return -1;
}

uint8_t virtio_status(void) { return (uint8_t)R(STATUS); }
void virtio_status_set(uint8_t status) { R(STATUS) = status; }

uint64_t virtio_device_features(void)
{
    R(DEV_FEATURES_SEL) = 0;
    uint64_t f = R(DEV_FEATURES);
    R(DEV_FEATURES_SEL) = 1;
    return f | (uint64_t)R(DEV_FEATURES) << 32;
}

void virtio_driver_features(uint64_t features)
{
    R(DRV_FEATURES_SEL) = 0;
    R(DRV_FEATURES) = (uint32_t)features;
    R(DRV_FEATURES_SEL) = 1;
    R(DRV_FEATURES) = (uint32_t)(features >> 32);
}

uint16_t virtio_queue_max(uint16_t index)
{
    R(QUEUE_SEL) = index;
    if (R(QUEUE_READY))
        return 0;                        /* 4.2.3.2: must not be in use yet */
    uint32_t max = R(QUEUE_NUM_MAX);
    return max > 0xFFFFu ? 0x8000u : (uint16_t)max;
}

void virtio_queue_setup(uint16_t index, uint16_t size, uint64_t desc, uint64_t driver,
                        uint64_t device)
{
    R(QUEUE_SEL) = index;
    R(QUEUE_NUM) = size;
    R(QUEUE_DESC_LO) = (uint32_t)desc;
    R(QUEUE_DESC_HI) = (uint32_t)(desc >> 32);
    R(QUEUE_DRIVER_LO) = (uint32_t)driver;
    R(QUEUE_DRIVER_HI) = (uint32_t)(driver >> 32);
    R(QUEUE_DEVICE_LO) = (uint32_t)device;
    R(QUEUE_DEVICE_HI) = (uint32_t)(device >> 32);
    R(QUEUE_READY) = 1;
}

void virtio_queue_notify(uint16_t index) { R(QUEUE_NOTIFY) = index; }

uint32_t virtio_irq_ack(void)
{
    uint32_t st = R(IRQ_STATUS);
    R(IRQ_ACK) = st;
    return st;
}

uint8_t virtio_config8(unsigned off) { return *(volatile uint8_t *)(base + CONFIG + off); }
