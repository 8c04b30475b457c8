package dev.wakefd.bench;

import dev.wakefd.bridge.BridgeMetrics;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
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
 * The bridge against what users pick instead (issue 15), all in one JMH run: JCTools'
 * SpscArrayQueue with a park/unpark wait, the Disruptor with its Blocking and Yielding wait
 * strategies, Agrona's OneToOneConcurrentArrayQueue with BackoffIdleStrategy, ArrayBlockingQueue
 * ({@link Lane}), and for batches a busy-spinning JCTools queue.
 *
 * <ul>
 *   <li>{@code fromIdle}: one item there and back through an echo thread after an idle gap of
 *       at least {@value #GAP_NANOS} ns (the JMH thread parks; the kernel's 50 µs timer slack
 *       makes it about 200 µs), so every trip starts from sleeping sides; p50 from SampleTime.
 *       {@code placement=unpinned}: threads where the scheduler puts them (the primary figure);
 *       {@code apart}: JMH thread on CPU 0, echo on CPU 1; the one-CPU figure is the unpinned
 *       run under {@code taskset -c 0} (run-benchmarks.sh group bridge-rivals-1cpu).</li>
 *   <li>{@code steady}: items/µs of single items, producer = JMH thread, consumer thread takes.</li>
 *   <li>{@code bursts}: 64 items, then a 20 µs pause (the producer busy-waits: it has other
 *       work), items/µs, and the consumer's thread CPU time over wall time (aux counters
 *       consumerCpuNanos / wallNanos).</li>
 *   <li>{@code idleConsumer}: one item, then 200 ms with nothing: the consumer's CPU over that
 *       window (aux counters consumerCpuNanos / wallNanos, the page shows ns per second).</li>
 *   <li>{@code batches}: sendMany/receiveMany of 64 against busy-spinning JCTools through its
 *       own batch calls (fill 64, drain up to 64), a steady stream: timed at the producer, whose
 *       lead over the consumer the ring bounds (1,024 of some 10^8 items per iteration), with no
 *       pause for a drain between invocations (that forced the bridge's consumer to sleep every
 *       65,536 items); aux counter bridgeSleeps.</li>
 * </ul>
 * Unpinned, the steady/bursts/batches sides run where the scheduler puts them too.
 */
