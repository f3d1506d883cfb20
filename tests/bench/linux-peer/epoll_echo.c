#define _GNU_SOURCE
/*
 * epoll_echo.c - the yardstick for `make bench-net`: a one-thread epoll echo server, the
 * way C10K servers are written on Linux (non-blocking sockets, level-triggered epoll, one
 * 4 KiB buffer shared by all connections, a partial write parked per connection until the
 * socket is writable). Compiled static on the host and run as the Linux peer guest's only
 * service on TCP port 7.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

struct conn { int fd; size_t len, off; char *pending; };

static void drop(int ep, struct conn *c)
{
    epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
    close(c->fd);
    free(c->pending);
    free(c);
}

int main(void)
{
    struct rlimit rl = { 1 << 20, 1 << 20 };
    /* both families on one socket, as the kernel's servers: :: without IPV6_V6ONLY */
    struct sockaddr_in6 a6 = { .sin6_family = AF_INET6, .sin6_port = htons(7) };
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(7) };
    struct sockaddr *addr = (struct sockaddr *)&a6;
    socklen_t addrlen = sizeof(a6);
    static char buf[4096];
    struct epoll_event evs[256], ev;
    int one = 1, ls, ep;

    setrlimit(RLIMIT_NOFILE, &rl);
    int zero = 0;
    ls = socket(AF_INET6, SOCK_STREAM | SOCK_NONBLOCK, 0);
    if (ls < 0) {                       /* a kernel without IPv6 */
        ls = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
        addr = (struct sockaddr *)&a;
        addrlen = sizeof(a);
    } else {
        setsockopt(ls, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
    }
    setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (ls < 0 || bind(ls, addr, addrlen) < 0 || listen(ls, 4096) < 0) {
        perror("epoll_echo: listen");
        return 1;
    }
    ep = epoll_create1(0);
    ev.events = EPOLLIN;
    ev.data.ptr = NULL;                 /* NULL: the listener */
    epoll_ctl(ep, EPOLL_CTL_ADD, ls, &ev);
    printf("epoll_echo: listening on port 7\n");
    fflush(stdout);
    for (;;) {
        int n = epoll_wait(ep, evs, 256, -1);
        for (int i = 0; i < n; i++) {
            struct conn *c = evs[i].data.ptr;
            if (!c) {
                int fd;
                while ((fd = accept4(ls, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
                    struct conn *nc = calloc(1, sizeof(*nc));
                    if (!nc) {
                        close(fd);
                        continue;
                    }
                    nc->fd = fd;
                    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
                    ev.events = EPOLLIN;
                    ev.data.ptr = nc;
                    epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
                }
                continue;
            }
            if (c->pending) {                               /* finish the parked write */
                ssize_t w = write(c->fd, c->pending + c->off, c->len - c->off);
                if (w < 0 && errno != EAGAIN) {
                    drop(ep, c);
                    continue;
                }
                if (w > 0 && (c->off += (size_t)w) == c->len) {
                    free(c->pending);
                    c->pending = NULL;
                    ev.events = EPOLLIN;
                    ev.data.ptr = c;
                    epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
                }
                continue;
            }
            ssize_t r = read(c->fd, buf, sizeof(buf));
            if (r == 0 || (r < 0 && errno != EAGAIN)) {
                drop(ep, c);
                continue;
            }
            if (r < 0)
                continue;
            ssize_t w = write(c->fd, buf, (size_t)r);
            if (w < 0 && errno != EAGAIN) {
                drop(ep, c);
                continue;
            }
            if (w < r) {                                    /* park the rest */
                if (w < 0)
                    w = 0;
                c->len = (size_t)(r - w);
                c->off = 0;
                c->pending = malloc(c->len);
                if (!c->pending) {
                    drop(ep, c);
                    continue;
                }
                memcpy(c->pending, buf + w, c->len);
                ev.events = EPOLLOUT;
                ev.data.ptr = c;
                epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
            }
        }
    }
}
