/*
 * usage: knock HOST:PORT RATE SECONDS [SOURCES] [DOMAIN]
 *
 * Sends door-knock INVITEs (an unknown domain, a distinct Call-ID, branch and tag each) at RATE packets
 * per second for SECONDS, and prints "sent=N answered=N rate=N". A proxy doing its job answers none.
 * SOURCES (default 1) spreads the knocks over that many source addresses, 127.0.7.1 upwards (one
 * source: 127.0.6.99): many sources measure the cost of parsing and dropping each knock, one source
 * what a flood guard does with a single flooding host.
 *
 * Why C: the proxies drop knocks faster than one Python sender can send them on two shared cores.
 * The packets are built before the clock starts and go out in batches (sendmmsg), so the sender's own
 * CPU stays small next to the proxy's. Built by hack/bench/sip-bench.sh with cc -O2.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define POOL 65536
#define BATCH 64
#define MSG_MAX 512

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
    if (argc < 4) {
        fprintf(stderr, "usage: %s HOST:PORT RATE SECONDS [SOURCES] [DOMAIN]\n", argv[0]);
        return 2;
    }
    char host[64];
    const char *colon = strrchr(argv[1], ':');
    if (!colon || colon - argv[1] >= (long) sizeof host) {
        fprintf(stderr, "bad target %s\n", argv[1]);
        return 2;
    }
    memcpy(host, argv[1], colon - argv[1]);
    host[colon - argv[1]] = 0;
    struct sockaddr_in target = {.sin_family = AF_INET, .sin_port = htons(atoi(colon + 1))};
    inet_pton(AF_INET, host, &target.sin_addr);
    long rate = atol(argv[2]);
    double seconds = atof(argv[3]);
    int sources = argc > 4 ? atoi(argv[4]) : 1;
    const char *domain = argc > 5 ? argv[5] : "knock.invalid.example";
    if (rate < 1 || seconds <= 0 || sources < 1) {
        fprintf(stderr, "RATE, SECONDS and SOURCES must be positive\n");
        return 2;
    }

    int *socks = calloc(sources, sizeof *socks);
    char (*names)[32] = calloc(sources, sizeof *names);
    int *ports = calloc(sources, sizeof *ports);
    for (int i = 0; i < sources; i++) {
        socks[i] = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
        struct sockaddr_in me = {.sin_family = AF_INET};
        if (sources > 1) {
            snprintf(names[i], sizeof names[i], "127.0.7.%d", 1 + i % 250);
        } else {
            snprintf(names[i], sizeof names[i], "127.0.6.99");
        }
        inet_pton(AF_INET, names[i], &me.sin_addr);
        if (bind(socks[i], (struct sockaddr *) &me, sizeof me) != 0) {
            perror("bind");
            return 1;
        }
        socklen_t len = sizeof me;
        getsockname(socks[i], (struct sockaddr *) &me, &len);
        ports[i] = ntohs(me.sin_port);
    }

    /* per source, its own prepared knocks (its address in the Via), sent in turn: a batch from one
       source, then the next source, so every source sends RATE/SOURCES per second */
    int per = POOL / sources > 0 ? POOL / sources : 1;
    char *packets = malloc((size_t) sources * per * MSG_MAX);
    int *lengths = malloc((size_t) sources * per * sizeof *lengths);
    long *cursor = calloc(sources, sizeof *cursor);
    for (int s = 0; s < sources; s++) {
        for (int j = 0; j < per; j++) {
            long k = (long) j * sources + s;
            lengths[s * per + j] = snprintf(packets + ((size_t) s * per + j) * MSG_MAX, MSG_MAX,
                    "INVITE sip:100@%s SIP/2.0\r\n"
                    "Via: SIP/2.0/UDP %s:%d;branch=z9hG4bK-k%ld\r\n"
                    "Max-Forwards: 70\r\nFrom: <sip:scan@%s>;tag=%ld\r\nTo: <sip:100@%s>\r\n"
                    "Call-ID: knock-%ld@%s\r\nCSeq: 1 INVITE\r\nUser-Agent: pbx\r\n"
                    "Content-Length: 0\r\n\r\n",
                    domain, names[s], ports[s], k, domain, k, domain, k, names[s]);
        }
    }

    struct mmsghdr msgs[BATCH];
    struct iovec iovs[BATCH];
    char sink[2048];
    long sent = 0, answered = 0;
    int turn = 0;
    double start = now(), end = start + seconds;
    for (;;) {
        double t = now();
        if (t >= end) {
            break;
        }
        long due = (long) ((t - start) * rate);
        int stalled = 0;
        while (sent < due && stalled < sources) {
            int s = turn;
            turn = (turn + 1) % sources;
            long want = due - sent;
            int n = want < BATCH ? (int) want : BATCH;
            if (sources > 1 && n > 8) {
                n = 8; /* small batches keep the sources interleaved */
            }
            for (int i = 0; i < n; i++) {
                int j = (int) ((cursor[s] + i) % per);
                iovs[i].iov_base = packets + ((size_t) s * per + j) * MSG_MAX;
                iovs[i].iov_len = lengths[s * per + j];
                memset(&msgs[i], 0, sizeof msgs[i]);
                msgs[i].msg_hdr.msg_name = &target;
                msgs[i].msg_hdr.msg_namelen = sizeof target;
                msgs[i].msg_hdr.msg_iov = &iovs[i];
                msgs[i].msg_hdr.msg_iovlen = 1;
            }
            int done = sendmmsg(socks[s], msgs, n, 0);
            if (done <= 0) {
                stalled++; /* EAGAIN: this socket's buffer is full; the others may still send */
                continue;
            }
            cursor[s] += done;
            sent += done;
        }
        for (int i = 0; i < sources; i++) {
            while (recv(socks[i], sink, sizeof sink, 0) > 0) {
                answered++;
            }
        }
        usleep(200);
    }
    double elapsed = now() - start;
    printf("sent=%ld answered=%ld rate=%.0f\n", sent, answered, sent / elapsed);
    return 0;
}
