package dev.wakefd.internal.wait;

import dev.wakefd.internal.EPoll;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;

/**
 * The virtual threads waiting on one counter-mode eventfd, and its standing edge-triggered entry
 * in the shared poller (made on the first virtual-thread wait, kept until the signal closes).
 * A waiter enlists here, reads the fd, and parks if the read found nothing. Two paths unpark it:
 * a Java writer, right after its write(2), through {@link Site#written()} (no poller involved);
 * and the poller thread on an edge, for writers outside the JVM.
 *
 * <p>Invariant (docs/design/waits.md): whoever removes an enlisted thread (a CAS on {@code sole}
 * or {@code Set.remove} on {@code more}) unparks it; an enlisted thread is removed by exactly one
 * of its waker or itself. The watch holds a lease on the fd while alive and is the signal's close
 * listener; it references no signal.
 */
final class VirtualWatch extends LeasedWatch implements EpollLoop.Ready, Runnable {
    private static final VarHandle SOLE;

    static {
        try {
            SOLE = MethodHandles.lookup().findVarHandle(VirtualWatch.class, "sole", Thread.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Loop loop;
    private final Site site;
    private long id; // set by the creator after its ADD, before the watch becomes a close listener
    @SuppressWarnings("unused") // through SOLE: the common case, one waiter, without the set
    private volatile Thread sole;
    private final Set<Thread> more = ConcurrentHashMap.newKeySet();

    /** The caller holds a lease on {@code site}'s fd, which the watch now owns. */
    private VirtualWatch(Loop loop, Site site) {
        super(site.guard(), site.fd());
        this.loop = loop;
        this.site = site;
    }

    /**
     * The site's watch, made on first use; null if the signal is closed. The first thread to
     * publish a watch (CAS) registers it; others use it at once, even before its ADD: a count
     * written before the ADD is reported by the ADD itself, and every Java write after the
     * publication is delivered by {@link Site#written()}. If the ADD fails the watch dies, is
     * unpublished (the next wait makes a new one) and the failure goes to this caller.
     */
    static VirtualWatch of(Site site) throws IOException {
        VirtualWatch w = site.watch();
        if (w != null) {
            return w;
        }
        Loop loop = SharedLoop.get(); // IOException (EMFILE...) to this caller; the next one retries
        if (!site.guard().acquire()) {
            return null;
        }
        VirtualWatch fresh = new VirtualWatch(loop, site);
        if (!site.publishWatch(fresh)) {
            site.guard().release(); // another thread's watch won: use it
            return site.watch();
        }
        try {
            fresh.id = loop.add(fresh.fd, EPoll.EPOLLIN | EPoll.EPOLLET, fresh);
        } catch (IOException | RuntimeException e) {
            fresh.abandon(); // dead from birth; the lease goes back
            site.unpublishWatch(fresh);
            fresh.wakeEnlisted(); // threads that enlisted meanwhile look again
            throw e;
        }
        // Only now can anyone kill it (as a close listener, or through the poller): after the ADD.
        site.onClose(fresh); // runs it now (DEL, lease back) if the signal closed meanwhile
        return fresh;
    }

    /**
     * A watch published on {@code site} with no poller entry and no lease: only the in-JVM path,
     * for the model check of the hand-off (VirtualWakeModelCheckTest).
     */
    static VirtualWatch detachedForTests(Site site) {
        VirtualWatch w = new VirtualWatch(null, site);
        if (!site.publishWatch(w)) {
            throw new IllegalStateException("site already has a watch");
        }
        return w;
    }

    /** Whether {@code t} is enlisted (not yet removed by a waker or itself); for tests. */
    boolean isEnlisted(Thread t) {
        return SOLE.getVolatile(this) == t || more.contains(t);
    }

    /** Before the waiter's read: from here on a write unparks it. */
    void enlist(Thread t) {
        if (!SOLE.compareAndSet(this, null, t)) {
            more.add(t);
        }
        VarHandle.fullFence(); // [W1 -> R1] enlist, then read the fd: docs/design/waits.md
    }

    /** After the wait: false if a waker removed us first (its unpark is then ours to absorb). */
    boolean delist(Thread t) {
        return SOLE.compareAndSet(this, t, null) || more.remove(t);
    }

    /** Removes every enlisted thread and unparks each one removed: on a write, an edge or close. */
    void wakeEnlisted() {
        Thread t = (Thread) SOLE.getVolatile(this);
        if (t != null && SOLE.compareAndSet(this, t, null)) {
            LockSupport.unpark(t);
        }
        if (!more.isEmpty()) {
            for (Thread m : more) {
                if (more.remove(m)) {
                    LockSupport.unpark(m);
                }
            }
        }
    }

    /**
     * Enlisted threads that are parked now; for tests and diagnostics. An enlisted thread that has
     * not parked yet may still be reading, and a wake that lands then is consumed by that read.
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

    /** An edge: on the poller thread (a writer outside the JVM, or one the in-JVM path beat). */
    @Override
    public void ready() {
        wakeEnlisted();
    }

    /** The signal closed: a close listener. */
    @Override
    public void run() {
        kill();
        wakeEnlisted();
    }

    /** The loop died: let go (it dropped our entry), and let the next wait make a new watch. */
    @Override
    public void pollerClosed() {
        abandon();
        site.unpublishWatch(this);
        site.removeOnClose(this);
        wakeEnlisted();
    }

    @Override
    void deregister() {
        loop.remove(id, fd); // under our lease: the number is still ours
    }
}
