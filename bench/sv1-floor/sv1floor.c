/*
 * sv1floor: the C floor for the SV1 benchmarks (bench/README.md, "SV1 connect storm" and "SV1 submits and
 * new-block fan-out").
 *
 * One thread, epoll, non-blocking sockets: accepts until EAGAIN, reads newline-framed JSON-RPC lines and answers
 * what an SV1 miner needs: mining.subscribe -> a subscription result (extranonce1 4 bytes, extranonce2 4 bytes),
 * mining.authorize -> true, then mining.set_difficulty and a clean mining.notify (12-level merkle branch, like the
 * translator benchmark's SV2 pool). mining.submit does the work a pool does for a share it then rejects as low
 * difficulty (what ckpool does per submit): parse the JSON line (a small tokenizer: id, method, the five params),
 * look the job up, rebuild the coinbase from coinb1 + extranonce1 + extranonce2 + coinb2 and SHA-256d it, fold the
 * merkle branch into the root, SHA-256d the 80-byte header, compute the share difficulty and compare it to the
 * client's, and answer with the result (error 23 "Low difficulty share" unless the hash happens to meet it).
 *
 * A line on stdin drives the benchmark: "BLOCK" makes a new job (new previous-block hash, clean_jobs true), prints
 * "BLOCK <CLOCK_MONOTONIC ns>" taken just before the first write, serialises the notify line once and writes the same
 * bytes to every authorized client; "QUIT" (or EOF) exits. Java's System.nanoTime() reads the same clock on Linux.
 *
 * Usage: sv1floor PORT [BACKLOG] [DIFFICULTY]   (BACKLOG default 4096, capped by net.core.somaxconn; DIFFICULTY of
 * mining.set_difficulty, default 1). Prints "READY <port>" once listening. Build: gcc -O2 sv1floor.c -lcrypto
 * Socket-activated (LISTEN_FDS/LISTEN_PID set, e.g. by sv1activate.c or systemd-socket-activate): serves the inherited
 * fd 3 instead; PORT and BACKLOG are then ignored (the activator's listen() decided them).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/sha.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define LINE_MAX_BYTES 16384
#define BRANCHES 12
#define EN1_BYTES 4
#define EN2_BYTES 4
#define JOBS_KEPT 4

struct conn {
    int fd;
    int authorized;
    uint32_t en1;
    struct conn *prev, *next;
    size_t len;
    char buf[LINE_MAX_BYTES];
};

struct job {
    unsigned id;
    uint8_t coinb1[64], coinb2[64];
    size_t coinb1_len, coinb2_len;
    uint8_t branch[BRANCHES][32];
    uint8_t prevhash[32]; /* header byte order */
    uint32_t version, nbits, ntime;
};

static struct conn head = {.prev = &head, .next = &head}; /* every open connection */
static struct job jobs[JOBS_KEPT];
static unsigned job_seq;
static double client_diff = 1.0;
static char notify_line[4096];
static size_t notify_len;
static unsigned long submits, low_diff;

static const char COINB1_HEX[] =
    "02000000010000000000000000000000000000000000000000000000000000000000000000ffffffff1e5200065376322f2f2f14";
static const char COINB2_HEX[] = "ffffffff0100f2052a01000000160014ebe1b7dcc293ccaa0ee743a86f89df8258c208fc00000000";

static int hexval(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* hex -> bytes; returns the byte count or -1 */
static int unhex(const char *h, size_t hlen, uint8_t *out, size_t cap) {
    if (hlen % 2 || hlen / 2 > cap) return -1;
    for (size_t i = 0; i < hlen / 2; i++) {
        int a = hexval(h[2 * i]), b = hexval(h[2 * i + 1]);
        if (a < 0 || b < 0) return -1;
        out[i] = (uint8_t) (a << 4 | b);
    }
    return (int) (hlen / 2);
}

static void tohex(const uint8_t *b, size_t n, char *out) {
    static const char d[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = d[b[i] >> 4];
        out[2 * i + 1] = d[b[i] & 15];
    }
    out[2 * n] = 0;
}

static int parse_u32(const char *h, size_t len, uint32_t *v) {
    uint8_t b[4];
    if (len != 8 || unhex(h, 8, b, 4) != 4) return -1;
    *v = (uint32_t) b[0] << 24 | (uint32_t) b[1] << 16 | (uint32_t) b[2] << 8 | b[3];
    return 0;
}

static void put_le32(uint8_t *p, uint32_t v) {
    p[0] = (uint8_t) v; p[1] = (uint8_t) (v >> 8); p[2] = (uint8_t) (v >> 16); p[3] = (uint8_t) (v >> 24);
}

static void sha256d(const uint8_t *in, size_t n, uint8_t out[32]) {
    uint8_t h[32];
    SHA256(in, n, h);
    SHA256(h, 32, out);
}

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t) ts.tv_sec * 1000000000ull + (uint64_t) ts.tv_nsec;
}

