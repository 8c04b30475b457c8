package dev.wakefd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wakefd.testing.Await;
import dev.wakefd.testing.TestFds;
import java.io.IOException;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** await() on platform and virtual threads: values, timeouts, interrupts, close, spurious readiness. */
class AwaitTest {

    /** Runs {@code body} on a platform or a virtual thread and returns its outcome as a future. */
    static <T> CompletableFuture<T> on(boolean virtual, Callable<T> body) {
        CompletableFuture<T> result = new CompletableFuture<>();
        Runnable r = () -> {
            try {
                result.complete(body.call());
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        };
        (virtual ? Thread.ofVirtual() : Thread.ofPlatform()).start(r);
        return result;
    }

    static long get(CompletableFuture<Long> f) throws Exception {
        try {
            return f.get(Await.LIMIT.toSeconds(), TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw (Exception) e.getCause();
        }
    }

    /** The waiter is parked in the shared poller (virtual) or blocked in poll (platform). */
    static void waitUntilBlocked(EventFd e) {
        SignalProbe.blockedOn(e);
    }

    @ParameterizedTest(name = "virtual={0}")
    @ValueSource(booleans = {false, true})
    void awaitReturnsTheCountSignalledWhileBlocked(boolean virtual) throws Exception {
        try (EventFd e = EventFd.open()) {
            CompletableFuture<Long> got = on(virtual, e::await);
            waitUntilBlocked(e);
            e.signal(7);
            assertThat(get(got)).isEqualTo(7);
            assertThat(e.tryRead()).isZero();
        }
    }

    @ParameterizedTest(name = "virtual={0}")
    @ValueSource(booleans = {false, true})
    void awaitReturnsAtOnceWhenACountIsPending(boolean virtual) throws Exception {
        try (EventFd e = EventFd.builder().semaphore(true).initialValue(2).open()) {
            assertThat(get(on(virtual, e::await))).isEqualTo(1);
            assertThat(get(on(virtual, () -> e.await(Duration.ZERO)))).isEqualTo(1);
            assertThat(e.tryRead()).isZero();
        }
    }

    @ParameterizedTest(name = "virtual={0}")
    @ValueSource(booleans = {false, true})
    void timeoutReturnsZero(boolean virtual) throws Exception {
        try (EventFd e = EventFd.open()) {
            assertThat(get(on(virtual, () -> e.await(Duration.ofMillis(20))))).isZero();
            assertThat(get(on(virtual, () -> e.await(Duration.ZERO)))).isZero();
            e.signal(3);
            assertThat(get(on(virtual, () -> e.await(Duration.ofDays(365))))).isEqualTo(3);
        }
    }

    @ParameterizedTest(name = "virtual={0}")
    @ValueSource(booleans = {false, true})
    void interruptWhileBlockedThrowsClearsStatusAndConsumesNothing(boolean virtual) throws Exception {
        try (EventFd e = EventFd.open()) {
            AtomicBoolean statusAfter = new AtomicBoolean(true);
            Thread[] waiter = new Thread[1];
            CompletableFuture<Long> got = on(virtual, () -> {
                waiter[0] = Thread.currentThread();
                try {
                    return e.await();
                } finally {
                    statusAfter.set(Thread.currentThread().isInterrupted());
                }
            });
            waitUntilBlocked(e);
            waiter[0].interrupt();
            assertThatThrownBy(() -> get(got)).isInstanceOf(InterruptedException.class);
            assertThat(statusAfter).isFalse();
            Await.until("the waiter stops waiting", () -> e.site.waiting() == 0);
            e.signal(4);
            assertThat(e.tryRead()).isEqualTo(4);
        }
    }

    @ParameterizedTest(name = "virtual={0}")
    @ValueSource(booleans = {false, true})
    void interruptBeforeAwaitThrowsAndLeavesThePendingCount(boolean virtual) throws Exception {
        try (EventFd e = EventFd.open()) {
            e.signal(2);
            CompletableFuture<Long> got = on(virtual, () -> {
                Thread.currentThread().interrupt();
                return e.await();
            });
            assertThatThrownBy(() -> get(got)).isInstanceOf(InterruptedException.class);
            assertThat(e.tryRead()).isEqualTo(2);
        }
    }

    @ParameterizedTest(name = "virtual={0}")
    @ValueSource(booleans = {false, true})
    void closeWhileBlockedWakesTheWaiterWithAnException(boolean virtual) throws Exception {
        EventFd e = EventFd.open();
        int fd = e.fd();
        CompletableFuture<Long> got = on(virtual, e::await);
        waitUntilBlocked(e);
        e.close();
        assertThatThrownBy(() -> get(got)).isInstanceOf(AsynchronousCloseException.class);
        Await.until("the fd is released", () -> !TestFds.isSignalFd(fd) || e.guard.leases() == 0);
        assertThat(e.guard.leases()).isZero();
    }

    @ParameterizedTest(name = "virtual={0}")
    @ValueSource(booleans = {false, true})
    void awaitOnAClosedEventFdThrows(boolean virtual) throws Exception {
        EventFd e = EventFd.open();
        e.close();
        assertThatThrownBy(() -> get(on(virtual, e::await))).isInstanceOf(ClosedChannelException.class);
    }

    @ParameterizedTest(name = "virtual={0}")
    @ValueSource(booleans = {false, true})
    void spuriousReadinessIsAbsorbed(boolean virtual) throws Exception {
        try (EventFd e = EventFd.open()) {
            CompletableFuture<Long> got = on(virtual, e::await);
            waitUntilBlocked(e);
            e.signal(1);
            long stolen = e.tryRead(); // another holder may read first: the waiter must not return 0
            e.signal(5);
            long w = get(got);
            assertThat(w).isNotZero();
            assertThat(stolen + w + e.tryRead()).isEqualTo(6);
        }
    }

    @ParameterizedTest(name = "virtual={0}")
    @ValueSource(booleans = {false, true})
    void wakerAwaitDrainsOneWake(boolean virtual) throws Exception {
        try (Waker w = Waker.open()) {
            CompletableFuture<Long> got = on(virtual, w::await);
            waitUntilBlocked(EventFd.base(w));
            w.wake();
            assertThat(get(got)).isEqualTo(1);
            assertThat(w.drain()).isFalse();
            w.wake();
            w.wake(); // coalesced with the first: one wake, one await
            assertThat(get(on(virtual, w::await))).isEqualTo(1);
            assertThat(w.drain()).isFalse();
        }
    }

    @org.junit.jupiter.api.Test
    void badTimeoutsAreRefused() throws IOException {
        try (EventFd e = EventFd.open()) {
            assertThatThrownBy(() -> e.await(null))
                    .isInstanceOf(NullPointerException.class)
                    .hasMessageContaining("timeout is null");
            assertThatThrownBy(() -> e.await(Duration.ofMillis(-1)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("PT-0.001S")
                    .hasMessageContaining("must not be negative");
        }
    }
}
