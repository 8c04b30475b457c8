package dev.wakefd.internal;

import java.io.IOException;

/**
 * One kernel wake-signal object, as {@code EventFd} sees it: a counter that can be added to,
 * consumed and waited on through one readable fd. Linux has {@link EventFdFile}; other backends
 * (a pipe pair, a test double) implement the same four calls.
 *
 * <p>Implementations hold no policy: they assume the caller keeps the object open for the whole
 * call (EventFd's {@link FdGuard} does) and that {@link #close()} is called exactly once, after
 * every other call has returned.
 */
public interface SignalFile {
    /** The fd to wait on for readability. */
    int fd();

    boolean semaphore();

    /** Adds {@code n} (1 .. 2^63-1); false if the counter cannot take it now (nothing added). */
    boolean add(long n) throws IOException;

    /** Consumes the count (1 in semaphore mode); 0 if none is pending. Unsigned 64-bit. */
    long take() throws IOException;

    /**
     * Whether calls on a new guard's fd cannot block until {@link #shared()}: the fd is
     * non-blocking and nobody else holds its open file description. Fixed at creation.
     */
    default boolean callsCannotBlock() {
        return false;
    }

    /** {@link #add}, admitted by the guard as a short call: may skip the thread transition. */
    default boolean addShort(long n) throws IOException {
        return add(n);
    }

    /** {@link #take}, admitted by the guard as a short call: may skip the thread transition. */
    default long takeShort() throws IOException {
        return take();
    }

    /** Releases the kernel object. Called once. */
    void close() throws IOException;

    /**
     * Called before the fd's open file description is shared with another holder, after the
     * guard has stopped short calls.
     */
    default void shared() {}

    /** A short name for toString and errors: "eventfd", "pipe". */
    String kind();
}
