package dev.wakefd.bench.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The goals as data (goals.json): well formed, and judged into the results JSON. */
class GoalsTest {
    @TempDir
    Path dir;

    @Test
    void everyGoalInTheDataFileIsWellFormed() {
        List<Goals.Goal> goals = Goals.load();
        assertThat(goals).isNotEmpty();
        Set<String> ids = new HashSet<>();
        for (Goals.Goal g : goals) {
            assertThat(g.goal()).as("goal text").isNotBlank();
            assertThat(g.measure()).as(g.goal()).isIn("ratio", "value", "growth", "spread");
            assertThat(g.stat()).as(g.goal()).isIn(null, "score", "p50", "cpuShare");
            assertThatCode(() -> Goals.meets(1.0, g)).as(g.goal()).doesNotThrowAnyException();
            if (g.measure().equals("ratio") && !g.keys().isEmpty()) {
                assertThat(g.keys()).as(g.goal()).hasSizeGreaterThanOrEqualTo(2);
            }
            if (g.keys().isEmpty()) {
                assertThat(g.paired())
                        .as(g.goal() + ": no keys, so paired runs only")
                        .isNotNull();
            }
            if (g.measure().equals("growth")) {
                assertThat(g.threads()).as(g.goal()).isNotNull();
                assertThat(g.keys().get(0)).as(g.goal()).contains("{threads}");
            }
            if (g.id() != null) {
                assertThat(ids.add(g.id())).as("id " + g.id() + " is unique").isTrue();
            }
        }
    }

    @Test
    void targetsAreComparisonsWithABound() {
        Goals.Goal atMost = goal("<= 1.10");
        assertThat(Goals.meets(1.10, atMost)).isTrue();
        assertThat(Goals.meets(1.11, atMost)).isFalse();
        assertThat(Goals.meets(1.0, goal("< 1"))).isFalse();
        assertThat(Goals.meets(5.0, goal(">= 5"))).isTrue();
        assertThat(Goals.meets(1.0, goal("> 1"))).isFalse();
        assertThat(Goals.meets(Double.NaN, goal(">= 5"))).isFalse();
    }

    private static Goals.Goal goal(String target) {
        return new Goals.Goal(null, "test goal", null, "value", List.of("k"), null, null, target, null, false, null);
    }

    @Test
    void resultsJsonHasEveryGoalWithItsFigureAndVerdict() throws IOException {
        Files.writeString(dir.resolve("c.jsonl"), ReportFixtures.c("c.write", 200, 4, 199, 260));
        Files.writeString(
                dir.resolve("cost.json"),
                "[\n" + ReportFixtures.jmh("NotifyBench.eventFdSignal", "avgt", "", 240, "2.5", 0, 0) + "\n]\n");
        Results results = Results.load(dir);
        List<Table> tables = new ArrayList<>();
        Report.markdown(results, ReportFixtures.MACHINE, ReportFixtures.FULL, tables);
        JsonNode doc = new ObjectMapper()
                .readTree(Report.json(
                        results,
                        ReportFixtures.MACHINE,
                        ReportFixtures.FULL,
                        Path.of("out/benchmarks.md"),
                        Path.of("out/benchmarks.svg"),
                        tables));
        JsonNode goals = doc.get("goals");
        assertThat(goals).hasSize(Goals.load().size());
        JsonNode signal = goals.get(0);
        assertThat(signal.get("goal").asText()).isEqualTo("`signal()` within 1.10x of C `write(2)`");
        assertThat(signal.get("figure").asText()).isEqualTo("1.20x");
        assertThat(signal.get("value").asDouble()).isEqualTo(1.2, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(signal.get("target").asText()).isEqualTo("<= 1.10");
        assertThat(signal.get("paired").asBoolean()).isFalse();
        assertThat(signal.get("verdict").asText()).isEqualTo("not met");
        JsonNode tryRead = goals.get(1);
        assertThat(tryRead.get("verdict").asText()).isEqualTo("not measured");
        assertThat(tryRead.get("value").isNull()).isTrue();
    }
}
