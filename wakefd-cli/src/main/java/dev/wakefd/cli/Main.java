package dev.wakefd.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code wakefd}: the command line tool. Exit codes: 0 ok, 1 failure, 2 usage. */
@Command(name = "wakefd", mixinStandardHelpOptions = true, version = "wakefd 0.1.0",
        description = "Cross-runtime wake signals backed by Linux eventfd: see one cross runtimes, measure it, inspect it.",
        subcommands = {Demo.class, Bench.class, Inspect.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "say which command: demo, bench or inspect");
    }

    /** Builds the command line with wakefd's exit-code conventions. */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        cl.setOut(new java.io.PrintWriter(new java.io.OutputStreamWriter(System.out, java.nio.charset.StandardCharsets.UTF_8), true));
        cl.setErr(new java.io.PrintWriter(new java.io.OutputStreamWriter(System.err, java.nio.charset.StandardCharsets.UTF_8), true));
        cl.setExecutionExceptionHandler((ex, line, parsed) -> {
            line.getErr().println("wakefd " + line.getCommandName() + ": " + ex.getMessage());
            return 1;
        });
        return cl;
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }
}
