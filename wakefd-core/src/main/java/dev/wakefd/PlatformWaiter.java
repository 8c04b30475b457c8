package dev.wakefd;

import dev.wakefd.internal.EPoll;
import dev.wakefd.internal.EventFdCalls;
import dev.wakefd.internal.FdCalls;
import dev.wakefd.internal.FdGuard;
import dev.wakefd.internal.Native;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.ref.Cleaner;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.spi.AbstractInterruptibleChannel;

/**
 * How a platform thread blocks: epoll_wait(2) on the thread's own epoll set, which holds the
 * thread's private "wake fd" (an eventfd) and a standing registration, a {@link Watch}, of the
 * signal it last waited on. Anything that must end a wait early writes the wake fd:
 * {@link EventFd#close()} (the Watch is the signal's close listener) and {@link Thread#interrupt()}
 * (through {@link Interruptor}, the JDK's public hook for interrupting blocking I/O).
 *
 * <p>Why a standing registration: a thread usually waits on the same signal again and again (an
 * event loop, one side of a ping-pong or a bridge). Keeping it registered makes each wait one
 * epoll_wait, with no lease, listener or epoll_ctl per wait, and epoll keeps its wait-queue entry
 * between waits where poll(2) adds and removes one per fd per call: on one CPU this is most of the
 * difference to a C poll(2) loop (docs/benchmarks.md). Waiting on another signal moves the Watch
 * (epoll_ctl DEL and ADD).
 *
 * <p>Edge-triggered where that is exact: a counter-mode eventfd read clears the count, so after
 * a wait consumes, the next edge (a write, queued on epoll's ready list even while nobody waits)
 * is the next thing to wait for. A semaphore-mode read takes only one, and a pipe's backend may
 * leave bytes, so those are level-triggered. A wake that finds nothing (another holder consumed
 * it) only makes the caller wait again.
 *
 * <p>Why a close or interrupt is never missed: the Watch is added as a close listener after its
 * epoll_ctl ADD, and Waiters runs a listener added after close at once; the interruptor is
 * installed before epoll_wait and checks the interrupt status as it installs. Both write the wake
 * fd, which stays queued until this thread reads it, so epoll_wait returns whether the write came
 * before or during the call. A stale wake only makes a later wait return early; the caller loops.
 *
 * <p>Why no call reaches a released fd number: a live Watch holds a lease on the signal's fd, and
 * the only calls on that number (epoll_ctl ADD and DEL) happen under it; epoll_wait names only
 * the epoll fd. The Watch dies exactly once, by CAS, either here (moving to another signal) or in
 * its close listener (the signal closed, by {@code close()} or by its Cleaner); whichever wins
 * does the DEL, then returns the lease. A Watch never references the EventFd, so a forgotten
 * EventFd is still collected, and its Cleaner, which runs the close listeners, kills the Watch.
 *
 * <p>One per platform thread (a ThreadLocal). The epoll and wake fds live in {@link Fds}, closed by
 * a Cleaner once neither the waiter nor any Watch (which may still run as a close listener after
 * the thread died) can reach them.
 */
final class PlatformWaiter {
    private static final ThreadLocal<PlatformWaiter> CURRENT = ThreadLocal.withInitial(PlatformWaiter::create);
    private static final Cleaner CLEANER = Cleaner.create();

    /** Results of {@link #waitOnce}. */
    static final int READY = 1, TIMED_OUT = 0, WOKEN = 2, INTERRUPTED = 3;

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

    /** The waiter's two fds, shared with its Watches so that they stay open while any can use them. */
    static final class Fds {
        final int epfd;
        final int wakeFd;
        private final MemorySegment ctlEvent = Arena.ofAuto().allocate(EPoll.EVENT_SIZE, 8);

        Fds(int epfd, int wakeFd) {
            this.epfd = epfd;
            this.wakeFd = wakeFd;
        }

