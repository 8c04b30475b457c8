package dev.wakefd.bench;

import com.lmax.disruptor.AlertException;
import com.lmax.disruptor.BlockingWaitStrategy;
import com.lmax.disruptor.RingBuffer;
import com.lmax.disruptor.Sequence;
import com.lmax.disruptor.SequenceBarrier;
import com.lmax.disruptor.WaitStrategy;
import com.lmax.disruptor.YieldingWaitStrategy;
import dev.wakefd.bridge.Bridge;
import dev.wakefd.bridge.Receiver;
import dev.wakefd.bridge.Sender;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.OneToOneConcurrentArrayQueue;
import org.jctools.queues.MessagePassingQueue;
import org.jctools.queues.SpscArrayQueue;

/**
 * One-way single-producer single-consumer channels as a user would build them from the libraries
 * users pick instead of the bridge, each with the waiting those libraries come with or suggest
 * (BridgeRivalsBench). Every lane's blocking calls end with {@link Stopped} once {@link #stop()}
 * was called, so no consumer keeps spinning into the next benchmark.
 */
abstract class Lane {
    static final int CAPACITY = 1024;

    /** Thrown by a blocking call after {@link #stop()}. */
    static final class Stopped extends Exception {
        Stopped() {
            super(null, null, false, false);
        }
    }

    volatile boolean stopped;

    abstract void put(Object x) throws Exception;

    abstract Object take() throws Exception;

    /** Puts every item of {@code batch}; lanes with a batch call use it. */
    void putAll(List<Object> batch) throws Exception {
        for (Object x : batch) {
            put(x);
        }
    }

    /** Waits for at least one item, then takes up to {@code max}; returns how many. */
    int takeSome(Consumer<Object> sink, int max) throws Exception {
        sink.accept(take());
        return 1;
    }

    void stop() {
        stopped = true;
    }

    void checkStopped() throws Stopped {
        if (stopped) {
            throw new Stopped();
        }
    }

    static Lane of(String name) throws Exception {
        return switch (name) {
            case "bridge" -> new BridgeLane(Bridge.open(CAPACITY));
            case "bridgeNoLook" ->
                new BridgeLane( // a control: sleeps at once, as the park/unpark lanes do
                        Bridge.builder()
                                .capacity(CAPACITY)
                                .spinBeforeSleep(Duration.ZERO)
                                .open());
            case "jctoolsPark" -> new JctoolsParkLane();
            case "jctoolsSpin" -> new JctoolsSpinLane();
            case "disruptorBlocking" -> new DisruptorLane(new BlockingWaitStrategy());
            case "disruptorYielding" -> new DisruptorLane(new YieldingWaitStrategy());
            case "agronaBackoff" -> new AgronaLane();
            case "arrayBlockingQueue" -> new AbqLane();
            default -> throw new IllegalArgumentException("unknown lane " + name);
        };
    }

    /** The wakefd bridge with its default (adaptive) waiting. */
    static final class BridgeLane extends Lane {
        final Bridge<Object> bridge;
        final Sender<Object> out;
        final Receiver<Object> in;

        BridgeLane(Bridge<Object> bridge) {
            this.bridge = bridge;
            out = bridge.sender();
            in = bridge.receiver();
        }

        @Override
        void put(Object x) throws Exception {
            out.send(x);
        }

        @Override
        Object take() throws Exception {
            Object x = in.receive();
            if (x == null) {
                throw new Stopped();
            }
            return x;
        }

        @Override
        void putAll(List<Object> batch) throws Exception {
            out.sendMany(batch);
        }

        @Override
        int takeSome(Consumer<Object> sink, int max) throws Exception {
            int n = in.receiveMany(sink, max);
            if (n < 0) {
                throw new Stopped();
            }
            return n;
        }

        @Override
        void stop() {
            super.stop();
            out.close(); // end of stream: a waiting receive returns
        }
    }

