package dev.wakefd;

import dev.wakefd.internal.wait.Waits;
import java.io.IOException;
import java.nio.channels.AsynchronousCloseException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * What every wakefd signal offers its waiting side, whichever runtime waits: an fd to register
 * with any loop, a non-blocking {@link #consume()}, and the three ways Java code sleeps until a
 * signal arrives. The two kinds are {@link EventFd} (counts every signal) and {@link Waker}
 * (coalesces wakes in user space). {@link Poller} and the integration modules accept either.
 *
 * <pre>{@code
 * WakeSignal s = Waker.open();                       // or EventFd.open()
 * Thread.ofVirtual().start(() -> {
 *     try {
 *         long n = s.await();                        // parks; never pins its carrier
 *         System.out.println("woken: " + n);
 *     } catch (IOException | InterruptedException e) {
 *         System.err.println("no wake: " + e);
 *     }
 * });
 * s.readAsync().thenAccept(n -> System.out.println("woken: " + n));   // or a future
 * }</pre>
 */
public sealed interface WakeSignal extends AutoCloseable permits EventFd, Waker {

    /** {@return the fd, readable while something is pending; owned by this signal} */
    int fd();

    /**
     * Consumes what is pending without blocking and returns it: an EventFd's count (as
     * {@link EventFd#tryRead()}), or 1 for a Waker that had a wake pending (as
     * {@link Waker#drain()}). Returns 0 when nothing was pending.
     *
     * @return what was consumed, or 0 if nothing was pending
     * @throws IOException if a system call fails; the message names the call and errno
     */
    long consume() throws IOException;

    /**
     * Blocks until something is pending, consumes it and returns it (never 0): an EventFd's count
     * (1 in semaphore mode), or 1 for a Waker, whose wake it drains. Platform threads block in
     * poll(2); virtual threads park, so they never pin their carrier: a Java
     * {@code signal()} unparks them directly, and wakefd's poller does for writers outside the JVM
     * (docs/design/waits.md). Readiness that another holder of the fd consumed first is absorbed:
     * the wait goes on.
     *
     * @return what was consumed, never 0
     * @throws InterruptedException if the thread is interrupted before or while waiting; nothing
     *     is consumed and the interrupt status is cleared, as the JDK does
     * @throws AsynchronousCloseException if the signal is closed while waiting
     * @throws java.nio.channels.ClosedChannelException if it was closed before
     */
    default long await() throws IOException, InterruptedException {
        return Waits.await(EventFd.waitable(this), null); // where every wait begins
    }

    /**
     * As {@link #await()}, giving up after {@code timeout}: returns 0 if nothing arrived in time.
     *
     * @param timeout how long to wait at most
     * @return what was consumed, or 0 if nothing arrived in time
     * @throws NullPointerException if timeout is null
     * @throws IllegalArgumentException if timeout is negative
     * @throws IOException if a system call fails; the message names the call and errno
     * @throws InterruptedException if the thread is interrupted while waiting
     */
    default long await(Duration timeout) throws IOException, InterruptedException {
        return Waits.await(EventFd.waitable(this), Waits.checkTimeout(timeout));
    }

    /**
     * A future completed, on wakefd's shared poller thread, with what was consumed once
     * something is pending (at once if something already is). Cancelling it withdraws the
     * interest and consumes nothing. Closing the signal fails it with
     * {@link AsynchronousCloseException}. Dependent stages added with {@code thenApply} and the
     * like run on the poller thread: keep them short, or use the {@code ...Async} variants. If
     * the future is completed by someone else first (for example by {@code orTimeout}), a count
     * the poller had already read for it is given back to the signal, never dropped.
     *
     * @return a future of what was consumed, completed on wakefd's shared poller thread
     */
    default CompletableFuture<Long> readAsync() {
        return Waits.readAsync(EventFd.waitable(this));
    }

    /** {@return true until {@link #close()}} */
    boolean isOpen();

    /** Closes the fd (idempotent) and wakes every waiter with an exception. */
    @Override
    void close();
}
