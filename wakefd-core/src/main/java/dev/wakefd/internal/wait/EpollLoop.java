package dev.wakefd.internal.wait;

import dev.wakefd.internal.EPoll;
import dev.wakefd.internal.Errno;
import dev.wakefd.internal.EventFdCalls;
import dev.wakefd.internal.FdCalls;
import dev.wakefd.internal.Native;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.ClosedChannelException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One platform thread in epoll_wait(2), calling a {@link Ready} for each ready registration: the
 * engine behind the public {@code Poller} and behind wakefd's shared poller ({@link SharedLoop}).
 *
 * <p>Two epoll sets, so that one fd can be watched by different kinds of interest at once (epoll
 * refuses a second ADD of the same fd to one set with EEXIST): the main set holds handler
 * registrations and virtual-thread watches; the futures set, nested in the main set, holds the
 * oneshot entries of {@link AsyncWaits}. A ready futures set is drained with a zero-timeout
 * epoll_wait.
 *
 * <p>Invariant: every epoll_ctl and the final close of the epoll fds are serialised by
 * {@code ctlLock}; a call after shutdown sees {@code closed} and never reaches a (possibly reused)
 * epoll fd number; add() checks {@code closing} under the same lock and shutdown sweeps the
 * registrations under it, so every registration is refused or swept, none keeps a lease.
 */
public final class EpollLoop implements Loop {
    private static final System.Logger LOG = System.getLogger("dev.wakefd.Poller");
    private static final int MAX_EVENTS = 256;
    private static final long WAKE_ID = 0, FUTURES_ID = 1;

    private final int epfd;
    private final int futuresEpfd;
    private final int wakeFd;
    private final Thread thread;
    private final AtomicLong ids = new AtomicLong(FUTURES_ID + 1);
    private final Map<Long, Ready> byId = new ConcurrentHashMap<>();
    private final Map<Site, AsyncWaits> asyncWaits = new ConcurrentHashMap<>();
    private volatile boolean closing;
    private final AtomicBoolean closeRequested = new AtomicBoolean();
    private final ReentrantLock ctlLock = new ReentrantLock();
    private boolean closed; // guarded by ctlLock: the epoll and wake fds are released
    private final MemorySegment ctlEvent = Arena.ofAuto().allocate(EPoll.EVENT_SIZE, 8); // under ctlLock

    private EpollLoop(int epfd, int futuresEpfd, int wakeFd, String name, boolean daemon) {
        this.epfd = epfd;
        this.futuresEpfd = futuresEpfd;
        this.wakeFd = wakeFd;
        this.thread = Thread.ofPlatform().name(name).daemon(daemon).unstarted(this::run);
    }

    /**
     * Makes the epoll sets and the wake fd and starts the thread. Every failure is an IOException
     * naming the call (e.g. {@code epoll_create1: EMFILE (Too many open files)}), with everything
     * made so far closed again, so a later open can succeed.
     */
    public static EpollLoop open(String name, boolean daemon) throws IOException {
        int ep = -1, fut = -1, wake = -1;
        try {
            ep = EPoll.create();
            fut = EPoll.create();
            wake = EventFdCalls.create(0, EventFdCalls.EFD_NONBLOCK | EventFdCalls.EFD_CLOEXEC);
            MemorySegment ev = Arena.ofAuto().allocate(EPoll.EVENT_SIZE, 8);
            int err = EPoll.ctl(ep, EPoll.EPOLL_CTL_ADD, wake, EPoll.EPOLLIN, WAKE_ID, ev);
            if (err == 0) {
                err = EPoll.ctl(ep, EPoll.EPOLL_CTL_ADD, fut, EPoll.EPOLLIN, FUTURES_ID, ev);
            }
            if (err != 0) {
                throw Errno.exception("epoll_ctl(ADD)", err);
            }
            EpollLoop loop = new EpollLoop(ep, fut, wake, name, daemon);
            try {
                loop.thread.start();
            } catch (OutOfMemoryError e) { // "unable to create native thread": the process's limit
                throw new IOException("starting poller thread " + name + ": " + e.getMessage(), e);
            }
            return loop;
        } catch (IOException | RuntimeException e) {
            closeQuietly(wake);
            closeQuietly(fut);
            closeQuietly(ep);
            throw e;
        }
    }

    private static void closeQuietly(int fd) {
        if (fd >= 0) {
            try {
                FdCalls.close(fd);
            } catch (IOException ignored) {
                // our own fd, never handed out: nothing useful to do
            }
        }
    }

    public Thread thread() {
        return thread;
    }

    public boolean isOpen() {
        return !closing;
    }

    /** Registrations right now (handlers, watches and pending futures' entries). */
    public int registrations() {
        return byId.size();
    }

    @Override
    public Map<Site, AsyncWaits> asyncWaits() {
        return asyncWaits;
    }

    /** Adds {@code fd} to the main set under a new id; the caller holds a lease on fd. */
    public long add(int fd, int events, Ready ready) throws IOException {
        return add(epfd, fd, events, ready);
    }

