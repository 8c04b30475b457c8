/*
 * The C floor for wakefd's benchmarks: what the same system calls cost from C, in a process with
 * more than one thread (a JVM always has many, and the kernel's fast paths differ for a
 * single-threaded process), so an idle extra pthread is started first. Prints one JSON object
 * per line, which dev.wakefd.bench.report reads into the same tables as JMH's results:
 *   {"name": "c.write", "unit": "ns", "samples": n, "mean": m, "ci999": c, "median": x,
 *    "p90": y, "p99": z, "sd": s}
 * ci999 is the half-width of a 99.9% confidence interval of the mean (3.29 sd / sqrt(n)), the
 * same kind of error JMH prints. Per-call costs are sampled as batches (ns per call in a batch);
 * round trips one sample per trip.
 * usage: cfloor [quick|full] [write,read,pair,flag,pingpong]   (default: full, all five)
 */
#define _GNU_SOURCE
#include <math.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

static int quick;

static double now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e9 + t.tv_nsec;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void report(const char *name, double *samples, int n) {
    qsort(samples, n, sizeof(double), cmp_double);
    double mean = 0, var = 0;
    for (int i = 0; i < n; i++) mean += samples[i];
    mean /= n;
    for (int i = 0; i < n; i++) var += (samples[i] - mean) * (samples[i] - mean);
    double sd = n > 1 ? sqrt(var / (n - 1)) : 0;
    printf("{\"name\": \"%s\", \"unit\": \"ns\", \"samples\": %d, \"mean\": %.4f, \"ci999\": %.4f, "
           "\"median\": %.4f, \"p90\": %.4f, \"p99\": %.4f, \"sd\": %.4f}\n",
           name, n, mean, 3.291 * sd / sqrt(n), samples[n / 2], samples[(int)(n * 0.9)],
           samples[(int)(n * 0.99)], sd);
    fflush(stdout);
}

static void die(const char *what) {
    perror(what);
    exit(1);
}

static int new_eventfd(void) {
    int fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (fd < 0) die("eventfd");
    return fd;
}

static void *idle_thread(void *arg) {
    (void)arg;
    pause();
    return NULL;
}

/* Per-call cost: batches of calls, one sample (ns per call) per batch. */
/* Full runs sample for about as long as a JMH group does (3 forks x 5 s): a second would let one
   noisy second on a shared machine set the floor. */
#define MAX_BATCHES 1000
#define BATCHES (quick ? 200 : MAX_BATCHES)
static void bench_write(void) {
    int fd = new_eventfd();
    uint64_t one = 1, sink;
    int per = quick ? 2000 : 20000;
    double s[MAX_BATCHES];
    for (int b = 0; b < BATCHES; b++) {
        double t0 = now_ns();
        for (int i = 0; i < per; i++) {
            if (write(fd, &one, 8) != 8) abort();
        }
        s[b] = (now_ns() - t0) / per;
        if (read(fd, &sink, 8) != 8) abort();
    }
    report("c.write", s, BATCHES);
    close(fd);
}

static void bench_read_empty(void) {
    int fd = new_eventfd();
    uint64_t v;
    int per = quick ? 2000 : 20000;
    double s[MAX_BATCHES];
    for (int b = 0; b < BATCHES; b++) {
        double t0 = now_ns();
        for (int i = 0; i < per; i++) {
            if (read(fd, &v, 8) != -1) abort();
        }
        s[b] = (now_ns() - t0) / per;
    }
    report("c.read_empty", s, BATCHES);
    close(fd);
}

/* A wake from idle and the read that re-arms it: write(2) then read(2) of the value. */
static void bench_write_read(void) {
    int fd = new_eventfd();
    uint64_t one = 1, v;
    int per = quick ? 1000 : 10000;
    double s[MAX_BATCHES];
    for (int b = 0; b < BATCHES; b++) {
        double t0 = now_ns();
        for (int i = 0; i < per; i++) {
            if (write(fd, &one, 8) != 8) abort();
            if (read(fd, &v, 8) != 8) abort();
        }
        s[b] = (now_ns() - t0) / per;
    }
    report("c.write_read", s, BATCHES);
    close(fd);
}

static _Atomic int flag = 1;
static void bench_flag(void) {
    long per = quick ? 1000000 : 10000000;
    double s[MAX_BATCHES];
    long hits = 0;
    for (int b = 0; b < BATCHES; b++) {
        double t0 = now_ns();
        for (long i = 0; i < per; i++) {
            hits += atomic_load_explicit(&flag, memory_order_acquire);
            __asm__ volatile("" ::: "memory");
        }
        s[b] = (now_ns() - t0) / per;
    }
    if (hits == 42) puts("");
    report("c.flag_load", s, BATCHES);
}

/* Ping-pong: main writes ping, echo polls+reads ping, writes pong, main polls+reads pong. */
static int ping, pong;
static void wait_read(int fd) {
    struct pollfd p = {.fd = fd, .events = POLLIN};
    uint64_t v;
    for (;;) {
        if (poll(&p, 1, -1) < 0) abort();
        if (read(fd, &v, 8) == 8) return;
    }
}
static void *echo(void *arg) {
    long n = (long)arg;
    uint64_t one = 1;
    for (long i = 0; i < n; i++) {
        wait_read(ping);
        if (write(pong, &one, 8) != 8) abort();
    }
    return NULL;
}
static void bench_pingpong(void) {
    ping = new_eventfd();
    pong = new_eventfd();
    int n = quick ? 20000 : 1000000;
    double *s = malloc(sizeof(double) * n);
    if (!s) die("malloc");
    pthread_t t;
    if (pthread_create(&t, NULL, echo, (void *)(long)n) != 0) die("pthread_create");
    uint64_t one = 1;
    for (int i = 0; i < n; i++) {
        double t0 = now_ns();
        if (write(ping, &one, 8) != 8) abort();
        wait_read(pong);
        s[i] = now_ns() - t0;
    }
    pthread_join(t, NULL);
    int skip = n / 10; /* warm-up */
    report("c.roundtrip_poll_read", s + skip, n - skip);
    free(s);
    close(ping);
    close(pong);
}

int main(int argc, char **argv) {
    if (argc > 3 || (argc > 1 && strcmp(argv[1], "quick") != 0 && strcmp(argv[1], "full") != 0)) {
        fprintf(stderr, "usage: %s [quick|full] [write,read,pair,flag,pingpong]\n", argv[0]);
        return 2;
    }
    quick = argc > 1 && strcmp(argv[1], "quick") == 0;
    pthread_t idle;
    /* multi-threaded, like a JVM: glibc and the kernel take different paths otherwise */
    if (pthread_create(&idle, NULL, idle_thread, NULL) != 0) die("pthread_create");
    const char *only = argc > 2 ? argv[2] : "";
    if (!*only || strstr(only, "write")) bench_write();
    if (!*only || strstr(only, "read")) bench_read_empty();
    if (!*only || strstr(only, "pair")) bench_write_read();
    if (!*only || strstr(only, "flag")) bench_flag();
    if (!*only || strstr(only, "pingpong")) bench_pingpong();
    return 0;
}
