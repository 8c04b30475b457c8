package dev.wakefd.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.wakefd.EventFd;
import dev.wakefd.Waker;
import io.netty.channel.IoEventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.nio.NioIoHandler;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class NettyWakeTest {
    MultiThreadIoEventLoopGroup group;
    IoEventLoop loop;

    @BeforeEach
    void start() {
        assumeTrue(Epoll.isAvailable(), () -> "Netty epoll is not available: " + Epoll.unavailabilityCause());
        group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        loop = (IoEventLoop) group.next();
    }

    @AfterEach
    void stop() {
        if (group != null) {
            group.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    /** Every wait on a Netty future is bounded: a lost registration fails instead of hanging. */
    static <T> T bounded(io.netty.util.concurrent.Future<T> f) throws Exception {
        assertThat(f.await(30, TimeUnit.SECONDS)).as("Netty future completed").isTrue();
        if (!f.isSuccess()) {
            throw new AssertionError("Netty future failed", f.cause());
        }
        return f.getNow();
    }

    static boolean isEventFd(int fd) {
        try {
            return Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd))
                    .toString()
                    .equals("anon_inode:[eventfd]");
        } catch (Exception e) {
            return false;
        }
    }

    /** Counts arrive on the loop thread; done when they add up to {@code target}. */
    static final class Sink {
        final AtomicLong sum = new AtomicLong();
        final AtomicReference<Thread> thread = new AtomicReference<>();
        final CountDownLatch reached = new CountDownLatch(1);
        final long target;

        Sink(long target) {
            this.target = target;
        }

        void accept(long n) {
            thread.set(Thread.currentThread());
            if (sum.addAndGet(n) >= target) {
                reached.countDown();
            }
        }

        void await() throws InterruptedException {
            assertThat(reached.await(30, TimeUnit.SECONDS))
                    .as("sum %d of %d", sum.get(), target)
                    .isTrue();
        }
    }

    @Test
    void countsArriveExactlyOnTheLoopThreadFromPlatformAndVirtualThreads() throws Exception {
        try (EventFd e = EventFd.open()) {
            long per = 20_000;
            Sink sink = new Sink(2 * per * 3);
            bounded(NettyWake.register(loop, e, sink::accept));
            Thread a = Thread.ofPlatform().start(() -> signal(e, per, 3));
            Thread b = Thread.ofVirtual().start(() -> signal(e, per, 3));
            a.join();
            b.join();
            sink.await();
            assertThat(sink.sum.get()).isEqualTo(2 * per * 3);
            assertThat(loop.inEventLoop(sink.thread.get())).isTrue();
        }
    }

    static void signal(EventFd e, long times, long n) {
        try {
            for (long i = 0; i < times; i++) {
                e.signal(n);
            }
        } catch (Exception ex) {
            throw new AssertionError(ex);
        }
    }

    @Test
    void aPythonChildProcessWakesTheLoop() throws Exception {
        boolean python;
        try {
            python = new ProcessBuilder("python3", "-c", "import os; os.pidfd_open; os.eventfd_write")
                            .start()
                            .waitFor()
                    == 0;
        } catch (Exception ex) {
            python = false;
        }
        assumeTrue(python, "python3 with os.pidfd_open is not available");
        try (EventFd e = EventFd.open()) {
            Sink sink = new Sink(9);
            bounded(NettyWake.register(loop, e, sink::accept));
            String py = "import ctypes, os, sys\n"
                    + "libc = ctypes.CDLL(None, use_errno=True)\n"
                    + "fd = libc.syscall(438, os.pidfd_open(int(sys.argv[1])), int(sys.argv[2]), 0)\n"
                    + "assert fd >= 0, ctypes.get_errno()\n"
                    + "os.eventfd_write(fd, 9)\n";
            Process p = new ProcessBuilder(
                            "python3",
                            "-c",
                            py,
                            Long.toString(ProcessHandle.current().pid()),
                            Integer.toString(e.fd()))
                    .redirectErrorStream(true)
                    .start();
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue())
                    .as(new String(p.getInputStream().readAllBytes()))
                    .isZero();
            sink.await();
            assertThat(sink.sum.get()).isEqualTo(9);
        }
    }

    @Test
    void semaphoreModeDeliversOneAtATime() throws Exception {
        try (EventFd e = EventFd.builder().semaphore(true).open()) {
            AtomicLong calls = new AtomicLong();
            Sink sink = new Sink(5);
            bounded(NettyWake.register(loop, e, n -> {
                calls.incrementAndGet();
                sink.accept(n);
            }));
            e.signal(5);
            sink.await();
            assertThat(calls.get()).isEqualTo(5);
        }
    }

    @Test
    void aWakerCoalescesIntoTheLoop() throws Exception {
        try (Waker w = Waker.open()) {
            Sink sink = new Sink(1);
            bounded(NettyWake.register(loop, w, sink::accept));
            for (int i = 0; i < 10_000; i++) {
                w.wake();
            }
            sink.await();
            assertThat(w.writes()).isLessThanOrEqualTo(10_000);
        }
    }

    @Test
    void cancelFromAnotherThreadStopsCallsAndLeavesTheSignalOpen() throws Exception {
        try (EventFd e = EventFd.open()) {
            AtomicLong calls = new AtomicLong();
            NettyWake.Registration r = bounded(NettyWake.register(loop, e, n -> calls.incrementAndGet()));
            r.cancel();
            r.cancel();
            assertThat(r.isActive()).isFalse();
            bounded(loop.submit(() -> null)); // the loop has processed the cancel
            e.signal(3);
            bounded(loop.submit(() -> null));
            assertThat(e.tryRead()).isEqualTo(3); // nobody consumed it
            assertThat(calls.get()).isZero();
            assertThat(e.isOpen()).isTrue();
        }
    }

    @Test
    void closingTheSignalWhileRegisteredReleasesTheFdOnlyAfterNettyLetsGo() throws Exception {
        EventFd e = EventFd.open();
        int fd = e.fd();
        NettyWake.Registration r = bounded(NettyWake.register(loop, e, n -> {}));
        e.close();
        bounded(loop.submit(() -> null)); // the cancel ran on the loop: DEL, then unregistered()
        assertThat(r.isActive()).isFalse();
        for (int i = 0; i < 100 && isEventFd(fd); i++) {
            bounded(loop.submit(() -> null));
        }
        assertThat(isEventFd(fd)).as("fd released after Netty unregistered it").isFalse();
    }

    @Test
    void loopShutdownWithLiveRegistrationsLeavesSignalsUsable() throws Exception {
        try (EventFd e = EventFd.open();
                Waker w = Waker.open()) {
            NettyWake.Registration a = bounded(NettyWake.register(loop, e, n -> {}));
            NettyWake.Registration b = bounded(NettyWake.register(loop, w, n -> {}));
            group.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
            group = null;
            assertThat(a.isActive()).isFalse();
            assertThat(b.isActive()).isFalse();
            e.signal();
            assertThat(e.tryRead()).isEqualTo(1);
            int fd = e.fd();
            e.close();
            assertThat(isEventFd(fd))
                    .as("the lease came back at loop termination, so close releases the fd")
                    .isFalse();
        }
    }

    @Test
    void aSecondRegistrationOfTheSameFdFails() throws Exception {
        try (EventFd e = EventFd.open()) {
            NettyWake.Registration first = bounded(NettyWake.register(loop, e, n -> {}));
            assertThatThrownBy(() -> NettyWake.register(loop, e, n -> {}))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("already registered")
                    .hasMessageContaining("duplicate()");
            try (EventFd dup = e.duplicate()) {
                assertThat(bounded(NettyWake.register(loop, dup, n -> {})).isActive())
                        .isTrue();
            }
            first.cancel();
            bounded(loop.submit(() -> null));
            assertThat(bounded(NettyWake.register(loop, e, n -> {})).isActive())
                    .as("free again after cancel")
                    .isTrue();
        }
    }

    @Test
    void manyEventFdsOnOneLoop() throws Exception {
        int n = 1000;
        List<EventFd> fds = new ArrayList<>();
        try {
            Sink sink = new Sink((long) n * (n + 1) / 2);
            for (int i = 0; i < n; i++) {
                EventFd e = EventFd.open();
                fds.add(e);
                bounded(NettyWake.register(loop, e, sink::accept));
            }
            for (int i = 0; i < n; i++) {
                fds.get(i).signal(i + 1);
            }
            sink.await();
            assertThat(sink.sum.get()).isEqualTo((long) n * (n + 1) / 2);
        } finally {
            fds.forEach(EventFd::close);
        }
    }

    @Test
    void aNioLoopIsRefusedWithAClearMessage() throws Exception {
        MultiThreadIoEventLoopGroup nio = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try (EventFd e = EventFd.open()) {
            assertThatThrownBy(() -> NettyWake.register((IoEventLoop) nio.next(), e, n -> {}))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("EpollIoHandler");
            assertThat(NettyWake.supports((IoEventLoop) nio.next())).isFalse();
        } finally {
            nio.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    @Test
    void aClosedSignalCannotBeRegistered() throws Exception {
        EventFd e = EventFd.open();
        e.close();
        var f = NettyWake.register(loop, e, n -> {});
        assertThat(f.await(30, TimeUnit.SECONDS)).isTrue();
        assertThat(f.cause()).isInstanceOf(java.nio.channels.ClosedChannelException.class);
    }
}
