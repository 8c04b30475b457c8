package dev.wakefd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.wakefd.testing.TestBackend;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A foreign writer: a Python child takes our eventfd with pidfd_getfd(2) and writes to it with
 * os.eventfd_write, as another runtime would. Our tryRead and await see its counts.
 */
class ForeignWriterTest {

    @org.junit.jupiter.api.BeforeEach
    void eventFdBackendOnly() {
        TestBackend.assumeEventFd("the Python child writes the fd as an eventfd");
    }

    static final String PY = """
            import ctypes, os, sys
            pid, fd = int(sys.argv[1]), int(sys.argv[2])
            libc = ctypes.CDLL(None, use_errno=True)
            pidfd = os.pidfd_open(pid)
            mine = libc.syscall(438, pidfd, fd, 0)  # pidfd_getfd
            if mine < 0:
                sys.exit("pidfd_getfd: errno %d" % ctypes.get_errno())
            for n in sys.argv[3:]:
                os.eventfd_write(mine, int(n))
            print("wrote", flush=True)
            """;

    static boolean python() {
        try {
            return new ProcessBuilder("python3", "-c", "import os; os.eventfd")
                            .start()
                            .waitFor()
                    == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    static void pythonWrites(int fd, long... counts) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of(
                "python3", "-c", PY, Long.toString(ProcessHandle.current().pid()), Integer.toString(fd)));
        for (long c : counts) {
            cmd.add(Long.toUnsignedString(c));
        }
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("python child finished").isTrue();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as("python child: " + out).isZero();
    }

    @Test
    void pythonCountsAreSeenByTryRead() throws Exception {
        assumeTrue(python(), "python3 with os.eventfd is not available");
        try (EventFd e = EventFd.open()) {
            pythonWrites(e.fd(), 5, 7);
            assertThat(e.tryRead()).isEqualTo(12);
        }
    }

    @Test
    void pythonCanPushTheCountAboveLongMaxValue() throws Exception {
        assumeTrue(python(), "python3 with os.eventfd is not available");
        try (EventFd e = EventFd.open()) {
            pythonWrites(e.fd(), 0xffff_ffff_ffff_fff0L);
            long v = e.tryRead();
            assertThat(v).isNegative();
            assertThat(Long.toUnsignedString(v)).isEqualTo("18446744073709551600");
        }
    }

    @Test
    void pythonWakesAVirtualThreadInAwait() throws Exception {
        assumeTrue(python(), "python3 with os.eventfd is not available");
        try (EventFd e = EventFd.open()) {
            var got = AwaitTest.on(true, () -> e.await(Duration.ofSeconds(60)));
            SignalProbe.blockedOn(e);
            pythonWrites(e.fd(), 3);
            assertThat(AwaitTest.get(got)).isEqualTo(3);
        }
    }
}
