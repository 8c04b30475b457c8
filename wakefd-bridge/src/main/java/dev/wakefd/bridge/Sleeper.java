package dev.wakefd.bridge;

import java.util.concurrent.atomic.AtomicLongFieldUpdater;
import java.util.concurrent.locks.LockSupport;

/**
 * How one side of a bridge is woken, in the runtime it sleeps in: a Java thread blocked in
 * {@code send}/{@code receive} parks and is unparked; anything else waits on the side's
 * {@link dev.wakefd.Waker}. Invariant: a blocking caller stores itself in its announcement's line
 * ({@code Ring.consumerParking} / {@code producerParking}) before it announces (S1) and clears it
 * after it withdrew, so a wake asked for by its announcement finds it. The store is a plain one:
 * the volatile announcement S1 that follows it publishes it (a release), and the waker reads it
 * only after its volatile read P2 saw S1's value (an acquire). Argument:
 * docs/design/bridge-ring.md ("Park or eventfd").
 */
final class Sleeper implements Ring.Wake {
    private final Runnable wakeSignal;
    // An updater, not a VarHandle: the wake path runs in C1 code for a while (see Ring.consumerWithdraw)
    private static final AtomicLongFieldUpdater<Sleeper> UNPARKS =
            AtomicLongFieldUpdater.newUpdater(Sleeper.class, "unparks");

    private volatile long unparks; // written only by the waker (see wake)

    Sleeper(Runnable wakeSignal) {
        this.wakeSignal = wakeSignal;
    }

    /** Called by the ring, after it read a sleeper's announcement that its publication satisfies. */
    @Override
    public void wake(Thread parked) {
        if (parked != null) {
            // A parked side is unparked only by the other side's thread: by its publications,
            // or by its close (a side's close also wakes its own sleeper, which finds nobody
            // parked: that side is busy closing). One writer, so a volatile count will do, not an
            // atomic add on the hand-off's path, and a release store, not a volatile one (a full
            // fence just before the unpark). A third thread closing a side while the other side
            // wakes it could lose one count here, never a wake.
            UNPARKS.lazySet(this, unparks + 1);
            LockSupport.unpark(parked);
        } else {
            wakeSignal.run();
        }
    }

    long unparks() {
        return unparks;
    }

    /**
     * Parks the calling thread until unparked, interrupted or (if {@code deadline} is not 0) the
     * deadline passes. Returns false only when the deadline has passed.
     *
     * @throws InterruptedException if interrupted (the status is cleared, as the JDK does)
     */
    boolean park(boolean untimed, long deadline) throws InterruptedException {
        if (untimed) {
            LockSupport.park(this);
        } else {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            LockSupport.parkNanos(this, left);
        }
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
        return untimed || deadline - System.nanoTime() > 0;
    }
}
