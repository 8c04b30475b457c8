package dev.wakefd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wakefd.testing.TestBackend;
import dev.wakefd.testing.TestFds;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AdoptTest {

    @BeforeEach
    void eventFdBackendOnly(org.junit.jupiter.api.TestInfo test) {
        if (!test.getDisplayName().startsWith("thePipeBackend")) {
            TestBackend.assumeEventFd("adopt takes over a kernel eventfd");
        }
    }

    @Test
    void thePipeBackendRefusesAdoptClearlyAndLeavesTheFdAlone() throws Throwable {
        org.junit.jupiter.api.Assumptions.assumeTrue(TestBackend.isPipe(), "pipe backend only");
        int fd = TestFds.rawEventFd(2, TestFds.O_CLOEXEC);
        try {
            assertThatThrownBy(() -> EventFd.adopt(fd))
                    .isInstanceOf(UnsupportedOperationException.class)
                    .hasMessageContaining("adopt(" + fd + ")")
                    .hasMessageContaining("pipe backend")
                    .hasMessageContaining(TestBackend.isPosixOnly() ? "wakefd.platform=posix" : "wakefd.backend=pipe");
            assertThat(TestFds.isEventFd(fd)).isTrue();
            assertThat(TestFds.kernelCount(fd)).isEqualTo(2);
        } finally {
            TestFds.close(fd);
        }
    }

    @Test
    void adoptsAForeignBlockingEventFdLearnsItsModeAndMakesItNonBlocking() throws Throwable {
        int fd = TestFds.rawEventFd(3, TestFds.EFD_SEMAPHORE | TestFds.O_CLOEXEC); // blocking, as a C library might
        assertThat(TestFds.statusFlags(fd) & TestFds.O_NONBLOCK).isZero();
        try (EventFd e = EventFd.adopt(fd)) {
            assertThat(e.fd()).isEqualTo(fd);
            assertThat(e.isSemaphore()).isTrue();
            assertThat(TestFds.statusFlags(fd) & TestFds.O_NONBLOCK).isNotZero();
            assertThat(e.tryRead()).isEqualTo(1);
            assertThat(e.tryRead()).isEqualTo(1);
            assertThat(e.tryRead()).isEqualTo(1);
            assertThat(e.tryRead()).as("non-blocking now: empty reads return 0").isZero();
        }
        assertThat(TestFds.isEventFd(fd))
                .as("adopted fd is closed by its new owner")
                .isFalse();
    }

    @Test
    void adoptsCounterModeAndChecksTheCallersWord() throws Throwable {
        int fd = TestFds.rawEventFd(5, TestFds.O_NONBLOCK | TestFds.O_CLOEXEC);
        assertThatThrownBy(() -> EventFd.adopt(fd, true))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("eventfd-semaphore: 0");
        try (EventFd e = EventFd.adopt(fd, false)) {
            assertThat(e.isSemaphore()).isFalse();
            assertThat(e.tryRead()).isEqualTo(5);
        }
    }

    @Test
    void refusesNegativeFds() {
        assertThatThrownBy(() -> EventFd.adopt(-1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("adopt(-1)")
                .hasMessageContaining(">= 0");
    }

    @Test
    void refusesClosedFds() throws Throwable {
        int fd = TestFds.rawEventFd(0, TestFds.O_CLOEXEC);
        TestFds.close(fd);
        assertThatThrownBy(() -> EventFd.adopt(fd))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not open");
    }

    @Test
    void refusesAPipeAndLeavesItUntouched() throws Throwable {
        int[] p = TestFds.pipe();
        try {
            int flags = TestFds.statusFlags(p[0]);
            assertThatThrownBy(() -> EventFd.adopt(p[0]))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("is not an eventfd")
                    .hasMessageContaining("pipe:");
            assertThat(TestFds.target(p[0])).startsWith("pipe:");
            assertThat(TestFds.statusFlags(p[0])).isEqualTo(flags);
        } finally {
            TestFds.close(p[0]);
            TestFds.close(p[1]);
        }
    }

    @Test
    void refusesARegularFile(@TempDir Path dir) throws Throwable {
        try (RandomAccessFile f = new RandomAccessFile(dir.resolve("x").toFile(), "rw")) {
            // the newest fd in this process is the file's; find it by its /proc link
            int fd = -1;
            for (int i = 0; i < 65536 && fd < 0; i++) {
                String t = TestFds.target(i);
                if (t != null && t.endsWith("/x")) {
                    fd = i;
                }
            }
            assertThat(fd).isNotNegative();
            int theFd = fd;
            assertThatThrownBy(() -> EventFd.adopt(theFd))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("is not an eventfd");
            f.write(1); // still usable: untouched
            assertThat(f.length()).isEqualTo(1);
        }
    }
}
