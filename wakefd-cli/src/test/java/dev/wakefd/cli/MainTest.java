package dev.wakefd.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wakefd.cli.testing.Cli;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MainTest {
    @ParameterizedTest
    @ValueSource(strings = {"", "demo", "bench", "inspect"})
    void everyCommandHasHelp(String command) {
        Cli.Run r = command.isEmpty() ? Cli.run("--help") : Cli.run(command, "--help");
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).contains("Usage: wakefd" + (command.isEmpty() ? "" : " " + command));
        assertThat(r.err()).isEmpty();
    }

    @Test
    void noCommandIsAUsageError() {
        Cli.Run r = Cli.run();
        assertThat(r.exit()).as(r.toString()).isEqualTo(2);
        assertThat(r.err()).contains("name a command");
    }

    @Test
    void unknownCommandOrOptionIsAUsageError() {
        assertThat(Cli.run("frobnicate").exit()).isEqualTo(2);
        assertThat(Cli.run("demo", "--no-such-option").exit()).isEqualTo(2);
    }

    @Test
    void versionNamesTheJavaAndSaysWhenNotRunFromTheJar() {
        // Run from target/classes there is no manifest; LauncherIT checks the jar's version.
        Cli.Run r = Cli.run("--version");
        assertThat(r.exit()).isZero();
        assertThat(r.out())
                .startsWith("wakefd (version unknown: not run from the built jar)")
                .contains("Java " + Runtime.version().feature());
    }

    @Test
    void usageErrorsAreOneLineNamingTheCommandTheValueTheRuleAndWhereHelpIs() {
        Cli.Run r = Cli.run("demo", "--laps", "0");
        assertThat(r.exit()).as(r.toString()).isEqualTo(2);
        assertThat(r.err())
                .isEqualTo("wakefd demo: --laps 0: must be at least 1 (see `wakefd demo --help`)"
                        + System.lineSeparator());
        assertThat(r.out()).isEmpty();

        Cli.Run bad = Cli.run("inspect", "self", "--interval", "x");
        assertThat(bad.exit()).isEqualTo(2);
        assertThat(bad.err().lines())
                .singleElement()
                .asString()
                .startsWith("wakefd inspect: ")
                .contains("'x'")
                .endsWith("(see `wakefd inspect --help`)");

        Cli.Run unknown = Cli.run("demoo");
        assertThat(unknown.exit()).isEqualTo(2);
        assertThat(unknown.err().lines())
                .singleElement()
                .asString()
                .startsWith("wakefd: ")
                .contains("'demoo'")
                .contains("did you mean demo")
                .endsWith("(see `wakefd --help`)");
    }

    @Test
    void theCommandListHasOneLinePerCommand() {
        List<String> lines = Cli.run("--help").out().lines().toList();
        int start = lines.indexOf("Commands:");
        assertThat(start).as("a Commands: section").isNotNegative();
        List<String> section = lines.subList(start + 1, lines.size()).stream()
                .takeWhile(l -> !l.isBlank())
                .toList();
        assertThat(section).hasSize(4).allSatisfy(l -> assertThat(l).matches("  (demo|bench|inspect|help) +\\S.*"));
    }
}
