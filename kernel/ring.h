/*
 * ring.h - a single-producer single-consumer byte ring for an interrupt handler (producer)
 * and a task (consumer). Free-running 32-bit indices; size must be a power of two. With one
 * writer per index and aligned 32-bit loads and stores, no lock is needed.
 */
#ifndef KERNEL_RING_H
#define KERNEL_RING_H

#include <stdbool.h>
#include <stdint.h>

#define K_RING_SIZE 256u

struct k_ring {
    volatile uint32_t head;      /* written by the producer only */
    volatile uint32_t tail;      /* written by the consumer only */
    volatile uint8_t buf[K_RING_SIZE];
};

static inline bool k_ring_full(const struct k_ring *r) { return r->head - r->tail == K_RING_SIZE; }

/* Producer: store c; false if the ring is full (c not stored). */
static inline bool k_ring_put(struct k_ring *r, uint8_t c)
{
    if (k_ring_full(r))
        return false;
    r->buf[r->head % K_RING_SIZE] = c;
    __asm__ volatile("" : : : "memory");
    r->head++;
    return true;
}

/* Consumer: the oldest byte, or -1 if empty. */
static inline int k_ring_get(struct k_ring *r)
{
    int c;
    if (r->tail == r->head)
        return -1;
    c = r->buf[r->tail % K_RING_SIZE];
    __asm__ volatile("" : : : "memory");
    r->tail++;
    return c;
}

#endif
