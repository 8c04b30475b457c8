// wakefd-shm from-idle floors (issue 17): round trip between two processes after a 150 us gap.
// Build: gcc -O2 -o shm_idle_floor shm_idle_floor.c; run: ./shm_idle_floor [trips]
// Prints the p50/p90 of two eventfds with blocking read(2), of a Unix stream socket, and of two
// eventfds waited on with epoll_wait (edge) + read, as wakefd-core's platform waiter does.
#define _GNU_SOURCE
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static long now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec * 1000000000L + t.tv_nsec; }
static int cmp(const void *a, const void *b) { long x = *(const long *)a, y = *(const long *)b; return x < y ? -1 : x > y; }
static void gap(void) { struct timespec t = {0, 150000}; nanosleep(&t, 0); }
static void epoll_read(int ep, int fd) { struct epoll_event e; uint64_t v; epoll_wait(ep, &e, 1, -1); if (read(fd, &v, 8) < 0) _exit(3); }
static int watch(int fd) { int ep = epoll_create1(0); struct epoll_event e = {.events = EPOLLIN | EPOLLET}; epoll_ctl(ep, EPOLL_CTL_ADD, fd, &e); return ep; }

int main(int argc, char **argv) {
    int n = argc > 1 ? atoi(argv[1]) : 2000, warm = n / 5;
    long *ev = malloc(n * sizeof(long)), *so = malloc(n * sizeof(long)), *ep = malloc(n * sizeof(long));
    int a = eventfd(0, 0), b = eventfd(0, 0), c = eventfd(0, EFD_NONBLOCK), d = eventfd(0, EFD_NONBLOCK), sv[2];
    socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
    pid_t p = fork();
    if (p == 0) { // the echo: eventfd, socket, epoll'd eventfd, in the parent's order
        int epc = watch(c);
        for (int i = 0; i < n + warm; i++) {
            uint64_t v; char m[64];
            if (read(a, &v, 8) < 0 || write(b, &v, 8) < 0) _exit(1);
            if (read(sv[1], m, 64) < 0 || write(sv[1], m, 64) < 0) _exit(2);
            epoll_read(epc, c); v = 1; if (write(d, &v, 8) < 0) _exit(4);
        }
        _exit(0);
    }
    int epd = watch(d);
    char m[64] = {0}; uint64_t v = 1;
    for (int k = -warm; k < n; k++) {
        gap(); long t0 = now(); if (write(a, &v, 8) < 0 || read(b, &v, 8) < 0) return 1; long t1 = now();
        gap(); long t2 = now(); if (write(sv[0], m, 64) < 0 || read(sv[0], m, 64) < 0) return 1; long t3 = now();
        gap(); long t4 = now(); v = 1; if (write(c, &v, 8) < 0) return 1; epoll_read(epd, d); long t5 = now();
        if (k >= 0) { ev[k] = t1 - t0; so[k] = t3 - t2; ep[k] = t5 - t4; }
    }
    waitpid(p, 0, 0);
    qsort(ev, n, sizeof(long), cmp); qsort(so, n, sizeof(long), cmp); qsort(ep, n, sizeof(long), cmp);
    printf("eventfd read p50 %.1f us p90 %.1f | eventfd epoll_wait+read p50 %.1f us p90 %.1f | unix-socket p50 %.1f us p90 %.1f\n",
           ev[n / 2] / 1e3, ev[n * 9 / 10] / 1e3, ep[n / 2] / 1e3, ep[n * 9 / 10] / 1e3, so[n / 2] / 1e3, so[n * 9 / 10] / 1e3);
    return 0;
}
