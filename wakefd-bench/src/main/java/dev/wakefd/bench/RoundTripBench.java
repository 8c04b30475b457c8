package dev.wakefd.bench;

import dev.wakefd.EventFd;
import dev.wakefd.Poller;
import dev.wakefd.Waker;
import io.netty.channel.EventLoop;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoHandler;
import java.io.IOException;
import java.nio.channels.Selector;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Wake-up round trips: the benchmark thread wakes an echo side that sleeps, which wakes the
 * benchmark thread back; one op is the whole trip. Pin to one CPU (taskset -c 0) to measure the
 * software; across CPUs a KVM guest mostly measures the host waking an idle vCPU.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(
        value = 1,
        jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
public class RoundTripBench {

    @State(Scope.Thread)
    public static class PlatformEcho extends SignalEcho {
        @Setup(Level.Trial)
        public void setup() throws IOException {
            start(Thread.ofPlatform().daemon());
        }
    }

    @State(Scope.Thread)
    public static class VirtualEcho extends SignalEcho {
        @Setup(Level.Trial)
        public void setup() throws IOException {
            start(Thread.ofVirtual());
        }
    }

    /** Two Wakers and a platform echo thread: {@link SignalEcho} for Waker (no await() in common). */
    @State(Scope.Thread)
    public static class WakerEcho {
        Waker ping;
        Waker pong;
        Thread echo;

        @Setup(Level.Trial)
        public void setup() throws IOException {
            ping = Waker.open();
            pong = Waker.open();
            echo = Thread.ofPlatform().daemon().start(() -> {
                try {
                    while (true) {
                        ping.await();
                        pong.wake();
                    }
                } catch (Exception closed) {
                    // over
                }
            });
        }

        @TearDown(Level.Trial)
        public void stop() throws InterruptedException {
            ping.close();
            pong.close();
            echo.join();
        }
    }

    /** A Poller whose handler for ping signals pong. */
    @State(Scope.Thread)
    public static class PollerEcho {
        Poller poller;
        EventFd ping;
        EventFd pong;

        @Setup(Level.Trial)
        public void setup() throws IOException {
            poller = Poller.open();
            ping = EventFd.open();
            pong = EventFd.open();
            poller.register(ping, Echo.signalling(pong));
        }

        @TearDown(Level.Trial)
        public void stop() {
            poller.close();
            ping.close();
            pong.close();
        }
    }

    /** Two Selectors: the echo thread selects on A and wakes B. */
    @State(Scope.Thread)
    public static class SelectorEcho {
        Selector a;
        Selector b;
        volatile boolean stop;
        Thread echo;

        @Setup(Level.Trial)
        public void setup() throws IOException {
            a = Selector.open();
            b = Selector.open();
            echo = Thread.ofPlatform().daemon().start(() -> {
                try {
                    while (!stop) {
                        a.select();
                        b.wakeup();
                    }
                } catch (Exception closed) {
                    // over
                }
            });
        }

        @TearDown(Level.Trial)
        public void close() throws Exception {
            stop = true;
            a.wakeup();
            echo.join();
            a.close();
            b.close();
        }
    }

    /** LockSupport park/unpark with a flag each way, platform threads. */
    @State(Scope.Thread)
    public static class ParkEcho extends ParkEchoBase {
        @Setup(Level.Trial)
        public void setup() {
            start(Thread.ofPlatform().daemon());
        }
    }

    /**
     * Netty's own hand-off: eventLoop.execute(task) on an idle loop (which wakes it through its
     * eventfd, or its io_uring), the task unparks the caller. Both of Netty's Linux transports.
     */
    @State(Scope.Thread)
    public static class NettyEcho {
        @Param({"epoll", "io_uring"})
        String transport;

        MultiThreadIoEventLoopGroup group;
        EventLoop loop;
        volatile boolean back;
        volatile Thread bench;
        Runnable task;

        @Setup(Level.Trial)
        public void setup() {
            IoHandlerFactory factory = nettyFactory(transport);
            group = new MultiThreadIoEventLoopGroup(1, factory);
            loop = group.next();
            bench = Thread.currentThread();
            task = () -> {
                back = true;
                LockSupport.unpark(bench);
            };
        }

        @TearDown(Level.Trial)
        public void close() {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    /** Netty's handler factory for a transport, failing with the kernel's reason when it is unavailable. */
    static IoHandlerFactory nettyFactory(String transport) {
        return switch (transport) {
            case "epoll" -> {
                Epoll.ensureAvailability();
                yield EpollIoHandler.newFactory();
            }
            case "io_uring" -> {
                IoUring.ensureAvailability(); // says why when the kernel refuses io_uring
                yield IoUringIoHandler.newFactory();
            }
            default -> throw new IllegalArgumentException("transport '" + transport + "': use epoll or io_uring");
        };
    }

    /** A Netty loop (epoll or io_uring) with a wakefd-netty registration whose handler signals pong. */
    @State(Scope.Thread)
    public static class NettyWakefdEcho {
        @Param({"epoll", "io_uring"})
        String transport;

        MultiThreadIoEventLoopGroup group;
        EventFd ping;
        EventFd pong;

        @Setup(Level.Trial)
        public void setup() throws Exception {
            IoHandlerFactory factory = nettyFactory(transport);
            group = new MultiThreadIoEventLoopGroup(1, factory);
            ping = EventFd.open();
            pong = EventFd.open();
            dev.wakefd.netty.NettyWake.register(group.next(), ping, Echo.signalling(pong))
                    .sync();
        }

        @TearDown(Level.Trial)
        public void close() {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
            ping.close();
            pong.close();
        }
    }

    /** A foreign thread wakes a Netty loop through wakefd and is woken back through wakefd. */
    @Benchmark
    public long nettyViaWakefd(NettyWakefdEcho s) throws Exception {
        s.ping.signal();
        return s.pong.await();
    }

    @Benchmark
    public long awaitPlatform(PlatformEcho s) throws Exception {
        return s.trip();
    }

    @Benchmark
    public long awaitVirtualEcho(VirtualEcho s) throws Exception {
        return s.trip();
    }

    @Benchmark
    public long wakerAwait(WakerEcho s) throws Exception {
        s.ping.wake();
        return s.pong.await();
    }

    @Benchmark
    public long poller(PollerEcho s) throws Exception {
        s.ping.signal();
        return s.pong.await();
    }

    @Benchmark
    public int selector(SelectorEcho s) throws IOException {
        s.a.wakeup();
        return s.b.select();
    }

    @Benchmark
    public void lockSupport(ParkEcho s) {
        s.trip();
    }

    @Benchmark
    public void nettyExecute(NettyEcho s) {
        s.bench = Thread.currentThread();
        s.back = false;
        s.loop.execute(s.task);
        while (!s.back) {
            LockSupport.park(s);
        }
    }
}
