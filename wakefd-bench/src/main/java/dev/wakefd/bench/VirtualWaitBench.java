package dev.wakefd.bench;

import dev.wakefd.EventFd;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Round trips between two virtual threads (JMH's own thread is virtual, -Djmh.executor=VIRTUAL,
 * and so is the echo) through: wakefd's {@code EventFd.await()}; the JDK's blocking
 * {@link Pipe} channels, which park a virtual thread on the JDK's own poller; and a Unix-domain
 * {@link SocketChannel} pair. The run script runs this with the scheduler's parallelism at 1 and
 * 2 and with the whole JVM on one CPU; {@link WaitGap} gives each trip a gap of 0 or 50 µs.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(
        value = 1,
        jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Djmh.executor=VIRTUAL"})
public class VirtualWaitBench {

    /** One side of a ping-pong: send one unit, receive one unit. */
    interface End {
        void send() throws IOException;

        void receive() throws IOException, InterruptedException;
    }

    /** An echo virtual thread on the far end; the near end is the benchmark's. */
    abstract static class Pair {
        End near;
        End far;
        Thread echo;

        abstract void open() throws IOException;

        abstract void close() throws IOException;

        @Setup(Level.Trial)
        public void setup() throws IOException {
            VirtualRoundTripBench.requireVirtual();
            open();
            End e = far;
            echo = Thread.ofVirtual().start(() -> {
                try {
                    while (true) {
                        e.receive();
                        e.send();
                    }
                } catch (Exception closed) {
                    // benchmark over
                }
            });
        }

        @TearDown(Level.Trial)
        public void tearDown() throws Exception {
            close();
            echo.join();
        }
    }

    @State(Scope.Thread)
    public static class Wakefd extends Pair {
        EventFd ping;
        EventFd pong;

        @Override
        void open() throws IOException {
            ping = EventFd.open();
            pong = EventFd.open();
            near = ends(ping, pong);
            far = ends(pong, ping);
        }

        private static End ends(EventFd out, EventFd in) { // mirror of Channels.ends: one End per mechanism
            return new End() {
                @Override
                public void send() throws IOException {
                    out.signal();
                }

                @Override
                public void receive() throws IOException, InterruptedException {
                    in.await();
                }
            };
        }

        @Override
        void close() {
            ping.close();
            pong.close();
        }
    }

    /** One byte each way through a channel pair, blocking reads and writes. */
    abstract static class Channels extends Pair {
        static End ends(WritableByteChannel out, ReadableByteChannel in) {
            ByteBuffer w = ByteBuffer.allocateDirect(1);
            ByteBuffer r = ByteBuffer.allocateDirect(1);
            return new End() {
                @Override
                public void send() throws IOException {
                    w.clear();
                    out.write(w);
                }

                @Override
                public void receive() throws IOException {
                    r.clear();
                    if (in.read(r) < 0) {
                        throw new IOException("closed");
                    }
                }
            };
        }
    }

    @State(Scope.Thread)
    public static class JdkPipe extends Channels {
        Pipe there;
        Pipe back;

        @Override
        void open() throws IOException {
            there = Pipe.open();
            back = Pipe.open();
            near = ends(there.sink(), back.source());
            far = ends(back.sink(), there.source());
        }

        @Override
        void close() throws IOException {
            there.sink().close();
            back.sink().close();
            there.source().close();
            back.source().close();
        }
    }

    @State(Scope.Thread)
    public static class UnixSocket extends Channels {
        SocketChannel a;
        SocketChannel b;

        @Override
        void open() throws IOException {
            // unique per run: other engineers' benchmarks may run beside this one
            Path path = Path.of(
                    System.getProperty("java.io.tmpdir"),
                    "wakefd-vwb-" + ProcessHandle.current().pid() + "-"
                            + ThreadLocalRandom.current().nextInt(1 << 30) + ".sock");
            try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
                server.bind(UnixDomainSocketAddress.of(path));
                a = SocketChannel.open(UnixDomainSocketAddress.of(path));
                b = server.accept();
            } finally {
                Files.deleteIfExists(path);
            }
            near = ends(a, a);
            far = ends(b, b);
        }

        @Override
        void close() throws IOException {
            a.close();
            b.close();
        }
    }

    @Benchmark
    public void wakefdAwait(Wakefd p, WaitGap gap) throws Exception {
        p.near.send();
        p.near.receive();
    }

    @Benchmark
    public void jdkPipe(JdkPipe p, WaitGap gap) throws Exception {
        p.near.send();
        p.near.receive();
    }

    @Benchmark
    public void unixSocket(UnixSocket p, WaitGap gap) throws Exception {
        p.near.send();
        p.near.receive();
    }
}
