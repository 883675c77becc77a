/* A TCP proxy that adds latency on loopback, for benchmarks where `tc netem` is not available.
 * See latency_proxy.py (which builds and starts this program) for what it promises:
 * every chunk of bytes forwarded, in either direction, is delivered DELAY_MS after the proxy
 * received it, in order, without a bandwidth limit; the first bytes a client sends are held until
 * two delays after its connection was accepted (the handshake's round trip), then delayed like
 * any others. One thread, epoll, no copies beyond one per chunk: the proxy is measured with the
 * client, so it must cost as little CPU as the kernel's netem would.
 *
 * Usage: latency_proxy TARGET_PORT DELAY_MS   (prints "listening PORT", serves until killed)
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* A chunk received and not yet delivered; `length` 0 is the end of the stream. */
struct chunk {
    struct chunk *next;
    int64_t due;
    size_t length, sent;
    unsigned char bytes[];
};

/* One direction of a connection: what `from` sent, queued for `to`. */
struct direction {
    int from, to;
    struct chunk *head, *tail;
    int64_t not_before;
    int reading;  /* `from` has not ended its stream */
    int blocked;  /* `to` would block: wait for EPOLLOUT */
    int ended;    /* the end of the stream was passed on */
};

/* A client and its upstream connection. endpoint[0] is the client's socket, endpoint[1] the
 * upstream's; way[0] carries the client's bytes upstream, way[1] the answers back. */
struct connection {
    struct connection *next, *previous;
    struct endpoint { struct connection *connection; int side; } endpoint[2];
    int socket[2];
    int watched[2];  /* the socket is in the epoll set */
    struct direction way[2];
    int closed;
};

static int64_t delay_ns;
static int poller;
static struct connection *connections;
static struct connection *closed_connections;

static int64_t now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

static void fail(const char *what) {
    perror(what);
    exit(1);
}

/* What epoll should wake us for on one side's socket; a socket with nothing to wait for leaves the
 * set (epoll reports a hang-up even when no event is asked for, and would wake us for nothing). */
static void watch(struct connection *c, int side) {
    struct epoll_event event = {0};
    if (c->way[side].reading) event.events |= EPOLLIN;
    if (c->way[1 - side].blocked) event.events |= EPOLLOUT;
    event.data.ptr = &c->endpoint[side];
    int operation = !event.events ? EPOLL_CTL_DEL : c->watched[side] ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
    if (!event.events && !c->watched[side]) return;
    if (epoll_ctl(poller, operation, c->socket[side], &event) != 0) fail("epoll_ctl");
    c->watched[side] = event.events != 0;
}

static void close_connection(struct connection *c) {
    if (c->closed) return;
    c->closed = 1;
    for (int side = 0; side < 2; side++) {
        close(c->socket[side]);
        for (struct chunk *k = c->way[side].head, *next; k; k = next) {
            next = k->next;
            free(k);
        }
        c->way[side].head = c->way[side].tail = NULL;
    }
    if (c->previous) c->previous->next = c->next; else connections = c->next;
    if (c->next) c->next->previous = c->previous;
    c->next = closed_connections;  /* freed after this round of events, which may still name it */
    closed_connections = c;
}

/* Reads what `side`'s socket has, each read one chunk due a delay after its arrival. */
static void receive(struct connection *c, int side) {
    struct direction *way = &c->way[side];
    unsigned char buffer[1 << 16];
    while (way->reading) {
        ssize_t n = read(way->from, buffer, sizeof buffer);
        if (n < 0) {
            if (errno == EAGAIN || errno == EINTR) return;
            close_connection(c);  /* a peer that went away is not an error of the proxy */
            return;
        }
        struct chunk *k = malloc(sizeof *k + (size_t)n);
        if (!k) fail("malloc");
        int64_t now = now_ns();
        k->next = NULL;
        k->due = (now > way->not_before ? now : way->not_before) + delay_ns;
        k->length = (size_t)n;
        k->sent = 0;
        memcpy(k->bytes, buffer, (size_t)n);
        if (way->tail) way->tail->next = k; else way->head = k;
        way->tail = k;
        if (n == 0) {
            way->reading = 0;
            watch(c, side);
        }
    }
}

/* Delivers the chunks of `way` that are due; notes when the receiver would block. */
static void deliver(struct connection *c, int index, int64_t now) {
    struct direction *way = &c->way[index];
    while (!c->closed && way->head && way->head->due <= now) {
        struct chunk *k = way->head;
        if (k->length == 0) {
            shutdown(way->to, SHUT_WR);
            way->ended = 1;
        } else {
            ssize_t n = send(way->to, k->bytes + k->sent, k->length - k->sent, MSG_NOSIGNAL | MSG_DONTWAIT);
            if (n < 0) {
                if (errno == EAGAIN || errno == EINTR) {
                    if (!way->blocked) {
                        way->blocked = 1;
                        watch(c, 1 - index);
                    }
                    return;
                }
                close_connection(c);
                return;
            }
            k->sent += (size_t)n;
            if (k->sent < k->length) continue;
        }
        way->head = k->next;
        if (!way->head) way->tail = NULL;
        free(k);
    }
    if (c->closed) return;
    if (way->blocked) {
        way->blocked = 0;
        watch(c, 1 - index);
    }
    if (c->way[0].ended && c->way[1].ended) close_connection(c);
}

