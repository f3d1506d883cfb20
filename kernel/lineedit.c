/*
 * lineedit.c - the shell's line editor as a pure state machine: one received byte in,
 * what to echo and whether the line is complete out. No I/O, so the host tests and the
 * fuzzer drive it directly.
 */

#include "k.h"

/* Ctrl-U's echo: "\b \b" for each character erased, the tail of one constant (in flash on
 * the boards, not 769 bytes of RAM) */
#define ERASE1 "\b \b"
#define ERASE4 ERASE1 ERASE1 ERASE1 ERASE1
#define ERASE16 ERASE4 ERASE4 ERASE4 ERASE4
#define ERASE64 ERASE16 ERASE16 ERASE16 ERASE16
static const char erase_all[] = ERASE64 ERASE64 ERASE64 ERASE64;
_Static_assert(sizeof(erase_all) == 3 * K_SHELL_LINE_MAX + 1, "one erase per character");

void k_line_init(struct k_line *l, char *buf, size_t size)
{
    l->buf = buf;
    l->size = size;
    l->len = 0;
    l->overflow = false;
    if (size)
        buf[0] = 0;
}

int k_line_feed(struct k_line *l, int c, const char **echo)
{
    static char one[2];
    *echo = NULL;
    if (c == '\r' || c == '\n') {
        *echo = "\n";
        if (l->overflow)
            return K_LINE_TOO_LONG;
        l->buf[l->len] = 0;
        return K_LINE_DONE;
    }
    if (c == 0x08 || c == 0x7F) {                 /* backspace, DEL */
        if (l->len > 0) {
            l->len--;
            *echo = "\b \b";
        }
    } else if (c == 0x15) {                       /* Ctrl-U: erase the line */
        size_t n = l->len < K_SHELL_LINE_MAX ? l->len : K_SHELL_LINE_MAX;
        l->len = 0;
        if (n)
            *echo = erase_all + 3 * (K_SHELL_LINE_MAX - n);
    } else if (c == 0x03) {                       /* Ctrl-C */
        *echo = "^C\n";
        l->len = 0;
        l->buf[0] = 0;
        return K_LINE_CANCELLED;
    } else if (c >= 0x20 && c < 0x7F) {
        if (l->len + 1 < l->size) {
            l->buf[l->len++] = (char)c;
            one[0] = (char)c;
            *echo = one;
        } else {
            l->overflow = true;
        }
    }
    /* other bytes (escape sequences' ESC, NUL, 8-bit) are ignored */
    l->buf[l->len] = 0;
    return K_LINE_MORE;
}
