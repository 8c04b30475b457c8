package dev.wakefd.bridge;

import java.util.concurrent.atomic.AtomicReference;

/**
 * Who is waiting on, or batching at, one side of a bridge right now: the cheap part of misuse
 * detection. Claimed only off the single-item fast path (blocking waits, batches, futures, poller
 * registrations), so it costs one uncontended CAS per wait or batch.
 */
final class SideOwner {
    private final AtomicReference<Object> holder = new AtomicReference<>();
    private final String side;

    SideOwner(String side) {
        this.side = side;
    }

    void claim(Object who, String operation) {
        if (!holder.compareAndSet(null, who)) {
            throw new IllegalStateException("bridge misuse: " + operation + " while another " + side + " operation is in"
                    + " progress (" + describe(holder.get()) + "); a bridge has exactly one " + side + " at a time");
        }
    }

    /** Only the claimer calls this, after its claim succeeded, so a plain release store will do. */
    void release(Object who) {
        assert holder.get() == who;
        holder.setRelease(null);
    }

    private static String describe(Object who) {
        if (who == null) {
            return "just finished";
        }
        return who instanceof Thread t ? "thread " + t.getName() + (t.isVirtual() ? " (virtual)" : "") : who.toString();
    }
}
