package dev.wakefd;

import java.io.IOException;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/** Placeholder for the waiting machinery (issue 3). */
final class Waiting {
    private Waiting() {}

    /** A non-blocking consume step: EventFd.tryRead or Waker.drain. */
    interface Consume {
        long consume() throws IOException;
    }

    static Duration checkTimeout(Duration timeout) {
        Objects.requireNonNull(timeout, "await(timeout): timeout is null");
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("await(" + timeout + "): timeout must not be negative");
        }
        return timeout;
    }

    static long await(EventFd base, Consume consume, Duration timeout) throws IOException, InterruptedException {
        throw new UnsupportedOperationException("not yet");
    }

    static CompletableFuture<Long> readAsync(EventFd base, Consume consume) {
        throw new UnsupportedOperationException("not yet");
    }
}
