package dev.wakefd.internal.wait;

import dev.wakefd.internal.EPoll;
import dev.wakefd.internal.Errno;
import dev.wakefd.internal.FdCalls;
import dev.wakefd.internal.Native;
import dev.wakefd.internal.Poll;
import dev.wakefd.internal.VarHandles;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.ref.Cleaner;
import java.lang.ref.WeakReference;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.spi.AbstractInterruptibleChannel;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * How a platform thread blocks: poll(2) on the signal's fd and the thread's private wake fd (an
 * eventfd, or a pipe in POSIX-only mode), one system call per wait. A {@link Watch} is the
 * thread's standing lease on, and close listener of, the signal it last waited on. (The epoll-set
 * path below is no longer taken: no waiter makes an epoll set since it measured slower.) {@link Thread#interrupt()}
 * (through {@link Interruptor}) and the signal's close write the wake fd.
 *
 * <p>In POSIX-only mode there is no epoll set: the thread poll(2)s the signal's fd and its wake
 * fd (a pipe, {@link WakeFd}) directly, level-triggered, holding a lease of its own on the
 * signal's fd for the length of each poll, so a close (whose listener returns the Watch's lease
 * and then wakes the thread) cannot release the number while the thread still polls it
 * (docs/design/posix-waits.md, "A platform thread").
 *
 * <p>Invariants (docs/design/waits.md, "platform threads"):
 * <ul>
 *   <li>A live Watch holds a lease on the signal's fd; epoll_ctl on that number happens only under
 *       it. The Watch dies once (CAS): moving to another signal, the signal's close, or the
 *       thread's end; the killer deregisters (if the epoll set still exists), then returns the
 *       lease.</li>
 *   <li>The thread's two fds ({@link Fds}) are closed when the thread has ended: at the next
 *       creation of a waiter by any thread (a sweep of dead owners), or by a Cleaner, whichever
 *       comes first; so they are bounded by live threads, not by the signals' lifetimes. Every
 *       use of the two fd numbers by another thread (close listener, interrupt) happens under the
 *       Fds lock and checks that they are still open.</li>
 * </ul>
 */
public final class PlatformWaiter {
    private static final ThreadLocal<PlatformWaiter> CURRENT = new ThreadLocal<>();
    private static final Cleaner CLEANER = Cleaner.create();
    /** Every waiter's fds with its owner, for the sweep of dead owners; guarded by itself. */
    private static final List<Owned> OWNED = new ArrayList<>();

    /** Results of {@link #waitOnce}. */
    public static final int READY = 1, TIMED_OUT = 0, WOKEN = 2, INTERRUPTED = 3;

    /** epoll data: which fd an event is for. */
    private static final long TARGET = 0, WAKE = 1;

    private final Fds fds;
    private final MemorySegment events;
    private final MemorySegment errno;
    private Interruptor interruptor = new Interruptor(this);
    /** The standing registration; only this thread reads or replaces the field. */
    private Watch watch;
    /** An edge of the watched fd was reported to a wait that then did not consume (interrupted). */
    private boolean unconsumedEdge;

    private record Owned(WeakReference<Thread> owner, Fds fds) {}

    /** A waiter's two fds, shared with its Watches (which may run as close listeners on other threads). */
    static final class Fds {
        /** -1 in POSIX-only mode, which polls without a set. */
        final int epfd;

        final WakeFd wake;
        private final MemorySegment ctlEvent = Arena.ofAuto().allocate(EPoll.EVENT_SIZE, 8);
        private boolean closed; // guarded by this
        /** The owner's current watch, for the close after the owner ended. */
        volatile Watch current;

        Fds(int epfd, WakeFd wake) {
            this.epfd = epfd;
            this.wake = wake;
        }

        /** Ends a wait early (close listener, interrupt): a no-op once the fds are closed. */
        synchronized void wakeUp() {
            if (closed) {
                return;
            }
            try {
                wake.wake();
            } catch (IOException e) {
                EpollLoop.logHandlerFailure("waking a platform waiter (fd " + wake.fd() + ")", e);
            }
        }

        /** epoll_ctl; serialised with the other users and the close. Returns errno, or 0 (also when closed). */
        synchronized int ctl(int op, int fd, int ev, long data) {
            return closed || epfd < 0 ? 0 : EPoll.ctl(epfd, op, fd, ev, data, ctlEvent);
        }

