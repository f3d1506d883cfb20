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
 * shell's `rto MS`). One walk of the list per 250 ms, as lwIP's own slow timer does every
 * 500 ms. Read by the tcpip thread, written by the shell: tasks do not preempt each other.
 */
#include "lwip/priv/tcp_priv.h"
#include "lwip/tcp.h"

#include "net.h"

uint32_t net_tcp_rto_max_ms = NET_TCP_RTO_MAX_MS;
uint32_t net_rto_capped;

void __real_tcp_tmr(void);
void __wrap_tcp_tmr(void);
void __wrap_tcp_tmr(void)
{
    s16_t max = (s16_t)(net_tcp_rto_max_ms / TCP_SLOW_INTERVAL);
    __real_tcp_tmr();
    for (struct tcp_pcb *pcb = tcp_active_pcbs; pcb; pcb = pcb->next)
        if (pcb->rto > max) {
            pcb->rto = max;
            net_rto_capped++;
        }
}