    /**
     * JCTools' SPSC queue with the park/unpark wait a user adds to it: announce (volatile store),
     * full fence, re-check, park; the other side fences after its offer/poll and unparks an
     * announced waiter (Dekker; the queue's own index stores are release stores, too weak alone).
     */
    static final class JctoolsParkLane extends Lane {
        final SpscArrayQueue<Object> q = new SpscArrayQueue<>(CAPACITY);
        volatile Thread consumerWaiting;
        volatile Thread producerWaiting;

        @Override
        void put(Object x) throws Exception {
            while (!q.offer(x)) {
                producerWaiting = Thread.currentThread();
                VarHandle.fullFence();
                if (q.size() >= CAPACITY) {
                    LockSupport.park(this);
                }
                producerWaiting = null;
                checkStopped();
            }
            VarHandle.fullFence();
            Thread c = consumerWaiting;
            if (c != null) {
                LockSupport.unpark(c);
            }
        }

        @Override
        Object take() throws Exception { // mirror of put(): the consumer's half of the same handshake
            Object x;
            while ((x = q.poll()) == null) {
                consumerWaiting = Thread.currentThread();
                VarHandle.fullFence();
                if (q.isEmpty() && !stopped) {
                    LockSupport.park(this);
                }
                consumerWaiting = null;
                checkStopped();
            }
            VarHandle.fullFence();
            Thread p = producerWaiting;
            if (p != null) {
                LockSupport.unpark(p);
            }
            return x;
        }

        @Override
        void stop() {
            super.stop();
            LockSupport.unpark(consumerWaiting);
            LockSupport.unpark(producerWaiting);
        }
    }

    /**
     * JCTools' SPSC queue, both sides busy-spinning: the spinners' speed, at a whole CPU each.
     * Batches go through JCTools' own batch calls, as its users write them: {@code fill} on the
     * producer's side (spinning while full), {@code drain} up to the batch on the consumer's
     * (spinning while empty). The counts of spins that found the queue full or empty are
     * diagnostics (PairedRivals' batch trace), each written by one side only.
     */
    static final class JctoolsSpinLane extends Lane {
        final SpscArrayQueue<Object> q = new SpscArrayQueue<>(CAPACITY);
        private final BatchSupplier supply = new BatchSupplier();
        long fullSpins; // producer only
        long emptySpins; // consumer only
        private Consumer<Object> lastSink; // consumer only
        private MessagePassingQueue.Consumer<Object> adapted;

        /** Hands out a batch's items in order; fill calls it once per item it adds. */
        static final class BatchSupplier implements MessagePassingQueue.Supplier<Object> {
            List<Object> batch;
            int next;

            @Override
            public Object get() {
                return batch.get(next++);
            }
        }

        @Override
        void putAll(List<Object> batch) throws Exception {
            BatchSupplier s = supply;
            s.batch = batch;
            s.next = 0;
            int n = batch.size();
            while (s.next < n) {
                if (q.fill(s, n - s.next) == 0) {
                    fullSpins++;
                    Thread.onSpinWait();
                    checkStopped();
                }
            }
        }

        @Override
        void put(Object x) throws Exception {
            while (!q.offer(x)) {
                Thread.onSpinWait();
                checkStopped();
            }
        }

        @Override
        Object take() throws Exception {
            Object x;
            while ((x = q.poll()) == null) {
                Thread.onSpinWait();
                checkStopped();
            }
            return x;
        }

        @Override
        int takeSome(Consumer<Object> sink, int max) throws Exception {
            if (sink != lastSink) { // the adapter made once per sink, not per drain
                lastSink = sink;
                adapted = sink::accept;
            }
            MessagePassingQueue.Consumer<Object> c = adapted;
            int n;
            while ((n = q.drain(c, max)) == 0) {
                emptySpins++;
                Thread.onSpinWait();
                checkStopped();
            }
            return n;
        }
    }

    /** The LMAX Disruptor's ring as a one-way channel: the consumer waits through a barrier with the given strategy. */
    static final class DisruptorLane extends Lane {
        static final class Slot {
            Object value;
        }

        final RingBuffer<Slot> ring;
        final Sequence consumed = new Sequence(-1);
        final SequenceBarrier barrier;
        long available = -1; // consumer only

