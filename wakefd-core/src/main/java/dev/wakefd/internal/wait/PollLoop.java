package dev.wakefd.internal.wait;

import dev.wakefd.internal.EPoll;
import dev.wakefd.internal.FdCalls;
import dev.wakefd.internal.Native;
import dev.wakefd.internal.Poll;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The portable {@link Loop}: one platform thread in poll(2) over an array it rebuilds when the
 * registrations change, for POSIX-only mode (macOS, the BSDs, and Linux with
 * {@code -Dwakefd.platform=posix}). Level-triggered entries are reported while readable, oneshot
 * ones (futures) are disarmed when they fire until re-armed; edge triggering is epoll's alone.
 *
 * <p>Invariant (docs/design/posix-waits.md, "The poll loop"): the loop polls only fds it owns. Each
 * registration is a duplicate (F_DUPFD_CLOEXEC) of the caller's fd, made while the caller's lease
 * holds it, and closed only by the loop thread after it has rebuilt its array without it (or at
 * shutdown, when no poll runs). So no poll ever names a number that another owner has closed and
 * the kernel may have reused, and removing never waits for the loop thread (which may be calling
 * the remover's handler under the remover's lock). Every change sets {@code dirty} under
 * {@code lock} and then wakes the loop, which reads {@code dirty} before each poll: a change made
 * while it polls is seen at the latest after the wake it causes.
 */
public final class PollLoop implements Loop {
    private final WakeFd wake;
    private final Thread thread;
    private final AtomicLong ids = new AtomicLong(1);
    private final Map<Long, Entry> byId = new ConcurrentHashMap<>();
    private final Map<Site, AsyncWaits> asyncWaits = new ConcurrentHashMap<>();
    private final AtomicBoolean closeRequested = new AtomicBoolean();
    private final ReentrantLock lock = new ReentrantLock();
    private volatile boolean closing;
    private volatile boolean dirty = true;
    private boolean closed; // under lock: the dups and the wake fd are closed
    /** fd number to id of its main (non-future) entry: one per fd, as epoll's EEXIST says; under lock. */
    private final Map<Integer, Long> mainFds = new java.util.HashMap<>();
    /** Removed entries whose dups the loop closes after its next rebuild; under lock. */
    private final List<Entry> removed = new ArrayList<>();
    /** Duplicates made and not yet closed; for tests (each must be closed exactly once). */
    private final java.util.concurrent.atomic.AtomicInteger duplicates =
            new java.util.concurrent.atomic.AtomicInteger();

    private static final class Entry {
        final long id;
        final int fd; // the caller's number, for the one-per-fd rule
        final boolean future;
        final int dup;
        final boolean oneshot;
        final Ready ready;
        volatile boolean armed = true;

        Entry(long id, int fd, boolean future, int dup, boolean oneshot, Ready ready) {
            this.id = id;
            this.fd = fd;
            this.future = future;
            this.dup = dup;
            this.oneshot = oneshot;
            this.ready = ready;
        }
    }

    private PollLoop(WakeFd wake, String name, boolean daemon) {
        this.wake = wake;
        this.thread = Thread.ofPlatform().name(name).daemon(daemon).unstarted(this::run);
    }

    /** Makes the wake pipe and starts the thread; on failure everything made so far is closed again. */
    static PollLoop open(String name, boolean daemon) throws IOException {
        WakeFd wake = WakeFd.open();
        PollLoop loop = new PollLoop(wake, name, daemon);
        try {
            loop.thread.start();
        } catch (OutOfMemoryError e) { // "unable to create native thread": the process's limit
            wake.close();
            throw new IOException("starting poller thread " + name + ": " + e.getMessage(), e);
        }
        return loop;
    }

    @Override
    public long add(int fd, int events, Ready ready) throws IOException {
        return add(fd, events, ready, false);
    }

    private long add(int fd, int events, Ready ready, boolean future) throws IOException {
        if ((events & EPoll.EPOLLET) != 0) {
            throw new IllegalArgumentException("poll loop " + thread.getName()
                    + ": edge-triggered interest (EPOLLET) needs epoll, which POSIX-only mode does not use");
        }
        long id;
        lock.lock();
        try {
            if (closing) {
                throw new ClosedChannelException();
            }
            if (!future && mainFds.containsKey(fd)) {
                throw new IllegalStateException("fd " + fd + " is already registered with poller " + thread.getName()
                        + " (one handler per fd per poller)");
            }
            // Our own description reference, while the caller's lease holds fd: see the class comment.
            int dup = FdCalls.dupCloexec(fd);
            duplicates.incrementAndGet();
            id = ids.getAndIncrement();
            byId.put(id, new Entry(id, fd, future, dup, (events & EPoll.EPOLLONESHOT) != 0, ready));
            if (!future) {
                mainFds.put(fd, id);
            }
            dirty = true;
        } finally {
            lock.unlock();
        }
        wakeLoop();
        return id;
    }

    @Override
    public long addFuture(int fd, int events, Ready ready) throws IOException {
        return add(fd, events, ready, true);
    }

    @Override
    public boolean rearmFuture(long id, int fd, int events) throws IOException {
        lock.lock();
        try {
            Entry e = byId.get(id);
            if (closed || e == null) {
                return false;
            }
            e.armed = true;
            dirty = true;
        } finally {
            lock.unlock();
        }
        wakeLoop();
        return true;
    }

