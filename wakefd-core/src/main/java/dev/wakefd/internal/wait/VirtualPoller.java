package dev.wakefd.internal.wait;

import dev.wakefd.internal.EPoll;
import dev.wakefd.internal.Errno;
import dev.wakefd.internal.FdCalls;
import dev.wakefd.internal.Native;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.ClosedChannelException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The poller of virtual-thread watches for writers outside the JVM, run on the virtual-thread
 * scheduler as the JDK's read pollers are: a sub-poller virtual thread polls its own epoll set
 * with a zero timeout, yields while it finds events, and when it finds none arms its oneshot entry
 * in the master (the shared {@link EpollLoop}, a platform thread in epoll_wait) and parks; the
 * master's event unparks it.
 *
 * <p>Invariant (docs/design/waits.md, "The sub-poller hand-off"): the sub-poller parks only after
 * an arm (EPOLL_CTL_MOD, EPOLLONESHOT) made after a poll that found nothing. The MOD reports a
 * sub set that is already readable and an armed entry fires on the next event, so every event
 * after the empty poll ends in an unpark, and an unpark that comes before the park is kept as the
 * permit. Every epoll_ctl on the sub set runs under {@code ctlLock} and only while it is open; a
 * watch's ADD and DEL run under that watch's lease. A failure kills the sub-poller (its watches
 * are told, their waiters make new watches) and the next registration makes a new one.
 */
final class VirtualPoller implements Registrar {
    private static final int MAX_EVENTS = 256;
    private static final ReentrantLock LOCK = new ReentrantLock();
    private static volatile VirtualPoller current;

    /** What one turn of the loop ends in: found events (yield), park, or stop (the master is gone). */
    static final int FOUND = 0, PARK = 1, STOP = 2;

    /** The kernel steps of one turn: the sub-poller's own, or a model's (VirtualPollerModelCheckTest). */
    interface Steps {
        /** Polls the sub set with a zero timeout and dispatches what it found; the count found. */
        int poll() throws IOException;

        /** Arms the master's oneshot entry for the sub set; false if the master has gone. */
        boolean arm() throws IOException;
    }

    /** One turn of the hand-off; the caller then yields (FOUND) or parks (PARK). */
    static int turn(Steps s) throws IOException {
        if (s.poll() != 0) { // [H1] zero timeout, never blocks the carrier
            return FOUND;
        }
        return s.arm() ? PARK : STOP; // [H2] arm only after the empty poll; [H3] the caller parks after it
    }

    private final int subEp;
    private final EpollLoop master;
    private final Thread thread;
    private final Map<Long, Loop.Ready> byId = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong(1);
    private final ReentrantLock ctlLock = new ReentrantLock();
    private final MemorySegment ctlEvent = Arena.ofAuto().allocate(EPoll.EVENT_SIZE, 8); // under ctlLock
    private boolean closed; // under ctlLock: subEp released
    private volatile boolean closing;
    private volatile boolean masterLost;
    private long masterId; // set before the thread starts

    private VirtualPoller(int subEp, EpollLoop master) {
        this.subEp = subEp;
        this.master = master;
        this.thread = Thread.ofVirtual().name("wakefd-subpoller").unstarted(this::run);
    }

    /**
     * Whether virtual-thread watches go to a sub-poller (the default) rather than straight to the
     * shared platform poller: {@code -Dwakefd.virtualPoller=false} selects the latter. Read at
     * each registration, so a benchmark can compare both in one JVM.
     */
    static boolean enabled() {
        return !"false".equals(System.getProperty("wakefd.virtualPoller"));
    }

    /**
     * Where a new watch registers: the sub-poller, made on first use (or after the last one
     * died), or the shared loop itself where it is not epoll. A failure (EMFILE...) is an
     * IOException naming the call, with nothing kept: the next call tries again.
     */
    static Registrar get() throws IOException {
        VirtualPoller p = current;
        if (p != null && !p.closing) {
            return p;
        }
        LOCK.lock();
        try {
            p = current;
            if (p != null && !p.closing) {
                return p;
            }
            Loop loop = SharedLoop.get();
            if (!(loop instanceof EpollLoop master)) {
                return loop; // POSIX-only mode: no epoll, no edge-triggered watches
            }
            p = open(master);
            current = p;
            return p;
        } finally {
            LOCK.unlock();
        }
    }

