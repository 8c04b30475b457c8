"""wakefd-shm peer for Python: either end of a wakefd shared-memory channel.

Standard library only (mmap, os.eventfd, socket.send_fds/recv_fds, struct, select, ctypes).
Linux, Python >= 3.10, little-endian x86_64 or aarch64. The byte layout and the protocol are
specified in docs/shm-layout.md; the argument for the wake protocol is docs/design/shm-ring.md.

    import socket, wakefd_shm
    s = socket.socket(socket.AF_UNIX); s.connect(path)
    rx = wakefd_shm.accept_receiver(s, timeout=5)   # the Java side called Shm.createSender
    while (m := rx.receive()) is not None:
        print(len(m))

Every position and length read from the region is validated (CorruptedError); a peer that hangs
up is noticed on the set-up socket (PeerGoneError once everything it published was taken).
One thread per end.
"""

import ctypes
import errno
import fcntl
import mmap
import os
import platform
import select
import socket
import struct
import sys
import time

__all__ = ["create_sender", "create_receiver", "accept_sender", "accept_receiver",
           "Sender", "Receiver", "CorruptedError", "PeerGoneError", "ClosedError"]

MAGIC = 0x48536466656B6177  # "wakefdSH" little-endian
VERSION = 1
OFF_MAGIC, OFF_VERSION, OFF_FLAGS, OFF_CAPACITY = 0, 8, 12, 16
OFF_DATA_OFFSET, OFF_MAX_MESSAGE, OFF_HEADER_SIZE, OFF_CREATOR_ROLE = 24, 32, 40, 44
OFF_TAIL, OFF_HEAD, OFF_CONSUMER_WAKE_AT, OFF_PRODUCER_WAKE_AT = 128, 256, 384, 512
OFF_PRODUCER_CLOSED, OFF_CONSUMER_CLOSED = 640, 644
DATA = 1024
NONE = 0xFFFFFFFFFFFFFFFF
PAD = 0xFFFFFFFF
CREATOR_PRODUCES, CREATOR_CONSUMES = 1, 2
MIN_CAPACITY, MAX_CAPACITY = 4096, 1 << 30
F_SEAL_SEAL, F_SEAL_SHRINK, F_SEAL_GROW = 1, 2, 4
REQUIRED_SEALS = F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW
M64 = 0xFFFFFFFFFFFFFFFF


class CorruptedError(OSError):
    """The region or the set-up message broke a layout rule; the channel is closed."""


class PeerGoneError(OSError):
    """The other end closed (receiver) or hung up without closing."""


class ClosedError(OSError):
    """This end is closed."""


def _make_fence():
    """A full memory barrier (mfence / dmb ish) as a 2-instruction function called through ctypes.

    CPython has no atomics; the Dekker-style announce/re-check of the protocol needs a store-load
    barrier, which no plain Python operation guarantees.
    """
    machine = platform.machine().lower()
    if machine in ("x86_64", "amd64"):
        code = b"\x0f\xae\xf0\xc3"  # mfence; ret
    elif machine in ("aarch64", "arm64"):
        code = struct.pack("<II", 0xD5033BBF, 0xD65F03C0)  # dmb ish; ret
    else:
        raise OSError("wakefd_shm: no memory barrier for machine %r (x86_64 and aarch64 are supported)" % machine)
    libc = ctypes.CDLL(None, use_errno=True)
    libc.mmap.restype = ctypes.c_void_p
    libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_long]
    libc.mprotect.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
    page = mmap.PAGESIZE
    addr = libc.mmap(None, page, mmap.PROT_READ | mmap.PROT_WRITE, mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS, -1, 0)
    if addr in (None, ctypes.c_void_p(-1).value):
        raise OSError(ctypes.get_errno(), "mmap for the memory barrier stub: " + os.strerror(ctypes.get_errno()))
    ctypes.memmove(addr, code, len(code))
    if libc.mprotect(addr, page, mmap.PROT_READ | mmap.PROT_EXEC) != 0:
        raise OSError(ctypes.get_errno(), "mprotect for the memory barrier stub: " + os.strerror(ctypes.get_errno()))
    return ctypes.CFUNCTYPE(None)(addr), machine in ("x86_64", "amd64")


_fence, _X86 = _make_fence()


def _acq_rel():
    """Orders plain record accesses against position accesses; x86 (TSO) needs nothing."""
    if not _X86:
        _fence()


def _record_size(n):
    return 8 + ((n + 7) & ~7)


