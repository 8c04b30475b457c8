package dev.wakefd.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The pipe backend's own protocol (the whole EventFd suite also runs on it, see wakefd-core's
 * pom): a full pipe coalesces, and under concurrent add/take no wake is lost and no unit is
 * counted twice. Runs on Linux whatever wakefd.backend says, since it makes PipeFiles directly.
 */
class PipeFileTest {

    static boolean readable(int fd) throws IOException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment pfd = a.allocate(Poll.POLLFD_SIZE, 4);
            Poll.set(pfd, 0, fd, Poll.POLLIN);
            int r = Poll.poll(pfd, 1, 0, Native.scratch().errno);
            return r > 0 && (Poll.revents(pfd, 0) & Poll.POLLIN) != 0;
        }
    }

    @Test
    void aFullPipeCoalescesInsteadOfBlockingOrFailing() throws IOException {
        PipeFile f = PipeFile.create(0, false, true);
        try {
            Native.Scratch s = Native.scratch();
            long filled = 0;
            for (long r; (r = FdCalls.write(f.writeFd(), s.word, 8, s, "write")) > 0; ) {
                filled += r;
            }
            assertThat(filled).as("the pipe took bytes until EAGAIN").isPositive();
            assertThat(f.add(5)).isTrue(); // its byte meets EAGAIN: fine, the pipe is readable
            assertThat(f.add(2)).isTrue();
            assertThat(readable(f.fd())).isTrue();
            assertThat(f.take()).isEqualTo(7);
            assertThat(readable(f.fd())).as("take drained every byte").isFalse();
            assertThat(f.take()).isZero();
            assertThat(f.add(1)).isTrue();
            assertThat(readable(f.fd())).isTrue();
        } finally {
            f.close();
        }
    }

    @Test
    void theCounterStopsAt2To64Minus2AsEventFdDoes() throws IOException {
        PipeFile f = PipeFile.create(0, false, true);
        try {
            assertThat(f.add(Long.MAX_VALUE)).isTrue();
            assertThat(f.add(Long.MAX_VALUE - 1)).isTrue(); // 2^64 - 3
            assertThat(f.add(2)).as("would pass 2^64-2").isFalse();
            assertThat(f.add(1)).isTrue();
            assertThat(f.add(1)).isFalse();
            assertThat(Long.toUnsignedString(f.take())).isEqualTo("18446744073709551614");
        } finally {
            f.close();
        }
    }

    @Test
    void duplicatesShareOneCountAndClosePartly() throws IOException {
        PipeFile a = PipeFile.create(3, true, true);
        PipeFile b = a.duplicate();
        try {
            assertThat(b.fd()).isNotEqualTo(a.fd());
            assertThat(b.take()).isEqualTo(1);
            a.close();
            assertThat(readable(b.fd()))
                    .as("two remain, the re-armed byte is there")
                    .isTrue();
            assertThat(b.take()).isEqualTo(1);
            assertThat(b.take()).isEqualTo(1);
            assertThat(b.take()).isZero();
            assertThat(readable(b.fd())).isFalse();
        } finally {
            b.close();
        }
    }

    /**
     * A consumer that takes only when poll says the read end is readable, against producers adding
     * 1 at a time (so the count keeps crossing 0, where bytes are written). A lost wake leaves a
     * count with no byte, and since later adds find a non-zero count and write nothing, the
     * consumer's bounded poll then times out: the test fails instead of hanging.
     */
    @Test
    void aPollDrivenConsumerSeesEveryUnit() throws Exception {
        for (boolean semaphore : new boolean[] {false, true}) {
            PipeFile f = PipeFile.create(0, semaphore, true);
            int producers = 2, each = 100_000;
            long expected = (long) producers * each;
            AtomicReference<Throwable> failure = new AtomicReference<>();
            List<Thread> threads = new ArrayList<>();
            for (int p = 0; p < producers; p++) {
                threads.add(Thread.ofPlatform().daemon().start(() -> {
                    try {
                        for (int i = 0; i < each; i++) {
                            f.add(1);
                        }
                    } catch (Throwable e) {
                        failure.compareAndSet(null, e);
                    }
                }));
            }
            try (Arena a = Arena.ofConfined()) {
                MemorySegment pfd = a.allocate(Poll.POLLFD_SIZE, 4);
                long taken = 0;
                while (taken < expected) {
                    Poll.set(pfd, 0, f.fd(), Poll.POLLIN);
                    int r = Poll.poll(pfd, 1, 10_000, Native.scratch().errno);
                    if (r == 0) {
                        throw new AssertionError("lost wake (semaphore=" + semaphore + "): " + f.pending()
                                + " pending, fd not readable for 10 s; taken " + taken + " of " + expected);
                    }
                    taken += f.take();
                }
                assertThat(taken).isEqualTo(expected);
                for (Thread t : threads) {
                    t.join(TimeUnit.SECONDS.toMillis(30));
                }
                assertThat(failure.get()).isNull();
                assertThat(f.take()).as("nothing counted twice").isZero();
            } finally {
                f.close();
            }
        }
    }

    @Test
    void counterModeNoLostWakeNoDoubleCountUnderRaces() throws Exception {
        race(false, 3, 1);
    }

    @Test
    void semaphoreModeNoLostWakeNoDoubleCountUnderRaces() throws Exception {
        race(true, 2, 2);
    }

    /**
     * Rounds of adders racing takers on one PipeFile. After every round (all calls returned) a
     * pending count must leave the read end readable: that is the no-lost-wake invariant, and a
     * take that ran before its drain breaks it within a few rounds. At the end the units taken
     * must equal the units added, exactly.
     */
    private static void race(boolean semaphore, int adders, int takers) throws Exception {
        PipeFile f = PipeFile.create(0, semaphore, true);
        int rounds = 3000, perRound = 4;
        AtomicLong added = new AtomicLong(), taken = new AtomicLong();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        CyclicBarrier go = new CyclicBarrier(adders + takers + 1), done = new CyclicBarrier(adders + takers + 1);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < adders + takers; t++) {
            boolean adder = t < adders;
            long seed = t;
            threads.add(Thread.ofPlatform().daemon().start(() -> {
                SplittableRandom rnd = new SplittableRandom(seed);
                try {
                    for (int r = 0; r < rounds; r++) {
                        go.await(30, TimeUnit.SECONDS);
                        for (int i = 0; i < perRound; i++) {
                            if (adder) {
                                long n = semaphore ? 1 : rnd.nextLong(1, 1000);
                                assertThat(f.add(n)).isTrue();
                                added.addAndGet(n);
                            } else {
                                taken.addAndGet(f.take());
                            }
                        }
                        done.await(30, TimeUnit.SECONDS);
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                    go.reset();
                    done.reset();
                }
            }));
        }
        try {
            for (int r = 0; r < rounds && failure.get() == null; r++) {
                go.await(30, TimeUnit.SECONDS);
                done.await(30, TimeUnit.SECONDS);
                long pending = f.pending();
                if (pending != 0 && !readable(f.fd())) {
                    throw new AssertionError("lost wake in round " + r + ": " + pending + " pending, fd not readable");
                }
            }
            for (Thread t : threads) {
                t.join(TimeUnit.SECONDS.toMillis(30));
            }
            assertThat(failure.get()).isNull();
            for (long v; (v = f.take()) != 0; ) {
                taken.addAndGet(v);
            }
            assertThat(taken.get()).as("every unit taken exactly once").isEqualTo(added.get());
            assertThat(readable(f.fd())).as("nothing pending, nothing readable").isFalse();
        } finally {
            f.close();
        }
    }
}
