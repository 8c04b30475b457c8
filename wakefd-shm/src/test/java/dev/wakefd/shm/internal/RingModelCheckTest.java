package dev.wakefd.shm.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A model check of the publish/consume and sleep/wake protocol (docs/design/shm-ring.md): the
 * real {@link Ring} code of a producer and a consumer runs on two threads that a scheduler lets
 * move one shared-memory access at a time, in random interleavings (sequential consistency, the
 * order the seq-cst accesses give); eventfds are counters and a sleeper is runnable only once
 * its counter is non-zero. A sleeper either reads its eventfd when it wakes, or (as a platform
 * thread in ShmEnd does) clears it before it announces and leaves the count when it wakes; the
 * clear is a scheduling point of its own. A schedule fails if both sides are stuck (a lost
 * wake-up), or the consumer gets a message out of order or torn. The correct order passes every
 * schedule in both ways of sleeping; each broken order (the negative controls) is caught.
 */
@Timeout(120)
class RingModelCheckTest {
    static final int CAPACITY = 4096, MESSAGES = 10, SCHEDULES = 400;

    /** Thrown into both sides to end a schedule that found a bug. */
    static final class Stop extends RuntimeException {
        Stop(String m) {
            super(m, null, false, false);
        }
    }

    /** Runs two sides one access at a time, choosing randomly who moves next. */
    static final class Scheduler {
        final ReentrantLock lock = new ReentrantLock();
        final Condition turn = lock.newCondition();
        final Random random;
        final long[] counter = new long[2]; // the eventfds: [0] data available (consumer sleeps), [1] space available
        final boolean[] sleeping = new boolean[2], done = new boolean[2];
        int current = 0;
        String failure;

        Scheduler(long seed) {
            random = new Random(seed);
        }

        private boolean runnable(int side) {
            return !done[side] && !(sleeping[side] && counter[side] == 0);
        }

        /** Picks who moves next (holding the lock); records a deadlock. */
        private void pick() {
            boolean a = runnable(0), b = runnable(1);
            if (!a && !b) {
                if (!(done[0] && done[1]) && failure == null) {
                    failure = "lost wake-up: " + (done[1] ? "the producer finished" : "the producer sleeps")
                            + " and the consumer sleeps";
                }
                turn.signalAll();
                return;
            }
            current = a && b ? random.nextInt(2) : (a ? 0 : 1);
            turn.signalAll();
        }

        private void awaitTurn(int side) {
            while ((current != side || !runnable(side)) && failure == null) {
                turn.awaitUninterruptibly();
            }
            if (failure != null) {
                throw new Stop(failure);
            }
        }

        void step(int side) {
            lock.lock();
            try {
                awaitTurn(side);
                pick();
                awaitTurn(side);
            } finally {
                lock.unlock();
            }
        }

        /** Waits until the side's counter is non-zero; {@code read}: then reads it (else leaves it). */
        void sleep(int side, boolean read) {
            lock.lock();
            try {
                sleeping[side] = true;
                pick();
                awaitTurn(side);
                sleeping[side] = false;
                if (read) {
                    counter[side] = 0; // the eventfd read
                }
            } finally {
                lock.unlock();
            }
        }

        /** The sleeper's clear of its own eventfd (a read that takes whatever is there): one step. */
        void clear(int side) {
            step(side);
            lock.lock();
            try {
                counter[side] = 0;
            } finally {
                lock.unlock();
            }
        }

        void signal(int side) {
            lock.lock();
            try {
                counter[side]++;
            } finally {
                lock.unlock();
            }
        }

        void finish(int side) {
            lock.lock();
            try {
                done[side] = true;
                pick();
            } finally {
                lock.unlock();
            }
        }

