package dev.wakefd.bench.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.io.JsonEOFException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiConsumer;
import java.util.stream.Stream;

/**
 * Everything one benchmark run left in its output directory: JMH result files ({@code NAME.json},
 * from {@code -rf json}) and the C floor's JSON lines ({@code NAME.jsonl}). Each result is keyed
 * by the file's name and the benchmark, for example {@code cost/NotifyBench.eventFdSignal},
 * {@code roundtrip-1cpu/PollerDispatchBench.dispatch[registered=10]} or {@code c/c.write}.
 */
final class Results {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<String, Measurement> byKey = new TreeMap<>();
    private final Map<String, PairedResult> paired = new TreeMap<>();
    private String jdk = "unknown";
    private final Map<String, Integer> jmhRuns = new TreeMap<>(); // JMH settings -> results run with them

    static Results load(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IOException("no benchmark results: " + dir + " is not a directory");
        }
        Results r = new Results();
        try (Stream<Path> files = Files.list(dir).sorted()) {
            for (Path f : (Iterable<Path>) files::iterator) {
                String name = f.getFileName().toString();
                if (name.startsWith("shm")) {
                    continue; // the shm group's results: its own page (dev.wakefd.bench.shm.Report)
                }
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

    /**
     * JMH's settings most results ran with (forks, warm-up and measurement), and any other
     * settings beside them: the full run gives a few groups fewer forks (bridge-fence,
     * bridge-batches), whose files sort first, so "the first file's" misreported the run.
     */
    String jmhSettings() {
        String most = jmhRuns.entrySet().stream()
                .max(Map.Entry.comparingByValue())
                .map(Map.Entry::getKey)
                .orElse("");
        StringBuilder s = new StringBuilder(most);
        jmhRuns.keySet().stream()
                .filter(k -> !k.equals(most))
                .forEach(k -> s.append(" (")
                        .append(jmhRuns.get(k))
                        .append(" result(s): ")
                        .append(k)
                        .append(')'));
        return s.toString();
    }

    private void readJmh(String run, Path file) throws IOException {
        JsonNode parsed = parse(Files.readString(file), file + ": not a JMH JSON result");
        for (JsonNode r : parsed) {
            String benchmark = r.path("benchmark").asText();
            String key = run + "/" + shortName(benchmark) + params(r.path("params"));
            JsonNode m = r.path("primaryMetric");
            JsonNode pct = m.path("scorePercentiles");
            boolean sampled = "sample".equals(r.path("mode").asText());
            byKey.put(
                    key,
                    new Measurement(
                            number(m.get("score")),
                            number(m.get("scoreError")),
                            sampled ? number(pct.get("50.0")) : Double.NaN,
                            sampled ? number(pct.get("99.0")) : Double.NaN,
                            m.path("scoreUnit").asText()));
            // secondary metrics (JMH aux counters) under "key:name", for the tables that need them
            r.path("secondaryMetrics")
                    .properties()
                    .forEach(e -> byKey.put(
                            key + ":" + e.getKey(),
                            new Measurement(
                                    number(e.getValue().get("score")),
                                    number(e.getValue().get("scoreError")),
                                    Double.NaN,
                                    Double.NaN,
                                    e.getValue().path("scoreUnit").asText())));
            if (r.hasNonNull("vmVersion") && "unknown".equals(jdk)) {
                jdk = r.path("vmName").asText() + " " + r.path("vmVersion").asText();
            }
            jmhRuns.merge(
                    String.format(
                            "%s fork(s), %s x %s warm-up, %s x %s measurement",
                            count(r.get("forks")),
                            count(r.get("warmupIterations")),
                            r.path("warmupTime").asText(),
                            count(r.get("measurementIterations")),
                            r.path("measurementTime").asText()),
                    1,
                    Integer::sum);
        }
    }

    private void readC(String run, Path file) throws IOException {
        readLines(file, "C floor result", (name, r) -> {
            Measurement m = new Measurement(
                    number(r.get("mean")),
                    number(r.get("ci999")),
                    number(r.get("median")),
                    number(r.get("p99")),
                    r.path("unit").asText() + "/op");
            byKey.merge(run + "/" + name, m, Results::pooled);
        });
    }

    /** A paired comparison's JSON lines, one per JVM and comparison (see dev.wakefd.bench.Paired). */
    private void readPaired(String run, Path file) throws IOException {
        readLines(
                file,
                "paired result",
                (name, r) -> paired.computeIfAbsent(
                                run + "/" + name,
                                k -> new PairedResult(r.path("unit").asText()))
                        .add(number(r.get("ratio")), number(r.get("bridge")), number(r.get("baseline"))));
    }

    /** Hands each non-blank JSON line of {@code file}, an object with a "name", to {@code each}. */
    private static void readLines(Path file, String what, BiConsumer<String, JsonNode> each) throws IOException {
        List<String> lines = Files.readAllLines(file);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty()) {
                continue;
            }
            JsonNode r = parse(line, file + ":" + (i + 1) + ": not a " + what);
            if (!r.path("name").isTextual()) {
                throw new IOException(file + ":" + (i + 1) + ": " + what + " without a name");
            }
            each.accept(r.get("name").asText(), r);
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
        return new Measurement(
                (a.score() + b.score()) / 2,
                Math.hypot(withinRuns, betweenRuns),
                (a.p50() + b.p50()) / 2,
                (a.p99() + b.p99()) / 2,
                a.unit());
    }

    /** dev.wakefd.bench.NotifyBench.eventFdSignal -> NotifyBench.eventFdSignal */
    static String shortName(String benchmark) {
        int last = benchmark.lastIndexOf('.');
        int cls = last > 0 ? benchmark.lastIndexOf('.', last - 1) : -1;
        return benchmark.substring(cls + 1);
    }

    private static String params(JsonNode params) {
        if (params.isEmpty()) {
            return "";
        }
        Map<String, String> sorted = new TreeMap<>();
        params.properties().forEach(e -> sorted.put(e.getKey(), e.getValue().asText()));
        StringBuilder b = new StringBuilder("[");
        sorted.forEach((k, v) ->
                b.append(b.length() > 1 ? "," : "").append(k).append('=').append(v));
        return b.append(']').toString();
    }

    /** A number, or a string JMH writes for one ("NaN", "Infinity"), as a double; anything else NaN. */
    static double number(JsonNode v) {
        if (v == null || v.isNull()) {
            return Double.NaN;
        }
        if (v.isNumber()) {
            return v.asDouble();
        }
        if (v.isTextual()) {
            try {
                return Double.parseDouble(v.asText());
            } catch (NumberFormatException e) {
                return Double.NaN;
            }
        }
        return Double.NaN;
    }

    /** One JSON document; a syntax error becomes an IOException that starts with {@code what}. */
    private static JsonNode parse(String text, String what) throws IOException {
        try {
            JsonNode n = JSON.readTree(text);
            if (n == null || n.isMissingNode()) {
                throw new IOException(what + " (JSON: unexpected end of input: the text is empty)");
            }
            return n;
        } catch (JsonEOFException e) {
            throw new IOException(what + " (JSON: unexpected end of input: " + e.getOriginalMessage() + ")", e);
        } catch (JsonProcessingException e) {
            throw new IOException(what + " (JSON: " + e.getOriginalMessage() + ")", e);
        }
    }

    private static String count(JsonNode n) {
        double d = number(n);
        return Double.isNaN(d) ? "?" : String.valueOf((long) d);
    }
}
