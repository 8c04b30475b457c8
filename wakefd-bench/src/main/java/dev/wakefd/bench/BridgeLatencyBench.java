package dev.wakefd.bench;

import dev.wakefd.bridge.Bridge;
import dev.wakefd.bridge.Receiver;
import dev.wakefd.bridge.Sender;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedTransferQueue;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * End-to-end latency through a channel pair with an echo thread, sampled per op (p50, p99): the
 * JMH thread sends {@code burst} items into one channel, the echo thread takes each and sends it
 * back through a second channel, and the op ends when the last comes back. Between ops the
 * channels are empty, so every op starts from sleeping sides: burst=1 is the wake latency of an
 * idle stream, burst=64 a burst after an idle gap. The same for ArrayBlockingQueue,
 * LinkedTransferQueue and a plain SPSC ring with park/unpark ({@link ParkChannel});
 * {@link BridgeBench} has the throughput. Run it on one CPU (taskset) to measure the software,
 * and unpinned for the cost of waking another CPU.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(
        value = 1,
        jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
public class BridgeLatencyBench {
    static final Integer ITEM = 1;

    @State(Scope.Benchmark)
    public static class BridgeEcho {
        @Param({"1", "64"})
        int burst;

        Sender<Integer> toEcho;
        Receiver<Integer> fromEcho;
        Thread echo;
        Bridge<Integer> there;
        Bridge<Integer> back;

        @Setup(Level.Trial)
        public void setup() throws Exception {
            there = Bridge.open(256);
            back = Bridge.open(256);
            toEcho = there.sender();
            fromEcho = back.receiver();
            Receiver<Integer> in = there.receiver();
            Sender<Integer> out = back.sender();
            echo = Thread.ofPlatform().daemon().start(() -> {
                try {
                    for (Integer x; (x = in.receive()) != null; ) {
                        out.send(x);
                    }
                } catch (Exception over) {
                    // closed
                }
            });
        }

        @TearDown(Level.Trial)
        public void tearDown() throws Exception {
            toEcho.close();
            echo.join(10_000);
            fromEcho.close();
        }
    }

    @Benchmark
    public Integer bridge(BridgeEcho s) throws Exception {
        for (int i = 0; i < s.burst; i++) {
            s.toEcho.send(ITEM);
        }
        Integer last = null;
        for (int i = 0; i < s.burst; i++) {
            last = s.fromEcho.receive();
        }
        return last;
    }

    /** What the echo needs of a channel: a blocking put and take. */
    interface Handoff<T> {
        void put(T x) throws InterruptedException;

        T take() throws InterruptedException;

        /** A blocking put, as a method reference. */
        interface Put<T> {
            void put(T x) throws InterruptedException;
        }

        /** A blocking take, as a method reference. */
        interface Take<T> {
            T take() throws InterruptedException;
        }

        /** A channel from its two ends, such as {@code q::put, q::take} or {@code out::send, in::receive}. */
        static <T> Handoff<T> of(Put<T> put, Take<T> take) {
            return new Handoff<>() {
                @Override
                public void put(T x) throws InterruptedException {
                    put.put(x);
                }

                @Override
                public T take() throws InterruptedException {
                    return take.take();
                }
            };
        }

        static <T> Handoff<T> of(BlockingQueue<T> q) {
            return of(q::put, q::take);
        }
    }

    /** Two baseline channels and an echo thread that takes from one and puts into the other. */
    @State(Scope.Benchmark)
    public abstract static class HandoffEcho {
        @Param({"1", "64"})
        int burst;

        Handoff<Integer> there;
        Handoff<Integer> back;
        Thread echo;

        void start(Handoff<Integer> there, Handoff<Integer> back) {
            this.there = there;
            this.back = back;
            echo = Thread.ofPlatform().daemon().start(() -> {
                try {
                    while (true) {
                        back.put(there.take());
                    }
                } catch (InterruptedException over) {
                    // done
                }
            });
        }

        @TearDown(Level.Trial)
        public void tearDown() throws Exception {
            echo.interrupt();
            echo.join(10_000);
        }

        Integer trip() throws InterruptedException {
            for (int i = 0; i < burst; i++) {
                there.put(ITEM);
            }
            Integer last = null;
            for (int i = 0; i < burst; i++) {
                last = back.take();
            }
            return last;
        }
    }

    @State(Scope.Benchmark)
    public static class QueueEcho extends HandoffEcho {
        @Param({"ArrayBlockingQueue", "LinkedTransferQueue"})
        String queue;

        @Setup(Level.Trial)
        public void setup() {
            boolean abq = queue.equals("ArrayBlockingQueue");
            start(
                    Handoff.of(abq ? new ArrayBlockingQueue<>(256) : new LinkedTransferQueue<>()),
                    Handoff.of(abq ? new ArrayBlockingQueue<>(256) : new LinkedTransferQueue<>()));
        }
    }

    @Benchmark
    public Integer jdkQueue(QueueEcho s) throws Exception {
        return s.trip();
    }

    /** The same echo over two plain SPSC rings with park/unpark: the JVM's own hand-off. */
    @State(Scope.Benchmark)
    public static class ParkEcho extends HandoffEcho {
        @Setup(Level.Trial)
        public void setup() {
            start(new ParkChannel<>(256), new ParkChannel<>(256));
        }
    }

    @Benchmark
    public Integer spscParkUnpark(ParkEcho s) throws Exception {
        return s.trip();
    }
}
