/* A foreign C peer for wakefd's tests. Usage: peer SOCKET_PATH MODE N
 *   recv-write N : receive an eventfd (recvmsg, SCM_RIGHTS), write N to it, print "wrote N"
 *   send-read N  : send a new eventfd, then wait (poll, at most 60 s) until it is readable,
 *                  read it and print "read <count>"; exit 0 if the count is N
 * The wait uses poll before read because the receiver makes the shared file description
 * non-blocking (O_NONBLOCK belongs to the description, not to one fd). */
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc != 4) { fprintf(stderr, "usage: peer SOCKET MODE N\n"); return 2; }
    uint64_t n = strtoull(argv[3], NULL, 10);
    int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_un a = { .sun_family = AF_UNIX };
    strncpy(a.sun_path, argv[1], sizeof a.sun_path - 1);
    if (s < 0 || connect(s, (struct sockaddr *) &a, sizeof a) < 0) { perror("connect"); return 3; }
    char byte = 'W';
    struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
    union { struct cmsghdr align; char buf[CMSG_SPACE(sizeof(int))]; } control;
    memset(&control, 0, sizeof control);
    struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf, .msg_controllen = sizeof control.buf };
    if (strcmp(argv[2], "recv-write") == 0) {
        if (recvmsg(s, &m, MSG_CMSG_CLOEXEC) <= 0) { perror("recvmsg"); return 4; }
        struct cmsghdr *c = CMSG_FIRSTHDR(&m);
        if (c == NULL || c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) { fprintf(stderr, "no fd\n"); return 5; }
        int fd;
        memcpy(&fd, CMSG_DATA(c), sizeof fd);
        if (write(fd, &n, sizeof n) != sizeof n) { perror("write"); return 6; }
        printf("wrote %llu\n", (unsigned long long) n);
        return 0;
    }
    if (strcmp(argv[2], "send-read") == 0) {
        int fd = eventfd(0, EFD_CLOEXEC);
        struct cmsghdr *c = CMSG_FIRSTHDR(&m);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(c), &fd, sizeof fd);
        if (fd < 0 || sendmsg(s, &m, MSG_NOSIGNAL) != 1) { perror("sendmsg"); return 4; }
        printf("sent\n");
        fflush(stdout);
        struct pollfd p = { .fd = fd, .events = POLLIN };
        if (poll(&p, 1, 60000) != 1) { fprintf(stderr, "no wake within 60 s\n"); return 5; }
        uint64_t v;
        if (read(fd, &v, sizeof v) != sizeof v) { perror("read"); return 6; }
        printf("read %llu\n", (unsigned long long) v);
        return v == n ? 0 : 7;
    }
    fprintf(stderr, "unknown mode %s\n", argv[2]);
    return 2;
}
