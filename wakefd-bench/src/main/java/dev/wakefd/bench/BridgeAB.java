package dev.wakefd.bench;

import dev.wakefd.bridge.Bridge;
import dev.wakefd.bridge.Receiver;
import dev.wakefd.bridge.Sender;
import java.io.File;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A diagnostic, not a goal's judge: two or more builds of the bridge in one JVM, taking turns in
 * rounds (the order rotating), so that a data-path change is compared under the same conditions
 * (as {@link PairedRivals} does for the rivals). Each build is a directory (or jar) of
 * {@code dev.wakefd.bridge} classes put ahead of this jar in a class loader of its own; {@code
 * jar} means this jar's own. Modes: {@code single} (send/receive, plus park/unpark JCTools from
 * the first loader), {@code spin} (offer/poll, both sides spinning: the data path alone, one
 * build per JVM, since a spinning consumer would take a CPU from the other lanes), {@code batch}
 * (sendMany/receiveMany of 64). Prints each lane's median items/µs and the median per-round
 * ratio of the first lane to each other one.
 *
 * <pre>
 * d=/tmp/bridge-C; git archive C wakefd-bridge/src/main/java | tar -x -C $d  # per commit C
 * javac -cp wakefd-bench/target/benchmarks.jar -d $d/classes $d/wakefd-bridge/src/main/java/dev/wakefd/bridge/*.java
 * java --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow \
 *     -cp wakefd-bench/target/benchmarks.jar dev.wakefd.bench.BridgeAB single 200 262144 /tmp/bridge-A/classes jar
 * </pre>
 */
public final class BridgeAB {
    private BridgeAB() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 4) {
            System.err.println(
                    "usage: BridgeAB single|spin|batch ROUNDS ITEMS BUILD... (BUILD: a classes dir, or jar)");
            System.exit(2);
        }
        String mode = args[0];
        int rounds = Integer.parseInt(args[1]);
        int items = Integer.parseInt(args[2]);
        URL self = BridgeAB.class.getProtectionDomain().getCodeSource().getLocation();
        List<String> names = new ArrayList<>();
        List<Object> lanes = new ArrayList<>();
        List<Method> run = new ArrayList<>();
        for (int i = 3; i < args.length; i++) {
            List<URL> urls = new ArrayList<>();
            if (!args[i].equals("jar")) {
                urls.add(new File(args[i]).toURI().toURL());
            }
            urls.add(self);
            ClassLoader loader = new URLClassLoader(urls.toArray(new URL[0]), ClassLoader.getPlatformClassLoader());
            Class<?> c = loader.loadClass(Round.class.getName());
            List<String> kinds = new ArrayList<>(List.of(mode));
            if (i == 3 && mode.equals("single")) {
                kinds.add("jctoolsPark");
            }
            for (String kind : kinds) {
                lanes.add(c.getConstructor(String.class).newInstance(kind));
                names.add(kind.equals("jctoolsPark") ? kind : args[i]);
                run.add(c.getMethod("round", int.class));
            }
        }
        int k = lanes.size();
        double[][] v = new double[k][rounds];
        for (int w = 0; w < Math.max(1, rounds / 5); w++) {
            for (int j = 0; j < k; j++) {
                run.get(j).invoke(lanes.get(j), items);
            }
        }
        for (int r = 0; r < rounds; r++) {
            for (int jj = 0; jj < k; jj++) {
                int j = (jj + r) % k;
                v[j][r] = (double) run.get(j).invoke(lanes.get(j), items);
            }
        }
        for (int j = 0; j < k; j++) {
            StringBuilder line = new StringBuilder(String.format(
                    Locale.ROOT,
                    "%-40s median %.1f items/us (p25 %.1f, p75 %.1f)",
                    names.get(j),
                    median(v[j], 2),
                    median(v[j], 1),
                    median(v[j], 3)));
            if (j > 0) {
                double[] ratio = new double[rounds];
                for (int r = 0; r < rounds; r++) {
                    ratio[r] = v[0][r] / v[j][r];
                }
                line.append(String.format(Locale.ROOT, "  first / this: median %.3f", median(ratio, 2)));
            }
            System.out.println(line);
        }
        System.exit(0); // the lanes' consumer threads are daemons; a spinning one would hold no CPU after this
    }

    /** The q-th quartile (1, 2 or 3), by sorting a copy. */
    private static double median(double[] values, int quartile) {
        double[] s = values.clone();
        Arrays.sort(s);
        return s[s.length * quartile / 4];
    }

    /** One lane with its consumer thread (kept across rounds); loaded once per build. */
    public static final class Round {
        private static final int SLOTS = Lane.CAPACITY; // as the park lane's
        private static final int BATCH = 64;
        private final String kind;
        private final Object item = new Object();
        private final List<Object> batch = new ArrayList<>();
        private Sender<Object> out;
        private Receiver<Object> in;
        private Lane.JctoolsParkLane park;
        /** The count alone in the middle of a padded array. */
        private final AtomicLongArray taken = new AtomicLongArray(31);

        private long sent;

        public Round(String kind) throws Exception {
            this.kind = kind;
            for (int i = 0; i < BATCH; i++) {
                batch.add(item);
            }
            if (kind.equals("jctoolsPark")) {
                park = new Lane.JctoolsParkLane();
            } else {
                Bridge<Object> b = Bridge.open(SLOTS);
                out = b.sender();
                in = b.receiver();
            }
            Thread.ofPlatform().daemon().name("consumer-" + kind).start(this::consume);
        }

        private void consume() {
            try {
                switch (kind) { // once, outside the loops
                    case "single" -> {
                        for (long n = 1; ; n++) {
                            in.receive();
                            taken.lazySet(15, n);
                        }
                    }
                    case "spin" -> {
                        for (long n = 1; ; n++) {
                            while (in.poll() == null) {
                                Thread.onSpinWait();
                            }
                            taken.lazySet(15, n);
                        }
                    }
                    case "batch" -> {
                        for (long n = 0; ; ) {
                            n += in.receiveMany(x -> {}, BATCH);
                            taken.lazySet(15, n);
                        }
                    }
                    default -> { // park/unpark JCTools: the paired runs' own lane
                        for (long n = 1; ; n++) {
                            park.take();
                            taken.lazySet(15, n);
                        }
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        /** Sends {@code n} items, waits until all are taken; items/µs. */
        public double round(int n) throws Exception {
            long t0 = System.nanoTime();
            switch (kind) {
                case "single" -> {
                    for (int i = 0; i < n; i++) {
                        out.send(item);
                    }
                }
                case "spin" -> {
                    for (int i = 0; i < n; i++) {
                        while (!out.offer(item)) {
                            Thread.onSpinWait();
                        }
                    }
                }
                case "batch" -> {
                    for (int i = 0; i < n; i += BATCH) {
                        out.sendMany(batch);
                    }
                }
                default -> {
                    for (int i = 0; i < n; i++) {
                        park.put(item);
                    }
                }
            }
            sent += kind.equals("batch") ? (n + BATCH - 1) / BATCH * BATCH : n;
            while (taken.get(15) < sent) {
                Thread.onSpinWait();
            }
            return n * 1000.0 / (System.nanoTime() - t0);
        }
    }
}
