package dev.wakefd.shm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wakefd.internal.Membarrier;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * One thread per end, biased (docs/design/shm-ring.md, "One thread per end"): the owner enters
 * without a locked instruction, another thread takes over only after a membarrier shows the owner
 * is not inside. The stress test counts operations that overlapped; its negative control drops the
 * membarrier (T2) and must see one.
 */
class ShmOwnershipTest {
    @Test
    void handsOffBetweenThreadsThenStopsBeingBiased() throws Exception {
        try (Channels.Pair p = Channels.pair(4096)) {
            ShmSender tx = p.sender();
            List<Boolean> biased = new ArrayList<>();
            for (int i = 0; i < ShmEnd.MAX_TAKE_OVERS + 2; i++) {
                byte[] m = {(byte) i};
                Thread t = Thread.ofPlatform().start(() -> {
                    try {
                        tx.send(m);
                    } catch (Exception e) {
                        throw new AssertionError(e);
                    }
                });
                t.join();
                biased.add(tx.biased());
            }
            tx.send(new byte[] {99}); // and back on this thread
            // the first thread makes the end biased to it, each later one takes it over; the
            // MAX_TAKE_OVERS-th take-over leaves it unbiased (a CAS per operation from then on)
            if (Membarrier.available()) {
                assertThat(biased.subList(0, ShmEnd.MAX_TAKE_OVERS)).containsOnly(true);
            }
            assertThat(biased.getLast()).isFalse();
            for (int i = 0; i < ShmEnd.MAX_TAKE_OVERS + 2; i++) {
                assertThat(p.receiver().receive()).containsExactly(i);
            }
            assertThat(p.receiver().receive()).containsExactly(99);
        }
    }

    @Test
    void aSecondThreadIsRefusedWhileTheOwnerIsInside() throws Exception {
        try (Channels.Pair p = Channels.pair(4096)) {
            ShmReceiver rx = p.receiver();
            Thread owner = Thread.ofPlatform().name("owner").start(() -> {
                while (true) {
                    try {
                        rx.receive(); // inside until a message comes
                        return;
                    } catch (IllegalStateException e) {
                        // refused while the test's thread was inside its poll: both sides may be, try again
                    } catch (Exception e) {
                        throw new AssertionError(e);
                    }
                }
            });
            // until the owner is inside, poll() finds the ring empty (or is refused while the
            // owner takes the end over); then it is refused because the owner is inside
            IllegalStateException refused = null;
            long deadline = System.nanoTime() + 60_000_000_000L; // a failure, not a hang, if the owner never gets in
            while (refused == null) {
                assertThat(owner.isAlive()).isTrue();
                assertThat(System.nanoTime() - deadline).isNegative();
                try {
                    assertThat(rx.poll()).isNull();
                } catch (IllegalStateException e) {
                    if (e.getMessage().contains("is inside an operation")) {
                        refused = e;
                    }
                }
            }
            assertThat(refused).hasMessageContaining("thread owner").hasMessageContaining("one thread at a time");
            p.sender().send(new byte[] {1});
            owner.join();
            assertThat(rx.poll()).isNull(); // the end is usable again from this thread
        }
    }

    @Test
    void takeOversNeverLetTwoOperationsOverlap() throws Exception {
        Assumptions.assumeTrue(Membarrier.available(), Membarrier::unavailableReason);
        Result r = race(true, 20_000, 0);
        System.out.println("with the barrier: " + r);
        assertThat(r.overlaps).as("overlapping operations (%s)", r).isZero();
        assertThat(r.takeOvers).as("take-overs (%s)", r).isGreaterThanOrEqualTo(20_000);
    }

    /**
     * The negative control: without the membarrier (T2) the owner's B1 can sit in its store buffer
     * while the taker reads {@code inside} (T3) and the owner reads {@code revoker} (B2): both enter.
     */
    @Test
    void withoutTheBarrierOperationsOverlap() throws Exception {
        // a store-buffer race needs two CPUs running at once; without membarrier no end is biased
        Assumptions.assumeTrue(Runtime.getRuntime().availableProcessors() > 1, "a store-buffer race needs two CPUs");
        Assumptions.assumeTrue(Membarrier.available(), Membarrier::unavailableReason);
        Result r = race(false, Long.MAX_VALUE, 1);
        System.out.println("without the barrier: " + r);
        assertThat(r.overlaps).as("overlapping operations (%s)", r).isPositive();
    }

    /** The id of the last operation's thread: opaque accesses only, no fences that would hide the race. */
    private static final AtomicInteger HOLDER = new AtomicInteger();

    record Result(long takeOvers, long refusals, long overlaps, long nanos) {}

    /**
     * Two threads enter and leave one end as fast as they can (each operation writes its id,
     * spins, and reads it back: a change means the other was inside at the same time), until
     * {@code takeOvers} operations began on a thread other than the previous one's or
     * {@code overlapsWanted} overlaps were seen (0: count them all), or 120 s passed.
     */
    private static Result race(boolean barrier, long takeOvers, long overlapsWanted) throws Exception {
        try (Channels.Pair p = Channels.pair(4096)) {
            ShmEnd end = p.sender();
            end.maxTakeOvers = Integer.MAX_VALUE; // stay biased: every hand-off is a take-over
            end.takeOverBarrier = barrier;
            AtomicLong switches = new AtomicLong(), refusals = new AtomicLong(), overlaps = new AtomicLong();
            long deadline = System.nanoTime() + 120_000_000_000L;
            long start = System.nanoTime();
            Thread[] threads = new Thread[2];
            for (int k = 0; k < 2; k++) {
                int me = k + 1;
                threads[k] = Thread.ofPlatform().start(() -> {
                    long n = 0;
                    while (switches.get() < takeOvers
                            && (overlapsWanted == 0 || overlaps.get() < overlapsWanted)
                            && ((++n & 1023) != 0 || System.nanoTime() < deadline)) {
                        int took;
                        try {
                            took = end.enter("race");
                        } catch (IllegalStateException e) {
                            refusals.getAndIncrement();
                            continue;
                        }
                        try {
                            int before = HOLDER.getOpaque();
                            HOLDER.setOpaque(me);
                            for (int i = 0; i < 16; i++) {
                                Thread.onSpinWait();
                            }
                            if (HOLDER.getOpaque() != me) {
                                overlaps.getAndIncrement();
                            }
                            if (before != me) { // the other thread's operation came last: a hand-off
                                switches.getAndIncrement();
                            }
                        } finally {
                            end.exit(took);
                        }
                    }
                });
            }
            for (Thread t : threads) {
                t.join();
            }
            return new Result(switches.get(), refusals.get(), overlaps.get(), System.nanoTime() - start);
        }
    }
}
