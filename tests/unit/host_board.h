/* host_board.h - controls of the host build's board for tests. */
#ifndef HOST_BOARD_H
#define HOST_BOARD_H
#include <stddef.h>
#include <stdint.h>
extern uint64_t host_now_ms;          /* the virtual clock */
extern size_t host_malloc_budget;     /* bytes malloc() may still return; SIZE_MAX: no limit */
extern unsigned long host_idle_calls; /* times the poll loop went idle */
#endif
