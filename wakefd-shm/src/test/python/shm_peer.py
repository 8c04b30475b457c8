"""Test and benchmark driver for wakefd_shm.py, run as a child process by the Java tests.

usage: shm_peer.py MODE SOCKET_NAME [args...]   (SOCKET_NAME: abstract AF_UNIX name, no leading @)
Prints one line "OK <count>" on success; anything else is a failure.
"""
import os
import socket
import struct
import sys
import time

sys.path.insert(0, os.environ["WAKEFD_SHM_PYTHON"])
import wakefd_shm as shm  # noqa: E402

M64 = 0xFFFFFFFFFFFFFFFF


class Pattern:
    """The same message sequence as the Java tests' Pattern: xorshift64 lengths, bytes (i*131+k)&0xff."""

    def __init__(self, seed, max_len):
        self.s = seed & M64 or 1
        self.max_len = max_len
        self.i = 0

    def next(self):
        s = self.s
        s ^= (s << 13) & M64
        s ^= s >> 7
        s ^= (s << 17) & M64
        self.s = s
        n = s % (self.max_len + 1)
        base = (self.i * 131) & 0xFF
        self.i += 1
        return bytes((base + k) & 0xFF for k in range(n))


def connect(name):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect("\0" + name)
    return s


def main():
    mode, name = sys.argv[1], sys.argv[2]
    args = sys.argv[3:]
    if mode in ("accept-recv", "create-recv"):
        count, seed, max_len = int(args[0]), int(args[1]), int(args[2])
        s = connect(name)
        rx = shm.accept_receiver(s, 10) if mode == "accept-recv" else shm.create_receiver(s, int(args[3]))
        p = Pattern(seed, max_len)
        n = 0
        while True:
            batch = rx.receive_many()
            if batch is None:
                break
            for m in batch:
                want = p.next()
                if m != want:
                    print("MISMATCH at %d: got %d bytes, want %d" % (n, len(m), len(want)))
                    sys.exit(1)
                n += 1
        rx.close()
        if n != count:
            print("COUNT %d != %d" % (n, count))
            sys.exit(1)
        print("OK %d" % n)
    elif mode in ("accept-send", "create-send"):
        count, seed, max_len = int(args[0]), int(args[1]), int(args[2])
        s = connect(name)
        tx = shm.accept_sender(s, 10) if mode == "accept-send" else shm.create_sender(s, int(args[3]))
        p = Pattern(seed, max_len)
        batch = []
        for _ in range(count):
            batch.append(p.next())
            if len(batch) == 256:
                tx.send_many(batch)
                batch = []
        tx.send_many(batch)
        tx.close()
        print("OK %d" % count)
    elif mode == "spam":  # sends numbered 64-byte messages until killed
        s = connect(name)
        tx = shm.accept_sender(s, 10)
        i = 0
        while True:
            tx.send(struct.pack("<Q", i) + bytes(56))
            i += 1
    elif mode == "echo":  # receives on one channel, sends each message back on another
        rx = shm.accept_receiver(connect(name), 10)
        tx = shm.accept_sender(connect(name), 10)
        n = 0
        while (m := rx.receive()) is not None:
            tx.send(m)
            n += 1
        tx.close()
        rx.close()
        print("OK %d" % n)
    elif mode == "fuzz":
        fuzz(name, args[0])
    elif mode == "badsetup":
        bad_setup(name, args[0])
    else:
        print("unknown mode " + mode)
        sys.exit(2)


def fuzz(name, what):
    """Creates a sender, publishes a few good records, then breaks one rule the Java side must catch."""
    s = connect(name)
    tx = shm.create_sender(s, 4096)
    sys.stdin.readline()  # the Java side has validated and mapped the region
    q = tx._q
    for i in range(3):
        tx.send(bytes([i]) * 20)
    tail = tx._published
    if what == "tail-jump":  # a tail more than a ring ahead of the head
        q[shm.OFF_TAIL // 8] = tail + 1 << 40
    elif what == "tail-back":  # the tail moves backwards
        q[shm.OFF_TAIL // 8] = tail - 8  # below what the Java side may have seen, or mid-record
    elif what == "length":  # a record length beyond the maximum
        q[(shm.DATA + tail) // 8] = 0x7FFFFFF0 | (tail << 32)
        q[shm.OFF_TAIL // 8] = tail + 64
    elif what == "past-tail":  # a record that runs past the published tail
        q[(shm.DATA + tail) // 8] = 100 | (tail << 32)
        q[shm.OFF_TAIL // 8] = tail + 16
    elif what == "stamp":  # a record whose stamp is not its position
        q[(shm.DATA + tail) // 8] = 4 | (12345 << 32)
        q[shm.OFF_TAIL // 8] = tail + 16
    elif what == "pad-past-tail":
        q[(shm.DATA + tail) // 8] = 0xFFFFFFFF | (tail << 32)
        q[shm.OFF_TAIL // 8] = tail + 8
    elif what == "garbage":  # random bytes over the records and the tail
        import random
        r = random.Random(7)
        for off in range(shm.DATA, shm.DATA + 4096, 8):
            q[off // 8] = r.getrandbits(64)
        q[shm.OFF_TAIL // 8] = r.getrandbits(64)
    elif what == "header":  # the header changes after set-up: ignored, the channel keeps working
        q[0] = 0
        q[shm.OFF_CAPACITY // 8] = 1 << 62
    else:
        print("unknown fuzz " + what)
        sys.exit(2)
    os.eventfd_write(tx._data_fd, 1)
    if what == "header":
        tx.send(b"after")
        tx.close()
    print("OK 0", flush=True)
    sys.stdin.read()  # stay alive until the test closes our stdin


def bad_setup(name, what):
    """Sends a set-up message that breaks one rule; the Java side must refuse it before mapping."""
    import fcntl
    import mmap
    s = connect(name)
    cap = 4096
    memfd = os.memfd_create("wakefd-shm", os.MFD_CLOEXEC | os.MFD_ALLOW_SEALING)
    os.ftruncate(memfd, shm.DATA + cap)
    with mmap.mmap(memfd, shm.DATA + cap) as mm:
        struct.pack_into("<QIIQQQII", mm, 0, shm.MAGIC, 1, 0, cap, shm.DATA, cap // 2 - 8, shm.DATA, 1)
        if what == "magic":
            struct.pack_into("<Q", mm, 0, 0x1234)
        elif what == "version":
            struct.pack_into("<I", mm, 8, 2)
        elif what == "capacity":
            struct.pack_into("<Q", mm, 16, 8192)
        elif what == "role":
            struct.pack_into("<I", mm, 44, 7)
    if what != "unsealed":
        fcntl.fcntl(memfd, fcntl.F_ADD_SEALS, shm.REQUIRED_SEALS)
    data = os.eventfd(0, os.EFD_CLOEXEC | os.EFD_NONBLOCK)
    space = os.eventfd(0, os.EFD_CLOEXEC | os.EFD_NONBLOCK | (os.EFD_SEMAPHORE if what == "semaphore" else 0))
    fds = [memfd, data, space]
    if what == "pipe":
        fds[0] = os.pipe()[0]
    elif what == "two-fds":
        fds = fds[:2]
    elif what == "same-eventfd":
        fds[2] = data
    elif what == "not-eventfd":
        fds[1] = os.pipe()[0]
    socket.send_fds(s, [b"S"], fds)
    print("OK 0", flush=True)
    sys.stdin.read()


if __name__ == "__main__":
    main()
