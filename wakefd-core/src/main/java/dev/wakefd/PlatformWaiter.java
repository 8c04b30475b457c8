package dev.wakefd;

import dev.wakefd.internal.EventFdCalls;
import dev.wakefd.internal.FdCalls;
import dev.wakefd.internal.Native;
import dev.wakefd.internal.Poll;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.ref.Cleaner;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.spi.AbstractInterruptibleChannel;

/**
 * How a platform thread blocks on one fd: poll(2) on that fd and on the thread's own private
 * eventfd, the "wake fd". Anything that must end the wait early writes the wake fd:
 * {@link EventFd#close()} (through the close listener {@link #wakeUp}) and
 * {@link Thread#interrupt()} (through {@link Interruptor}, the JDK's public hook for interrupting
 * blocking I/O).
 *
 * <p>Why a close or interrupt is never missed: the listener or interruptor is installed before
 * poll(2) and both check for an event that already happened (closed flag, interrupt status) as
 * they install, writing the wake fd at once if so. The wake fd stays readable until this thread
 * drains it, so poll returns whether the write came before or during the call. A stale wake (one
 * that arrives after the wait ended) only makes a later poll return early; the caller loops.
 *
 * <p>One per platform thread (a ThreadLocal). The wake fd is closed by a Cleaner when the thread's
 * waiter becomes unreachable; any thread that may still write it holds a reference to the waiter,
 * so it cannot be closed under that write.
 */
final class PlatformWaiter {
    private static final ThreadLocal<PlatformWaiter> CURRENT = ThreadLocal.withInitial(PlatformWaiter::create);
    private static final Cleaner CLEANER = Cleaner.create();

    /** Results of {@link #pollOnce}. */
    static final int READY = 1, TIMED_OUT = 0, WOKEN = 2, INTERRUPTED = 3;

    private final int wakeFd;
    private final MemorySegment pollfds;
    private final MemorySegment errno;
    private Interruptor interruptor = new Interruptor(this);
    /** The close listener registered with the EventFd being waited on. */
    final Runnable wakeUp = this::wakeUp;

    private PlatformWaiter(int wakeFd) {
        this.wakeFd = wakeFd;
        MemorySegment all = Arena.ofAuto().allocate(2 * Poll.POLLFD_SIZE + 8 + Native.captureSize(), 8);
        this.pollfds = all.asSlice(0, 2 * Poll.POLLFD_SIZE);
        this.errno = all.asSlice(2 * Poll.POLLFD_SIZE + 8, Native.captureSize());
    }

    private static PlatformWaiter create() {
        try {
            int fd = EventFdCalls.create(0, EventFdCalls.EFD_NONBLOCK | EventFdCalls.EFD_CLOEXEC);
            PlatformWaiter w = new PlatformWaiter(fd);
            CLEANER.register(w, () -> {
                try {
                    FdCalls.close(fd);
                } catch (IOException ignored) {
                    // nothing useful to do on a dying thread's private fd
                }
            });
            return w;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("creating a platform thread's wake fd", e);
        }
    }

    static PlatformWaiter current() {
        return CURRENT.get();
    }

    /** Ends this thread's current or next poll early. Any thread; never blocks. */
    void wakeUp() {
        try {
            FdCalls.write8(wakeFd, 1, "write");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /**
     * One poll(2) on {@code fd} and the wake fd. The caller holds a lease on {@code fd}.
     *
     * @param timeoutMillis -1 for no limit
     */
    int pollOnce(int fd, int timeoutMillis) throws IOException {
        Poll.set(pollfds, 0, fd, Poll.POLLIN);
        Poll.set(pollfds, 1, wakeFd, Poll.POLLIN);
        Interruptor in = interruptor;
        in.enter();
        int n;
        boolean interrupted;
        try {
            n = Poll.poll(pollfds, 2, timeoutMillis, errno);
        } finally {
            interrupted = in.exit();
        }
        if ((Poll.revents(pollfds, 1) & Poll.POLLIN) != 0) {
            FdCalls.read8(wakeFd, "read");
        }
        if (interrupted) {
            interruptor = new Interruptor(this); // an interrupted channel stays closed
            return INTERRUPTED;
        }
        if (n > 0 && (Poll.revents(pollfds, 0) & (Poll.POLLIN | Poll.POLLERR | Poll.POLLHUP)) != 0) {
            return READY;
        }
        return n == 0 ? TIMED_OUT : WOKEN;
    }

    /** The JDK's public hook for interrupting a thread blocked in I/O: begin()/end(). */
    private static final class Interruptor extends AbstractInterruptibleChannel {
        private final PlatformWaiter waiter;

        Interruptor(PlatformWaiter waiter) {
            this.waiter = waiter;
        }

        void enter() {
            begin(); // if the thread is already interrupted, this closes us at once (wakeUp)
        }

        /** True if the thread was interrupted while (or before) blocking. */
        boolean exit() {
            try {
                end(true);
                return false;
            } catch (ClosedByInterruptException e) {
                return true;
            } catch (AsynchronousCloseException e) {
                throw new AssertionError("only an interrupt closes an Interruptor", e);
            }
        }

        @Override
        protected void implCloseChannel() {
            waiter.wakeUp();
        }
    }
}