    /** Adds {@code fd} to the futures set (oneshot entries of {@link AsyncWaits}). */
    @Override
    public long addFuture(int fd, int events, Ready ready) throws IOException {
        return add(futuresEpfd, fd, events, ready);
    }

    private long add(int set, int fd, int events, Ready ready) throws IOException {
        ctlLock.lock();
        try {
            if (closing) {
                throw new ClosedChannelException();
            }
            long id = ids.getAndIncrement();
            byId.put(id, ready);
            int err = EPoll.ctl(set, EPoll.EPOLL_CTL_ADD, fd, events, id, ctlEvent);
            if (err != 0) {
                byId.remove(id);
                if (err == Errno.EEXIST) {
                    throw new IllegalStateException("fd " + fd + " is already registered with poller "
                            + thread.getName() + " (one handler per fd per poller)");
                }
                throw Errno.exception("epoll_ctl(ADD)", err);
            }
            return id;
        } finally {
            ctlLock.unlock();
        }
    }

    /** Re-arms a oneshot entry of the futures set; false if the loop has shut down. */
    @Override
    public boolean rearmFuture(long id, int fd, int events) throws IOException {
        return rearm(futuresEpfd, id, fd, events);
    }

    /**
     * Re-arms a oneshot entry of the main set (EPOLL_CTL_MOD, which also reports an fd that is
     * already readable); false if the loop has shut down. The master end of {@link VirtualPoller}.
     */
    boolean rearm(long id, int fd, int events) throws IOException {
        return rearm(epfd, id, fd, events);
    }

    private boolean rearm(int set, long id, int fd, int events) throws IOException {
        ctlLock.lock();
        try {
            if (closed) {
                return false;
            }
            int err = EPoll.ctl(set, EPoll.EPOLL_CTL_MOD, fd, events, id, ctlEvent);
            if (err != 0) {
                throw Errno.exception("epoll_ctl(MOD)", err);
            }
            return true;
        } finally {
            ctlLock.unlock();
        }
    }

    /** Removes fd from the main set; the caller still holds its lease, so fd is the same file. */
    public void remove(long id, int fd) {
        remove(epfd, id, fd);
    }

    @Override
    public void removeFuture(long id, int fd) {
        remove(futuresEpfd, id, fd);
    }

    private void remove(int set, long id, int fd) {
        ctlLock.lock();
        try {
            byId.remove(id);
            if (closed) {
                return;
            }
            int err = EPoll.ctl(set, EPoll.EPOLL_CTL_DEL, fd, 0, 0, ctlEvent);
            if (err != 0 && err != Errno.ENOENT) {
                LOG.log(System.Logger.Level.WARNING, Errno.describe("epoll_ctl(DEL) fd " + fd, err));
            }
        } finally {
            ctlLock.unlock();
        }
    }

    public static void logHandlerFailure(String what, Throwable t) {
        LOG.log(System.Logger.Level.WARNING, "wakefd poller: " + what + " threw; the poller goes on", t);
    }

    /**
     * Stops the loop: ends every registration, fails pending futures, closes the epoll and wake
     * fds. Waits for the thread unless called from it. Idempotent.
     */
    public void close() {
        if (closeRequested.compareAndSet(false, true)) {
            closing = true;
            ctlLock.lock();
            try {
                if (!closed) {
                    FdCalls.write8(wakeFd, 1, "write");
                }
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "waking poller " + thread.getName() + " to close", e);
            } finally {
                ctlLock.unlock();
            }
        }
        LoopThreads.joinUnlessSelf(thread);
    }

    // ---- the loop

    private void run() {
        MemorySegment events = Arena.ofAuto().allocate(EPoll.EVENT_SIZE * MAX_EVENTS, 8);
        MemorySegment futures = Arena.ofAuto().allocate(EPoll.EVENT_SIZE * MAX_EVENTS, 8);
        MemorySegment errno = Arena.ofAuto().allocate(Native.captureSize(), 8);
        try {
            while (!closing) {
                int n = EPoll.await(epfd, events, MAX_EVENTS, -1, errno);
                for (int i = 0; i < n; i++) {
                    long id = EPoll.data(events, i);
                    if (id == WAKE_ID) {
                        FdCalls.read8(wakeFd, "read");
                    } else if (id == FUTURES_ID) {
                        int m = EPoll.await(futuresEpfd, futures, MAX_EVENTS, 0, errno);
                        for (int j = 0; j < m; j++) {
                            dispatch(EPoll.data(futures, j));
                        }
                    } else {
                        dispatch(id);
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

    private void dispatch(long id) {
        Ready r = byId.get(id); // null: removed after this batch was harvested
        if (r != null) {
            LoopThreads.dispatch(r);
        }
    }

    private void shutdown() {
        LoopThreads.sweep(ctlLock, () -> closing = true, byId.values()); // add() refuses from here on
        ctlLock.lock();
        try {
            byId.clear();
            closed = true;
            closeQuietly(futuresEpfd);
            closeQuietly(epfd);
            closeQuietly(wakeFd);
        } finally {
            ctlLock.unlock();
        }
    }

    @Override
    public String toString() {
        return "Poller[" + thread.getName() + ", " + byId.size() + " registered, " + (closing ? "closed" : "open")
                + "]";
    }
}
