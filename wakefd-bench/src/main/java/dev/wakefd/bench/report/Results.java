package dev.wakefd.bench.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Everything one benchmark run left in its output directory: JMH result files ({@code NAME.json},
 * from {@code -rf json}) and the C floor's JSON lines ({@code NAME.jsonl}). Each result is keyed
 * by the file's name and the benchmark, for example {@code cost/NotifyBench.eventFdSignal},
 * {@code roundtrip-1cpu/PollerDispatchBench.dispatch[registered=10]} or {@code c/c.write}.
 */
final class Results {
    private final Map<String, Measurement> byKey = new TreeMap<>();
    private final Map<String, PairedResult> paired = new TreeMap<>();
    private String jdk = "unknown";
    private String jmh = "";

    static Results load(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IOException("no benchmark results: " + dir + " is not a directory");
        }
        Results r = new Results();
        try (Stream<Path> files = Files.list(dir).sorted()) {
            for (Path f : (Iterable<Path>) files::iterator) {
                String name = f.getFileName().toString();
                if (name.startsWith("paired") && name.endsWith(".jsonl")) {
                    r.readPaired(name.substring(0, name.length() - 6), f);
                } else if (name.endsWith(".jsonl")) {
                    r.readC(name.substring(0, name.length() - 6), f);
                } else if (name.endsWith(".json")) {
                    r.readJmh(name.substring(0, name.length() - 5), f);
                }
            }
        }
        return r;
    }

    /** The paired comparison under {@code key} (for example {@code paired/throughput_single_bursts}), or null. */
    PairedResult paired(String key) {
        return paired.get(key);
    }

    /** The result under {@code key}, or null when that benchmark did not run. */
    Measurement get(String key) {
        return byKey.get(key);
    }

    Map<String, Measurement> all() {
        return byKey;
    }

    /** The JDK the benchmarks ran on, as JMH recorded it. */
    String jdk() {
        return jdk;
    }

    /** JMH's settings for the first run read: forks, warm-up and measurement. */
    String jmhSettings() {
        return jmh;
    }

    private void readJmh(String run, Path file) throws IOException {
        Object parsed;
        try {
            parsed = Json.parse(Files.readString(file));
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": not a JMH JSON result (" + e.getMessage() + ")", e);
        }
        for (Object o : Json.array(parsed)) {
            Map<String, Object> r = Json.object(o);
            String benchmark = String.valueOf(r.get("benchmark"));
            String key = run + "/" + shortName(benchmark) + params(Json.object(r.get("params")));
            Map<String, Object> m = Json.object(r.get("primaryMetric"));
            Map<String, Object> pct = Json.object(m.get("scorePercentiles"));
            boolean sampled = "sample".equals(r.get("mode"));
            byKey.put(key, new Measurement(
                    Json.number(m.get("score")),
                    Json.number(m.get("scoreError")),
                    sampled ? Json.number(pct.get("50.0")) : Double.NaN,
                    sampled ? Json.number(pct.get("99.0")) : Double.NaN,
                    String.valueOf(m.get("scoreUnit"))));
            // secondary metrics (JMH aux counters) under "key:name", for the tables that need them
            Object secondary = r.get("secondaryMetrics");
            if (secondary != null) {
                for (Map.Entry<String, Object> e : Json.object(secondary).entrySet()) {
                    Map<String, Object> sm = Json.object(e.getValue());
                    byKey.put(key + ":" + e.getKey(), new Measurement(Json.number(sm.get("score")),
                            Json.number(sm.get("scoreError")), Double.NaN, Double.NaN, String.valueOf(sm.get("scoreUnit"))));
                }
            }
            if (r.get("vmVersion") != null && "unknown".equals(jdk)) {
                jdk = r.get("vmName") + " " + r.get("vmVersion");
            }
            if (jmh.isEmpty()) {
                jmh = String.format("%s fork(s), %s x %s warm-up, %s x %s measurement",
                        count(r.get("forks")), count(r.get("warmupIterations")), r.get("warmupTime"),
                        count(r.get("measurementIterations")), r.get("measurementTime"));
            }
        }
    }

    private void readC(String run, Path file) throws IOException {
        readLines(file, "C floor result", (name, r) -> {
            Measurement m = new Measurement(
                    Json.number(r.get("mean")), Json.number(r.get("ci999")),
                    Json.number(r.get("median")), Json.number(r.get("p99")),
                    r.get("unit") + "/op");
            byKey.merge(run + "/" + name, m, Results::pooled);
        });
    }

    /** A paired comparison's JSON lines, one per JVM and comparison (see dev.wakefd.bench.Paired). */
    private void readPaired(String run, Path file) throws IOException {
        readLines(file, "paired result", (name, r) -> paired
                .computeIfAbsent(run + "/" + name, k -> new PairedResult(String.valueOf(r.get("unit"))))
                .add(Json.number(r.get("ratio")), Json.number(r.get("bridge")), Json.number(r.get("baseline"))));
    }

    /** Hands each non-blank JSON line of {@code file}, an object with a "name", to {@code each}. */
    private static void readLines(Path file, String what, java.util.function.BiConsumer<String, Map<String, Object>> each)
            throws IOException {
        List<String> lines = Files.readAllLines(file);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty()) {
                continue;
            }
            Map<String, Object> r;
            try {
                r = Json.object(Json.parse(line));
            } catch (IllegalArgumentException e) {
                throw new IOException(file + ":" + (i + 1) + ": not a " + what + " (" + e.getMessage() + ")", e);
            }
            if (!(r.get("name") instanceof String name)) {
                throw new IOException(file + ":" + (i + 1) + ": " + what + " without a name");
            }
            each.accept(name, r);
        }
    }

    /**
     * Two runs of the same C floor measurement (run-benchmarks.sh runs the per-call floors before
     * and after the JMH group it is compared with, so that a noisy minute on one side does not set
     * the ratios): their average. Its error combines the error of an average of two independent
     * means with half the distance between the two runs, which on a shared machine is often the
     * larger: a floor that moved between its runs is only known that well.
     */
    static Measurement pooled(Measurement a, Measurement b) {
        double withinRuns = Math.hypot(a.error(), b.error()) / 2;
        double betweenRuns = Math.abs(a.score() - b.score()) / 2;
        return new Measurement((a.score() + b.score()) / 2, Math.hypot(withinRuns, betweenRuns),
                (a.p50() + b.p50()) / 2, (a.p99() + b.p99()) / 2, a.unit());
    }

    /** dev.wakefd.bench.NotifyBench.eventFdSignal -> NotifyBench.eventFdSignal */
    static String shortName(String benchmark) {
        int last = benchmark.lastIndexOf('.');
        int cls = last > 0 ? benchmark.lastIndexOf('.', last - 1) : -1;
        return benchmark.substring(cls + 1);
    }

    private static String params(Map<String, Object> params) {
        if (params.isEmpty()) {
            return "";
        }
        StringBuilder b = new StringBuilder("[");
        new TreeMap<>(params).forEach((k, v) -> b.append(b.length() > 1 ? "," : "").append(k).append('=').append(v));
        return b.append(']').toString();
    }

    private static String count(Object n) {
        double d = Json.number(n);
        return Double.isNaN(d) ? "?" : String.valueOf((long) d);
    }
}
