/* main.c - what a board runs after board_init(): the console, the network and its echo
 * servers, then the shell in task "main". */
#include <stdio.h>

#include "board.h"
#include "echo.h"
#include "k.h"
#include "net.h"
#include "servers.h"
#include "status.h"

static void *app_main(void *arg)
{
    (void)arg;
    printf("\nkernel on %s: cooperative tasks\n", board_name);
    if (net_start() == 0 && (echo_start() != 0 || servers_start() != 0 ||
                             (NET_HTTPD && status_start() != 0)))
        printf("servers: cannot start\n");
    printf("shell ready (type 'help')\n");
    return k_shell_main(NULL);
}

int app_main_entry(void);
int app_main_entry(void)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    k_console_init();
    int rc = k_run(app_main, NULL, MAIN_STACK, NULL);
    printf("k_run: %d\n", rc);
    return rc == 0 ? 0 : 1;
}
