package dev.wakefd;

import dev.wakefd.internal.EPoll;
import dev.wakefd.internal.Errno;
import dev.wakefd.internal.FdCalls;
import dev.wakefd.internal.Native;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;

/**
 * One platform thread running epoll over any number of signals (and other readable fds),
 * calling a handler with what it consumed. It is how to wait for the first of many signals
 * without a thread each, and it is what parks and unparks virtual threads in
 * {@link WakeSignal#await()} and completes {@link WakeSignal#readAsync()} (a shared instance).
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
 * what the poller made itself (its epoll fd and its wake signal), never a registered fd.
 *
 * <p>Registrations are level-triggered: a signal registered with {@link #register} is consumed
 * before its handler runs, so it never spins; a raw fd registered with {@link #registerFd} must be
 * drained by its handler, or the handler is called again and again.
 */
public final class Poller implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Poller.class.getName());
    private static final AtomicInteger NEXT_NAME = new AtomicInteger();
    private static final int MAX_EVENTS = 256;
    private static final long WAKE_ID = 0;

    /** A thing the poller thread calls when its fd is ready. */
    interface Ready {
        void ready();

        /** The poller closed: release everything, fail what waits. */
        void pollerClosed();
    }

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

    private final int epfd;
    private final EventFd wake;
    private final Thread thread;
    private final AtomicLong ids = new AtomicLong(WAKE_ID + 1);
    private final Map<Long, Ready> byId = new ConcurrentHashMap<>();
    private final Map<EventFd, AsyncWaits> asyncWaits = new ConcurrentHashMap<>();
    private volatile boolean closing;
    private final java.util.concurrent.atomic.AtomicBoolean closeRequested = new java.util.concurrent.atomic.AtomicBoolean();

    private Poller(String name, boolean daemon) throws IOException {
        this.epfd = EPoll.create();
        try {
            this.wake = EventFd.open();
        } catch (IOException e) {
            FdCalls.close(epfd);
            throw e;
        }
        MemorySegment ev = Arena.ofAuto().allocate(EPoll.EVENT_SIZE, 8);
        int err = EPoll.ctl(epfd, EPoll.EPOLL_CTL_ADD, wake.fd(), EPoll.EPOLLIN, WAKE_ID, ev);
        if (err != 0) {
            wake.close();
            FdCalls.close(epfd);
            throw Errno.exception("epoll_ctl(ADD)", err);
        }
        this.thread = Thread.ofPlatform().name(name).daemon(daemon).unstarted(this::run);
        thread.start();
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
     * @throws IOException if a system call fails; the message names the call and errno
     */
    public static Poller open(String threadName) throws IOException {
        return new Poller(threadName, false);
    }

    private static final class Shared {
        static final Poller INSTANCE;

        static {
            try {
                INSTANCE = new Poller("wakefd-poller-shared", true);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException("starting wakefd's shared poller", e);
            }
        }
    }

    /** The daemon poller behind {@link WakeSignal#readAsync()} and virtual-thread waits. */
    static Poller shared() {
        return Shared.INSTANCE;
    }

    /**
     * Calls {@code handler} on the poller thread with what {@link WakeSignal#consume()} returns,
     * each time the signal becomes readable. The registration ends when cancelled, when the signal
     * closes or when the poller closes. A signal can be registered once per poller.
     *
     * @param signal the signal
     * @param handler called with each non-zero consumed count
     * @return the registration; cancel or close it to stop
     * @throws IllegalStateException if the signal is already registered with this poller
     * @throws java.nio.channels.ClosedChannelException if the signal or the poller is closed
     */
    public Registration register(WakeSignal signal, LongConsumer handler) throws IOException {
        java.util.Objects.requireNonNull(handler, "register: handler is null");
        return HandlerRegistration.forSignal(this, signal, handler);
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
     */
    public Registration registerFd(int fd, Runnable onReadable) throws IOException {
        if (fd < 0) {
            throw new IllegalArgumentException("registerFd(" + fd + "): an fd must be >= 0");
        }
        java.util.Objects.requireNonNull(onReadable, "registerFd: handler is null");
        return HandlerRegistration.forFd(this, fd, onReadable);
    }

    /**
     * A future completed on this poller's thread with what was consumed, once the signal is
     * readable; as {@link WakeSignal#readAsync()} but on this poller.
     *
     * @param signal the signal
     * @return a future of what was consumed, completed on this poller's thread
     */
    public CompletableFuture<Long> readAsync(WakeSignal signal) {
        return AsyncWaits.readAsync(this, signal);
    }

    /**
     * Number of fds registered right now (handlers and pending futures).
     *
     * @return the number of fds registered right now
     */
    public int registrations() {
        return byId.size();
    }

    /**
     * The poller thread, e.g. to check that a handler runs on it.
     *
     * @return the poller thread
     */
    public Thread thread() {
        return thread;
    }

    /** {@return true until {@link #close()}} */
    public boolean isOpen() {
        return !closing;
    }

    /**
     * Stops the poller: ends every registration, fails pending futures, closes the epoll fd.
     * Waits for the thread to finish unless called from a handler. Idempotent.
     */
    @Override
    public void close() {
        if (closeRequested.compareAndSet(false, true)) {
            closing = true;
            try {
                wake.signal();
            } catch (java.nio.channels.ClosedChannelException e) {
                // the loop has already shut down (it closes `wake` last)
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "waking poller " + thread.getName() + " to close", e);
            }
        }
        if (Thread.currentThread() != thread) {
            boolean interrupted = false;
            while (true) {
                try {
                    thread.join();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    // ---- used by registrations

    Map<EventFd, AsyncWaits> asyncWaits() {
        return asyncWaits;
    }

    /*
     * epoll_ctl calls from any thread and the final close of the epoll fd are serialised by
     * `ctlLock`: a call made after shutdown sees `epfdClosed` and never reaches the (possibly reused)
     * epoll fd number. add() checks `closing` under the same lock, and shutdown() sweeps `byId` under
     * it, so every registration is either refused or swept: none is left behind holding a lease.
     */
    private final java.util.concurrent.locks.ReentrantLock ctlLock = new java.util.concurrent.locks.ReentrantLock();
    private boolean epfdClosed; // guarded by ctlLock

    /** Adds fd to epoll under a new id; returns the id. The caller holds a lease on fd. */
    long add(int fd, int events, Ready ready) throws IOException {
        ctlLock.lock();
        try {
            if (closing) {
                throw new java.nio.channels.ClosedChannelException();
            }
            long id = ids.getAndIncrement();
            byId.put(id, ready);
            int err = EPoll.ctl(epfd, EPoll.EPOLL_CTL_ADD, fd, events, id, eventScratch());
            if (err != 0) {
                byId.remove(id);
                if (err == Errno.EEXIST) {
                    throw new IllegalStateException("fd " + fd + " is already registered with poller "
                            + thread.getName() + " (one registration per fd per poller)");
                }
                throw Errno.exception("epoll_ctl(ADD)", err);
            }
            return id;
        } finally {
            ctlLock.unlock();
        }
    }

    /** Re-arms a oneshot registration; false if the poller has shut down. */
    boolean rearm(long id, int fd, int events) throws IOException {
        ctlLock.lock();
        try {
            if (epfdClosed) {
                return false;
            }
            int err = EPoll.ctl(epfd, EPoll.EPOLL_CTL_MOD, fd, events, id, eventScratch());
            if (err != 0) {
                throw Errno.exception("epoll_ctl(MOD)", err);
            }
            return true;
        } finally {
            ctlLock.unlock();
        }
    }

    /** Removes fd from epoll. The caller still holds its lease, so fd is the same open file. */
    void remove(long id, int fd) {
        ctlLock.lock();
        try {
            byId.remove(id);
            if (epfdClosed) {
                return;
            }
            int err = EPoll.ctl(epfd, EPoll.EPOLL_CTL_DEL, fd, 0, 0, eventScratch());
            if (err != 0 && err != Errno.ENOENT) {
                LOG.log(System.Logger.Level.WARNING, Errno.describe("epoll_ctl(DEL) fd " + fd, err));
            }
        } finally {
            ctlLock.unlock();
        }
    }

    private static final ThreadLocal<MemorySegment> EVENT_SCRATCH =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(EPoll.EVENT_SIZE, 8));

    private static MemorySegment eventScratch() {
        return EVENT_SCRATCH.get();
    }

    static void logHandlerFailure(String what, Throwable t) {
        LOG.log(System.Logger.Level.WARNING, "wakefd poller: " + what + " threw; the poller goes on", t);
    }

    // ---- the loop

    private void run() {
        MemorySegment events = Arena.ofAuto().allocate(EPoll.EVENT_SIZE * MAX_EVENTS, 8);
        MemorySegment errno = Arena.ofAuto().allocate(Native.captureSize(), 8);
        try {
            while (!closing) {
                int n = EPoll.await(epfd, events, MAX_EVENTS, -1, errno);
                for (int i = 0; i < n; i++) {
                    long id = EPoll.data(events, i);
                    if (id == WAKE_ID) {
                        wake.tryRead();
                        continue;
                    }
                    Ready r = byId.get(id); // null: removed after this batch was harvested
                    if (r != null) {
                        try {
                            r.ready();
                        } catch (Throwable t) {
                            logHandlerFailure("dispatch", t);
                        }
                    }
                }
            }
        } catch (Throwable t) {
            LOG.log(System.Logger.Level.ERROR, "wakefd poller " + thread.getName() + " failed; closing it", t);
            closing = true;
        } finally {
            shutdown();
        }
    }

    private void shutdown() {
        java.util.List<Ready> swept;
        ctlLock.lock();
        try {
            closing = true; // add() refuses from here on
            swept = new java.util.ArrayList<>(byId.values());
        } finally {
            ctlLock.unlock();
        }
        for (Ready r : swept) {
            try {
                r.pollerClosed();
            } catch (Throwable t) {
                logHandlerFailure("shutdown", t);
            }
        }
        ctlLock.lock();
        try {
            byId.clear();
            epfdClosed = true;
            FdCalls.close(epfd);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "closing epoll fd", e);
        } finally {
            ctlLock.unlock();
        }
        wake.close();
    }

    @Override
    public String toString() {
        return "Poller[" + thread.getName() + ", " + byId.size() + " registered, " + (closing ? "closed" : "open") + "]";
    }
}