@Fork(
        value = 1,
        jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED"
        }) // Agrona 2.x reads jdk.internal.misc.Unsafe
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class BridgeRivalsBench {
    static final long GAP_NANOS = 150_000;
    static final int ITEMS = 65_536;
    static final int BURST = 64;
    static final int BURST_ITEMS = BURST * 256;
    static final long PAUSE_NANOS = 20_000;
    static final long IDLE_WINDOW_NANOS = 200_000_000;
    static final Object ITEM = new Object();
    static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    // ---------------------------------------------------------------- from idle

    @State(Scope.Benchmark)
    public static class Echo {
        @Param({"bridge", "jctoolsPark", "disruptorBlocking", "disruptorYielding", "agronaBackoff", "arrayBlockingQueue"
        })
        String channel;

        @Param({"unpinned", "apart"})
        String placement;

        Lane there;
        Lane back;
        Thread echo;

        @Setup(Level.Trial)
        public void setup() throws Exception {
            there = Lane.of(channel);
            back = Lane.of(channel);
            echo = startEcho("echo", there, back, placement.equals("apart"));
        }

        /** A thread that takes from {@code there} and puts into {@code back} until a lane stops; on CPU 1 if {@code apart}. */
        static Thread startEcho(String name, Lane there, Lane back, boolean apart) {
            return Thread.ofPlatform().daemon().name(name).start(() -> {
                if (apart) {
                    Affinity.pin(1);
                }
                try {
                    while (true) {
                        back.put(there.take());
                    }
                } catch (Exception over) {
                    // stopped
                }
            });
        }

        /** The idle gap: not measured (SampleTime times the benchmark method only). */
        @Setup(Level.Invocation)
        public void gap() {
            LockSupport.parkNanos(GAP_NANOS);
        }

        @TearDown(Level.Trial)
        public void tearDown() throws Exception {
            there.stop();
            back.stop();
            echo.join(10_000);
        }
    }

    /** Pins the JMH thread to CPU 0 when the placement says apart. */
    @State(Scope.Thread)
    public static class Placed {
        @Setup(Level.Iteration)
        public void pin(Echo e) {
            if (e.placement.equals("apart")) {
                Affinity.pin(0);
            }
        }
    }

    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    public Object fromIdle(Echo e, Placed p) throws Exception {
        e.there.put(ITEM);
        return e.back.take();
    }

    // ---------------------------------------------------------------- flow

    /** A consumer thread that takes and counts; the producer is the JMH thread. */
    abstract static class Flow {
        /** The count alone in the middle of a padded array (see BridgeBench.Consumer). */
        private final AtomicLongArray takenCell = new AtomicLongArray(31);

        private static final int TAKEN = 15;
        Lane lane;
        Thread consumer;
        long sent;

        void start(String channel, boolean batched) throws Exception {
            lane = Lane.of(channel);
            consumer = Thread.ofPlatform().daemon().name("consumer").start(() -> {
                try {
                    while (true) {
                        if (batched) {
                            took(lane.takeSome(x -> {}, BURST));
                        } else {
                            lane.take();
                            took(1);
                        }
                    }
                } catch (Exception over) {
                    // stopped
                }
            });
        }

        void took(long n) {
            takenCell.lazySet(TAKEN, takenCell.get(TAKEN) + n);
        }

        void awaitTaken(long target) {
            while (takenCell.get(TAKEN) < target) {
                Thread.onSpinWait();
            }
        }

        long consumerCpu() {
            return THREADS.getThreadCpuTime(consumer.threadId());
        }

        /** Counts {@code items} more sent and waits until the consumer has taken them all. */
        void drain(long items) {
            sent += items;
            awaitTaken(sent);
        }

        @TearDown(Level.Trial)
        public void tearDown() throws Exception {
            lane.stop();
            consumer.join(10_000);
        }
    }

    @State(Scope.Benchmark)
    public static class Pair extends Flow {
        @Param({"bridge", "jctoolsPark", "disruptorBlocking", "disruptorYielding", "agronaBackoff", "arrayBlockingQueue"
        })
        String channel;

        @Setup(Level.Trial)
        public void setup() throws Exception {
            start(channel, false);
        }
    }

    @State(Scope.Benchmark)
    public static class BatchPair extends Flow {
        @Param({"bridge", "jctoolsSpin"})
        String channel;

        final List<Object> batch = new ArrayList<>();

        @Setup(Level.Trial)
        public void setup() throws Exception {
            for (int i = 0; i < BURST; i++) {
                batch.add(ITEM);
            }
            start(channel, true);
        }

        /** After each iteration, untimed: everything sent was taken (the next one starts from empty). */
        @TearDown(Level.Iteration)
        public void drained() {
            awaitTaken(sent);
        }
    }

    /** The consumer's thread CPU time and the wall time it was measured over (JMH secondary metrics). */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class Cpu {
        public long consumerCpuNanos;
        public long wallNanos;

        private long cpu0, t0;

        /** Opens a window: the consumer's CPU time and the wall clock now. */
        void open(Flow p) {
            cpu0 = p.consumerCpu();
            t0 = System.nanoTime();
        }

        /** Waits until the consumer took {@code items} more, then adds the window to the counters. */
        void close(Flow p, long items) {
            p.drain(items);
            wallNanos += System.nanoTime() - t0;
            consumerCpuNanos += p.consumerCpu() - cpu0;
        }
    }

    /**
     * The bridge's sleeps (consumer and producer waits) in a batches iteration, beside its items/µs
     * (JMH secondary metric; 0 for other lanes): a slow iteration with many sleeps is the two
     * sides sleeping by turns (docs/bridge.md, "Batches of 64").
     */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class Sleeps {
        public long bridgeSleeps;

        private long before;

        long count(Flow p) {
            if (p.lane instanceof Lane.BridgeLane b) {
                BridgeMetrics m = b.bridge.metrics();
                return m.consumerWaits() + m.producerWaits();
            }
            return 0;
        }

        void open(Flow p) {
            before = count(p);
        }

        void close(Flow p) {
            bridgeSleeps += count(p) - before;
        }
    }

    // Each flow benchmark writes its timed loop out in its own method, so no shared loop behind
    // a lambda puts a megamorphic call on the timed path; Cpu opens and closes the window.
    @Benchmark
    @OperationsPerInvocation(ITEMS)
    public void steady(Pair p, Cpu c) throws Exception {
        c.open(p);
        for (int i = 0; i < ITEMS; i++) {
            p.lane.put(ITEM);
        }
        c.close(p, ITEMS);
    }

    @Benchmark
    @OperationsPerInvocation(BURST_ITEMS)
    public void bursts(Pair p, Cpu c) throws Exception {
        c.open(p);
        for (int i = 0; i < BURST_ITEMS; i += BURST) {
            for (int k = 0; k < BURST; k++) {
                p.lane.put(ITEM);
            }
            long until = System.nanoTime() + PAUSE_NANOS;
            while (System.nanoTime() - until < 0) {
                Thread.onSpinWait(); // the producer's other work
            }
        }
        c.close(p, BURST_ITEMS);
    }

    @Benchmark
    @OutputTimeUnit(TimeUnit.SECONDS)
    public void idleConsumer(Pair p, Cpu c) throws Exception {
        p.lane.put(ITEM);
        p.drain(1);
        c.open(p);
        LockSupport.parkNanos(IDLE_WINDOW_NANOS);
        c.close(p, 0);
    }

    @Benchmark
    @OperationsPerInvocation(ITEMS)
    public void batches(BatchPair p, Sleeps z) throws Exception {
        z.open(p);
        for (int i = 0; i < ITEMS / BURST; i++) {
            p.lane.putAll(p.batch);
        }
        p.sent += ITEMS; // no drain here: the ring (1,024) bounds how far the producer runs ahead
        z.close(p);
    }
}
