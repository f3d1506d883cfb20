/* console.c - blocking console input for tasks: a poll hook hands received bytes from the
 * board's receive ring to the tasks waiting in k_console_getc(), in arrival order.
 * While a task is the interrupt target (k_console_set_intr: the shell running a command),
 * the hook also reads bytes nobody waits for, so that Ctrl-C (ETX, 0x03) cancels that task
 * as a terminal's ISIG turns it into SIGINT; the other bytes wait in a small type-ahead
 * ring for the next reader. Nothing is dropped: when that ring is full the hook stops
 * reading, the board's receive ring fills, and the UART's flow control holds the rest
 * (a Ctrl-C behind them is seen once a reader or the command's end makes room). */
#include "board.h"
#include "k_internal.h"
#include "ring.h"

static struct k_waitq readers = { { &readers.tasks, &readers.tasks } };
static k_task_t *intr_task;
static struct k_ring typeahead;   /* bytes typed while a command runs */

/* The next byte for a reader: type-ahead first, then the board's ring. While a command
 * runs, a Ctrl-C read here cancels it as in the hook and is not handed out as data. */
static int console_next(void)
{
    int c = k_ring_get(&typeahead);
    if (c >= 0)
        return c;
    while ((c = board_console_getc()) == 0x03 && intr_task)
        k_task_cancel(intr_task);
    return c;
}

static int console_poll(void *ctx)
{
    int n = 0;
    (void)ctx;
    if (intr_task) {
        /* Read everything now: Ctrl-C must not wait behind a command that reads nothing. */
        int c;
        while (!k_ring_full(&typeahead) && (c = board_console_getc()) >= 0) {
            n++;
            if (c == 0x03)
                k_task_cancel(intr_task);
            else
                k_ring_put(&typeahead, (uint8_t)c);
        }
    }
    while (!z_waitq_empty(&readers)) {
        int c = console_next();
        if (c < 0)
            break;
        if (z_waitq_empty(&readers)) {
            /* a Ctrl-C before it cancelled the only reader: keep the byte (the ring
             * was empty, console_next() read the board's) */
            k_ring_put(&typeahead, (uint8_t)c);
            n++;
            break;
        }
        z_waitq_wake_one(&readers, c);   /* the byte is the wait's result */
        n++;
    }
    return n;
}

static struct k_poll_hook console_hook = { .name = "console", .poll = console_poll };

void k_console_init(void) { k_poll_register(&console_hook); }

struct k_poll_hook *k_console_hook(void) { return &console_hook; }

void k_console_set_intr(k_task_t *t)
{
    intr_task = t;
    k_poll_kick(&console_hook);      /* a Ctrl-C typed already is read now */
}

int k_console_getc(k_timeout_t timeout)
{
    int c = console_next();
    if (c >= 0)
        return c;
    if (K_TIMEOUT_EQ(timeout, K_NO_WAIT))
        return -EAGAIN;
    return z_wait(&readers, timeout, "console");
}

const char *k_u64_str(char b[21], uint64_t v)
{
    char *p = b + 20;
    *p = 0;
    do
        *--p = (char)('0' + v % 10);
    while (v /= 10);
    return p;
}
