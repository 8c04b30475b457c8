package dev.wakefd;

import static org.assertj.core.api.Assertions.fail;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Bounded waits for tests: spin-yield until a condition holds, or fail loudly. Never a bare sleep. */
final class Await {
    private Await() {}

    static final Duration LIMIT = Duration.ofSeconds(30);

    static void until(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + LIMIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                fail("gave up after " + LIMIT + " waiting until " + what);
            }
            Thread.yield();
        }
    }

    /**
     * Returns once a thread is blocked in await (or a future waits) on {@code e}: it has
     * registered the close listener that wakes it (a platform thread: is inside epoll_wait).
     */
    static void blockedOn(EventFd e) {
        until("a thread blocks on " + e, () -> e.site.waiting() > 0);
    }
}
