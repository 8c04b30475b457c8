package dev.wakefd.bench.report;

import static dev.wakefd.bench.report.ReportFixtures.FULL;
import static dev.wakefd.bench.report.ReportFixtures.MACHINE;
import static dev.wakefd.bench.report.ReportFixtures.c;
import static dev.wakefd.bench.report.ReportFixtures.jmh;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;

/** The report from a small, hand-made run: every figure below is chosen so the ratios are exact. */
class ReportTest {
    @TempDir
    Path dir;

    void write(String file, List<String> results) throws IOException {
        Files.writeString(dir.resolve(file), "[\n" + String.join(",\n", results) + "\n]\n");
    }

    void fullRun() throws IOException {
        Files.writeString(
                dir.resolve("c.jsonl"),
                c("c.write", 200, 4, 199, 260)
                        + c("c.read_empty", 180, 3, 179, 220)
                        + c("c.write_read", 400, 8, 398, 500)
                        + c("c.flag_load", 0.25, 0.01, 0.25, 0.3));
        Files.writeString(dir.resolve("c-1cpu.jsonl"), c("c.roundtrip_poll_read", 4600, 50, 4000, 6000));
        write(
                "cost.json",
                List.of(
                        jmh("NotifyBench.eventFdSignal", "avgt", "", 240, "2.5", 0, 0),
                        jmh("NotifyBench.nettyEventFdWrite", "avgt", "", 250, "3", 0, 0),
                        jmh("NotifyBench.pipeWrite", "avgt", "", 300, "3", 0, 0),
                        jmh("NotifyBench.wakerWakePending", "avgt", "", 0.5, "0.01", 0, 0),
                        jmh("NotifyBench.selectorWakeupCoalesced", "avgt", "", 10, "0.2", 0, 0),
                        jmh("ReadBench.tryReadEmpty", "avgt", "", 189, "\"NaN\"", 0, 0)));
        List<String> cont = new ArrayList<>();
        for (int t : new int[] {1, 2, 4}) {
            cont.add(jmh("ContentionBench.wakerWake_" + t + "t", "thrpt", "", 1000.0 * Math.min(t, 2), "10", 0, 0));
        }
        write("contention.json", cont);
        write(
                "roundtrip-1cpu.json",
                List.of(
                        jmh("RoundTripBench.awaitPlatform", "sample", "", 5000, "100", 4400, 9000),
                        jmh("RoundTripBench.selector", "sample", "", 12000, "200", 11000, 20000),
                        jmh("RoundTripBench.lockSupport", "sample", "", 4000, "90", 3300, 7000),
                        jmh(
                                "PollerDispatchBench.dispatch",
                                "sample",
                                "\"registered\" : \"10\"",
                                6000,
                                "50",
                                5000,
                                9000),
                        jmh(
                                "PollerDispatchBench.dispatch",
                                "sample",
                                "\"registered\" : \"1000\"",
                                6000,
                                "50",
                                5500,
                                9000),
                        jmh(
                                "PollerDispatchBench.dispatch",
                                "sample",
                                "\"registered\" : \"10000\"",
                                6000,
                                "50",
                                7000,
                                9000)));
        write("virtual-1cpu.json", List.of(jmh("VirtualRoundTripBench.await", "sample", "", 9000, "300", 8800, 20000)));
    }

    String markdown() throws IOException {
        return Report.markdown(Results.load(dir), MACHINE, FULL);
    }

    @Test
    void costTablesCarryTheValueTheErrorAndBothRatios() throws IOException {
        fullRun();
        String md = markdown();
        // 240 / C write 200 = 1.20x; best peer is Netty (250, cheaper than the pipe's 300): 0.96x
        assertThat(md).contains("| wakefd `EventFd.signal()` | 240 ± 3 | 1.20x | 0.96x |");
        assertThat(md).contains("| Netty 4.2 `Native.eventFdWrite` (JNI) | 250 ± 3 | 1.25x | 1.00x |");
        assertThat(md).contains("| JDK `Pipe` 1-byte write | 300 ± 3 | 1.50x | 1.20x |");
        assertThat(md).contains("| C `write(2)` to an eventfd (floor) | 200 ± 4 | 1.00x | 0.80x |");
        // the pending wake is compared with its own floor (a C flag load) and the coalesced Selector
        assertThat(md).contains("| wakefd `Waker.wake()`, wake pending | 0.50 ± 0.01 | 2.00x | 0.050x |");
        // no error known (JMH writes "NaN"): the value alone; no peer in the table: n/a
        assertThat(md).contains("| wakefd `EventFd.tryRead()` | 189 | 1.05x | n/a |");
        // benchmarks that did not run say so rather than vanish
        assertThat(md).contains("| wakefd `Waker.drain()` | not run | | |");
    }

