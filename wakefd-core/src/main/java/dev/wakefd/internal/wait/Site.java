package dev.wakefd.internal.wait;

import dev.wakefd.internal.FdGuard;
import dev.wakefd.internal.VarHandles;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.channels.ClosedChannelException;
import java.util.function.Supplier;

/**
 * What waiting needs of one kernel wake object, with no reference to the public signal (so a
 * forgotten EventFd is still collected and its Cleaner runs): the fd, its {@link FdGuard}, the
 * close listeners and the standing {@link VirtualWatch} for virtual-thread waits.
 *
 * <p>Invariant (docs/design/waits.md, "in-JVM wake"): every Java write to the fd is followed by
 * {@link #written()}, which unparks each virtual thread enlisted on the watch. A waiter enlists,
 * fences, then reads; a writer writes, fences, then looks: one of the two sees the other.
 */
public final class Site {
    private static final VarHandle WATCH =
            VarHandles.find(MethodHandles.lookup(), Site.class, "watch", VirtualWatch.class);

    private final int fd;
    private final FdGuard guard;
    private final boolean edgeReads;
    private final boolean semaphore;
    private final Supplier<ClosedChannelException> closed;
    private final Listeners listeners;

    @SuppressWarnings("unused") // through WATCH
    private volatile VirtualWatch watch;
    /** Whether a writer outside this Site may exist: the fd number or its description was handed out. */
    private volatile boolean exposed;

    /**
     * @param edgeReads whether one read empties the fd (a counter-mode eventfd), so that
     *     edge-triggered watching is exact
     * @param closed makes the exception for a call on a closed signal; must not capture the signal
     */
    public Site(int fd, FdGuard guard, boolean edgeReads, boolean semaphore, Supplier<ClosedChannelException> closed) {
        this(fd, guard, edgeReads, semaphore, closed, false);
    }

    /** @param exposed whether the fd is known outside this Site from the start (an adopted fd) */
    public Site(
            int fd,
            FdGuard guard,
            boolean edgeReads,
            boolean semaphore,
            Supplier<ClosedChannelException> closed,
            boolean exposed) {
        this.exposed = exposed;
        this.fd = fd;
        this.guard = guard;
        this.edgeReads = edgeReads;
        this.semaphore = semaphore;
        this.closed = closed;
        this.listeners = new Listeners(guard);
    }

    public int fd() {
        return fd;
    }

    public FdGuard guard() {
        return guard;
    }

    public boolean edgeReads() {
        return edgeReads;
    }

    public boolean semaphore() {
        return semaphore;
    }

    public boolean isOpen() {
        return !guard.isClosing();
    }

    public ClosedChannelException closed() {
        return closed.get();
    }

    /** Runs {@code listener} once when the signal closes (now, if it has). */
    public void onClose(Runnable listener) {
        listeners.add(listener);
    }

    public void removeOnClose(Runnable listener) {
        listeners.remove(listener);
    }

    /** The signal closed (its close() or its Cleaner, after {@link FdGuard#markClosed()}). */
    public void signalClosed() {
        listeners.closed();
    }

    /**
     * The in-JVM wake: called by every Java writer after its write(2) returned. Costs a fence and
     * a load when no virtual thread waits; unparks the enlisted ones otherwise.
     */
    public void written() {
        VarHandle.fullFence(); // [W2 -> R2] the write comes before the look: docs/design/waits.md
        VirtualWatch w = (VirtualWatch) WATCH.getOpaque(this);
        if (w != null) {
            w.wakeEnlisted();
        }
    }

    /**
     * From now on writers outside this Site may exist (the fd number was handed out, or its open
     * file description is shared): virtual-thread waits need the shared poller's entry, made now
     * for a watch that exists and at once for any later one. Until then every write to the fd is
     * a Java write followed by {@link #written()}, which needs no poller (docs/design/waits.md,
     * "who needs the poller").
     */
    public void expose() {
        if (exposed) {
            return;
        }
        exposed = true; // [E1] then read the watch [E2]; VirtualWatch.of publishes, then reads this
        VirtualWatch w = watch();
        if (w != null) {
            w.registerQuietly();
        }
    }

    boolean exposed() {
        return exposed;
    }

    /** Whether writers outside this Site may exist; for tests. */
    public boolean isExposed() {
        return exposed;
    }

    VirtualWatch watch() {
        return (VirtualWatch) WATCH.getVolatile(this);
    }

    boolean publishWatch(VirtualWatch fresh) {
        return WATCH.compareAndSet(this, null, fresh);
    }

    void unpublishWatch(VirtualWatch dead) {
        WATCH.compareAndSet(this, dead, null);
    }

    /** The standing virtual-thread watch, if one was made; for tests. */
    public Object virtualWatchForTests() {
        return watch();
    }

    /** Whether the watch exists and has its shared-poller entry; for tests. */
    public boolean virtualWatchRegistered() {
        VirtualWatch w = watch();
        return w != null && w.isRegistered();
    }

    /** Whether the watch, if any, is dead; for tests. */
    public boolean virtualWatchDead() {
        VirtualWatch w = watch();
        return w == null || w.isDead();
    }

    /** Close listeners registered now; for tests and diagnostics. */
    public int listenerCount() {
        return listeners.count();
    }

    /** Listeners that stand for a wait in progress (see {@link Listeners#waiting()}); for tests. */
    public int waiting() {
        return listeners.waiting();
    }
}
