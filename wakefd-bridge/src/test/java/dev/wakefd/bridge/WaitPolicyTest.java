package dev.wakefd.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The waiting policy: its per-wait decisions, and that no policy which keeps {@link WaitPolicy}'s
 * contract can leave a side asleep with an item in the ring (the adaptive one, and a fuzzing one
 * that decides at random), while a policy that breaks it (sleeps without announcing) is caught
 * by the same harness: the negative control. Also run without -ea (see the pom).
 */
class WaitPolicyTest {

    // ------------------------------------------------------------ decisions

    @Test
    void longRecentWaitsSleepAtOnceAndShortOnesLook() {
        WaitPolicy.Adaptive p = new WaitPolicy.Adaptive(10_000, false);
        int[] looks = {0};
        BooleanSupplier stillQuiet = () -> {
            looks[0]++;
            return true;
        };
        for (int i = 0; i < 8; i++) {
            p.observed(0, 150_000); // an idle stream: 150 µs between items
        }
        assertThat(p.look(stillQuiet)).isFalse();
        assertThat(p.sleepsAtOnce).isEqualTo(1);
        assertThat(looks[0]).as("slept at once, without looking").isZero();

        for (int i = 0; i < 32; i++) {
            p.observed(0, 200); // a steady stream: the other side acts within 200 ns
        }
        assertThat(p.look(() -> false)).as("looked and saw the other side act").isTrue();
        assertThat(p.spins).isEqualTo(1);
        assertThat(p.look(stillQuiet)).as("a look that finds nothing gives up").isFalse();
    }

    /**
     * Issue 15's steady regression: an average of recent waits let a few long ones (a preemption,
     * the other side's own wake) turn a stream into sleeps at once, which made the other side's
     * waits long in turn. Only a run of waits that no look could cover makes it sleep at once.
     */
    @Test
    void longWaitsAmongShortOnesKeepLooking() {
        WaitPolicy.Adaptive p = new WaitPolicy.Adaptive(10_000, false);
        for (int round = 0; round < 100; round++) {
            for (int i = 0; i < WaitPolicy.Adaptive.LONG_WAITS_TO_SLEEP - 1; i++) {
                p.observed(0, 1_000_000); // long waits, but not a run of them
            }
            p.observed(0, 300); // the stream's pace
            assertThat(p.look(() -> false)).isTrue();
        }
        assertThat(p.sleepsAtOnce).isZero();
        assertThat(p.spins).isEqualTo(100);
        assertThat(p.shortWait()).as("long waits do not stretch the look").isLessThan(1_000);
        for (int i = 0; i < WaitPolicy.Adaptive.LONG_WAITS_TO_SLEEP; i++) {
            p.observed(0, 1_000_000);
        }
        assertThat(p.look(() -> false))
                .as("a run of long waits: sleeps at once")
                .isFalse();
        assertThat(p.sleepsAtOnce).isEqualTo(1);
    }

    @Test
    void aZeroMaximumNeverLooks() {
        WaitPolicy.Adaptive p = new WaitPolicy.Adaptive(0, false);
        assertThat(p.look(() -> {
                    throw new AssertionError("looked");
                }))
                .isFalse();
    }

    @Test
    void afterWakingAThreadThatHasNotRunItYieldsOnceInsteadOfSpinning() throws Exception {
        Sleeper.notRunWindowNanos = Long.MAX_VALUE / 4; // no timing in this test
        WaitPolicy.Adaptive.wokeJustNowNanos = Long.MAX_VALUE / 4;
        try {
            yieldsOnce();
        } finally {
            Sleeper.notRunWindowNanos = Sleeper.NOT_RUN_WINDOW_NANOS;
            WaitPolicy.Adaptive.wokeJustNowNanos = WaitPolicy.Adaptive.WOKE_JUST_NOW_NANOS;
        }
    }

