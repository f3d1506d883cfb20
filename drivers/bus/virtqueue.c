/* virtqueue.c - the device reset and split virtqueues of any virtio driver (see virtqueue.h). */
#include "bus/virtio.h"
#include "bus/virtqueue.h"

bool virtio_reset(void)
{
    virtio_status_set(0);
    for (uint32_t n = 0; n < VIRTIO_RESET_READS; n++)
        if (virtio_status() == 0)
            return true;
    return false;
}

void vq_free_init(struct vq *q)
{
    q->nfree = q->size;
    for (uint16_t i = 0; i < q->size; i++) {
        q->free_ids[i] = (uint16_t)(q->size - 1u - i);      /* id 0 comes out first */
        q->in_flight[i] = false;
    }
}

int vq_get(struct vq *q)
{
    if (!q->nfree)
        return -1;
    uint16_t id = q->free_ids[--q->nfree];
    q->in_flight[id] = true;
    return id;
}

void vq_post(struct vq *q, uint16_t id)
{
    q->avail.ring[q->avail.idx % q->size] = id;
    vq_barrier();                           /* the entry before the index that shows it */
    q->avail.idx++;
}

unsigned vq_reclaim(struct vq *q)
{
    unsigned n = 0;
    while (q->last_used != *(volatile uint16_t *)&q->used.idx) {
        vq_barrier();                       /* the element after the index that shows it */
        uint32_t id = q->used.ring[q->last_used % q->size].id;
        q->last_used++;
        if (id >= q->size || !q->in_flight[id])
            continue;
        q->in_flight[id] = false;
        q->free_ids[q->nfree++] = (uint16_t)id;
        n++;
    }
    return n;
}
