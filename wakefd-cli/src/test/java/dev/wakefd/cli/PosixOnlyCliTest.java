package dev.wakefd.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.wakefd.cli.testing.Cli;
import org.junit.jupiter.api.Test;

/** In POSIX-only mode (the posix-only surefire run) /proc inspection refuses, naming the mode. */
class PosixOnlyCliTest {

    @Test
    void inspectRefusesInPosixOnlyMode() {
        assumeTrue(dev.wakefd.internal.Platform.posixOnly(), "POSIX-only run");
        Cli.Run r = Cli.run("inspect", "self");
        assertThat(r.exit()).as(r.toString()).isNotZero();
        assertThat(r.err())
                .contains("wakefd inspect")
                .contains("needs Linux")
                .contains("POSIX-only mode")
                .doesNotContain("internal error");
    }
}