class _End:
    def __init__(self, sock, memfd, data_fd, space_fd, producer):
        if sys.byteorder != "little":
            raise OSError("wakefd_shm needs a little-endian host")
        self._sock = sock
        self._memfd = memfd
        self._data_fd, self._space_fd = data_fd, space_fd
        self._own = space_fd if producer else data_fd
        self._other = data_fd if producer else space_fd
        size = os.fstat(memfd).st_size
        self._mm = mmap.mmap(memfd, size, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE)
        self._q = memoryview(self._mm).cast("Q")  # aligned native 8-byte loads and stores (one mov each)
        self._i = memoryview(self._mm).cast("I")
        self.capacity = self._q[OFF_CAPACITY // 8]
        self.max_message = self.capacity // 2 - 8
        self._mask = self.capacity - 1
        self._closed = False
        self._peer_gone = False
        self._poll = select.poll()
        self._poll.register(self._own, select.POLLIN)
        self._poll.register(sock.fileno(), select.POLLIN)
        self._woken_for = 0

    # shared words
    def _load(self, off):
        return self._q[off >> 3]

    def _store(self, off, value):
        self._q[off >> 3] = value

    def _check_peer(self):
        if not self._peer_gone:
            r, = select.select([self._sock], [], [], 0)[:1]
            if r:
                self._peer_gone = True
        return self._peer_gone

    def _clear_own(self):
        try:
            os.eventfd_read(self._own)
        except BlockingIOError:
            pass

    def _sleep(self, timeout):
        """Waits on our eventfd or the socket, without reading the eventfd (it was cleared before
        the announcement); True if the wait ended before the timeout."""
        ms = -1 if timeout is None else max(0, int(timeout * 1000 + 0.999))
        events = self._poll.poll(ms)
        for fd, ev in events:
            if fd != self._own:
                self._peer_gone = True
        return bool(events)

    def _sleep_announced(self, wake_at, deadline, what):
        """Clears our eventfd (C0), announces (prepare_to_wait), sleeps until woken or the deadline
        and withdraws at wake_at. Clearing before the announcement, never after it, keeps every
        wake for it (docs/design/shm-ring.md, "Clear before announcing") and takes the read off
        the path from the wake to the message."""
        self._clear_own()  # C0: before S1
        if self.prepare_to_wait():
            try:
                left = None if deadline is None else deadline - time.monotonic()
                if left is not None and left <= 0:
                    raise TimeoutError(what + " within the timeout")
                self._sleep(left)
            finally:
                self._store(wake_at, NONE)

    def fileno(self):
        """The eventfd this end sleeps on (readable when woken)."""
        return self._own

    def _wake_other(self):
        os.eventfd_write(self._other, 1)

    def close(self):
        if self._closed:
            return
        try:
            self._close_shared()
            self._wake_other()
        except (OSError, ValueError, IndexError):
            pass
        self._closed = True
        self._q.release()
        self._i.release()
        self._mm.close()
        for fd in (self._memfd, self._data_fd, self._space_fd):
            os.close(fd)
        self._sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _corrupt(self, message):
        self.close()
        return CorruptedError(message)


class Sender(_End):
    def __init__(self, sock, memfd, data_fd, space_fd):
        super().__init__(sock, memfd, data_fd, space_fd, True)
        self._pending = self._published = self._head_cache = self._load(OFF_TAIL)

    def _refresh_head(self):
        h = self._load(OFF_HEAD)
        if h < self._head_cache or h > self._published:
            raise self._corrupt("shared head %d breaks the rule %d <= head <= tail %d" % (h, self._head_cache, self._published))
        self._head_cache = h
        return h

    def _sendable(self):
        if self._closed:
            raise ClosedError("send on a closed sender")
        if self._i[OFF_CONSUMER_CLOSED // 4]:
            raise PeerGoneError("the receiver closed the channel; this message was not sent")
        if self._peer_gone:
            raise PeerGoneError("the receiver hung up without closing; this message was not sent")

    def _put(self, data):
        n = len(data)
        if n > self.max_message:
            raise ValueError("message of %d bytes: must be 0 to %d" % (n, self.max_message))
        need = _record_size(n)
        p = self._pending
        off = p & self._mask
        to_end = self.capacity - off
        total = need if need <= to_end else to_end + need
        if self.capacity - (p - self._head_cache) < total:
            self._refresh_head()
            if self.capacity - (p - self._head_cache) < total:
                self._last_total = total
                return False
        if need > to_end:
            self._store(DATA + off, PAD | ((p & 0xFFFFFFFF) << 32))
            p += to_end
            off = 0
        self._store(DATA + off, n | ((p & 0xFFFFFFFF) << 32))
        self._mm[DATA + off + 8:DATA + off + 8 + n] = data
        self._pending = p + need
        return True

    def _publish(self):
        t = self._pending
        if t == self._published:
            return
        _acq_rel()  # records before the tail (x86: stores are not reordered with stores)
        self._store(OFF_TAIL, t)  # P1
        _fence()  # P1 before P2
        w = self._load(OFF_CONSUMER_WAKE_AT)  # P2
        self._published = t
        if t >= w and w != self._woken_for:
            self._woken_for = w
            self._wake_other()

    def offer(self, data):
        """Copies the message in if it fits now; False if the ring is full."""
        self._sendable()
        if not self._put(data):
            return False
        self._publish()
        return True

    def offer_many(self, messages):
        """Copies messages while they fit and publishes them with one store; returns how many."""
        self._sendable()
        k = 0
        for m in messages:
            if not self._put(m):
                break
            k += 1
        self._publish()
        return k

    def send(self, data, timeout=None):
        """Sends, waiting while the ring is full (TimeoutError after timeout seconds)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while not self.offer(data):
            self._await_room(deadline)

    def send_many(self, messages):
        messages = list(messages)
        i = 0
        while i < len(messages):
            k = self.offer_many(messages[i:i + 4096])
            i += k
            if k == 0:
                self._await_room(None)

    def prepare_to_wait(self):
        """After offer() returned False: announce the sleep; True to wait on fileno()."""
        self._publish()
        target = self._pending - self.capacity + max(getattr(self, "_last_total", 0), self.capacity // 8)
        self._store(OFF_PRODUCER_WAKE_AT, target)  # S1
        _fence()  # S1 before S2
        if self._refresh_head() >= target or self._i[OFF_CONSUMER_CLOSED // 4] or self._check_peer():  # S2
            self._store(OFF_PRODUCER_WAKE_AT, NONE)
            return False
        return True

    def _await_room(self, deadline):
        self._sendable()
        self._sleep_announced(OFF_PRODUCER_WAKE_AT, deadline, "send: no room")

    def _close_shared(self):
        self._publish()
        _fence()
        self._i[OFF_PRODUCER_CLOSED // 4] = 1


class Receiver(_End):
    def __init__(self, sock, memfd, data_fd, space_fd):
        super().__init__(sock, memfd, data_fd, space_fd, False)
        self._head = self._published = self._tail_cache = self._load(OFF_HEAD)
        self.received = 0

    def _refresh_tail(self):
        t = self._load(OFF_TAIL)
        if t < self._tail_cache or t - self._published > self.capacity:
            raise self._corrupt("shared tail %d breaks the rule %d <= tail <= head + capacity = %d"
                                % (t, self._tail_cache, self._published + self.capacity))
        self._tail_cache = t
        _acq_rel()  # the tail before the records

    def _next(self):
        """(offset, length) of the next record, or None; validates it."""
        while True:
            h = self._head
            if h == self._tail_cache:
                self._refresh_tail()
                if h == self._tail_cache:
                    return None
            off = h & self._mask
            word = self._load(DATA + off)
            n, stamp = word & 0xFFFFFFFF, word >> 32
            avail = self._tail_cache - h
            if stamp != h & 0xFFFFFFFF:
                raise self._corrupt("record at position %d carries stamp %d, must be %d" % (h, stamp, h & 0xFFFFFFFF))
            if n == PAD:
                to_end = self.capacity - off
                if off == 0 or to_end > avail:
                    raise self._corrupt("pad record at position %d skips %d bytes past the tail or from offset 0" % (h, to_end))
                self._head = h + to_end
                continue
            if n > self.max_message:
                raise self._corrupt("record at position %d has length %d: must be 0 to %d" % (h, n, self.max_message))
            need = _record_size(n)
            if need > avail or need > self.capacity - off:
                raise self._corrupt("record at position %d of %d bytes runs past the tail or the data area" % (h, need))
            return DATA + off + 8, n, h + need

    def _publish_head(self):
        h = self._head
        if h == self._published:
            return
        _acq_rel()  # the copies before the head
        self._store(OFF_HEAD, h)  # P1
        _fence()
        w = self._load(OFF_PRODUCER_WAKE_AT)  # P2
        self._published = h
        if h >= w and w != self._woken_for:
            self._woken_for = w
            self._wake_other()

    def _take(self):
        if self._closed:
            raise ClosedError("receive on a closed receiver")
        r = self._next()
        if r is None:
            return None
        at, n, end = r
        m = bytes(self._mm[at:at + n])
        self._head = end
        self.received += 1
        return m

    def poll(self):
        """The next message if one is there now, else None (see end_of_stream())."""
        m = self._take()
        if m is not None:
            self._publish_head()
        return m

    def drain(self, max_messages=1 << 30):
        """Every message there now (up to max), freed with one store; [] if none."""
        out = []
        while len(out) < max_messages:
            m = self._take()
            if m is None:
                break
            out.append(m)
        self._publish_head()
        return out

    def _producer_closed(self):
        return self._i[OFF_PRODUCER_CLOSED // 4] != 0

    def end_of_stream(self):
        if not self._producer_closed():
            return False
        _acq_rel()
        if self._head == self._tail_cache:
            self._refresh_tail()
        return self._head == self._tail_cache

    def _drained(self):
        if self._head == self._tail_cache:
            self._refresh_tail()
        return self._head == self._tail_cache

    def prepare_to_wait(self):
        """After poll() returned None: announce the sleep; True to wait on fileno()."""
        self._publish_head()
        self._store(OFF_CONSUMER_WAKE_AT, self._head + 1)  # S1
        _fence()  # S1 before S2
        closed = self._producer_closed()  # S2: the flag, then the tail
        if not self._drained() or closed or self._check_peer():
            self._store(OFF_CONSUMER_WAKE_AT, NONE)
            return False
        return True

    def _gone(self):
        peer_gone = self._check_peer()
        if peer_gone and self._drained() and not self.end_of_stream():
            raise PeerGoneError("the sender hung up without closing the stream; all %d messages it fully"
                                " published were delivered" % self.received)

    def _await(self, deadline):
        """Waits for a message; False at end of stream."""
        if self.end_of_stream():
            return False
        self._gone()
        self._sleep_announced(OFF_CONSUMER_WAKE_AT, deadline, "receive: no message")
        return True

    def receive(self, timeout=None):
        """The next message, waiting for it; None at end of stream (TimeoutError after timeout s)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            m = self.poll()
            if m is not None:
                return m
            if not self._await(deadline):
                return None

    def receive_many(self, max_messages=1 << 30):
        """Waits for messages and returns every one there (up to max); None at end of stream."""
        while True:
            out = self.drain(max_messages)
            if out:
                return out
            if not self._await(None):
                return None

    def _close_shared(self):
        self._publish_head()
        _fence()
        self._i[OFF_CONSUMER_CLOSED // 4] = 1


# ---------------------------------------------------------------------- set-up

def _check_admitted(sock, same_user):
    if same_user:
        pid, uid, gid = struct.unpack("3i", sock.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, 12))
        if uid != os.geteuid():
            raise PermissionError("the peer (pid %d, uid %d) is not this user (uid %d); nothing sent or mapped"
                                  % (pid, uid, os.geteuid()))


def _create(sock, capacity, producer, same_user):
    _check_admitted(sock, same_user)
    if capacity < MIN_CAPACITY or capacity > MAX_CAPACITY or capacity & (capacity - 1):
        raise ValueError("capacity %d: must be a power of two from %d to %d bytes" % (capacity, MIN_CAPACITY, MAX_CAPACITY))
    memfd = os.memfd_create("wakefd-shm", os.MFD_CLOEXEC | os.MFD_ALLOW_SEALING)
    data = space = -1
    try:
        os.ftruncate(memfd, DATA + capacity)
        fcntl.fcntl(memfd, fcntl.F_ADD_SEALS, REQUIRED_SEALS)
        with mmap.mmap(memfd, DATA + capacity) as mm:
            struct.pack_into("<IIQQQII", mm, OFF_VERSION, VERSION, 0, capacity, DATA, capacity // 2 - 8, DATA,
                             CREATOR_PRODUCES if producer else CREATOR_CONSUMES)
            struct.pack_into("<Q", mm, OFF_CONSUMER_WAKE_AT, NONE)
            struct.pack_into("<Q", mm, OFF_PRODUCER_WAKE_AT, NONE)
            struct.pack_into("<Q", mm, OFF_MAGIC, MAGIC)
        data = os.eventfd(0, os.EFD_CLOEXEC | os.EFD_NONBLOCK)
        space = os.eventfd(0, os.EFD_CLOEXEC | os.EFD_NONBLOCK)
        socket.send_fds(sock, [b"S"], [memfd, data, space])
        return (Sender if producer else Receiver)(sock, memfd, data, space)
    except BaseException:
        for fd in (memfd, data, space):
            if fd >= 0:
                os.close(fd)
        sock.close()
        raise


def create_sender(sock, capacity, same_user=True):
    """Creates a channel of capacity bytes, sends its fds over the connected AF_UNIX sock; this end sends."""
    return _create(sock, capacity, True, same_user)


def create_receiver(sock, capacity, same_user=True):
    return _create(sock, capacity, False, same_user)


def _fdinfo(fd):
    with open("/proc/self/fdinfo/%d" % fd) as f:
        return dict(line.split(":", 1) for line in f.read().splitlines() if ":" in line)


def _accept(sock, timeout, producer, same_user):
    fds = []
    try:
        _check_admitted(sock, same_user)
        sock.settimeout(timeout)
        msg, fds, flags, _ = socket.recv_fds(sock, 256, 8, socket.MSG_CMSG_CLOEXEC)
        sock.settimeout(None)
        if not msg and not fds:
            raise EOFError("the peer closed the socket before sending the channel")
        if flags & socket.MSG_CTRUNC or len(fds) != 3:
            raise CorruptedError("the set-up message must carry exactly 3 fds, got %d" % len(fds))
        memfd, data, space = fds
        if not os.readlink("/proc/self/fd/%d" % memfd).startswith("/memfd:"):
            raise CorruptedError("the region fd is not a memfd")
        seals = fcntl.fcntl(memfd, fcntl.F_GET_SEALS)
        if seals & REQUIRED_SEALS != REQUIRED_SEALS:
            raise CorruptedError("the region memfd carries seals 0x%x, must include 0x%x" % (seals, REQUIRED_SEALS))
        ids = []
        for fd, what in ((data, "data-available"), (space, "space-available")):
            if os.readlink("/proc/self/fd/%d" % fd) != "anon_inode:[eventfd]":
                raise CorruptedError("the %s fd is not an eventfd" % what)
            info = _fdinfo(fd)
            if "eventfd-count" not in info:
                raise CorruptedError("the %s fd has no eventfd-count: not an eventfd" % what)
            if info.get("eventfd-semaphore", "0").strip() == "1":
                raise CorruptedError("the %s eventfd is in semaphore mode" % what)
            ids.append(info.get("eventfd-id"))
            os.set_blocking(fd, False)
        if ids[0] is not None and ids[0] == ids[1]:
            raise CorruptedError("the two eventfds are the same (eventfd-id %s)" % ids[0].strip())
        size = os.fstat(memfd).st_size
        if size < DATA + MIN_CAPACITY or size > DATA + MAX_CAPACITY:
            raise CorruptedError("the region is %d bytes: must be %d + a capacity" % (size, DATA))
        with mmap.mmap(memfd, size, mmap.MAP_SHARED, mmap.PROT_READ) as mm:
            magic, version, flags_, cap, data_off, max_msg, hsize, role = struct.unpack_from("<QIIQQQII", mm, 0)
        if magic != MAGIC:
            raise CorruptedError("region magic 0x%x: expected 0x%x" % (magic, MAGIC))
        if version != VERSION:
            raise CorruptedError("region layout version %d: this side speaks %d" % (version, VERSION))
        if flags_ != 0 or data_off != DATA or hsize != DATA:
            raise CorruptedError("region flags/data offset/header size %d/%d/%d: must be 0/%d/%d" % (flags_, data_off, hsize, DATA, DATA))
        if cap < MIN_CAPACITY or cap > MAX_CAPACITY or cap & (cap - 1) or DATA + cap != size or max_msg != cap // 2 - 8:
            raise CorruptedError("region capacity %d / max message %d do not fit the size %d" % (cap, max_msg, size))
        if role not in (CREATOR_PRODUCES, CREATOR_CONSUMES):
            raise CorruptedError("creator role %d: must be 1 or 2" % role)
        if (role == CREATOR_PRODUCES) == producer:
            raise OSError("both ends want to %s" % ("send" if producer else "receive"))
        return (Sender if producer else Receiver)(sock, memfd, data, space)
    except BaseException:
        for fd in fds:
            os.close(fd)
        sock.close()
        raise


def accept_sender(sock, timeout=None, same_user=True):
    """Receives the peer's channel (it created a receiver) over sock, validates and maps it; this end sends."""
    return _accept(sock, timeout, True, same_user)


def accept_receiver(sock, timeout=None, same_user=True):
    return _accept(sock, timeout, False, same_user)
