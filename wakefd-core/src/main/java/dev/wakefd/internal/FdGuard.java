package dev.wakefd.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Keeps an fd number open while any system call or registration may still use it, and closes it
 * exactly once after {@link #markClosed()}, whoever finishes last.
 *
 * <p>State is one long: bit 63 says "closing", the low bits count <em>leases</em>. A lease is
 * taken around every system call on the fd and held by every waiter or poller registration.
 *
 * <h2>Why no system call reaches a released fd number</h2>
 * <ul>
 *   <li>{@link #acquire()} increments the count only by a CAS from a state without the closing
 *       bit, so once {@link #markClosed()} has set it no new lease is granted.</li>
 *   <li>The fd is released only when the state is exactly {@code CLOSING | 0}: either
 *       {@code markClosed} saw zero leases when it set the bit, or the {@link #release()} that
 *       took the count from 1 to 0 saw the bit set. Both are atomic read-modify-writes of the
 *       same word, so exactly one of them sees that transition, and no lease is outstanding then:
 *       every call made under a lease has returned before the number is given back.</li>
 * </ul>
 * A call that loses the race with close fails in {@code acquire()}, before it touches the fd.
 */
public final class FdGuard {
    private static final long CLOSING = Long.MIN_VALUE;
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

    /** Takes a lease; false if the fd is closing or closed (no lease taken). */
    public boolean acquire() {
        long s = (long) STATE.getVolatile(this);
        while (s >= 0) { // closing bit clear
            long witness = (long) STATE.compareAndExchange(this, s, s + 1);
            if (witness == s) {
                return true;
            }
            s = witness;
        }
        return false;
    }

    /** Returns a lease taken by {@link #acquire()}; the last one after close releases the fd. */
    public void release() {
        long prev = (long) STATE.getAndAdd(this, -1L);
        if (prev == (CLOSING | 1L)) {
            onRelease.release();
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
        if (prev == 0) {
            onRelease.release();
        }
        return true;
    }

    public boolean isClosing() {
        return (long) STATE.getVolatile(this) < 0;
    }

    /** Leases held right now; for diagnostics and tests. */
    public long leases() {
        return (long) STATE.getVolatile(this) & ~CLOSING;
    }
}
