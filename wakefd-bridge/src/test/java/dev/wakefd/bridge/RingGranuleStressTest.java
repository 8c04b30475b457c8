package dev.wakefd.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The consumer's fence once per granule (docs/design/bridge-ring.md, "The consumer's fence, once
 * per granule") on the hardware, where Lincheck's sequential consistency cannot look: a store
 * followed by a load of another variable may complete in the other order (x86 store buffer,
 * ARM), which is what the volatile store at a granule boundary forbids. Two threads run the real
 * {@link Ring} with a wake that sets a flag and unparks; ring of 2 and resume 2, so every wait of
 * the producer is for the ring to drain and the publication that satisfies it is the consumer's
 * last before the ring is empty: no later publication would heal a missed wake, and a missed one
 * leaves both sides asleep. A side that waited {@link #STUCK_NANOS} while the other side made no
 * progress and no wake is pending reports a lost wake.
 *
 * <p>The negative control announces targets between granule boundaries (not aligned) while the
 * consumer still stores with a fence only at the boundaries: its unfenced publication races the
 * producer's announcement as a store-buffering litmus test, and on a multi-CPU machine it loses a
 * wake within a few hundred thousand items (well under a second with spinning sides; the test
 * allows 120 s). On one CPU no store is ever buffered across a
 * context switch, so the control cannot fail there and is skipped (this test's only dependence
 * on the machine's layout).
 */
class RingGranuleStressTest {
    static final long STUCK_NANOS = TimeUnit.SECONDS.toNanos(2);
    static final Object ITEM = new Object();

    /**
     * With more than one CPU a waiting side spins on its wake flag instead of parking: a wait
     * then lasts a few hundred nanoseconds instead of a park's tens of microseconds, so the
     * publications that race an announcement come a hundred times as often, and the negative
     * control loses a wake in well under a second instead of in 5 to 120 s (parking, measured on
     * this VM; 120 s once passed without a loss in CI). On one CPU a spin would only keep the
     * other side off the CPU, so a side parks.
     */
    static final boolean SPIN = Runtime.getRuntime().availableProcessors() > 1;

    /** One side's wake and progress; a wake sets the flag (and unparks the side's thread, if it parks). */
    static final class Side implements Ring.Wake {
        final AtomicBoolean pending = new AtomicBoolean();
        volatile Thread thread;
        volatile long done; // items sent or taken: the other side's proof of progress

        @Override
        public void wake(Thread parked) {
            pending.set(true);
            if (!SPIN) {
                LockSupport.unpark(thread);
            }
        }

        /** Waits for a wake; false if none came while {@code other} made no progress for STUCK_NANOS. */
        boolean await(Side other) {
            long seen = other.done;
            long since = System.nanoTime();
            while (!pending.getAndSet(false)) {
                long now = System.nanoTime();
                if (other.done != seen) {
                    seen = other.done;
                    since = now;
                } else if (now - since >= STUCK_NANOS) {
                    return pending.getAndSet(false);
                }
                if (SPIN) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.parkNanos(this, STUCK_NANOS / 4);
                }
            }
            return true;
        }
    }

    /** Passes {@code items} through; null, or what the first lost wake looked like. */
    static String run(int capacity, int resume, long granule, boolean align, long items) throws Exception {
        Side consumer = new Side();
        Side producer = new Side();
        Ring ring = new Ring(capacity, resume, granule, align, consumer, producer);
        String[] lost = new String[2];
        Thread p = Thread.ofPlatform().unstarted(() -> {
            try {
                for (long i = 0; i < items; i++) {
                    while (!ring.offer(ITEM)) {
                        if (ring.producerPrepareToWait()) {
                            if (!producer.await(consumer)) {
                                lost[0] = "producer asleep for target head " + ring.producerWakeAt + " with head "
                                        + ring.head + ", tail " + ring.tail + ", after " + i + " items";
                                ring.close(Ring.SENDER_CLOSED);
                                return;
                            }
                            ring.producerWithdraw();
                        }
                    }
                    producer.done = i + 1;
                }
            } catch (BridgeClosedException e) {
                // the consumer reported a lost wake and closed
            }
        });
        Thread c = Thread.ofPlatform().unstarted(() -> {
            long taken = 0;
            while (taken < items) {
                if (ring.poll() != null) {
                    consumer.done = ++taken;
                } else if (ring.consumerPrepareToWait()) {
                    if (!consumer.await(producer)) {
                        lost[1] = "consumer asleep with head " + ring.head + ", tail " + ring.tail;
                        ring.close(Ring.RECEIVER_CLOSED);
                        return;
                    }
                    ring.consumerWithdraw();
                    if ((ring.gate() & Ring.SENDER_CLOSED) != 0) {
                        return;
                    }
                }
            }
        });
        producer.thread = p;
        consumer.thread = c;
        p.start();
        c.start();
        p.join();
        c.join();
        return lost[0] != null ? lost[0] : lost[1];
    }

    @Test
    void realRingLosesNoWakeWhenEveryWaitIsForTheLastPublication() throws Exception {
        // a wait per item: 2M items take about a second with spinning sides, where the negative
        // control below loses a wake within some 40,000
        assertThat(run(2, 2, Ring.granule(2, 2), true, SPIN ? 2_000_000 : 200_000))
                .isNull();
    }

    @Test
    void realRingWithAGranuleOfFourLosesNoWake() throws Exception {
        assertThat(Ring.granule(64, 16)).isEqualTo(4);
        assertThat(run(64, 16, Ring.granule(64, 16), true, 2_000_000)).isNull();
    }

    @Test
    void unalignedTargetsLoseAWake() throws Exception {
        // One CPU: no store stays buffered while the other thread runs; the litmus cannot show.
        Assumptions.assumeTrue(Runtime.getRuntime().availableProcessors() > 1);
        String lost = null;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (lost == null && System.nanoTime() < deadline) {
            lost = run(2, 2, 2, false, 100_000);
        }
        assertThat(lost)
                .as("a lost wake with targets between granule boundaries, within 120 s")
                .isNotNull();
    }
}
