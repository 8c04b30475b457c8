package dev.wakefd.internal;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@link SignalFile} over a non-blocking pipe pair, for systems without eventfd (and on Linux
 * with {@code -Dwakefd.backend=pipe} or {@code -Dwakefd.platform=posix}). The read end is
 * {@link #fd()}; the count lives here, in an AtomicLong shared with every {@link #duplicate()};
 * a byte in the pipe only says "look".
 *
 * <p>Invariant: once calls have returned, a non-zero count has a byte in the pipe. {@code add}
 * writes a byte only when its CAS moved the count from 0; {@code take} drains the pipe first and
 * takes the count second. Units leave the count only through one CAS or swap each, so nothing is
 * counted twice. Argument: docs/design/pipe-backend.md.
 *
 * <p>The count is not in the kernel, so a pipe-backed signal cannot be adopted or passed to a peer.
 */
public final class PipeFile implements SignalFile {
    private static final long MAX_COUNT = EventFdCalls.MAX_COUNT;
    /** Bytes drained per read(2); the scratch word holds 8. */
    private static final long DRAIN_CHUNK = 8;

    /** The pipe's byte traffic; a model-checking test puts an in-memory pipe here. */
    interface Bytes {
        /** Writes one byte; a full pipe is readable already, so EAGAIN is fine. */
        void poke() throws IOException;

        /** Reads until the pipe is empty. */
        void drain() throws IOException;
    }

    private final int readFd;
    private final int writeFd;
    private final boolean semaphore;
    private final AtomicLong count;
    private final Bytes bytes;

    PipeFile(int readFd, int writeFd, boolean semaphore, AtomicLong count, Bytes bytes) {
        this.readFd = readFd;
        this.writeFd = writeFd;
        this.semaphore = semaphore;
        this.count = count;
        this.bytes = bytes;
    }

    private PipeFile(int readFd, int writeFd, boolean semaphore, AtomicLong count) {
        this(readFd, writeFd, semaphore, count, new PipeBytes(readFd, writeFd));
    }

    public static PipeFile create(long initialValue, boolean semaphore, boolean closeOnExec) throws IOException {
        int[] p = PipeCalls.create(closeOnExec);
        PipeFile f = new PipeFile(p[0], p[1], semaphore, new AtomicLong(initialValue));
        if (initialValue != 0) {
            try {
                f.bytes.poke(); // not yet shared: nobody can race this first byte
            } catch (IOException e) {
                f.close();
                throw e;
            }
        }
        return f;
    }

    /** A second owner of the same pipe and count (both ends duplicated, close-on-exec). */
    public PipeFile duplicate() throws IOException {
        int r = FdCalls.dupCloexec(readFd);
        int w;
        try {
            w = FdCalls.dupCloexec(writeFd);
        } catch (IOException e) {
            FdCalls.close(r);
            throw e;
        }
        return new PipeFile(r, w, semaphore, count);
    }

    @Override
    public int fd() {
        return readFd;
    }

    @Override
    public boolean semaphore() {
        return semaphore;
    }

    @Override
    public boolean add(long n) throws IOException {
        long c;
        do {
            c = count.get();
            if (Long.compareUnsigned(c, MAX_COUNT - n) > 0) {
                return false; // c + n would pass 2^64-2: nothing added, as eventfd's EAGAIN
            }
        } while (!count.compareAndSet(c, c + n));
        if (c == 0) {
            bytes.poke();
        }
        return true;
    }

    @Override
    public long take() throws IOException {
        bytes.drain(); // before touching the count: see the class comment
        if (!semaphore) {
            return count.getAndSet(0);
        }
        long c;
        do {
            c = count.get();
            if (c == 0) {
                return 0;
            }
        } while (!count.compareAndSet(c, c - 1));
        if (c != 1) {
            bytes.poke(); // more remain: keep the read end readable
        }
        return 1;
    }

    @Override
    public void close() throws IOException {
        try {
            FdCalls.close(readFd);
        } finally {
            FdCalls.close(writeFd);
        }
    }

    @Override
    public String kind() {
        return "pipe";
    }

    /** {@link Bytes} over the real pipe: non-blocking read(2)/write(2) through the thread's scratch word. */
    private record PipeBytes(int readFd, int writeFd) implements Bytes {
        @Override
        public void poke() throws IOException {
            Native.Scratch s = Native.scratch();
            s.word.set(Native.C_LONG, 0, 0L);
            FdCalls.write(writeFd, s.word, 1, s, "write"); // -1 (EAGAIN): full, so readable
        }

        @Override
        public void drain() throws IOException {
            Native.Scratch s = Native.scratch();
            while (FdCalls.read(readFd, s.word, DRAIN_CHUNK, s, "read") == DRAIN_CHUNK) {
                // a full chunk: more may be there; a short read or EAGAIN means empty
            }
        }
    }

    /** The write end, for tests that fill the pipe. */
    int writeFd() {
        return writeFd;
    }

    /** The count as it stands (what a counter-mode take would return now), for tests and diagnostics. */
    public long pending() {
        return count.get();
    }
}
