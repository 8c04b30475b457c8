package dev.wakefd.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
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

    private static final BooleanSupplier STILL_QUIET = () -> true;
    private static final BooleanSupplier ACTED = () -> false;
    private static final BooleanSupplier WAKING = () -> true;
    private static final BooleanSupplier NOT_WAKING = () -> false;

    /** Counts the looks at the ring. */
    private static final class Counting implements BooleanSupplier {
        int looks;
        final boolean quiet;

        Counting(boolean quiet) {
            this.quiet = quiet;
        }

        @Override
        public boolean getAsBoolean() {
            looks++;
            return quiet;
        }
    }

    /** An idle stream: a failed look costs credit, and without credit a side sleeps at once. */
    @Test
    void failedLooksMakeASideSleepAtOnce() {
        WaitPolicy.Adaptive p = new WaitPolicy.Adaptive(10_000, false);
        assertThat(p.look(STILL_QUIET, NOT_WAKING)).as("the first wait looks").isFalse();
        assertThat(p.looks).isEqualTo(1);
        assertThat(p.credit()).as("and its failure costs the credit").isZero();
        Counting c = new Counting(true);
        for (int i = 0; i < 100; i++) {
            assertThat(p.look(c, NOT_WAKING)).isFalse();
        }
        assertThat(p.looks).as("no more whole looks").isEqualTo(1);
        assertThat(p.samples)
                .as("one sample in " + WaitPolicy.Adaptive.SAMPLE_EVERY)
                .isEqualTo(25);
        assertThat(p.sleepsAtOnce).isEqualTo(75);
        assertThat(c.looks).as("a sample looks once").isEqualTo(25);
    }

    /** A stream that starts again: a sample that sees the other side act earns a whole look back. */
    @Test
    void aSampleThatHitsEarnsTheLooksBack() {
        WaitPolicy.Adaptive p = new WaitPolicy.Adaptive(10_000, false);
        p.look(STILL_QUIET, NOT_WAKING); // credit 0
        int waits = 0;
        while (p.samples == 0) {
            assertThat(p.look(ACTED, NOT_WAKING)).isEqualTo(p.samples == 1);
            waits++;
        }
        assertThat(waits).isEqualTo(WaitPolicy.Adaptive.SAMPLE_EVERY);
        assertThat(p.credit()).isEqualTo(1);
        for (int i = 0; i < WaitPolicy.Adaptive.SAMPLE_EVERY; i++) {
            p.look(ACTED, NOT_WAKING); // the second sample hits too
        }
        assertThat(p.samples).isEqualTo(2);
        assertThat(p.credit()).isEqualTo(WaitPolicy.Adaptive.LOOK_CREDIT);
        for (int i = 0; i < 20; i++) {
            assertThat(p.look(ACTED, NOT_WAKING)).isTrue();
        }
        assertThat(p.looks).isEqualTo(21);
        assertThat(p.credit()).as("capped").isEqualTo(WaitPolicy.Adaptive.MAX_CREDIT);
    }

    /**
     * Issue 15's bursts: the consumer's looks inside a burst see the producer act, the one after
     * the burst fails. A failure outweighs {@value WaitPolicy.Adaptive#PENALTY} hits, so with
     * fewer hits than that per burst the side stops looking after bursts; a steady stream, whose
     * looks nearly all hit, keeps looking through the odd failure (a preemption, a GC).
     */
    @Test
    void oneFailureOutweighsSeveralHits() {
        for (int hits = 0; hits < WaitPolicy.Adaptive.PENALTY; hits++) {
            WaitPolicy.Adaptive bursts = new WaitPolicy.Adaptive(10_000, false);
            int failedLooks = 0;
            for (int burst = 0; burst < 120; burst++) {
                for (int i = 0; i < hits; i++) {
                    bursts.look(ACTED, NOT_WAKING); // caught up inside the burst
                }
                long before = bursts.looks;
                bursts.look(STILL_QUIET, NOT_WAKING); // after the burst
                failedLooks += (int) (bursts.looks - before);
            }
            assertThat(failedLooks)
                    .as("bursts of 120 that end in a whole look, with %d hits per burst (the old policy: all)", hits)
                    .isLessThanOrEqualTo(41);
        }
        WaitPolicy.Adaptive steady = new WaitPolicy.Adaptive(10_000, false);
        for (int i = 0; i < 1_000; i++) {
            steady.look(i % 100 == 99 ? STILL_QUIET : ACTED, NOT_WAKING);
        }
        assertThat(steady.sleepsAtOnce + steady.samples)
                .as("never stops looking")
                .isZero();
    }

    /**
     * Issue 15's steady regression: a side that woke the other one, which has not run yet, looks
     * for the whole maximum (the other side acts once it runs; sleeping now would need a wake in
     * turn and the two would sleep by turns), and that look's failure costs no credit.
     */
    @Test
    void afterWakingTheOtherSideItLooksTheWholeMaximumAtNoCost() {
        WaitPolicy.Adaptive p = new WaitPolicy.Adaptive(10_000, false);
        p.look(STILL_QUIET, NOT_WAKING); // credit 0: an ordinary wait would sleep at once
        Counting c = new Counting(true);
        assertThat(p.look(c, WAKING)).isFalse();
        assertThat(c.looks).as("looked more than once (every µs for 10 µs)").isGreaterThan(1);
        assertThat(p.credit()).isZero();
        assertThat(p.look(ACTED, WAKING)).isTrue();
        assertThat(p.look(ACTED, WAKING)).isTrue();
        assertThat(p.credit()).as("its hits count").isEqualTo(2);
        assertThat(p.look(ACTED, NOT_WAKING)).isTrue();
        assertThat(p.looks).isEqualTo(5);
    }

    /**
     * The look for a woken side lasts until that side has run (then at most an ordinary look
     * more), not for the whole maximum: here the maximum is a minute, and the other side "runs"
     * at its third look.
     */
    @Test
    void aLookForAWokenSideEndsSoonAfterItRan() {
        for (boolean oneCpu : new boolean[] {false, true}) {
            WaitPolicy.Adaptive p = new WaitPolicy.Adaptive(60_000_000_000L, oneCpu);
            int[] asked = {0};
            BooleanSupplier waking = () -> ++asked[0] < 3;
            long t0 = System.nanoTime();
            assertThat(p.look(STILL_QUIET, waking)).isFalse();
            assertThat(System.nanoTime() - t0)
                    .as("ended after the woken side ran (oneCpu %s), not after a minute", oneCpu)
                    .isLessThan(Duration.ofSeconds(30).toNanos());
            assertThat(asked[0]).isGreaterThanOrEqualTo(3);
            assertThat(p.wokenLooks).isEqualTo(1);
        }
    }

    /**
     * A timed call's look for a woken side ends by the call's deadline, not at the maximum: here
     * the maximum is an hour, the other side never runs and the deadline has already passed, so
     * a look that ignored the deadline would not return for an hour (the guard fails it after a
     * minute; a spin does not heed the interrupt of a same-thread timeout).
     */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD) // see above
    void aTimedLookForAWokenSideEndsByTheDeadline() {
        for (boolean oneCpu : new boolean[] {false, true}) {
            WaitPolicy.Adaptive p = new WaitPolicy.Adaptive(Duration.ofHours(1).toNanos(), oneCpu);
            assertThat(p.look(STILL_QUIET, WAKING, false, System.nanoTime(), false))
                    .isFalse();
            assertThat(p.wokenLooks).isEqualTo(1);
        }
    }

    /**
     * A wait after a lone item (a request and its answer) sleeps at once without sampling: the
     * sample's spin would only delay this side's sleep. After more than one item the samples
     * come back, one wait in {@value WaitPolicy.Adaptive#SAMPLE_EVERY}; on one CPU every wait
     * still samples (its yield lets the side just woken answer).
     */
    @Test
    void aWaitAfterALoneItemNeverSamples() {
        WaitPolicy.Adaptive p = new WaitPolicy.Adaptive(10_000, false);
        p.look(STILL_QUIET, NOT_WAKING); // credit 0
        for (int i = 0; i < 40; i++) {
            assertThat(p.look(ACTED, NOT_WAKING, true, 0, true)).isFalse();
        }
        assertThat(p.samples).as("no sample after a lone item").isZero();
        assertThat(p.sleepsAtOnce).isEqualTo(40);
        for (int i = 0; i < 40; i++) {
            p.look(STILL_QUIET, NOT_WAKING, true, 0, false);
        }
        assertThat(p.samples).as("after several items").isEqualTo(40 / WaitPolicy.Adaptive.SAMPLE_EVERY);
        WaitPolicy.Adaptive one = new WaitPolicy.Adaptive(10_000, true);
        one.look(STILL_QUIET, NOT_WAKING);
        for (int i = 0; i < 10; i++) {
            one.look(STILL_QUIET, NOT_WAKING, true, 0, true);
        }
        assertThat(one.samples).as("one CPU").isEqualTo(10);
    }

    /**
     * The bridge tells its policy whether a wait follows a lone item: a consumer that is handed
     * one item per wake never samples, one handed three per wake (one batch, so it takes all
     * three at once) does, one wait in {@value WaitPolicy.Adaptive#SAMPLE_EVERY}. Each round
     * waits until the consumer has announced its sleep for the round's first item (a state, not
     * a time) before sending, so every round is one wait; a spurious wake only adds a wait after
     * no item, which never samples.
     */
    @ParameterizedTest
    @CsvSource({"1, 0", "3, 10"})
    void theBridgeCountsTheItemsSinceTheLastWait(int perWake, int samples) throws Exception {
        Bridge<Integer> bridge =
                Bridge.builder().capacity(64).lookByYielding(false).open();
        try (Sender<Integer> out = bridge.sender()) {
            WaitPolicy.Adaptive policy = (WaitPolicy.Adaptive) bridge.consumerPolicy;
            Receiver<Integer> in = bridge.receiver();
            int rounds = 41; // the first wait spends the starting credit; 40 more without any
            FutureTask<Void> consume = new FutureTask<>(() -> {
                for (int i = 0; i < rounds * perWake; i++) {
                    assertThat(in.receive()).isEqualTo(i);
                }
                return null;
            });
            Thread consumer = Thread.ofPlatform().start(consume);
            for (int r = 0; r < rounds; r++) {
                long announced = (long) r * perWake + 1; // the head + 1 it announces at (S1)
                while (bridge.ring().consumerWakeAt != announced) {
                    assertThat(consumer.isAlive())
                            .as("the consumer is still receiving")
                            .isTrue();
                    Thread.onSpinWait();
                }
                List<Integer> batch = new ArrayList<>();
                for (int k = 0; k < perWake; k++) {
                    batch.add(r * perWake + k);
                }
                out.sendMany(batch);
            }
            consume.get();
            assertThat(policy.samples)
                    .as("samples with %d item(s) per wake over %d waits", perWake, rounds - 1)
                    .isEqualTo(samples);
        }
    }

    /** On one CPU a sample is a yield, which lets a side just woken answer: every wait without credit samples. */
    @Test
    void oneCpuSamplesEveryWaitWithoutCredit() {
        WaitPolicy.Adaptive p = new WaitPolicy.Adaptive(10_000, true);
        p.look(STILL_QUIET, NOT_WAKING); // credit 0
        for (int i = 0; i < 10; i++) {
            assertThat(p.look(STILL_QUIET, NOT_WAKING)).isFalse();
        }
        assertThat(p.samples).isEqualTo(10);
        assertThat(p.sleepsAtOnce).isZero();
    }

    @Test
    void oneCpuLooksByYielding() {
        WaitPolicy.Adaptive p = new WaitPolicy.Adaptive(10_000, true);
        Counting c = new Counting(false);
        assertThat(p.look(c, NOT_WAKING)).isTrue();
        assertThat(c.looks).as("looked after the first yield").isEqualTo(1);
    }

    @Test
    void aZeroMaximumNeverLooks() {
        WaitPolicy.Adaptive p = new WaitPolicy.Adaptive(0, false);
        BooleanSupplier never = () -> {
            throw new AssertionError("looked");
        };
        assertThat(p.look(never, NOT_WAKING)).isFalse();
        assertThat(p.look(never, WAKING)).isFalse();
    }

    // ------------------------------------------------------------ no side left asleep

    /** Decides at random per wait: no look, a spin of up to 20 µs, or yields: all within the contract. */
    static final class Fuzzing implements WaitPolicy {
        private final SplittableRandom rnd = new SplittableRandom(Long.getLong("wakefd.test.seed", System.nanoTime()));

        @Override
        public boolean look(BooleanSupplier quiet, BooleanSupplier otherWaking) {
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
    }

    /** The negative control: "sleep at once" done wrong, parking before anyone was asked to wake it. */
    static final class SleepsUnannounced implements WaitPolicy {
        @Override
        public boolean look(BooleanSupplier quiet, BooleanSupplier otherWaking) {
            if (!quiet.getAsBoolean()) {
                return true;
            }
            LockSupport.park(this); // nobody will unpark: the side has not announced
            return !quiet.getAsBoolean();
        }
    }

    private static Supplier<WaitPolicy> policy(String name) {
        return switch (name) {
            case "adaptive" -> () -> WaitPolicy.adaptive(10_000, false);
            case "adaptiveOneCpu" -> () -> WaitPolicy.adaptive(10_000, true);
            case "adaptiveDefault" -> () -> WaitPolicy.adaptive(Bridge.Builder.DEFAULT_SPIN_NANOS, false);
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
        "adaptiveDefault,false",
        "adaptiveDefault,true",
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
