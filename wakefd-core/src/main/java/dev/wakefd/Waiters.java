package dev.wakefd;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Who must hear that an EventFd closed: blocked threads, poller registrations, integration
 * modules. Each listener runs exactly once, on the closing thread or, when added after close, on
 * the adding thread.
 *
 * <p>Why none is missed: {@link #add} inserts, then checks the closed flag; {@link #closed}
 * sets the closed flag (in FdGuard, before it is called), then scans. Both the flag and the set
 * are sequentially consistent, so either the scan sees the listener or the adder sees the flag;
 * if both do, {@code Set.remove} lets only one of them run it.
 */
final class Waiters {
    private final EventFd owner;
    private final Set<Runnable> listeners = ConcurrentHashMap.newKeySet();

    Waiters(EventFd owner) {
        this.owner = owner;
    }

    /** Adds a close listener; runs it now if the EventFd is already closed. Returns it for {@link #remove}. */
    Runnable add(Runnable onClose) {
        listeners.add(onClose);
        if (owner.guard.isClosing() && listeners.remove(onClose)) {
            onClose.run();
        }
        return onClose;
    }

    void remove(Runnable onClose) {
        listeners.remove(onClose);
    }

    /** Listeners registered now: waiting threads and futures; for tests and diagnostics. */
    int count() {
        return listeners.size();
    }

    void closed() {
        for (Runnable r : listeners) {
            if (listeners.remove(r)) {
                r.run();
            }
        }
    }
}
