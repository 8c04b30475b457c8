package dev.wakefd.bench;

import dev.wakefd.EventFd;
import dev.wakefd.bridge.Bridge;
import dev.wakefd.bridge.Receiver;
import dev.wakefd.bridge.Sender;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.Native;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Paired, interleaved comparisons of the bridge with a baseline, for the goals that ask for a
 * ratio between them. JMH runs one benchmark after another, and on a shared virtual machine the
 * cost of a context switch or of waking an idle CPU drifts between regimes that last seconds
 * (a park/unpark round trip on one CPU moves between about 2.5 and 3.6 µs within one run), so two
 * benchmarks measured minutes apart can differ by more than the channels do. Here both channels
 * live in one JVM and take turns in short rounds (order alternating), so each round compares
 * them under the same conditions; the JVM prints the median of the per-round ratios. The script
 * runs several JVMs and the report averages their ratios (JIT and layout differ between JVMs).
 *
 * <pre>
 * Paired latency [--quick]      one CPU (run under taskset -c 0): a burst to an echo thread and
 *                               back, from idle; bridge vs the plain SPSC ring with park/unpark
 * Paired throughput [--quick]   producer on CPU 0, consumer on CPU 1: items per µs, bridge
 *                               (single items, batches of 64) vs ArrayBlockingQueue, steady and bursts
 * Paired rivals-idle|flow|batches  the rivals goals of issue 15: see {@link PairedRivals}
 * Paired cost [--quick]         ns per call: EventFd.signal() vs C write(2) and Netty's JNI
 *                               eventFdWrite; tryRead() on empty vs C read(2). The C side is a loop
 *                               in libwakefd-cloops.so (src/main/c/cloops.c), called in-process
 * </pre>
 *
 * Prints one JSON line per comparison: {@code name}, {@code ratio} (bridge / baseline, the
 * median over rounds), {@code bridge} and {@code baseline} (the medians of each side's round
 * values), {@code unit}, {@code rounds}.
 */
public final class Paired {
    private Paired() {}

    public static void main(String[] args) throws Throwable {
        List<String> a = new ArrayList<>(List.of(args));
        boolean quick = a.remove("--quick");
        String placement = a.size() == 2 && a.get(0).equals("rivals-idle") ? a.remove(1) : null;
        if (a.size() != 1) {
            System.err.println(
                    "usage: Paired latency|throughput|cost|rivals-flow|rivals-batches [--quick] | Paired rivals-idle unpinned|apart [--quick]");
            System.exit(2);
        }
        switch (a.get(0)) {
            case "latency" -> latency(quick);
            case "throughput" -> throughput(quick);
            case "cost" -> cost(quick);
            case "rivals-flow" -> PairedRivals.flow(quick);
            case "rivals-batches" -> PairedRivals.batches(quick);
            case "rivals-idle" -> PairedRivals.idle(placement == null ? "unpinned" : placement, quick);
            default -> {
                System.err.println("unknown comparison '" + a.get(0)
                        + "': expected latency, throughput, cost, rivals-idle, rivals-flow or rivals-batches");
                System.exit(2);
            }
        }
        System.exit(0); // the echo and consumer threads are daemons, but say so plainly
    }

    /** One side of a comparison: runs one round and returns its value (ns per op, or items per µs). */
    interface Side {
        double round() throws Exception;
    }

    /**
     * Runs {@code warmup} then {@code rounds} rounds, each one round of {@code bridge} and one of
     * {@code baseline} in alternating order, and prints the comparison.
     */
    static void compare(String name, String unit, int warmup, int rounds, Side bridge, Side baseline) throws Exception {
        double[] ratio = new double[rounds];
        double[] b = new double[rounds];
        double[] q = new double[rounds];
        for (int r = -warmup; r < rounds; r++) {
            double x, y;
            if ((r & 1) == 0) {
                x = bridge.round();
                y = baseline.round();
            } else {
                y = baseline.round();
                x = bridge.round();
            }
            if (r >= 0) {
                b[r] = x;
                q[r] = y;
                ratio[r] = x / y;
            }
        }
        System.out.printf(
                Locale.ROOT,
                "{\"name\":\"%s\",\"ratio\":%.5f,\"bridge\":%.3f,\"baseline\":%.3f,"
                        + "\"unit\":\"%s\",\"rounds\":%d}%n",
                name,
                median(ratio),
                median(b),
                median(q),
                unit,
                rounds);
    }

