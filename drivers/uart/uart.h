/* uart.h - what the console UART drivers (drivers/uart/) share: a receive ring filled by
 * the interrupt handler and drained by the console's poll hook, with flow control. When
 * the ring is full the driver switches its receive interrupt off, so bytes wait in the
 * UART (and QEMU holds back its input) until the shell has read some: flow control, not
 * loss. Overruns the UART itself reports are counted. */
#ifndef DRIVERS_UART_UART_H
#define DRIVERS_UART_UART_H
#include <stdbool.h>
#include <stdint.h>

#include "ring.h"

struct uart_rx {
    struct k_ring ring;
    volatile uint32_t overruns;
    volatile bool paused;       /* the receive interrupt is off: the ring was full */
};
#endif