    private static VirtualPoller open(EpollLoop master) throws IOException {
        int ep = EPoll.create(); // epoll_create1: EMFILE...
        VirtualPoller p = new VirtualPoller(ep, master);
        try {
            // Disarmed (no EPOLLIN) until the sub-poller's first empty poll arms it.
            p.masterId = master.add(ep, EPoll.EPOLLONESHOT, p.new Wake());
        } catch (IOException | RuntimeException e) {
            FdCalls.close(ep);
            throw e;
        }
        p.thread.start();
        return p;
    }

    /** The master's entry for the sub set: its event unparks the sub-poller. */
    private final class Wake implements Loop.Ready {
        @Override
        public void ready() {
            LockSupport.unpark(thread); // [H4] on the master thread: ends [H3]'s park, or is its permit
        }

        @Override
        public void pollerClosed() {
            masterLost = true; // the shared loop died: stop; the next watch makes a new pair
            LockSupport.unpark(thread);
        }
    }

    @Override
    public long add(int fd, int events, Loop.Ready ready) throws IOException {
        ctlLock.lock();
        try {
            long id = ids.getAndIncrement();
            // Before the ADD: the sub-poller may harvest the event the ADD reports at once.
            byId.put(id, ready);
            int err = closing ? -1 : EPoll.ctl(subEp, EPoll.EPOLL_CTL_ADD, fd, events, id, ctlEvent); // under the lease
            if (err == 0) {
                return id;
            }
            byId.remove(id);
            throw err < 0 ? new ClosedChannelException() : Errno.exception("epoll_ctl(ADD)", err);
        } finally {
            ctlLock.unlock();
        }
    }

    @Override
    public void remove(long id, int fd) {
        ctlLock.lock();
        try {
            byId.remove(id);
            if (closed) {
                return; // its entry went with the set
            }
            int err = EPoll.ctl(subEp, EPoll.EPOLL_CTL_DEL, fd, 0, 0, ctlEvent); // under the caller's lease
            if (err != 0 && err != Errno.ENOENT) {
                System.getLogger("dev.wakefd.Poller")
                        .log(System.Logger.Level.WARNING, Errno.describe("sub-poller epoll_ctl(DEL) fd " + fd, err));
            }
        } finally {
            ctlLock.unlock();
        }
    }

    // ---- the sub-poller's loop, a virtual thread

    private void run() {
        MemorySegment events = Arena.ofAuto().allocate(EPoll.EVENT_SIZE * MAX_EVENTS, 8);
        MemorySegment errno = Arena.ofAuto().allocate(Native.captureSize(), 8);
        Steps steps = new Steps() {
            @Override
            public int poll() throws IOException {
                int n = EPoll.await(subEp, events, MAX_EVENTS, 0, errno);
                for (int i = 0; i < n; i++) {
                    Loop.Ready r = byId.get(EPoll.data(events, i)); // null: removed since
                    if (r != null) {
                        LoopThreads.dispatch(r);
                    }
                }
                return n < 0 ? 1 : n; // EINTR: as if found, poll again
            }

            @Override
            public boolean arm() throws IOException {
                return !masterLost && master.rearm(masterId, subEp, EPoll.EPOLLIN | EPoll.EPOLLONESHOT);
            }
        };
        try {
            while (!closing) {
                int outcome = turn(steps);
                if (outcome == FOUND) {
                    Thread.yield(); // let the threads it woke run; then poll again
                } else if (outcome == PARK) {
                    LockSupport.park(this); // [H3] after [H2]; spurious returns just poll again
                } else {
                    break;
                }
            }
        } catch (Throwable t) {
            System.getLogger("dev.wakefd.Poller")
                    .log(System.Logger.Level.ERROR, "wakefd sub-poller failed; its watches will be made again", t);
        } finally {
            shutdown();
        }
    }

    /** Tells every watch the poller is gone (each lets go and wakes its waiters), then closes the set. */
    private void shutdown() {
        // add() refuses from here on; get() makes a new poller
        LoopThreads.sweep(ctlLock, () -> closing = true, byId.values());
        ctlLock.lock();
        try {
            byId.clear();
            closed = true;
            if (!masterLost) {
                master.remove(masterId, subEp); // while subEp is still ours
            }
            FdCalls.close(subEp);
        } catch (IOException e) {
            EpollLoop.logHandlerFailure("closing the sub-poller's epoll fd", e);
        } finally {
            ctlLock.unlock();
        }
    }

    /** Whether a sub-poller runs now; for tests. */
    static boolean running() {
        VirtualPoller p = current;
        return p != null && !p.closing;
    }

    /** Entries in the running sub-poller; for tests. */
    static int registrations() {
        VirtualPoller p = current;
        return p == null ? 0 : p.byId.size();
    }
}