    /** The median of {@code v} (the mean of the middle two for an even count); {@code v} is not changed. */
    public static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }

    // ------------------------------------------------------------------ latency, one CPU

    static final Integer ITEM = 1;

    /** A bridge as the baselines' blocking put and take, so one echo serves both. */
    static <T> BridgeLatencyBench.Handoff<T> handoff(Bridge<T> bridge) {
        return BridgeLatencyBench.Handoff.of(bridge.sender()::send, bridge.receiver()::receive);
    }

    /**
     * Starts an echo thread that takes from {@code there} and puts into {@code back}; a round
     * sends {@code ops} bursts of {@code burst} items through them and returns the median op in ns.
     */
    static Side latencyRounds(
            String name,
            BridgeLatencyBench.Handoff<Integer> there,
            BridgeLatencyBench.Handoff<Integer> back,
            int burst,
            int ops) {
        Thread.ofPlatform().daemon().name(name + "-echo").start(() -> {
            try {
                while (true) {
                    back.put(there.take());
                }
            } catch (InterruptedException over) {
                // the JVM is exiting
            }
        });
        long[] t = new long[ops];
        return () -> {
            for (int i = 0; i < ops; i++) {
                long t0 = System.nanoTime();
                for (int k = 0; k < burst; k++) {
                    there.put(ITEM);
                }
                for (int k = 0; k < burst; k++) {
                    back.take();
                }
                t[i] = System.nanoTime() - t0;
            }
            Arrays.sort(t);
            return t[ops / 2];
        };
    }

    static void latency(boolean quick) throws Exception {
        int rounds = quick ? 100 : 1000;
        for (int burst : new int[] {1, 64}) {
            int ops = burst == 1 ? 200 : 20; // about 0.5 ms per side and round
            Side bridge = latencyRounds("bridge", handoff(Bridge.open(256)), handoff(Bridge.open(256)), burst, ops);
            Side park = latencyRounds("park", new ParkChannel<>(256), new ParkChannel<>(256), burst, ops);
            compare("latency_1cpu_burst" + burst, "ns", rounds / 5, rounds, bridge, park);
        }
    }

    // ------------------------------------------------------------------ cost per call

    static final int CALLS = 1_000;

    /**
     * One round of {@code CALLS} calls; returns ns per call. {@code reset} runs after the timed
     * part (it empties the eventfd again).
     */
    interface Calls {
        long run(int n) throws Throwable;
    }

    static Side perCall(Calls timed, Calls reset) {
        return () -> {
            try {
                long ns = timed.run(CALLS);
                if (ns < 0) {
                    throw new IllegalStateException("C loop failed: " + ns);
                }
                reset.run(1);
                return (double) ns / CALLS;
            } catch (Exception | Error e) {
                throw e;
            } catch (Throwable t) {
                throw new AssertionError(t);
            }
        };
    }

    static void cost(boolean quick) throws Throwable {
        Path lib = Path.of(System.getProperty("wakefd.cloops", "wakefd-bench/target/libwakefd-cloops.so"))
                .toAbsolutePath();
        if (!Files.exists(lib)) {
            throw new IllegalStateException("the C loops library " + lib + " does not exist: build wakefd-bench"
                    + " (mvn -pl wakefd-bench -am package) or pass -Dwakefd.cloops=PATH");
        }
        Linker linker = Linker.nativeLinker();
        SymbolLookup loops = SymbolLookup.libraryLookup(lib, Arena.global());
        FunctionDescriptor sig =
                FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG);
        MethodHandle cWrite =
                linker.downcallHandle(loops.find("wakefd_cloop_write").orElseThrow(), sig);
        MethodHandle cRead =
                linker.downcallHandle(loops.find("wakefd_cloop_read_empty").orElseThrow(), sig);
        Epoll.ensureAvailability();

        EventFd e = EventFd.open();
        int fd = e.fd();
        Calls drain = n -> e.tryRead();
        Calls nothing = n -> 0;
        // Each Java side writes its own loop on purpose: one shared loop helper would call the
        // bodies through a call site that sees them all, and the JIT would not inline them there,
        // adding a call per iteration to the Java sides only.
        Side c = perCall(n -> (long) cWrite.invokeExact(fd, (long) n), drain);
        Side signal = perCall(
                n -> {
                    long t0 = System.nanoTime();
                    for (int i = 0; i < n; i++) {
                        e.signal();
                    }
                    return System.nanoTime() - t0;
                },
                drain);
        Side netty = perCall(
                n -> {
                    long t0 = System.nanoTime();
                    for (int i = 0; i < n; i++) {
                        Native.eventFdWrite(fd, 1L);
                    }
                    return System.nanoTime() - t0;
                },
                drain);
        Side cEmpty = perCall(n -> (long) cRead.invokeExact(fd, (long) n), nothing);
        Side tryRead = perCall(
                n -> {
                    long t0 = System.nanoTime();
                    long sum = 0;
                    for (int i = 0; i < n; i++) {
                        sum += e.tryRead();
                    }
                    if (sum != 0) {
                        throw new IllegalStateException("the eventfd was not empty");
                    }
                    return System.nanoTime() - t0;
                },
                nothing);
        // Netty's eventFdRead throws on an empty eventfd, so the reads are compared with a count
        // to take: each after the same Netty write; the pairs differ only in the read.
        Side tryReadAfterWrite = perCall(
                n -> {
                    long t0 = System.nanoTime();
                    for (int i = 0; i < n; i++) {
                        Native.eventFdWrite(fd, 1L);
                        e.tryRead();
                    }
                    return System.nanoTime() - t0;
                },
                nothing);
        Side nettyReadAfterWrite = perCall(
                n -> {
                    long t0 = System.nanoTime();
                    for (int i = 0; i < n; i++) {
                        Native.eventFdWrite(fd, 1L);
                        Native.eventFdRead(fd);
                    }
                    return System.nanoTime() - t0;
                },
                nothing);
        int rounds = quick ? 200 : 2_000;
        compare("cost_signal_vs_c_write", "ns", rounds / 5, rounds, signal, c);
        compare("cost_tryread_vs_c_read", "ns", rounds / 5, rounds, tryRead, cEmpty);
        compare("cost_signal_vs_netty", "ns", rounds / 5, rounds, signal, netty);
        compare(
                "cost_write_tryread_vs_netty_write_read",
                "ns",
                rounds / 5,
                rounds,
                tryReadAfterWrite,
                nettyReadAfterWrite);
        e.close();
    }

    // ------------------------------------------------------------------ throughput, two CPUs

    static final int BURST = 64;
    static final int CAPACITY = 1024;
    static final Object THING = new Object();

    /**
     * A consumer thread on CPU 1 that counts what it took, and a producer (the calling thread, on
     * CPU 0) that sends a round's items and waits until they are all taken: as {@link BridgeBench}.
     */
    abstract static class Pair {
        private final AtomicLongArray takenCell = new AtomicLongArray(31); // the count alone on its line
        private static final int TAKEN = 15;
        private long sent;

        void start(String name, Runnable loop) {
            Thread.ofPlatform().daemon().name(name).start(() -> {
                Affinity.pin(1);
                loop.run();
            });
        }

        void took(long n) {
            takenCell.lazySet(TAKEN, takenCell.get(TAKEN) + n); // one writer: no locked add
        }

        void awaitTaken(long target) {
            while (takenCell.get(TAKEN) < target) {
                Thread.onSpinWait();
            }
        }

        abstract void send(int n) throws Exception;

        /** One round of {@code items}; in bursts, waits for each burst to be taken. Items per µs. */
        Side rounds(int items, boolean bursts) {
            return () -> {
                long t0 = System.nanoTime();
                int step = bursts ? BURST : items;
                for (int i = 0; i < items; i += step) {
                    send(step);
                    sent += step;
                    if (bursts) {
                        awaitTaken(sent);
                    }
                }
                awaitTaken(sent);
                return items * 1_000.0 / (System.nanoTime() - t0);
            };
        }
    }

    static Pair bridgePair(boolean batched) throws Exception {
        Bridge<Object> bridge = Bridge.open(CAPACITY);
        Sender<Object> sender = bridge.sender();
        Receiver<Object> receiver = bridge.receiver();
        List<Object> batch = new ArrayList<>();
        for (int i = 0; i < BURST; i++) {
            batch.add(THING);
        }
        Pair p = new Pair() {
            @Override
            void send(int n) throws Exception {
                if (batched) {
                    for (int i = 0; i < n; i += BURST) {
                        sender.sendMany(batch);
                    }
                } else {
                    for (int i = 0; i < n; i++) {
                        sender.send(THING);
                    }
                }
            }
        };
        p.start(batched ? "bridge-batched-consumer" : "bridge-consumer", () -> {
            try {
                while (true) {
                    if (batched) {
                        int n = receiver.receiveMany(x -> {}, BURST);
                        if (n < 0) {
                            return;
                        }
                        p.took(n);
                    } else {
                        if (receiver.receive() == null) {
                            return;
                        }
                        p.took(1);
                    }
                }
            } catch (Exception over) {
                // the JVM is exiting
            }
        });
        return p;
    }

    static Pair abqPair() {
        ArrayBlockingQueue<Object> q = new ArrayBlockingQueue<>(CAPACITY);
        Pair p = new Pair() {
            @Override
            void send(int n) throws Exception {
                for (int i = 0; i < n; i++) {
                    q.put(THING);
                }
            }
        };
        p.start("abq-consumer", () -> {
            try {
                while (true) {
                    q.take();
                    p.took(1);
                }
            } catch (InterruptedException over) {
                // the JVM is exiting
            }
        });
        return p;
    }

    static void throughput(boolean quick) throws Exception {
        // Build before pinning: a bridge decides its spin from the CPUs its building thread may use.
        Pair single = bridgePair(false);
        Pair batched = bridgePair(true);
        Pair abq = abqPair();
        Affinity.pin(0);
        int rounds = quick ? 30 : 300;
        for (String pattern : new String[] {"steady", "bursts"}) {
            boolean bursts = pattern.equals("bursts");
            // Rounds long enough (about 1 ms for the bridge, several for the queue) that the wake
            // each round starts with, its consumer having slept through the other's round, weighs
            // little: 128 bursts, or 64 ring-fulls in a steady stream.
            int items = bursts ? 128 * BURST : 64 * CAPACITY;
            Side baseline = abq.rounds(items, bursts);
            compare(
                    "throughput_single_" + pattern,
                    "items/us",
                    rounds / 5,
                    rounds,
                    single.rounds(items, bursts),
                    baseline);
            compare(
                    "throughput_batched_" + pattern,
                    "items/us",
                    rounds / 5,
                    rounds,
                    batched.rounds(items, bursts),
                    baseline);
        }
    }
}
