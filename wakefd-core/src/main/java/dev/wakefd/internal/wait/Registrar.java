package dev.wakefd.internal.wait;

import java.io.IOException;

/**
 * Where a {@link VirtualWatch} keeps its entry for writers outside the JVM: the shared platform
 * poller ({@link Loop}) or the sub-poller on the virtual-thread scheduler ({@link VirtualPoller}).
 */
public interface Registrar {
    /** Registers {@code fd} (the caller holds a lease on it) under a new id. */
    long add(int fd, int events, Loop.Ready ready) throws IOException;

    /** Ends a registration; the caller still holds its lease, so fd is the same file. */
    void remove(long id, int fd);
}
