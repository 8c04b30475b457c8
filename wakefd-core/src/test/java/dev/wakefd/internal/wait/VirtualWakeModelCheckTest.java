package dev.wakefd.internal.wait;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wakefd.internal.FdGuard;
import dev.wakefd.testing.ModelChecks;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.atomic.AtomicLong;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Validate;
import org.junit.jupiter.api.Test;

/**
 * Lincheck explores every interleaving of two virtual-thread waiters and Java signallers on one
 * counter-mode signal, through the real {@link Site#written()} and {@link VirtualWatch} enlist,
 * delist and wake steps over an in-memory counter (the kernel's eventfd). After each run it
 * checks the hand-off's invariant (docs/design/waits.md, "in-JVM wake"): no waiter sleeps, still
 * enlisted (so nobody will unpark it), while a count is pending. Two negative controls break the
 * order (the waiter reads before it enlists; the signaller looks before it writes) and must be
 * caught, which shows the check can fail.
 */
class VirtualWakeModelCheckTest {

    /** Which order the model runs: the real one, or a broken one that the check must catch. */
    enum Order {
        REAL,
        READ_BEFORE_ENLIST,
        LOOK_BEFORE_WRITE
    }

    /** Set before each check; Lincheck makes the model with its no-argument constructor. */
    static volatile Order order = Order.REAL;

    /** Two waiters (each running, or asleep in park) and the signallers. */
    public static class Model {
        final AtomicLong kernel = new AtomicLong(); // the eventfd's counter
        final Site site = new Site(-1, new FdGuard(() -> {}), true, false, ClosedChannelException::new);
        final VirtualWatch watch = VirtualWatch.detachedForTests(site);
        // Stand-ins for the two waiting threads: never started, so unpark is a no-op and whether
        // a waker claimed them is read from the watch itself.
        final Thread w1 = new Thread(() -> {});
        final Thread w2 = new Thread(() -> {});
        volatile boolean asleep1, asleep2;
        long got;

        /** One wait: returns what it consumed, 0 if it went to sleep, -1 if it was still asleep. */
        long round(Thread me, boolean asleep, java.util.function.Consumer<Boolean> setAsleep) {
            if (asleep) {
                if (watch.isEnlisted(me)) {
                    return -1; // nobody unparked it: still parked
                }
                setAsleep.accept(false); // unparked: it runs again, from the top of its loop
            }
            long v = waitStep(me);
            if (v == 0) {
                setAsleep.accept(true);
            }
            got += Math.max(v, 0);
            return v;
        }

        /** Enlist (fenced), read, and park if nothing, staying enlisted while asleep: as Waits does. */
        long waitStep(Thread me) {
            if (order == Order.READ_BEFORE_ENLIST) {
                long v = kernel.getAndSet(0);
                if (v == 0) {
                    watch.enlist(me);
                }
                return v;
            }
            watch.enlist(me);
            long v = kernel.getAndSet(0);
            if (v != 0) {
                watch.delist(me);
            }
            return v;
        }

        /** A Java signal(): the write, then the in-JVM wake, as EventFd.signal does. */
        void signalStep() {
            if (order == Order.LOOK_BEFORE_WRITE) {
                site.written();
                kernel.incrementAndGet();
                return;
            }
            kernel.incrementAndGet();
            site.written();
        }

        @Operation
        public void signal() {
            signalStep();
        }

        // Operations return nothing: what a run may return is not linearizable by design (a
        // waiter may sleep while a count is pending, as long as someone will unpark it); the
        // invariant is checked by noLostWake instead.
        @Operation(nonParallelGroup = "waiter1")
        public void await1() {
            round(w1, asleep1, a -> asleep1 = a);
        }

        @Operation(nonParallelGroup = "waiter2")
        public void await2() {
            round(w2, asleep2, a -> asleep2 = a);
        }

        @Validate
        public void noLostWake() {
            long pending = kernel.get();
            if (pending != 0 && ((asleep1 && watch.isEnlisted(w1)) || (asleep2 && watch.isEnlisted(w2)))) {
                throw new AssertionError("lost wake-up: count " + pending + " pending while a waiter sleeps"
                        + " with nobody to unpark it");
            }
        }
    }

    private static ModelCheckingOptions options() {
        return ModelChecks.threeThreads(40, 3);
    }

    @Test
    void theInJvmWakeLosesNoWakeUp() {
        order = Order.REAL;
        options().check(Model.class);
    }

    @Test
    void theCheckCatchesAWaiterThatReadsBeforeItEnlists() {
        order = Order.READ_BEFORE_ENLIST;
        try {
            assertThatThrownBy(() -> options().check(Model.class))
                    .isInstanceOf(AssertionError.class)
                    .hasMessageContaining("lost wake-up");
        } finally {
            order = Order.REAL;
        }
    }

    @Test
    void theCheckCatchesASignallerThatLooksBeforeItWrites() {
        order = Order.LOOK_BEFORE_WRITE;
        try {
            assertThatThrownBy(() -> options().check(Model.class))
                    .isInstanceOf(AssertionError.class)
                    .hasMessageContaining("lost wake-up");
        } finally {
            order = Order.REAL;
        }
    }
}