        /** The owner has ended: close both fds once; the watch's lease goes back (the set is gone). */
        void closeAfterOwner() {
            synchronized (this) {
                if (closed) {
                    return;
                }
                closed = true;
                closeQuietly(epfd); // its entries go with it
                wake.close();
            }
            Watch w = current;
            if (w != null && w.abandon()) {
                w.site.removeOnClose(w);
            }
        }
    }

    private PlatformWaiter(Fds fds) {
        this.fds = fds;
        MemorySegment all = Arena.ofAuto().allocate(2 * EPoll.EVENT_SIZE + 8 + Native.captureSize(), 8);
        this.events = all.asSlice(0, 2 * EPoll.EVENT_SIZE);
        this.errno = all.asSlice(2 * EPoll.EVENT_SIZE + 8, Native.captureSize());
    }

    /**
     * The calling platform thread's waiter, made on its first wait. A failure (EMFILE...) is an
     * IOException naming the call, with nothing kept: the next call tries again.
     */
    public static PlatformWaiter current() throws IOException {
        PlatformWaiter w = CURRENT.get();
        if (w == null) {
            w = create();
            CURRENT.set(w);
        }
        return w;
    }

    private static PlatformWaiter create() throws IOException {
        sweepDeadOwners(); // first: their fds may be what this one needs
        WakeFd wake = null;
        int ep = -1;
        try {
            wake = WakeFd.open();
            // No epoll set: poll(2) on the signal's fd and the wake fd is one system call too, and
            // measured cheaper on one CPU (the kernel wakes a poll(2) sleeper directly, an epoll
            // sleeper through its callback): docs/design/waits.md, "Platform threads".
            Fds fds = new Fds(ep, wake);
            PlatformWaiter w = new PlatformWaiter(fds);
            CLEANER.register(w, fds::closeAfterOwner); // captures the fds, not the waiter
            synchronized (OWNED) {
                OWNED.add(new Owned(new WeakReference<>(Thread.currentThread()), fds));
            }
            return w;
        } catch (IOException | RuntimeException e) {
            closeQuietly(ep);
            if (wake != null) {
                wake.close();
            }
            throw e;
        }
    }

    /** Closes the fds of every waiter whose thread has ended. */
    private static void sweepDeadOwners() {
        List<Fds> dead = new ArrayList<>();
        synchronized (OWNED) {
            for (Iterator<Owned> it = OWNED.iterator(); it.hasNext(); ) {
                Owned o = it.next();
                Thread t = o.owner().get();
                if (t == null || !t.isAlive()) {
                    it.remove();
                    dead.add(o.fds());
                }
            }
        }
        for (Fds f : dead) {
            f.closeAfterOwner();
        }
    }

    /** Waiters whose threads have not been swept yet; for tests and diagnostics. */
    public static int owned() {
        synchronized (OWNED) {
            return OWNED.size();
        }
    }

    private static void closeQuietly(int fd) {
        if (fd >= 0) {
            try {
                FdCalls.close(fd);
            } catch (IOException ignored) {
                // a thread's private fd: nothing useful to do
            }
        }
    }

    /**
     * Makes {@code site} this thread's watched signal, if it is not already. Returns false if it
     * is closed (nothing registered).
     */
    public boolean watch(Site site) throws IOException {
        Watch w = watch;
        if (w != null && w.site == site && !w.isDead()) {
            return true;
        }
        if (w != null) {
            w.drop(); // moving on: DEL and give the lease back, unless its close listener did
            watch = null;
            fds.current = null;
        }
        unconsumedEdge = false; // a new registration reports the fd's readiness itself
        if (!site.guard().acquire()) {
            return false;
        }
        int err =
                fds.ctl(EPoll.EPOLL_CTL_ADD, site.fd(), EPoll.EPOLLIN | (site.edgeReads() ? EPoll.EPOLLET : 0), TARGET);
        if (err != 0) {
            site.guard().release();
            throw Errno.exception("epoll_ctl(ADD)", err);
        }
        Watch fresh = new Watch(fds, site);
        watch = fresh;
        fds.current = fresh;
        site.onClose(fresh); // runs it now (DEL, lease back, wake) if closed meanwhile
        return true;
    }

    /** Whether the caller must read before waiting (and clears that); see {@link #waitOnce}. */
    public boolean takeUnconsumedEdge() {
        boolean e = unconsumedEdge;
        unconsumedEdge = false;
        return e;
    }

