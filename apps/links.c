/* links.c - streaming href="(.*?)" matcher (see links.h). */
#include <string.h>

#include "links.h"

static const char PATTERN[] = "href=\"";

void href_init(struct href_scanner *s) { memset(s, 0, sizeof(*s)); }

void href_scan(struct href_scanner *s, const char *data, size_t n, href_found_cb found, void *ctx)
{
    for (size_t i = 0; i < n; i++) {
        char c = data[i];
        if (s->collecting) {
            if (c == '"') {
                s->link[s->len] = 0;
                found(ctx, s->link, s->len, !s->bad);
                s->collecting = false;
            } else if (c == '\n') {
                s->collecting = false;       /* . does not match a newline: no match */
            } else if (c == 0) {
                s->bad = true;               /* would cut the value short as a C string */
            } else if (s->len + 1 < sizeof(s->link)) {
                s->link[s->len++] = c;
            } else {
                s->bad = true;
            }
            continue;
        }
        /* `href="` has no proper prefix that is also a suffix, so on a mismatch the
         * match restarts at this byte */
        if (c == PATTERN[s->match]) {
            if (++s->match == (int)sizeof(PATTERN) - 1) {
                s->match = 0;
                s->collecting = true;
                s->bad = false;
                s->len = 0;
            }
        } else {
            s->match = c == PATTERN[0];
        }
    }
}
