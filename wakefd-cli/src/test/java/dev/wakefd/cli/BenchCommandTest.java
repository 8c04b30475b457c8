package dev.wakefd.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** bench against a stand-in run-benchmarks.sh, so the plumbing is tested without a 15-minute run. */
class BenchCommandTest {
    private static final String REPORT = String.join("\n",
            "# wakefd benchmarks", "", "Some prose.", "",
            "## Notify cost (ns per call, lower is better)", "",
            "| What | ns/op | vs C `write(2)` |",
            "|---|---:|---:|",
            "| C `write(2)` (floor) | 209.9 | 1.00x |",
            "| wakefd `EventFd.signal()` | 239.7 | 1.14x |", "",
            "## Poller dispatch", "",
            "| Registered fds | p50 |",
            "|---:|---:|",
            "| 10 | 6,184 |", "");

    private static Path fakeRoot(Path root, String scriptBody) throws Exception {
        Files.createDirectories(root.resolve("wakefd-bench"));
        Files.createDirectories(root.resolve("docs"));
        Files.writeString(root.resolve(BenchCommand.SCRIPT), "#!/usr/bin/env bash\n" + scriptBody + "\n");
        return root;
    }

    @Test
    void runsTheScriptAndPrintsTheRatioTables(@TempDir Path root) throws Exception {
        fakeRoot(root, "echo \"args: $*\" >&2\necho 'JMH: cost' >&2\ncat > docs/benchmarks.md <<'MD'\n" + REPORT + "MD\n");
        Cli.Run r = Cli.run("bench", "--quick", "--root", root.toString());
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.err()).contains("args: --quick").contains("JMH: cost").contains("quick benchmark suite");
        assertThat(r.out()).contains("## Notify cost").contains("| wakefd `EventFd.signal()` | 239.7 | 1.14x |")
                .doesNotContain("Registered fds") // not a ratio table
                .contains("error bars are wide");
    }

    @Test
    void jsonHasEveryTable(@TempDir Path root) throws Exception {
        fakeRoot(root, "cat > docs/benchmarks.md <<'MD'\n" + REPORT + "MD\n");
        Cli.Run r = Cli.run("bench", "--json", "--root", root.toString());
        assertThat(r.exit()).as(r.toString()).isZero();
        JsonNode j = r.json();
        assertThat(j.get("quick").asBoolean()).isFalse();
        assertThat(j.get("tables")).hasSize(2);
        JsonNode notify = j.get("tables").get(0);
        assertThat(notify.get("title").asText()).startsWith("Notify cost");
        assertThat(notify.get("columns").get(2).asText()).isEqualTo("vs C `write(2)`");
        assertThat(notify.get("rows").get(1).get(2).asText()).isEqualTo("1.14x");
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

    @Test
    void markdownTablesParse() {
        var tables = MarkdownTables.parse(REPORT);
        assertThat(tables).extracting(MarkdownTables.Table::title)
                .containsExactly("Notify cost (ns per call, lower is better)", "Poller dispatch");
        assertThat(tables.get(1).rows()).containsExactly(java.util.List.of("10", "6,184"));
    }
}