/* a new job; the previous-block hash is the sha256d of the last one, so every block is different */
static void new_job(void) {
    static uint8_t prev[32] = {0xab};
    struct job *j = &jobs[++job_seq % JOBS_KEPT];
    uint8_t next[32];
    sha256d(prev, 32, next);
    memcpy(prev, next, 32);
    j->id = job_seq;
    j->coinb1_len = (size_t) unhex(COINB1_HEX, sizeof COINB1_HEX - 1, j->coinb1, sizeof j->coinb1);
    j->coinb2_len = (size_t) unhex(COINB2_HEX, sizeof COINB2_HEX - 1, j->coinb2, sizeof j->coinb2);
    for (int i = 0; i < BRANCHES; i++) {
        memset(j->branch[i], 0, 32);
        j->branch[i][0] = (uint8_t) (i + 1);
    }
    memcpy(j->prevhash, prev, 32);
    j->version = 0x20000000;
    j->nbits = 0x1d00ffff;
    j->ntime = (uint32_t) time(NULL);
    /* stratum's prevhash: the header bytes with each 4-byte word reversed */
    uint8_t swapped[32];
    for (int i = 0; i < 32; i++) swapped[i] = prev[(i & ~3) + 3 - (i & 3)];
    char ph[65], c1[sizeof COINB1_HEX], c2[sizeof COINB2_HEX], br[BRANCHES * 67 + 1];
    tohex(swapped, 32, ph);
    tohex(j->coinb1, j->coinb1_len, c1);
    tohex(j->coinb2, j->coinb2_len, c2);
    size_t o = 0;
    for (int i = 0; i < BRANCHES; i++) {
        char h[65];
        tohex(j->branch[i], 32, h);
        o += (size_t) sprintf(br + o, "%s\"%s\"", i ? "," : "", h);
    }
    notify_len = (size_t) snprintf(notify_line, sizeof notify_line,
            "{\"id\":null,\"method\":\"mining.notify\",\"params\":[\"%x\",\"%s\",\"%s\",\"%s\",[%s],\"%08x\",\"%08x\",\"%08x\",true]}\n",
            j->id, ph, c1, c2, br, j->version, j->nbits, j->ntime);
}

static struct job *find_job(const char *id, size_t len) {
    char tmp[16];
    if (len == 0 || len >= sizeof tmp) return NULL;
    memcpy(tmp, id, len);
    tmp[len] = 0;
    char *end;
    unsigned long v = strtoul(tmp, &end, 16);
    if (*end) return NULL;
    struct job *j = &jobs[v % JOBS_KEPT];
    return j->id == v && v != 0 ? j : NULL;
}

/* ---- a small JSON-RPC tokenizer: enough for {"id":..,"method":"..","params":[...]} on one line ---- */

struct span { const char *p; size_t n; };

static const char *skip_ws(const char *p) {
    while (*p == ' ' || *p == '\t' || *p == '\r') p++;
    return p;
}

/* a JSON string at p (after the quote is consumed): returns the end after the closing quote, or NULL */
static const char *scan_string(const char *p, struct span *s) {
    if (*p != '"') return NULL;
    s->p = ++p;
    while (*p && *p != '"') {
        if (*p == '\\') {
            if (!p[1]) return NULL;
            p++;
        }
        p++;
    }
    if (*p != '"') return NULL;
    s->n = (size_t) (p - s->p);
    return p + 1;
}

