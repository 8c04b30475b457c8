package dev.wakefd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wakefd.testing.TestBackend;
import dev.wakefd.testing.TestFds;
import java.io.UncheckedIOException;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class WakerTest {

    @Test
    void manyWakesWhilePendingCostOneWrite() throws Exception {
        try (Waker w = Waker.open()) {
            for (int i = 0; i < 1000; i++) {
                w.wake();
            }
            assertThat(w.writes()).isEqualTo(1);
            assertThat(SignalProbe.count(w.eventFd())).isEqualTo(1);
            assertThat(w.drain()).isTrue();
            assertThat(w.drain()).isFalse();
            w.wake();
            assertThat(w.writes()).isEqualTo(2);
            assertThat(w.toString()).contains("pending");
        }
    }

    @Test
    void aForeignWriterWakesTheWaitingSide() throws Throwable {
        TestBackend.assumeEventFd("a foreign writer writes 8-byte counts into an eventfd");
        try (Waker w = Waker.open()) {
            assertThat(TestFds.rawWrite(w.fd(), 3)).isEqualTo(8);
            assertThat(w.drain()).isTrue();
            assertThat(w.drain()).isFalse();
            TestFds.rawWrite(w.fd(), 1);
            assertThat(w.await(Duration.ofSeconds(30))).isEqualTo(1);
        }
    }

    @Test
    void wakeAfterCloseThrowsAndDrainTooAndCloseIsIdempotent() throws Exception {
        Waker w = Waker.open();
        w.wake();
        w.close();
        w.close();
        assertThat(w.isOpen()).isFalse();
        assertThatThrownBy(w::wake)
                .isInstanceOf(UncheckedIOException.class)
                .hasCauseInstanceOf(ClosedChannelException.class);
        assertThatThrownBy(w::drain).isInstanceOf(ClosedChannelException.class);
        assertThat(w.toString()).contains("closed");
    }

    /**
     * Producers publish work and wake; the consumer sleeps in await, drains, then takes all work.
     * A lost wake leaves published work unseen with the consumer asleep: the bounded await then
     * times out and the test fails.
     */
    @Test
    void stressNoPublishedWorkIsLeftUnseen() throws Exception {
        int producers = 3;
        int each = 100_000;
        try (Waker w = Waker.open()) {
            ConcurrentLinkedQueue<Long> queue = new ConcurrentLinkedQueue<>();
            CyclicBarrier start = new CyclicBarrier(producers);
            List<Thread> ts = new ArrayList<>();
            for (int p = 0; p < producers; p++) {
                ts.add(Thread.ofPlatform().start(() -> {
                    try {
                        start.await(30, TimeUnit.SECONDS);
                        for (long i = 1; i <= each; i++) {
                            queue.add(i);
                            w.wake();
                        }
                    } catch (Exception e) {
                        throw new AssertionError(e);
                    }
                }));
            }
            long seen = 0;
            long sum = 0;
            long sleeps = 0;
            long target = (long) producers * each;
            while (seen < target) {
                long got = w.await(Duration.ofSeconds(30));
                assertThat(got)
                        .as("woken with %d of %d items seen: a lost wake-up", seen, target)
                        .isEqualTo(1);
                sleeps++;
                for (Long v; (v = queue.poll()) != null; ) {
                    seen++;
                    sum += v;
                }
            }
            for (Thread t : ts) {
                t.join();
            }
            assertThat(sum).isEqualTo((long) producers * each * (each + 1) / 2);
            assertThat(w.writes())
                    .as("coalescing: writes <= wait cycles + producers")
                    .isLessThanOrEqualTo(sleeps + producers);
        }
    }

    @Test
    void wakeRacingCloseNeverWritesAReleasedNumber() throws Exception {
        for (int round = 0; round < 300; round++) {
            Waker w = Waker.open();
            int fd = w.fd();
            AtomicLong refused = new AtomicLong();
            CyclicBarrier start = new CyclicBarrier(2);
            Thread t = Thread.ofPlatform().start(() -> {
                try {
                    start.await(30, TimeUnit.SECONDS);
                    for (int i = 0; i < 10_000; i++) {
                        w.wake();
                        w.drain();
                    }
                } catch (UncheckedIOException | ClosedChannelException e) {
                    refused.incrementAndGet();
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            });
            start.await(30, TimeUnit.SECONDS);
            w.close();
            // Whatever now holds fd's number (a new eventfd) must never see a stray write.
            try (EventFd canary = EventFd.open()) {
                t.join(30_000);
                assertThat(t.isAlive()).isFalse();
                if (canary.fd() == fd) {
                    assertThat(canary.tryRead())
                            .as("a wake landed in the eventfd that reused fd %d", fd)
                            .isZero();
                }
            }
        }
    }
}
