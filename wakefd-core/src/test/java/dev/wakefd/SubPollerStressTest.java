package dev.wakefd;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wakefd.testing.TestBackend;
import dev.wakefd.testing.TestFds;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/**
 * The sub-poller hand-off on the real kernel (docs/design/waits.md, "The sub-poller hand-off"):
 * virtual threads wait on exposed eventfds that only raw write(2)s reach (no signal(), so no
 * in-JVM wake: every wake goes through the sub-poller), in ping-pong with platform threads, while
 * other virtual threads keep the scheduler busy or not. Each side waits at most 30 s per trip; a
 * lost wake would end a trip with nothing, which fails the test. The sum received equals the sum
 * written. (The order itself is model-checked, with negative controls, in
 * VirtualPollerModelCheckTest.)
 */
class SubPollerStressTest {

    @Test
    void foreignWritesAlwaysReachParkedVirtualThreadsIdleScheduler() throws Exception {
        pingPong(4, 3_000, 0);
    }

    @Test
    void foreignWritesAlwaysReachParkedVirtualThreadsBusyScheduler() throws Exception {
        pingPong(4, 3_000, Runtime.getRuntime().availableProcessors());
    }

    private static void pingPong(int pairs, int trips, int spinners) throws Exception {
        TestBackend.assumeEventFd("raw eventfd writes stand in for a writer outside the JVM");
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> busy = new ArrayList<>();
        for (int i = 0; i < spinners; i++) {
            busy.add(Thread.ofVirtual().start(() -> {
                while (!stop.get()) {
                    long until = System.nanoTime() + 20_000;
                    while (System.nanoTime() - until < 0) {
                        Thread.onSpinWait(); // compute, keeping a carrier busy
                    }
                    LockSupport.parkNanos(5_000);
                }
            }));
        }
        List<EventFd> all = new ArrayList<>();
        try {
            List<CompletableFuture<Long>> virtualSums = new ArrayList<>();
            List<CompletableFuture<Long>> platformSums = new ArrayList<>();
            for (int p = 0; p < pairs; p++) {
                EventFd toVirtual = EventFd.open();
                EventFd toPlatform = EventFd.open();
                all.add(toVirtual);
                all.add(toPlatform);
                int vfd = toVirtual.fd(); // exposed: its virtual waiters need the sub-poller
                int pfd = toPlatform.fd();
                CompletableFuture<Long> vsum = new CompletableFuture<>();
                Thread.ofVirtual().start(() -> vsum.complete(side(toVirtual, pfd, trips, true, vsum)));
                CompletableFuture<Long> psum = new CompletableFuture<>();
                Thread.ofPlatform().start(() -> {
                    try {
                        assertThat(TestFds.rawWrite(vfd, 1)).isEqualTo(8); // the first ping
                    } catch (Throwable t) {
                        psum.completeExceptionally(t);
                        return;
                    }
                    psum.complete(side(toPlatform, vfd, trips, false, psum));
                });
                virtualSums.add(vsum);
                platformSums.add(psum);
            }
            for (int p = 0; p < pairs; p++) {
                assertThat(virtualSums.get(p).get(10, TimeUnit.MINUTES))
                        .as("virtual side of pair %d", p)
                        .isEqualTo(trips);
                assertThat(platformSums.get(p).get(10, TimeUnit.MINUTES))
                        .as("platform side of pair %d", p)
                        .isEqualTo(trips);
            }
        } finally {
            stop.set(true);
            for (Thread t : busy) {
                t.join();
            }
            all.forEach(EventFd::close);
        }
    }

    /**
     * Receives {@code trips} wakes on {@code in}, answering each (but the last, unless
     * {@code answerLast}) with a raw write to {@code out}.
     */
    private static long side(EventFd in, int out, int trips, boolean answerLast, CompletableFuture<Long> failure) {
        long sum = 0;
        try {
            for (int i = 0; i < trips; i++) {
                long got = in.await(Duration.ofSeconds(30));
                if (got == 0) {
                    throw new AssertionError("lost wake-up: trip " + i + " of " + trips + " never arrived on "
                            + (Thread.currentThread().isVirtual() ? "a virtual" : "a platform") + " thread");
                }
                sum += got;
                if (answerLast || i < trips - 1) {
                    TestFds.rawWrite(out, 1); // write(2) without signal(): no in-JVM wake
                }
            }
        } catch (Throwable t) {
            failure.completeExceptionally(t);
        }
        return sum;
    }
}