/* any JSON value (string, number, literal, array or object): returns the end, sets *s to its text */
static const char *scan_value(const char *p, struct span *s) {
    p = skip_ws(p);
    if (*p == '"') {
        struct span in;
        const char *e = scan_string(p, &in);
        if (s) { s->p = p; s->n = e ? (size_t) (e - p) : 0; }
        return e;
    }
    const char *start = p;
    if (*p == '[' || *p == '{') {
        int depth = 0;
        do {
            if (*p == '"') {
                struct span in;
                p = scan_string(p, &in);
                if (!p) return NULL;
                continue;
            }
            if (*p == '[' || *p == '{') depth++;
            else if (*p == ']' || *p == '}') depth--;
            else if (!*p) return NULL;
            p++;
        } while (depth > 0);
    } else {
        while (*p && *p != ',' && *p != '}' && *p != ']' && *p != ' ') p++;
        if (p == start) return NULL;
    }
    if (s) { s->p = start; s->n = (size_t) (p - start); }
    return p;
}

struct request {
    struct span id, method;
    struct span params[8]; /* string params without quotes */
    int nparams;
};

static int parse_request(const char *line, struct request *r) {
    memset(r, 0, sizeof *r);
    r->id.p = "null";
    r->id.n = 4;
    const char *p = skip_ws(line);
    if (*p++ != '{') return -1;
    for (;;) {
        p = skip_ws(p);
        if (*p == '}') return 0;
        struct span key;
        p = scan_string(p, &key);
        if (!p) return -1;
        p = skip_ws(p);
        if (*p++ != ':') return -1;
        p = skip_ws(p);
        if (key.n == 2 && !memcmp(key.p, "id", 2)) {
            p = scan_value(p, &r->id);
        } else if (key.n == 6 && !memcmp(key.p, "method", 6)) {
            p = scan_string(p, &r->method);
        } else if (key.n == 6 && !memcmp(key.p, "params", 6) && *p == '[') {
            p = skip_ws(p + 1);
            while (p && *p != ']') {
                struct span v;
                if (*p == '"') {
                    p = scan_string(p, &v);
                } else {
                    p = scan_value(p, &v);
                }
                if (!p) return -1;
                if (r->nparams < 8) r->params[r->nparams++] = v;
                p = skip_ws(p);
                if (*p == ',') p = skip_ws(p + 1);
                else if (*p != ']') return -1;
            }
            if (p) p++;
        } else {
            p = scan_value(p, NULL);
        }
        if (!p) return -1;
        p = skip_ws(p);
        if (*p == ',') p++;
        else if (*p != '}') return -1;
    }
}

static int is(const struct span *s, const char *lit) {
    size_t n = strlen(lit);
    return s->n == n && !memcmp(s->p, lit, n);
}

static void send_all(int fd, const char *s, size_t n) {
    /* replies are a few hundred bytes; the clients read all the time, so the send buffer does not fill here */
    while (n > 0) {
        ssize_t w = send(fd, s, n, MSG_NOSIGNAL);
        if (w <= 0) return;
        s += w;
        n -= (size_t) w;
    }
}

/* difficulty of a header hash: diff1 target / hash, both as doubles (what ckpool compares) */
static double share_diff(const uint8_t hash[32]) {
    double h = 0;
    for (int i = 31; i >= 0; i--) h = h * 256.0 + hash[i];
    return h == 0 ? 1e300 : 26959535291011309493156476344723991336010898738574164086137773096960.0 / h;
}

