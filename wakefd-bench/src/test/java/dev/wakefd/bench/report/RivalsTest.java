package dev.wakefd.bench.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The rivals section from a hand-made run whose figures make every ratio exact. */
class RivalsTest {
    @TempDir
    Path dir;

    static String flow(String bench, String channel, double score, double cpu, double wall) {
        return String.format(Locale.ROOT, """
                { "benchmark" : "dev.wakefd.bench.BridgeRivalsBench.%s", "mode" : "thrpt", "params" : { "channel" : "%s" },
                  "primaryMetric" : { "score" : %s, "scoreError" : 1.0, "scoreUnit" : "ops/us" },
                  "secondaryMetrics" : { "consumerCpuNanos" : { "score" : %s, "scoreError" : "NaN", "scoreUnit" : "#" },
                                         "wallNanos" : { "score" : %s, "scoreError" : "NaN", "scoreUnit" : "#" } } }""", bench, channel, score, cpu, wall);
    }

    static String idle(String channel, String placement, double p50) {
        return ReportFixtures.jmh(
                "BridgeRivalsBench.fromIdle",
                "sample",
                "\"channel\" : \"" + channel + "\", \"placement\" : \"" + placement + "\"",
                p50,
                "1",
                p50,
                2 * p50);
    }

    @Test
    void judgesTheIssuesGoalsFromOneRun() throws IOException {
        List<String> two = new ArrayList<>();
        List<String> one = new ArrayList<>();
        for (String[] c : Rivals.CHANNELS) {
            boolean bridge = c[0].equals("bridge");
            two.add(idle(c[0], "unpinned", bridge ? 4000 : c[0].equals("jctoolsPark") ? 5000 : 8000));
            two.add(idle(c[0], "apart", bridge ? 40000 : 50000));
            one.add(idle(c[0], "unpinned", bridge ? 4500 : 4500));
            two.add(flow("steady", c[0], bridge ? 90 : 30, bridge ? 800 : 1000, 1000));
            two.add(flow("bursts", c[0], 3, bridge ? 250 : 200, 1000));
            two.add(flow("idleConsumer", c[0], 5, bridge ? 40_000 : 20_000, 1e9));
        }
        two.add(flow("batches", "bridge", 450, 1000, 1000));
        two.add(flow("batches", "jctoolsSpin", 500, 1000, 1000));
        Files.writeString(dir.resolve("bridge-rivals.json"), "[\n" + String.join(",\n", two) + "\n]\n");
        Files.writeString(dir.resolve("bridge-rivals-1cpu.json"), "[\n" + String.join(",\n", one) + "\n]\n");

        StringBuilder b = new StringBuilder();
        Rivals.write(b, Results.load(dir));
        String page = b.toString();
        assertThat(page)
                .contains("| wakefd-bridge | 4.00 | 40.0 | 4.50 |")
                .contains("| **bridge / best of park/unpark JCTools and ABQ** (goal <= 1.0x) | 0.80x | 0.80x | 1.00x |")
                .contains("| wakefd-bridge | 90.0 | 80.0% | 3.00 | 25.0% | 40 us |")
                .contains("ratio 0.90x (goal >= 0.9x)")
                .contains(
                        "Goals: steady 3.00x park/unpark JCTools (goal >= 3x); idle consumer CPU 2.00x of it (goal <= 1.5x);"
                                + " bursts consumer CPU 1.25x (goal <= 1.2x), throughput 1.00x (goal >= 1.0x).");
    }

    @Test
    void staysOffThePageWhenTheGroupDidNotRun() throws IOException {
        Files.writeString(
                dir.resolve("other.json"),
                "[\n" + ReportFixtures.jmh("NotifyBench.eventFdSignal", "avgt", "", 240, "2.5", 0, 0) + "\n]\n");
        StringBuilder b = new StringBuilder();
        Rivals.write(b, Results.load(dir));
        assertThat(b).isEmpty();
    }
}
