package dev.wakefd.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wakefd.EventFd;
import dev.wakefd.WakeSignal;
import dev.wakefd.Waker;
import dev.wakefd.netty.testing.Fds;
import dev.wakefd.netty.testing.LoopKind;
import dev.wakefd.netty.testing.Tally;
import io.netty.channel.EventLoop;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Cancel, close and shutdown, from any thread, without leaking or reusing an fd. */
class LifecycleTest {
    static final Duration WAIT = Duration.ofSeconds(30);

    static void await(CompletableFuture<?> f) throws Exception {
        f.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    /** The cause of a Netty future that must fail, within the bound. */
    static Throwable failure(io.netty.util.concurrent.Future<?> f) throws InterruptedException {
        assertThat(f.await(WAIT.toSeconds(), TimeUnit.SECONDS))
                .as("future completed")
                .isTrue();
        assertThat(f.isSuccess()).as("future failed").isFalse();
        return f.cause();
    }

    @ParameterizedTest
    @EnumSource(LoopKind.class)
    void cancelFromAPlatformOrVirtualThreadStopsDeliveryAndLeavesCountsInTheSignal(LoopKind kind) throws Exception {
        try (LoopKind.Loops loops = kind.open(1);
                EventFd fd = EventFd.open()) {
            EventLoop loop = loops.group().next();
            for (boolean virtual : new boolean[] {false, true}) {
                Tally tally = new Tally(loop);
                LiveRegistration reg = NettyWake.open(loop, fd, tally);
                fd.signal(3);
                tally.awaitSum(3, WAIT);

                Runnable cancel = reg::cancel;
                Thread t = virtual
                        ? Thread.ofVirtual().start(cancel)
                        : Thread.ofPlatform().start(cancel);
                assertThat(t.join(WAIT)).isTrue();
                await(reg.unregistered());
                assertThat(reg.isActive()).isFalse();
                assertThat(reg.unregistered()).isCompletedWithValue(null);

                fd.signal(5);
                assertThat(fd.tryRead())
                        .as("no one consumed after unregistration")
                        .isEqualTo(5);
                assertThat(tally.sum()).isEqualTo(3);
                assertThat(fd.isOpen()).isTrue();
                reg.cancel(); // idempotent
                assertThat(reg.unregistered()).isCompletedWithValue(null);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(LoopKind.class)
    void theHandlerMayCancelItsOwnRegistration(LoopKind kind) throws Exception {
        try (LoopKind.Loops loops = kind.open(1);
                EventFd fd = EventFd.builder().semaphore(true).open()) {
            EventLoop loop = loops.group().next();
            Tally tally = new Tally(loop);
            CompletableFuture<LiveRegistration> ready = new CompletableFuture<>();
            LiveRegistration reg = NettyWake.open(loop, fd, n -> {
                ready.join().cancel();
                tally.accept(n);
            });
            ready.complete(reg);
            fd.signal(10); // semaphore: ten units, but the first call cancels
            await(reg.unregistered());
            assertThat(tally.calls()).isEqualTo(1);
            assertThat(fd.tryRead()).as("one taken, then cancelled").isEqualTo(1);
            fd.signal(1);
            assertThat(tally.calls()).isEqualTo(1);
        }
    }

    /**
     * Netty's epoll loop keys registrations by fd number, so a second registration of one fd on
     * one loop is refused (on both transports) and the first goes on; other loops may take it.
     */
    @ParameterizedTest
    @EnumSource(LoopKind.class)
    void aSecondRegistrationOfOneFdOnOneLoopIsRefusedAndTheFirstGoesOn(LoopKind kind) throws Exception {
        try (LoopKind.Loops loops = kind.open(2);
                EventFd fd = EventFd.open()) {
            EventLoop first = loops.group().next();
            EventLoop second = loops.group().next();
            assertThat(second).isNotSameAs(first);
            Tally tally = new Tally(first, second);
            LiveRegistration reg = NettyWake.open(first, fd, tally);
            await(reg.armed());

            assertThatThrownBy(() -> NettyWake.open(first, fd, n -> {}))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("fd " + fd.fd())
                    .hasMessageContaining("already registered");
            fd.signal(7);
            tally.awaitSum(7, WAIT); // the first registration still delivers

            LiveRegistration other = NettyWake.open(second, fd, tally); // another loop: allowed
            await(other.armed());
            long sent = 7;
            for (int i = 0; i < 2_000; i++) {
                fd.signal(2);
                sent += 2;
            }
            tally.awaitSum(sent, WAIT); // the two loops share the counts, none twice
            reg.cancel();
            await(reg.unregistered());
            other.cancel();
            await(other.unregistered());
            assertThat(fd.tryRead()).isZero();

            LiveRegistration again = NettyWake.open(first, fd, tally); // after unregistered: allowed
            fd.signal(1);
            tally.awaitSum(sent + 1, WAIT);
            again.cancel();
            await(again.unregistered());
        }
    }

    @ParameterizedTest
    @EnumSource(LoopKind.class)
    void loopShutdownUnregistersLiveRegistrationsAndReturnsTheirLeases(LoopKind kind) throws Exception {
        List<WakeSignal> signals = new ArrayList<>();
        List<LiveRegistration> regs = new ArrayList<>();
        LoopKind.Loops loops = kind.open(1);
        try {
            EventLoop loop = loops.group().next();
            for (int i = 0; i < 20; i++) {
                WakeSignal s = i % 2 == 0 ? EventFd.open() : Waker.open();
                signals.add(s);
                regs.add(NettyWake.open(loop, s, n -> {}));
            }
            for (LiveRegistration r : regs) {
                await(r.armed());
            }
        } finally {
            loops.close(); // bounded: fails if the loop does not terminate
        }
        long[] ids = new long[signals.size()];
        for (int i = 0; i < signals.size(); i++) {
            await(regs.get(i).unregistered());
            assertThat(regs.get(i).isActive()).isFalse();
            ids[i] = Fds.eventfdId(signals.get(i).fd()).orElseThrow();
        }
        for (int i = 0; i < signals.size(); i++) {
            WakeSignal s = signals.get(i);
            s.close();
            assertThat(Fds.stillOpen(s.fd(), ids[i]))
                    .as("fd %d closed at once: no lease left", s.fd())
                    .isFalse();
        }
        try (EventFd late = EventFd.open()) {
            assertThat(failure(NettyWake.register(loops.group().next(), late, n -> {})))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("shutting down");
        }
    }

    @ParameterizedTest
    @EnumSource(LoopKind.class)
    void closingTheSignalWhileRegisteredUnregistersThenClosesTheFd(LoopKind kind) throws Exception {
        try (LoopKind.Loops loops = kind.open(1)) {
            EventLoop loop = loops.group().next();
            for (boolean fromHandler : new boolean[] {false, true}) {
                EventFd fd = EventFd.open();
                long id = Fds.eventfdId(fd.fd()).orElseThrow();
                Tally tally = new Tally(loop);
                LiveRegistration reg = NettyWake.open(loop, fd, n -> {
                    tally.accept(n);
                    if (fromHandler) {
                        fd.close();
                    }
                });
                await(reg.armed());
                fd.signal(1);
                tally.awaitSum(1, WAIT);
                if (!fromHandler) {
                    fd.close();
                }
                await(reg.unregistered());
                assertThat(reg.isActive()).isFalse();
                assertThat(Fds.stillOpen(fd.fd(), id))
                        .as("fd closed once Netty let go")
                        .isFalse();
                assertThat(failure(NettyWake.register(loop, fd, n -> {})))
                        .isInstanceOf(ClosedChannelException.class)
                        .hasMessageContaining("closed");
            }
        }
    }

    /**
     * The lease at work: with the loop held busy, Netty still has the fd in its epoll set or an
     * io_uring poll in flight, so close must leave the number open; it closes once the loop has
     * processed the cancel and Netty has called unregistered().
     */
    @ParameterizedTest
    @EnumSource(LoopKind.class)
    void closeWhileTheLoopIsBusyKeepsTheFdOpenUntilNettyLetsGo(LoopKind kind) throws Exception {
        try (LoopKind.Loops loops = kind.open(1)) {
            EventLoop loop = loops.group().next();
            Waker waker = Waker.open();
            long id = Fds.eventfdId(waker.fd()).orElseThrow();
            LiveRegistration reg = NettyWake.open(loop, waker, n -> {});
            await(reg.armed());

            java.util.concurrent.CountDownLatch busy = new java.util.concurrent.CountDownLatch(1);
            java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
            loop.execute(() -> {
                busy.countDown();
                try {
                    release.await(WAIT.toSeconds(), TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            try {
                assertThat(busy.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
                waker.close();
                assertThat(waker.isOpen()).isFalse();
                assertThat(reg.isActive()).isFalse();
                assertThat(Fds.stillOpen(waker.fd(), id))
                        .as("fd kept open while Netty holds it")
                        .isTrue();
                assertThat(reg.unregistered()).isNotDone();
            } finally {
                release.countDown();
            }
            await(reg.unregistered());
            assertThat(Fds.stillOpen(waker.fd(), id))
                    .as("fd closed after unregistered()")
                    .isFalse();
        }
    }

    /**
     * Closes signals while their producers write and the loop reads them, then at once opens new
     * eventfds (which the kernel may give the freed numbers) on the same loop. If Netty or wakefd
     * touched a released number (an epoll_ctl DEL, a stale table entry), a new registration would
     * go deaf and its bounded wait would fail; a leaked lease fails the fd check.
     */
    @ParameterizedTest
    @EnumSource(LoopKind.class)
    void closeRacingDeliveryNeverLeaksOrReusesAnFd(LoopKind kind) throws Exception {
        try (LoopKind.Loops loops = kind.open(1)) {
            EventLoop loop = loops.group().next();
            for (int round = 0; round < 150; round++) {
                EventFd victim = EventFd.open();
                long id = Fds.eventfdId(victim.fd()).orElseThrow();
                LiveRegistration reg = NettyWake.open(loop, victim, n -> {});
                AtomicBoolean stop = new AtomicBoolean();
                Thread producer = Thread.ofVirtual().start(() -> {
                    while (!stop.get()) {
                        try {
                            victim.signal();
                        } catch (ClosedChannelException e) {
                            return;
                        } catch (java.io.IOException e) {
                            throw new AssertionError(e);
                        }
                    }
                });
                if (round % 2 == 0) {
                    await(reg.armed()); // half the rounds close before the loop has armed it
                }
                victim.close();
                stop.set(true);
                assertThat(producer.join(WAIT)).isTrue();
                await(reg.unregistered());
                assertThat(Fds.stillOpen(victim.fd(), id))
                        .as("round %d: fd released", round)
                        .isFalse();

                try (EventFd fresh = EventFd.open()) {
                    Tally tally = new Tally(loop);
                    LiveRegistration r = NettyWake.open(loop, fresh, tally);
                    fresh.signal(round + 1);
                    tally.awaitSum(round + 1, WAIT);
                    r.cancel();
                    await(r.unregistered());
                }
            }
        }
    }
}
