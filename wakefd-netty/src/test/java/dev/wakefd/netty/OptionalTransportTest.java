package dev.wakefd.netty;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The transports are optional dependencies: an epoll user has no io_uring jar, and wakefd-netty
 * must not touch an io_uring class for an epoll loop (nor for refusing a NIO loop).
 */
class OptionalTransportTest {

    @Test
    void anEpollLoopWorksWithoutTheIoUringJars(@TempDir Path tmp) throws Exception {
        String classPath = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(entry -> !entry.contains("io_uring"))
                .collect(Collectors.joining(File.pathSeparator));
        String java = ProcessHandle.current().info().command().orElseThrow();
        Path out = tmp.resolve("out"), err = tmp.resolve("err");
        Process child = new ProcessBuilder(
                        java, "--enable-native-access=ALL-UNNAMED", "-cp", classPath, EpollOnlyMain.class.getName())
                .redirectOutput(out.toFile())
                .redirectError(err.toFile())
                .start();
        assertThat(child.waitFor(120, TimeUnit.SECONDS))
                .as("child JVM finished")
                .isTrue();
        List<String> lines = Files.readAllLines(out, StandardCharsets.UTF_8);
        String stderr = Files.readString(err, StandardCharsets.UTF_8);
        assertThat(child.exitValue()).as("exit status; stderr:%n%s", stderr).isZero();
        assertThat(lines)
                .containsExactly("io_uring classes absent", "nio supported: false", "delivered: true via epoll");
        assertThat(stderr).doesNotContain("NoClassDefFoundError").doesNotContain("WARNING");
    }
}
