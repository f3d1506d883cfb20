/*
 * tcp_rto.c - an upper bound on lwIP's retransmission timeout.
 *
 * lwIP 2.1 backs its RTO off by shifting the smoothed estimate left by up to 7 bits
 * (tcp_backoff[] in core/tcp.c), bounded only by 0x7FFF slow-timer ticks (4.5 hours): a
 * connection that loses a few retransmissions in a row (a burst that overflows the
 * LAN9118's receive FIFO drops the peer's ACKs) waits minutes before it tries again, and
 * looks hung. RFC 6298 (2.5) allows a maximum of at least 60 s; Linux uses 120 s. lwIP has
 * no option for it and is compiled untouched, so after each run of lwIP's TCP timer (linker
 * --wrap of tcp_tmr, which the tcpip thread's timeouts call every TCP_TMR_INTERVAL) the
 * RTO of every active connection is cut to net_tcp_rto_max_ms (NET_TCP_RTO_MAX_MS, or the
 * shell's `rto MS`). Only lwIP's slow timer reads the RTO (is rtime past it?), and it runs
 * on every other call of tcp_tmr (core/tcp.c: `if (++tcp_timer & 1) tcp_slowtmr()`), so the
 * cut is made just before those calls: whatever set the RTO since (a backoff in the last
 * slow run, an RTT estimate from an ACK, the shell) is cut before it is read. One walk of
 * the list per 500 ms; it was one per 250 ms, beside lwIP's six walks a second (its fast
 * timer's 4, its slow timer's 2): with
 * 30,000 idle connections the idle guest took 3.2% of a host core, against 0.8% with none
 * (make bench-net BENCH_CURVES=only, 2026-12-04).
 * Read by the tcpip thread, written by the shell: tasks do not preempt each other.
 */
#include "lwip/priv/tcp_priv.h"
#include "lwip/tcp.h"

#include "net.h"

uint32_t net_tcp_rto_max_ms = NET_TCP_RTO_MAX_MS;
uint32_t net_rto_capped;

void __real_tcp_tmr(void);
void __wrap_tcp_tmr(void);
/* Calls of tcp_tmr so far, mirroring lwIP's tcp_timer (a u8_t: its parity is the same). */
static unsigned tmr_calls;

void __wrap_tcp_tmr(void)
{
    if (++tmr_calls & 1) {               /* this call runs tcp_slowtmr() */
        s16_t max = (s16_t)(net_tcp_rto_max_ms / TCP_SLOW_INTERVAL);
        for (struct tcp_pcb *pcb = tcp_active_pcbs; pcb; pcb = pcb->next)
            if (pcb->rto > max) {
                pcb->rto = max;
                net_rto_capped++;
            }
    }
    __real_tcp_tmr();
}
