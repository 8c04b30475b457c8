package dev.wakefd.bridge;

import java.util.concurrent.locks.LockSupport;

/**
 * How one side of a bridge is woken, in the runtime it sleeps in. A Java thread blocked in
 * {@code send}/{@code receive} (platform or virtual) parks and is unparked, the JVM's own hand-off
 * with no system call for a virtual thread and one futex call for a platform thread. Anything
 * else that waits (a poller handler, a Netty loop, a future, another process) waits on the side's
 * {@link dev.wakefd.Waker}, an eventfd, and is woken through it.
 *
 * <p><b>Which one a wake uses.</b> A blocking caller sets {@link #parking} to itself before it
 * announces its sleep in the ring (S1, a volatile store) and clears it after it withdraws the
 * announcement. The ring asks for a wake only after its volatile read (P2) read the value S1
 * wrote, so the wake reads {@code parking} after the caller set it (S1 happens-before P2): it
 * unparks that thread, whose park then returns (at once if the unpark came first: the permit).
 * When nobody blocking announced, {@code parking} is null and the Waker is written. A bridge side
 * has one consumer (one producer), so a side never sleeps both ways at once; a wake that reads a
 * thread which has already woken leaves it a spare permit, which park's contract allows
 * (every park here re-checks the ring when it returns).
 */
final class Sleeper {
    private final Runnable wakeSignal;
    private static final java.lang.invoke.VarHandle PARKING, UNPARKS;

    static {
        try {
            var lookup = java.lang.invoke.MethodHandles.lookup();
            PARKING = lookup.findVarHandle(Sleeper.class, "parking", Thread.class);
            UNPARKS = lookup.findVarHandle(Sleeper.class, "unparks", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @SuppressWarnings("unused") // through PARKING; read with a volatile load by wake()
    private volatile Thread parking;
    @SuppressWarnings("unused") // through UNPARKS
    private volatile long unparks;

    Sleeper(Runnable wakeSignal) {
        this.wakeSignal = wakeSignal;
    }

    /** Called by the ring, after it read a sleeper's announcement that its publication satisfies. */
    void wake() {
        Thread t = parking;
        if (t != null) {
            // A parked side is unparked only by the other side's thread: by its publications,
            // or by its close (a side's close also wakes its own sleeper, which finds nobody
            // parked: that side is busy closing). One writer, so an opaque count will do, not an
            // atomic add on the hand-off's path. A third thread closing a side while the other
            // side wakes it could lose one count here, never a wake.
            UNPARKS.setOpaque(this, (long) UNPARKS.getOpaque(this) + 1);
            LockSupport.unpark(t);
        } else {
            wakeSignal.run();
        }
    }

    long unparks() {
        return unparks;
    }

    /** How often a spin looks at the ring: rarely enough that the other side's index line is not pulled back and forth per item. */
    private static final long LOOK_EVERY_NANOS = 1_000;

    /**
     * Looks for up to {@code nanos} whether {@code nothing} still holds (the ring is still empty,
     * or still full); returns true once it stops holding, so the caller need not sleep. Spins,
     * looking every microsecond; or, with {@code yield} (one CPU, where a spin would only keep
     * the other side off the CPU), gives the CPU away and looks each time it gets it back.
     */
    static boolean look(long nanos, boolean yield, java.util.function.BooleanSupplier nothing) {
        if (nanos <= 0) {
            return false;
        }
        long start = System.nanoTime();
        if (yield) {
            do {
                Thread.yield();
                if (!nothing.getAsBoolean()) {
                    return true;
                }
            } while (System.nanoTime() - start < nanos);
            return false;
        }
        long next = start + LOOK_EVERY_NANOS;
        while (true) {
            for (int i = 0; i < 16; i++) {
                Thread.onSpinWait();
            }
            long now = System.nanoTime();
            if (now - next >= 0) {
                if (!nothing.getAsBoolean()) {
                    return true;
                }
                if (now - start >= nanos) {
                    return false;
                }
                next = now + LOOK_EVERY_NANOS;
            }
        }
    }

    /** Before the caller announces: wakes for this announcement unpark {@code t}. */
    void parking(Thread t) {
        // A release store is enough: S1, the volatile announcement, comes after it in program
        // order, and the waker reads this only after its volatile read P2 read S1's value.
        PARKING.setRelease(this, t);
    }

    /** After the caller withdrew its announcement. */
    void awake() {
        PARKING.setRelease(this, (Thread) null); // a waker that still reads the old value leaves a spare permit
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
