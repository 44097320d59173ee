/*
 * sv1floor: the C floor for the SV1 connect-storm benchmark (bench/README.md, "SV1 connect storm").
 *
 * One thread, epoll, non-blocking sockets: accepts until EAGAIN, reads newline-framed JSON-RPC lines and
 * answers the minimum an SV1 miner needs to reach its first job: mining.subscribe -> a subscription result,
 * mining.authorize -> true, then mining.set_difficulty and a clean mining.notify; mining.submit -> rejected
 * (low difficulty), as the runs did. No JSON parser, no job building, no upstream: what any server
 * pays for the sockets and the bytes. Usage: sv1floor PORT [BACKLOG]   (BACKLOG default 4096; the kernel
 * caps it at net.core.somaxconn). Prints "READY <port>" once listening.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#define LINE_MAX_BYTES 16384

struct conn {
    int fd;
    size_t len;
    char buf[LINE_MAX_BYTES];
};

static const char NOTIFY[] =
    "{\"id\":null,\"method\":\"mining.set_difficulty\",\"params\":[1]}\n"
    "{\"id\":null,\"method\":\"mining.notify\",\"params\":[\"1\","
    "\"4d16b6f85af6e2198f44ae2a6de67f78487ae5611b77c6c0440b921e00000000\","
    "\"01000000010000000000000000000000000000000000000000000000000000000000000000ffffffff20020862062f503253482f04b8864e5008\","
    "\"072f736c7573682f000000000100f2052a010000001976a914d23fcdf86f7e756a64a7a9688ef9903327048ed988ac00000000\","
    "[],\"00000002\",\"1c2ac4af\",\"504e86b9\",true]}\n";

/* the request id as written ("id":123 or "id":"x"), or "null" */
static void request_id(const char *line, char *out, size_t cap) {
    const char *p = strstr(line, "\"id\":");
    snprintf(out, cap, "null");
    if (!p) {
        return;
    }
    p += 5;
    while (*p == ' ') {
        p++;
    }
    size_t n = 0;
    if (*p == '"') {
        out[n++] = *p++;
        while (*p && *p != '"' && n + 2 < cap) {
            out[n++] = *p++;
        }
        out[n++] = '"';
    } else {
        while (*p && *p != ',' && *p != '}' && *p != ' ' && n + 1 < cap) {
            out[n++] = *p++;
        }
    }
    out[n] = 0;
}

static void send_all(int fd, const char *s, size_t n) {
    /* replies are a few hundred bytes on a fresh socket: the send buffer never fills in this benchmark */
    while (n > 0) {
        ssize_t w = send(fd, s, n, MSG_NOSIGNAL);
        if (w <= 0) {
            return;
        }
        s += w;
        n -= (size_t) w;
    }
}

static void on_line(struct conn *c, char *line) {
    char id[64], out[1024];
    request_id(line, id, sizeof id);
    if (strstr(line, "\"mining.subscribe\"")) {
        int n = snprintf(out, sizeof out, "{\"id\":%s,\"result\":[[[\"mining.set_difficulty\",\"1\"],"
                "[\"mining.notify\",\"1\"]],\"%08x\",4],\"error\":null}\n", id, (unsigned) c->fd);
        send_all(c->fd, out, (size_t) n);
    } else if (strstr(line, "\"mining.authorize\"")) {
        int n = snprintf(out, sizeof out, "{\"id\":%s,\"result\":true,\"error\":null}\n", id);
        send_all(c->fd, out, (size_t) n);
        send_all(c->fd, NOTIFY, sizeof NOTIFY - 1);
    } else if (strstr(line, "\"mining.submit\"")) {
        int n = snprintf(out, sizeof out, "{\"id\":%s,\"result\":null,\"error\":[23,\"Low difficulty share\",null]}\n", id);
        send_all(c->fd, out, (size_t) n);
    } else {
        int n = snprintf(out, sizeof out, "{\"id\":%s,\"result\":true,\"error\":null}\n", id);
        send_all(c->fd, out, (size_t) n);
    }
}

int main(int argc, char **argv) {
    int port = argc > 1 ? atoi(argv[1]) : 0;
    int backlog = argc > 2 ? atoi(argv[2]) : 4096;
    signal(SIGPIPE, SIG_IGN);
    int ls = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    int one = 1;
    setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((unsigned short) port), .sin_addr.s_addr = htonl(INADDR_ANY)};
    if (bind(ls, (struct sockaddr *) &a, sizeof a) || listen(ls, backlog)) {
        perror("bind/listen");
        return 1;
    }
    socklen_t al = sizeof a;
    getsockname(ls, (struct sockaddr *) &a, &al);
    int ep = epoll_create1(0);
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = NULL};
    epoll_ctl(ep, EPOLL_CTL_ADD, ls, &ev);
    printf("READY %d\n", ntohs(a.sin_port));
    fflush(stdout);
    struct epoll_event evs[256];
    for (;;) {
        int n = epoll_wait(ep, evs, 256, -1);
        for (int i = 0; i < n; i++) {
            struct conn *c = evs[i].data.ptr;
            if (c == NULL) {
                for (;;) {
                    int fd = accept4(ls, NULL, NULL, SOCK_NONBLOCK);
                    if (fd < 0) {
                        break;
                    }
                    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
                    struct conn *nc = malloc(sizeof *nc);
                    nc->fd = fd;
                    nc->len = 0;
                    struct epoll_event cev = {.events = EPOLLIN | EPOLLRDHUP, .data.ptr = nc};
                    epoll_ctl(ep, EPOLL_CTL_ADD, fd, &cev);
                }
                continue;
            }
            ssize_t r = recv(c->fd, c->buf + c->len, sizeof c->buf - c->len - 1, 0);
            if (r <= 0) {
                if (r < 0 && (errno == EAGAIN || errno == EINTR)) {
                    continue;
                }
                close(c->fd); /* also leaves the epoll set */
                free(c);
                continue;
            }
            c->len += (size_t) r;
            c->buf[c->len] = 0;
            char *start = c->buf, *nl;
            while ((nl = memchr(start, '\n', c->len - (size_t) (start - c->buf))) != NULL) {
                *nl = 0;
                on_line(c, start);
                start = nl + 1;
            }
            size_t rest = c->len - (size_t) (start - c->buf);
            if (rest == sizeof c->buf - 1) {
                close(c->fd); /* a line longer than the buffer */
                free(c);
                continue;
            }
            memmove(c->buf, start, rest);
            c->len = rest;
        }
    }
}
