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

/* Past PS_LIST_MAX tasks, `ps` sums tasks of the same name into one row (`ps -a` lists all). */
#define PS_LIST_MAX 48
#define PS_GROUPS 32

struct ps_group {
    char name[K_NAME_MAX + 1];
    unsigned count, ready, blocked;
    size_t stack, peak_max;
    uint64_t switches;
};
struct ps_summary { struct ps_group g[PS_GROUPS]; unsigned n, tasks, other; };

static int ps_sum(const struct k_task_info *i, void *ctx)
{
    struct ps_summary *s = ctx;
    unsigned j;
    for (j = 0; j < s->n && strcmp(s->g[j].name, i->name); j++)
        ;
    if (j == s->n) {
        if (s->n == PS_GROUPS) {
            s->other++;
            return 0;
        }
        snprintf(s->g[s->n++].name, sizeof(s->g[0].name), "%s", i->name);
    }
    s->g[j].count++;
    s->g[j].ready += i->state == K_READY || i->state == K_RUNNING;
    s->g[j].blocked += i->state == K_BLOCKED;
    s->g[j].stack += i->stack_size;
    if (i->stack_peak > s->g[j].peak_max)
        s->g[j].peak_max = i->stack_peak;
    s->g[j].switches += i->switches;
    return 0;
}

static int cmd_ps(int argc, char **argv)
{
    struct k_poll_hook *h;
    unsigned n = k_task_count();
    bool all = argc > 1 && !strcmp(argv[1], "-a");

    if (all || n <= PS_LIST_MAX) {
        printf("  ID NAME            STATE    WAIT         STACK    PEAK  SWITCHES\n");
        k_task_foreach(ps_row, NULL);
    } else {
        struct ps_summary *s = calloc(1, sizeof(*s));
        if (!s) {
            printf("ps: out of memory (ps -a lists without it)\n");
            return -ENOMEM;
        }
        k_task_foreach(ps_sum, s);
        printf("%u tasks, summed by name (ps -a lists each)\n", n);
        printf("NAME             COUNT  READY BLOCKED  STACK_BYTES  PEAK_MAX  SWITCHES\n");
        for (unsigned j = 0; j < s->n; j++)
            printf("%-15s %6u %6u %7u %12lu %9u %9lu\n", s->g[j].name, s->g[j].count,
                   s->g[j].ready, s->g[j].blocked, (unsigned long)s->g[j].stack,
                   (unsigned)s->g[j].peak_max, (unsigned long)s->g[j].switches);
        if (s->other)
            printf("(%u tasks of further names not shown)\n", s->other);
        free(s);
    }
    for (h = k_poll_hooks(); h; h = h->next)
        printf("poll hook %-10s events=%u calls=%u items=%u busy_hits=%u\n", h->name,
               (unsigned)h->events, (unsigned)h->calls, (unsigned)h->items,
               (unsigned)h->busy_hits);
    printf("console rx overruns=%u\n", (unsigned)board_console_overruns());
    return 0;
}
K_SHELL_CMD(ps, "ps", "[-a] - tasks: state, what they wait on, stack size and peak use (bytes)", cmd_ps);

static int cmd_uptime(int argc, char **argv)
{
    uint64_t ms = k_uptime_ms();
    struct k_idle_stats st;
    (void)argc;
    (void)argv;
    k_idle_stats(&st);
    printf("up %lu.%03u s, idle %u%% (%lu halts, %lu with a deadline); timer armed %lu "
           "times where deadlines were made\n",
           (unsigned long)(ms / 1000u), (unsigned)(ms % 1000u),
           ms ? (unsigned)(st.halted_ms * 100u / ms) : 0u, (unsigned long)st.halts,
           (unsigned long)st.timed_halts, (unsigned long)st.timer_arms);
    return 0;
}
K_SHELL_CMD(uptime, "uptime", "- time since boot, and the share of it the CPU spent halted", cmd_uptime);

static int cmd_busypoll(int argc, char **argv)
{
    struct k_idle_stats st;
    struct k_poll_hook *h;
    unsigned n = 0;
    if (argc == 2) {
        char *end;
        unsigned long us = strtoul(argv[1], &end, 10);
        int rc = *end || end == argv[1] || us > K_BUSY_POLL_MAX_US ? -EINVAL
                                                                   : k_busy_poll_set((uint32_t)us);
        if (rc) {
            printf("busypoll: '%s' is not a window of 0 to %u us\n", argv[1], K_BUSY_POLL_MAX_US);
            return rc;
        }
    } else if (argc != 1) {
        printf("usage: busypoll [us]\n");
        return -EINVAL;
    }
    k_idle_stats(&st);
    printf("busy poll window %u us%s; %lu polls, %lu found work, %lu.%03u ms spent\n",
           (unsigned)k_busy_poll_us(), k_busy_poll_us() ? "" : " (off)",
           (unsigned long)st.busy_polls, (unsigned long)st.busy_hits,
           (unsigned long)(st.busy_us / 1000u), (unsigned)(st.busy_us % 1000u));
    printf("busy-polled hooks:");
    for (h = k_poll_hooks(); h; h = h->next)
        if (h->pending && ++n)
            printf(" %s", h->name);
    printf("%s\n", n ? "" : " none (no device with its receive ring in memory)");
    return 0;
}
K_SHELL_CMD(busypoll, "busypoll", "[us] - the poll loop's busy-poll window after device work (0: off), and what it did", cmd_busypoll);

static int cmd_mem(int argc, char **argv)
{
    struct k_heap_stats st;
    if (argc == 3 && !strcmp(argv[1], "-l")) {
        char *end;
        unsigned long bytes = strtoul(argv[2], &end, 0);
        int rc = *end ? -EINVAL : k_heap_limit(bytes);
        if (rc) {
            printf("mem: cannot limit the heap to %s bytes: %s\n", argv[2], strerror(-rc));
            return rc;
        }
    } else if (argc != 1) {
        printf("usage: mem [-l bytes]\n");
        return -EINVAL;
    }
    k_heap_stats(&st);
    printf("heap: total=%u used=%u free=%u peak=%u cached=%u (bytes)\n", (unsigned)st.total,
           (unsigned)st.used, (unsigned)st.free, (unsigned)st.peak, (unsigned)st.cached);
    return 0;
}
K_SHELL_CMD(mem, "mem", "[-l bytes] - heap total/used/free/peak bytes; -l caps the heap (0: no cap)", cmd_mem);

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
