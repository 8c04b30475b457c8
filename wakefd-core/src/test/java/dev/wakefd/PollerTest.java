package dev.wakefd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wakefd.testing.Await;
import dev.wakefd.testing.TestBackend;
import dev.wakefd.testing.TestFds;
import java.io.IOException;
import java.nio.channels.AsynchronousCloseException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class PollerTest {

    static long get(CompletableFuture<Long> f) throws Exception {
        try {
            return f.get(Await.LIMIT.toSeconds(), TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw (Exception) e.getCause();
        }
    }

    @Test
    void daemonOptionNamesAndMarksTheThread() throws Exception {
        try (Poller d = Poller.open("poller-test-daemon", true);
                Poller n = Poller.open("poller-test-plain")) {
            assertThat(d.thread().isDaemon()).isTrue();
            assertThat(d.thread().getName()).isEqualTo("poller-test-daemon");
            assertThat(n.thread().isDaemon()).isFalse();
        }
    }

    @Test
    void readAsyncCompletesWithTheCount() throws Exception {
        try (EventFd e = EventFd.open()) {
            CompletableFuture<Long> f = e.readAsync();
            assertThat(f).isNotDone();
            e.signal(9);
            assertThat(get(f)).isEqualTo(9);
            e.signal(2);
            assertThat(get(e.readAsync())).isEqualTo(2); // pending: completes at once
        }
    }

    @Test
    void cancellingReadAsyncWithdrawsInterestAndConsumesNothing() throws Exception {
        try (EventFd e = EventFd.open()) {
            CompletableFuture<Long> f = e.readAsync();
            SignalProbe.blockedOn(e); // the shared poller holds the fd
            assertThat(f.cancel(false)).isTrue();
            assertThat(e.guard.leases()).isZero(); // interest withdrawn: no epoll entry, no lease
            e.signal(3);
            assertThat(e.tryRead()).isEqualTo(3);
        }
    }

    @Test
    void closeFailsPendingFutures() throws Exception {
        EventFd e = EventFd.open();
        CompletableFuture<Long> f = e.readAsync();
        e.close();
        assertThatThrownBy(() -> get(f)).isInstanceOf(AsynchronousCloseException.class);
        assertThat(e.guard.leases()).isZero();
    }

    @Test
    void semaphoreModeServesOneFuturePerCount() throws Exception {
        try (EventFd e = EventFd.builder().semaphore(true).open()) {
            List<CompletableFuture<Long>> fs = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                fs.add(e.readAsync());
            }
            e.signal(5);
            for (CompletableFuture<Long> f : fs) {
                assertThat(get(f)).isEqualTo(1);
            }
        }
    }

    @Test
    void aFutureCompletedByItsHolderHandsItsCountBack() throws Exception {
        try (EventFd e = EventFd.open()) {
            CompletableFuture<Long> f = e.readAsync();
            f.complete(-1L); // e.g. orTimeout: the poller must not lose what it reads for f
            e.signal(6);
            Await.until("the count is put back or still pending", () -> e.guard.leases() == 0);
            assertThat(e.tryRead()).isEqualTo(6);
        }
    }

    @Test
    void handlerRunsOnThePollerThreadWithEveryCount() throws Exception {
        try (Poller p = Poller.open();
                EventFd e = EventFd.open()) {
            AtomicLong sum = new AtomicLong();
            AtomicReference<Thread> ranOn = new AtomicReference<>();
            CountDownLatch done = new CountDownLatch(1);
            p.register(e, n -> {
                ranOn.set(Thread.currentThread());
                if (sum.addAndGet(n) == 1000) {
                    done.countDown();
                }
            });
            for (int i = 0; i < 1000; i++) {
                e.signal();
            }
            assertThat(done.await(30, TimeUnit.SECONDS)).isTrue();
            assertThat(ranOn.get()).isSameAs(p.thread());
            assertThat(sum.get()).isEqualTo(1000);
        }
    }

    @Test
    void aThrowingHandlerDoesNotStopThePoller() throws Exception {
        try (Poller p = Poller.open();
                EventFd bad = EventFd.open();
                EventFd good = EventFd.open()) {
            CountDownLatch threw = new CountDownLatch(1);
            CountDownLatch fine = new CountDownLatch(1);
            p.register(bad, n -> {
                threw.countDown();
                throw new IllegalStateException("handler failure (expected in this test)");
            });
            p.register(good, n -> fine.countDown());
            bad.signal();
            assertThat(threw.await(30, TimeUnit.SECONDS)).isTrue();
            good.signal();
            assertThat(fine.await(30, TimeUnit.SECONDS)).isTrue();
            assertThat(p.isOpen()).isTrue();
        }
    }

    @Test
    void cancelStopsCallsAndReleasesTheFd() throws Exception {
        try (Poller p = Poller.open();
                EventFd e = EventFd.open()) {
            AtomicLong calls = new AtomicLong();
            Poller.Registration r = p.register(e, n -> calls.incrementAndGet());
            assertThat(e.guard.leases()).isEqualTo(1);
            r.cancel();
            r.cancel();
            assertThat(r.isActive()).isFalse();
            assertThat(e.guard.leases()).isZero();
            long before = calls.get();
            e.signal();
            // the poller no longer watches the fd, so the count stays for us
            assertThat(e.tryRead()).isEqualTo(1);
            assertThat(calls.get()).isEqualTo(before);
            assertThat(p.registrations()).isZero();
        }
    }

    @Test
    void aSignalRegisteredTwiceIsRefused() throws Exception {
        try (Poller p = Poller.open();
                EventFd e = EventFd.open()) {
            p.register(e, n -> {});
            assertThatThrownBy(() -> p.register(e, n -> {}))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("already registered");
            assertThat(e.guard.leases()).isEqualTo(1);
        }
    }

    @Test
    void closingARegisteredSignalCancelsItsRegistration() throws Exception {
        try (Poller p = Poller.open()) {
            EventFd e = EventFd.open();
            Poller.Registration r = p.register(e, n -> {});
            e.close();
            assertThat(r.isActive()).isFalse();
            assertThat(e.guard.leases()).isZero();
            assertThat(p.registrations()).isZero();
        }
    }

    @Test
    void shutdownFailsFuturesEndsRegistrationsAndClosesNothingItDoesNotOwn() throws Exception {
        Poller p = Poller.open();
        try (EventFd e = EventFd.open();
                EventFd f = EventFd.open()) {
            Poller.Registration r = p.register(e, n -> {});
            CompletableFuture<Long> pending = p.readAsync(f);
            p.close();
            p.close();
            assertThat(p.thread().isAlive()).isFalse();
            assertThatThrownBy(() -> get(pending)).isInstanceOf(AsynchronousCloseException.class);
            assertThat(r.isActive()).isFalse();
            assertThat(e.isOpen()).isTrue();
            assertThat(TestFds.isSignalFd(e.fd())).isTrue();
            assertThat(e.guard.leases()).isZero();
            assertThat(f.guard.leases()).isZero();
            assertThatThrownBy(() -> p.register(e, n -> {}))
                    .isInstanceOf(java.nio.channels.ClosedChannelException.class);
            e.signal();
            assertThat(e.tryRead()).isEqualTo(1);
        }
    }

    @Test
    void rawFdHandlerDrainsItsOwnFd() throws Throwable {
        int[] pipe = TestFds.pipe();
        try (Poller p = Poller.open()) {
            CountDownLatch seen = new CountDownLatch(1);
            {
                Poller.Registration r = p.registerFd(pipe[0], () -> {
                    try {
                        TestFds.drainPipe(pipe[0]);
                    } catch (Throwable t) {
                        throw new RuntimeException(t);
                    }
                    seen.countDown();
                });
                TestFds.rawWrite(pipe[1], 42);
                assertThat(seen.await(30, TimeUnit.SECONDS)).isTrue();
                r.cancel();
            }
            assertThatThrownBy(() -> p.registerFd(-3, () -> {}))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("registerFd(-3)");
        } finally {
            TestFds.close(pipe[0]);
            TestFds.close(pipe[1]);
        }
    }

    @Test
    void tenThousandSignalsOnOnePoller() throws Exception {
        int n = TestBackend.isPipe() ? 5_000 : 10_000; // a pipe costs two fds; both fit a 20,000 fd limit
        List<EventFd> fds = new ArrayList<>(n);
        try (Poller p = Poller.open()) {
            AtomicLong sum = new AtomicLong();
            CountDownLatch all = new CountDownLatch(1);
            long expected = (long) n * (n + 1) / 2;
            for (int i = 0; i < n; i++) {
                EventFd e = EventFd.open();
                fds.add(e);
                p.register(e, c -> {
                    if (sum.addAndGet(c) == expected) {
                        all.countDown();
                    }
                });
            }
            assertThat(p.registrations()).isEqualTo(n);
            for (int i = 0; i < n; i++) {
                fds.get(i).signal(i + 1);
            }
            assertThat(all.await(60, TimeUnit.SECONDS))
                    .as("sum %d of %d", sum.get(), expected)
                    .isTrue();
        } finally {
            for (EventFd e : fds) {
                e.close();
            }
        }
    }

    @Test
    void waitingForTheFirstOfManyWithOnePoller() throws Exception {
        try (Poller p = Poller.open();
                EventFd a = EventFd.open();
                Waker b = Waker.open()) {
            CompletableFuture<String> first = new CompletableFuture<>();
            p.register(a, n -> first.complete("a"));
            p.register(b, n -> first.complete("b"));
            b.wake();
            assertThat(first.get(30, TimeUnit.SECONDS)).isEqualTo("b");
        }
    }

    static void ignore(IOException e) {}

    @Test
    void nullArgumentsAreRefusedWithMessagesNamingThem() throws Exception {
        try (Poller p = Poller.open();
                EventFd e = EventFd.open()) {
            assertThatThrownBy(() -> p.register(null, n -> {}))
                    .isInstanceOf(NullPointerException.class)
                    .hasMessageContaining("signal is null");
            assertThatThrownBy(() -> p.register(e, null))
                    .isInstanceOf(NullPointerException.class)
                    .hasMessageContaining("handler is null");
            assertThatThrownBy(() -> p.registerFd(0, null))
                    .isInstanceOf(NullPointerException.class)
                    .hasMessageContaining("onReadable is null");
            assertThatThrownBy(() -> p.readAsync(null))
                    .isInstanceOf(NullPointerException.class)
                    .hasMessageContaining("signal is null");
            assertThat(p.registrations()).isZero();
        }
        assertThatThrownBy(() -> Poller.open(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("threadName is null");
    }
}