    /**
     * Issue 15's steady regression: mid-stream, the last wake lies a ring's worth of items before
     * the wait, and yielding then sleeping there made both sides sleep in turn. Such a wait looks
     * as a stream's does; and a wait that began by waking the other side stays out of the recent
     * waits, so it cannot make the next ones sleep at once.
     */
    @Test
    void aWakeLongBeforeTheWaitDoesNotStopAStreamFromLooking() {
        Sleeper.notRunWindowNanos = Long.MAX_VALUE / 4; // no timing in this test
        WaitPolicy.Adaptive.wokeJustNowNanos = -1; // every wake counts as long before the wait
        try {
            Sleeper sleeper = new Sleeper(() -> {});
            sleeper.parking(Thread.ofPlatform().unstarted(() -> {}));
            sleeper.wake();
            assertThat(Sleeper.wokeAThreadThatHasNotRun())
                    .as("the wakee has not run")
                    .isTrue();
            WaitPolicy.Adaptive p = new WaitPolicy.Adaptive(10_000, false);
            assertThat(p.look(() -> false))
                    .as("looked and saw the other side act")
                    .isTrue();
            assertThat(p.yields).isZero();
            assertThat(p.spins).isEqualTo(1);
            sleeper.awake();

            WaitPolicy.Adaptive.wokeJustNowNanos = Long.MAX_VALUE / 4; // now: a wake just before
            sleeper.parking(Thread.ofPlatform().unstarted(() -> {}));
            sleeper.wake();
            assertThat(p.look(() -> true)).isFalse();
            assertThat(p.yields).isEqualTo(1);
            p.observed(0, 150_000); // that wait lasted a wake from idle
            assertThat(p.longWaits())
                    .as("a wait that began with a wake is left out")
                    .isZero();
            sleeper.awake();
            assertThat(p.look(() -> false)).as("so the stream keeps looking").isTrue();
            assertThat(p.spins).isEqualTo(2);
            p.observed(0, 150_000); // a plain long wait still counts
            assertThat(p.longWaits()).isEqualTo(1);
        } finally {
            Sleeper.notRunWindowNanos = Sleeper.NOT_RUN_WINDOW_NANOS;
            WaitPolicy.Adaptive.wokeJustNowNanos = WaitPolicy.Adaptive.WOKE_JUST_NOW_NANOS;
        }
    }

    private static void yieldsOnce() {
        Sleeper sleeper = new Sleeper(() -> {});
        Thread other = Thread.ofPlatform().unstarted(() -> {});
        sleeper.parking(other); // as if other announced a sleep
        sleeper.wake(); // this thread unparks it (not started: unpark does nothing)
        assertThat(Sleeper.wokeAThreadThatHasNotRun()).isTrue();
        WaitPolicy.Adaptive p = new WaitPolicy.Adaptive(10_000, false);
        assertThat(p.look(() -> true)).isFalse();
        assertThat(p.yields).isEqualTo(1);
        assertThat(p.spins).isZero();
        sleeper.awake(); // it ran
        assertThat(Sleeper.wokeAThreadThatHasNotRun()).isFalse();
        assertThat(p.look(() -> false)).isTrue();
        assertThat(p.spins).isEqualTo(1);
    }

    // ------------------------------------------------------------ no side left asleep

    /** Decides at random per wait: no look, a spin of up to 20 µs, or yields: all within the contract. */
    static final class Fuzzing implements WaitPolicy {
        private final SplittableRandom rnd = new SplittableRandom(Long.getLong("wakefd.test.seed", System.nanoTime()));

        @Override
        public boolean look(BooleanSupplier quiet) {
            switch (rnd.nextInt(3)) {
                case 0 -> {
                    return false;
                }
                case 1 -> {
                    long end = System.nanoTime() + rnd.nextInt(20_000);
                    while (System.nanoTime() - end < 0) {
                        if (!quiet.getAsBoolean()) {
                            return true;
                        }
                        Thread.onSpinWait();
                    }
                    return false;
                }
                default -> {
                    for (int i = rnd.nextInt(4); i >= 0; i--) {
                        Thread.yield();
                    }
                    return !quiet.getAsBoolean();
                }
            }
        }

        @Override
        public void observed(long startNanos, long actedNanos) {}
    }

    /** The negative control: "sleep at once" done wrong, parking before anyone was asked to wake it. */
    static final class SleepsUnannounced implements WaitPolicy {
        @Override
        public boolean look(BooleanSupplier quiet) {
            if (!quiet.getAsBoolean()) {
                return true;
            }
            LockSupport.park(this); // nobody will unpark: the side has not announced
            return !quiet.getAsBoolean();
        }

