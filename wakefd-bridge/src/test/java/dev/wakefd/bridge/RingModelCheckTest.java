package dev.wakefd.bridge;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.atomic.AtomicBoolean;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Validate;
import org.junit.jupiter.api.Test;

/**
 * Lincheck explores the interleavings of one producer and one consumer on the real {@link Ring},
 * with each Waker replaced by a fake wake signal (a "pending" flag: wake sets it, a sleeper's
 * wait returns only by clearing it, as {@code Waker.drain()}). A side that decided to sleep does
 * nothing in its later operations until its signal is pending, exactly like a blocked thread.
 * After each run the checks are:
 * <ul>
 *   <li>no lost wake for the consumer: asleep, while the ring holds an item or the sender has
 *       closed, implies its signal is pending;</li>
 *   <li>no lost wake for the producer: asleep, while {@code head} reached its announced target,
 *       the ring is empty or the receiver has closed, implies its signal is pending; and the
 *       target keeps the hysteresis (at least {@code resume} slots free) and is a multiple of the
 *       granule;</li>
 *   <li>items arrive in order, each once.</li>
 * </ul>
 * Lincheck runs under sequential consistency, which is what the volatile accesses of the
 * protocol give (see {@link Ring}). Broken variants (no re-check; re-check before the
 * announcement, on either side; a waker that skips an announcement it never woke for; a consumer
 * that publishes its index before it clears the slot) must be caught by the same checks, which
 * shows the test can fail.
 */
class RingModelCheckTest {

    /** The protocol state shared by the real model and the broken ones. */
    public abstract static class Model {
        final AtomicBoolean consumerPending = new AtomicBoolean();
        final AtomicBoolean producerPending = new AtomicBoolean();
        final Ring ring;
        // written by one side only, read by @Validate after the threads finished
        volatile boolean consumerAsleep;
        volatile boolean producerAsleep;
        volatile boolean senderClosed;
        volatile boolean receiverClosed;
        volatile int nextToSend = 1;
        volatile int nextExpected = 1;
        volatile String violation;

        Model(int capacity, int resume) {
            this(capacity, resume, Ring.granule(capacity, resume));
        }

        Model(int capacity, int resume, long granule) {
            ring = new Ring(
                    capacity, resume, granule, true, new FakeWake(consumerPending), new FakeWake(producerPending));
        }

        @Operation(nonParallelGroup = "producer")
        public void send() {
            if (producerAsleep) {
                if (!producerPending.getAndSet(false)) {
                    return; // still blocked
                }
                ring.producerWithdraw();
                producerAsleep = false;
            }
            if (senderClosed) {
                return;
            }
            try {
                if (ring.offer(nextToSend)) {
                    nextToSend++;
                } else {
                    producerSleep();
                }
            } catch (BridgeClosedException e) {
                if (!receiverClosed) {
                    violation = "send failed though the receiver is open: " + e.getMessage();
                }
            } catch (IllegalStateException e) {
                violation = "false misuse report: " + e.getMessage();
            }
        }

        void producerSleep() {
            if (ring.producerPrepareToWait()) {
                producerAsleep = true;
            }
        }

        @Operation(nonParallelGroup = "producer")
        public void closeSender() {
            if (!producerAsleep && !senderClosed) {
                senderClosed = true;
                ring.close(Ring.SENDER_CLOSED);
            }
        }

        @Operation(nonParallelGroup = "consumer")
        public void receive() {
            if (consumerAsleep) {
                if (!consumerPending.getAndSet(false)) {
                    return;
                }
                ring.consumerWithdraw();
                consumerAsleep = false;
            }
            if (receiverClosed) {
                return;
            }
            Object e = take();
            if (e != null) {
                if ((Integer) e != nextExpected) {
                    violation = "received " + e + ", expected " + nextExpected;
                }
                nextExpected++;
            } else if (!ring.endOfStream()) {
                consumerSleep();
            }
        }

        Object take() {
            return ring.poll();
        }

        void consumerSleep() {
            if (ring.consumerPrepareToWait()) {
                consumerAsleep = true;
            }
        }

