/*
 * status.c - the status page on port 80: the files of apps/www/ (compiled into the image
 * by scripts/embed_files.py) and a read-only JSON API that the page polls:
 *   /api/status  uptime, heap, servers' counters, and a history of connections and traffic
 *   /api/tasks   every task, as `ps -a` lists them
 *   /api/net     the interface, NIC counters, lwIP's pools, TCP endpoints
 * Nothing here changes the kernel: there is no route to a shell command.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "lwip/memp.h"
#include "lwip/stats.h"

#include "board.h"
#include "echo.h"
#include "k.h"
#include "net.h"
#include "net/netdrv.h"
#include "server.h"
#include "servers.h"
#include "status.h"

extern const struct http_file www_files[];
extern const unsigned www_nfiles;

/* --- history: one sample a second, the last STATUS_HISTORY of them ------------------- */

struct sample { uint32_t conns, rx_bytes, tx_bytes; };
static struct sample hist[STATUS_HISTORY];
static unsigned hist_n, hist_next;
static uint32_t last_rx, last_tx;

static uint32_t open_connections(void)
{
    return echo_stats()->tcp_active + chat_stats()->clients + select_stats()->active +
           http_server_stats()->active;
}

static void tick(uint64_t now_ms)
{
    const struct netdrv_stats *s = netdrv_stats();
    (void)now_ms;
    hist[hist_next] = (struct sample){ open_connections(), s->rx_bytes - last_rx,
                                       s->tx_bytes - last_tx };
    last_rx = s->rx_bytes;
    last_tx = s->tx_bytes;
    hist_next = (hist_next + 1) % STATUS_HISTORY;
    if (hist_n < STATUS_HISTORY)
        hist_n++;
}

/* --- /api/status ------------------------------------------------------------------------ */

static void history_array(struct http_conn *c, const char *name, size_t field)
{
    http_printf(c, "\"%s\":[", name);
    for (unsigned i = 0; i < hist_n; i++) {
        const struct sample *s = &hist[(hist_next + STATUS_HISTORY - hist_n + i) % STATUS_HISTORY];
        http_printf(c, "%s%lu", i ? "," : "", (unsigned long)*(const uint32_t *)((const char *)s + field));
    }
    http_write(c, "]", 1);
}

static int api_status(struct http_conn *c, const struct http_req *req)
{
    struct k_heap_stats h;
    struct k_idle_stats idle;
    const struct echo_stats *es = echo_stats();
    const struct chat_stats *cs = chat_stats();
    const struct select_stats *ss = select_stats();
    const struct http_server_stats *hs = http_server_stats();
    uint64_t up = k_uptime_ms();

    k_heap_stats(&h);
    k_idle_stats(&idle);
    http_begin(c, req, "application/json", "Cache-Control: no-store\r\n");
    int64_t wall = k_wall_seconds();
    char b1[21], b2[21];
    http_printf(c, "{\"board\":\"%s\",\"uptime_ms\":%s,\"idle_pct\":%u,\"wall\":%s%s,\"wall_source\":",
                board_name, k_u64_str(b1, up), up ? (unsigned)(idle.halted_ms * 100u / up) : 0u,
                wall < 0 ? "-" : "", k_u64_str(b2, wall < 0 ? (uint64_t)-wall : (uint64_t)wall));
    http_json_string(c, k_wall_source());
    http_printf(c, ",\"heap\":{\"total\":%lu,\"used\":%lu,\"free\":%lu,\"peak\":%lu,\"cached\":%lu}",
                (unsigned long)h.total, (unsigned long)h.used, (unsigned long)h.free,
                (unsigned long)h.peak, (unsigned long)h.cached);
    http_printf(c, ",\"tasks\":%u,\"connections\":%lu", k_task_count(),
                (unsigned long)open_connections());
    http_printf(c, ",\"servers\":{\"echo\":{\"port\":%u,\"accepted\":%lu,\"active\":%lu,\"peak\":%lu,"
                   "\"refused\":%lu,\"bytes\":%lu,\"udp_datagrams\":%lu}",
                ECHO_PORT, (unsigned long)es->tcp_accepted, (unsigned long)es->tcp_active,
                (unsigned long)es->tcp_peak, (unsigned long)es->tcp_refused,
                (unsigned long)es->tcp_bytes, (unsigned long)es->udp_datagrams);
    http_printf(c, ",\"chat\":{\"port\":%u,\"accepted\":%lu,\"active\":%lu,\"refused\":%lu,\"lines\":%lu}",
                CHAT_PORT, (unsigned long)cs->accepted, (unsigned long)cs->clients,
                (unsigned long)cs->refused, (unsigned long)cs->lines);
    http_printf(c, ",\"selecho\":{\"port\":%u,\"accepted\":%lu,\"active\":%lu,\"peak\":%lu,\"refused\":%lu}",
                SELECT_PORT, (unsigned long)ss->accepted, (unsigned long)ss->active,
                (unsigned long)ss->peak, (unsigned long)ss->refused);
    http_printf(c, ",\"http\":{\"port\":%u,\"accepted\":%lu,\"active\":%lu,\"peak\":%lu,\"refused\":%lu,"
                   "\"requests\":%lu,\"2xx\":%lu,\"3xx\":%lu,\"4xx\":%lu,\"5xx\":%lu,\"bytes_out\":%s}}",
                STATUS_PORT, (unsigned long)hs->accepted, (unsigned long)hs->active,
                (unsigned long)hs->peak, (unsigned long)hs->refused, (unsigned long)hs->requests,
                (unsigned long)hs->status[2], (unsigned long)hs->status[3],
                (unsigned long)hs->status[4], (unsigned long)hs->status[5],
                k_u64_str(b1, hs->bytes_out));
    http_printf(c, ",\"history\":{\"interval_ms\":%u,", STATUS_TICK_MS);
    history_array(c, "connections", offsetof(struct sample, conns));
    http_write(c, ",", 1);
    history_array(c, "rx_bytes", offsetof(struct sample, rx_bytes));
    http_write(c, ",", 1);
    history_array(c, "tx_bytes", offsetof(struct sample, tx_bytes));
    http_write(c, "}}\n", 3);
    return http_end(c);
}

