package dev.wakefd.internal.wait;

import dev.wakefd.internal.Cleaners;
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
 * How a platform thread blocks: one poll(2) on the signal's fd and the thread's private wake fd
 * (an eventfd, or a pipe in POSIX-only mode), level-triggered. A {@link Watch} is the thread's
 * standing lease on, and close listener of, the signal it last waited on; each poll also holds a
 * lease of its own, so a close cannot release the number while the thread polls it.
 * {@link Thread#interrupt()} (through {@link Interruptor}) and the signal's close write the wake fd.
 *
 * <p>Invariants (docs/design/waits.md, "Platform threads"):
 * <ul>
 *   <li>poll(2) names the signal's fd only under a lease; the Watch dies once (CAS): moving to
 *       another signal, the signal's close, or the thread's end, and its killer returns its lease.</li>
 *   <li>The thread's wake fd ({@link Fds}) is closed when the thread has ended: at the next
 *       creation of a waiter by any thread (a sweep of dead owners), or by a Cleaner, whichever
 *       comes first; so fds are bounded by live threads, not by the signals' lifetimes. Every
 *       use of the wake fd by another thread (close listener, interrupt) happens under the Fds
 *       lock and checks that it is still open.</li>
 * </ul>
 */
public final class PlatformWaiter {
    private static final ThreadLocal<PlatformWaiter> CURRENT = new ThreadLocal<>();
    private static final Cleaner CLEANER = Cleaners.CLEANER;
    /** Every waiter's fds with its owner, for the sweep of dead owners; guarded by itself. */
    private static final List<Owned> OWNED = new ArrayList<>();

    /** Results of {@link #waitOnce}. */
    public static final int READY = 1, TIMED_OUT = 0, WOKEN = 2, INTERRUPTED = 3;

    private final Fds fds;
    private final MemorySegment events;
    private final MemorySegment errno;
    private Interruptor interruptor = new Interruptor(this);
    /** The standing lease; only this thread reads or replaces the field. */
    private Watch watch;

    private record Owned(WeakReference<Thread> owner, Fds fds) {}

    /** A waiter's wake fd, shared with its Watches (which may run as close listeners on other threads). */
    static final class Fds {
        final WakeFd wake;
        private boolean closed; // guarded by this
        /** The owner's current watch, for the close after the owner ended. */
        volatile Watch current;

        Fds(WakeFd wake) {
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

        /** The owner has ended: close the wake fd once; the watch's lease goes back. */
        void closeAfterOwner() {
            synchronized (this) {
                if (closed) {
                    return;
                }
                closed = true;
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
        MemorySegment all = Arena.ofAuto().allocate(2 * Poll.POLLFD_SIZE + 8 + Native.captureSize(), 8);
        this.events = all.asSlice(0, 2 * Poll.POLLFD_SIZE);
        this.errno = all.asSlice(2 * Poll.POLLFD_SIZE + 8, Native.captureSize());
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
        WakeFd wake = WakeFd.open(); // no epoll set: poll(2) measured cheaper (docs/design/waits.md)
        try {
            Fds fds = new Fds(wake);
            PlatformWaiter w = new PlatformWaiter(fds);
            CLEANER.register(w, fds::closeAfterOwner); // captures the fds, not the waiter
            synchronized (OWNED) {
                OWNED.add(new Owned(new WeakReference<>(Thread.currentThread()), fds));
            }
            return w;
        } catch (RuntimeException e) {
            wake.close();
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

    /**
     * Makes {@code site} this thread's watched signal, if it is not already. Returns false if it
     * is closed (no lease taken).
     */
    public boolean watch(Site site) {
        Watch w = watch;
        if (w != null && w.site == site && !w.isDead()) {
            return true;
        }
        if (w != null) {
            w.drop(); // moving on: give the lease back, unless its close listener did
            watch = null;
            fds.current = null;
        }
        if (!site.guard().acquire()) {
            return false;
        }
        Watch fresh = new Watch(fds, site);
        watch = fresh;
        fds.current = fresh;
        site.onClose(fresh); // runs it now (lease back, wake) if closed meanwhile
        return true;
    }

    /**
     * One poll(2) on the watched signal's fd and the wake fd, level-triggered, under a lease of
     * this thread's own (so a close, whose listener returns the Watch's lease and then wakes the
     * thread, cannot release the number while the thread still polls it).
     *
     * @param timeoutMillis -1 for no limit
     */
    public int waitOnce(int timeoutMillis) throws IOException {
        Watch w = watch;
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
     * A thread's standing lease on one signal's fd, and that signal's close listener. Dies once
     * ({@link LeasedWatch}); the killer returns the lease.
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
            // nothing registered: each poll(2) names the fd itself
        }

        /** Opaque: a hint for tests ("a thread is in poll"), ordering nothing. */
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
