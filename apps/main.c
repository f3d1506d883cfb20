/* main.c - what a board runs after board_init(): the console, then the shell in task
 * "main". */
#include <stdio.h>

#include "board.h"
#include "k.h"

static void *app_main(void *arg)
{
    (void)arg;
    printf("\nkernel on %s: cooperative tasks, shell ready (type 'help')\n", board_name);
    return k_shell_main(NULL);
}

int app_main_entry(void);
int app_main_entry(void)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    k_console_init();
    int rc = k_run(app_main, NULL, 8192, NULL);
    printf("k_run: %d\n", rc);
    return rc == 0 ? 0 : 1;
}