        void fail(String why) {
            lock.lock();
            try {
                if (failure == null) {
                    failure = why;
                }
                turn.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    /** Shared-memory accesses as scheduling points for one side (0 = consumer, 1 = producer). */
    record SteppedMem(SegmentMem mem, Scheduler s, int side) implements Mem {
        public long loadVolatile(long o) {
            s.step(side);
            return mem.loadVolatile(o);
        }

        public void storeVolatile(long o, long v) {
            s.step(side);
            mem.storeVolatile(o, v);
        }

        public long loadAcquire(long o) {
            s.step(side);
            return mem.loadAcquire(o);
        }

        public void storeRelease(long o, long v) {
            s.step(side);
            mem.storeRelease(o, v);
        }

        public int loadIntVolatile(long o) {
            s.step(side);
            return mem.loadIntVolatile(o);
        }

        public void storeIntVolatile(long o, int v) {
            s.step(side);
            mem.storeIntVolatile(o, v);
        }

        public long loadPlain(long o) {
            s.step(side);
            return mem.loadPlain(o);
        }

        public void storePlain(long o, long v) {
            s.step(side);
            mem.storePlain(o, v);
        }

        public MemorySegment segment() {
            return mem.segment();
        }
    }

    /**
     * One schedule; returns null if it passed, else what went wrong. {@code clearFirst}: the
     * sleepers clear their eventfds before announcing and do not read them when woken.
     */
    static String run(long seed, Ring.Order order, boolean clearFirst) throws InterruptedException {
        MemorySegment seg = Arena.ofAuto().allocate(Layout.regionSize(CAPACITY), 64);
        seg.set(ValueLayout.JAVA_LONG, Layout.OFF_CONSUMER_WAKE_AT, Layout.NONE);
        seg.set(ValueLayout.JAVA_LONG, Layout.OFF_PRODUCER_WAKE_AT, Layout.NONE);
        Scheduler s = new Scheduler(seed);
        SegmentMem mem = new SegmentMem(seg);
        Ring producer = new Ring(new SteppedMem(mem, s, 1), CAPACITY, () -> s.signal(0), () -> s.clear(1), order);
        Ring consumer = new Ring(new SteppedMem(mem, s, 0), CAPACITY, () -> s.signal(1), () -> s.clear(0), order);
        Random sizes = new Random(seed * 31 + 7);
        int[] lens = new int[MESSAGES];
        for (int i = 0; i < MESSAGES; i++) {
            lens[i] = 600 + sizes.nextInt(1400); // two or three fit: the producer fills the ring and sleeps
        }
        List<Throwable> errors = new ArrayList<>();
        Thread p = Thread.ofPlatform().start(() -> {
            try {
                for (int i = 0; i < MESSAGES; i++) {
                    long at;
                    while ((at = producer.claim(lens[i])) < 0) {
                        if (producer.producerPrepareToWait(clearFirst)) {
                            s.sleep(1, !clearFirst);
                            producer.producerWithdraw();
                        }
                    }
                    seg.asSlice(at, lens[i]).fill((byte) i);
                    producer.commit();
                    producer.publish();
                }
                producer.producerClose();
                s.signal(0); // close wakes the consumer unconditionally
                s.finish(1);
            } catch (Stop ignored) {
                // the schedule already failed
            } catch (Throwable t) {
                errors.add(t);
                s.fail(t.toString());
            }
        });
        Thread c = Thread.ofPlatform().start(() -> {
            try {
                s.step(0);
                int got = 0;
                while (true) {
                    long at = consumer.next();
                    if (at >= 0) {
                        int len = consumer.nextLength();
                        if (got >= MESSAGES
                                || len != lens[got]
                                || seg.get(ValueLayout.JAVA_BYTE, at + len - 1) != (byte) got) {
                            s.fail("message " + got + " torn or out of order (length " + len + ")");
                            return;
                        }
                        consumer.consume();
                        consumer.publishHead();
                        got++;
                        continue;
                    }
                    if (consumer.endOfStream()) {
                        break;
                    }
                    if (consumer.consumerPrepareToWait(clearFirst)) {
                        s.sleep(0, !clearFirst);
                        consumer.consumerWithdraw();
                    }
                }
                if (got != MESSAGES) {
                    s.fail("end of stream after " + got + " of " + MESSAGES + " messages");
                }
                s.finish(0);
            } catch (Stop ignored) {
                // the schedule already failed
            } catch (Throwable t) {
                errors.add(t);
                s.fail(t.toString());
            }
        });
        p.join();
        c.join();
        assertThat(errors).isEmpty();
        return s.failure;
    }

    /** Both ways of sleeping: read the eventfd when woken, or clear it before announcing. */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void correctOrderPassesEverySchedule(boolean clearFirst) throws Exception {
        for (long seed = 1; seed <= SCHEDULES; seed++) {
            assertThat(run(seed, Ring.Order.CORRECT, clearFirst))
                    .as("schedule seed %d", seed)
                    .isNull();
        }
    }

    /**
     * Negative controls: each broken order loses a wake-up in some schedule, and the check says
     * so. CLEAR_AFTER_ANNOUNCE clears the eventfd after the re-check instead of before the
     * announcement (it only means something for sleepers that clear).
     */
    @ParameterizedTest
    @EnumSource(
            value = Ring.Order.class,
            names = {"RECHECK_BEFORE_ANNOUNCE", "WAKE_CHECK_BEFORE_PUBLISH", "CLEAR_AFTER_ANNOUNCE"})
    void brokenOrdersAreCaught(Ring.Order order) throws Exception {
        boolean clearFirst = order == Ring.Order.CLEAR_AFTER_ANNOUNCE;
        String found = null;
        for (long seed = 1; seed <= SCHEDULES && found == null; seed++) {
            found = run(seed, order, clearFirst);
        }
        assertThat(found)
                .as("some schedule of %s must lose a wake-up", order)
                .isNotNull()
                .contains("lost wake-up");
    }
}
