package dev.wakefd.internal.wait;

import java.io.IOException;

/**
 * The one thing the waiting machinery sees of a signal: its {@link Site} (fd, lease, close
 * listeners, the in-JVM wake hook) and the signal's own non-blocking consume step. EventFd
 * consumes with {@code tryRead}, a Waker with {@code drain}; both share the Site of the eventfd
 * underneath. See docs/design/waits.md.
 */
public interface Waitable {
    Site site();

    /** Takes what is pending without blocking; 0 if nothing is. */
    long consume() throws IOException;

    /** Gives a consumed count back (a future that could not take it): never dropped. */
    void giveBack(long count) throws IOException;
}