    @Test
    void roundTripsCompareMediansAndSayWhatWasNotMeasured() throws IOException {
        fullRun();
        String md = markdown();
        // p50 4400 vs C median 4000 = 1.10x; best peer by p50 is LockSupport (3300): 1.33x
        assertThat(md)
                .contains(
                        "| wakefd `EventFd.await()`, platform threads | 4,400 | 5,000 ± 100 | 9,000 | 1.10x | 1.33x |");
        assertThat(md)
                .contains(
                        "| wakefd `EventFd.await()`, virtual threads | 8,800 | 9,000 ± 300 | 20,000 | 2.20x | 2.67x |");
        assertThat(md).contains("### Across two CPUs (not pinned)\n\nNot measured in this run.");
        assertThat(md).contains("| 10,000 | 7,000 | 6,000 ± 50 | 9,000 | 1.40x |");
    }

    @Test
    void contentionShowsTheRateRelativeToOneThread() throws IOException {
        fullRun();
        assertThat(markdown()).contains("| 2 | 2,000 ± 10 (2.00x) | not run | not run |");
    }

    @Test
    void goalsAreJudgedFromTheFigures() throws IOException {
        fullRun();
        String md = markdown();
        assertThat(md).contains("| `signal()` within 1.10x of C `write(2)` | 1.20x | **not met** |");
        assertThat(md).contains("| `tryRead()` on empty within 1.10x of C `read(2)` | 1.05x | met |");
        assertThat(md).contains("| `signal()` faster than Netty's JNI `eventFdWrite` | 0.96x of Netty's time | met |");
        assertThat(md).contains("| `Waker.wake()` while pending at most 2 ns | 0.50 ns | met |");
        assertThat(md).contains("at least 100x cheaper than Netty's `eventFdWrite` | 500.00x cheaper | met |");
        assertThat(md).contains("coalesced `Selector.wakeup()` | 20.00x cheaper | met |");
        assertThat(md).contains("(1 to 2, the CPUs available) | 2.00x the one-thread rate | met |");
        assertThat(md).contains("within 1.15x of C on one CPU | 1.10x | met |");
        assertThat(md).contains("2x faster than the `Selector` ping-pong | 2.50x faster | met |");
        assertThat(md).contains("within 2x of the platform one | 2.00x | met |");
        assertThat(md).contains("(slowest p50 / fastest p50) | 1.40x | **not met** |");
    }

    static String paired(String name, double ratio, double bridge, double baseline, String unit) {
        return String.format(
                Locale.ROOT,
                "{\"name\":\"%s\",\"ratio\":%s,\"bridge\":%s,\"baseline\":%s,\"unit\":\"%s\",\"rounds\":400}%n",
                name,
                ratio,
                bridge,
                baseline,
                unit);
    }

