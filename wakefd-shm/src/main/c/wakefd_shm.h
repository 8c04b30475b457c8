/*
 * wakefd_shm.h: either end of a wakefd shared-memory channel, in C. One header, no dependencies
 * beyond Linux and libc (memfd_create, eventfd, SCM_RIGHTS, poll); GCC or Clang (__atomic).
 * Layout: docs/shm-layout.md. Protocol argument: docs/design/shm-ring.md.
 *
 *     wakefd_shm ch;
 *     int r = wakefd_shm_accept(&ch, sock, 0, 5000);   // the Java side called Shm.createSender
 *     char buf[4096]; uint32_t n;
 *     while ((r = wakefd_shm_receive(&ch, buf, sizeof buf, &n)) == 1) { ... }
 *     wakefd_shm_close(&ch);                            // r == 0: end of stream
 *
 * Return values: >= 0 as documented; negative: -errno (-EPIPE: the peer closed or hung up,
 * -EBADMSG: the region broke a layout rule and the channel is unusable, -EMSGSIZE, -ETIMEDOUT).
 * Every position and length read from the region is validated before use. One thread per end.
 */
#ifndef WAKEFD_SHM_H
#define WAKEFD_SHM_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#define WAKEFD_SHM_MAGIC 0x48536466656B6177ULL /* "wakefdSH" */
#define WAKEFD_SHM_VERSION 1u
#define WAKEFD_SHM_OFF_CAPACITY 16
#define WAKEFD_SHM_OFF_TAIL 128
#define WAKEFD_SHM_OFF_HEAD 256
#define WAKEFD_SHM_OFF_CONSUMER_WAKE_AT 384
#define WAKEFD_SHM_OFF_PRODUCER_WAKE_AT 512
#define WAKEFD_SHM_OFF_PRODUCER_CLOSED 640
#define WAKEFD_SHM_OFF_CONSUMER_CLOSED 644
#define WAKEFD_SHM_DATA 1024u
#define WAKEFD_SHM_NONE UINT64_MAX
#define WAKEFD_SHM_PAD 0xFFFFFFFFu
#define WAKEFD_SHM_MIN_CAPACITY 4096u
#define WAKEFD_SHM_MAX_CAPACITY (1u << 30)
#define WAKEFD_SHM_SEALS (1 | 2 | 4) /* F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW */

typedef struct wakefd_shm {
    int sock, memfd, data_fd, space_fd, own, other, producer, peer_gone;
    uint8_t *base;
    uint64_t size, capacity, mask, max_message;
    /* producer */
    uint64_t pending, published, head_cache, consumer_woken_for, last_total;
    /* consumer */
    uint64_t head, published_head, tail_cache, next_end, producer_woken_for;
} wakefd_shm;

static inline uint64_t *wakefd_shm__u64(wakefd_shm *c, uint64_t off) { return (uint64_t *) (c->base + off); }
static inline uint32_t *wakefd_shm__u32(wakefd_shm *c, uint64_t off) { return (uint32_t *) (c->base + off); }
static inline uint64_t wakefd_shm__load(wakefd_shm *c, uint64_t off) { return __atomic_load_n(wakefd_shm__u64(c, off), __ATOMIC_SEQ_CST); }
static inline void wakefd_shm__store(wakefd_shm *c, uint64_t off, uint64_t v) { __atomic_store_n(wakefd_shm__u64(c, off), v, __ATOMIC_SEQ_CST); }
static inline uint64_t wakefd_shm__record(uint64_t len) { return 8 + ((len + 7) & ~(uint64_t) 7); }

static inline int wakefd_shm__wake(int fd) {
    uint64_t one = 1;
    return write(fd, &one, 8) == 8 || errno == EAGAIN ? 0 : -errno;
}

