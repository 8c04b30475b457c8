package dev.wakefd.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code wakefd bench}: runs wakefd-bench/run-benchmarks.sh and prints its ratio tables. */
@Command(name = "bench",
        mixinStandardHelpOptions = true,
        header = "Run the comparison suite: wakefd vs C, Netty and the JDK",
        description = {"Runs wakefd's comparison suite (wakefd vs C vs Netty vs the JDK: notify cost, read cost, "
                + "contention, wake-up round trips), rewrites docs/benchmarks.md and docs/benchmarks.svg, and "
                + "prints the ratio tables.",
                "A full run takes about 15 minutes on 2 cores; --quick takes about a minute with wide error bars.",
                "Needs the source checkout (it rebuilds the benchmarks with Maven), gcc and python3."})
final class BenchCommand implements Callable<Integer> {
    static final String SCRIPT = "wakefd-bench/run-benchmarks.sh";

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--quick", description = "a smoke run in about a minute: one fork, short iterations, wide error bars")
    boolean quick;

    @Option(names = "--json", description = "print every table of the report as JSON instead")
    boolean json;

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
        PrintWriter err = spec.commandLine().getErr();
        err.println(quick ? "running the quick benchmark suite (about a minute; wide error bars, a smoke test only)..."
                : "running the full benchmark suite (about 15 minutes on 2 cores; --quick for a smoke run)...");
        err.flush();
        List<String> cmd = new ArrayList<>(List.of("bash", script.toString()));
        if (quick) {
            cmd.add("--quick");
        }
        // The script reports progress on stderr; all of it is progress to us, so it goes to our stderr.
        Process p = new ProcessBuilder(cmd).directory(home.toFile()).redirectErrorStream(true).start();
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
        Path md = home.resolve("docs/benchmarks.md");
        if (!Files.isRegularFile(md)) {
            throw new Main.Failure(SCRIPT + " finished but wrote no " + md);
        }
        List<MarkdownTables.Table> tables = MarkdownTables.parse(Files.readString(md));
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("quick", quick);
            m.put("markdown", md.toString());
            m.put("chart", home.resolve("docs/benchmarks.svg").toString());
            List<Object> ts = new ArrayList<>();
            for (MarkdownTables.Table t : tables) {
                Map<String, Object> tm = new LinkedHashMap<>();
                tm.put("title", t.title());
                tm.put("columns", t.columns());
                tm.put("rows", t.rows());
                ts.add(tm);
            }
            m.put("tables", ts);
            out.println(Json.write(m));
        } else {
            int shown = 0;
            for (MarkdownTables.Table t : tables) {
                if (t.columns().stream().anyMatch(c -> c.startsWith("vs "))) {
                    out.println("## " + t.title());
                    out.println();
                    out.println(String.join("\n", t.lines()));
                    out.println();
                    shown++;
                }
            }
            if (shown == 0) {
                out.println("(the report has no ratio table; see " + md + ")");
            }
            if (quick) {
                out.println("Quick run: the error bars are wide; run `wakefd bench` without --quick for numbers to quote.");
            }
            out.println("Full report: " + md + "; chart: " + home.resolve("docs/benchmarks.svg"));
        }
        out.flush();
        return 0;
    }
}
