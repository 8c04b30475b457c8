package dev.wakefd;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wakefd.internal.Errno;
import dev.wakefd.testing.TestBackend;
import dev.wakefd.testing.TestFds;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ErrnoTest {

    @Test
    void namesAndTexts() {
        assertThat(Errno.describe("eventfd2", 24)).isEqualTo("eventfd2: EMFILE (Too many open files)");
        assertThat(Errno.describe("write", 9)).isEqualTo("write: EBADF (Bad file descriptor)");
        assertThat(Errno.name(4242)).isEqualTo("errno 4242");
    }

    /** Lowers RLIMIT_NOFILE just above the fds in use, opens until the kernel refuses, restores it. */
    @Test
    void runningOutOfFdsNamesTheCallAndTheErrno() throws Throwable {
        Linker l = Linker.nativeLinker();
        MethodHandle getrlimit = l.downcallHandle(
                l.defaultLookup().find("getrlimit").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS));
        MethodHandle setrlimit = l.downcallHandle(
                l.defaultLookup().find("setrlimit").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS));
        int rlimitNofile = 7;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment saved = a.allocate(16);
            assertThat((int) getrlimit.invokeExact(rlimitNofile, saved)).isZero();
            MemorySegment lowered = a.allocate(16);
            lowered.copyFrom(saved);
            int highest = 0;
            for (int fd = 0; fd < 65536; fd++) {
                if (TestFds.target(fd) != null) {
                    highest = fd;
                }
            }
            lowered.set(ValueLayout.JAVA_LONG, 0, highest + 16);
            List<EventFd> opened = new ArrayList<>();
            IOException failure = null;
            assertThat((int) setrlimit.invokeExact(rlimitNofile, lowered)).isZero();
            try {
                for (int i = 0; i < 64 && failure == null; i++) {
                    try {
                        opened.add(EventFd.open());
                    } catch (IOException e) {
                        failure = e;
                    }
                }
            } finally {
                int restored = (int) setrlimit.invokeExact(rlimitNofile, saved);
                assertThat(restored).isZero();
                for (EventFd e : opened) {
                    e.close();
                }
            }
            assertThat(failure).isNotNull();
            String call = TestBackend.isPipe() ? dev.wakefd.internal.PipeCalls.call() : "eventfd2";
            assertThat(failure.getMessage()).isEqualTo(call + ": EMFILE (Too many open files)");
            // Callers branch on the public type, not the message.
            assertThat(failure).isInstanceOf(ErrnoException.class);
            ErrnoException errno = (ErrnoException) failure;
            assertThat(errno.call()).isEqualTo(call);
            assertThat(errno.errno()).isEqualTo(Errno.EMFILE);
            assertThat(errno.errnoName()).isEqualTo("EMFILE");
        }
    }
}
