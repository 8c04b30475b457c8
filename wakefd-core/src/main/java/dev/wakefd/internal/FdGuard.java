package dev.wakefd.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.LockSupport;

/**
 * Keeps an fd number open while any system call or registration may still use it, and closes it
 * exactly once after {@link #markClosed()}, whoever finishes last.
 *
 * <p><em>Leases</em> ({@link #acquire()}/{@link #release()}) are for anything that may last or
 * block; <em>short calls</em> ({@link #enter()}/{@link #exit(int)}) are for non-blocking
 * {@code signal}/{@code tryRead} and cost one locked instruction (a slot byte taken by CAS, given
 * back by a release store). State: bit 63 closing, bit 62 released, low bits the lease count.
 *
 * <p>Invariant: the number is released once, by the CAS from {@code CLOSING | 0 leases} to
 * {@code CLOSING | RELEASED}, after every short call that saw "not closing" has returned (a Dekker
 * pair: caller takes slot then reads the bit; closer sets the bit then reads the slots).
 * Argument: docs/design/close-guard.md.
 */
public final class FdGuard {
    private static final long CLOSING = Long.MIN_VALUE;
    private static final long RELEASED = 1L << 62;
    private static final long COUNT = RELEASED - 1;
    private static final VarHandle STATE = VarHandles.find(MethodHandles.lookup(), FdGuard.class, "state", long.class);
    private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(byte[].class);
    private static final int SLOTS = 8; // a power of two

    /** {@link #enter()}: refused, the fd is closing. */
    public static final int REFUSED = -1;
    /** {@link #enter()}: a lease was taken; the call may block, so it must not be critical. */
    public static final int LEASE = SLOTS;

    /** What to do, once, when the last lease is gone after close. */
    public interface Release {
        void release();
    }

    @SuppressWarnings("unused") // accessed through STATE
    private volatile long state;

    private final Release onRelease;
    private final byte[] slots = new byte[SLOTS];
    private volatile boolean shortCalls;

    /** A guard whose calls all take leases. */
    public FdGuard(Release onRelease) {
        this(onRelease, false);
    }

    /**
     * @param shortCalls whether calls on the fd cannot block (a non-blocking fd whose description
     *     nobody else holds), so that {@link #enter()} may hand out slots until
     *     {@link #stopShortCalls()}
     */
    public FdGuard(Release onRelease, boolean shortCalls) {
        this.onRelease = onRelease;
        this.shortCalls = shortCalls;
    }

    /**
     * Admits one system call. Returns a slot (0 .. {@code LEASE-1}: the call cannot block and may
     * be critical), {@link #LEASE} (a lease: it may block), or {@link #REFUSED} (closing: make no
     * call). Pass the result to {@link #exit(int)} unless it was REFUSED.
     */
    public int enter() {
        if (shortCalls) {
            int k = (int) Thread.currentThread().threadId() & (SLOTS - 1);
            if (SLOT.compareAndSet(slots, k, (byte) 0, (byte) 1)) {
                // The CAS comes before both reads below: see the class comment.
                if ((long) STATE.getVolatile(this) < 0) {
                    SLOT.setRelease(slots, k, (byte) 0);
                    return REFUSED;
                }
                if (shortCalls) {
                    return k;
                }
                SLOT.setRelease(slots, k, (byte) 0); // stopped meanwhile: fall back to a lease
            }
        }
        return acquire() ? LEASE : REFUSED;
    }

    /** Whether a call admitted with this token may skip the thread transition (cannot block). */
    public static boolean isShort(int token) {
        return token >= 0 && token < LEASE;
    }

    /** Ends a call admitted by {@link #enter()}. */
    public void exit(int token) {
        if (token == LEASE) {
            release();
        } else {
            SLOT.setRelease(slots, token, (byte) 0); // after the call: the closer may proceed
        }
    }

    /** Takes a lease; false if the fd is closing or closed (then no lease is held). */
    public boolean acquire() {
        long prev = (long) STATE.getAndAdd(this, 1L);
        if (prev >= 0) { // closing bit clear
            return true;
        }
        release(); // refused: give the increment back (and release the fd if we were last)
        return false;
    }

    /** Returns a lease taken by {@link #acquire()}; the last one after close releases the fd. */
    public void release() {
        long prev = (long) STATE.getAndAdd(this, -1L);
        if (prev < 0 && (prev & COUNT) == 1) {
            tryRelease();
        }
    }

    /**
     * Sets the closing bit. Returns false if it was already set (close is idempotent). Waits for
     * short calls in flight (they cannot block); the fd is released now if no lease is held,
     * otherwise by the last {@link #release()}.
     */
    public boolean markClosed() {
        long prev;
        do {
            prev = (long) STATE.getVolatile(this);
            if (prev < 0) {
                return false;
            }
        } while (!STATE.compareAndSet(this, prev, (prev | CLOSING) + 1)); // closing, plus our lease
        awaitSlotsFree();
        release();
        return true;
    }

    /**
     * From now on every call takes a lease and may block; returns once no short call is in
     * flight. Call before the fd's open file description can reach another holder. Must not be
     * called from inside a short call.
     */
    public void stopShortCalls() {
        shortCalls = false;
        awaitSlotsFree();
    }

    /** Whether {@link #enter()} still hands out slots; for tests. */
    public boolean shortCalls() {
        return shortCalls;
    }

    private void awaitSlotsFree() {
        for (int k = 0; k < SLOTS; k++) {
            for (int spins = 0; (byte) SLOT.getVolatile(slots, k) != 0; spins++) {
                // A holder is inside one non-blocking system call: spin briefly, then give way
                // (it may be a virtual thread on our carrier, or descheduled).
                if (spins < 100) {
                    Thread.onSpinWait();
                } else if (spins < 200) {
                    Thread.yield();
                } else {
                    LockSupport.parkNanos(Math.min(1_000_000L, 1_000L << Math.min(10, (spins - 200) / 8)));
                }
            }
        }
    }

    private void tryRelease() {
        if (STATE.compareAndSet(this, CLOSING, CLOSING | RELEASED)) {
            onRelease.release();
        }
    }

    public boolean isClosing() {
        return (long) STATE.getVolatile(this) < 0;
    }

    /** Leases held right now (refused acquirers may count for an instant); for diagnostics and tests. */
    public long leases() {
        return (long) STATE.getVolatile(this) & COUNT;
    }

    /** Whether the fd has been handed back to the kernel. */
    public boolean isReleased() {
        return ((long) STATE.getVolatile(this) & RELEASED) != 0;
    }
}
