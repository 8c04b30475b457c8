/* Test driver for wakefd_shm.h, run by the Java tests: shm_peer MODE SOCKET_NAME count seed maxLen [capacity].
 * Modes: accept-recv, accept-send, create-recv, create-send. Prints "OK <count>". Same message
 * pattern as the Java tests' Pattern and shm_peer.py. */
#include "wakefd_shm.h"
#include <stddef.h>
#include <stdlib.h>
#include <sys/un.h>

typedef struct { uint64_t s, i; uint32_t max_len; } pattern;

static uint32_t next_msg(pattern *p, uint8_t *buf) {
    p->s ^= p->s << 13; p->s ^= p->s >> 7; p->s ^= p->s << 17;
    uint32_t n = (uint32_t) (p->s % ((uint64_t) p->max_len + 1));
    uint32_t base = (uint32_t) ((p->i * 131) & 0xff);
    for (uint32_t k = 0; k < n; k++) buf[k] = (uint8_t) (base + k);
    p->i++;
    return n;
}

int main(int argc, char **argv) {
    if (argc < 6) { fprintf(stderr, "usage: %s MODE NAME count seed maxLen [capacity]\n", argv[0]); return 2; }
    const char *mode = argv[1];
    uint64_t count = strtoull(argv[3], 0, 10);
    pattern p = {strtoull(argv[4], 0, 10), 0, (uint32_t) strtoul(argv[5], 0, 10)};
    if (!p.s) p.s = 1;
    uint64_t capacity = argc > 6 ? strtoull(argv[6], 0, 10) : 65536;
    int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_un a = {0};
    a.sun_family = AF_UNIX;
    size_t nl = strlen(argv[2]);
    memcpy(a.sun_path + 1, argv[2], nl);
    if (connect(s, (struct sockaddr *) &a, (socklen_t) (offsetof(struct sockaddr_un, sun_path) + 1 + nl)) < 0) { perror("connect"); return 1; }
    int producer = strstr(mode, "send") != NULL, r;
    wakefd_shm ch;
    r = strncmp(mode, "accept", 6) == 0 ? wakefd_shm_accept(&ch, s, producer, 10000) : wakefd_shm_create(&ch, s, capacity, producer);
    if (r < 0) { printf("SETUP %s\n", strerror(-r)); return 1; }
    uint8_t *want = malloc(p.max_len + 1), *got = malloc(p.max_len + 1);
    uint64_t n = 0;
    if (producer) {
        for (; n < count; n++) {
            uint32_t len = next_msg(&p, want);
            if ((r = wakefd_shm_send(&ch, want, len)) < 0) { printf("SEND %s at %llu\n", strerror(-r), (unsigned long long) n); return 1; }
        }
    } else {
        uint32_t len;
        while ((r = wakefd_shm_receive(&ch, got, p.max_len + 1, &len)) == 1) {
            uint32_t wl = next_msg(&p, want);
            if (wl != len || memcmp(want, got, len) != 0) { printf("MISMATCH at %llu\n", (unsigned long long) n); return 1; }
            n++;
        }
        if (r < 0) { printf("RECEIVE %s at %llu\n", strerror(-r), (unsigned long long) n); return 1; }
        if (n != count) { printf("COUNT %llu != %llu\n", (unsigned long long) n, (unsigned long long) count); return 1; }
    }
    wakefd_shm_close(&ch);
    printf("OK %llu\n", (unsigned long long) n);
    return 0;
}
