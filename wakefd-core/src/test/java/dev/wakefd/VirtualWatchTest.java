package dev.wakefd;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wakefd.testing.TestBackend;
import dev.wakefd.testing.TestFds;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Virtual-thread waits through a signal's standing poller registration (VirtualWatch): no wake
 * lost between a waiter's read and its park, the registration outlives waits and ends with the
 * signal.
 */
class VirtualWatchTest {
    static final int ROUNDS = 100_000;

    /**
     * Ping-pong: each side signals the other and waits; a wake lost between a side's read and its
     * park leaves both asleep, and the bounded join fails. (With the waiter reading before it
     * enlists, this hangs within a few thousand rounds.)
     */
    @ParameterizedTest(name = "platform partner={0}")
    @ValueSource(booleans = {false, true})
    void pingPongLosesNoWake(boolean platformPartner) throws Exception {
        try (EventFd ping = EventFd.open();
                EventFd pong = EventFd.open()) {
            CompletableFuture<Long> echo = new CompletableFuture<>();
            Thread partner = (platformPartner ? Thread.ofPlatform() : Thread.ofVirtual()).start(() -> {
                try {
                    long sum = 0;
                    for (int i = 0; i < ROUNDS; i++) {
                        sum += ping.await();
                        pong.signal();
                    }
                    echo.complete(sum);
                } catch (Throwable t) {
                    echo.completeExceptionally(t);
                }
            });
            CompletableFuture<Long> main = new CompletableFuture<>();
            Thread.ofVirtual().start(() -> {
                try {
                    long sum = 0;
                    for (int i = 0; i < ROUNDS; i++) {
                        ping.signal();
                        sum += pong.await();
                    }
                    main.complete(sum);
                } catch (Throwable t) {
                    main.completeExceptionally(t);
                }
            });
            assertThat(main.get(120, TimeUnit.SECONDS)).isEqualTo(ROUNDS);
            assertThat(echo.get(120, TimeUnit.SECONDS)).isEqualTo(ROUNDS);
            partner.join(10_000);
        }
    }

    @Test
    void virtualThreadsWaitingForTheFirstTimeTogetherShareOneRegistration() throws Exception {
        // Racing first waits must make one registration: a second epoll_ctl ADD of the same fd
        // fails (EEXIST), which once surfaced as an exception in ConservationStressTest.
        for (int round = 0; round < 50; round++) {
            try (EventFd e = EventFd.open()) {
                int waiters = 8;
                java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
                List<CompletableFuture<Long>> got = new ArrayList<>();
                for (int w = 0; w < waiters; w++) {
                    CompletableFuture<Long> f = new CompletableFuture<>();
                    got.add(f);
                    Thread.ofVirtual().start(() -> {
                        try {
                            go.await();
                            f.complete(e.await());
                        } catch (Throwable t) {
                            f.completeExceptionally(t);
                        }
                    });
                }
                go.countDown();
                // Keep signalling until every waiter has returned: one read takes the whole
                // count, so a waiter may need a later signal than the one it saw.
                long sent = 0;
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (!got.stream().allMatch(CompletableFuture::isDone)) {
                    assertThat(System.nanoTime())
                            .as("every first-time waiter returns")
                            .isLessThan(deadline);
                    e.signal();
                    sent++;
                    Thread.onSpinWait();
                }
                long sum = 0;
                for (CompletableFuture<Long> f : got) {
                    sum += f.get(); // rethrows a waiter's failure, e.g. a second registration
                }
                assertThat(sum + e.tryRead())
                        .as("nothing lost or counted twice")
                        .isEqualTo(sent);
                assertThat(e.guard.leases()).as("one standing registration").isLessThanOrEqualTo(1);
            }
        }
    }

    @Test
    void manyVirtualWaitersOnOneSignalShareTheCountExactly() throws Exception {
        try (EventFd e = EventFd.open()) {
            int waiters = 8;
            long total = 20_000;
            List<CompletableFuture<Long>> got = new ArrayList<>();
            java.util.concurrent.atomic.AtomicLong taken = new java.util.concurrent.atomic.AtomicLong();
            for (int w = 0; w < waiters; w++) {
                CompletableFuture<Long> f = new CompletableFuture<>();
                got.add(f);
                Thread.ofVirtual().start(() -> {
                    long mine = 0;
                    try {
                        while (taken.get() < total) {
                            long v = e.await(Duration.ofMillis(50));
                            mine += v;
                            taken.addAndGet(v);
                        }
                        f.complete(mine);
                    } catch (Throwable t) {
                        f.completeExceptionally(t);
                    }
                });
            }
            for (long i = 0; i < total; i++) {
                e.signal();
            }
            long sum = 0;
            for (CompletableFuture<Long> f : got) {
                sum += f.get(120, TimeUnit.SECONDS);
            }
            assertThat(sum).isEqualTo(total);
            assertThat(e.tryRead()).isZero();
        }
    }

    @Test
    void theRegistrationStaysBetweenWaitsAndEndsWithTheSignal() throws Exception {
        TestBackend.assumeEventFd("the pipe backend's virtual-thread waits use readAsync");
        EventFd e = EventFd.open();
        for (int i = 1; i <= 3; i++) {
            e.signal(i);
            long v = CompletableFuture.supplyAsync(
                            () -> {
                                try {
                                    return e.await();
                                } catch (Exception ex) {
                                    throw new RuntimeException(ex);
                                }
                            },
                            java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor())
                    .get(30, TimeUnit.SECONDS);
            assertThat(v).isEqualTo(i);
        }
        assertThat(e.site.virtualWatchForTests()).isNotNull();
        assertThat(e.guard.leases()).as("one standing registration").isEqualTo(1);
        e.close();
        assertThat(e.site.virtualWatchDead()).isTrue();
        assertThat(e.guard.isReleased()).isTrue();
    }

    @Test
    void semaphoreModeAndThePipeBackendDoNotUseAWatch() throws Exception {
        try (EventFd e = EventFd.builder().semaphore(true).open()) {
            e.signal(2);
            long sum = CompletableFuture.supplyAsync(
                            () -> {
                                try {
                                    return e.await() + e.await();
                                } catch (Exception ex) {
                                    throw new RuntimeException(ex);
                                }
                            },
                            java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor())
                    .get(30, TimeUnit.SECONDS);
            assertThat(sum).isEqualTo(2);
            assertThat(e.site.virtualWatchForTests()).isNull();
        }
    }

    /**
     * Until its fd is handed out, a signal's writers are all Java signal() calls, which wake its
     * virtual threads themselves: the shared poller holds no entry for it. Once fd() is called
     * while a virtual thread is parked, the entry is made, and a write that does not go through
     * signal() (as a native library or another process makes) wakes the thread.
     */
    @Test
    void theSharedPollerWatchesOnlyExposedSignalsAndAForeignWriteWakesAParkedThread() throws Throwable {
        TestBackend.assumeEventFd("foreign eventfd writes");
        try (EventFd e = EventFd.open()) {
            CompletableFuture<Long> got = AwaitTest.on(true, e::await);
            SignalProbe.blockedOn(e);
            assertThat(e.site.isExposed()).isFalse();
            assertThat(e.site.virtualWatchRegistered())
                    .as("no poller entry for an unexposed signal")
                    .isFalse();
            int fd = e.fd(); // exposed now, while the thread is parked
            assertThat(e.site.virtualWatchRegistered())
                    .as("the entry is made by fd()")
                    .isTrue();
            assertThat(TestFds.rawWrite(fd, 6)).isEqualTo(8); // write(2) without signal()
            assertThat(AwaitTest.get(got)).isEqualTo(6);
        }
    }
}