/* the share check of a pool for one mining.submit; returns NULL when accepted, else the error text */
static const char *check_share(struct conn *c, const struct request *r, int *code) {
    *code = 20;
    if (r->nparams < 5) return "Invalid params";
    struct job *j = find_job(r->params[1].p, r->params[1].n);
    if (!j) { *code = 21; return "Job not found"; }
    uint8_t cb[256], en2[EN2_BYTES];
    if (unhex(r->params[2].p, r->params[2].n, en2, sizeof en2) != EN2_BYTES) return "Invalid extranonce2";
    uint32_t ntime, nonce, version = j->version;
    if (parse_u32(r->params[3].p, r->params[3].n, &ntime) || parse_u32(r->params[4].p, r->params[4].n, &nonce)) {
        return "Invalid ntime or nonce";
    }
    if (r->nparams > 5) {
        uint32_t bits;
        if (parse_u32(r->params[5].p, r->params[5].n, &bits)) return "Invalid version bits";
        version = (version & ~0x1fffe000u) | (bits & 0x1fffe000u);
    }
    size_t n = 0;
    memcpy(cb, j->coinb1, j->coinb1_len); n += j->coinb1_len;
    cb[n++] = (uint8_t) (c->en1 >> 24); cb[n++] = (uint8_t) (c->en1 >> 16);
    cb[n++] = (uint8_t) (c->en1 >> 8); cb[n++] = (uint8_t) c->en1;
    memcpy(cb + n, en2, EN2_BYTES); n += EN2_BYTES;
    memcpy(cb + n, j->coinb2, j->coinb2_len); n += j->coinb2_len;
    uint8_t pair[64], hdr[80], hash[32];
    sha256d(cb, n, pair);
    for (int i = 0; i < BRANCHES; i++) {
        memcpy(pair + 32, j->branch[i], 32);
        sha256d(pair, 64, pair);
    }
    put_le32(hdr, version);
    memcpy(hdr + 4, j->prevhash, 32);
    memcpy(hdr + 36, pair, 32);
    put_le32(hdr + 68, ntime);
    put_le32(hdr + 72, j->nbits);
    put_le32(hdr + 76, nonce);
    sha256d(hdr, 80, hash);
    if (share_diff(hash) < client_diff) {
        *code = 23;
        low_diff++;
        return "Low difficulty share";
    }
    return NULL;
}

static void on_line(struct conn *c, char *line) {
    char out[1024];
    struct request r;
    int n;
    if (parse_request(line, &r)) {
        n = snprintf(out, sizeof out, "{\"id\":null,\"result\":null,\"error\":[20,\"Parse error\",null]}\n");
        send_all(c->fd, out, (size_t) n);
        return;
    }
    int idn = (int) (r.id.n > 64 ? 64 : r.id.n);
    if (is(&r.method, "mining.submit")) {
        submits++;
        int code;
        const char *err = check_share(c, &r, &code);
        if (err) {
            n = snprintf(out, sizeof out, "{\"id\":%.*s,\"result\":null,\"error\":[%d,\"%s\",null]}\n", idn, r.id.p, code, err);
        } else {
            n = snprintf(out, sizeof out, "{\"id\":%.*s,\"result\":true,\"error\":null}\n", idn, r.id.p);
        }
        send_all(c->fd, out, (size_t) n);
    } else if (is(&r.method, "mining.subscribe")) {
        n = snprintf(out, sizeof out, "{\"id\":%.*s,\"result\":[[[\"mining.set_difficulty\",\"1\"],"
                "[\"mining.notify\",\"1\"]],\"%08x\",%d],\"error\":null}\n", idn, r.id.p, c->en1, EN2_BYTES);
        send_all(c->fd, out, (size_t) n);
    } else if (is(&r.method, "mining.authorize")) {
        n = snprintf(out, sizeof out, "{\"id\":%.*s,\"result\":true,\"error\":null}\n"
                "{\"id\":null,\"method\":\"mining.set_difficulty\",\"params\":[%.17g]}\n", idn, r.id.p, client_diff);
        send_all(c->fd, out, (size_t) n);
        send_all(c->fd, notify_line, notify_len);
        c->authorized = 1;
    } else {
        n = snprintf(out, sizeof out, "{\"id\":%.*s,\"result\":true,\"error\":null}\n", idn, r.id.p);
        send_all(c->fd, out, (size_t) n);
    }
}

static void drop(struct conn *c) {
    close(c->fd); /* also leaves the epoll set */
    c->prev->next = c->next;
    c->next->prev = c->prev;
    free(c);
}

