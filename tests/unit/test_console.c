/* test_console.c - console input (kernel/console.c) against the host board's scripted
 * receive ring: Ctrl-C cancels the command that is the interrupt target and is never
 * handed out as data, whether the poll hook or a reading task meets it first; type-ahead
 * keeps every byte in order, past its own ring's size. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "unit.h"

static char input[1024];

/* Bytes arriving on the UART: the board's ring holds them, its interrupt signals the hook. */
static void receive(const char *bytes, size_t n)
{
    memcpy(input, bytes, n);
    host_console_in = input;
    host_console_in_len = n;
    k_isr_signal(k_console_hook());
}

static int setup(void **state)
{
    static bool registered;
    if (!registered) {               /* one hook for the process, as a board registers it */
        k_console_init();
        registered = true;
    }
    host_console_in_len = 0;
    return unit_setup(state);
}

/* A command that reads the console itself (diffrun, tls ca-add) and meets the Ctrl-C in
 * the board's ring before the hook has read it: the reader gets the bytes around it, and
 * the Ctrl-C cancels it (its next wait says so); it was once returned as byte 3. */
static void *main_reader_meets_ctrl_c(void *arg)
{
    (void)arg;
    k_console_set_intr(k_current());
    host_console_in = "a\003b";
    host_console_in_len = 3;
    assert_int_equal(k_console_getc(K_NO_WAIT), 'a');
    assert_int_equal(k_console_getc(K_NO_WAIT), 'b');
    assert_int_equal(k_console_getc(K_NO_WAIT), -EAGAIN);
    assert_int_equal(k_sleep_ms(10), -ECANCELED);
    assert_int_equal(k_uptime_ms(), 0);
    k_console_set_intr(NULL);
    return NULL;
}

static void test_ctrl_c_met_by_a_reader_cancels_it_and_is_not_data(void **state)
{
    (void)state;
    unit_run(main_reader_meets_ctrl_c, NULL);
}

static void *command(void *arg)
{
    (void)arg;
    return V(k_sleep_ms(1000));
}

/* A command that reads nothing: the hook reads the bytes typed meanwhile, the Ctrl-C
 * among them cancels the command at once, and the others wait, in order, for the next
 * reader (the shell's line editor). */
static void *main_hook_meets_ctrl_c(void *arg)
{
    k_result_t r;
    (void)arg;
    k_task_t *t = k_task_spawn("command", command, NULL, STACK);
    k_console_set_intr(t);
    k_sleep_ms(5);
    receive("xy\003z", 4);
    assert_int_equal(k_join(t, K_FOREVER, &r), 0);
    k_console_set_intr(NULL);
    assert_int_equal(I(r.value), -ECANCELED);
    assert_int_equal(k_uptime_ms(), 5);            /* at the Ctrl-C, not at 1000 */
    assert_int_equal(k_console_getc(K_NO_WAIT), 'x');
    assert_int_equal(k_console_getc(K_NO_WAIT), 'y');
    assert_int_equal(k_console_getc(K_NO_WAIT), 'z');
    assert_int_equal(k_console_getc(K_NO_WAIT), -EAGAIN);
    return NULL;
}

static void test_ctrl_c_met_by_the_hook_cancels_the_command(void **state)
{
    (void)state;
    unit_run(main_hook_meets_ctrl_c, NULL);
}

/* 1000 bytes typed while a command runs, four times the type-ahead ring: the hook stops
 * reading when the ring is full (the board's ring and the UART's flow control hold the
 * rest), and a reader afterwards gets all of them, in order. */
static void *main_typeahead_longer_than_its_ring(void *arg)
{
    char sent[1000];
    (void)arg;
    for (size_t i = 0; i < sizeof(sent); i++)
        sent[i] = (char)('a' + i % 26);
    k_task_t *t = k_task_spawn("command", command, NULL, STACK);
    k_console_set_intr(t);
    receive(sent, sizeof(sent));
    assert_int_equal(k_join(t, K_FOREVER, NULL), 0);     /* it ran its 1000 ms */
    k_console_set_intr(NULL);
    assert_int_equal(k_uptime_ms(), 1000);
    for (size_t i = 0; i < sizeof(sent); i++)
        assert_int_equal(k_console_getc(K_MSEC(10)), sent[i]);
    assert_int_equal(k_console_getc(K_MSEC(10)), -ETIMEDOUT);
    return NULL;
}

static void test_typeahead_longer_than_its_ring_is_kept_in_order(void **state)
{
    (void)state;
    unit_run(main_typeahead_longer_than_its_ring, NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_ctrl_c_met_by_a_reader_cancels_it_and_is_not_data, setup),
        cmocka_unit_test_setup(test_ctrl_c_met_by_the_hook_cancels_the_command, setup),
        cmocka_unit_test_setup(test_typeahead_longer_than_its_ring_is_kept_in_order, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
