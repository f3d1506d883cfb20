/*
 * virtqueue.h - the transport-independent half of a virtio driver (Virtual I/O Device
 * (VIRTIO) Version 1.2, OASIS): the bounded device reset (2.4) and the driver's side of a
 * split virtqueue (2.7) whose buffers the device may use in any order. It calls only the
 * transport's status functions (bus/virtio.h) and touches only memory, so the host unit
 * tests (tests/unit/test_virtqueue.c) run it against a fake device.
 */
#ifndef DRIVERS_BUS_VIRTQUEUE_H
#define DRIVERS_BUS_VIRTQUEUE_H

#include <stdbool.h>
#include <stdint.h>

/* Reset the device: write 0 to its status, then wait until the status reads 0 (2.4.2,
 * 4.1.4.3.2: the driver must see 0 before it sets the device up again), at most
 * VIRTIO_RESET_READS reads. @return true when the reset completed; false if the device
 * never showed it (then it is unusable: the caller gives it up). */
#define VIRTIO_RESET_READS 100000u
bool virtio_reset(void);

#define VQ_MAX 256                          /* entries of a queue at most */

/* A split virtqueue (2.7) and the driver's bookkeeping of its descriptors. */
struct vq_desc {
    uint64_t addr;
    uint32_t len;
    uint16_t flags, next;
};
#define VQ_DESC_F_WRITE 2                   /* the device writes the buffer (2.7.5) */
struct vq_used_elem {
    uint32_t id, len;
};
#define VQ_USED_F_NO_NOTIFY 1               /* 2.7.10 */

struct vq {
    struct vq_desc desc[VQ_MAX] __attribute__((aligned(16)));
    struct {
        uint16_t flags, idx, ring[VQ_MAX], used_event;
    } avail __attribute__((aligned(2)));
    struct {
        uint16_t flags, idx;
        struct vq_used_elem ring[VQ_MAX];
        uint16_t avail_event;
    } used __attribute__((aligned(4)));
    uint16_t size;                          /* entries in use: the device's maximum, at most VQ_MAX */
    uint16_t last_used;                     /* used.idx up to which we have looked */
    uint16_t index;
    /* descriptors the driver may fill: a stack of their ids, and which ones the device has */
    uint16_t nfree, free_ids[VQ_MAX];
    bool in_flight[VQ_MAX];
};

/* The device reads and writes the rings in memory: order our stores and its loads. */
#define vq_barrier() __atomic_thread_fence(__ATOMIC_SEQ_CST)

/* Every descriptor of q (q->size of them) free, none in flight. */
void vq_free_init(struct vq *q);

/* A free descriptor's id to fill, or -1 if all are with the device. */
int vq_get(struct vq *q);

/* Make descriptor id (filled, from vq_get()) available to the device (2.7.13): into the
 * available ring, then the ring's index. The device is not notified. */
void vq_post(struct vq *q, uint16_t id);

/* Take back the descriptors the device has used since the last call, by the ids its used
 * ring names (2.7.8): the device need not use them in the order they were made available
 * (2.6; only a device offering VIRTIO_F_IN_ORDER promises that, 2.7.9). An id out of
 * range or not in flight (a device's bug) is ignored: no descriptor is ever freed twice.
 * @return descriptors freed. */
unsigned vq_reclaim(struct vq *q);

#endif