/* Waits on this end's eventfd and the socket; 0 woken, -ETIMEDOUT, -errno. */
static inline int wakefd_shm__sleep(wakefd_shm *c, int timeout_ms) {
    struct pollfd p[2] = {{c->own, POLLIN, 0}, {c->sock, POLLIN, 0}};
    int r = poll(p, 2, timeout_ms);
    if (r < 0) return errno == EINTR ? 0 : -errno;
    if (r == 0) return -ETIMEDOUT;
    if (p[0].revents) { uint64_t v; if (read(c->own, &v, 8) < 0 && errno != EAGAIN) return -errno; }
    if (p[1].revents) c->peer_gone = 1;
    return 0;
}

static inline int wakefd_shm__check_peer(wakefd_shm *c) {
    struct pollfd p = {c->sock, POLLIN, 0};
    if (!c->peer_gone && poll(&p, 1, 0) > 0) c->peer_gone = 1;
    return c->peer_gone;
}

static inline int wakefd_shm__map(wakefd_shm *c, int sock, int memfd, int data, int space, int producer) {
    struct stat st;
    if (fstat(memfd, &st) < 0) return -errno;
    void *m = mmap(NULL, (size_t) st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);
    if (m == MAP_FAILED) return -errno;
    memset(c, 0, sizeof *c);
    c->sock = sock; c->memfd = memfd; c->data_fd = data; c->space_fd = space; c->producer = producer;
    c->own = producer ? space : data;
    c->other = producer ? data : space;
    c->base = m; c->size = (uint64_t) st.st_size;
    c->capacity = *wakefd_shm__u64(c, WAKEFD_SHM_OFF_CAPACITY);
    c->mask = c->capacity - 1;
    c->max_message = c->capacity / 2 - 8;
    return 0;
}

/* Creates a channel of `capacity` bytes and sends it over the connected AF_UNIX `sock`; this end
 * sends if `producer`. Takes ownership of sock on success. 0 or -errno. */
static inline int wakefd_shm_create(wakefd_shm *c, int sock, uint64_t capacity, int producer) {
    if (capacity < WAKEFD_SHM_MIN_CAPACITY || capacity > WAKEFD_SHM_MAX_CAPACITY || (capacity & (capacity - 1))) return -EINVAL;
    int memfd = memfd_create("wakefd-shm", MFD_CLOEXEC | MFD_ALLOW_SEALING), data = -1, space = -1, r;
    if (memfd < 0) return -errno;
    uint64_t size = WAKEFD_SHM_DATA + capacity;
    if (ftruncate(memfd, (off_t) size) < 0 || fcntl(memfd, F_ADD_SEALS, WAKEFD_SHM_SEALS) < 0) { r = -errno; goto fail; }
    uint8_t *m = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);
    if (m == MAP_FAILED) { r = -errno; goto fail; }
    uint32_t version = WAKEFD_SHM_VERSION, zero = 0, hsize = WAKEFD_SHM_DATA, role = producer ? 1 : 2;
    uint64_t data_off = WAKEFD_SHM_DATA, max = capacity / 2 - 8, none = WAKEFD_SHM_NONE, magic = WAKEFD_SHM_MAGIC;
    memcpy(m + 8, &version, 4); memcpy(m + 12, &zero, 4); memcpy(m + 16, &capacity, 8); memcpy(m + 24, &data_off, 8);
    memcpy(m + 32, &max, 8); memcpy(m + 40, &hsize, 4); memcpy(m + 44, &role, 4);
    memcpy(m + WAKEFD_SHM_OFF_CONSUMER_WAKE_AT, &none, 8); memcpy(m + WAKEFD_SHM_OFF_PRODUCER_WAKE_AT, &none, 8);
    memcpy(m, &magic, 8);
    munmap(m, size);
    data = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    space = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (data < 0 || space < 0) { r = -errno; goto fail; }
    int fds[3] = {memfd, data, space};
    char cbuf[CMSG_SPACE(sizeof fds)] __attribute__((aligned(8)));
    char payload = 'S';
    struct iovec iov = {&payload, 1};
    struct msghdr msg = {0};
    msg.msg_iov = &iov; msg.msg_iovlen = 1; msg.msg_control = cbuf; msg.msg_controllen = sizeof cbuf;
    struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
    cm->cmsg_level = SOL_SOCKET; cm->cmsg_type = SCM_RIGHTS; cm->cmsg_len = CMSG_LEN(sizeof fds);
    memcpy(CMSG_DATA(cm), fds, sizeof fds);
    if (sendmsg(sock, &msg, MSG_NOSIGNAL) != 1) { r = -errno; goto fail; }
    if ((r = wakefd_shm__map(c, sock, memfd, data, space, producer)) == 0) return 0;
