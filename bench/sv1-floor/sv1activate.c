/*
 * A socket unit's start, with its Backlog= (issue 19, storm during a restart): what systemd does for
 * hh-translator.socket, as `systemd-socket-activate --fdname=NAME` does it, but with an explicit listen backlog
 * (systemd-socket-activate always asks for the kernel's maximum, net.core.somaxconn, so it cannot compare two
 * Backlog= values on one host).
 *
 *   sv1activate ADDR:PORT BACKLOG FDNAME COMMAND [ARGS...]
 *
 * Binds ADDR:PORT (port 0: any free one), listen(BACKLOG) (the kernel caps it at net.core.somaxconn), prints
 * "LISTENING <port>" on stdout and "Listening on ADDR:PORT as 3." on stderr (the line systemd-socket-activate
 * prints), waits until the first connection is pending (a socket unit starts its service on the first connection),
 * then execs COMMAND in this process (same pid) with the socket as fd 3 and LISTEN_FDS=1, LISTEN_PID=<pid>,
 * LISTEN_FDNAMES=FDNAME, as sd_listen_fds(3) expects.
 *
 * Build: gcc -O2 -Wall -Wextra -o target/sv1activate bench/sv1-floor/sv1activate.c
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc < 5) {
        fprintf(stderr, "usage: sv1activate ADDR:PORT BACKLOG FDNAME COMMAND [ARGS...]\n");
        return 2;
    }
    char host[64];
    const char *colon = strrchr(argv[1], ':');
    if (colon == NULL || (size_t) (colon - argv[1]) >= sizeof host) {
        fprintf(stderr, "sv1activate: ADDR:PORT expected, got %s\n", argv[1]);
        return 2;
    }
    memcpy(host, argv[1], (size_t) (colon - argv[1]));
    host[colon - argv[1]] = 0;
    int port = atoi(colon + 1);
    int backlog = atoi(argv[2]);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((unsigned short) port)};
    if (inet_pton(AF_INET, host, &a.sin_addr) != 1) {
        fprintf(stderr, "sv1activate: not an IPv4 address: %s\n", host);
        return 2;
    }
    int ls = socket(AF_INET, SOCK_STREAM, 0); /* blocking, like systemd's; the daemon makes it non-blocking */
    int one = 1;
    setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    setsockopt(ls, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one); /* NoDelay=yes, inherited by accepted sockets */
    if (bind(ls, (struct sockaddr *) &a, sizeof a) || listen(ls, backlog)) {
        perror("sv1activate: bind/listen");
        return 1;
    }
    socklen_t al = sizeof a;
    getsockname(ls, (struct sockaddr *) &a, &al);
    printf("LISTENING %d\n", ntohs(a.sin_port));
    fflush(stdout);
    fprintf(stderr, "Listening on %s:%d as 3.\n", host, ntohs(a.sin_port));
    struct pollfd p = {.fd = ls, .events = POLLIN};
    while (poll(&p, 1, -1) < 0) {
        if (errno != EINTR) {
            perror("sv1activate: poll");
            return 1;
        }
    }
    if (ls != 3) {
        if (dup2(ls, 3) < 0) {
            perror("sv1activate: dup2");
            return 1;
        }
        close(ls);
    }
    char pid[24];
    snprintf(pid, sizeof pid, "%d", (int) getpid());
    setenv("LISTEN_FDS", "1", 1);
    setenv("LISTEN_PID", pid, 1);
    setenv("LISTEN_FDNAMES", argv[3], 1);
    execvp(argv[4], argv + 4);
    perror("sv1activate: exec");
    return 1;
}
