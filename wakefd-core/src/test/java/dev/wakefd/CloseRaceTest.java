package dev.wakefd;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wakefd.testing.TestFds;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * close() racing signal()/tryRead(): no system call may reach the fd number after the kernel has
 * released it. The canary: right after close, a file is opened, which takes the lowest free fd
 * number (usually the one just released). Without the guard a signal() that read the old number
 * before close would write 8 bytes into the canary; with it, the canary stays empty.
 */
class CloseRaceTest {

    @Test
    void noSignalEverLandsInAFileThatReusedTheNumber(@TempDir Path dir) throws Exception {
        int rounds = 1_000;
        int threads = 3;
        long reused = 0;
        for (int round = 0; round < rounds; round++) {
            EventFd e = EventFd.open();
            int fd = e.fd();
            CyclicBarrier start = new CyclicBarrier(threads + 1);
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong refused = new AtomicLong();
            List<Thread> ts = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                boolean reader = t == 0;
                ts.add(Thread.ofPlatform().start(() -> {
                    try {
                        start.await(30, TimeUnit.SECONDS);
                        while (!stop.get()) {
                            if (reader) {
                                e.tryRead();
                            } else {
                                e.signal();
                            }
                        }
                    } catch (ClosedChannelException expected) {
                        refused.incrementAndGet();
                    } catch (Exception other) {
                        throw new AssertionError(other);
                    }
                }));
            }
            start.await(30, TimeUnit.SECONDS);
            e.close();
            Path canary = dir.resolve("canary-" + round);
            try (RandomAccessFile f = new RandomAccessFile(canary.toFile(), "rw")) {
                String target = TestFds.target(fd);
                if (target != null && target.endsWith(canary.getFileName().toString())) {
                    reused++;
                }
                stop.set(true);
                for (Thread t : ts) {
                    t.join(30_000);
                    assertThat(t.isAlive()).isFalse();
                }
                assertThat(f.length())
                        .as("bytes written into the canary that reused fd %d", fd)
                        .isZero();
            }
            Files.delete(canary);
        }
        // The test only proves something when the number was actually reused.
        assertThat(reused)
                .as("rounds where the canary took the released number")
                .isPositive();
    }

    @Test
    void exactCountsUnderConcurrentSignalersAndAReader() throws Exception {
        try (EventFd e = EventFd.open()) {
            int signalers = 4;
            int each = 50_000;
            CyclicBarrier start = new CyclicBarrier(signalers + 1);
            AtomicBoolean done = new AtomicBoolean();
            List<Thread> ts = new ArrayList<>();
            for (int s = 0; s < signalers; s++) {
                int n = s + 1;
                ts.add(Thread.ofPlatform().start(() -> {
                    try {
                        start.await(30, TimeUnit.SECONDS);
                        for (int i = 0; i < each; i++) {
                            e.signal(n);
                        }
                    } catch (Exception ex) {
                        throw new AssertionError(ex);
                    }
                }));
            }
            long read = 0;
            start.await(30, TimeUnit.SECONDS);
            while (ts.stream().anyMatch(Thread::isAlive)) {
                read += e.tryRead();
            }
            read += e.tryRead();
            long expected = (long) each * (1 + 2 + 3 + 4);
            assertThat(read).isEqualTo(expected);
        }
    }

    @Test
    void closeWhileLeasedReleasesTheFdOnlyAfterTheLastLease() throws IOException {
        EventFd e = EventFd.open();
        int fd = e.fd();
        assertThat(e.guard.acquire()).isTrue(); // an in-flight call
        e.close();
        assertThat(e.isOpen()).isFalse();
        assertThat(TestFds.isSignalFd(fd))
                .as("still open while a call is in flight")
                .isTrue();
        assertThat(e.guard.acquire()).as("no new call after close").isFalse();
        e.guard.release();
        assertThat(TestFds.isSignalFd(fd)).as("released by the last call out").isFalse();
    }
}