fail:
    close(memfd);
    if (data >= 0) close(data);
    if (space >= 0) close(space);
    return r;
}

static inline int wakefd_shm__is(int fd, const char *prefix) {
    char path[64], target[256];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(path, target, sizeof target - 1);
    if (n < 0) return 0;
    target[n] = 0;
    return strncmp(target, prefix, strlen(prefix)) == 0;
}

/* Receives the peer's channel over `sock` and validates it before use (memfd, seals, size,
 * magic, version, capacity, role, eventfds); this end sends if `producer`. 0 or -errno
 * (-EBADMSG: refused; every received fd is closed). Takes ownership of sock on success. */
static inline int wakefd_shm_accept(wakefd_shm *c, int sock, int producer, int timeout_ms) {
    struct pollfd p = {sock, POLLIN, 0};
    int pr = poll(&p, 1, timeout_ms);
    if (pr <= 0) return pr == 0 ? -ETIMEDOUT : -errno;
    char payload[256];
    char cbuf[CMSG_SPACE(8 * sizeof(int))] __attribute__((aligned(8)));
    struct iovec iov = {payload, sizeof payload};
    struct msghdr msg = {0};
    msg.msg_iov = &iov; msg.msg_iovlen = 1; msg.msg_control = cbuf; msg.msg_controllen = sizeof cbuf;
    ssize_t got = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
    if (got < 0) return -errno;
    int fds[8], nfds = 0, r = -EBADMSG;
    for (struct cmsghdr *cm = CMSG_FIRSTHDR(&msg); cm; cm = CMSG_NXTHDR(&msg, cm)) {
        if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS) {
            int k = (int) ((cm->cmsg_len - CMSG_LEN(0)) / sizeof(int));
            for (int i = 0; i < k && nfds < 8; i++) memcpy(&fds[nfds++], CMSG_DATA(cm) + i * sizeof(int), sizeof(int));
        }
    }
    if (got == 0 && nfds == 0) return -EPIPE;
    if (nfds != 3 || (msg.msg_flags & MSG_CTRUNC)) goto fail;
    if (!wakefd_shm__is(fds[0], "/memfd:") || !wakefd_shm__is(fds[1], "anon_inode:[eventfd]")
            || !wakefd_shm__is(fds[2], "anon_inode:[eventfd]")) goto fail;
    int seals = fcntl(fds[0], F_GET_SEALS);
    if (seals < 0 || (seals & WAKEFD_SHM_SEALS) != WAKEFD_SHM_SEALS) goto fail;
    struct stat st;
    if (fstat(fds[0], &st) < 0) { r = -errno; goto fail; }
    uint64_t size = (uint64_t) st.st_size;
    if (size < WAKEFD_SHM_DATA + WAKEFD_SHM_MIN_CAPACITY || size > WAKEFD_SHM_DATA + (uint64_t) WAKEFD_SHM_MAX_CAPACITY) goto fail;
    uint8_t h[48];
    if (pread(fds[0], h, sizeof h, 0) != (ssize_t) sizeof h) goto fail;
    uint64_t magic, cap, data_off, max;
    uint32_t version, flags, hsize, role;
    memcpy(&magic, h, 8); memcpy(&version, h + 8, 4); memcpy(&flags, h + 12, 4); memcpy(&cap, h + 16, 8);
    memcpy(&data_off, h + 24, 8); memcpy(&max, h + 32, 8); memcpy(&hsize, h + 40, 4); memcpy(&role, h + 44, 4);
    if (magic != WAKEFD_SHM_MAGIC || version != WAKEFD_SHM_VERSION || flags != 0 || data_off != WAKEFD_SHM_DATA
            || hsize != WAKEFD_SHM_DATA || cap < WAKEFD_SHM_MIN_CAPACITY || cap > WAKEFD_SHM_MAX_CAPACITY
            || (cap & (cap - 1)) || WAKEFD_SHM_DATA + cap != size || max != cap / 2 - 8) goto fail;
    if (role != (producer ? 2u : 1u)) { r = role == 1 || role == 2 ? -EINVAL : -EBADMSG; goto fail; }
    for (int i = 1; i <= 2; i++) {
        int fl = fcntl(fds[i], F_GETFL);
        if (fl < 0 || fcntl(fds[i], F_SETFL, fl | O_NONBLOCK) < 0) { r = -errno; goto fail; }
    }
    if ((r = wakefd_shm__map(c, sock, fds[0], fds[1], fds[2], producer)) == 0) {
        c->capacity = cap; /* validated above; the header is never read again */
        c->mask = cap - 1;
        c->max_message = cap / 2 - 8;
        return 0;
    }
