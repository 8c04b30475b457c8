package dev.wakefd.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code wakefd bench}: runs wakefd-bench/run-benchmarks.sh, then prints the ratio tables from the
 * results JSON the report wrote beside the page (the same tables the page shows).
 */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        header = "Run the comparison suite: wakefd vs C, Netty and the JDK",
        description = {
            "Runs wakefd's comparison suite (wakefd vs C vs Netty vs the JDK: notify cost, read cost, "
                    + "contention, wake-up round trips) and prints the ratio tables.",
            "The report (benchmarks.md, .svg, and benchmarks.json with every table as data) goes to "
                    + BenchCommand.REPORT_DIR + "/; --update-docs rewrites the committed docs/benchmarks.* instead.",
            "A full run takes about 40 minutes on 2 cores; --quick takes a few minutes with wide error bars.",
            "Needs the source checkout (it rebuilds the benchmarks with Maven), gcc and python3."
        },
        footer = {
            "%nExamples:",
            "  wakefd bench --quick",
            "  wakefd bench --json > bench.json",
            "  wakefd bench --update-docs"
        })
final class BenchCommand implements Callable<Integer> {
    static final String SCRIPT = "wakefd-bench/run-benchmarks.sh";
    static final String REPORT_DIR = "wakefd-bench/target/report";
    static final String DOCS_DIR = "docs";

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--quick", description = "a smoke run: one JVM, short iterations, wide error bars")
    boolean quick;

    @Option(names = "--json", description = "print the results JSON (every table of the report, and the raw figures)")
    boolean json;

    @Option(
            names = "--update-docs",
            description = "write the report over docs/benchmarks.md, .svg and .json (to commit)")
    boolean updateDocs;

    @Option(names = "--root", hidden = true, description = "the repository root (default: where ./wakefd lives)")
    Path root;

    @Override
    public Integer call() throws IOException, InterruptedException {
        Path home = root != null ? root : Home.find();
        Path script = home.resolve(SCRIPT);
        if (!Files.isRegularFile(script)) {
            throw new Main.Failure("needs " + SCRIPT + ", which is not in " + home
                    + " (the wakefd-bench module is not in this checkout; run from a full clone of wakefd)");
        }
        Path reportDir = home.resolve(updateDocs ? DOCS_DIR : REPORT_DIR);
        PrintWriter err = spec.commandLine().getErr();
        err.println(
                quick
                        ? "running the quick benchmark suite (wide error bars, a smoke test only)..."
                        : "running the full benchmark suite (about 40 minutes on 2 cores; --quick for a smoke run)...");
        err.flush();
        List<String> cmd = new ArrayList<>(List.of("bash", script.toString()));
        if (quick) {
            cmd.add("--quick");
        }
        // The script reports progress on stderr; all of it is progress to us, so it goes to our stderr.
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(home.toFile()).redirectErrorStream(true);
        pb.environment().put("WAKEFD_BENCH_REPORT_DIR", reportDir.toString());
        Process p = pb.start();
        p.getOutputStream().close();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                err.println("  " + line);
                err.flush();
            }
        }
        int exit = p.waitFor();
        if (exit != 0) {
            throw new Main.Failure(SCRIPT + " failed with exit code " + exit + " (its output is above)");
        }
        Path results = reportDir.resolve("benchmarks.json");
        if (!Files.isRegularFile(results)) {
            throw new Main.Failure(SCRIPT + " finished but wrote no " + results);
        }
        JsonNode doc;
        try {
            doc = new ObjectMapper().readTree(results.toFile());
        } catch (IOException e) {
            throw new Main.Failure(results + " is not the report's results JSON: " + e.getMessage(), e);
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(doc));
        } else {
            printRatioTables(out, doc);
            if (quick) {
                out.println(
                        "Quick run: the error bars are wide; run `wakefd bench` without --quick for numbers to quote.");
            }
            out.println("Full report: " + reportDir.resolve("benchmarks.md") + "; chart: "
                    + reportDir.resolve("benchmarks.svg")
                    + (updateDocs ? "" : " (the committed docs/ are unchanged; --update-docs rewrites them)"));
        }
        out.flush();
        return 0;
    }

    /** The tables that compare (a column starting "vs "), as aligned text under their titles. */
    static void printRatioTables(PrintWriter out, JsonNode doc) {
        int shown = 0;
        for (JsonNode t : doc.path("tables")) {
            List<String> columns = texts(t.path("columns"));
            if (columns.stream().noneMatch(c -> c.startsWith("vs "))) {
                continue;
            }
            List<List<String>> rows = new ArrayList<>();
            rows.add(columns);
            t.path("rows").forEach(r -> rows.add(texts(r)));
            String title = t.path("title").isTextual()
                    ? t.path("title").asText()
                    : t.path("section").asText();
            out.println(title);
            int[] w = new int[columns.size()];
            for (List<String> r : rows) {
                for (int i = 0; i < r.size() && i < w.length; i++) {
                    w[i] = Math.max(w[i], r.get(i).length());
                }
            }
            for (List<String> r : rows) {
                StringBuilder line = new StringBuilder(" ");
                for (int i = 0; i < r.size() && i < w.length; i++) {
                    String cell = r.get(i);
                    String pad = " ".repeat(w[i] - cell.length());
                    line.append(' ').append(i == 0 ? cell + pad : pad + cell).append(' '); // numbers right-aligned
                }
                out.println(line.toString().stripTrailing());
            }
            out.println();
            shown++;
        }
        if (shown == 0) {
            out.println("(the report has no ratio table)");
        }
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }
}
