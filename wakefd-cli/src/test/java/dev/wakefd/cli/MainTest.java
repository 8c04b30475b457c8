package dev.wakefd.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

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
    void versionNamesTheJava() {
        Cli.Run r = Cli.run("--version");
        assertThat(r.exit()).isZero();
        assertThat(r.out()).startsWith("wakefd ").contains("Java " + Runtime.version().feature());
    }
}