fail:
    for (int i = 0; i < nfds; i++) close(fds[i]);
    return r;
}

/* ------------------------------------------------------------------ producer */

static inline int wakefd_shm__refresh_head(wakefd_shm *c) {
    uint64_t h = wakefd_shm__load(c, WAKEFD_SHM_OFF_HEAD);
    if (h < c->head_cache || h > c->published) return -EBADMSG;
    c->head_cache = h;
    return 0;
}

static inline int wakefd_shm__sendable(wakefd_shm *c) {
    if (__atomic_load_n(wakefd_shm__u32(c, WAKEFD_SHM_OFF_CONSUMER_CLOSED), __ATOMIC_SEQ_CST) || c->peer_gone) return -EPIPE;
    return 0;
}

/* Copies a message in without publishing: 1 done, 0 no room, <0 error. */
static inline int wakefd_shm_put(wakefd_shm *c, const void *data, uint32_t len) {
    int r;
    if ((r = wakefd_shm__sendable(c)) < 0) return r;
    if (len > c->max_message) return -EMSGSIZE;
    uint64_t need = wakefd_shm__record(len), p = c->pending, off = p & c->mask, to_end = c->capacity - off;
    uint64_t total = need <= to_end ? need : to_end + need;
    if (c->capacity - (p - c->head_cache) < total) {
        if ((r = wakefd_shm__refresh_head(c)) < 0) return r;
        if (c->capacity - (p - c->head_cache) < total) { c->last_total = total; return 0; }
    }
    if (need > to_end) {
        *wakefd_shm__u64(c, WAKEFD_SHM_DATA + off) = WAKEFD_SHM_PAD | ((p & 0xFFFFFFFFu) << 32);
        p += to_end;
        off = 0;
    }
    *wakefd_shm__u64(c, WAKEFD_SHM_DATA + off) = (uint64_t) len | ((p & 0xFFFFFFFFu) << 32);
    memcpy(c->base + WAKEFD_SHM_DATA + off + 8, data, len);
    c->pending = p + need;
    return 1;
}

/* Makes what was put visible (P1) and wakes a consumer that announced its sleep (P2). */
static inline int wakefd_shm_publish(wakefd_shm *c) {
    uint64_t t = c->pending;
    if (t == c->published) return 0;
    wakefd_shm__store(c, WAKEFD_SHM_OFF_TAIL, t);                         /* P1 */
    uint64_t w = wakefd_shm__load(c, WAKEFD_SHM_OFF_CONSUMER_WAKE_AT);    /* P2 */
    c->published = t;
    if (t >= w && w != c->consumer_woken_for) {
        c->consumer_woken_for = w;
        return wakefd_shm__wake(c->other);
    }
    return 0;
}

