/*
 * stellaris_rx.h - what the Stellaris LM3S6965 Ethernet MAC's receive FIFO says of the next
 * frame (LM3S6965 datasheet, chapter 15, "MAC Layer FIFOs" and its RX FIFO table): the
 * low 16 bits of the frame's first FIFO word are its FIFO length, which counts the 2-byte
 * length field itself, the frame and its 4-byte FCS; the frame's bytes follow, packed into
 * 32-bit words. A pure function of that word, so that the host unit tests
 * (tests/unit/test_stellaris_rx.c) check every length.
 */
#ifndef DRIVERS_NET_STELLARIS_RX_H
#define DRIVERS_NET_STELLARIS_RX_H

#include <stdint.h>

#define ENET_RX_FIFO_BYTES 2048u        /* the receive FIFO: 2 KiB */
#define ENET_RX_OVERHEAD 6u             /* the length field and the FCS */

enum enet_rx {
    ENET_RX_FRAME,      /* a frame to take: *frame_len bytes (FCS excluded) */
    ENET_RX_RUNT,       /* shorter than an Ethernet header: drop its *rest words */
    ENET_RX_TOOBIG,     /* longer than max_frame: drop its *rest words */
    ENET_RX_BADLEN,     /* no frame has this length (below the length field and FCS, or
                         * beyond the FIFO): the FIFO is out of step, reset it */
};

/* Classify the frame whose first FIFO word is `first`; *rest is how many more FIFO words it
 * occupies (at most the FIFO's, never an underflow; 0 for ENET_RX_BADLEN) and *frame_len
 * its length without the length field and FCS (0 unless ENET_RX_FRAME). */
static inline enum enet_rx enet_rx_check(uint32_t first, uint32_t max_frame, uint32_t *rest,
                                         uint32_t *frame_len)
{
    uint32_t fifo_len = first & 0xFFFFu;
    *rest = 0;
    *frame_len = 0;
    if (fifo_len < ENET_RX_OVERHEAD || fifo_len > ENET_RX_FIFO_BYTES)
        return ENET_RX_BADLEN;
    *rest = (fifo_len + 3u) / 4u - 1u;  /* at least 1: fifo_len >= 6 */
    if (fifo_len < ENET_RX_OVERHEAD + 14u)
        return ENET_RX_RUNT;
    if (fifo_len - ENET_RX_OVERHEAD > max_frame)
        return ENET_RX_TOOBIG;
    *frame_len = fifo_len - ENET_RX_OVERHEAD;
    return ENET_RX_FRAME;
}

#endif
