/* The floor under any FIX round trip on this machine: a 150-byte TCP echo
 * between two processes over loopback (blocking reads, TCP_NODELAY).
 * Built and run by scripts/bench-venue-check. */
#include <arpa/inet.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000000000L + t.tv_nsec;
}

static int by_value(const void *a, const void *b) {
    long x = *(const long *)a, y = *(const long *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
    int rounds = argc > 1 ? atoi(argv[1]) : 20000;
    if (rounds < 100) rounds = 100;
    int one = 1;
    int srv = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (srv < 0 || bind(srv, (void *)&a, sizeof a) || listen(srv, 1) || getsockname(srv, (void *)&a, &len)) {
        perror("loopback_rtt: listen");
        return 1;
    }
    pid_t echo = fork();
    if (echo == 0) {
        int c = accept(srv, 0, 0);
        setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        char b[4096];
        ssize_t n;
        while ((n = read(c, b, sizeof b)) > 0)
            if (write(c, b, n) != n) return 1;
        return 0;
    }
    int s = socket(AF_INET, SOCK_STREAM, 0);
    if (connect(s, (void *)&a, sizeof a)) {
        perror("loopback_rtt: connect");
        return 1;
    }
    setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    char msg[150], b[4096];
    memset(msg, 'x', sizeof msg);
    long *rtt = calloc(rounds, sizeof *rtt);
    for (int i = 0; i < rounds; i++) {
        long t = now_ns();
        if (write(s, msg, sizeof msg) != sizeof msg) return 1;
        size_t got = 0;
        while (got < sizeof msg) {
            ssize_t n = read(s, b, sizeof b);
            if (n <= 0) return 1;
            got += n;
        }
        rtt[i] = now_ns() - t;
    }
    close(s);
    waitpid(echo, 0, 0);
    qsort(rtt, rounds, sizeof *rtt, by_value);
    printf("  loopback floor (C echo, 150 bytes, two processes): p50 %.1f µs  p90 %.1f µs  p99 %.1f µs  (n=%d)\n",
           rtt[rounds / 2] / 1e3, rtt[rounds * 9 / 10] / 1e3, rtt[rounds * 99 / 100] / 1e3, rounds);
    return 0;
}