/* --- /api/tasks: a copy taken at once (tasks may end while the answer is sent) -------- */

struct task_row {
    uint32_t id, switches;
    uint32_t stack, peak;
    const char *wait;                    /* a string constant of the kernel's */
    enum k_task_state state;
    char name[K_NAME_MAX + 1];
};
struct task_copy { struct task_row *rows; unsigned n, max; };

static int copy_task(const struct k_task_info *i, void *ctx)
{
    struct task_copy *tc = ctx;
    if (tc->n == tc->max)
        return 1;
    struct task_row *r = &tc->rows[tc->n++];
    *r = (struct task_row){ i->id, i->switches, (uint32_t)i->stack_size, (uint32_t)i->stack_peak,
                            i->wait, i->state, "" };
    snprintf(r->name, sizeof(r->name), "%s", i->name);
    return 0;
}

static int api_tasks(struct http_conn *c, const struct http_req *req)
{
    struct task_copy tc = { NULL, 0, k_task_count() + 8 };
    tc.rows = http_scratch(c, tc.max * sizeof(*tc.rows));
    if (!tc.rows)
        return http_error(c, req, 503, "out of memory for the task list");
    k_task_foreach(copy_task, &tc);
    http_begin(c, req, "application/json", "Cache-Control: no-store\r\n");
    http_printf(c, "{\"count\":%u,\"tasks\":[", tc.n);
    for (unsigned i = 0; i < tc.n; i++) {
        const struct task_row *r = &tc.rows[i];
        http_printf(c, "%s{\"id\":%lu,\"name\":", i ? "," : "", (unsigned long)r->id);
        http_json_string(c, r->name);
        http_printf(c, ",\"state\":\"%s\",\"wait\":", k_task_state_name(r->state));
        http_json_string(c, r->wait);
        http_printf(c, ",\"stack\":%lu,\"peak\":%lu,\"switches\":%lu}", (unsigned long)r->stack,
                    (unsigned long)r->peak, (unsigned long)r->switches);
    }
    http_write(c, "]}\n", 3);
    return http_end(c);
}

/* --- /api/net ------------------------------------------------------------------------- */