/* stdin command; returns 1 to quit */
static int on_command(void) {
    static char cmd[256];
    static size_t len;
    ssize_t r = read(0, cmd + len, sizeof cmd - 1 - len);
    if (r <= 0) return 1;
    len += (size_t) r;
    cmd[len] = 0;
    char *nl;
    while ((nl = strchr(cmd, '\n')) != NULL) {
        *nl = 0;
        if (!strncmp(cmd, "QUIT", 4)) return 1;
        if (!strncmp(cmd, "BLOCK", 5)) {
            uint64_t t0 = now_ns();
            new_job();
            /* one serialised line, the same bytes to every client */
            for (struct conn *c = head.next; c != &head; c = c->next) {
                if (c->authorized) send_all(c->fd, notify_line, notify_len);
            }
            printf("BLOCK %llu\n", (unsigned long long) t0);
        } else if (!strncmp(cmd, "STATS", 5)) {
            printf("STATS %lu %lu\n", submits, low_diff);
        }
        fflush(stdout);
        size_t used = (size_t) (nl + 1 - cmd);
        memmove(cmd, nl + 1, len - used + 1);
        len -= used;
    }
    if (len == sizeof cmd - 1) len = 0;
    return 0;
}

int main(int argc, char **argv) {
    int port = argc > 1 ? atoi(argv[1]) : 0;
    int backlog = argc > 2 ? atoi(argv[2]) : 4096;
    if (argc > 3) client_diff = atof(argv[3]);
    signal(SIGPIPE, SIG_IGN);
    new_job();
    int one = 1;
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((unsigned short) port), .sin_addr.s_addr = htonl(INADDR_ANY)};
    int ls;
    const char *lpid = getenv("LISTEN_PID");
    if (getenv("LISTEN_FDS") != NULL && lpid != NULL && atoi(lpid) == (int) getpid()) {
        /* socket activation (bench/sv1-floor/sv1activate.c, systemd): the listening socket is fd 3, port and backlog
           are the activator's */
        ls = 3;
        fcntl(ls, F_SETFL, fcntl(ls, F_GETFL) | O_NONBLOCK);
    } else {
        ls = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
        setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (bind(ls, (struct sockaddr *) &a, sizeof a) || listen(ls, backlog)) {
            perror("bind/listen");
            return 1;
        }
    }
    socklen_t al = sizeof a;
    getsockname(ls, (struct sockaddr *) &a, &al);
    int ep = epoll_create1(0);
    static char listen_tag, stdin_tag;
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = &listen_tag};
    epoll_ctl(ep, EPOLL_CTL_ADD, ls, &ev);
    struct epoll_event sev = {.events = EPOLLIN, .data.ptr = &stdin_tag};
    epoll_ctl(ep, EPOLL_CTL_ADD, 0, &sev); /* fails harmlessly when stdin is a file or /dev/null */
    printf("READY %d\n", ntohs(a.sin_port));
    fflush(stdout);
    struct epoll_event evs[256];
    uint32_t next_en1 = 1;
    for (;;) {
        int n = epoll_wait(ep, evs, 256, -1);
        for (int i = 0; i < n; i++) {
            void *tag = evs[i].data.ptr;
            if (tag == &stdin_tag) {
                if (on_command()) return 0;
                continue;
            }
            if (tag == &listen_tag) {
                for (;;) {
                    int fd = accept4(ls, NULL, NULL, SOCK_NONBLOCK);
                    if (fd < 0) break;
                    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
                    struct conn *nc = malloc(sizeof *nc);
                    nc->fd = fd;
                    nc->len = 0;
                    nc->authorized = 0;
                    nc->en1 = next_en1++;
                    nc->next = head.next;
                    nc->prev = &head;
                    head.next->prev = nc;
                    head.next = nc;
                    struct epoll_event cev = {.events = EPOLLIN | EPOLLRDHUP, .data.ptr = nc};
                    epoll_ctl(ep, EPOLL_CTL_ADD, fd, &cev);
                }
                continue;
            }
            struct conn *c = tag;
            ssize_t r = recv(c->fd, c->buf + c->len, sizeof c->buf - c->len - 1, 0);
            if (r <= 0) {
                if (r < 0 && (errno == EAGAIN || errno == EINTR)) continue;
                drop(c);
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
            if (rest == sizeof c->buf - 1) { /* a line longer than the buffer */
                drop(c);
                continue;
            }
            memmove(c->buf, start, rest);
            c->len = rest;
        }
    }
}
