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

/*
 * The C floor of a wake-up round trip, as the JVM's own process runs it (WaitsBench): a C echo
 * thread blocks in poll(2) on ping, reads it and writes pong; one trip is write(ping), then
 * poll(2) + read(2) on pong, exactly what cfloor's pingpong times. One pair at a time.
 */
#include <poll.h>
#include <pthread.h>
#include <sys/eventfd.h>

static int cpp_ping = -1, cpp_pong = -1;
static pthread_t cpp_echo;
#define CPP_STOP (1ULL << 40)

static int cpp_wait_read(int fd, uint64_t *value) {
    struct pollfd p = {.fd = fd, .events = POLLIN};
    for (;;) {
        if (poll(&p, 1, -1) < 0 && errno != EINTR) {
            return -errno;
        }
        ssize_t r = read(fd, value, sizeof *value);
        if (r == (ssize_t) sizeof *value) {
            return 0;
        }
        if (r < 0 && errno != EAGAIN) {
            return -errno;
        }
    }
}

static void *cpp_echo_loop(void *arg) {
    (void) arg;
    uint64_t v, one = 1;
    while (cpp_wait_read(cpp_ping, &v) == 0 && v < CPP_STOP) {
        if (write(cpp_pong, &one, sizeof one) != (ssize_t) sizeof one) {
            break;
        }
    }
    return NULL;
}

/* Opens the pair and starts the echo thread: 0, or -errno. */
int64_t wakefd_cpp_start(void) {
    cpp_ping = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    cpp_pong = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (cpp_ping < 0 || cpp_pong < 0) {
        return -errno;
    }
    int e = pthread_create(&cpp_echo, NULL, cpp_echo_loop, NULL);
    return e == 0 ? 0 : -e;
}

/* One round trip: 0, or -errno. */
int64_t wakefd_cpp_trip(void) {
    uint64_t one = 1, v;
    if (write(cpp_ping, &one, sizeof one) != (ssize_t) sizeof one) {
        return -errno;
    }
    return cpp_wait_read(cpp_pong, &v);
}

/* Stops the echo thread and closes the pair. */
void wakefd_cpp_stop(void) {
    uint64_t stop = CPP_STOP;
    if (write(cpp_ping, &stop, sizeof stop) == (ssize_t) sizeof stop) {
        pthread_join(cpp_echo, NULL);
    }
    close(cpp_ping);
    close(cpp_pong);
    cpp_ping = cpp_pong = -1;
}
