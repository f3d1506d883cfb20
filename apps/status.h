/* status.h - the status page and JSON API on port STATUS_PORT (80, from the build's
 * config.h; apps/status.c, README "Status page"). */
#ifndef APPS_STATUS_H
#define APPS_STATUS_H

#define STATUS_TICK_MS 1000      /* ms between history samples */
#define STATUS_HISTORY 180       /* samples kept: the last 3 minutes */
#define STATUS_ENDPOINTS 256     /* TCP endpoints listed by /api/net at most (all are counted) */

/* Start the HTTP server with the page and the API. @return 0 or a negative errno (printed). */
int status_start(void);
#endif
