package dev.wakefd.internal.wait;

import dev.wakefd.internal.FdGuard;
import dev.wakefd.internal.VarHandles;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Who must hear that a signal closed: blocked threads, poller registrations, integration
 * modules. Each listener runs exactly once, on the closing thread or, when added after close, on
 * the adding thread.
 *
 * <p>Why none is missed: {@link #add} inserts (into the single slot if free, else the set), then
 * checks the closed flag; {@link #closed} sets the closed flag (in FdGuard, before it is called),
 * then empties the slot and scans the set. The flag, the slot and the set are sequentially
 * consistent, so either the closer sees the listener or the adder sees the flag; if both do, the
 * slot's CAS or {@code Set.remove} lets only one of them run it.
 */
final class Listeners {
    private static final VarHandle SOLE =
            VarHandles.find(MethodHandles.lookup(), Listeners.class, "sole", Runnable.class);

    private final FdGuard guard; // not the signal: its Cleaner runs closed()
    /** The common case, one listener, without the set's allocation: taken and cleared by CAS. */
    @SuppressWarnings("unused") // through SOLE
    private volatile Runnable sole;

    private final Set<Runnable> listeners = ConcurrentHashMap.newKeySet();

    Listeners(FdGuard guard) {
        this.guard = guard;
    }

    /** Adds a close listener; runs it now if the EventFd is already closed. Returns it for {@link #remove}. */
    Runnable add(Runnable onClose) {
        if (SOLE.compareAndSet(this, null, onClose)) {
            if (guard.isClosing() && SOLE.compareAndSet(this, onClose, null)) {
                onClose.run();
            }
            return onClose;
        }
        listeners.add(onClose);
        if (guard.isClosing() && listeners.remove(onClose)) {
            onClose.run();
        }
        return onClose;
    }

    void remove(Runnable onClose) {
        if (!SOLE.compareAndSet(this, onClose, null)) {
            listeners.remove(onClose);
        }
    }

    /** Listeners registered now: waiting threads and futures; for tests and diagnostics. */
    int count() {
        return listeners.size() + (SOLE.getVolatile(this) != null ? 1 : 0);
    }

    /**
     * Listeners that stand for a wait in progress: futures, registrations, platform threads inside
     * epoll_wait and virtual threads parked on their watch (standing registrations count only
     * while someone waits through them, past the read that starts the wait); for tests and
     * diagnostics.
     */
    int waiting() {
        int n = 0;
        Runnable first = (Runnable) SOLE.getVolatile(this);
        for (Runnable r : listeners) {
            n += waits(r);
        }
        return n + (first != null ? waits(first) : 0);
    }

    private static int waits(Runnable r) {
        return switch (r) {
            case PlatformWaiter.Watch w -> w.isBlocked() ? 1 : 0;
            case VirtualWatch v -> v.parked();
            default -> 1;
        };
    }

    void closed() {
        Runnable first = (Runnable) SOLE.getAndSet(this, null);
        if (first != null) {
            first.run();
        }
        for (Runnable r : listeners) {
            if (listeners.remove(r)) {
                r.run();
            }
        }
    }
}
