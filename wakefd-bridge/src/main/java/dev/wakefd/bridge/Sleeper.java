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
    private static final java.lang.invoke.VarHandle PARKING, UNPARKS, WAKE_ASKED_AT;

    static {
        try {
            var lookup = java.lang.invoke.MethodHandles.lookup();
            PARKING = lookup.findVarHandle(Sleeper.class, "parking", Thread.class);
            UNPARKS = lookup.findVarHandle(Sleeper.class, "unparks", long.class);
            WAKE_ASKED_AT = lookup.findVarHandle(Sleeper.class, "wakeAskedAt", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @SuppressWarnings("unused") // through PARKING; read with a volatile load by wake()
    private volatile Thread parking;
    @SuppressWarnings("unused") // through UNPARKS
    private volatile long unparks;
    @SuppressWarnings("unused") // through WAKE_ASKED_AT
    private volatile long wakeAskedAt;

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
            long now = System.nanoTime();
            WAKE_ASKED_AT.setRelease(this, now); // the sleeper's policy learns when the other side acted
            LastWake last = LAST_WAKE.get();
            last.sleeper = this;
            last.thread = t;
            last.at = now;
            LockSupport.unpark(t);
        } else {
            wakeSignal.run();
        }
    }

    long unparks() {
        return unparks;
    }

    /** When the other side last asked to unpark this side's thread (System.nanoTime). */
    long wakeAskedAt() {
        return (long) WAKE_ASKED_AT.getAcquire(this);
    }

    /** The calling thread's last unpark through a bridge: whom, and when. */
    private static final class LastWake {
        Sleeper sleeper;
        Thread thread;
        long at;
    }

    private static final ThreadLocal<LastWake> LAST_WAKE = ThreadLocal.withInitial(LastWake::new);

    /** Longer than a wake takes even onto a halted CPU under a hypervisor (tens of µs). */
    static final long NOT_RUN_WINDOW_NANOS = 200_000;
    /** {@link #NOT_RUN_WINDOW_NANOS}; tests widen it so that their checks never depend on timing. */
    static volatile long notRunWindowNanos = NOT_RUN_WINDOW_NANOS;

    /**
     * Whether the calling thread unparked a bridge side's thread in the last 200 µs that has not
     * run since (it has not cleared its {@code parking} field yet). A hint for the waiting
     * policy only: a stale answer costs time, never a wake.
     */
    static boolean wokeAThreadThatHasNotRun() {
        LastWake last = LAST_WAKE.get();
        Thread t = last.thread;
        if (t == null) {
            return false;
        }
        if (last.sleeper.parking == t && System.nanoTime() - last.at < notRunWindowNanos) {
            return true;
        }
        last.thread = null;
        last.sleeper = null;
        return false;
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
