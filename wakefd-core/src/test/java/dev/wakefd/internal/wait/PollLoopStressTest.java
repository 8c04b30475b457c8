package dev.wakefd.internal.wait;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wakefd.internal.FdCalls;
import dev.wakefd.internal.Native;
import dev.wakefd.internal.PipeCalls;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The poll loop under churn (docs/design/posix-waits.md): threads register pipes with one
 * {@link PollLoop}, write to them, cancel at random moments and close the pipes at once, so fd
 * numbers are reused while the loop may still hold them in its array. Every byte written is read
 * exactly once (by the handler or by the final drain after cancel), and every duplicate the loop
 * made is closed exactly once. Runs in every mode: PollLoop uses only POSIX calls.
 */
class PollLoopStressTest {
    private static final int THREADS = 4;
    private static final int ROUNDS = 400;

    @Test
    void churnConservesBytesAndClosesEveryDuplicate() throws Exception {
        long fdsBefore = openFds();
        PollLoop loop = PollLoop.open("wakefd-poll-loop-stress", true);
        AtomicLong written = new AtomicLong();
        AtomicLong read = new AtomicLong();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> threads = new ArrayList<>();
        try {
            for (int t = 0; t < THREADS; t++) {
                threads.add(Thread.ofPlatform().start(() -> {
                    try {
                        for (int round = 0; round < ROUNDS; round++) {
                            churnOnce(loop, written, read);
                        }
                    } catch (Throwable e) {
                        failure.compareAndSet(null, e);
                    }
                }));
            }
            for (Thread t : threads) {
                t.join();
            }
            assertThat(failure.get()).isNull();
            assertThat(read.get()).as("bytes read (handlers and final drains)").isEqualTo(written.get());
            assertThat(loop.registrations()).isZero();
            // Removed duplicates are closed by the loop after its next rebuild, which each remove's
            // wake brings about: wait (bounded, yielding) for that, while the loop still runs.
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
            while (loop.openDuplicates() != 0 && System.nanoTime() - deadline < 0) {
                Thread.yield();
            }
            assertThat(loop.openDuplicates())
                    .as("duplicates still open while the loop runs")
                    .isZero();
        } finally {
            loop.close();
        }
        assertThat(loop.openDuplicates())
                .as("duplicates not closed exactly once")
                .isZero();
        if (fdsBefore >= 0) {
            // Other tests' Cleaners may close fds meanwhile, never open them: at most as many now.
            assertThat(openFds()).isLessThanOrEqualTo(fdsBefore);
        }
    }

    private static void churnOnce(PollLoop loop, AtomicLong written, AtomicLong read) throws IOException {
        int[] p = PipeCalls.create(true);
        try {
            HandlerRegistration r = HandlerRegistration.forFd(loop, p[0], () -> read.addAndGet(drain(p[0])));
            int n = ThreadLocalRandom.current().nextInt(0, 4);
            Native.Scratch s = Native.scratch();
            for (int i = 0; i < n; i++) {
                if (FdCalls.write(p[1], s.word, 1, s, "write") == 1) {
                    written.incrementAndGet();
                }
                if (ThreadLocalRandom.current().nextBoolean()) {
                    Thread.yield(); // let the loop dispatch some, not all
                }
            }
            r.cancel(); // from here on no handler runs for this fd
            read.addAndGet(drain(p[0]));
        } finally {
            FdCalls.close(p[0]); // at once: the number may be reused by the next pipe
            FdCalls.close(p[1]);
        }
    }

    private static long drain(int fd) {
        Native.Scratch s = Native.scratch();
        long total = 0;
        try {
            long r;
            while ((r = FdCalls.read(fd, s.word, 8, s, "read")) > 0) {
                total += r;
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return total;
    }

    /** Open fds of this process, from /proc (Linux; -1 elsewhere, where that check is skipped). */
    private static long openFds() throws IOException {
        Path dir = Path.of("/proc/self/fd");
        if (!Files.isDirectory(dir)) {
            return -1;
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.count();
        }
    }
}
