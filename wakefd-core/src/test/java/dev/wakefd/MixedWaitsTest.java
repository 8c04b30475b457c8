package dev.wakefd;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Futures (readAsync on the shared poller and on a Poller), a Poller handler, virtual-thread and
 * platform-thread awaits on one signal, started in every order and run concurrently: none may
 * fail (once, a virtual-thread wait and a future on one signal collided in the shared poller's
 * epoll set: EEXIST, "already registered"), and the sum consumed equals the sum signalled.
 */
class MixedWaitsTest {

    enum Kind {
        FUTURE,
        POLLER_FUTURE,
        HANDLER,
        VIRTUAL,
        PLATFORM
    }

    static Stream<Arguments> everyOrder() {
        List<Arguments> out = new ArrayList<>();
        permute(new ArrayList<>(List.of(Kind.values())), 0, out);
        return out.stream();
    }

    private static void permute(List<Kind> ks, int i, List<Arguments> out) {
        if (i == ks.size()) {
            out.add(Arguments.of(List.copyOf(ks)));
            return;
        }
        for (int j = i; j < ks.size(); j++) {
            java.util.Collections.swap(ks, i, j);
            permute(ks, i + 1, out);
            java.util.Collections.swap(ks, i, j);
        }
    }

    /** Each kind of waiter waits for one count; they are started in the given order on one signal. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("everyOrder")
    void everyKindOfWaiterInEveryOrderOnOneSignal(List<Kind> order) throws Exception {
        try (EventFd e = EventFd.open();
                Poller poller = Poller.open()) {
            AtomicLong consumed = new AtomicLong();
            List<CompletableFuture<Long>> done = new ArrayList<>();
            Poller.Registration[] reg = new Poller.Registration[1];
            for (Kind k : order) {
                CompletableFuture<Long> f = switch (k) {
                    case FUTURE -> e.readAsync();
                    case POLLER_FUTURE -> poller.readAsync(e);
                    case VIRTUAL -> AwaitTest.on(true, e::await);
                    case PLATFORM -> AwaitTest.on(false, e::await);
                    case HANDLER -> {
                        CompletableFuture<Long> h = new CompletableFuture<>();
                        reg[0] = poller.register(e, n -> {
                            consumed.addAndGet(n); // every call's count, not only the first
                            h.complete(n);
                        });
                        yield h.thenApply(n -> 0L); // counted above
                    }
                };
                done.add(f.whenComplete((v, t) -> {
                    if (v != null) {
                        consumed.addAndGet(v);
                    }
                }));
            }
            long sent = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!done.stream().allMatch(CompletableFuture::isDone)) {
                assertThat(System.nanoTime())
                        .as("every waiter of %s returns", order)
                        .isLessThan(deadline);
                e.signal();
                sent++;
                Thread.yield();
            }
            for (CompletableFuture<Long> f : done) {
                f.get(); // rethrows a waiter's failure
            }
            reg[0].cancel(); // no handler call runs or starts after this
            assertThat(consumed.get() + e.tryRead())
                    .as("sum consumed (%s)", order)
                    .isEqualTo(sent);
        }
    }

    @Test
    void readAsyncAfterVirtualThreadWaitsAndAwaitWhileAFutureIsPending() throws Exception {
        for (boolean waker : new boolean[] {false, true}) {
            WakeSignal s = waker ? Waker.open() : EventFd.open();
            try (s) {
                // a virtual thread waits first: the signal's standing watch now exists
                CompletableFuture<Long> v = AwaitTest.on(true, s::await);
                SignalProbe.blockedOn(EventFd.base(s));
                wake(s);
                assertThat(AwaitTest.get(v)).isEqualTo(1);
                // then a future, then a virtual-thread await while that future is pending
                CompletableFuture<Long> f = s.readAsync();
                CompletableFuture<Long> v2 = AwaitTest.on(true, s::await);
                while (!(f.isDone() && v2.isDone())) {
                    wake(s);
                    Thread.yield();
                }
                assertThat(f.get()).isPositive(); // rethrows a failure ("already registered", once)
                assertThat(v2.get()).isPositive();
            }
        }
    }

    private static void wake(WakeSignal s) throws Exception {
        if (s instanceof Waker w) {
            w.wake();
        } else {
            ((EventFd) s).signal();
        }
    }

    /** Every kind at once, each in a loop, against producers: nothing fails, the sums match. */
    @Test
    void everyKindConcurrently() throws Exception {
        int producers = 2, each = 20_000;
        AtomicLong consumed = new AtomicLong();
        AtomicBoolean stop = new AtomicBoolean();
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        try (EventFd e = EventFd.open();
                Poller poller = Poller.open()) {
            List<Thread> consumers = new ArrayList<>();
            for (Kind k : Kind.values()) {
                Runnable loop = switch (k) {
                    case VIRTUAL, PLATFORM ->
                        () -> {
                            try {
                                while (!stop.get()) {
                                    consumed.addAndGet(e.await(Duration.ofMillis(5)));
                                }
                            } catch (Throwable t) {
                                failures.add(t);
                            }
                        };
                    case FUTURE, POLLER_FUTURE ->
                        () -> {
                            try {
                                while (!stop.get()) {
                                    CompletableFuture<Long> f = k == Kind.FUTURE ? e.readAsync() : poller.readAsync(e);
                                    try {
                                        consumed.addAndGet(f.get(5, TimeUnit.MILLISECONDS));
                                    } catch (java.util.concurrent.TimeoutException timeout) {
                                        if (!f.cancel(false)) {
                                            consumed.addAndGet(f.join()); // its count was taken: keep it
                                        }
                                    }
                                }
                            } catch (Throwable t) {
                                failures.add(t);
                            }
                        };
                    case HANDLER -> null;
                };
                if (loop != null) {
                    consumers.add((k == Kind.PLATFORM ? Thread.ofPlatform() : Thread.ofVirtual()).start(loop));
                }
            }
            Poller.Registration reg = poller.register(e, consumed::addAndGet);
            List<Thread> ps = new ArrayList<>();
            for (int p = 0; p < producers; p++) {
                ps.add(Thread.ofPlatform().start(() -> {
                    try {
                        for (int i = 0; i < each; i++) {
                            e.signal();
                        }
                    } catch (Throwable t) {
                        failures.add(t);
                    }
                }));
            }
            for (Thread t : ps) {
                t.join();
            }
            long expected = (long) producers * each;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (consumed.get() < expected && System.nanoTime() < deadline) {
                Thread.yield();
            }
            stop.set(true);
            for (Thread t : consumers) {
                t.join(30_000);
            }
            reg.cancel();
            assertThat(failures).as("no waiter failed").isEmpty();
            assertThat(consumed.get() + e.tryRead()).isEqualTo(expected);
        }
    }
}
