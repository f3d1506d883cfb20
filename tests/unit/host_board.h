/* host_board.h - controls of the host build's board for tests. */
#ifndef HOST_BOARD_H
#define HOST_BOARD_H
#include <stddef.h>
#include <stdint.h>
extern uint64_t host_now_ms;          /* the virtual clock */
extern size_t host_malloc_budget;     /* bytes malloc() may still return; SIZE_MAX: no limit */
extern unsigned long host_idle_calls; /* times the poll loop went idle */
extern uint64_t host_armed_ms;        /* what the one-shot timer is armed for, or UINT64_MAX */
extern unsigned long host_timer_arms; /* board_timer_arm() calls */
/* What board_console_getc() returns next, byte by byte (-1 once host_console_in_len is 0) */
extern const char *host_console_in;
extern size_t host_console_in_len;
/* Let ms of virtual time pass while the calling task computes (a busy task): if the clock
 * passes the armed deadline, the timer's interrupt event is raised, as on a board. */
void host_advance_ms(uint64_t ms);
#endif
