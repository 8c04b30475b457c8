package dev.wakefd.bridge;

import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;

/**
 * Who is waiting on, or batching at, one side of a bridge right now: the cheap part of misuse
 * detection. Claimed only off the single-item fast path (blocking waits, batches, futures, poller
 * registrations), so it costs one uncontended CAS per wait or batch (a blocking call releases with a plain store).
 *
 * <p>Invariant: the holder is the one operation that may touch this side of the ring (look,
 * announce, withdraw) right now; it releases only its own claim (a CAS from itself to null, or
 * for a blocking call a check of the holder by its own thread, then a store), so a
 * late release by a finished operation can never free a claim that the next operation made, for
 * example from a callback that ran inside the completing future. See docs/design/bridge-ring.md
 * ("Side ownership").
 */
final class SideOwner {
    /** A holder that has been told to stop and will release within one step of its own. */
    interface Finishing {
        boolean finishing();
    }

    // A field updater, not an AtomicReference (whose methods are VarHandle calls): the wait path
    // runs seldom, so for long in code C2 has not compiled yet, where a VarHandle call costs
    // some 25 ns and an updater's (Unsafe) CAS a few.
    private static final AtomicReferenceFieldUpdater<SideOwner, Object> HOLDER =
            AtomicReferenceFieldUpdater.newUpdater(SideOwner.class, Object.class, "holder");

    private volatile Object holder;
    private final String side;

    SideOwner(String side) {
        this.side = side;
    }

    void claim(Object who, String operation) {
        while (!HOLDER.compareAndSet(this, null, who)) {
            Object h = holder;
            if (h instanceof Finishing f && f.finishing()) {
                // a cancelled future whose last step is still running on another thread: it
                // releases as soon as that step sees the cancel, so wait for it, not fail
                Thread.yield();
                continue;
            }
            if (h == null) {
                continue;
            }
            throw new IllegalStateException(
                    "bridge misuse: " + operation + " while another " + side + " operation is in" + " progress ("
                            + describe(h) + "); a bridge has exactly one " + side + " at a time");
        }
    }

    /**
     * Releases {@code who}'s claim; does nothing if {@code who} does not hold this side (never
     * clears another's). A blocking call's claim (its own thread) is released with a plain check
     * and a release store, no CAS: claims only replace null, so while the holder is this thread
     * nobody but this thread can change it, and a thread runs one release at a time. Any other
     * holder (a future, a registration) may be released from two threads at once (a cancel racing
     * a close), so it is released with a CAS. Either way the release hands the side's state (the
     * policy's fields) to the next claimer, whose CAS reads it.
     */
    void release(Object who) {
        if (who == Thread.currentThread()) {
            if (holder == who) {
                HOLDER.lazySet(this, null); // a release store: the next claimer's CAS acquires it
            }
        } else {
            HOLDER.compareAndSet(this, who, null);
        }
    }

    boolean heldBy(Object who) {
        return holder == who;
    }

    private static String describe(Object who) {
        return who instanceof Thread t ? "thread " + t.getName() + (t.isVirtual() ? " (virtual)" : "") : who.toString();
    }
}
