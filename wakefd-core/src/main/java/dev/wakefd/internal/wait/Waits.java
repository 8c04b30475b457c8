package dev.wakefd.internal.wait;

import java.io.IOException;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;

/**
 * Where every wait begins and ends: {@link #await} and {@link #readAsync}, for each kind of
 * waiter (docs/design/waits.md has the map).
 *
 * <ul>
 *   <li>Platform threads block in one poll(2) on the signal's fd and a wake fd of their own
 *       ({@link PlatformWaiter}): one system call per wait.</li>
 *   <li>Virtual threads on a counter-mode eventfd enlist on the signal's {@link VirtualWatch},
 *       read, and park; a Java writer unparks them directly, the shared poller does for
 *       writers outside the JVM.</li>
 *   <li>Other virtual-thread waits (semaphore mode, the pipe backend) and futures go through
 *       {@link AsyncWaits} on the shared poller.</li>
 * </ul>
 * Every wait consumes only at the top of its loop, so a wait that throws has consumed nothing.
 */
public final class Waits {
    private Waits() {}

    public static Duration checkTimeout(Duration timeout) {
        Objects.requireNonNull(timeout, "await(timeout): timeout is null");
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("await(" + timeout + "): timeout must not be negative");
        }
        return timeout;
    }

    /** Blocks until something is consumed; returns it. {@code timeout} null: no limit; else 0 when it passes. */
    public static long await(Waitable w, Duration timeout) throws IOException, InterruptedException {
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
        boolean timed = timeout != null;
        long deadline = timed ? System.nanoTime() + saturatedNanos(timeout) : 0;
        Site site = w.site();
        if (!Thread.currentThread().isVirtual()) {
            return awaitPolling(w, site, timed, deadline, true);
        }
        return site.edgeReads() ? awaitWatched(w, site, timed, deadline) : awaitFuture(w, timed, deadline);
    }

    /**
     * As {@link #await}, but a platform thread returns 1 once the signal is readable and consumes
     * nothing (one poll(2), no read): for wakefd-shm, which clears its eventfd before it
     * announces a sleep, so that the read is off the path from the wake to the message
     * (docs/design/shm-ring.md, "Clear before announcing"). A virtual thread waits and consumes
     * as {@link #await} does. 0 when the timeout passed.
     */
    public static long awaitReadable(Waitable w, Duration timeout) throws IOException, InterruptedException {
        if (Thread.currentThread().isVirtual()) {
            return await(w, timeout);
        }
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
        boolean timed = timeout != null;
        long deadline = timed ? System.nanoTime() + saturatedNanos(timeout) : 0;
        return awaitPolling(w, w.site(), timed, deadline, false);
    }

    /** A future of the consumed count, completed on the shared poller thread. */
    public static CompletableFuture<Long> readAsync(Waitable w) {
        Loop loop;
        try {
            loop = SharedLoop.get();
        } catch (IOException e) {
            return AsyncWaits.consumeNowOrFail(w, e); // the next call tries again
        }
        return AsyncWaits.readAsync(loop, w);
    }

    /** A future of the consumed count, completed on {@code loop}'s thread (a user's Poller). */
    public static CompletableFuture<Long> readAsync(Loop loop, Waitable w) {
        return AsyncWaits.readAsync(loop, w);
    }

    /*
     * Wait first, read when ready (as a C poll loop does): a wait that blocks costs poll +
     * read, not a speculative read as well; a count already pending is reported at once.
     */
    private static long awaitPolling(Waitable w, Site site, boolean timed, long deadline, boolean consume)
            throws IOException, InterruptedException {
        PlatformWaiter pw = PlatformWaiter.current(); // IOException (EMFILE...); the next call retries
        for (boolean waited = false; ; waited = true) {
            int millis = -1;
            if (timed) {
                long left = deadline - System.nanoTime();
                millis = left <= 0
                        ? 0
                        : (int) Math.min(Integer.MAX_VALUE, TimeUnit.NANOSECONDS.toMillis(left + 999_999));
            }
            if (!pw.watch(site)) {
                throw waited ? new AsynchronousCloseException() : site.closed();
            }
            int outcome = pw.waitOnce(millis);
            if (outcome == PlatformWaiter.INTERRUPTED) {
                Thread.interrupted(); // InterruptedException clears the status, as in the JDK
                throw new InterruptedException();
            }
            if (!site.isOpen()) {
                throw new AsynchronousCloseException();
            }
            if (outcome == PlatformWaiter.READY) {
                if (!consume) {
                    return 1; // readable; the caller consumes (or clears) it itself
                }
                long v = consumeOrAsyncClose(w, true);
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
     * A virtual thread on a counter-mode eventfd: enlist, read, park. The argument for why no
     * wake is lost is in docs/design/waits.md ("in-JVM wake"). Consumes only at the top of the
     * loop, so an interrupt or close consumes nothing.
     */
    private static long awaitWatched(Waitable w, Site site, boolean timed, long deadline)
            throws IOException, InterruptedException {
        Thread me = Thread.currentThread();
        for (boolean waited = false; ; waited = true) {
            VirtualWatch vw = VirtualWatch.of(site);
            if (vw == null) {
                throw waited ? new AsynchronousCloseException() : site.closed();
            }
            vw.enlist(me); // [W1], fenced before [R1], the read below
            try {
                long v = consumeOrAsyncClose(w, waited); // [R1]
                if (v != 0) {
                    return v;
                }
                if (vw.isDead()) {
                    continue; // its ADD failed or the loop died: the next turn makes a new one
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

    private static long awaitFuture(Waitable w, boolean timed, long deadline) throws IOException, InterruptedException {
        Loop loop = SharedLoop.get();
        for (boolean waited = false; ; waited = true) {
            long left = timed ? deadline - System.nanoTime() : 0;
            if (timed && left <= 0) {
                return consumeOrAsyncClose(w, waited); // a last look, without registering
            }
            // readAsync consumes at once when something is pending, so no separate look first.
            CompletableFuture<Long> f = AsyncWaits.readAsync(loop, w);
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
    private static long consumeOrAsyncClose(Waitable w, boolean waited) throws IOException {
        try {
            return w.consume();
        } catch (ClosedChannelException e) {
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
        } catch (CompletionException e) {
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

    private static long saturatedNanos(Duration d) {
        try {
            return d.toNanos();
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE / 2;
        }
    }
}