        @Operation(nonParallelGroup = "consumer")
        public void closeReceiver() {
            if (!consumerAsleep && !receiverClosed) {
                receiverClosed = true;
                ring.close(Ring.RECEIVER_CLOSED);
            }
        }

        @Validate
        public void noLostWakeAndInOrder() {
            if (violation != null) {
                throw new AssertionError(violation);
            }
            boolean consumerShouldRun = !ring.isEmpty() || senderClosed;
            if (consumerAsleep && consumerShouldRun && !consumerPending.get()) {
                throw new AssertionError("lost consumer wake: " + (ring.tail - ring.head) + " item(s), sender "
                        + (senderClosed ? "closed" : "open") + ", signal not pending");
            }
            long free = ring.capacity - (ring.tail - ring.head);
            long target = ring.producerWakeAt;
            boolean producerShouldRun = ring.head >= target || free == ring.capacity || receiverClosed;
            if (producerAsleep && producerShouldRun && !producerPending.get()) {
                throw new AssertionError("lost producer wake: " + free + " slot(s) free (resume at " + ring.resume
                        + ", target head " + target + ", head " + ring.head + "), receiver "
                        + (receiverClosed ? "closed" : "open") + ", signal not pending");
            }
            if (producerAsleep && (target < ring.tail - ring.capacity + ring.resume || target % ring.granule != 0)) {
                throw new AssertionError("producer target " + target + " below the hysteresis (tail " + ring.tail
                        + ", resume " + ring.resume + ") or not a multiple of the granule " + ring.granule);
            }
            if (nextExpected - 1 != ring.head) {
                throw new AssertionError("received " + (nextExpected - 1) + " items, head says " + ring.head);
            }
        }
    }

    /** The fake wake signal: a named class, as Lincheck cannot track a lambda's captured fields. */
    static final class FakeWake implements Ring.Wake {
        private final AtomicBoolean pending;

        FakeWake(AtomicBoolean pending) {
            this.pending = pending;
        }

        @Override
        public void wake(Thread parked) {
            pending.set(true);
        }
    }

    /** The real protocol, capacity 2, producer woken as soon as one slot is free. */
    public static class RealResume1 extends Model {
        public RealResume1() {
            super(2, 1);
        }
    }

    /** The real protocol with hysteresis: producer woken only when both slots are free. */
    public static class RealResume2 extends Model {
        public RealResume2() {
            super(2, 2);
        }
    }

    /**
     * The real protocol with a granule of 2: the producer's targets are even, and the consumer's
     * publication takes the volatile store only when head reaches an even value (under Lincheck's
     * sequential consistency every store is ordered; what this checks is that the aligned targets
     * are reached and woken; RingGranuleStressTest checks the fences on the hardware).
     */
    public static class RealGranule2 extends Model {
        public RealGranule2() {
            super(2, 1, 2);
        }
    }

    /**
     * Broken: targets rounded up to a granule of 4 in a ring of 2 (the constructor refuses such a
     * granule): a target beyond the tail, which the consumer never reaches.
     */
    public static class TargetBeyondTail extends Model {
        public TargetBeyondTail() {
            super(2, 1);
        }

        @Override
        void producerSleep() {
            long target = (ring.tail - ring.capacity + ring.resume + 3) & -4;
            ring.producerWakeAt = target;
            if (ring.head < target) {
                producerAsleep = true;
            } else {
                ring.producerWakeAt = Ring.NONE;
            }
        }
    }

    /** Broken: the consumer announces and sleeps without re-checking. */
    public static class NoRecheck extends Model {
        public NoRecheck() {
            super(2, 1);
        }

        @Override
        void consumerSleep() {
            ring.consumerWakeAt = ring.head + 1;
            consumerAsleep = true;
        }
    }

    /** Broken: the consumer checks first and announces after (the classic lost wake-up). */
    public static class CheckThenAnnounce extends Model {
        public CheckThenAnnounce() {
            super(2, 1);
        }

        @Override
        void consumerSleep() {
            if (ring.tail == ring.head && !senderClosed) {
                ring.consumerWakeAt = ring.head + 1;
                consumerAsleep = true;
            }
        }
    }