        @Override
        public void observed(long startNanos, long actedNanos) {}
    }

    private static Supplier<WaitPolicy> policy(String name) {
        return switch (name) {
            case "adaptive" -> () -> WaitPolicy.adaptive(10_000, false);
            case "adaptiveOneCpu" -> () -> WaitPolicy.adaptive(10_000, true);
            case "fuzzing" -> Fuzzing::new;
            case "sleepsUnannounced" -> SleepsUnannounced::new;
            default -> throw new IllegalArgumentException(name);
        };
    }

    /**
     * Streams {@code items} through a small bridge with uneven pauses on both sides, so each side
     * keeps finding the ring empty or full, looking and sleeping. Fails with "stranded" when
     * neither index moved for {@code stall} while items were still to come: a side asleep with an
     * item in the ring (or room) and nobody asked to wake it.
     */
    private static void stream(Supplier<WaitPolicy> policy, boolean virtual, int items, Duration stall)
            throws Exception {
        Bridge<Integer> b = Bridge.builder()
                .capacity(4)
                .resumeWhenFree(2)
                .waitPolicy(policy)
                .open();
        AtomicReference<Thread> threads = new AtomicReference<>();
        CompletableFuture<Void> produced = Bounded.start(virtual, () -> {
            SplittableRandom rnd = new SplittableRandom(1);
            for (int i = 0; i < items; i++) {
                b.sender().send(i);
                pause(rnd);
            }
            b.sender().close();
            return null;
        });
        CompletableFuture<Void> consumed = Bounded.start(virtual, () -> {
            threads.set(Thread.currentThread());
            SplittableRandom rnd = new SplittableRandom(2);
            int expect = 0;
            for (Integer x; (x = b.receiver().receive()) != null; expect++) {
                if (x != expect) {
                    throw new AssertionError("got " + x + ", expected " + expect);
                }
                pause(rnd);
            }
            if (expect != items) {
                throw new AssertionError("ended after " + expect + " of " + items);
            }
            return null;
        });
        try {
            long lastTail = -1, lastHead = -1, since = System.nanoTime();
            while (!(produced.isDone() && consumed.isDone())) {
                long t = b.ring().tail, h = b.ring().head;
                if (t != lastTail || h != lastHead) {
                    lastTail = t;
                    lastHead = h;
                    since = System.nanoTime();
                } else if (System.nanoTime() - since > stall.toNanos()) {
                    throw new AssertionError("stranded: " + (t - h) + " item(s) in the ring after " + h
                            + " received; consumer announced=" + b.ring().consumerAnnounced()
                            + ", producer announced=" + b.ring().producerAnnounced());
                }
                Thread.sleep(1); // the watchdog's poll interval, not synchronization
            }
            produced.get();
            consumed.get();
        } finally {
            b.receiver().close(); // a broken policy's parked side: wake it so its thread ends
            b.sender().close();
            Thread c = threads.get();
            for (int i = 0; i < 100 && c != null && c.isAlive(); i++) {
                LockSupport.unpark(c);
                c.join(10);
            }
        }
    }

    private static void pause(SplittableRandom rnd) {
        switch (rnd.nextInt(8)) {
            case 0 -> Thread.yield();
            case 1 -> LockSupport.parkNanos(rnd.nextInt(50_000)); // long enough for the other side to sleep
            case 2, 3 -> {
                for (int i = rnd.nextInt(2_000); i > 0; i--) {
                    Thread.onSpinWait();
                }
            }
            default -> {}
        }
    }

    @ParameterizedTest(name = "{0}, virtual={1}")
    @CsvSource({
        "adaptive,false",
        "adaptive,true",
        "adaptiveOneCpu,false",
        "adaptiveOneCpu,true",
        "fuzzing,false",
        "fuzzing,true"
    })
    void noPolicyWithinTheContractLeavesASideAsleep(String name, boolean virtual) throws Exception {
        stream(policy(name), virtual, 20_000, Bounded.LIMIT);
    }

    @Test
    void theHarnessCatchesAPolicyThatSleepsUnannounced() {
        assertThatThrownBy(() -> stream(policy("sleepsUnannounced"), false, 20_000, Duration.ofSeconds(2)))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("stranded");
    }
}
