// udpsink.c - the benchmark's physical-limit receiver: a bare recvmmsg loop that only counts datagrams.
//
// Whatever a trap receiver does, it first has to take datagrams off a UDP socket. This program does that and
// nothing else (64 datagrams per recvmmsg call into fixed 2 KiB buffers, as FACTS' 745k/s NIO figure assumed), so
// the rate it reaches on one core is the machine's limit for a trap shape: `bench/run` reports every trapmux figure
// as a fraction of it. It is also the counting relay target of the relay rows.
//
// It binds 127.0.0.1:PORT (0 = any free port), asks for a receive buffer of RCVBUF bytes (SO_RCVBUFFORCE when
// permitted, like trapmux, else SO_RCVBUF within net.core.rmem_max), prints one `ready` line with the port and the
// buffer the kernel granted, then counts until COUNT datagrams arrived, or IDLE ms passed without one after the
// first, or MAXSEC seconds passed in all. It ends with one line of key=value results. `drops` is the socket's own
// overflow counter (SO_RXQ_OVFL, the drops column of /proc/net/udp), `cpu` its user+system time.
//
// Build: gcc -O2 -Wall -o udpsink udpsink.c
// Usage: udpsink [-p PORT] [-B RCVBUF] [-c COUNT] [-i IDLE_MS] [-T MAXSEC]
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH 64
#define BUFFER_BYTES 2048
#ifndef SO_RXQ_OVFL
#define SO_RXQ_OVFL 40
#endif

static double now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static double cpu_seconds(void) {
    struct rusage usage;
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_utime.tv_sec + usage.ru_utime.tv_usec * 1e-6 + usage.ru_stime.tv_sec + usage.ru_stime.tv_usec * 1e-6;
}

static int usage(void) {
    fprintf(stderr, "usage: udpsink [-p PORT] [-B RCVBUF] [-c COUNT] [-i IDLE_MS] [-T MAXSEC]\n");
    return 2;
}

int main(int argc, char **argv) {
    long port = 0, rcvbuf = 4 << 20, idle_ms = 500;
    long long limit = 0;  // 0: no count limit
    double max_seconds = 60;
    int option;
    while ((option = getopt(argc, argv, "p:B:c:i:T:")) != -1) {
        switch (option) {
        case 'p': port = strtol(optarg, NULL, 10); break;
        case 'B': rcvbuf = strtol(optarg, NULL, 10); break;
        case 'c': limit = strtoll(optarg, NULL, 10); break;
        case 'i': idle_ms = strtol(optarg, NULL, 10); break;
        case 'T': max_seconds = strtod(optarg, NULL); break;
        default: return usage();
        }
    }
    // Every run is bounded in time: at most an hour, whatever is asked.
    if (port < 0 || port > 65535 || rcvbuf < 1024 || rcvbuf > (1L << 30) || limit < 0 || idle_ms < 1
        || idle_ms > 60000 || !(max_seconds > 0 && max_seconds <= 3600))
        return usage();

    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    if (fd < 0) { perror("udpsink: socket"); return 1; }
    int one = 1, requested = (int)rcvbuf;
    setsockopt(fd, SOL_SOCKET, SO_RXQ_OVFL, &one, sizeof one);
    if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &requested, sizeof requested) != 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &requested, sizeof requested);
    int granted = 0;
    socklen_t length = sizeof granted;
    getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &granted, &length);
    struct sockaddr_in address = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd, (struct sockaddr *)&address, sizeof address) != 0) { perror("udpsink: bind"); return 1; }
    length = sizeof address;
    getsockname(fd, (struct sockaddr *)&address, &length);
    printf("ready port=%d rcvbuf=%d\n", ntohs(address.sin_port), granted);
    fflush(stdout);

    static char buffers[BATCH][BUFFER_BYTES];
    static char controls[BATCH][CMSG_SPACE(sizeof(uint32_t))];
    static struct iovec vectors[BATCH];
    static struct mmsghdr messages[BATCH];
    for (int i = 0; i < BATCH; i++) {
        vectors[i].iov_base = buffers[i];
        vectors[i].iov_len = BUFFER_BYTES;
        messages[i].msg_hdr.msg_iov = &vectors[i];
        messages[i].msg_hdr.msg_iovlen = 1;
        messages[i].msg_hdr.msg_control = controls[i];
        messages[i].msg_hdr.msg_controllen = sizeof controls[i];
    }

    long long received = 0, bytes = 0, calls = 0;
    uint32_t drops = 0;
    double started = now_seconds(), first = 0, last = 0;
    struct pollfd waiting = { fd, POLLIN, 0 };
    for (;;) {
        double now = now_seconds();
        if (now - started > max_seconds) break;
        if (limit > 0 && received >= limit) break;
        if (received > 0 && (now - last) * 1000 >= idle_ms) break;
        // Poll only when the socket is empty: under load every call finds datagrams waiting.
        int got = recvmmsg(fd, messages, BATCH, MSG_DONTWAIT, NULL);
        if (got <= 0) {
            if (got < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) { perror("udpsink: recvmmsg"); return 1; }
            poll(&waiting, 1, received > 0 ? (int)idle_ms : 100);
            continue;
        }
        calls++;
        last = now_seconds();
        if (received == 0) first = last;
        received += got;
        for (int i = 0; i < got; i++) {
            bytes += messages[i].msg_len;
            struct msghdr *header = &messages[i].msg_hdr;
            for (struct cmsghdr *c = CMSG_FIRSTHDR(header); c; c = CMSG_NXTHDR(header, c)) {
                if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SO_RXQ_OVFL) {
                    uint32_t value;
                    memcpy(&value, CMSG_DATA(c), sizeof value);
                    if (value > drops) drops = value;
                }
            }
            // recvmmsg shortens msg_controllen to what it wrote: restore it for the next call.
            header->msg_controllen = sizeof controls[i];
        }
    }
    double seconds = last - first;
    printf("received=%lld bytes=%lld seconds=%.4f rate=%.0f drops=%u rcvbuf=%d calls=%lld batch=%.1f cpu=%.4f\n",
           received, bytes, seconds, seconds > 0 ? received / seconds : 0, drops, granted, calls,
           calls ? (double)received / calls : 0, cpu_seconds());
    return 0;
}
