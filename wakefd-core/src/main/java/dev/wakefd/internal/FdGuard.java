package dev.wakefd.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Keeps an fd number open while any system call or registration may still use it, and closes it
 * exactly once after {@link #markClosed()}, whoever finishes last.
 *
 * <p>State is one long: bit 63 says "closing", bit 62 says "released", the low bits count
 * <em>leases</em>. A lease is taken around every system call on the fd and held by every waiter
 * or poller registration. Taking and returning one is a single atomic add each (no load-then-CAS
 * loop), which is all the hot path ({@code signal}, {@code tryRead}) pays for this guarantee.
 *
 * <h2>Why no system call reaches a released fd number</h2>
 * <ul>
 *   <li>{@link #acquire()} adds 1 and looks at the previous state: if the closing bit was set the
 *       lease is refused and given back at once, before the caller touches the fd. Once
 *       {@link #markClosed()} has set the bit, no caller proceeds.</li>
 *   <li>The fd is released only by the thread whose CAS moves the state from exactly
 *       {@code CLOSING | 0 leases} to {@code CLOSING | RELEASED}: the closer if no lease was held,
 *       otherwise whoever returns the last lease (including a refused acquirer giving its
 *       increment back). Every caller that was allowed through holds a lease until its call has
 *       returned, so the count is 0 only when no call is in flight; the CAS succeeds exactly once
 *       because RELEASED is never cleared.</li>
 * </ul>
 */
public final class FdGuard {
    private static final long CLOSING = Long.MIN_VALUE;
    private static final long RELEASED = 1L << 62;
    private static final long COUNT = RELEASED - 1;
    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(FdGuard.class, "state", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** What to do, once, when the last lease is gone after close. */
    public interface Release {
        void release();
    }

    @SuppressWarnings("unused") // accessed through STATE
    private volatile long state;
    private final Release onRelease;

    public FdGuard(Release onRelease) {
        this.onRelease = onRelease;
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
     * Sets the closing bit. Returns false if it was already set (close is idempotent). The fd is
     * released now if no lease is held, otherwise by the last {@link #release()}.
     */
    public boolean markClosed() {
        long prev = (long) STATE.getAndBitwiseOr(this, CLOSING);
        if (prev < 0) {
            return false;
        }
        if ((prev & COUNT) == 0) {
            tryRelease();
        }
        return true;
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
