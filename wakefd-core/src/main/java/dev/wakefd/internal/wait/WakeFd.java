package dev.wakefd.internal.wait;

import dev.wakefd.internal.EventFdCalls;
import dev.wakefd.internal.FdCalls;
import dev.wakefd.internal.Native;
import dev.wakefd.internal.PipeCalls;
import dev.wakefd.internal.Platform;
import java.io.IOException;

/**
 * A private fd that a waiting thread (a poller, a platform waiter) polls beside what it waits
 * for, so that another thread can end its wait: an eventfd on Linux, a non-blocking pipe pair in
 * POSIX-only mode (mio's sys/unix/waker has the same two). {@link #wake()} makes {@link #fd()}
 * readable until {@link #drain()}; a wake is never lost, extra ones coalesce.
 */
interface WakeFd {
    /** The fd to poll for readability. */
    int fd();

    /** Makes {@link #fd()} readable; callable from any thread until {@link #close()}. */
    void wake() throws IOException;

    /** Consumes every wake so far; only by the waiting thread. */
    void drain() throws IOException;

    /** Closes the fd(s); once, after the last wake() and drain(). */
    void close();

    /** This platform's kind, made non-blocking and close-on-exec; IOException naming the call on failure. */
    static WakeFd open() throws IOException {
        return Platform.posixOnly()
                ? PipeWake.open()
                : new EventFdWake(EventFdCalls.create(0, EventFdCalls.EFD_NONBLOCK | EventFdCalls.EFD_CLOEXEC));
    }

    /** An eventfd: one fd, a write adds 1, a read takes the count. */
    record EventFdWake(int fd) implements WakeFd {
        @Override
        public void wake() throws IOException {
            FdCalls.write8(fd, 1, "write"); // WOULD_BLOCK only at 2^64-2 pending: readable anyway
        }

        @Override
        public void drain() throws IOException {
            FdCalls.read8(fd, "read");
        }

        @Override
        public void close() {
            closeQuietly(fd);
        }
    }

    /** A pipe pair: a wake writes one byte (a full pipe is readable already), drain reads them all. */
    record PipeWake(int fd, int writeFd) implements WakeFd {
        static PipeWake open() throws IOException {
            int[] p = PipeCalls.create(true);
            return new PipeWake(p[0], p[1]);
        }

        @Override
        public void wake() throws IOException {
            Native.Scratch s = Native.scratch();
            FdCalls.write(writeFd, s.word, 1, s, "write"); // -1 (EAGAIN): full, so readable
        }

        @Override
        public void drain() throws IOException {
            Native.Scratch s = Native.scratch();
            while (FdCalls.read(fd, s.word, 8, s, "read") == 8) {
                // a full chunk: more may be there; a short read or EAGAIN means empty
            }
        }

        @Override
        public void close() {
            closeQuietly(fd);
            closeQuietly(writeFd);
        }
    }

    private static void closeQuietly(int fd) {
        try {
            FdCalls.close(fd);
        } catch (IOException ignored) {
            // a private fd, never handed out: nothing useful to do
        }
    }
}
