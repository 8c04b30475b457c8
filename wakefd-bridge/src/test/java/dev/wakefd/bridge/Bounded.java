package dev.wakefd.bridge;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** Bounded waits for tests: a lost wake fails with a message instead of hanging. */
final class Bounded {
    static final Duration LIMIT = Duration.ofSeconds(20);

    private Bounded() {}

    /** Spins (yielding) until {@code condition} holds; fails after {@link #LIMIT}. */
    static void until(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + LIMIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("not within " + LIMIT + ": " + what);
            }
            Thread.yield();
        }
    }

    static <T> T get(CompletableFuture<T> f, String what) throws Exception {
        try {
            return f.get(LIMIT.toSeconds(), TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError("not within " + LIMIT + ": " + what, e);
        }
    }

    /** Runs {@code body} on a new platform or virtual thread; the future completes with its outcome. */
    static <T> CompletableFuture<T> start(boolean virtual, Body<T> body) {
        CompletableFuture<T> f = new CompletableFuture<>();
        (virtual ? Thread.ofVirtual() : Thread.ofPlatform()).start(() -> {
            try {
                f.complete(body.run());
            } catch (Throwable t) {
                f.completeExceptionally(t);
            }
        });
        return f;
    }

    interface Body<T> {
        T run() throws Exception;
    }
}