/* 1 sent, 0 no room now, <0 error. */
static inline int wakefd_shm_offer(wakefd_shm *c, const void *data, uint32_t len) {
    int r = wakefd_shm_put(c, data, len);
    if (r == 1) { int p = wakefd_shm_publish(c); if (p < 0) return p; }
    return r;
}

/* After offer returned 0: announce; 1 = sleep on c->own, 0 = try again. */
static inline int wakefd_shm_producer_prepare(wakefd_shm *c) {
    int r;
    if ((r = wakefd_shm_publish(c)) < 0) return r;
    uint64_t resume = c->last_total > c->capacity / 8 ? c->last_total : c->capacity / 8;
    uint64_t target = c->pending - c->capacity + resume;
    wakefd_shm__store(c, WAKEFD_SHM_OFF_PRODUCER_WAKE_AT, target);        /* S1 */
    if ((r = wakefd_shm__refresh_head(c)) < 0) return r;                  /* S2 */
    if (c->head_cache >= target || wakefd_shm__sendable(c) < 0 || wakefd_shm__check_peer(c)) {
        __atomic_store_n(wakefd_shm__u64(c, WAKEFD_SHM_OFF_PRODUCER_WAKE_AT), WAKEFD_SHM_NONE, __ATOMIC_RELEASE);
        return 0;
    }
    return 1;
}

/* Sends, waiting while full. 0 or <0. */
static inline int wakefd_shm_send(wakefd_shm *c, const void *data, uint32_t len) {
    int r;
    while ((r = wakefd_shm_offer(c, data, len)) == 0) {
        if ((r = wakefd_shm_producer_prepare(c)) < 0) return r;
        if (r == 1) {
            r = wakefd_shm__sleep(c, -1);
            __atomic_store_n(wakefd_shm__u64(c, WAKEFD_SHM_OFF_PRODUCER_WAKE_AT), WAKEFD_SHM_NONE, __ATOMIC_RELEASE);
            if (r < 0) return r;
        }
    }
    return r < 0 ? r : 0;
}

/* ------------------------------------------------------------------ consumer */

static inline int wakefd_shm__refresh_tail(wakefd_shm *c) {
    uint64_t t = wakefd_shm__load(c, WAKEFD_SHM_OFF_TAIL);
    if (t < c->tail_cache || t - c->published_head > c->capacity) return -EBADMSG;
    c->tail_cache = t;
    return 0;
}

/* The next message in place: 1 (*data, *len valid until wakefd_shm_release), 0 none now, <0 error. */
static inline int wakefd_shm_poll(wakefd_shm *c, const void **data, uint32_t *len) {
    for (;;) {
        uint64_t h = c->head;
        int r;
        if (h == c->tail_cache) {
            if ((r = wakefd_shm__refresh_tail(c)) < 0) return r;
            if (h == c->tail_cache) return 0;
        }
        uint64_t off = h & c->mask, avail = c->tail_cache - h;
        uint64_t word = *wakefd_shm__u64(c, WAKEFD_SHM_DATA + off);
        uint32_t n = (uint32_t) word, stamp = (uint32_t) (word >> 32);
        if (stamp != (uint32_t) h) return -EBADMSG;
        if (n == WAKEFD_SHM_PAD) {
            uint64_t to_end = c->capacity - off;
            if (off == 0 || to_end > avail) return -EBADMSG;
            c->head = h + to_end;
            continue;
        }
        uint64_t need = wakefd_shm__record(n);
        if (n > c->max_message || need > avail || need > c->capacity - off) return -EBADMSG;
        *data = c->base + WAKEFD_SHM_DATA + off + 8;
        *len = n;
        c->next_end = h + need;
        return 1;
    }
}

