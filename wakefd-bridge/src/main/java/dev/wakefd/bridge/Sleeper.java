package dev.wakefd.bridge;

import java.util.concurrent.locks.LockSupport;

/**
 * How one side of a bridge is woken, in the runtime it sleeps in: a Java thread blocked in
 * {@code send}/{@code receive} parks and is unparked; anything else waits on the side's
 * {@link dev.wakefd.Waker}. Invariant: a blocking caller sets {@link #parking} before it announces
 * (S1) and clears it after it withdrew, so a wake asked for by its announcement finds it. Argument:
 * docs/design/bridge-ring.md ("Park or eventfd").
 */
final class Sleeper extends SleeperPad {
    private final Runnable wakeSignal;
    private volatile long unparks; // written only by the waker (see wake), 128 bytes from parking

    Sleeper(Runnable wakeSignal) {
        this.wakeSignal = wakeSignal;
    }

    /** Called by the ring, after it read a sleeper's announcement that its publication satisfies. */
    void wake() {
        Thread t = parking;
        if (t != null) {
            // A parked side is unparked only by the other side's thread: by its publications,
            // or by its close (a side's close also wakes its own sleeper, which finds nobody
            // parked: that side is busy closing). One writer, so a volatile count will do, not an
            // atomic add on the hand-off's path. A third thread closing a side while the other
            // side wakes it could lose one count here, never a wake.
            unparks++;
            LockSupport.unpark(t);
        } else {
            wakeSignal.run();
        }
    }

    long unparks() {
        return unparks;
    }

    /** Before the caller announces: wakes for this announcement unpark {@code t}. */
    void parking(Thread t) {
        parking = t; // published by S1, the volatile announcement that follows it
    }

    /** After the caller withdrew its announcement. */
    void awake() {
        parking = null; // a waker that still reads the old value leaves a spare permit
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

/**
 * The sleeper's own field, on a line the waker only reads: the waker's count ({@code unparks})
 * sits 128 bytes further, so the sleeper's store after waking does not first fetch the line back
 * from the waker's CPU (issue 15's from-idle trips).
 */
abstract class SleeperLine {
    /**
     * The blocking caller that announced, or null. A plain field: the caller's volatile
     * announcement S1 follows its store here and publishes it (a release), and the waker reads it
     * only after its volatile read P2 saw S1's value (an acquire). Not a VarHandle release store:
     * the wait path runs seldom, so for long in code C2 has not compiled yet, where a VarHandle
     * call costs some 25 ns and a field access 2.
     */
    Thread parking;
}

abstract class SleeperPad extends SleeperLine {
    long p00, p01, p02, p03, p04, p05, p06, p07, p08, p09, p10, p11, p12, p13, p14, p15;
}
