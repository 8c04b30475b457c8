package dev.wakefd;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wakefd.internal.Internals;
import dev.wakefd.internal.wait.PlatformWaiter;
import dev.wakefd.testing.Await;
import dev.wakefd.testing.TestFds;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A platform thread's standing lease (PlatformWaiter.Watch): it outlives the wait, moves with the
 * thread, and never keeps an fd open or a count unread that it should not.
 */
class PlatformWaitTest {

    /** Runs {@code body} on a fresh platform thread (its own waiter) and returns its result. */
    private static <T> T onFreshThread(java.util.concurrent.Callable<T> body) throws Exception {
        CompletableFuture<T> f = new CompletableFuture<>();
        Thread t = Thread.ofPlatform().start(() -> {
            try {
                f.complete(body.call());
            } catch (Throwable e) {
                f.completeExceptionally(e);
            }
        });
        T v = f.get(60, TimeUnit.SECONDS);
        t.join(60_000);
        return v;
    }

    @Test
    void awaitReadableOnAPlatformThreadLeavesTheCount() throws Exception {
        // wakefd-shm's sleep (docs/design/shm-ring.md, "Clear before announcing"): the wait
        // returns once the eventfd is readable and reads nothing; a timeout returns 0.
        long[] r = onFreshThread(() -> {
            try (EventFd e = EventFd.open()) {
                long timedOut = Internals.access().awaitReadable(e, Duration.ofMillis(1));
                Thread.ofPlatform().start(() -> {
                    try {
                        e.signal(3);
                    } catch (java.io.IOException x) {
                        throw new java.io.UncheckedIOException(x);
                    }
                });
                long woken = Internals.access().awaitReadable(e, Duration.ofSeconds(30));
                return new long[] {timedOut, woken, e.tryRead()};
            }
        });
        assertThat(r).containsExactly(0, 1, 3);
    }

    @Test
    void anEdgeSeenByAnInterruptedWaitIsNotLost() throws Exception {
        // One poll reports both the wake (interrupt) and the signal's readiness; the wait ends
        // with InterruptedException and reads nothing. The next await must still find the
        // pending count, or it sleeps on it.
        long got = onFreshThread(() -> {
            try (EventFd e = EventFd.open()) {
                PlatformWaiter w = PlatformWaiter.current();
                assertThat(w.watch(e.site)).isTrue();
                e.signal(5);
                Thread.currentThread().interrupt(); // the interruptor writes the wake fd at once
                assertThat(w.waitOnce(-1)).isEqualTo(PlatformWaiter.INTERRUPTED);
                assertThat(Thread.interrupted()).isTrue();
                return e.await(Duration.ofSeconds(30)); // 0 after 30 s if the edge were lost
            }
        });
        assertThat(got).isEqualTo(5);
    }

    @Test
    void closingASignalAThreadNoLongerWaitsOnReleasesItsFd() throws Exception {
        EventFd e = EventFd.open();
        int fd = e.fd();
        e.signal();
        long first = onFreshThread(() -> e.await());
        assertThat(first).isEqualTo(1);
        // The thread is gone; its watch holds the lease until the thread's fds are swept (the
        // next waiter made by any thread, or the Cleaner), which may or may not have happened.
        assertThat(e.guard.leases())
                .as("the standing registration's lease, if not swept yet")
                .isLessThanOrEqualTo(1);
        e.close();
        assertThat(e.guard.leases()).isZero();
        assertThat(e.guard.isReleased()).as("fd %d handed back", fd).isTrue();
    }

    @Test
    void theWatchMovesWithTheThreadAndCountsStayExact() throws Exception {
        try (EventFd a = EventFd.open();
                EventFd b = EventFd.open()) {
            long total = onFreshThread(() -> {
                long sum = 0;
                for (int i = 1; i <= 50; i++) {
                    EventFd on = i % 2 == 0 ? a : b;
                    on.signal(i);
                    sum += on.await();
                }
                return sum;
            });
            assertThat(total).isEqualTo(50 * 51 / 2);
            assertThat(a.guard.leases() + b.guard.leases())
                    .as("one standing registration at most")
                    .isLessThanOrEqualTo(1);
            assertThat(a.tryRead()).isZero();
            assertThat(b.tryRead()).isZero();
        }
    }

    @Test
    void aSignalForgottenAfterAPlatformWaitIsStillClosedByTheCleaner() throws Exception {
        List<Integer> fds = onFreshThread(() -> {
            List<Integer> out = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                EventFd e = EventFd.open();
                e.signal();
                e.await(); // leaves this thread's registration (and its lease) on e
                out.add(e.fd());
            }
            return out;
        });
        Await.until("the Cleaner closes 20 forgotten eventfds that threads had waited on", () -> {
            System.gc();
            return fds.stream().noneMatch(TestFds::isSignalFd);
        });
    }

    @Test
    void semaphoreModeReportsTheRestOfTheCount() throws Exception {
        try (EventFd e = EventFd.builder().semaphore(true).open()) {
            e.signal(3);
            long sum = onFreshThread(() -> e.await() + e.await() + e.await());
            assertThat(sum).isEqualTo(3);
        }
    }

    /**
     * Thread-per-task code: thousands of short-lived platform threads each wait once on one
     * long-lived signal. Each thread's wake fd must go when the thread ends, not when
     * the signal closes (which kept 2 fds per thread: 4,000 for 2,000 threads).
     */
    @Test
    void shortLivedThreadsWaitingOnALongLivedSignalKeepFdsBounded() throws Exception {
        int threads = 2_000, batch = 8;
        try (EventFd e = EventFd.open()) {
            long before = TestFds.openFdCount();
            long peak = before;
            for (int done = 0; done < threads; done += batch) {
                List<Thread> ts = new ArrayList<>();
                for (int i = 0; i < batch; i++) {
                    ts.add(Thread.ofPlatform().start(() -> {
                        try {
                            e.signal();
                            e.await(Duration.ofMillis(1)); // 0 or 1: another thread may take it
                        } catch (Exception ex) {
                            throw new AssertionError(ex);
                        }
                    }));
                }
                for (Thread t : ts) {
                    t.join();
                }
                peak = Math.max(peak, TestFds.openFdCount());
            }
            // bounded by the threads alive at once (2 fds each, 8 at a time) plus slack for
            // whatever else the JVM opens meanwhile; without the fix it grows by 2 per thread
            assertThat(peak - before)
                    .as("fds opened for %d short-lived waiting threads", threads)
                    .isLessThan(4L * batch + 64);
        }
    }
}