    @Test
    void bridgeGoalsAreJudgedFromThePairedRunsWhenThereAreSome() throws IOException {
        fullRun();
        // JMH alone says 5.5x; the paired runs (three JVMs: 4.8, 5.0, 5.2; mean 5.0, sd 0.2,
        // 95% CI 5.0 +- 4.303 * 0.2 / sqrt(3) = +-0.50) decide, and say how they were made.
        write(
                "bridge.json",
                List.of(
                        jmh(
                                "BridgeBench.bridge",
                                "thrpt",
                                "\"mode\" : \"single\", \"pattern\" : \"bursts\"",
                                11,
                                "1",
                                0,
                                0),
                        jmh(
                                "BridgeBench.jdkQueue",
                                "thrpt",
                                "\"pattern\" : \"bursts\", \"queue\" : \"ArrayBlockingQueue\"",
                                2,
                                "1",
                                0,
                                0)));
        Files.writeString(
                dir.resolve("paired.jsonl"),
                paired("throughput_single_bursts", 4.8, 9.6, 2, "items/us")
                        + paired("throughput_single_bursts", 5.0, 10, 2, "items/us")
                        + paired("throughput_single_bursts", 5.2, 10.4, 2, "items/us"));
        Files.writeString(dir.resolve("paired-1cpu.jsonl"), paired("latency_1cpu_burst1", 1.01, 2560, 2535, "ns"));
        String md = markdown();
        assertThat(md)
                .contains("| bridge throughput at least 5x `ArrayBlockingQueue`'s (single, bursts) | "
                        + "5.00x (paired, 3 JVMs, 95% CI 4.50-5.50) | met |");
        // one JVM: no interval; 1.01x of park/unpark's is more, so not met
        assertThat(md).contains("(one CPU, burst 1, p50) | 1.010x of park/unpark's (paired, 1 JVM) | **not met** |");
        // without paired results for it, a goal falls back to JMH (not run here: not measured)
        assertThat(md).contains("(one CPU, burst 64, p50) | n/a | not measured |");
        assertThat(md)
                .contains(
                        "| bridge throughput, one item at a time, bursts of 64 | `ArrayBlockingQueue` | 10.0 | 2.00 | "
                                + "5.00x (paired, 3 JVMs, 95% CI 4.50-5.50) |");
        assertThat(md).contains("| bridge throughput, batches of 64, steady | `ArrayBlockingQueue` | not run | | |");
    }

    @Test
    void costGoalsAreJudgedFromThePairedRunsWhenThereAreSome() throws IOException {
        fullRun(); // JMH alone: signal 1.20x C write (not met), 0.96x Netty (met)
        Files.writeString(
                dir.resolve("paired-cost.jsonl"),
                paired("cost_signal_vs_c_write", 1.03, 228, 221, "ns")
                        + paired("cost_signal_vs_c_write", 1.05, 230, 219, "ns")
                        + paired("cost_signal_vs_netty", 1.01, 228, 226, "ns")
                        + paired("cost_write_tryread_vs_netty_write_read", 0.99, 466, 470, "ns"));
        String md = markdown();
        assertThat(md)
                .contains(
                        "| `signal()` within 1.10x of C `write(2)` | 1.040x (paired, 2 JVMs, 95% CI 0.913-1.167) | met |");
        assertThat(md)
                .contains(
                        "| `signal()` faster than Netty's JNI `eventFdWrite` | 1.010x of Netty's time (paired, 1 JVM) | **not met** |");
        assertThat(md)
                .contains(
                        "(with a count to take; pairs with the same write) | 0.990x of Netty's pair (paired, 1 JVM) | met |");
        // no paired tryRead: JMH's 189 / 180
        assertThat(md).contains("| `tryRead()` on empty within 1.10x of C `read(2)` | 1.05x | met |");
        assertThat(md)
                .contains(
                        "| `EventFd.signal()` | C `write(2)` loop, in-process | 229 | 220 | 1.040x (paired, 2 JVMs, 95% CI 0.913-1.167) |");
    }

    @Test
    void aMissingBenchmarkIsNotMeasuredNeverMet() throws IOException {
        Files.writeString(dir.resolve("c.jsonl"), c("c.write", 200, 4, 199, 260));
        String md = markdown();
        assertThat(md).contains("| `signal()` within 1.10x of C `write(2)` | n/a | not measured |");
        assertThat(md).doesNotContain("| met |");
    }

    @Test
    void theShmGroupsResultsAreLeftToItsOwnPage() throws IOException {
        Files.writeString(dir.resolve("c.jsonl"), c("c.write", 200, 4, 199, 260));
        Files.writeString(
                dir.resolve("shm-run1.jsonl"),
                "{\"group\":\"shm\",\"bench\":\"throughput\",\"value\":1.0,\"unit\":\"msg/s\"}\n");
        assertThat(markdown()).contains("| `signal()` within 1.10x of C `write(2)` | n/a | not measured |");
    }

