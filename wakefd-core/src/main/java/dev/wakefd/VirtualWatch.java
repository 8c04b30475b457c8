package dev.wakefd;

import dev.wakefd.internal.EPoll;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;

/**
 * A counter-mode eventfd's standing, edge-triggered registration with the shared {@link Poller},
 * made on the first virtual-thread wait and kept until the signal closes. Virtual threads that
 * wait on the signal enlist here and park; on each edge (a write: epoll queues one even while
 * nobody waits) the poller thread unparks them, and each reads the fd itself. So a virtual-thread
 * wait costs no epoll_ctl, no future and no read on the poller thread.
 *
 * <p><b>No lost wake-up.</b> A waiter enlists (a CAS, which orders it before everything after it)
 * and only then reads the fd; it parks only if that read found nothing. A count added after that
 * read is a write the kernel makes after the waiter was enlisted, and its edge reaches
 * {@link #ready()} later still, which reads the enlisted threads and unparks ours. A count added
 * before the read is returned by the read. An unpark that comes before the park is kept as the
 * thread's permit, so the park returns. Edges that find nobody enlisted are dropped; the count they
 * announce stays in the kernel for the next waiter's read. Several waiters are all unparked; those
 * whose read finds nothing (another took the count) enlist and park again.
 *
 * <p><b>Close.</b> The watch holds a lease on the fd and is the signal's close listener; when the
 * signal closes (its {@code close()} or its Cleaner), the listener removes the registration
 * (epoll_ctl DEL under the lease), returns the lease and unparks everyone, who then find the
 * signal closed. It references no EventFd, so a forgotten EventFd is still collected.
 *
 * <p>Only for counter-mode eventfds: a semaphore-mode read leaves the rest of the count, which
 * would need an edge that never comes; those waits (and the pipe backend's) use
 * {@link WakeSignal#readAsync()}.
 */
final class VirtualWatch extends LeasedWatch implements Poller.Ready, Runnable {
    private static final VarHandle SOLE;

    static {
        try {
            SOLE = MethodHandles.lookup().findVarHandle(VirtualWatch.class, "sole", Thread.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Poller poller;
    private long id; // set by the creator after its ADD, before the watch becomes a close listener
    @SuppressWarnings("unused") // through SOLE: the common case, one waiter, without the set
    private volatile Thread sole;
    private final Set<Thread> more = ConcurrentHashMap.newKeySet();

    /** The caller holds a lease on {@code base}'s fd, which the watch now owns. */
    private VirtualWatch(Poller poller, EventFd base) {
        super(base.guard, base.fd());
        this.poller = poller;
    }

    /** Whether virtual-thread waits on {@code base} can use a watch. */
    static boolean fits(EventFd base) {
        return base.file instanceof dev.wakefd.internal.EventFdFile && !base.isSemaphore();
    }

    /**
     * The signal's watch, made on first use; null if the signal is closed. The first thread to
     * publish a watch (CAS) registers it; others use it at once, even before its epoll_ctl ADD:
     * a count added before the ADD is reported by the ADD itself (epoll queues an fd that is
     * already readable), and a count added after it is an edge. If the ADD fails, the watch is
     * dead from birth and its waiters fall back to futures.
     */
    static VirtualWatch of(EventFd base) throws IOException {
        VirtualWatch w = base.virtualWatch;
        if (w != null) {
            return w;
        }
        if (!base.guard.acquire()) {
            return null;
        }
        VirtualWatch fresh = new VirtualWatch(Poller.shared(), base);
        if (!EventFd.VIRTUAL_WATCH.compareAndSet(base, null, fresh)) {
            base.guard.release(); // another thread's watch won: use it
            return base.virtualWatch;
        }
        try {
            fresh.id = fresh.poller.add(fresh.fd, EPoll.EPOLLIN | EPoll.EPOLLET, fresh);
        } catch (IOException | RuntimeException e) {
            fresh.abandon(); // dead from birth; the lease goes back
            fresh.unparkAll(); // threads that enlisted meanwhile look again, then fall back
            throw e;
        }
        // Only now can anyone kill it (as a close listener, or through the poller): after the ADD.
        base.waiters.add(fresh); // runs it now (DEL, lease back) if the signal closed meanwhile
        return fresh;
    }

    /** Before the waiter's read: from here on an edge unparks it. */
    void enlist(Thread t) {
        if (!SOLE.compareAndSet(this, null, t)) {
            more.add(t);
            VarHandle.fullFence(); // the set's add may be a plain store; the read must follow it
        }
    }

    void delist(Thread t) {
        if (!SOLE.compareAndSet(this, t, null)) {
            more.remove(t);
        }
    }

    /**
     * Enlisted threads that are parked now, past their read; for tests and diagnostics (the
     * counterpart of a platform watch's "in epoll_wait"). An enlisted thread that has not parked
     * yet may still be reading, and a wake that lands then is consumed by that read.
     */
    int parked() {
        int n = 0;
        Thread t = (Thread) SOLE.getVolatile(this);
        if (t != null && isParked(t)) {
            n++;
        }
        for (Thread m : more) {
            if (isParked(m)) {
                n++;
            }
        }
        return n;
    }

    private static boolean isParked(Thread t) {
        Thread.State s = t.getState();
        return s == Thread.State.WAITING || s == Thread.State.TIMED_WAITING;
    }

    /** An edge: on the poller thread. */
    @Override
    public void ready() {
        unparkAll();
    }

    /** The signal closed: a close listener. */
    @Override
    public void run() {
        kill();
        unparkAll();
    }

    /** The shared poller never closes, but if it did: let go, and wake everyone to look. */
    @Override
    public void pollerClosed() {
        abandon(); // the poller has dropped its epoll set, and our entry with it
        unparkAll();
    }

    private void unparkAll() {
        Thread t = (Thread) SOLE.getVolatile(this);
        if (t != null) {
            LockSupport.unpark(t);
        }
        for (Thread m : more) {
            LockSupport.unpark(m);
        }
    }

    @Override
    void deregister() {
        poller.remove(id, fd); // under our lease: the number is still ours
    }
}
