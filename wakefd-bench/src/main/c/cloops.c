/*
 * The C floor as loops the JVM can call in its own process (dev.wakefd.bench.Paired, "cost"):
 * n write(2)s or n read(2)s on an eventfd, timed in C. One downcall runs the whole loop, so what
 * it measures is C's own per-call cost in a multi-threaded process (the JVM), and it can take
 * turns with wakefd's calls round by round under the same machine conditions.
 */
#include <errno.h>
#include <stdint.h>
#include <time.h>
#include <unistd.h>

static int64_t now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t) t.tv_sec * 1000000000LL + t.tv_nsec;
}

/* n write(2)s of 1 to fd; the nanoseconds they took, or -errno if one failed. */
int64_t wakefd_cloop_write(int fd, int64_t n) {
    uint64_t one = 1;
    int64_t start = now_ns();
    for (int64_t i = 0; i < n; i++) {
        if (write(fd, &one, sizeof one) != (ssize_t) sizeof one) {
            return -errno;
        }
    }
    return now_ns() - start;
}

/* n read(2)s on an empty non-blocking fd (each EAGAIN); the nanoseconds, or -1 if one read data. */
int64_t wakefd_cloop_read_empty(int fd, int64_t n) {
    uint64_t value;
    int64_t start = now_ns();
    for (int64_t i = 0; i < n; i++) {
        if (read(fd, &value, sizeof value) >= 0 || errno != EAGAIN) {
            return -1;
        }
    }
    return now_ns() - start;
}