/* Frees the record poll returned (publishes the head and wakes a producer waiting for room). */
/* Deliberate mirror of wakefd_shm_publish: the consumer's P1 and P2 on its own offsets. */
static inline int wakefd_shm_release(wakefd_shm *c) {
    c->head = c->next_end;
    uint64_t h = c->head;
    if (h == c->published_head) return 0;
    wakefd_shm__store(c, WAKEFD_SHM_OFF_HEAD, h);                          /* P1 */
    uint64_t w = wakefd_shm__load(c, WAKEFD_SHM_OFF_PRODUCER_WAKE_AT);     /* P2 */
    c->published_head = h;
    if (h >= w && w != c->producer_woken_for) {
        c->producer_woken_for = w;
        return wakefd_shm__wake(c->other);
    }
    return 0;
}

static inline int wakefd_shm_end_of_stream(wakefd_shm *c) {
    if (!__atomic_load_n(wakefd_shm__u32(c, WAKEFD_SHM_OFF_PRODUCER_CLOSED), __ATOMIC_SEQ_CST)) return 0;
    if (c->head == c->tail_cache && wakefd_shm__refresh_tail(c) < 0) return -EBADMSG;
    return c->head == c->tail_cache;
}

/* After poll returned 0: announce; 1 = sleep on c->own, 0 = look again, <0 error. */
static inline int wakefd_shm_consumer_prepare(wakefd_shm *c) {
    wakefd_shm__store(c, WAKEFD_SHM_OFF_CONSUMER_WAKE_AT, c->head + 1);   /* S1 */
    int closed = __atomic_load_n(wakefd_shm__u32(c, WAKEFD_SHM_OFF_PRODUCER_CLOSED), __ATOMIC_SEQ_CST); /* S2 */
    int r = wakefd_shm__refresh_tail(c);
    if (r < 0) return r;
    if (c->tail_cache != c->head || closed || wakefd_shm__check_peer(c)) {
        __atomic_store_n(wakefd_shm__u64(c, WAKEFD_SHM_OFF_CONSUMER_WAKE_AT), WAKEFD_SHM_NONE, __ATOMIC_RELEASE);
        return 0;
    }
    return 1;
}

/* Copies the next message into buf, waiting for it: 1 got one (*len), 0 end of stream, <0 error
 * (-EPIPE: the sender hung up without closing, after every message it published). */
static inline int wakefd_shm_receive(wakefd_shm *c, void *buf, uint32_t cap, uint32_t *len) {
    for (;;) {
        const void *d;
        int r = wakefd_shm_poll(c, &d, len);
        if (r < 0) return r;
        if (r == 1) {
            if (*len > cap) return -EMSGSIZE;
            memcpy(buf, d, *len);
            return (r = wakefd_shm_release(c)) < 0 ? r : 1;
        }
        if ((r = wakefd_shm_end_of_stream(c)) != 0) return r < 0 ? r : 0;
        if (c->peer_gone) return -EPIPE;
        if ((r = wakefd_shm_consumer_prepare(c)) < 0) return r;
        if (r == 1) {
            r = wakefd_shm__sleep(c, -1);
            __atomic_store_n(wakefd_shm__u64(c, WAKEFD_SHM_OFF_CONSUMER_WAKE_AT), WAKEFD_SHM_NONE, __ATOMIC_RELEASE);
            if (r < 0) return r;
        }
    }
}

/* Closes this end: end of stream (producer) or abandon (consumer), a wake, then every fd. */
static inline void wakefd_shm_close(wakefd_shm *c) {
    if (c->producer) {
        wakefd_shm_publish(c);
        __atomic_store_n(wakefd_shm__u32(c, WAKEFD_SHM_OFF_PRODUCER_CLOSED), 1u, __ATOMIC_SEQ_CST);
    } else {
        __atomic_store_n(wakefd_shm__u32(c, WAKEFD_SHM_OFF_CONSUMER_CLOSED), 1u, __ATOMIC_SEQ_CST);
    }
    wakefd_shm__wake(c->other);
    munmap(c->base, c->size);
    close(c->memfd); close(c->data_fd); close(c->space_fd); close(c->sock);
}

#endif /* WAKEFD_SHM_H */
