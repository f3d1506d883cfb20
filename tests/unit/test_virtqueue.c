/* test_virtqueue.c - the transport-independent half of the virtio driver
 * (drivers/bus/virtqueue.c) against a fake device: a reset the device never completes
 * ends after a bounded number of reads instead of hanging the boot, and transmit
 * descriptors come back by the ids the used ring names, in whatever order the device used
 * them (virtio 1.2, 2.7.8), never while the device still holds them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "bus/virtio.h"
#include "bus/virtqueue.h"

/* The fake transport: the status register reads `status` after `reset_reads` reads. */
static uint8_t status, status_after_reset;
static uint32_t reads, reset_reads;

uint8_t virtio_status(void)
{
    if (++reads >= reset_reads)
        status = status_after_reset;
    return status;
}
void virtio_status_set(uint8_t s) { status = s ? s : 0x0F; }   /* 0: a reset, in progress */

static void test_reset_completes(void **state)
{
    (void)state;
    reads = 0;
    reset_reads = 3;
    status_after_reset = 0;
    assert_true(virtio_reset());
    assert_int_equal(reads, 3);
}

static void test_reset_that_never_completes_gives_up(void **state)
{
    (void)state;
    reads = 0;
    reset_reads = UINT32_MAX;
    status_after_reset = 0x0F;
    assert_false(virtio_reset());
    assert_int_equal(reads, VIRTIO_RESET_READS);
}

static struct vq q;

/* The device uses descriptor id: the next element of the used ring. */
static void device_uses(uint32_t id)
{
    q.used.ring[q.used.idx % q.size] = (struct vq_used_elem){ .id = id, .len = 64 };
    q.used.idx++;
}

static void fill(unsigned size)
{
    memset(&q, 0, sizeof(q));
    q.size = (uint16_t)size;
    vq_free_init(&q);
}

static void test_descriptors_come_back_by_id_out_of_order(void **state)
{
    (void)state;
    fill(8);
    for (int i = 0; i < 8; i++) {
        int id = vq_get(&q);
        assert_int_equal(id, i);
        vq_post(&q, (uint16_t)id);
    }
    assert_int_equal(vq_get(&q), -1);                  /* all with the device */
    assert_int_equal(q.avail.idx, 8);
    device_uses(5);                                     /* not the order they went in */
    device_uses(2);
    assert_int_equal(vq_reclaim(&q), 2);
    /* exactly 5 and 2 are free again: 0 and 1, still with the device, are not handed out
     * (the in-order assumption would give 0 and 1) */
    int a = vq_get(&q), b = vq_get(&q);
    assert_true((a == 5 && b == 2) || (a == 2 && b == 5));
    assert_int_equal(vq_get(&q), -1);
    assert_int_equal(vq_reclaim(&q), 0);               /* nothing new used */
    for (uint32_t id = 0; id < 8; id++)                 /* the rest, and the wrap of used.idx */
        if (id != 5 && id != 2)
            device_uses(id);
    assert_int_equal(vq_reclaim(&q), 6);
    assert_int_equal(q.nfree, 6);
}

static void test_used_ids_that_name_no_descriptor_in_flight_are_ignored(void **state)
{
    (void)state;
    fill(4);
    int id = vq_get(&q);
    vq_post(&q, (uint16_t)id);
    device_uses(4);                                     /* out of range */
    device_uses(70000);
    device_uses(3);                                     /* free, never given */
    device_uses((uint32_t)id);
    device_uses((uint32_t)id);                          /* used twice */
    assert_int_equal(vq_reclaim(&q), 1);
    assert_int_equal(q.nfree, 4);                       /* never more than the queue */
    for (int i = 0; i < 4; i++)
        assert_int_not_equal(vq_get(&q), -1);
    assert_int_equal(vq_get(&q), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reset_completes),
        cmocka_unit_test(test_reset_that_never_completes_gives_up),
        cmocka_unit_test(test_descriptors_come_back_by_id_out_of_order),
        cmocka_unit_test(test_used_ids_that_name_no_descriptor_in_flight_are_ignored),
    };
    return cmocka_run_group_tests_name("virtqueue", tests, NULL, NULL);
}