        void wakeUp() {
            try {
                FdCalls.write8(wakeFd, 1, "write");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** epoll_ctl; serialised, since the closing thread and the owner may both call it. */
        synchronized int ctl(int op, int fd, int ev, long data) {
            return EPoll.ctl(epfd, op, fd, ev, data, ctlEvent);
        }
    }

    private PlatformWaiter(Fds fds) {
        this.fds = fds;
        MemorySegment all = Arena.ofAuto().allocate(2 * EPoll.EVENT_SIZE + 8 + Native.captureSize(), 8);
        this.events = all.asSlice(0, 2 * EPoll.EVENT_SIZE);
        this.errno = all.asSlice(2 * EPoll.EVENT_SIZE + 8, Native.captureSize());
    }

    private static PlatformWaiter create() {
        int wake = -1;
        int ep = -1;
        try {
            wake = EventFdCalls.create(0, EventFdCalls.EFD_NONBLOCK | EventFdCalls.EFD_CLOEXEC);
            ep = EPoll.create();
            Fds fds = new Fds(ep, wake);
            int err = fds.ctl(EPoll.EPOLL_CTL_ADD, wake, EPoll.EPOLLIN | EPoll.EPOLLET, WAKE);
            if (err != 0) {
                throw dev.wakefd.internal.Errno.exception("epoll_ctl", err);
            }
            int epfd = ep, wakeFd = wake; // the action must not capture fds itself
            CLEANER.register(fds, () -> {
                closeQuietly(epfd);
                closeQuietly(wakeFd);
            });
            return new PlatformWaiter(fds);
        } catch (IOException e) {
            closeQuietly(ep);
            closeQuietly(wake);
            throw new UncheckedIOException("creating a platform thread's epoll and wake fds", e);
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

    static PlatformWaiter current() {
        return CURRENT.get();
    }

    /**
     * Makes {@code base} this thread's watched signal, if it is not already. Returns false if it
     * is closed (nothing registered).
     */
    boolean watch(EventFd base) throws IOException {
        Watch w = watch;
        if (w != null && w.guard == base.guard && w.alive()) {
            return true;
        }
        if (w != null) {
            w.drop(); // moving on: DEL and give the lease back, unless its close listener did
            watch = null;
        }
        unconsumedEdge = false; // a new registration reports the fd's readiness itself
        if (!base.guard.acquire()) {
            return false;
        }
        boolean edge = base.file instanceof dev.wakefd.internal.EventFdFile && !base.isSemaphore();
        int err = fds.ctl(EPoll.EPOLL_CTL_ADD, base.fd(), EPoll.EPOLLIN | (edge ? EPoll.EPOLLET : 0), TARGET);
        if (err != 0) {
            base.guard.release();
            throw dev.wakefd.internal.Errno.exception("epoll_ctl", err);
        }
        Watch fresh = new Watch(fds, base.guard, base.waiters, base.fd());
        watch = fresh;
        base.waiters.add(fresh); // runs it now (DEL, lease back, wake) if closed meanwhile
        return true;
    }

    /** Whether the caller must read before waiting (and clears that); see {@link #waitOnce}. */
    boolean takeUnconsumedEdge() {
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
    int waitOnce(int timeoutMillis) throws IOException {
        Watch w = watch;
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
                FdCalls.read8(fds.wakeFd, "read"); // consume the wake; a stale one is harmless
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
     * A thread's standing epoll registration of one signal's fd, holding a lease on it, and that
     * signal's close listener. Dies once ({@link LeasedWatch}); the killer does the DEL and returns
     * the lease.
     */
    static final class Watch extends LeasedWatch implements Runnable {
        private static final VarHandle BLOCKED;

        static {
            try {
                BLOCKED = MethodHandles.lookup().findVarHandle(Watch.class, "blocked", boolean.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        private final Fds fds;
        private final Waiters waiters;
        @SuppressWarnings("unused") // through BLOCKED: diagnostics and tests only
        private volatile boolean blocked;

        Watch(Fds fds, FdGuard guard, Waiters waiters, int fd) {
            super(guard, fd);
            this.fds = fds;
            this.waiters = waiters;
        }

        boolean alive() {
            return !isDead();
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
                waiters.remove(this);
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
                throw new AssertionError("only an interrupt closes an Interruptor", e);
            }
        }

        @Override
        protected void implCloseChannel() {
            waiter.fds.wakeUp();
        }
    }
}
