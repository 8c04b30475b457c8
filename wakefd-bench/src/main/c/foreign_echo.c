/*
 * A writer outside the JVM, for ForeignEchoBench: a separate process that echoes every ping.
 *
 *   foreign-echo efd PID PING PONG   takes the eventfds PING and PONG of process PID with
 *                                    pidfd_getfd(2) (Linux >= 5.6; needs ptrace access to PID);
 *                                    then: poll(2) + read(2) on PING, write(2) 1 to PONG.
 *   foreign-echo uds PATH            connects to the Unix-domain stream socket PATH; then: read
 *                                    one byte, write one byte back.
 *
 * Exits when the other side closes (uds) or writes a value >= 2^40 (efd), or on any error, which
 * it reports on stderr with errno.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_getfd
#define SYS_pidfd_getfd 438
#endif

static int fail(const char *call) {
    fprintf(stderr, "foreign-echo: %s: %s (errno %d)\n", call, strerror(errno), errno);
    return 1;
}

static int take(int pidfd, int fd) {
    return (int) syscall(SYS_pidfd_getfd, pidfd, fd, 0);
}

static int echo_efd(int pid, int ping_there, int pong_there) {
    int pidfd = (int) syscall(SYS_pidfd_open, pid, 0);
    if (pidfd < 0) {
        return fail("pidfd_open");
    }
    int ping = take(pidfd, ping_there), pong = take(pidfd, pong_there);
    if (ping < 0 || pong < 0) {
        return fail("pidfd_getfd");
    }
    uint64_t v, one = 1;
    struct pollfd p = {.fd = ping, .events = POLLIN};
    for (;;) {
        if (poll(&p, 1, -1) < 0) {
            if (errno == EINTR) {
                continue;
            }
            return fail("poll");
        }
        ssize_t r = read(ping, &v, sizeof v);
        if (r < 0) {
            if (errno == EAGAIN || errno == EINTR) {
                continue; /* the JVM's side may read it too: absorbed */
            }
            return fail("read");
        }
        if (v >= (1ULL << 40)) {
            return 0;
        }
        if (write(pong, &one, sizeof one) != (ssize_t) sizeof one) {
            return fail("write");
        }
    }
}

static int echo_uds(const char *path) {
    int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (s < 0) {
        return fail("socket");
    }
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    if (strlen(path) >= sizeof a.sun_path) {
        fprintf(stderr, "foreign-echo: socket path too long: %s\n", path);
        return 2;
    }
    strcpy(a.sun_path, path);
    if (connect(s, (struct sockaddr *) &a, sizeof a) < 0) {
        return fail("connect");
    }
    char c;
    for (;;) {
        ssize_t r = read(s, &c, 1);
        if (r == 0) {
            return 0;
        }
        if (r < 0) {
            if (errno == EINTR) {
                continue;
            }
            return fail("read");
        }
        if (write(s, &c, 1) != 1) {
            return fail("write");
        }
    }
}

int main(int argc, char **argv) {
    if (argc == 5 && strcmp(argv[1], "efd") == 0) {
        return echo_efd(atoi(argv[2]), atoi(argv[3]), atoi(argv[4]));
    }
    if (argc == 3 && strcmp(argv[1], "uds") == 0) {
        return echo_uds(argv[2]);
    }
    fprintf(stderr, "usage: foreign-echo efd PID PING PONG | foreign-echo uds PATH\n");
    return 2;
}
