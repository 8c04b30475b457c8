package dev.wakefd.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code wakefd bench}: runs the comparison suite and prints its ratio tables. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Run wakefd's benchmark suite (JMH + a C floor) against C, Netty and the JDK,",
                "write docs/benchmarks.md and docs/benchmarks.svg, and print the tables."})
final class Bench implements Callable<Integer> {
    @Option(names = "--quick", description = "finish in about a minute, with wide error bars")
    boolean quick;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        String home = System.getProperty("wakefd.home");
        Path script = home == null ? null : Path.of(home, "wakefd-bench", "run-benchmarks.sh");
        if (script == null || !Files.isExecutable(script)) {
            throw new IllegalStateException("bench needs the wakefd source tree (run it through ./wakefd from a clone); "
                    + (script == null ? "wakefd.home is not set" : script + " is missing"));
        }
        if (quick) {
            spec.commandLine().getErr().println("wakefd bench --quick: about a minute; numbers have wide error bars");
        }
        List<String> cmd = new ArrayList<>(List.of("bash", script.toString()));
        if (quick) {
            cmd.add("--quick");
        }
        Process p = new ProcessBuilder(cmd).directory(Path.of(home).toFile()).inheritIO().start();
        int rc = p.waitFor();
        if (rc != 0) {
            throw new IllegalStateException("the benchmark script failed with exit code " + rc);
        }
        spec.commandLine().getOut().println(Files.readString(Path.of(home, "docs", "benchmarks.md")));
        return 0;
    }
}
