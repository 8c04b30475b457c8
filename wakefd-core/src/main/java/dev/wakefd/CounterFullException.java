package dev.wakefd;

import java.io.IOException;

/**
 * Thrown by {@link EventFd#signal(long)} when adding {@code n} would pass the kernel's limit of
 * 2^64 - 2 (reachable only through foreign writers or huge {@code n}). Nothing was added; a wake
 * is pending, since the counter is non-zero.
 */
public final class CounterFullException extends IOException {
    private static final long serialVersionUID = 1L;
    /** The amount that did not fit. */
    private final long requested;

    CounterFullException(int fd, long requested) {
        super("signal(" + requested + ") on fd " + fd + ": the counter cannot take " + requested
                + " more without passing 2^64-2 (0xfffffffffffffffe); nothing was added");
        this.requested = requested;
    }

    /** {@return the {@code n} that was not added} */
    public long requested() {
        return requested;
    }
}
