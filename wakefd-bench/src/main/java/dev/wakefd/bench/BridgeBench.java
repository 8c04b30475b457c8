package dev.wakefd.bench;

import dev.wakefd.bridge.Bridge;
import dev.wakefd.bridge.BridgeMetrics;
import dev.wakefd.bridge.Receiver;
import dev.wakefd.bridge.Sender;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedTransferQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Throughput of one producer (the JMH thread) and one consumer thread, items per second: the
 * wakefd bridge (single items and batches of 64) against ArrayBlockingQueue, LinkedTransferQueue
 * and a plain SPSC array with LockSupport park/unpark. Each op is one item; an invocation sends
 * {@value #ITEMS} items and waits until the consumer has taken them all. Two load patterns: a
 * steady stream, and bursts of {@value #BURST} with an idle gap after each (the producer waits
 * until the consumer has taken the burst, so the consumer goes to sleep and every burst pays a
 * wake). With two CPUs or more, the producer runs on CPU 0 and the consumer on CPU 1, the same
 * for every channel. The bridge also reports its wake system calls per item (secondary metric).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(
        value = 1,
        jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
public class BridgeBench {
    static final int ITEMS = 102_400; // a multiple of BURST and BATCH
    static final int CAPACITY = 1024;
    static final int BATCH = 64;
    static final Object ITEM = new Object();
    static final int BURST = 64;

    /** The load pattern, and the producer's CPU. */
    @State(Scope.Thread)
    public static class Load {
        @Param({"steady", "bursts"})
        String pattern;

        @Setup(Level.Iteration)
        public void pin() {
            Affinity.pin(0);
        }

        boolean bursts() {
            return pattern.equals("bursts");
        }
    }

    /** The consumer side counts what it took; the producer waits for the count after each invocation. */
    abstract static class Consumer {
        /**
         * The count sits alone in the middle of a 248-byte array: the consumer writes it per item
         * and the producer reads this state's other fields per item, so a plain AtomicLong
         * (allocated right after this object) would share their cache line in some forks and
         * not in others, and the throughput with it.
         */
        private final AtomicLongArray takenCell = new AtomicLongArray(31);

        private static final int TAKEN = 15;
        volatile boolean stop;
        Thread thread;
        volatile Thread producer;

        void start(Runnable loop) {
            thread = Thread.ofPlatform().daemon().start(() -> {
                Affinity.pin(1);
                loop.run();
            });
        }

        /** Sends {@code ITEMS} with {@code send}, in bursts with idle gaps if the load says so. */
        void run(Load load, long sentBefore, Producer one) throws Exception {
            int step = load.bursts() ? BURST : ITEMS;
            for (int i = 0; i < ITEMS; i += step) {
                one.send(i, Math.min(step, ITEMS - i));
                if (load.bursts()) {
                    awaitTaken(sentBefore + i + Math.min(step, ITEMS - i));
                }
            }
            awaitTaken(sentBefore + ITEMS);
        }

        /** Sends {@code n} items; {@code from} is the running index. */
        interface Producer {
            void send(int from, int n) throws Exception;
        }

        /**
         * Counts what the consumer took. Only the consumer thread writes the count, so an ordered
         * store does (no locked instruction per item, which would cost every channel the same
         * absolute time but hide the cheaper channels' differences).
         */
        void took(long n) {
            takenCell.lazySet(TAKEN, takenCell.get(TAKEN) + n);
        }

        void awaitTaken(long target) {
            while (takenCell.get(TAKEN) < target) {
                Thread.onSpinWait();
            }
        }
    }

    @State(Scope.Benchmark)
    public static class BridgePair extends Consumer {
        @Param({"single", "batched"})
        String mode;

        Bridge<Object> bridge;
        Sender<Object> sender;
        Receiver<Object> receiver;
        final List<Object> batch = new ArrayList<>();
        long sent;

        @Setup(Level.Trial)
        public void setup() throws Exception {
            bridge = Bridge.open(CAPACITY);
            sender = bridge.sender();
            receiver = bridge.receiver();
            for (int i = 0; i < BATCH; i++) {
                batch.add(ITEM);
            }
            boolean batched = mode.equals("batched");
            start(() -> {
                try {
                    while (true) {
                        if (batched) {
                            int n = receiver.receiveMany(x -> {}, BATCH);
                            if (n < 0) {
                                return;
                            }
                            took(n);
                        } else {
                            if (receiver.receive() == null) {
                                return;
                            }
                            took(1);
                        }
                    }
                } catch (Exception over) {
                    // closed
                }
            });
        }

        @TearDown(Level.Trial)
        public void tearDown() throws Exception {
            sender.close();
            thread.join(10_000);
            receiver.close();
        }
    }

    /** Wake system calls per item, from the bridge's own metrics (JMH secondary metric). */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class Syscalls {
        public long wakeSyscalls;
        public long items;
    }

    @Benchmark
    @OperationsPerInvocation(ITEMS)
    public void bridge(BridgePair p, Load load, Syscalls c) throws Exception {
        BridgeMetrics m0 = p.bridge.metrics();
        long before = m0.systemCalls() + m0.unparks();
        boolean batched = p.mode.equals("batched");
        p.run(load, p.sent, (from, n) -> {
            if (batched) {
                for (int i = 0; i < n; i += BATCH) {
                    p.sender.sendMany(p.batch);
                }
            } else {
                for (int i = 0; i < n; i++) {
                    p.sender.send(ITEM);
                }
            }
        });
        p.sent += ITEMS;
        BridgeMetrics m1 = p.bridge.metrics();
        c.wakeSyscalls += m1.systemCalls() + m1.unparks() - before;
        c.items += ITEMS;
    }

    @State(Scope.Benchmark)
    public static class QueuePair extends Consumer {
        @Param({"ArrayBlockingQueue", "LinkedTransferQueue"})
        String queue;

        BlockingQueue<Object> q;
        long sent;

        @Setup(Level.Trial)
        public void setup() {
            q = queue.equals("ArrayBlockingQueue") ? new ArrayBlockingQueue<>(CAPACITY) : new LinkedTransferQueue<>();
            start(() -> {
                try {
                    while (!stop) {
                        q.take();
                        took(1);
                    }
                } catch (InterruptedException over) {
                    // done
                }
            });
        }

        @TearDown(Level.Trial)
        public void tearDown() throws Exception {
            stop = true;
            thread.interrupt();
            thread.join(10_000);
        }
    }

    @Benchmark
    @OperationsPerInvocation(ITEMS)
    public void jdkQueue(QueuePair p, Load load) throws Exception {
        p.run(load, p.sent, (from, n) -> {
            for (int i = 0; i < n; i++) {
                p.q.put(ITEM);
            }
        });
        p.sent += ITEMS;
    }

    /** A plain SPSC array; each side parks when it must wait and is unparked by the other. */
    @State(Scope.Benchmark)
    public static class ParkPair extends Consumer {
        final Object[] ring = new Object[CAPACITY];
        final AtomicLong head = new AtomicLong(); // next to take
        final AtomicLong tail = new AtomicLong(); // next to put
        volatile boolean consumerParked;
        volatile boolean producerParked;
        long sent;

        @Setup(Level.Trial)
        public void setup() {
            start(() -> {
                while (!stop) {
                    long h = head.get();
                    if (h == tail.get()) {
                        consumerParked = true;
                        if (h == tail.get() && !stop) { // re-check after announcing (Dekker)
                            LockSupport.park(this);
                        }
                        consumerParked = false;
                        continue;
                    }
                    ring[(int) (h & (CAPACITY - 1))] = null;
                    head.lazySet(h + 1);
                    took(1);
                    if (producerParked) {
                        LockSupport.unpark(producer);
                    }
                }
            });
        }

        void put(Object x) {
            long t = tail.get();
            while (t - head.get() == CAPACITY) {
                producerParked = true;
                if (t - head.get() == CAPACITY) {
                    LockSupport.park(this);
                }
                producerParked = false;
            }
            ring[(int) (t & (CAPACITY - 1))] = x;
            tail.set(t + 1);
            if (consumerParked) {
                LockSupport.unpark(thread);
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() throws Exception {
            stop = true;
            LockSupport.unpark(thread);
            thread.join(10_000);
        }
    }

    @Benchmark
    @OperationsPerInvocation(ITEMS)
    public void spscParkUnpark(ParkPair p, Load load) throws Exception {
        p.producer = Thread.currentThread();
        p.run(load, p.sent, (from, n) -> {
            for (int i = 0; i < n; i++) {
                p.put(ITEM);
            }
        });
        p.sent += ITEMS;
    }
}