        DisruptorLane(WaitStrategy wait) {
            ring = RingBuffer.createSingleProducer(Slot::new, CAPACITY, wait);
            ring.addGatingSequences(consumed);
            barrier = ring.newBarrier();
        }

        @Override
        void put(Object x) {
            long s = ring.next(); // the Disruptor's producer waits for room itself (parkNanos(1) loop)
            ring.get(s).value = x;
            ring.publish(s);
        }

        @Override
        void putAll(List<Object> batch) {
            int n = batch.size();
            long hi = ring.next(n);
            long lo = hi - n + 1;
            for (int i = 0; i < n; i++) {
                ring.get(lo + i).value = batch.get(i);
            }
            ring.publish(lo, hi);
        }

        @Override
        Object take() throws Exception {
            long next = consumed.get() + 1;
            if (available < next) {
                available = await(next);
            }
            Slot slot = ring.get(next);
            Object x = slot.value;
            slot.value = null;
            consumed.set(next);
            return x;
        }

        @Override
        int takeSome(Consumer<Object> sink, int max) throws Exception {
            long next = consumed.get() + 1;
            if (available < next) {
                available = await(next);
            }
            long last = Math.min(available, next + max - 1);
            for (long s = next; s <= last; s++) {
                Slot slot = ring.get(s);
                sink.accept(slot.value);
                slot.value = null;
            }
            consumed.set(last);
            return (int) (last - next + 1);
        }

        private long await(long next) throws Exception {
            try {
                return barrier.waitFor(next);
            } catch (AlertException e) {
                throw new Stopped();
            }
        }

        @Override
        void stop() {
            super.stop();
            barrier.alert();
        }
    }

    /** Agrona's SPSC queue with its BackoffIdleStrategy (defaults: spin, yield, then park 1 µs to 1 ms). */
    static final class AgronaLane extends Lane {
        final OneToOneConcurrentArrayQueue<Object> q = new OneToOneConcurrentArrayQueue<>(CAPACITY);
        final BackoffIdleStrategy producerIdle = new BackoffIdleStrategy();
        final BackoffIdleStrategy consumerIdle = new BackoffIdleStrategy();

        @Override
        void put(Object x) throws Exception {
            if (!q.offer(x)) {
                do {
                    producerIdle.idle();
                    checkStopped();
                } while (!q.offer(x));
                producerIdle.reset();
            }
        }

        @Override
        Object take() throws Exception {
            Object x = q.poll();
            if (x == null) {
                do {
                    consumerIdle.idle();
                    checkStopped();
                } while ((x = q.poll()) == null);
                consumerIdle.reset();
            }
            return x;
        }

        @Override
        int takeSome(Consumer<Object> sink, int max) throws Exception {
            int n = q.drain(sink, max);
            if (n == 0) {
                do {
                    consumerIdle.idle();
                    checkStopped();
                } while ((n = q.drain(sink, max)) == 0);
                consumerIdle.reset();
            }
            return n;
        }
    }

    /** The JDK's ArrayBlockingQueue: one lock, two conditions. */
    static final class AbqLane extends Lane {
        final ArrayBlockingQueue<Object> q = new ArrayBlockingQueue<>(CAPACITY);
        volatile Thread consumer;

        @Override
        void put(Object x) throws Exception {
            q.put(x);
        }

        @Override
        Object take() throws Exception {
            // Only a thread inside take() is interrupted by stop(): the JMH thread takes from the
            // echo's return lane and stops it itself in its teardown, which must not interrupt it
            // (the old code did, and the teardown's join threw InterruptedException).
            consumer = Thread.currentThread();
            try {
                checkStopped(); // after the store: stop() sees this consumer, or we see stopped
                return q.take();
            } catch (InterruptedException e) {
                throw new Stopped();
            } finally {
                consumer = null;
            }
        }

        @Override
        void stop() {
            super.stop();
            Thread c = consumer;
            if (c != null && c != Thread.currentThread()) {
                c.interrupt();
            }
        }
    }
}
