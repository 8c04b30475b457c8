package dev.wakefd;

import dev.wakefd.internal.wait.HandlerRegistration;
import dev.wakefd.internal.wait.Loop;
import dev.wakefd.internal.wait.Waits;
import java.io.IOException;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongConsumer;

/**
 * One platform thread running epoll over any number of signals (and other readable fds),
 * calling a handler with what it consumed. It is how to wait for the first of many signals
 * without a thread each.
 *
 * <pre>{@code
 * try (Poller poller = Poller.open();
 *      EventFd jobs = EventFd.open();
 *      Waker stop = Waker.open()) {
 *     poller.register(jobs, n -> System.out.println(n + " jobs"));  // runs on the poller thread
 *     poller.register(stop, n -> System.out.println("stop"));
 *     jobs.signal(3);
 * }
 * }</pre>
 *
 * <p>A handler that throws is logged ({@link System.Logger}, WARNING) and the poller goes on.
 * Handlers run one at a time on the poller thread, so a slow handler delays the others.
 * {@link #close()} stops the thread, cancels every registration, fails every pending future of
 * {@link #readAsync} with {@link java.nio.channels.AsynchronousCloseException} and closes only
 * what the poller made itself (its epoll fds and its wake fd), never a registered fd.
 *
 * <p>Registrations are level-triggered: a signal registered with {@link #register} is consumed
 * before its handler runs, so it never spins; a raw fd registered with {@link #registerFd} must be
 * drained by its handler, or the handler is called again and again. A signal may have one
 * handler per poller, and at the same time any number of futures ({@link #readAsync}) and
 * waiting threads: each interest consumes what it is given, so nothing is counted twice.
 * The loop itself lives in {@code dev.wakefd.internal.wait} (docs/design/waits.md).
 */
public final class Poller implements AutoCloseable {
    private static final AtomicInteger NEXT_NAME = new AtomicInteger();

    /** A handler registration; {@link #cancel()} it to stop calls. */
    public interface Registration extends AutoCloseable {
        /**
         * Stops calls to the handler and removes the fd from the poller. When this returns, no
         * handler call is running or will start (unless called from the handler itself). Idempotent.
         */
        void cancel();

        /** {@return true until the registration is cancelled or its signal or the poller closes} */
        boolean isActive();

        /** Same as {@link #cancel()}. */
        @Override
        default void close() {
            cancel();
        }
    }

    private final Loop loop;

    private Poller(Loop loop) {
        this.loop = loop;
    }

    /**
     * Starts a poller on a new platform thread named {@code wakefd-poller-N}.
     *
     * @return the running poller
     * @throws IOException if a system call fails; the message names the call and errno
     */
    public static Poller open() throws IOException {
        return open("wakefd-poller-" + NEXT_NAME.incrementAndGet());
    }

    /**
     * Starts a poller on a new (non-daemon) platform thread with the given name.
     *
     * @param threadName the thread name
     * @return the running poller
     * @throws IOException naming the call and errno if the kernel refuses an fd, e.g.
     *     {@code epoll_create1: EMFILE (Too many open files)}
     */
    public static Poller open(String threadName) throws IOException {
        return open(threadName, false);
    }

    /**
     * Starts a poller on a new platform thread with the given name; a daemon thread does not keep
     * the JVM from exiting (for a poller that serves objects a program may forget to close).
     *
     * @param threadName the thread name
     * @param daemon whether the thread is a daemon thread
     * @return the running poller
     * @throws IOException naming the call and errno if the kernel refuses an fd
     */
    public static Poller open(String threadName, boolean daemon) throws IOException {
        Objects.requireNonNull(threadName, "open(threadName, daemon): threadName is null");
        return new Poller(Loop.open(threadName, daemon));
    }

    /**
     * Calls {@code handler} on the poller thread with what {@link WakeSignal#consume()} returns,
     * each time the signal becomes readable. The registration ends when cancelled, when the signal
     * closes or when the poller closes. A signal can have one handler per poller.
     *
     * @param signal the signal
     * @param handler called with each non-zero consumed count
     * @return the registration; cancel or close it to stop
     * @throws NullPointerException naming the argument if {@code signal} or {@code handler} is null
     * @throws IllegalStateException if the signal already has a handler on this poller
     * @throws java.nio.channels.ClosedChannelException if the signal or the poller is closed
     */
    public Registration register(WakeSignal signal, LongConsumer handler) throws IOException {
        Objects.requireNonNull(signal, "register(signal, handler): signal is null");
        Objects.requireNonNull(handler, "register(signal, handler): handler is null");
        return new Handle(HandlerRegistration.forSignal(loop, EventFd.waitable(signal), handler));
    }

    /**
     * Calls {@code onReadable} on the poller thread while {@code fd} is readable (level-triggered:
     * the handler must drain it). The poller never closes {@code fd}; cancel the registration
     * before you close it.
     *
     * @param fd the file descriptor
     * @param onReadable the on readable
     * @return the registration; cancel or close it to stop
     * @throws IllegalArgumentException if fd is negative
     * @throws IOException if a system call fails; the message names the call and errno
     * @throws NullPointerException naming the argument if {@code onReadable} is null
     */
    public Registration registerFd(int fd, Runnable onReadable) throws IOException {
        if (fd < 0) {
            throw new IllegalArgumentException("registerFd(" + fd + "): an fd must be >= 0");
        }
        Objects.requireNonNull(onReadable, "registerFd(fd, onReadable): onReadable is null");
        return new Handle(HandlerRegistration.forFd(loop, fd, onReadable));
    }

    /**
     * A future completed on this poller's thread with what was consumed, once the signal is
     * readable; as {@link WakeSignal#readAsync()} but on this poller.
     *
     * @param signal the signal
     * @return a future of what was consumed, completed on this poller's thread
     * @throws NullPointerException naming the argument if {@code signal} is null
     */
    public CompletableFuture<Long> readAsync(WakeSignal signal) {
        Objects.requireNonNull(signal, "readAsync(signal): signal is null");
        return Waits.readAsync(loop, EventFd.waitable(signal));
    }

    /**
     * Number of fds registered right now (handlers and pending futures).
     *
     * @return the number of fds registered right now
     */
    public int registrations() {
        return loop.registrations();
    }

    /**
     * The poller thread, e.g. to check that a handler runs on it.
     *
     * @return the poller thread
     */
    public Thread thread() {
        return loop.thread();
    }

    /** {@return true until {@link #close()}} */
    public boolean isOpen() {
        return loop.isOpen();
    }

    /**
     * Stops the poller: ends every registration, fails pending futures, closes the epoll fd.
     * Waits for the thread to finish unless called from a handler. Idempotent.
     */
    @Override
    public void close() {
        loop.close();
    }

    @Override
    public String toString() {
        return loop.toString();
    }

    /** The public face of a handler registration. */
    private record Handle(HandlerRegistration r) implements Registration {
        @Override
        public void cancel() {
            r.cancel();
        }

        @Override
        public boolean isActive() {
            return r.isActive();
        }

        @Override
        public String toString() {
            return r.toString();
        }
    }
}
