// udpsink.c - the benchmark's physical-limit receiver: a bare recvmmsg loop that only counts datagrams.
//
// Whatever a trap receiver does, it first has to take datagrams off a UDP socket. This program does that and
// nothing else (64 datagrams per recvmmsg call, as trapmux's listener reads them, into fixed 2 KiB buffers), so
// the rate it reaches on one core is the machine's limit for a trap shape: `bench/run` reports every trapmux figure
// as a fraction of it. It is also the counting relay target of the relay rows.
//
// It binds 127.0.0.1:PORT (0 = any free port), asks for a receive buffer of RCVBUF bytes (SO_RCVBUFFORCE when
// permitted, like trapmux, else SO_RCVBUF within net.core.rmem_max), prints one `ready` line with the port and the
// buffer the kernel granted, then counts until COUNT datagrams arrived, or IDLE ms passed without one after the
// first (checked only when the socket is empty), or MAXSEC seconds passed in all. It ends with one line of
// key=value results: `drops` is the socket's own overflow counter (its drops column in /proc/net/udp, read before
// the socket closes), `cpu` the sink's user+system time.
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

static double now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static double cpu_seconds(void) {
    struct rusage usage;
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_utime.tv_sec + usage.ru_utime.tv_usec * 1e-6
           + usage.ru_stime.tv_sec + usage.ru_stime.tv_usec * 1e-6;
}

// The drops column of this socket's line in /proc/net/udp (127.0.0.1:port), read while the socket is still open
// so that drops after the last datagram read count too; -1 if it cannot be read.
static long long socket_drops(int port) {
    FILE *file = fopen("/proc/net/udp", "r");
    if (!file) return -1;
    char line[512], wanted[32];
    snprintf(wanted, sizeof wanted, "0100007F:%04X", port);
    long long drops = -1;
    while (fgets(line, sizeof line, file)) {
        char local[64];
        if (sscanf(line, " %*s %63s", local) != 1 || strcmp(local, wanted) != 0) continue;
        char *end = line + strlen(line);
        while (end > line && (end[-1] == '\n' || end[-1] == ' ')) end--;
        *end = 0;
        char *field = strrchr(line, ' ');
        drops = field ? strtoll(field + 1, NULL, 10) : -1;
        break;
    }
    fclose(file);
    return drops;
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
    int requested = (int)rcvbuf;
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
    static struct iovec vectors[BATCH];
    static struct mmsghdr messages[BATCH];
    for (int i = 0; i < BATCH; i++) {
        vectors[i].iov_base = buffers[i];
        vectors[i].iov_len = BUFFER_BYTES;
        messages[i].msg_hdr.msg_iov = &vectors[i];
        messages[i].msg_hdr.msg_iovlen = 1;
    }

    long long received = 0, bytes = 0, calls = 0;
    double started = now_seconds(), first = 0, last = 0;
    struct pollfd waiting = { fd, POLLIN, 0 };
    while (limit == 0 || received < limit) {
        if (now_seconds() - started > max_seconds) break;
        int got = recvmmsg(fd, messages, BATCH, MSG_DONTWAIT, NULL);
        if (got > 0) {
            calls++;
            last = now_seconds();
            if (received == 0) first = last;
            received += got;
            for (int i = 0; i < got; i++) bytes += messages[i].msg_len;
            continue;
        }
        if (got < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
            perror("udpsink: recvmmsg");
            return 1;
        }
        // Idle only counts when the socket is found empty: a sink that was not scheduled for a while finds
        // datagrams waiting and goes on.
        double quiet_ms = received > 0 ? (now_seconds() - last) * 1000 : 0;
        if (received > 0 && quiet_ms >= idle_ms) break;
        poll(&waiting, 1, received > 0 ? (int)(idle_ms - quiet_ms) + 1 : 100);
    }
    double seconds = last - first;
    printf("received=%lld bytes=%lld seconds=%.4f rate=%.0f drops=%lld rcvbuf=%d calls=%lld batch=%.1f cpu=%.4f\n",
           received, bytes, seconds, seconds > 0 ? received / seconds : 0, socket_drops(ntohs(address.sin_port)),
           granted, calls,
           calls ? (double)received / calls : 0, cpu_seconds());
    return 0;
}
