package dev.wakefd.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wakefd.cli.testing.Cli;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** bench against a stand-in run-benchmarks.sh, so the plumbing is tested without a 40-minute run. */
class BenchCommandTest {
    /** A results JSON as the report writes it (trimmed): one ratio table and one without ratios. */
    private static final String RESULTS = """
            {
              "schema" : "wakefd-benchmarks/1",
              "quick" : false,
              "tables" : [ {
                "section" : "Notify cost (ns per call, lower is better)",
                "title" : "A wake that writes the eventfd",
                "columns" : [ "What", "ns/op", "vs C floor", "vs best peer" ],
                "rows" : [ [ "C `write(2)` to an eventfd (floor)", "209.9", "1.00x", "0.84x" ],
                           [ "wakefd `EventFd.signal()`", "239.7 ± 3", "1.14x", "0.96x" ] ]
              }, {
                "section" : "Poller dispatch",
                "title" : null,
                "columns" : [ "Registered fds", "p50" ],
                "rows" : [ [ "10", "6,184" ] ]
              } ],
              "measurements" : { "cost/NotifyBench.eventFdSignal" : { "score" : 239.7 } }
            }
            """;

    private static final String COMMITTED = "# the committed page\n";

    /** A checkout with a committed docs/benchmarks.md and a script that writes the report where it is told. */
    private static Path fakeRoot(Path root, String scriptBody) throws Exception {
        Files.createDirectories(root.resolve("wakefd-bench"));
        Files.createDirectories(root.resolve("docs"));
        Files.writeString(root.resolve("docs/benchmarks.md"), COMMITTED);
        Files.writeString(root.resolve(BenchCommand.SCRIPT), "#!/usr/bin/env bash\n" + scriptBody + "\n");
        return root;
    }

    private static String writesReport() {
        return "echo \"args: $* report: $WAKEFD_BENCH_REPORT_DIR\" >&2\necho 'JMH: cost' >&2\n"
                + "mkdir -p \"$WAKEFD_BENCH_REPORT_DIR\"\necho '# new page' > \"$WAKEFD_BENCH_REPORT_DIR/benchmarks.md\"\n"
                + "cat > \"$WAKEFD_BENCH_REPORT_DIR/benchmarks.json\" <<'JSON'\n" + RESULTS + "JSON\n";
    }

    @Test
    void writesTheReportUnderTargetAndPrintsTheRatioTablesFromItsJson(@TempDir Path root) throws Exception {
        fakeRoot(root, writesReport());
        Cli.Run r = Cli.run("bench", "--quick", "--root", root.toString());
        assertThat(r.exit()).as(r.toString()).isZero();
        Path report = root.resolve(BenchCommand.REPORT_DIR);
        assertThat(r.err())
                .contains("args: --quick report: " + report)
                .contains("JMH: cost")
                .contains("quick benchmark suite");
        assertThat(Files.readString(report.resolve("benchmarks.md"))).isEqualTo("# new page\n");
        assertThat(Files.readString(root.resolve("docs/benchmarks.md")))
                .as("the committed page")
                .isEqualTo(COMMITTED);
        assertThat(r.out())
                .contains("A wake that writes the eventfd")
                .containsPattern("wakefd `EventFd.signal\\(\\)`\\s+239.7 ± 3\\s+1.14x\\s+0.96x")
                .doesNotContain("Registered fds") // not a ratio table
                .contains("error bars are wide")
                .contains("Full report: " + report.resolve("benchmarks.md"))
                .contains("--update-docs rewrites them");
    }

    @Test
    void updateDocsWritesTheCommittedPage(@TempDir Path root) throws Exception {
        fakeRoot(root, writesReport());
        Cli.Run r = Cli.run("bench", "--update-docs", "--root", root.toString());
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.err()).contains("report: " + root.resolve("docs"));
        assertThat(Files.readString(root.resolve("docs/benchmarks.md"))).isEqualTo("# new page\n");
        assertThat(root.resolve(BenchCommand.REPORT_DIR)).doesNotExist();
    }

    @Test
    void jsonIsTheReportsResultsDocument(@TempDir Path root) throws Exception {
        fakeRoot(root, writesReport());
        Cli.Run r = Cli.run("bench", "--json", "--root", root.toString());
        assertThat(r.exit()).as(r.toString()).isZero();
        JsonNode j = r.json();
        assertThat(j.get("schema").asText()).isEqualTo("wakefd-benchmarks/1");
        assertThat(j.get("tables")).hasSize(2);
        JsonNode notify = j.get("tables").get(0);
        assertThat(notify.get("columns").get(2).asText()).isEqualTo("vs C floor");
        assertThat(notify.get("rows").get(1).get(2).asText()).isEqualTo("1.14x");
        assertThat(j.get("measurements")
                        .get("cost/NotifyBench.eventFdSignal")
                        .get("score")
                        .asDouble())
                .isEqualTo(239.7);
    }

    @Test
    void aScriptThatWritesNoResultsJsonIsAFailure(@TempDir Path root) throws Exception {
        fakeRoot(root, "exit 0");
        Cli.Run r = Cli.run("bench", "--root", root.toString());
        assertThat(r.exit()).as(r.toString()).isEqualTo(1);
        assertThat(r.err())
                .contains("finished but wrote no "
                        + root.resolve(BenchCommand.REPORT_DIR).resolve("benchmarks.json"));
    }

    @Test
    void aFailingScriptIsAFailure(@TempDir Path root) throws Exception {
        fakeRoot(root, "echo 'gcc: not found' >&2\nexit 3");
        Cli.Run r = Cli.run("bench", "--root", root.toString());
        assertThat(r.exit()).as(r.toString()).isEqualTo(1);
        assertThat(r.err()).contains("gcc: not found").contains("failed with exit code 3");
    }

    @Test
    void aMissingScriptSaysWhatIsMissing(@TempDir Path root) {
        Cli.Run r = Cli.run("bench", "--root", root.toString());
        assertThat(r.exit()).as(r.toString()).isEqualTo(1);
        assertThat(r.err()).contains("needs wakefd-bench/run-benchmarks.sh").contains(root.toString());
    }
}
