package dev.wakefd.bench;

import dev.wakefd.EventFd;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
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
 * A writer outside the JVM: a virtual thread (JMH's own, -Djmh.executor=VIRTUAL) pings a C echo
 * process ({@code src/main/c/foreign_echo.c}) and waits for its answer, which that process writes
 * itself. wakefd: {@code EventFd.await()} on an eventfd the process took with pidfd_getfd(2),
 * woken through the sub-poller on the virtual-thread scheduler (the default) or through the
 * shared platform poller ({@code -Dwakefd.virtualPoller=false}, the path before); the JDK: a
 * blocking read of a Unix-domain {@link SocketChannel} the process answers one byte on, woken by
 * the JDK's own poller. {@code scheduler=busy} runs as many other virtual threads as there are
 * CPUs, each computing 20 µs then parking 5 µs, so the carriers are mostly busy and threads are
 * runnable; {@code idle} leaves the scheduler to the round trip. Threads are placed by the scheduler; {@link WaitGap} gives each trip its gap.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(
        value = 1,
        jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Djmh.executor=VIRTUAL"})
public class ForeignEchoBench {
    private static final long STOP = 1L << 40;

    /** The echo process's binary: -Dwakefd.bench.foreignEcho, else where the build puts it. */
    static Path echoBinary() {
        String p = System.getProperty("wakefd.bench.foreignEcho");
        List<Path> candidates = p != null
                ? List.of(Path.of(p))
                : List.of(Path.of("wakefd-bench/target/foreign-echo"), Path.of("target/foreign-echo"));
        for (Path c : candidates) {
            if (Files.isExecutable(c)) {
                return c;
            }
        }
        throw new IllegalStateException("foreign-echo not found at " + candidates
                + " (built by `mvn -pl wakefd-bench package`; or set -Dwakefd.bench.foreignEcho)");
    }

    static Process startEcho(String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(echoBinary().toAbsolutePath().toString());
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd)
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
    }

    /** Other virtual threads kept runnable (busy), or none (idle). */
    @State(Scope.Benchmark)
    public static class Load {
        @Param({"idle", "busy"})
        public String scheduler;

        private volatile boolean stop;
        private final List<Thread> spinners = new ArrayList<>();

        @Setup(Level.Trial)
        public void start() {
            VirtualRoundTripBench.requireVirtual();
            if (!"busy".equals(scheduler)) {
                return;
            }
            int n = Runtime.getRuntime().availableProcessors();
            for (int i = 0; i < n; i++) {
                spinners.add(Thread.ofVirtual().name("busy-" + i).start(() -> {
                    while (!stop) {
                        long until = System.nanoTime() + 20_000;
                        while (System.nanoTime() - until < 0) {
                            Thread.onSpinWait();
                        }
                        // Not Thread.yield(): on JDK 25 a carrier that keeps re-running yielding
                        // threads starved the JDK's own socket read here for minutes.
                        LockSupport.parkNanos(5_000);
                    }
                }));
            }
        }

        @TearDown(Level.Trial)
        public void stop() throws InterruptedException {
            stop = true;
            for (Thread t : spinners) {
                t.join();
            }
        }
    }

    /** Two eventfds shared with the echo process: we signal ping, it writes pong. */
    abstract static class WakefdEcho {
        EventFd ping;
        EventFd pong;
        Process echo;

        abstract boolean subPoller();

        @Setup(Level.Trial)
        public void setup() throws Exception {
            VirtualRoundTripBench.requireVirtual();
            // Read when the first wait registers pong's watch (below): selects its poller.
            System.setProperty("wakefd.virtualPoller", Boolean.toString(subPoller()));
            ping = EventFd.open();
            pong = EventFd.open();
            echo = startEcho(
                    "efd",
                    Long.toString(ProcessHandle.current().pid()),
                    Integer.toString(ping.fd()),
                    Integer.toString(pong.fd()));
            trip(); // the first wait makes pong's watch and its poller entry
        }

        void trip() throws IOException, InterruptedException {
            ping.signal();
            pong.await();
        }

        @TearDown(Level.Trial)
        public void tearDown() throws Exception {
            ping.signal(STOP);
            if (!echo.waitFor(10, TimeUnit.SECONDS)) {
                echo.destroyForcibly();
            }
            ping.close();
            pong.close();
        }
    }

    @State(Scope.Thread)
    public static class SubPoller extends WakefdEcho {
        @Override
        boolean subPoller() {
            return true;
        }
    }

    @State(Scope.Thread)
    public static class PlatformPoller extends WakefdEcho {
        @Override
        boolean subPoller() {
            return false;
        }
    }

    /** A Unix-domain socket the echo process connects to and answers on. */
    @State(Scope.Thread)
    public static class JdkSocket {
        SocketChannel ch;
        Process echo;
        final ByteBuffer w = ByteBuffer.allocateDirect(1);
        final ByteBuffer r = ByteBuffer.allocateDirect(1);

        @Setup(Level.Trial)
        public void setup() throws Exception {
            VirtualRoundTripBench.requireVirtual();
            // unique per run: other engineers' benchmarks may run beside this one
            Path path = Path.of(
                    System.getProperty("java.io.tmpdir"),
                    "wakefd-feb-" + ProcessHandle.current().pid() + "-"
                            + ThreadLocalRandom.current().nextInt(1 << 30) + ".sock");
            try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
                server.bind(UnixDomainSocketAddress.of(path));
                echo = startEcho("uds", path.toString());
                ch = server.accept();
            } finally {
                Files.deleteIfExists(path);
            }
            trip();
        }

        void trip() throws IOException {
            w.clear();
            ch.write(w);
            r.clear();
            if (ch.read(r) < 0) {
                throw new IOException("echo process closed the socket");
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() throws Exception {
            ch.close();
            if (!echo.waitFor(10, TimeUnit.SECONDS)) {
                echo.destroyForcibly();
            }
        }
    }

    @Benchmark
    public void wakefdSubPoller(SubPoller p, Load load, WaitGap gap) throws Exception {
        p.trip();
    }

    @Benchmark
    public void wakefdPlatformPoller(PlatformPoller p, Load load, WaitGap gap) throws Exception {
        p.trip();
    }

    @Benchmark
    public void jdkUnixSocket(JdkSocket p, Load load, WaitGap gap) throws Exception {
        p.trip();
    }
}
