package dev.wakefd.bench;

import dev.wakefd.bridge.Bridge;
import dev.wakefd.bridge.BridgeMetrics;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * The rivals goals of issue 15, paired: the bridge and its anchors ({@link Lane}s, the same code
 * {@link BridgeRivalsBench} runs) live in one JVM and take turns in short rounds, the order
 * rotating, so every round compares them under the same conditions (see {@link Paired}). Each
 * JVM prints one JSON line per comparison: the median over rounds of the per-round ratio
 * (bridge / anchor, or bridge / the best anchor of that round), and each side's median value.
 * Only two or three lanes live in one JVM, so the lanes' call sites stay bimorphic as in JMH's
 * forks (at most three for the from-idle trips, where a call's few ns weigh nothing).
 *
 * <pre>
 * Paired rivals-idle unpinned|apart [--quick]   one item there and back after a 150 µs idle gap,
 *                                               p50 per round: bridge vs park/unpark JCTools and
 *                                               ArrayBlockingQueue (one CPU: unpinned under taskset),
 *                                               after 20,000 warm-up trips per lane (C2-compiled
 *                                               wait paths; -Dpaired.idle.warm=N); "vs_better" is
 *                                               the anchor the bridge compares worse against
 * Paired rivals-flow [--quick]                  unpinned: steady single items and bursts of 64
 *                                               then 20 µs (items/µs, consumer CPU) and an idle
 *                                               consumer's CPU vs park/unpark JCTools
 * Paired rivals-batches [--quick]               unpinned: batches of 64 (sendMany/receiveMany)
 *                                               vs busy-spinning JCTools (fill/drain), items/µs
 * </pre>
 */
final class PairedRivals {
    private PairedRivals() {}

    static final long GAP_NANOS = BridgeRivalsBench.GAP_NANOS;
    static final int BURST = BridgeRivalsBench.BURST;
    static final long PAUSE_NANOS = BridgeRivalsBench.PAUSE_NANOS;
    static final Object ITEM = new Object();
    static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    static final Consumer<Object> SINK = x -> {};

    /** One side's round: its value (ns, or items per µs) and the consumer's CPU share over it. */
    interface Side {
        double[] round() throws Exception;
    }

    /**
     * Rounds of {@code sides[0]} (the bridge) and each anchor, the order rotating; prints, per
     * anchor, the median of the per-round ratios, and with several anchors the ratio to the best
     * anchor of each round ({@code lowerIsBetter}: the least). With {@code cpu}, also the
     * consumer CPU shares and their ratio.
     */
    static void compare(
            String name,
            String unit,
            boolean lowerIsBetter,
            boolean cpu,
            int warmup,
            int rounds,
            String[] names,
            Side... sides)
            throws Exception {
        compare(name, unit, lowerIsBetter, cpu, 0, warmup, rounds, names, sides);
    }

    /** As above; {@code floor} is added to both sides of each ratio (an idle consumer's CPU may be 0). */
    static void compare(
            String name,
            String unit,
            boolean lowerIsBetter,
            boolean cpu,
            double floor,
            int warmup,
            int rounds,
            String[] names,
            Side... sides)
            throws Exception {
        int n = sides.length;
        double[][] v = new double[n][rounds];
        double[][] c = new double[n][rounds];
        for (int r = -warmup; r < rounds; r++) {
            for (int k = 0; k < n; k++) {
                int s = Math.floorMod(r + k, n);
                double[] x = sides[s].round();
                if (r >= 0) {
                    v[s][r] = x[0];
                    c[s][r] = x[1];
                }
            }
        }
        int better = 1;
        double worst = Double.NaN;
        for (int a = 1; a < n; a++) {
            double[] q = ratios(v[0], v[a], floor);
            print(name + "_vs_" + names[a], unit, q, v[0], v[a]);
            if (cpu) {
                print(name + "_cpu_vs_" + names[a], "cpu share", ratios(c[0], c[a], 1e-6), c[0], c[a]);
            }
            double m = Paired.median(q);
            if (a == 1 || (lowerIsBetter ? m > worst : m < worst)) {
                worst = m;
                better = a;
            }
        }
        if (n > 2) {
            // "<= the best anchor" is "<= each anchor": the anchor the bridge compares worst
            // against, judged on its own per-round ratios (unbiased, unlike the per-round best
            // below, which takes the smaller of two noisy p50s and so leans against the bridge).
            print(name + "_vs_better", unit, ratios(v[0], v[better], floor), v[0], v[better]);
            double[] best = new double[rounds];
            for (int r = 0; r < rounds; r++) {
                best[r] = v[1][r];
                for (int a = 2; a < n; a++) {
                    best[r] = lowerIsBetter ? Math.min(best[r], v[a][r]) : Math.max(best[r], v[a][r]);
                }
            }
            print(name + "_vs_best", unit, ratios(v[0], best, floor), v[0], best);
        }
    }

    private static double[] ratios(double[] x, double[] y, double floor) {
        double[] q = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            q[i] = (x[i] + floor) / (y[i] + floor);
        }
        return q;
    }

    private static void print(String name, String unit, double[] ratio, double[] b, double[] q) {
        double[] ci = medianCi95(ratio);
        System.out.printf(
                Locale.ROOT,
                "{\"name\":\"%s\",\"ratio\":%.5f,\"ratioLo\":%.5f,\"ratioHi\":%.5f,\"bridge\":%.5f,"
                        + "\"baseline\":%.5f,\"unit\":\"%s\",\"rounds\":%d}%n",
                name,
                Paired.median(ratio),
                ci[0],
                ci[1],
                Paired.median(b),
                Paired.median(q),
                unit,
                ratio.length);
    }

    /**
     * A distribution-free 95% confidence interval of the median of {@code v}: the order
     * statistics of ranks floor(n/2 - 1.96 √n / 2) and ceil(1 + n/2 + 1.96 √n / 2), counted from 1
     * (the normal approximation to the binomial), within one JVM; the JVMs' spread is the report's.
     */
    static double[] medianCi95(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        int n = s.length;
        double h = 1.96 * Math.sqrt(n) / 2;
        int lo = Math.max(0, (int) Math.floor(n / 2.0 - h) - 1);
        int hi = Math.min(n - 1, (int) Math.ceil(1 + n / 2.0 + h) - 1);
        return new double[] {s[lo], s[hi]};
    }

    // ------------------------------------------------------------------ one item from idle

    /** An echo thread for {@code channel}; a round is {@code trips} trips, each after an idle gap; p50 in ns. */
    static final class IdleTrips implements Side {
        final Lane there;
        final Lane back;
        final long[] t;

        IdleTrips(String channel, boolean apart, int trips) throws Exception {
            there = Lane.of(channel);
            back = Lane.of(channel);
            BridgeRivalsBench.Echo.startEcho(channel + "-echo", there, back, apart);
            t = new long[trips];
        }

        @Override
        public double[] round() throws Exception {
            for (int i = 0; i < t.length; i++) {
                LockSupport.parkNanos(GAP_NANOS);
                long t0 = System.nanoTime();
                there.put(ITEM);
                back.take();
                t[i] = System.nanoTime() - t0;
            }
            Arrays.sort(t);
            return new double[] {t[t.length / 2], 0};
        }

        /**
         * {@code trips} trips after short gaps (a timer sleep of a few µs: the sides still fall
         * asleep and are woken, as after the measured gaps), so that every lane's wait path is
         * compiled by C2 before the rounds start, as in a service that has run for a while. The
         * anchors' wait code is JDK code (LockSupport, AQS) that the harness's own gaps warm
         * anyway; without this the bridge's wait path stays in C1 code for the whole run.
         */
        void warm(int trips) throws Exception {
            for (int i = 0; i < trips; i++) {
                LockSupport.parkNanos(WARM_GAP_NANOS);
                there.put(ITEM);
                back.take();
            }
        }
    }

    /** The warm-up's gap: longer than a look, so both sides sleep; a timer sleep adds some 50 µs of slack. */
    static final long WARM_GAP_NANOS = 5_000;
    /** Warm-up trips per lane: past C2's thresholds for the wait path (some 10,000 calls). */
    static final int WARM_TRIPS = 20_000;

    static void idle(String placement, boolean quick) throws Exception {
        boolean apart = switch (placement) {
            case "apart" -> true;
            case "unpinned" -> false;
            default ->
                throw new IllegalArgumentException("placement '" + placement
                        + "': expected unpinned or apart (one CPU: unpinned under taskset -c 0)");
        };
        int trips = 40; // about 10 ms per side and round
        // -Dpaired.idle=bridge,bridgeNoLook,...: other lanes, for a diagnosis (the first is the bridge)
        String[] names = System.getProperty("paired.idle", "bridge,jctoolsPark,arrayBlockingQueue")
                .split(",");
        IdleTrips[] sides = new IdleTrips[names.length];
        for (int i = 0; i < names.length; i++) {
            sides[i] = new IdleTrips(names[i], apart, trips);
        }
        int warm = quick ? WARM_TRIPS / 10 : Integer.getInteger("paired.idle.warm", WARM_TRIPS);
        for (IdleTrips s : sides) {
            s.warm(warm);
        }
        // before pinning: the JDK counts the CPUs in the calling thread's affinity mask
        String cpus = Runtime.getRuntime().availableProcessors() == 1 ? "1cpu" : placement;
        if (apart) {
            Affinity.pin(0); // after the echo threads started: they pin themselves to CPU 1
        }
        int rounds = quick ? 20 : 150;
        compare("idle_" + cpus, "ns", true, false, rounds / 5, rounds, names, sides);
    }

    // ------------------------------------------------------------------ flows

    /**
     * A consumer thread taking from {@code lane} and counting; the producer is the calling thread.
     * A busy-spinning lane is gated: between its rounds it is stopped and its consumer parks, so
     * that it does not spin through the other lanes' rounds; a round starts once it spins again.
     */
    static final class Flow {
        private final AtomicLongArray cells = new AtomicLongArray(48); // each count alone on its line
        private static final int TAKEN = 15, TAKES = 16, SPINNING = 31; // TAKES beside TAKEN: no extra line
        final Lane lane;
        final boolean gated;
        final Thread consumer;
        long sent;
        final List<Object> batch = new ArrayList<>();

        Flow(String channel, boolean batched) throws Exception {
            lane = Lane.of(channel);
            gated = channel.equals("jctoolsSpin");
            for (int i = 0; i < BURST; i++) {
                batch.add(ITEM);
            }
            if (gated) {
                lane.stopped = true;
            }
            consumer = Thread.ofPlatform().daemon().name(channel + "-consumer").start(() -> consume(batched));
        }

        private void consume(boolean batched) {
            while (true) {
                try {
                    cells.set(SPINNING, 1);
                    while (true) {
                        if (batched) {
                            took(lane.takeSome(SINK, BURST));
                        } else {
                            lane.take();
                            took(1);
                        }
                    }
                } catch (Lane.Stopped s) {
                    cells.set(SPINNING, 0);
                    while (lane.stopped) {
                        LockSupport.park(this);
                    }
                } catch (Exception over) {
                    return; // the JVM is exiting
                }
            }
        }

        void took(long n) {
            cells.lazySet(TAKEN, cells.get(TAKEN) + n); // one writer: no locked add
            cells.lazySet(TAKES, cells.get(TAKES) + 1);
        }

        long takes() {
            return cells.get(TAKES);
        }

        /** Opens a round: a gated lane's consumer is let go and spinning before the clock starts. */
        void open() {
            if (gated) {
                lane.stopped = false;
                LockSupport.unpark(consumer);
                while (cells.get(SPINNING) == 0) {
                    Thread.onSpinWait();
                }
            }
        }

        /** Counts {@code items} more sent, waits until all are taken, and closes a gated lane's round. */
        void drain(long items) {
            sent += items;
            while (cells.get(TAKEN) < sent) {
                Thread.onSpinWait();
            }
            if (gated) {
                lane.stopped = true;
                while (cells.get(SPINNING) != 0) {
                    Thread.onSpinWait();
                }
            }
        }

        long consumerCpu() {
            return THREADS.getThreadCpuTime(consumer.threadId());
        }
    }

    // Each shape writes its producer loop out, as BridgeRivalsBench does.

    static Side steady(Flow f, int items) {
        return () -> {
            f.open();
            long cpu0 = f.consumerCpu();
            long t0 = System.nanoTime();
            for (int i = 0; i < items; i++) {
                f.lane.put(ITEM);
            }
            f.drain(items);
            return window(f, cpu0, t0, items);
        };
    }

    static Side bursts(Flow f, int bursts) {
        return () -> {
            f.open();
            long cpu0 = f.consumerCpu();
            long t0 = System.nanoTime();
            for (int b = 0; b < bursts; b++) {
                for (int k = 0; k < BURST; k++) {
                    f.lane.put(ITEM);
                }
                long until = System.nanoTime() + PAUSE_NANOS;
                while (System.nanoTime() - until < 0) {
                    Thread.onSpinWait(); // the producer's other work
                }
            }
            f.drain((long) bursts * BURST);
            return window(f, cpu0, t0, bursts * BURST);
        };
    }

    static Side batches(Flow f, int items) {
        return () -> {
            f.open();
            long cpu0 = f.consumerCpu();
            long t0 = System.nanoTime();
            for (int i = 0; i < items / BURST; i++) {
                f.lane.putAll(f.batch);
            }
            f.drain(items);
            return window(f, cpu0, t0, items);
        };
    }

    /** One item, then {@code nanos} with nothing: the consumer's CPU share over that window (value: ns per s). */
    static Side idleConsumer(Flow f, long nanos) {
        return () -> {
            f.lane.put(ITEM);
            f.drain(1);
            long cpu0 = f.consumerCpu();
            long t0 = System.nanoTime();
            LockSupport.parkNanos(nanos);
            double share = (double) (f.consumerCpu() - cpu0) / (System.nanoTime() - t0);
            return new double[] {share * 1e9, share};
        };
    }

    private static double[] window(Flow f, long cpu0, long t0, long items) {
        long wall = System.nanoTime() - t0;
        return new double[] {items * 1_000.0 / wall, (double) (f.consumerCpu() - cpu0) / wall};
    }

    static void flow(boolean quick) throws Exception {
        int rounds = quick ? 20 : 200;
        // -Dpaired.flow.bridge=bridgeNoLook: the control that sleeps at once, for a diagnosis
        String lane = System.getProperty("paired.flow.bridge", "bridge");
        String[] single = {lane, "jctoolsPark"};
        Flow bridge = new Flow(lane, false);
        Flow park = new Flow("jctoolsPark", false);
        compare(
                "steady",
                "items/us",
                false,
                true,
                rounds / 5,
                rounds,
                single,
                steady(bridge, 128 * 1024),
                steady(park, 128 * 1024));
        compare("bursts", "items/us", false, true, rounds / 5, rounds, single, bursts(bridge, 128), bursts(park, 128));
        // ratios of (ns per s + 1000): one µs of CPU per second is the floor the ratio sees
        compare(
                "idleConsumer",
                "ns/s",
                true,
                false,
                1000,
                2,
                quick ? 5 : 30,
                single,
                idleConsumer(bridge, 20_000_000),
                idleConsumer(park, 20_000_000));
    }

    // ------------------------------------------------------------------ batches of 64

    /** Items per batch round: about 2 ms at spinner speed, so a round sees one state of the VM. */
    static final int BATCH_ROUND_ITEMS = 512 * 1024;

    /**
     * Batches of 64, unpinned: {@code sendMany}/{@code receiveMany} against JCTools' SPSC queue
     * with both sides busy-spinning and its own batch calls ({@code fill}/{@code drain}). The
     * spinner is gated between its rounds (its consumer parks, so it does not take a CPU from the
     * bridge's rounds); within its round its consumer spins freely and is spinning before the
     * clock starts. With {@code -Dpaired.batches.trace=true}, one line per round instead: see
     * {@link #batchesTrace}.
     */
    static void batches(boolean quick) throws Exception {
        int rounds = quick ? 20 : 200;
        Flow bridge = new Flow("bridge", true);
        Flow spin = new Flow("jctoolsSpin", true);
        String trace = System.getProperty("paired.batches.trace", "");
        if (trace.equals("true")) {
            batchesTrace(bridge, spin, rounds / 5, rounds);
            return;
        }
        if (trace.equals("stream")) {
            for (int i = 0; i < 2; i++) {
                stream(bridge, 3_000_000_000L);
                stream(spin, 3_000_000_000L);
            }
            return;
        }
        compare(
                "batches",
                "items/us",
                false,
                true,
                rounds / 5,
                rounds,
                new String[] {"bridge", "jctoolsSpin"},
                batches(bridge, BATCH_ROUND_ITEMS),
                batches(spin, BATCH_ROUND_ITEMS));
    }

    /**
     * A diagnosis of slow batch rounds: per round (order alternating) each side's items/µs, the
     * bridge's sleeps (consumer and producer waits, unparks), the spinner's spins that found its
     * queue empty or full, items per take (64: the consumer takes whole batches; fewer: it chases
     * the producer), and a cache-line probe: ns per one-way hand-off of a line between two
     * spinning threads, measured just before the round.
     */
    static void batchesTrace(Flow bridge, Flow spin, int warmup, int rounds) throws Exception {
        Bridge<?> b = ((Lane.BridgeLane) bridge.lane).bridge;
        Lane.JctoolsSpinLane q = (Lane.JctoolsSpinLane) spin.lane;
        Side bridgeRound = batches(bridge, BATCH_ROUND_ITEMS);
        Side spinRound = batches(spin, BATCH_ROUND_ITEMS);
        LineProbe probe = new LineProbe();
        for (int r = -warmup; r < rounds; r++) {
            for (int k = 0; k < 2; k++) {
                boolean isBridge = ((r + k) & 1) == 0;
                double line = probe.oneWayNanos(200);
                if (isBridge) {
                    BridgeMetrics m0 = b.metrics();
                    long t0 = bridge.takes();
                    double v = bridgeRound.round()[0];
                    BridgeMetrics m1 = b.metrics();
                    trace(
                            r,
                            "bridge",
                            v,
                            line,
                            m1.consumerWaits() - m0.consumerWaits(),
                            m1.producerWaits() - m0.producerWaits(),
                            m1.unparks() - m0.unparks(),
                            bridge.takes() - t0);
                } else {
                    long e0 = q.emptySpins, f0 = q.fullSpins, t0 = spin.takes();
                    double v = spinRound.round()[0];
                    trace(r, "jctoolsSpin", v, line, q.emptySpins - e0, q.fullSpins - f0, 0, spin.takes() - t0);
                }
            }
        }
    }

    private static void trace(
            int round, String side, double v, double line, long emptyWaits, long fullWaits, long unparks, long takes) {
        if (round < 0) {
            return;
        }
        System.out.printf(
                Locale.ROOT,
                "{\"round\":%d,\"side\":\"%s\",\"itemsPerUs\":%.1f,\"lineNs\":%.0f,\"emptyWaits\":%d,"
                        + "\"fullWaits\":%d,\"unparks\":%d,\"itemsPerTake\":%.1f}%n",
                round,
                side,
                v,
                line,
                emptyWaits,
                fullWaits,
                unparks,
                (double) BATCH_ROUND_ITEMS / takes);
    }

    /**
     * A continuous stream of batches for {@code nanos} (as in a JMH iteration), one line per 10 ms
     * window: items/µs, items per take, and the bridge's sleeps with its two policies' counts
     * (looks, hits, misses, sleeps at once, samples; read reflectively: a diagnosis only), or the
     * spinner's empty and full spins.
     */
    static void stream(Flow f, long nanos) throws Exception {
        f.open();
        Lane.BridgeLane bl = f.lane instanceof Lane.BridgeLane x ? x : null;
        Lane.JctoolsSpinLane sl = f.lane instanceof Lane.JctoolsSpinLane x ? x : null;
        long start = System.nanoTime(), t0 = start;
        long sent0 = 0, takes0 = f.takes();
        long[] c0 = counters(bl, sl);
        long batches = 0;
        int w = 0;
        while (true) {
            f.lane.putAll(f.batch);
            batches++;
            if ((batches & 15) == 0) {
                long now = System.nanoTime();
                if (now - t0 >= 10_000_000L) {
                    long sent = batches * BURST;
                    long[] c1 = counters(bl, sl);
                    StringBuilder b = new StringBuilder();
                    for (int i = 0; i < c1.length; i++) {
                        b.append(i == 0 ? "" : ",").append(c1[i] - c0[i]);
                    }
                    long takes = f.takes();
                    System.out.printf(
                            Locale.ROOT,
                            "{\"side\":\"%s\",\"window\":%d,\"itemsPerUs\":%.1f,\"itemsPerTake\":%.1f,\"counts\":[%s]}%n",
                            bl != null ? "bridge" : "jctoolsSpin",
                            w++,
                            (sent - sent0) * 1000.0 / (now - t0),
                            (double) (sent - sent0) / Math.max(1, takes - takes0),
                            b);
                    c0 = c1;
                    sent0 = sent;
                    takes0 = takes;
                    t0 = now;
                    if (now - start >= nanos) {
                        f.drain(sent);
                        return;
                    }
                }
            }
        }
    }

    /** Bridge: consumer waits, producer waits, unparks, then each policy's looks, hits, misses, sleepsAtOnce, samples. */
    private static long[] counters(Lane.BridgeLane bl, Lane.JctoolsSpinLane sl) throws Exception {
        if (sl != null) {
            return new long[] {sl.emptySpins, sl.fullSpins};
        }
        BridgeMetrics m = bl.bridge.metrics();
        long[] c = new long[13];
        c[0] = m.consumerWaits();
        c[1] = m.producerWaits();
        c[2] = m.unparks();
        int k = 3;
        for (String side : new String[] {"consumerPolicy", "producerPolicy"}) {
            for (String n : new String[] {"looks", "hits", "misses", "sleepsAtOnce", "samples"}) {
                try {
                    java.lang.reflect.Field pf = Bridge.class.getDeclaredField(side);
                    pf.setAccessible(true);
                    Object policy = pf.get(bl.bridge);
                    java.lang.reflect.Field x = policy.getClass().getDeclaredField(n);
                    x.setAccessible(true);
                    c[k] = x.getLong(policy);
                } catch (ReflectiveOperationException | RuntimeException gone) {
                    c[k] = -1; // the policy has no such statistic (any more)
                }
                k++;
            }
        }
        return c;
    }
}
