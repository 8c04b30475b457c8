package dev.wakefd.bridge;

import dev.wakefd.internal.VarHandles;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.LockSupport;

/**
 * How one side of a bridge is woken, in the runtime it sleeps in: a Java thread blocked in
 * {@code send}/{@code receive} parks and is unparked; anything else waits on the side's
 * {@link dev.wakefd.Waker}. Invariant: a blocking caller sets {@link #parking} before it announces
 * (S1) and clears it after it withdrew, so a wake asked for by its announcement finds it. Also
 * records, per waking thread, whom it last unparked (a hint for {@link WaitPolicy}). Argument:
 * docs/design/bridge-ring.md ("Park or eventfd").
 */
final class Sleeper {
    private final Runnable wakeSignal;
    private static final VarHandle PARKING =
            VarHandles.find(MethodHandles.lookup(), Sleeper.class, "parking", Thread.class);
    private static final VarHandle UNPARKS =
            VarHandles.find(MethodHandles.lookup(), Sleeper.class, "unparks", long.class);
    private static final VarHandle WAKE_ASKED_AT =
            VarHandles.find(MethodHandles.lookup(), Sleeper.class, "wakeAskedAt", long.class);

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
            WAKE_ASKED_AT.setRelease(this, System.nanoTime()); // the sleeper's policy learns when the other side acted
            LockSupport.unpark(t);
            LastWake last = LAST_WAKE.get();
            last.sleeper = this;
            last.thread = t;
            // after the unpark returned: waking a halted vCPU can hold the waker in the system
            // call for microseconds, and a wait right after it is still a hand-off from idle
            last.at = System.nanoTime();
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
        return wokeAThreadThatHasNotRunWithin(notRunWindowNanos);
    }

    /**
     * {@link #wokeAThreadThatHasNotRun()}, but only if that unpark was asked for at most
     * {@code nanos} ago: a wake just before a wait (a hand-off from idle), not one some
     * thousand items earlier in a stream.
     */
    static boolean wokeAThreadThatHasNotRunWithin(long nanos) {
        LastWake last = LAST_WAKE.get();
        Thread t = last.thread;
        if (t == null) {
            return false;
        }
        long age = System.nanoTime() - last.at;
        if (last.sleeper.parking == t && age < notRunWindowNanos) {
            return age <= nanos;
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