    @Override
    public void remove(long id, int fd) {
        lock.lock();
        try {
            Entry e = byId.remove(id);
            if (e == null) {
                return;
            }
            if (!e.future) {
                mainFds.remove(e.fd, id);
            }
            if (closed) {
                closeDup(e); // no poll runs any more
                return;
            }
            removed.add(e);
            dirty = true;
        } finally {
            lock.unlock();
        }
        wakeLoop();
    }

    @Override
    public void removeFuture(long id, int fd) {
        remove(id, fd);
    }

    /** Ends a poll in progress so that the loop sees a change; not needed from the loop thread itself. */
    private void wakeLoop() {
        if (Thread.currentThread() == thread) {
            return; // it reads dirty before its next poll
        }
        lock.lock();
        try {
            if (!closed) {
                wake.wake();
            }
        } catch (IOException e) {
            EpollLoop.logHandlerFailure("waking poll loop " + thread.getName(), e);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Map<Site, AsyncWaits> asyncWaits() {
        return asyncWaits;
    }

    @Override
    public Thread thread() {
        return thread;
    }

    @Override
    public boolean isOpen() {
        return !closing;
    }

    @Override
    public int registrations() {
        return byId.size();
    }

    @Override
    public void close() {
        if (closeRequested.compareAndSet(false, true)) {
            closing = true;
            wakeLoop(); // the loop reads closing before its next poll
        }
        LoopThreads.joinUnlessSelf(thread);
    }

    // ---- the loop

    private void run() {
        int capacity = 64;
        MemorySegment fds = Arena.ofAuto().allocate(Poll.POLLFD_SIZE * capacity, 8);
        Entry[] polled = new Entry[capacity];
        int count = 0;
        MemorySegment errno = Arena.ofAuto().allocate(Native.captureSize(), 8);
        try {
            while (!closing) {
                if (dirty) {
                    List<Entry> armed = new ArrayList<>();
                    List<Entry> toClose;
                    lock.lock();
                    try {
                        dirty = false; // before the snapshot: a later change sets it again
                        for (Entry e : byId.values()) {
                            if (e.armed) {
                                armed.add(e);
                            }
                        }
                        toClose = new ArrayList<>(removed);
                        removed.clear();
                    } finally {
                        lock.unlock();
                    }
                    count = armed.size() + 1;
                    if (count > capacity) {
                        capacity = Math.max(count, capacity * 2);
                        fds = Arena.ofAuto().allocate(Poll.POLLFD_SIZE * capacity, 8);
                        polled = new Entry[capacity];
                    }
                    java.util.Arrays.fill(polled, null);
                    Poll.set(fds, 0, wake.fd(), Poll.POLLIN);
                    for (int i = 1; i < count; i++) {
                        Entry e = armed.get(i - 1);
                        polled[i] = e;
                        Poll.set(fds, i, e.dup, Poll.POLLIN);
                    }
                    for (Entry e : toClose) {
                        closeDup(e); // the array no longer names it, and no poll runs
                    }
                }
                int n = Poll.poll(fds, count, -1, errno);
                if (n <= 0) {
                    continue; // EINTR
                }
                if (Poll.revents(fds, 0) != 0) {
                    wake.drain();
                }
                for (int i = 1; i < count; i++) {
                    if (Poll.revents(fds, i) == 0) {
                        continue;
                    }
                    Entry e = polled[i];
                    if (byId.get(e.id) != e || !e.armed) {
                        continue; // removed or disarmed since the snapshot
                    }
                    if (e.oneshot) {
                        e.armed = false; // until rearmFuture, which sets dirty
                        dirty = true;
                    }
                    LoopThreads.dispatch(e.ready);
                }
            }
        } catch (Throwable t) {
            System.getLogger("dev.wakefd.Poller")
                    .log(System.Logger.Level.ERROR, "wakefd poller " + thread.getName() + " failed; closing it", t);
            closing = true;
        } finally {
            shutdown();
        }
    }

    private void shutdown() {
        List<Ready> swept = new ArrayList<>();
        lock.lock();
        try {
            closing = true; // add() refuses from here on
            byId.values().forEach(e -> swept.add(e.ready));
        } finally {
            lock.unlock();
        }
        LoopThreads.pollerClosed(swept);
        lock.lock();
        try {
            closed = true;
            for (Entry e : byId.values()) {
                closeDup(e);
            }
            byId.clear();
            mainFds.clear();
            for (Entry e : removed) {
                closeDup(e);
            }
            removed.clear();
            wake.close();
        } finally {
            lock.unlock();
        }
    }

    private void closeDup(Entry e) {
        duplicates.decrementAndGet();
        try {
            FdCalls.close(e.dup);
        } catch (IOException ignored) {
            // our own duplicate, closed once: nothing useful to do
        }
    }

    /** Duplicates not yet closed (registered, or removed and awaiting the next rebuild); for tests. */
    int openDuplicates() {
        return duplicates.get();
    }

    @Override
    public String toString() {
        return "Poller[" + thread.getName() + ", " + byId.size() + " registered, " + (closing ? "closed" : "open")
                + ", poll(2)]";
    }
}
