/* cmds.c - the kernel's own shell commands: ps, uptime, mem, reboot. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "board.h"
#include "k.h"

static int ps_row(const struct k_task_info *i, void *ctx)
{
    (void)ctx;
    printf("%4u %-15s %-8s %-10s %7u %7u %9u\n", (unsigned)i->id, i->name,
           k_task_state_name(i->state), i->wait[0] ? i->wait : "-", (unsigned)i->stack_size,
           (unsigned)i->stack_peak, (unsigned)i->switches);
    return 0;
}

static int cmd_ps(int argc, char **argv)
{
    struct k_poll_hook *h;
    (void)argc;
    (void)argv;
    printf("  ID NAME            STATE    WAIT         STACK    PEAK  SWITCHES\n");
    k_task_foreach(ps_row, NULL);
    for (h = k_poll_hooks(); h; h = h->next)
        printf("poll hook %-10s calls=%u items=%u\n", h->name, (unsigned)h->calls,
               (unsigned)h->items);
    printf("console rx overruns=%u\n", (unsigned)board_console_overruns());
    return 0;
}
K_SHELL_CMD(ps, "ps", "- tasks: state, what they wait on, stack size and peak use (bytes)", cmd_ps);

static int cmd_uptime(int argc, char **argv)
{
    uint64_t ms = k_uptime_ms();
    (void)argc;
    (void)argv;
    printf("up %lu.%03u s\n", (unsigned long)(ms / 1000u), (unsigned)(ms % 1000u));
    return 0;
}
K_SHELL_CMD(uptime, "uptime", "- time since boot", cmd_uptime);

static int cmd_mem(int argc, char **argv)
{
    struct k_heap_stats st;
    (void)argc;
    (void)argv;
    k_heap_stats(&st);
    printf("heap: total=%u used=%u free=%u peak=%u (bytes)\n", (unsigned)st.total,
           (unsigned)st.used, (unsigned)st.free, (unsigned)st.peak);
    return 0;
}
K_SHELL_CMD(mem, "mem", "- heap bytes: total, used, free, peak (high-water of the break)", cmd_mem);

static int cmd_reboot(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    printf("rebooting\n");
    board_reboot();
}
K_SHELL_CMD(reboot, "reboot", "- reset the board", cmd_reboot);

static int cmd_exit(int argc, char **argv)
{
    int status = argc > 1 ? atoi(argv[1]) : 0;
    printf("exit %d\n", status);
    board_exit(status);
}
K_SHELL_CMD(exit, "exit", "[status] - stop the machine (QEMU exits)", cmd_exit);