    /**
     * One epoll_wait for the watched signal or a wake. A READY result must be followed by a read
     * (the caller's consume): with edge triggering the same edge is not reported twice.
     *
     * @param timeoutMillis -1 for no limit
     */
    public int waitOnce(int timeoutMillis) throws IOException {
        Watch w = watch;
        if (fds.epfd < 0) {
            return pollOnce(w, timeoutMillis); // always now: no waiter makes an epoll set
        }
        Interruptor in = interruptor;
        in.enter();
        int n;
        boolean interrupted;
        w.blocked(true);
        try {
            n = EPoll.await(fds.epfd, events, 2, timeoutMillis, errno);
        } finally {
            w.blocked(false);
            interrupted = in.exit();
        }
        boolean ready = false;
        for (int i = 0; i < n; i++) {
            if (EPoll.data(events, i) == WAKE) {
                fds.wake.drain(); // consume the wake; a stale one is harmless
            } else {
                ready = true;
            }
        }
        if (interrupted) {
            interruptor = new Interruptor(this); // an interrupted channel stays closed
            unconsumedEdge |= ready; // edge-triggered: epoll will not report this one again
            return INTERRUPTED;
        }
        if (ready) {
            return READY;
        }
        return n == 0 ? TIMED_OUT : WOKEN;
    }

    /**
     * {@link #waitOnce} in POSIX-only mode: poll(2) on the signal's fd and the wake fd,
     * level-triggered (so there is never an unconsumed edge), under a lease of this thread's own.
     */
    private int pollOnce(Watch w, int timeoutMillis) throws IOException {
        if (!w.guard.acquire()) {
            return WOKEN; // closing: the caller sees the signal closed
        }
        Interruptor in = interruptor;
        int n;
        boolean interrupted;
        try {
            Poll.set(events, 0, w.fd, Poll.POLLIN);
            Poll.set(events, 1, fds.wake.fd(), Poll.POLLIN);
            in.enter();
            w.blocked(true);
            try {
                n = Poll.poll(events, 2, timeoutMillis, errno);
            } finally {
                w.blocked(false);
                interrupted = in.exit();
            }
        } finally {
            w.guard.release(); // after poll returned: only now may a close release the number
        }
        boolean ready = n > 0 && Poll.revents(events, 0) != 0;
        if (n > 0 && Poll.revents(events, 1) != 0) {
            fds.wake.drain(); // consume the wake; a stale one is harmless
        }
        if (interrupted) {
            interruptor = new Interruptor(this); // an interrupted channel stays closed
            return INTERRUPTED;
        }
        if (ready) {
            return READY;
        }
        return n == 0 ? TIMED_OUT : WOKEN;
    }

    /**
     * A thread's standing epoll registration of one signal's fd, holding a lease on it, and that
     * signal's close listener. Dies once ({@link LeasedWatch}); the killer does the DEL and
     * returns the lease.
     */
    static final class Watch extends LeasedWatch implements Runnable {
        private static final VarHandle BLOCKED =
                VarHandles.find(MethodHandles.lookup(), Watch.class, "blocked", boolean.class);

        private final Fds fds;
        final Site site;

        @SuppressWarnings("unused") // through BLOCKED: diagnostics and tests only
        private volatile boolean blocked;

        Watch(Fds fds, Site site) {
            super(site.guard(), site.fd());
            this.fds = fds;
            this.site = site;
        }

        /** The signal closed: stop watching it and wake the thread if it waits. */
        @Override
        public void run() {
            kill();
            fds.wakeUp();
        }

        /** The owner moves to another signal. */
        void drop() {
            if (kill()) {
                site.removeOnClose(this);
            }
        }

        @Override
        void deregister() {
            fds.ctl(EPoll.EPOLL_CTL_DEL, fd, 0, 0); // under our lease: the number is still ours
        }

        /** Opaque: a hint for tests ("a thread is in epoll_wait"), ordering nothing. */
        void blocked(boolean b) {
            BLOCKED.setOpaque(this, b);
        }

        boolean isBlocked() {
            return (boolean) BLOCKED.getOpaque(this);
        }
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
                throw new IllegalStateException("only an interrupt closes an Interruptor", e);
            }
        }

        @Override
        protected void implCloseChannel() {
            waiter.fds.wakeUp();
        }
    }
}
