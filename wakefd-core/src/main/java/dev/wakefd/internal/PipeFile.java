package dev.wakefd.internal;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@link SignalFile} over a non-blocking pipe pair, for systems without eventfd (and on Linux
 * with {@code -Dwakefd.backend=pipe} or {@code -Dwakefd.platform=posix}). The read end is {@link #fd()}: waiters poll it as they
 * would an eventfd. A pipe carries bytes, not a 64-bit counter, so the count lives here, in an
 * AtomicLong shared with every {@link #duplicate()}; a byte in the pipe only says "look".
 *
 * <h2>Protocol</h2>
 * <ul>
 *   <li>{@code add(n)}: CAS the count from c to c+n (refused past 2^64-2, as eventfd refuses);
 *       the adder whose CAS moved it from 0 then writes one byte.</li>
 *   <li>{@code take()}: first drain every byte from the pipe, then take from the count: counter
 *       mode swaps it to 0; semaphore mode CASes c to c-1 and, if c-1 is still non-zero, writes
 *       one byte back.</li>
 * </ul>
 *
 * <b>Why no wake is lost</b> (once calls have returned, a non-zero count means a byte is in the
 * pipe, so a poller of {@code fd()} wakes). Take the last read of the pipe, a drain by some take
 * T. After its drain, T either saw the count at 0 (it swapped it to 0, or found it 0) or left it
 * non-zero and wrote a byte. In the second case that byte came after the last read, so it is
 * still there. In the first, a count that is non-zero now was moved from 0 later, and only an
 * add does that; that add wrote its byte after its CAS, so after the last read: still there. A
 * write refused with EAGAIN found the pipe full, hence readable, which is all the byte was for:
 * a full pipe coalesces. The order matters: taking the count before draining would let an add
 * land between the two, whose byte the drain would then swallow with its count left behind.
 *
 * <p><b>Why nothing is counted twice.</b> Units live only in the AtomicLong, and every unit
 * leaves it through exactly one successful CAS or swap. The bytes carry no count: a byte whose
 * count another take got first makes a later take return 0, a spurious wake-up that every waiter
 * in wakefd already tolerates (as with a shared eventfd that another holder read).
 *
 * <p>Unlike an eventfd, the count is not in the kernel: another process (or native code) given
 * this fd cannot see or change it, so the pipe backend cannot be adopted or passed to a peer.
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
