package dev.wakefd.netty.testing;

import static org.junit.jupiter.api.Assertions.fail;

import io.netty.channel.EventLoop;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;

/** A handler that sums what it is given, notes calls off the loop thread, and can be waited on. */
public final class Tally implements LongConsumer {
    private final EventLoop[] loops;
    private long sum;
    private long calls;
    private long offLoop;
    private long zeros;

    /** Calls must come from the thread of one of {@code loops}. */
    public Tally(EventLoop... loops) {
        this.loops = loops.clone();
    }

    @Override
    public synchronized void accept(long n) {
        if (java.util.Arrays.stream(loops).noneMatch(EventLoop::inEventLoop)) {
            offLoop++;
        }
        if (n == 0) {
            zeros++;
        }
        sum += n;
        calls++;
        notifyAll();
    }

    /** Waits until the sum reaches {@code expected}; fails after {@code timeout} or if it passes it. */
    public synchronized void awaitSum(long expected, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (sum < expected) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                fail("handler sum is " + sum + " after " + timeout + ", expected " + expected + " (lost wake-up?)");
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        if (sum != expected) {
            fail("handler sum is " + sum + ", more than the " + expected + " signalled");
        }
    }

    public synchronized void awaitCalls(long expected, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (calls < expected) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                fail("handler called " + calls + " times after " + timeout + ", expected " + expected);
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
    }

    /**
     * Waits until {@code condition} holds, re-checking after each handler call; the condition must
     * read state that the handler updates before it calls {@link #accept}.
     */
    public synchronized void awaitUntil(java.util.function.BooleanSupplier condition, Duration timeout, String what)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                fail(what + " did not happen within " + timeout + " (" + calls + " handler calls)");
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
    }

    public synchronized long sum() {
        return sum;
    }

    public synchronized long calls() {
        return calls;
    }

    /** Calls not on the loop's thread, plus calls with 0: both must stay 0. */
    public synchronized long violations() {
        return offLoop + zeros;
    }
}
