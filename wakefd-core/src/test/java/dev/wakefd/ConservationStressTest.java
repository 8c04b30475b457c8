package dev.wakefd;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Many producers and every kind of consumer on one counter-mode EventFd: platform await, virtual
 * await, readAsync chains, a poller handler and tryRead. Whatever mix consumes it, the sum
 * consumed must equal the sum signalled: nothing lost, nothing counted twice.
 */
class ConservationStressTest {

    @Test
    void sumConsumedEqualsSumSignalled() throws Exception {
        int producers = 3;
        int each = 20_000;
        AtomicLong consumed = new AtomicLong();
        AtomicBoolean stop = new AtomicBoolean();
        try (EventFd e = EventFd.open();
                Poller poller = Poller.open()) {
            List<Thread> consumers = new ArrayList<>();
            for (boolean virtual : new boolean[] {false, true, true}) {
                consumers.add((virtual ? Thread.ofVirtual() : Thread.ofPlatform()).start(() -> {
                    try {
                        while (!stop.get()) {
                            consumed.addAndGet(e.await(Duration.ofMillis(5)));
                        }
                    } catch (Exception ex) {
                        throw new AssertionError(ex);
                    }
                }));
            }
            consumers.add(Thread.ofPlatform().start(() -> {
                try {
                    while (!stop.get()) {
                        consumed.addAndGet(e.tryRead());
                        Thread.yield();
                    }
                } catch (Exception ex) {
                    throw new AssertionError(ex);
                }
            }));
            // a chain of futures, each re-arming the next
            CountDownLatch chainDone = new CountDownLatch(1);
            Runnable[] next = new Runnable[1];
            next[0] = () -> {
                if (stop.get()) {
                    chainDone.countDown();
                    return;
                }
                CompletableFuture<Long> f = e.readAsync().orTimeout(5, TimeUnit.MILLISECONDS);
                f.whenCompleteAsync((v, t) -> { // async: a completed future would recurse
                    if (v != null) {
                        consumed.addAndGet(v);
                    }
                    next[0].run();
                });
            };
            next[0].run();
            Poller.Registration reg = poller.register(e, consumed::addAndGet);

            List<Thread> ps = new ArrayList<>();
            for (int p = 0; p < producers; p++) {
                int n = p + 1;
                ps.add(Thread.ofPlatform().start(() -> {
                    try {
                        for (int i = 0; i < each; i++) {
                            e.signal(n);
                        }
                    } catch (Exception ex) {
                        throw new AssertionError(ex);
                    }
                }));
            }
            for (Thread t : ps) {
                t.join();
            }
            long expected = (long) each * (1 + 2 + 3);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (consumed.get() < expected && System.nanoTime() < deadline) {
                Thread.yield();
            }
            stop.set(true);
            for (Thread t : consumers) {
                t.join(30_000);
            }
            assertThat(chainDone.await(30, TimeUnit.SECONDS)).isTrue();
            reg.cancel();
            consumed.addAndGet(e.tryRead());
            assertThat(consumed.get()).isEqualTo(expected);
        }
    }
}