static int api_net(struct http_conn *c, const struct http_req *req)
{
    struct netif *nif = net_netif();
    netdrv_stats_collect();
    const struct netdrv_stats *s = netdrv_stats();
    char ip[16], mask[16], gw[16], dns[NET_IP6_STRLEN];
    struct net_pool_info pools[MEMP_MAX];
    unsigned npools = net_pool_info(pools, MEMP_MAX);
    struct net_tcp_endpoint *eps = http_scratch(c, STATUS_ENDPOINTS * sizeof(*eps));
    if (!eps)
        return http_error(c, req, 503, "out of memory for the connection list");
    unsigned neps = net_tcp_endpoints(eps, STATUS_ENDPOINTS);
    net_netif_addrs(ip, mask, gw, dns);
    http_begin(c, req, "application/json", "Cache-Control: no-store\r\n");
    if (nif) {
        struct net_ip6_info a6[LWIP_IPV6 ? LWIP_IPV6_NUM_ADDRESSES : 1];
        unsigned n6 = net_netif_ip6(a6, sizeof(a6) / sizeof(a6[0]));
        http_printf(c, "{\"netif\":{\"name\":\"%c%c%u\",\"driver\":\"%s\",\"link\":%s,\"mtu\":%u,"
                       "\"mac\":\"%02x:%02x:%02x:%02x:%02x:%02x\",\"ip\":\"%s\",\"netmask\":\"%s\","
                       "\"gateway\":\"%s\",\"dns\":\"%s\",\"source\":\"%s\",\"ip6\":[",
                    nif->name[0], nif->name[1], nif->num, netdrv_name(),
                    netdrv_link_up() ? "true" : "false", nif->mtu, nif->hwaddr[0], nif->hwaddr[1],
                    nif->hwaddr[2], nif->hwaddr[3], nif->hwaddr[4], nif->hwaddr[5], ip, mask, gw,
                    dns, net_addr_source());
        for (unsigned i = 0; i < n6; i++)     /* IPv6 addresses: none in IPv4-only builds */
            http_printf(c, "%s{\"addr\":\"%s\",\"scope\":\"%s\",\"state\":\"%s\"}",
                        i ? "," : "", a6[i].addr, a6[i].scope, a6[i].state);
        http_printf(c, "]}");
    } else {
        http_printf(c, "{\"netif\":null");
    }
    http_printf(c, ",\"nic\":{\"rx_frames\":%lu,\"rx_bytes\":%lu,\"rx_dropped_nomem\":%lu,"
                   "\"rx_dropped_toobig\":%lu,\"rx_dropped_fifo\":%lu,\"rx_errors\":%lu,",
                (unsigned long)s->rx_frames, (unsigned long)s->rx_bytes,
                (unsigned long)s->rx_dropped_nomem, (unsigned long)s->rx_dropped_toobig,
                (unsigned long)s->rx_dropped_fifo, (unsigned long)s->rx_errors);
    http_printf(c, "\"tx_frames\":%lu,\"tx_bytes\":%lu,\"tx_dropped\":%lu,\"irqs\":%lu}",
                (unsigned long)s->tx_frames, (unsigned long)s->tx_bytes,
                (unsigned long)s->tx_dropped, (unsigned long)s->irqs);
    http_printf(c, ",\"tcp\":{\"xmit\":%lu,\"recv\":%lu,\"drop\":%lu,\"chkerr\":%lu,\"memerr\":%lu}",
                (unsigned long)lwip_stats.tcp.xmit, (unsigned long)lwip_stats.tcp.recv,
                (unsigned long)lwip_stats.tcp.drop, (unsigned long)lwip_stats.tcp.chkerr,
                (unsigned long)lwip_stats.tcp.memerr);
    http_printf(c, ",\"lwip\":{\"heap_used\":%lu,\"pools\":[", (unsigned long)lwip_stats.mem.used);
    for (unsigned i = 0; i < npools && i < MEMP_MAX; i++)
        http_printf(c, "%s{\"name\":\"%s\",\"size\":%lu,\"used\":%lu,\"max\":%lu,\"avail\":%lu,\"err\":%lu}",
                    i ? "," : "", pools[i].name, (unsigned long)pools[i].size,
                    (unsigned long)pools[i].used, (unsigned long)pools[i].max,
                    (unsigned long)pools[i].avail, (unsigned long)pools[i].err);
    http_printf(c, "]},\"tcp_endpoints\":{\"count\":%u,\"list\":[", neps);
    for (unsigned i = 0; i < neps && i < STATUS_ENDPOINTS; i++)
        http_printf(c, "%s{\"local\":\"%s\",\"remote\":\"%s\",\"state\":\"%s\"}", i ? "," : "",
                    eps[i].local, eps[i].remote, eps[i].state);
    http_write(c, "]}}\n", 4);
    return http_end(c);
}

/* --- routing -------------------------------------------------------------------------- */

static int handle(struct http_conn *c, const struct http_req *req, const char *path)
{
    if (!strcmp(path, "/api/status"))
        return api_status(c, req);
    if (!strcmp(path, "/api/tasks"))
        return api_tasks(c, req);
    if (!strcmp(path, "/api/net"))
        return api_net(c, req);
    if (!strcmp(path, "/"))
        path = "/index.html";
    for (unsigned i = 0; i < www_nfiles; i++)
        if (!strcmp(path, www_files[i].path))
            return http_send_file(c, req, &www_files[i]);
    return http_error(c, req, 404, NULL);
}

static const struct http_server_config status_server = {
    .port = STATUS_PORT, .handler = handle, .tick = tick, .tick_ms = STATUS_TICK_MS,
};

int status_start(void)
{
    int rc = http_server_start(&status_server);
    if (rc)
        printf("httpd: cannot serve on port %d: %s\n", STATUS_PORT, strerror(-rc));
    return rc;
}