static void accept_clients(int listener, int target_port) {
    for (;;) {
        int client = accept4(listener, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (client < 0) {
            if (errno == EAGAIN || errno == EINTR || errno == ECONNABORTED) return;
            fail("accept4");
        }
        int64_t accepted = now_ns();
        int upstream = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        struct sockaddr_in target = {.sin_family = AF_INET, .sin_port = htons((uint16_t)target_port),
                                     .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
        if (upstream < 0 || connect(upstream, (struct sockaddr *)&target, sizeof target) != 0) {
            if (upstream >= 0) close(upstream);
            close(client);
            continue;
        }
        fcntl(upstream, F_SETFL, fcntl(upstream, F_GETFL) | O_NONBLOCK);
        int one = 1;
        setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        setsockopt(upstream, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        struct connection *c = calloc(1, sizeof *c);
        if (!c) fail("calloc");
        c->socket[0] = client;
        c->socket[1] = upstream;
        c->way[0] = (struct direction){.from = client, .to = upstream, .reading = 1, .not_before = accepted + 2 * delay_ns};
        c->way[1] = (struct direction){.from = upstream, .to = client, .reading = 1};
        for (int side = 0; side < 2; side++) {
            c->endpoint[side] = (struct endpoint){c, side};
            watch(c, side);
        }
        c->next = connections;
        if (connections) connections->previous = c;
        connections = c;
    }
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: latency_proxy TARGET_PORT DELAY_MS\n");
        return 2;
    }
    int target_port = atoi(argv[1]);
    delay_ns = (int64_t)(atof(argv[2]) * 1e6);
    signal(SIGPIPE, SIG_IGN);
    /* Chunks come and go by the thousand per second: keep freed memory for the next ones instead of
     * returning it to the kernel and faulting it in again (a tenth of the proxy's CPU otherwise). */
    mallopt(M_MMAP_THRESHOLD, 1 << 20);
    mallopt(M_TRIM_THRESHOLD, 256 << 20);

    int listener = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t length = sizeof address;
    if (listener < 0 || bind(listener, (struct sockaddr *)&address, sizeof address) != 0 || listen(listener, 256) != 0
        || getsockname(listener, (struct sockaddr *)&address, &length) != 0) fail("listen");
    poller = epoll_create1(EPOLL_CLOEXEC);
    static struct endpoint listening;  /* data.ptr of the listener: a connection of NULL */
    struct epoll_event event = {.events = EPOLLIN, .data.ptr = &listening};
    if (poller < 0 || epoll_ctl(poller, EPOLL_CTL_ADD, listener, &event) != 0) fail("epoll");
    printf("listening %d\n", ntohs(address.sin_port));
    fflush(stdout);

    struct epoll_event events[256];
    for (;;) {
        int64_t now = now_ns(), next = INT64_MAX;
        for (struct connection *c = connections, *after; c; c = after) {
            after = c->next;
            for (int index = 0; index < 2 && !c->closed; index++)
                if (!c->way[index].blocked) deliver(c, index, now);  /* a blocked one waits for EPOLLOUT */
            for (int index = 0; index < 2 && !c->closed; index++) {
                struct direction *way = &c->way[index];
                if (way->head && !way->blocked && way->head->due < next) next = way->head->due;
            }
        }
        struct timespec timeout, *wait = NULL;
        if (next != INT64_MAX) {
            int64_t left = next > now ? next - now : 0;
            timeout = (struct timespec){.tv_sec = left / 1000000000, .tv_nsec = left % 1000000000};
            wait = &timeout;
        }
        int count = epoll_pwait2(poller, events, 256, wait, NULL);
        if (count < 0 && errno != EINTR) fail("epoll_pwait2");
        for (int i = 0; i < count; i++) {
            struct endpoint *e = events[i].data.ptr;
            if (!e->connection) {
                accept_clients(listener, target_port);
                continue;
            }
            struct connection *c = e->connection;
            if (c->closed) continue;
            if (events[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) receive(c, e->side);
            if (!c->closed && (events[i].events & EPOLLOUT)) deliver(c, 1 - e->side, now_ns());
        }
        while (closed_connections) {
            struct connection *c = closed_connections;
            closed_connections = c->next;
            free(c);
        }
    }
}
