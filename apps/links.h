/* links.h - streaming extraction of href="..." values from an HTML body, as the seeds'
 * crawler does with the regular expression href="(.*?)" (no newline inside), fed in
 * pieces of any size as the body arrives. */
#ifndef APPS_LINKS_H
#define APPS_LINKS_H

#include <stdbool.h>
#include <stddef.h>

#define HREF_MAX 512                 /* longest value kept, bytes, NUL included */

/* Called for each complete value: link is NUL-terminated (len bytes). ok is false for a
 * value that was too long (over HREF_MAX - 1 bytes) or held a NUL byte: it is then not
 * a usable link (link holds what was kept). */
typedef void (*href_found_cb)(void *ctx, const char *link, size_t len, bool ok);

struct href_scanner {
    int match;                       /* bytes of `href="` matched so far */
    bool collecting, bad;
    size_t len;
    char link[HREF_MAX];
};

void href_init(struct href_scanner *s);
/* Scan n bytes of body. Does not block; calls found() synchronously. */
void href_scan(struct href_scanner *s, const char *data, size_t n, href_found_cb found, void *ctx);

#endif
