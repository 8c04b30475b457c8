package dev.wakefd.ipc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.wakefd.EventFd;
import dev.wakefd.ipc.testing.Peer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Both directions with a C peer (src/test/c/peer.c), compiled with gcc into target/ for the test. */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class CPeerTest {
    static final Duration WAIT = Duration.ofSeconds(60);
    static Path binary;

    @BeforeAll
    static void compile() throws Exception {
        Path out = Path.of("target", "c-peer");
        Files.createDirectories(out);
        binary = out.resolve("peer");
        Process gcc;
        try {
            gcc = new ProcessBuilder(
                            "gcc",
                            "-O1",
                            "-Wall",
                            "-Wextra",
                            "-Werror",
                            "-o",
                            binary.toString(),
                            Path.of("src", "test", "c", "peer.c").toString())
                    .redirectErrorStream(true)
                    .start();
        } catch (IOException e) {
            assumeTrue(false, "gcc is not available: " + e.getMessage());
            return;
        }
        assertThat(gcc.waitFor(120, TimeUnit.SECONDS)).as("gcc finishes").isTrue();
        String log = new String(gcc.getInputStream().readAllBytes());
        assertThat(gcc.exitValue()).as("gcc: " + log).isZero();
    }

    @Test
    void cWritesIntoAnEventFdJavaSent(@TempDir Path dir) throws Exception {
        Path sock = dir.resolve("c.sock");
        try (FdListener l = FdListener.bind(sock);
                EventFd e = EventFd.open();
                Peer p = new Peer(List.of(binary.toString(), sock.toString(), "recv-write", "9"))) {
            try (FdSocket s = l.accept(WAIT)) {
                s.send(e);
                assertThat(p.line()).isEqualTo("wrote 9");
                assertThat(e.await(WAIT)).isEqualTo(9);
            }
            assertThat(p.exit()).isZero();
        }
    }

    @Test
    void javaSignalsAnEventFdCSent(@TempDir Path dir) throws Exception {
        Path sock = dir.resolve("d.sock");
        try (FdListener l = FdListener.bind(sock);
                Peer p = new Peer(List.of(binary.toString(), sock.toString(), "send-read", "4"))) {
            try (FdSocket s = l.accept(WAIT);
                    EventFd e = s.receive(WAIT)) {
                assertThat(p.line()).isEqualTo("sent");
                e.signal(4);
                assertThat(p.line()).isEqualTo("read 4");
            }
            assertThat(p.exit()).isZero();
        }
    }
}
