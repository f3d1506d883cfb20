/*
 * shell.c - the serial shell: a prompt, line editing (backspace/DEL, Ctrl-U kills the line,
 * Ctrl-C cancels it), and commands that modules register with K_SHELL_CMD into the
 * k_shell_cmds linker section. Ctrl-C while a command runs cancels the shell task
 * (k_console_set_intr): the command sees -ECANCELED at its next wait, as a Python
 * program sees KeyboardInterrupt, and should cancel and join what it started.
 */
#include <stdio.h>
#include <string.h>

#include "k.h"

extern const struct k_shell_cmd __start_k_shell_cmds[], __stop_k_shell_cmds[];

static const struct k_shell_cmd *shell_find(const char *name)
{
    const struct k_shell_cmd *c;
    for (c = __start_k_shell_cmds; c < __stop_k_shell_cmds; c++)
        if (strcmp(c->name, name) == 0)
            return c;
    return NULL;
}

int k_shell_exec(char *line)
{
    char *argv[K_SHELL_ARGS_MAX + 1];
    int argc = 0;
    char *p = line;
    const struct k_shell_cmd *cmd;

    for (;;) {
        while (*p == ' ' || *p == '\t')
            *p++ = 0;
        if (!*p)
            break;
        if (argc == K_SHELL_ARGS_MAX) {
            printf("too many arguments (at most %d words)\n", K_SHELL_ARGS_MAX);
            return -E2BIG;
        }
        argv[argc++] = p;
        while (*p && *p != ' ' && *p != '\t')
            p++;
    }
    argv[argc] = NULL;
    if (argc == 0)
        return 0;
    cmd = shell_find(argv[0]);
    if (!cmd) {
        printf("unknown command: %s\n", argv[0]);
        return -ENOENT;
    }
    return cmd->fn(argc, argv);
}

/* Read one line with echo and editing into buf. Returns its length, or -1 if the line
 * was cancelled or too long (a message says which). */
static int shell_readline(char *buf, size_t size)
{
    struct k_line l;
    k_line_init(&l, buf, size);
    for (;;) {
        const char *echo = NULL;
        int rc = k_line_feed(&l, k_console_getc(K_FOREVER), &echo);
        if (echo)
            fputs(echo, stdout);
        if (rc == K_LINE_DONE)
            return (int)l.len;
        if (rc == K_LINE_TOO_LONG) {
            printf("line too long (at most %u bytes): ignored\n", (unsigned)(size - 1));
            return -1;
        }
        if (rc == K_LINE_CANCELLED)
            return -1;
    }
}

void *k_shell_main(void *arg)
{
    static char line[K_SHELL_LINE_MAX];
    (void)arg;

    for (;;) {
        int n;
        fputs("> ", stdout);
        fflush(stdout);
        n = shell_readline(line, sizeof(line));
        if (n > 0) {
            k_task_t *me = k_current();
            uint32_t cancels = k_task_cancels();
            k_console_set_intr(me);
            k_shell_exec(line);
            k_console_set_intr(NULL);
            /* a Ctrl-C the command never waited after is not kept for the next line */
            if (k_task_uncancel() || k_task_cancels() != cancels)
                printf("^C: interrupted\n");
        }
    }
    return NULL;
}

static int cmd_help(int argc, char **argv)
{
    const struct k_shell_cmd *c, *next, *last = NULL;
    (void)argc;
    (void)argv;
    /* In name order: each round prints the smallest name after the last one printed. */
    for (;;) {
        next = NULL;
        for (c = __start_k_shell_cmds; c < __stop_k_shell_cmds; c++)
            if ((!last || strcmp(c->name, last->name) > 0) &&
                (!next || strcmp(c->name, next->name) < 0))
                next = c;
        if (!next)
            return 0;
        printf("  %-10s %s\n", next->name, next->help);
        last = next;
    }
}
K_SHELL_CMD(help, "help", "- list the commands", cmd_help);