    @Test
    void pageSaysHowItWasMadeAndWhetherItIsQuick() throws IOException {
        fullRun();
        String full = markdown();
        assertThat(full)
                .contains(
                        "Machine: Test CPU, 2 CPUs (virtual machine), Linux 6.1-test; JDK: OpenJDK 64-Bit Server VM 25.0.3+9-LTS.");
        assertThat(full).contains("JMH 1.37: 2 fork(s), 3 x 1 s warm-up, 5 x 1 s measurement.");
        assertThat(full).contains("```sh\nwakefd-bench/run-benchmarks.sh\n```");
        assertThat(full).doesNotContain("Quick run");
        String quick = Report.markdown(
                Results.load(dir),
                MACHINE,
                new Report.Options("wakefd-bench/run-benchmarks.sh --quick", true, false, "benchmarks.svg"));
        assertThat(quick)
                .contains("> **Quick run.**")
                .contains("indicative only")
                .contains("NOT PINNED")
                .contains("run-benchmarks.sh --quick");
    }

    @Test
    void svgIsWellFormedWithABarPerMeasuredRow() throws Exception {
        fullRun();
        String svg = Report.svg(Results.load(dir), FULL);
        Document doc = DocumentBuilderFactory.newInstance()
                .newDocumentBuilder()
                .parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
        assertThat(doc.getDocumentElement().getTagName()).isEqualTo("svg");
        // bars carry a <title>; cost: 4 C + 6 JMH results; round trips on one CPU: C + 3 + virtual
        assertThat(doc.getElementsByTagName("title").getLength()).isEqualTo(10 + 5);
        assertThat(svg).contains("EventFd.signal()").doesNotContain("`").contains("two CPUs");
    }

    @Test
    void unreadableResultsNameTheFile() throws IOException {
        Files.writeString(dir.resolve("cost.json"), "[ { \"benchmark\" : ");
        assertThatThrownBy(() -> Results.load(dir))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("cost.json: not a JMH JSON result (JSON: unexpected end");
        Files.delete(dir.resolve("cost.json"));
        Files.writeString(dir.resolve("c.jsonl"), "{\"unit\": \"ns\"}\n");
        assertThatThrownBy(() -> Results.load(dir)).hasMessageContaining("c.jsonl:1: C floor result without a name");
        assertThatThrownBy(() -> Results.load(dir.resolve("absent"))).hasMessageContaining("is not a directory");
    }

    /** The results JSON holds every table the page shows, cell for cell, and the raw figures. */
    @Test
    void resultsJsonHasEveryTableOfThePageAndTheMeasurements() throws Exception {
        fullRun();
        Results results = Results.load(dir);
        List<Table> tables = new ArrayList<>();
        String md = Report.markdown(results, MACHINE, FULL, tables);
        var doc = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(Report.json(
                        results, MACHINE, FULL, Path.of("out/benchmarks.md"), Path.of("out/benchmarks.svg"), tables));
        assertThat(doc.get("schema").asText()).isEqualTo("wakefd-benchmarks/1");
        assertThat(doc.get("quick").asBoolean()).isFalse();
        assertThat(doc.get("markdown").asText()).isEqualTo("out/benchmarks.md");
        // every pipe table of the page is in the JSON, in page order
        long pageTables = md.lines().filter(l -> l.matches("\\|[-:|]+\\|")).count();
        assertThat(doc.get("tables")).hasSize((int) pageTables);
        for (var t : doc.get("tables")) {
            List<String> header = new ArrayList<>();
            t.get("columns").forEach(c -> header.add(c.asText()));
            assertThat(md).contains("| " + String.join(" | ", header) + " |");
            for (var row : t.get("rows")) {
                StringBuilder line = new StringBuilder("|");
                row.forEach(c -> line.append(c.asText().isEmpty() ? " |" : " " + c.asText() + " |"));
                assertThat(md).contains(line.toString());
            }
        }
        var signal = doc.get("tables").get(0);
        assertThat(signal.get("section").asText()).startsWith("Notify cost");
        assertThat(signal.get("title").asText()).isEqualTo("A wake that writes the eventfd");
        assertThat(signal.get("rows").toString())
                .contains("[\"wakefd `EventFd.signal()`\",\"240 ± 3\",\"1.20x\",\"0.96x\"]");
        var m = doc.get("measurements").get("cost/NotifyBench.eventFdSignal");
        assertThat(m.get("score").asDouble()).isEqualTo(240.0);
        assertThat(m.get("p50").isNull())
                .as("not sampled: no percentile, null rather than NaN")
                .isTrue();
    }
}
