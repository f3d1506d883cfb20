/* console.c - blocking console input for tasks: a poll hook hands received bytes from the
 * board's receive ring to the tasks waiting in k_console_getc(), in arrival order. */
#include "board.h"
#include "k_internal.h"

static struct k_waitq readers = { { &readers.tasks, &readers.tasks } };

static int console_poll(void *ctx)
{
    int n = 0;
    (void)ctx;
    while (!k_waitq_empty(&readers)) {
        int c = board_console_getc();
        if (c < 0)
            break;
        k_waitq_wake_one(&readers, c);   /* the byte is the wait's result */
        n++;
    }
    return n;
}

static struct k_poll_hook console_hook = { .name = "console", .poll = console_poll };

void k_console_init(void) { k_poll_register(&console_hook); }

int k_console_getc(int32_t timeout_ms)
{
    int c = board_console_getc();
    if (c >= 0)
        return c;
    if (timeout_ms == K_NO_WAIT)
        return -EAGAIN;
    return k_wait(&readers, timeout_ms, "console");
}
