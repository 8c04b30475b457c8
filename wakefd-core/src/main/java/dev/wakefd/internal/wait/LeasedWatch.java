package dev.wakefd.internal.wait;

import dev.wakefd.internal.FdGuard;
import dev.wakefd.internal.VarHandles;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A watch of one signal's fd that holds a lease on that fd ({@link FdGuard}) for as long as it
 * lives, and dies exactly once. The one that kills it (a CAS on {@code dead}) removes any
 * registration while the lease still holds the fd number, then returns the lease: so no
 * epoll_ctl ever names a number the kernel has released and reused. The two kinds:
 * {@link PlatformWaiter.Watch} (a platform thread's standing lease; it registers nothing) and
 * {@link VirtualWatch} (an entry in the shared poller). Both are the signal's close listeners and reference no EventFd, so a
 * forgotten EventFd is still collected and its Cleaner kills them.
 */
abstract class LeasedWatch {
    private static final VarHandle DEAD =
            VarHandles.find(MethodHandles.lookup(), LeasedWatch.class, "dead", boolean.class);

    final FdGuard guard;
    final int fd;

    @SuppressWarnings("unused") // through DEAD
    private volatile boolean dead;

    /** The caller holds a lease on {@code guard}'s fd, which this watch now owns. */
    LeasedWatch(FdGuard guard, int fd) {
        this.guard = guard;
        this.fd = fd;
    }

    final boolean isDead() {
        return dead;
    }

    /** Removes the registration; called once, by the killer, while the lease holds the fd. */
    abstract void deregister();

    /** Kills the watch: true for the one caller that did (it deregistered and returned the lease). */
    final boolean kill() {
        if (!DEAD.compareAndSet(this, false, true)) {
            return false;
        }
        try {
            deregister();
        } finally {
            guard.release();
        }
        return true;
    }

    /**
     * Kills the watch without deregistering: for a registration that never happened (its ADD
     * failed) or that its epoll set already dropped (the poller closed). True for the caller that did.
     */
    final boolean abandon() {
        if (!DEAD.compareAndSet(this, false, true)) {
            return false;
        }
        guard.release();
        return true;
    }
}
