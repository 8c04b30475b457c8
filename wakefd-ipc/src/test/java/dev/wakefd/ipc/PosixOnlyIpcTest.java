package dev.wakefd.ipc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.wakefd.internal.Native;
import dev.wakefd.internal.Platform;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** In POSIX-only mode (this module's posix-only surefire run) fd passing refuses clearly, before any Linux-only lookup. */
class PosixOnlyIpcTest {

    @Test
    void fdPassingRefusesNamingTheMode() {
        assumeTrue(Platform.posixOnly(), "POSIX-only run");
        Path path = Path.of(
                System.getProperty("java.io.tmpdir"),
                "wakefd-posix-" + ProcessHandle.current().pid());
        for (int i = 0; i < 2; i++) { // twice: a refusal, not a failed class initialisation
            assertThatThrownBy(() -> FdSocket.connect(path))
                    .isInstanceOf(UnsupportedOperationException.class)
                    .hasMessageContaining("FdSocket.connect")
                    .hasMessageContaining("needs Linux")
                    .hasMessageContaining("POSIX-only mode");
            assertThatThrownBy(() -> FdListener.bind(path))
                    .isInstanceOf(UnsupportedOperationException.class)
                    .hasMessageContaining("FdListener.bind")
                    .hasMessageContaining("POSIX-only mode");
        }
        assertThat(Native.symbolsLookedUp()).noneMatch(Platform::linuxOnly);
    }
}
