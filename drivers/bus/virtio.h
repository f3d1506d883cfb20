/*
 * virtio.h - the transport side of one virtio device (Virtual I/O Device (VIRTIO) Version
 * 1.2, OASIS, chapter 4): how a device driver (net/virtio_net.c) finds its device, reads
 * and writes the device status and feature bits, sets up virtqueues, notifies the device
 * and acknowledges its interrupt. Two implementations, one linked per image:
 *   bus/virtio_pci.c   4.1 "Virtio Over PCI Bus", the modern interface (x86: virtio-net-pci)
 *   bus/virtio_mmio.c  4.2 "Virtio Over MMIO", version 2 (QEMU virt: virtio-net-device)
 * Only modern (VIRTIO_F_VERSION_1) devices: the legacy layouts differ per transport.
 * The driver owns the virtqueues' memory; the transport only tells the device where it is.
 */
#ifndef DRIVERS_BUS_VIRTIO_H
#define DRIVERS_BUS_VIRTIO_H

#include <stdint.h>

/* Device status bits (2.1) */
#define VIRTIO_STATUS_ACKNOWLEDGE 1u
#define VIRTIO_STATUS_DRIVER      2u
#define VIRTIO_STATUS_DRIVER_OK   4u
#define VIRTIO_STATUS_FEATURES_OK 8u
#define VIRTIO_STATUS_FAILED      128u

/*
 * Find a device of virtio device type `type` (5: 1 is a network card) and map its
 * registers. Returns 0 with *irq its interrupt line (board_irq_attach numbering), or -1 if
 * there is none usable; a device that is there but cannot be used (a legacy-only one, a
 * BAR above 4 GiB) is named in a message on the console. Boot time, once.
 */
int virtio_find(unsigned type, unsigned *irq);

/* Read and write the device status (2.1); writing 0 resets the device (and a reset is
 * complete when the status reads 0 again). */
uint8_t virtio_status(void);
void virtio_status_set(uint8_t status);

/* The 64 feature bits the device offers (2.2), and the ones the driver accepts. */
uint64_t virtio_device_features(void);
void virtio_driver_features(uint64_t features);

/* Largest size of queue `index`, or 0 if the device has no such queue. */
uint16_t virtio_queue_max(uint16_t index);

/* Give queue `index` its size (entries, a power of two up to virtio_queue_max()) and the
 * bus addresses of its descriptor table, driver (available) and device (used) rings, then
 * enable it. */
void virtio_queue_setup(uint16_t index, uint16_t size, uint64_t desc, uint64_t driver,
                        uint64_t device);

/* Tell the device that queue `index` has new available entries (a register write: on QEMU
 * a trap to the host). */
void virtio_queue_notify(uint16_t index);

/* From the interrupt handler: read and acknowledge the interrupt status (bit 0: a used
 * ring changed; bit 1: the configuration changed). Returns it. */
uint32_t virtio_irq_ack(void);

/* Byte `off` of the device-specific configuration (5.1.4 for a network card). */
uint8_t virtio_config8(unsigned off);

#endif