    /** Broken on the producer's side: announces after its re-check. */
    public static class ProducerCheckThenAnnounce extends Model {
        public ProducerCheckThenAnnounce() {
            super(2, 1);
        }

        @Override
        void producerSleep() {
            long h = ring.head;
            if (ring.tail - h >= ring.capacity) {
                ring.producerWakeAt = h + ring.resume;
                producerAsleep = true;
            }
        }
    }

    /**
     * Broken dedup: the producer records an announcement as woken when it merely read it, before
     * its publication satisfied it (the real ring records only the value it woke for). A sleeping
     * announcement then gets skipped, which the check must catch.
     */
    public static class DedupRecordsUnwokenAnnouncement extends Model {
        public DedupRecordsUnwokenAnnouncement() {
            super(2, 1);
        }

        @Override
        public void send() {
            if (!producerAsleep) {
                ring.consumerWokenFor = ring.consumerWakeAt;
            }
            super.send();
        }
    }

    /**
     * Broken order on the consumer's side: publishes {@code head} before it clears the slot. The
     * producer, which reads {@code head} when its next slot is still full, then takes the slot
     * for free while it still holds the item: it overwrites it or, as the real ring does, finds
     * it full and reports a second producer. The real consumer clears first (release), then
     * publishes (docs/design/bridge-ring.md, "Indices and memory").
     */
    public static class HeadBeforeClear extends Model {
        public HeadBeforeClear() {
            super(2, 1);
        }

        @Override
        Object take() {
            long h = ring.head;
            int i = (int) h & ring.mask;
            Object e = ring.buffer[i];
            if (e != null) {
                ring.head = h + 1;
                long w = ring.producerWakeAt; // the real P2, so only the order differs
                if (h + 1 >= w && w != ring.producerWokenFor) {
                    ring.producerWokenFor = w;
                    producerPending.set(true);
                }
                ring.buffer[i] = null;
            }
            return e;
        }
    }

    /*
     * Small scenarios on purpose: a lost wake shows only if the waking side does nothing more
     * afterwards (any later publication would wake the sleeper), so short runs expose it far more
     * often than long ones. Capacity 2 makes full and empty both one step away.
     */
    private static ModelCheckingOptions options() {
        return new ModelCheckingOptions()
                .iterations(Integer.getInteger("wakefd.bridge.lincheck.iterations", 60))
                .invocationsPerIteration(1_000)
                .threads(2)
                .actorsPerThread(3)
                .actorsBefore(1)
                .actorsAfter(0);
    }

    @Test
    void realProtocolLosesNoWake() {
        options().check(RealResume1.class);
    }

    @Test
    void realProtocolWithHysteresisLosesNoWake() {
        options().check(RealResume2.class);
    }

    @Test
    void realProtocolWithAGranuleLosesNoWake() {
        options().check(RealGranule2.class);
    }

    @Test
    void theCheckCatchesATargetBeyondTheTail() {
        assertThatThrownBy(() -> options().check(TargetBeyondTail.class))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("lost producer wake");
    }

    @Test
    void theCheckCatchesAMissingRecheck() {
        assertThatThrownBy(() -> options().check(NoRecheck.class))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("lost consumer wake");
    }

    @Test
    void theCheckCatchesCheckThenAnnounce() {
        assertThatThrownBy(() -> options().check(CheckThenAnnounce.class))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("lost consumer wake");
    }

    @Test
    void theCheckCatchesADedupThatSkipsASleepingAnnouncement() {
        assertThatThrownBy(() -> options().check(DedupRecordsUnwokenAnnouncement.class))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("lost consumer wake");
    }

    @Test
    void theCheckCatchesAConsumerThatPublishesBeforeItClears() {
        assertThatThrownBy(() -> options().check(HeadBeforeClear.class))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("false misuse report");
    }

    @Test
    void theCheckCatchesProducerCheckThenAnnounce() {
        assertThatThrownBy(() -> options().check(ProducerCheckThenAnnounce.class))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("lost producer wake");
    }
}
