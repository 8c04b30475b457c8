package dev.wakefd.shm.internal;

import dev.wakefd.internal.FdCalls;
import dev.wakefd.internal.ProcFs;
import dev.wakefd.shm.ShmCorruptedException;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A memfd and its shared mapping as a bounds-checked {@link MemorySegment}: made here
 * ({@link #create}) or received from a peer and validated before it is mapped ({@link #open}).
 * {@link #close()} unmaps (a shared arena: a later access throws IllegalStateException, never
 * touches unmapped memory) and closes the memfd, once.
 */
public final class Region implements AutoCloseable {
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT.withOrder(ByteOrder.LITTLE_ENDIAN);

    static {
        if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
            throw new UnsupportedOperationException(
                    "wakefd-shm needs a little-endian CPU (its atomic words are native)");
        }
    }

    private final int fd;
    private final Arena arena;
    private final MemorySegment segment;
    private final int capacity;
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

    private Region(int fd, Arena arena, MemorySegment segment, int capacity) {
        this.fd = fd;
        this.arena = arena;
        this.segment = segment;
        this.capacity = capacity;
    }

    /** A new sealed memfd of {@code DATA + capacity} bytes with its header written, mapped. */
    public static Region create(int capacity) throws IOException {
        Layout.checkCapacity(capacity);
        int fd = Memfd.create("wakefd-shm");
        try {
            long size = Layout.regionSize(capacity);
            Memfd.truncate(fd, size);
            Memfd.addSeals(fd, Memfd.REQUIRED_SEALS);
            Region r = map(fd, size, capacity);
            MemorySegment s = r.segment;
            s.set(U32, Layout.OFF_VERSION, Layout.VERSION);
            s.set(U32, Layout.OFF_FLAGS, 0);
            s.set(U64, Layout.OFF_CAPACITY, capacity);
            s.set(U64, Layout.OFF_DATA_OFFSET, Layout.DATA);
            s.set(U64, Layout.OFF_MAX_MESSAGE, Layout.maxMessage(capacity));
            s.set(U32, Layout.OFF_HEADER_SIZE, (int) Layout.DATA);
            s.set(U64, Layout.OFF_CONSUMER_WAKE_AT, Layout.NONE);
            s.set(U64, Layout.OFF_PRODUCER_WAKE_AT, Layout.NONE);
            s.set(
                    U64,
                    Layout.OFF_MAGIC,
                    Layout.MAGIC); // last: a reader that sees it sees the rest (the fd send orders it too)
            return r;
        } catch (IOException | RuntimeException e) {
            FdCalls.close(fd);
            throw e;
        }
    }

    /**
     * Validates a received fd and maps it: it must be a memfd, sealed against shrinking and
     * growing (so no peer can make the mapping fault), of exactly the size its header implies,
     * with our magic, version and a valid capacity. On success the Region owns {@code fd}; on
     * failure the caller still does.
     */
    public static Region open(int fd) throws IOException {
        String target = ProcFs.fdTarget("self", fd);
        if (target == null || !target.startsWith("/memfd:")) {
            throw new ShmCorruptedException(
                    "the region fd " + fd + " is " + (target == null ? "not open" : "'" + target + "'")
                            + ", not a memfd (its /proc/self/fd link must start with /memfd:)");
        }
        int seals = Memfd.seals(fd);
        if ((seals & Memfd.REQUIRED_SEALS) != Memfd.REQUIRED_SEALS) {
            throw new ShmCorruptedException("the region memfd carries seals 0x" + Integer.toHexString(seals)
                    + ", must include F_SEAL_SEAL|F_SEAL_SHRINK|F_SEAL_GROW (0x"
                    + Integer.toHexString(Memfd.REQUIRED_SEALS)
                    + ") so that its size cannot change under the mapping");
        }
        long size;
        try (FileChannel ch = FileChannel.open(Path.of("/proc/self/fd/" + fd), StandardOpenOption.READ)) {
            size = ch.size();
        }
        if (size < Layout.DATA + Layout.MIN_CAPACITY || size > Layout.DATA + Layout.MAX_CAPACITY) {
            throw new ShmCorruptedException("the region is " + size + " bytes: must be " + Layout.DATA
                    + " + a capacity from " + Layout.MIN_CAPACITY + " to " + Layout.MAX_CAPACITY);
        }
        Region r = map(fd, size, 0);
        try {
            MemorySegment s = r.segment;
            long magic = s.get(U64, Layout.OFF_MAGIC);
            if (magic != Layout.MAGIC) {
                throw new ShmCorruptedException("region magic 0x" + Long.toHexString(magic) + ": expected 0x"
                        + Long.toHexString(Layout.MAGIC) + " (\"wakefdSH\"); not a wakefd-shm region");
            }
            int version = s.get(U32, Layout.OFF_VERSION);
            if (version != Layout.VERSION) {
                throw new ShmCorruptedException(
                        "region layout version " + version + ": this side speaks version " + Layout.VERSION);
            }
            int flags = s.get(U32, Layout.OFF_FLAGS);
            if (flags != 0) {
                throw new ShmCorruptedException(
                        "region flags 0x" + Integer.toHexString(flags) + ": version 1 defines none (must be 0)");
            }
            long cap = s.get(U64, Layout.OFF_CAPACITY);
            if (cap < Layout.MIN_CAPACITY
                    || cap > Layout.MAX_CAPACITY
                    || Long.bitCount(cap) != 1
                    || Layout.DATA + cap != size) {
                throw new ShmCorruptedException("region capacity " + cap + ": must be a power of two from "
                        + Layout.MIN_CAPACITY + " to " + Layout.MAX_CAPACITY + " and the memfd size (" + size
                        + ") must be " + Layout.DATA + " + capacity");
            }
            long dataOff = s.get(U64, Layout.OFF_DATA_OFFSET),
                    headerSize = Integer.toUnsignedLong(s.get(U32, Layout.OFF_HEADER_SIZE));
            if (dataOff != Layout.DATA || headerSize != Layout.DATA) {
                throw new ShmCorruptedException("region data offset " + dataOff + " / header size " + headerSize
                        + ": version 1 puts the data at " + Layout.DATA);
            }
            long max = s.get(U64, Layout.OFF_MAX_MESSAGE);
            if (max != Layout.maxMessage((int) cap)) {
                throw new ShmCorruptedException(
                        "region max message " + max + ": must be capacity / 2 - 8 = " + Layout.maxMessage((int) cap));
            }
            return new Region(fd, r.arena, r.segment, (int) cap);
        } catch (IOException | RuntimeException e) {
            r.arena.close(); // unmaps; the fd stays the caller's
            throw e;
        }
    }

    private static Region map(int fd, long size, int capacity) throws IOException {
        Arena arena = Arena.ofShared();
        try (FileChannel ch =
                FileChannel.open(Path.of("/proc/self/fd/" + fd), StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            MemorySegment s = ch.map(FileChannel.MapMode.READ_WRITE, 0, size, arena);
            return new Region(fd, arena, s, capacity);
        } catch (IOException | RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    public MemorySegment segment() {
        return segment;
    }

    public int capacity() {
        return capacity;
    }

    /** The memfd, owned by this Region until {@link #close()}. */
    public int fd() {
        return fd;
    }

    /** Unmaps and closes the memfd; idempotent. Accesses racing with it throw IllegalStateException. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            try {
                arena.close();
            } finally {
                try {
                    FdCalls.close(fd);
                } catch (IOException ignored) {
                    // the number is released either way
                }
            }
        }
    }
}
