/* fuzz_lineedit.c - the shell's line editor (kernel/lineedit.c) fed arbitrary bytes, as
 * from a serial line with noise. A model terminal replays what the editor echoes; after
 * every byte the terminal must show exactly the line the editor holds (no stray
 * characters, no erasing past the prompt), and the line stays printable and in bounds. */
#include <assert.h>
#include <stdint.h>
#include <string.h>

#include "k.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char buf[K_SHELL_LINE_MAX];
    char screen[K_SHELL_LINE_MAX + 2];     /* a full line, then "^C" after it */
    size_t cursor = 0, width = 0;          /* cursor column and columns ever written */
    struct k_line l;
    size_t cap = size ? 2 + data[0] % (sizeof(buf) - 1) : sizeof(buf);   /* 2..256 */

    k_line_init(&l, buf, cap);
    for (size_t i = size ? 1 : 0; i < size; i++) {
        const char *echo;
        int rc = k_line_feed(&l, data[i], &echo);
        for (const char *e = echo; e && *e; e++) {
            if (*e == '\b') {
                assert(cursor > 0);        /* never back over the prompt */
                cursor--;
            } else if (*e == '\n') {
                cursor = width = 0;        /* a new line: the next prompt */
            } else {
                assert(*e >= 0x20 && *e < 0x7F);
                assert(cursor < sizeof(screen));
                screen[cursor++] = *e;
                if (cursor > width)
                    width = cursor;
            }
        }
        assert(l.len < cap && buf[l.len] == 0);
        for (size_t k = 0; k < l.len; k++)
            assert(buf[k] >= 0x20 && buf[k] < 0x7F);
        if (rc == K_LINE_MORE) {
            assert(cursor == l.len && memcmp(screen, buf, l.len) == 0);
            for (size_t k = cursor; k < width; k++)
                assert(screen[k] == ' ');  /* erased columns show blanks */
        } else {
            assert(cursor == 0);           /* the line ended with a newline */
            if (rc == K_LINE_DONE)
                assert(!l.overflow);
            k_line_init(&l, buf, cap);
        }
    }
    return 0;
}
