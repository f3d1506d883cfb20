/* diffrun.h - the C interpreter of the differential tests' scenario language (apps/diffrun.c),
 * for its two front ends: the shell command `diffrun` and the host build
 * (tests/diff/diffrun_host.c). */
#ifndef APPS_DIFFRUN_H
#define APPS_DIFFRUN_H
#include <stddef.h>

/* Where a program's lines come from: fill buf (size bytes, NUL-terminated) with the next
 * line. @return 0, or -1 at the end of the input. */
typedef int (*diffrun_getline)(char *buf, size_t size, void *ctx);

#define DIFFRUN_EOF 1

/* Read one program, up to its `end` line, into the interpreter's tables (on the heap until
 * diffrun_run has run it; 1.6 KB).
 * @return 0; DIFFRUN_EOF (the input ended before a program began); -1 (a malformed
 *         program: "diffrun: error: line N: ..." is printed; the lines up to `end` are
 *         consumed anyway, so that the next program is read from its start; or no memory,
 *         or a task of an earlier program still runs). */
int diffrun_load(diffrun_getline get, void *ctx);

/* Run the loaded program in the calling task (its T0) on the kernel, one tick being
 * tick_ms milliseconds, printing its trace. Blocks until every task it spawned has ended.
 * @return 0, or -1 if a task is still stuck after the program (then nothing more runs). */
int diffrun_run(unsigned tick_ms);

#endif
