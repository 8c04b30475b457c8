package dev.wakefd.testing;

import static org.assertj.core.api.Assertions.fail;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Bounded waits for tests: spin-yield until a condition holds, or fail loudly. Never a bare sleep. */
public final class Await {
    private Await() {}

    public static final Duration LIMIT = Duration.ofSeconds(30);

    public static void until(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + LIMIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                fail("gave up after " + LIMIT + " waiting until " + what);
            }
            Thread.yield();
        }
    }
}
