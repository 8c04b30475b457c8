package dev.wakefd.ipc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wakefd.ErrnoException;
import dev.wakefd.internal.Errno;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code FdListener.bind} when the process is out of fds: an {@link ErrnoException} naming the
 * call and EMFILE, and a working bind once fds are free again. Lowers RLIMIT_NOFILE just above
 * the fds in use, takes the rest with dup(2), binds, then frees them and restores the limit
 * before asserting (class loading needs fds too).
 */
class BindOutOfFdsTest {
    private static final int RLIMIT_NOFILE = 7;

    @Test
    void bindReportsEmfileAsAnIOExceptionNamingTheCallAndWorksAgainAfterwards(@TempDir Path dir) throws Throwable {
        Linker l = Linker.nativeLinker();
        MethodHandle getrlimit = l.downcallHandle(
                l.defaultLookup().find("getrlimit").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS));
        MethodHandle setrlimit = l.downcallHandle(
                l.defaultLookup().find("setrlimit").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS));
        MethodHandle dup = l.downcallHandle(
                l.defaultLookup().find("dup").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
        MethodHandle close = l.downcallHandle(
                l.defaultLookup().find("close").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
        // Load what the failing bind runs before fds run out.
        try (FdListener warm = FdListener.bind(dir.resolve("warm"))) {
            assertThat(Errno.exception("warm-up", Errno.EMFILE))
                    .isInstanceOf(ErrnoException.class)
                    .hasMessageContaining("EMFILE");
        }
        Path sock = dir.resolve("s");
        Object outcome;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment saved = a.allocate(16);
            assertThat((int) getrlimit.invokeExact(RLIMIT_NOFILE, saved)).isZero();
            MemorySegment lowered = a.allocate(16);
            lowered.copyFrom(saved);
            lowered.set(ValueLayout.JAVA_LONG, 0, highestOpenFd() + 16);
            List<Integer> filler = new ArrayList<>();
            assertThat((int) setrlimit.invokeExact(RLIMIT_NOFILE, lowered)).isZero();
            try {
                for (int fd; filler.size() < 64 && (fd = (int) dup.invokeExact(0)) >= 0; ) {
                    filler.add(fd); // until every number below the limit is taken
                }
                try (FdListener listener = FdListener.bind(sock)) {
                    outcome = listener;
                } catch (Exception e) {
                    outcome = e;
                }
            } finally {
                int restored = (int) setrlimit.invokeExact(RLIMIT_NOFILE, saved);
                for (int fd : filler) {
                    int ignored = (int) close.invokeExact(fd);
                }
                assertThat(restored).isZero();
            }
            assertThat(filler).as("fds taken to use up the limit").isNotEmpty().hasSizeLessThan(64);
        }
        assertThat(outcome).isInstanceOf(ErrnoException.class);
        ErrnoException e = (ErrnoException) outcome;
        assertThat(e).hasMessage("socket: EMFILE (Too many open files)");
        assertThat(e.call()).isEqualTo("socket");
        assertThat(e.errnoName()).isEqualTo("EMFILE");
        assertThat(e.errno()).isEqualTo(Errno.EMFILE);
        assertThat(sock).doesNotExist();
        // Not permanent: with fds free again, the same bind works.
        try (FdListener again = FdListener.bind(sock)) {
            assertThat(sock).exists();
        }
    }

    private static int highestOpenFd() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.mapToInt(p -> Integer.parseInt(p.getFileName().toString()))
                    .max()
                    .orElseThrow();
        }
    }
}
