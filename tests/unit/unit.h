/* unit.h - what the host unit tests share: a task stack size, void * <-> integer casts,
 * a reset of the host board (virtual clock, malloc budget), and k_run() of a test's main.
 * Include after <cmocka.h>. */
#ifndef TESTS_UNIT_H
#define TESTS_UNIT_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "host_board.h"
#include "k.h"

#define STACK (16 * 1024)
#define V(x) ((void *)(intptr_t)(x))
#define I(p) ((intptr_t)(p))

/* An event trace that tasks append to, to check the order things ran in. */
static char trace[512] __attribute__((unused));
static size_t trace_len __attribute__((unused));

static inline void mark(const char *s)
{
    size_t n = strlen(s);
    assert_true(trace_len + n < sizeof(trace));
    memcpy(trace + trace_len, s, n + 1);
    trace_len += n;
}

/* Virtual clock back to 0, no malloc limit, empty trace. */
static inline void unit_reset(void)
{
    host_now_ms = 0;
    host_malloc_budget = SIZE_MAX;
    trace_len = 0;
    trace[0] = 0;
}

/* cmocka setup that only resets the board. */
static inline int unit_setup(void **state)
{
    (void)state;
    unit_reset();
    return 0;
}

/* Run fn as the main task to completion; return its result. */
static inline void *unit_run(void *(*fn)(void *), void *arg)
{
    void *res = (void *)-1;
    assert_int_equal(k_run(fn, arg, STACK, &res), 0);
    return res;
}

/* Run main in a child process (a panic stops the kernel); put what it panicked with in buf,
 * or "" if it did not. The child's panic handler writes the message to a pipe and exits
 * there, on the panicking task's stack (no longjmp back across stacks: ASan would lose
 * track of which stack it is on). */
static int panic_fd __attribute__((unused)) = -1;
static inline void on_panic(const char *msg)
{
    (void)write(panic_fd, msg, strlen(msg));
    _exit(K_PANIC_STATUS);
}

static inline void panic_of(void *(*main)(void *), char *buf, size_t size)
{
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(fds[0]);
        panic_fd = fds[1];
        k_panic_handler = on_panic;
        k_run(main, NULL, STACK, NULL);
        _exit(0);
    }
    close(fds[1]);
    memset(buf, 0, size);
    ssize_t n = read(fds[0], buf, size - 1);
    close(fds[0]);
    int status;
    waitpid(pid, &status, 0);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), n > 0 ? K_PANIC_STATUS : 0);
}

#endif
