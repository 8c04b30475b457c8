package dev.wakefd.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import dev.wakefd.EventFd;
import dev.wakefd.Waker;
import dev.wakefd.netty.testing.LoopKind;
import dev.wakefd.netty.testing.Tally;
import io.netty.channel.EventLoop;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Every signal reaches the handler, on the loop's thread, exactly counted, whoever sends it. */
class DeliveryTest {
    static final Duration WAIT = Duration.ofSeconds(30);

    @ParameterizedTest
    @EnumSource(LoopKind.class)
    void countsFromPlatformAndVirtualThreadsArriveExactlyOnTheLoopThread(LoopKind kind) throws Exception {
        try (LoopKind.Loops loops = kind.open(1);
                EventFd fd = EventFd.open()) {
            EventLoop loop = loops.group().next();
            Tally tally = new Tally(loop);
            io.netty.util.concurrent.Future<NettyWake.Registration> armed = NettyWake.register(loop, fd, tally);
            assertThat(armed.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
            NettyWake.Registration reg = armed.getNow();
            assertThat(NettyWake.supports(loop)).isTrue();
            assertThat(reg.loop()).isSameAs(loop);
            assertThat(reg.signal()).isSameAs(fd);
            assertThat(reg.transport()).isEqualTo(kind == LoopKind.EPOLL ? "epoll" : "io_uring");

            int producers = 4, perProducer = 3_000;
            AtomicLong sent = new AtomicLong();
            CountDownLatch start = new CountDownLatch(1);
            List<Thread> threads = new ArrayList<>();
            for (int p = 0; p < producers; p++) {
                long seed = p;
                Runnable produce = () -> {
                    SplittableRandom rnd = new SplittableRandom(seed);
                    try {
                        start.await();
                        for (int i = 0; i < perProducer; i++) {
                            long n = rnd.nextLong(1, 6);
                            fd.signal(n);
                            sent.addAndGet(n);
                        }
                    } catch (IOException | InterruptedException e) {
                        throw new AssertionError(e);
                    }
                };
                threads.add(
                        p % 2 == 0
                                ? Thread.ofPlatform().start(produce)
                                : Thread.ofVirtual().start(produce));
            }
            start.countDown();
            for (Thread t : threads) {
                assertThat(t.join(WAIT)).as("producer finished").isTrue();
            }
            tally.awaitSum(sent.get(), WAIT);
            assertThat(tally.violations())
                    .as("calls off the loop thread or with 0")
                    .isZero();

            reg.cancel();
            reg.unregistered().get(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(fd.tryRead()).as("nothing left behind").isZero();
            assertThat(tally.sum()).isEqualTo(sent.get());
        }
    }

    @ParameterizedTest
    @EnumSource(LoopKind.class)
    void aPythonChildProcessSignalsTheLoopThroughPidfdGetfd(LoopKind kind) throws Exception {
        try (LoopKind.Loops loops = kind.open(1);
                EventFd fd = EventFd.open()) {
            EventLoop loop = loops.group().next();
            Tally tally = new Tally(loop);
            NettyWake.open(loop, fd, tally).armed().get(WAIT.toSeconds(), TimeUnit.SECONDS);

            int count = 500;
            long expected = 0;
            for (int i = 0; i < count; i++) {
                expected += (i % 7) + 1;
            }
            String script;
            try (InputStream in = DeliveryTest.class.getResourceAsStream("/signal_from_python.py")) {
                script = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            Process p;
            try {
                p = new ProcessBuilder(
                                "python3",
                                "-c",
                                script,
                                Long.toString(ProcessHandle.current().pid()),
                                Integer.toString(fd.fd()),
                                Integer.toString(count))
                        .start();
            } catch (IOException e) {
                Assumptions.abort("python3 is not installed: " + e.getMessage());
                return;
            }
            p.getOutputStream().close();
            if (!p.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)) {
                p.destroyForcibly();
                fail("python3 child did not finish within " + WAIT);
            }
            String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            Assumptions.assumeTrue(p.exitValue() != 77, () -> "kernel refused pidfd_getfd: " + err);
            assertThat(p.exitValue()).as("python3 exit; stderr: " + err).isZero();
            assertThat(out).contains("done");

            tally.awaitSum(expected, WAIT);
            assertThat(tally.violations()).isZero();
        }
    }

    @ParameterizedTest
    @EnumSource(LoopKind.class)
    void aThrowingHandlerIsLoggedAndKeepsItsRegistration(LoopKind kind) throws Exception {
        try (LoopKind.Loops loops = kind.open(1);
                EventFd fd = EventFd.open()) {
            EventLoop loop = loops.group().next();
            Tally tally = new Tally(loop);
            LiveRegistration reg = NettyWake.open(loop, fd, n -> {
                tally.accept(n);
                if (n == 1) {
                    throw new IllegalStateException("expected by the test: a handler that throws once");
                }
            });
            fd.signal(1);
            tally.awaitSum(1, WAIT);
            fd.signal(2);
            tally.awaitSum(3, WAIT);
            assertThat(reg.isActive()).isTrue();
            assertThat(tally.violations()).isZero();
        }
    }

    @ParameterizedTest
    @EnumSource(LoopKind.class)
    void semaphoreModeDeliversOnePerCall(LoopKind kind) throws Exception {
        try (LoopKind.Loops loops = kind.open(1);
                EventFd fd = EventFd.builder().semaphore(true).open()) {
            EventLoop loop = loops.group().next();
            Tally tally = new Tally(loop);
            fd.signal(40); // before registration: must still be seen
            NettyWake.open(loop, fd, tally);
            fd.signal(60);
            tally.awaitSum(100, WAIT);
            assertThat(tally.calls()).as("one unit per call").isEqualTo(100);
            assertThat(tally.violations()).isZero();
        }
    }

    @ParameterizedTest
    @EnumSource(LoopKind.class)
    void aThousandEventFdsOnOneLoop(LoopKind kind) throws Exception {
        int n = 1_000;
        List<EventFd> fds = new ArrayList<>();
        try (LoopKind.Loops loops = kind.open(1)) {
            EventLoop loop = loops.group().next();
            Tally tally = new Tally(loop);
            List<LiveRegistration> regs = new ArrayList<>();
            try {
                for (int i = 0; i < n; i++) {
                    EventFd fd = EventFd.open();
                    fds.add(fd);
                    regs.add(NettyWake.open(loop, fd, tally));
                }
                long expected = 0;
                for (int round = 1; round <= 3; round++) {
                    for (int i = 0; i < n; i++) {
                        fds.get(i).signal(round + (i % 5));
                        expected += round + (i % 5);
                    }
                }
                tally.awaitSum(expected, WAIT);
                assertThat(tally.violations()).isZero();
                for (LiveRegistration r : regs) {
                    r.cancel();
                }
                for (LiveRegistration r : regs) {
                    r.unregistered().get(WAIT.toSeconds(), TimeUnit.SECONDS);
                }
                for (EventFd fd : fds) {
                    assertThat(fd.tryRead()).isZero();
                }
            } finally {
                fds.forEach(EventFd::close);
            }
        }
    }

    /**
     * With the loop held busy, a thousand wakes pay one write and, once released, one handler call
     * with 1: the Waker's coalescing survives the trip through Netty. Then a concurrent run checks
     * that no queued item is stranded.
     */
    @ParameterizedTest
    @EnumSource(LoopKind.class)
    void wakerCoalescesThroughTheLoop(LoopKind kind) throws Exception {
        try (LoopKind.Loops loops = kind.open(1);
                Waker waker = Waker.open()) {
            EventLoop loop = loops.group().next();
            java.util.concurrent.ConcurrentLinkedQueue<Integer> queue =
                    new java.util.concurrent.ConcurrentLinkedQueue<>();
            AtomicLong drained = new AtomicLong();
            Tally tally = new Tally(loop);
            NettyWake.open(loop, waker, n -> {
                        while (queue.poll() != null) {
                            drained.incrementAndGet();
                        }
                        tally.accept(n); // after draining: awaitUntil below re-checks on this call
                    })
                    .armed()
                    .get(WAIT.toSeconds(), TimeUnit.SECONDS);

            CountDownLatch busy = new CountDownLatch(1), release = new CountDownLatch(1);
            loop.execute(() -> {
                busy.countDown();
                try {
                    release.await(WAIT.toSeconds(), TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            assertThat(busy.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
            long writesBefore = waker.writes();
            for (int i = 0; i < 1_000; i++) {
                queue.add(i);
                waker.wake();
            }
            assertThat(waker.writes() - writesBefore)
                    .as("write(2) calls for 1000 wakes while pending")
                    .isEqualTo(1);
            release.countDown();
            tally.awaitCalls(1, WAIT);
            loop.submit(() -> {}).get(WAIT.toSeconds(), TimeUnit.SECONDS); // the loop has finished that batch
            assertThat(tally.calls()).isEqualTo(1);
            assertThat(drained.get()).isEqualTo(1_000);

            int producers = 4, perProducer = 20_000;
            List<Thread> threads = new ArrayList<>();
            for (int p = 0; p < producers; p++) {
                Runnable r = () -> {
                    for (int i = 0; i < perProducer; i++) {
                        queue.add(i);
                        waker.wake();
                    }
                };
                threads.add(
                        p % 2 == 0
                                ? Thread.ofPlatform().start(r)
                                : Thread.ofVirtual().start(r));
            }
            for (Thread t : threads) {
                assertThat(t.join(WAIT)).isTrue();
            }
            long total = 1_000L + (long) producers * perProducer;
            tally.awaitUntil(() -> drained.get() == total, WAIT, "draining all " + total + " items");
            assertThat(tally.violations()).isZero();
        }
    }
}
