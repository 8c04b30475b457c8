package dev.wakefd.internal.wait;

import dev.wakefd.internal.EPoll;
import dev.wakefd.internal.VarHandles;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;

/**
 * The virtual threads waiting on one counter-mode eventfd, and, once the fd is exposed to writers
 * outside the JVM, its standing edge-triggered poller entry (in the {@link VirtualPoller}, or the
 * shared platform poller if that is disabled; made on the first virtual-thread wait or at the
 * exposure, whichever is later; kept until the signal closes). A waiter enlists here, reads the
 * fd, and parks if the read found nothing. Two paths unpark it: a Java writer, right after its
 * write(2), through {@link Site#written()} (no poller involved); and the poller on an edge, for
 * writers outside the JVM.
 *
 * <p>Invariant (docs/design/waits.md): whoever removes an enlisted thread (a CAS on {@code sole}
 * or {@code Set.remove} on {@code more}) unparks it; an enlisted thread is removed by exactly one
 * of its waker or itself. The watch holds a lease on the fd while alive and is the signal's close
 * listener; it references no signal.
 */
final class VirtualWatch extends LeasedWatch implements EpollLoop.Ready, Runnable {
    private static final VarHandle SOLE =
            VarHandles.find(MethodHandles.lookup(), VirtualWatch.class, "sole", Thread.class);

    private final Site site;
    private Registrar loop; // guarded by this: the poller entry, made once the fd is exposed
    private long id; // guarded by this
    private boolean registered; // guarded by this

    @SuppressWarnings("unused") // through SOLE: the common case, one waiter, without the set
    private volatile Thread sole;

    private final Set<Thread> more = ConcurrentHashMap.newKeySet();

    /** The caller holds a lease on {@code site}'s fd, which the watch now owns. */
    private VirtualWatch(Site site) {
        super(site.guard(), site.fd());
        this.site = site;
    }

    /**
     * The site's watch, made on first use; null if the signal is closed. The first thread to
     * publish one (CAS) owns its setup; others use it at once. It enters the shared poller only
     * once the fd is exposed (see {@link Site#expose()}): until then Java writers are the only
     * writers, and {@link Site#written()} wakes its waiters. A count written before the poller's
     * ADD is reported by the ADD itself. If the ADD fails the watch dies, is unpublished (the next
     * wait makes a new one) and the failure goes to this caller.
     */
    static VirtualWatch of(Site site) throws IOException {
        VirtualWatch w = site.watch();
        if (w != null) {
            return w;
        }
        if (!site.guard().acquire()) {
            return null;
        }
        VirtualWatch fresh = new VirtualWatch(site);
        if (!site.publishWatch(fresh)) {
            site.guard().release(); // another thread's watch won: use it
            return site.watch();
        }
        site.onClose(fresh); // runs it now (lease back) if the signal closed meanwhile
        if (site.exposed()) { // [P1] published, then [P2] read: the pair of Site.expose()
            fresh.register();
        }
        return fresh;
    }

    /** Makes the shared poller's entry, once; on failure the watch dies and the caller gets why. */
    void register() throws IOException {
        try {
            synchronized (this) {
                if (registered || isDead()) {
                    return;
                }
                // IOException (EMFILE...); the next wait retries
                Registrar l = VirtualPoller.enabled() ? VirtualPoller.get() : SharedLoop.get();
                id = l.add(fd, EPoll.EPOLLIN | EPoll.EPOLLET, this); // under our lease
                loop = l;
                registered = true;
            }
        } catch (IOException | RuntimeException e) {
            if (kill()) { // no entry to remove; the lease goes back
                site.removeOnClose(this);
            }
            site.unpublishWatch(this);
            wakeEnlisted(); // they look again and make a new watch
            throw e;
        }
    }

    /** {@link #register()} from {@code fd()}, which cannot throw: the next wait reports a failure. */
    void registerQuietly() {
        try {
            register();
        } catch (IOException | RuntimeException e) {
            EpollLoop.logHandlerFailure(
                    "registering a virtual-thread watch of fd " + fd
                            + " with the shared poller (the next wait retries)",
                    e);
        }
    }

    /**
     * A watch published on {@code site} with no poller entry and no lease: only the in-JVM path,
     * for the model check of the hand-off (VirtualWakeModelCheckTest).
     */
    static VirtualWatch detachedForTests(Site site) {
        VirtualWatch w = new VirtualWatch(site);
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

    /** An edge: on the poller (a writer outside the JVM, or one the in-JVM path beat). */
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
        synchronized (this) {
            if (registered) {
                registered = false;
                loop.remove(id, fd); // under our lease: the number is still ours
            }
        }
    }

    /** Whether the watch has its entry in the shared poller; for tests. */
    synchronized boolean isRegistered() {
        return registered;
    }
}
