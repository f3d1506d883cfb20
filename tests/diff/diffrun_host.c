/*
 * diffrun_host.c - the host build of diffrun (build/host/diffrun): reads scenario programs
 * from a file or stdin, one after the other, and runs each on the host kernel (the virtual
 * clock of tests/unit/host_board.c; one tick is one ms), printing its trace and then
 * "diffrun: done". A program that blocks every task for good ends the process with
 * "diffrun: deadlock", one that leaves a task running with "diffrun: Tn does not end"
 * (its tasks are gone; the runner starts a new process).
 */
#include <stdint.h>
#include <stdio.h>

#include "diffrun.h"
#include "host_board.h"
#include "k.h"

static int read_line(char *buf, size_t size, void *ctx)
{
    return fgets(buf, (int)size, ctx) ? 0 : -1;
}

static void *program(void *arg)
{
    (void)arg;
    return (void *)(intptr_t)diffrun_run(1);
}

int main(int argc, char **argv)
{
    FILE *in = argc > 1 ? fopen(argv[1], "r") : stdin;

    if (!in) {
        perror(argv[1]);
        return 2;
    }
    for (;;) {
        int rc = diffrun_load(read_line, in);
        if (rc == DIFFRUN_EOF)
            return 0;
        if (rc == 0) {
            void *stuck = NULL;
            host_now_ms = 0;
            if (k_run(program, NULL, K_STACK(8192), &stuck) == -EDEADLK) {
                printf("diffrun: deadlock\n");
                return 1;
            }
            if (stuck)
                return 1;          /* "diffrun: Tn does not end" was printed */
        }
        printf("diffrun: done\n");
        fflush(stdout);
    }
}
