package dev.wakefd;

import java.io.IOException;
import java.nio.channels.AsynchronousCloseException;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;

/**
 * Blocking waits, for each kind of thread.
 *
 * <ul>
 *   <li>Platform threads block in epoll_wait(2) on their own epoll set ({@link PlatformWaiter}):
 *       the lowest latency, one system call per wait.</li>
 *   <li>Virtual threads must not block in a native call (it would pin their carrier), so they
 *       park, and the shared {@link Poller} unparks them: through the signal's standing
 *       {@link VirtualWatch} for counter-mode eventfds, else through a future it completes.</li>
 * </ul>
 * Both consume only at the top of their loop, so a wait that throws has consumed nothing.
 */
final class Waiting {
    private Waiting() {}

    /** A non-blocking consume step: EventFd.tryRead or Waker.drain. */
    interface Consume {
        long consume() throws IOException;
    }

    static Duration checkTimeout(Duration timeout) {
        Objects.requireNonNull(timeout, "await(timeout): timeout is null");
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("await(" + timeout + "): timeout must not be negative");
        }
        return timeout;
    }

    /** @param timeout null for no limit */
    static long await(EventFd base, Consume consume, Duration timeout) throws IOException, InterruptedException {
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
        long deadline = timeout == null ? 0 : System.nanoTime() + saturatedNanos(timeout);
        if (!Thread.currentThread().isVirtual()) {
            return awaitPolling(base, consume, timeout != null, deadline);
        }
        VirtualWatch vw = VirtualWatch.fits(base) ? VirtualWatch.of(base) : null;
        if (vw == null && VirtualWatch.fits(base)) {
            throw base.closed();
        }
        return vw != null
                ? awaitWatched(base, vw, consume, timeout != null, deadline)
                : awaitParked(base, consume, timeout != null, deadline);
    }

    /*
     * Wait first, read when ready (as a C poll loop does): a wait that blocks costs epoll_wait +
     * read, not a speculative read as well; a count already pending is reported at once.
     */
    private static long awaitPolling(EventFd base, Consume consume, boolean timed, long deadline)
            throws IOException, InterruptedException {
        PlatformWaiter w = PlatformWaiter.current();
        for (boolean waited = false; ; waited = true) {
            int millis = -1;
            if (timed) {
                long left = deadline - System.nanoTime();
                millis = left <= 0 ? 0 : (int) Math.min(Integer.MAX_VALUE, TimeUnit.NANOSECONDS.toMillis(left + 999_999));
            }
            if (!w.watch(base)) {
                throw waited ? new AsynchronousCloseException() : base.closed();
            }
            if (w.takeUnconsumedEdge()) {
                // An edge reported to an earlier wait that ended without reading: look now,
                // since epoll will not report it again.
                long v = consumeOrAsyncClose(consume, waited);
                if (v != 0) {
                    return v;
                }
            }
            int outcome = w.waitOnce(millis);
            if (outcome == PlatformWaiter.INTERRUPTED) {
                Thread.interrupted(); // InterruptedException clears the status, as in the JDK
                throw new InterruptedException();
            }
            if (!base.isOpen()) {
                throw new AsynchronousCloseException();
            }
            if (outcome == PlatformWaiter.READY) {
                long v = consumeOrAsyncClose(consume, true);
                if (v != 0) {
                    return v;
                }
                // spurious: another holder consumed it first; wait again
            } else if (outcome == PlatformWaiter.TIMED_OUT && timed && deadline - System.nanoTime() <= 0) {
                return 0;
            }
        }
    }

    /**
     * A virtual thread on a counter-mode eventfd: enlist with the signal's {@link VirtualWatch},
     * read, park until the poller sees an edge. The argument for why no wake is lost is in
     * VirtualWatch. Consumes only at the top of the loop, so an interrupt or close consumes nothing.
     */
    private static long awaitWatched(EventFd base, VirtualWatch vw, Consume consume, boolean timed, long deadline)
            throws IOException, InterruptedException {
        Thread me = Thread.currentThread();
        for (boolean waited = false; ; waited = true) {
            vw.enlist(me);
            try {
                long v = consumeOrAsyncClose(consume, waited);
                if (v != 0) {
                    return v;
                }
                if (vw.isDead() && base.isOpen()) {
                    return awaitParked(base, consume, timed, deadline); // only if the poller died
                }
                if (timed) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        return 0;
                    }
                    LockSupport.parkNanos(vw, left);
                } else {
                    LockSupport.park(vw);
                }
            } finally {
                vw.delist(me);
            }
            if (Thread.interrupted()) {
                throw new InterruptedException(); // status cleared, as the JDK does; nothing consumed
            }
        }
    }

    private static long awaitParked(EventFd base, Consume consume, boolean timed, long deadline)
            throws IOException, InterruptedException {
        WakeSignal signal = signalOf(base, consume);
        for (boolean waited = false; ; waited = true) {
            long left = timed ? deadline - System.nanoTime() : 0;
            if (timed && left <= 0) {
                return consumeOrAsyncClose(consume, waited); // a last look, without registering
            }
            // readAsync consumes at once when something is pending, so no separate look first:
            // one read(2) per wait, not two.
            CompletableFuture<Long> f = Poller.shared().readAsync(signal);
            try {
                return timed ? f.get(left, TimeUnit.NANOSECONDS) : f.get();
            } catch (InterruptedException e) {
                if (f.cancel(false)) {
                    throw e; // interest withdrawn, nothing consumed; get() cleared the status
                }
                long got = join(f); // its count was already taken: deliver it, keep the interrupt
                Thread.currentThread().interrupt();
                return got;
            } catch (TimeoutException e) {
                if (f.cancel(false)) {
                    continue; // the loop re-checks the deadline and returns 0
                }
                return join(f);
            } catch (ExecutionException e) {
                throw unwrap(e);
            }
        }
    }

    /** A close seen after the wait began is an asynchronous close, as in the JDK's channels. */
    private static long consumeOrAsyncClose(Consume consume, boolean waited) throws IOException {
        try {
            return consume.consume();
        } catch (java.nio.channels.ClosedChannelException e) {
            if (waited && !(e instanceof AsynchronousCloseException)) {
                AsynchronousCloseException ace = new AsynchronousCloseException();
                ace.initCause(e);
                throw ace;
            }
            throw e;
        }
    }

    private static long join(CompletableFuture<Long> f) throws IOException {
        try {
            return f.join();
        } catch (java.util.concurrent.CompletionException e) {
            throw unwrap(e);
        }
    }

    private static IOException unwrap(Exception e) {
        Throwable c = e.getCause();
        if (c instanceof IOException io) {
            return io;
        }
        if (c instanceof RuntimeException re) {
            throw re;
        }
        if (c instanceof Error err) {
            throw err;
        }
        return new IOException(c);
    }

    /** Virtual-thread waits go through the signal's own consume (tryRead or drain). */
    private static WakeSignal signalOf(EventFd base, Consume consume) {
        return consume instanceof WakerConsume wc ? wc.waker() : base;
    }

    /** Marks a Waker's consume step so the poller drains the Waker, not its bare eventfd. */
    record WakerConsume(Waker waker) implements Consume {
        @Override
        public long consume() throws IOException {
            return waker.consume();
        }
    }

    static CompletableFuture<Long> readAsync(WakeSignal signal) {
        return Poller.shared().readAsync(signal);
    }

    private static long saturatedNanos(Duration d) {
        try {
            return d.toNanos();
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE / 2;
        }
    }
}
