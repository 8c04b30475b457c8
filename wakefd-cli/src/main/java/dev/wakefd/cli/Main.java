package dev.wakefd.cli;

import java.io.IOException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The {@code wakefd} command. Exit codes: 0 ok, 1 failure, 2 usage. Results go to stdout,
 * progress and errors to stderr.
 *
 * <pre>{@code
 * int exit = Main.commandLine().execute("inspect", "self", "--json");
 * }</pre>
 */
@Command(
        name = "wakefd",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        subcommands = {DemoCommand.class, BenchCommand.class, InspectCommand.class, CommandLine.HelpCommand.class},
        description = "Cross-runtime wake signals for the JVM, backed by Linux eventfd.%n",
        footer = {"%nExit codes: 0 ok, 1 failure, 2 usage error.", "Start with: wakefd demo"})
public final class Main implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "name a command: demo, bench or inspect");
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The command line with wakefd's error reporting; tests set its out and err writers. */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        cl.setParameterExceptionHandler(Main::usageError);
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            PrintWriter err = cmd.getErr();
            String who = "wakefd " + cmd.getCommandName() + ": ";
            if (ex instanceof Failure || ex instanceof IOException) {
                // Expected failures: the message says what happened and what to do.
                err.println(who + ex.getMessage());
            } else {
                err.println(who + "internal error: " + ex);
                ex.printStackTrace(err);
            }
            err.flush();
            return CommandLine.ExitCode.SOFTWARE;
        });
        return cl;
    }

    /**
     * A usage error as one line naming the command, what was wrong, and where help is, e.g.
     * {@code wakefd demo: --laps 0: must be at least 1 (see `wakefd demo --help`)}; exit code 2.
     */
    static int usageError(CommandLine.ParameterException ex, String[] args) {
        CommandLine cmd = ex.getCommandLine();
        String name = cmd.getCommandSpec().qualifiedName(" ");
        String message = ex.getMessage();
        if (ex instanceof CommandLine.UnmatchedArgumentException u
                && !u.getSuggestions().isEmpty()) {
            message += "; did you mean " + String.join(" or ", u.getSuggestions()) + "?";
        }
        PrintWriter err = cmd.getErr();
        err.println(name + ": " + message + " (see `" + name + " --help`)");
        err.flush();
        return CommandLine.ExitCode.USAGE;
    }

    /** A failure the user can act on: printed as one line, exit code 1. */
    static final class Failure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Failure(String message) {
            super(message);
        }

        Failure(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** The version the build wrote into the jar's manifest (Implementation-Version). */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {
                "wakefd " + (v != null ? v : "(version unknown: not run from the built jar)") + ", Java "
                        + Runtime.version()
            };
        }
    }
}
