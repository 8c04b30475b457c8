package dev.wakefd.bench;

import dev.wakefd.EventFd;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
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
 * Round trips with both sides on virtual threads: JMH's own benchmark thread is virtual
 * ({@code -Djmh.executor=VIRTUAL}, set for the fork here; the run script also sets it on the host
 * JVM for runs without forks), and so is the echo. A virtual thread in {@code await()} parks and
 * wakefd's poller unparks it, so this measures that path end to end. Setup refuses to run on a
 * platform thread rather than report a mislabelled number.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(
        value = 1,
        jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Djmh.executor=VIRTUAL"})
public class VirtualRoundTripBench {

    static void requireVirtual() {
        if (!Thread.currentThread().isVirtual()) {
            throw new IllegalStateException("VirtualRoundTripBench must run with -Djmh.executor=VIRTUAL");
        }
    }

    /** Two EventFds and a virtual echo thread that awaits ping and signals pong. */
    @State(Scope.Thread)
    public static class AwaitEcho {
        EventFd ping;
        EventFd pong;
        Thread echo;

        @Setup(Level.Trial)
        public void setup() throws IOException {
            requireVirtual();
            ping = EventFd.open();
            pong = EventFd.open();
            echo = Thread.ofVirtual().start(() -> {
                try {
                    while (true) {
                        ping.await();
                        pong.signal();
                    }
                } catch (Exception closed) {
                    // benchmark over: close() ends the await with an exception
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

    /** The JDK's own virtual-thread hand-off: LockSupport park/unpark with a flag each way. */
    @State(Scope.Thread)
    public static class ParkEcho {
        volatile boolean toEcho;
        volatile boolean toBench;
        volatile boolean stop;
        volatile Thread bench;
        Thread echo;

        @Setup(Level.Trial)
        public void setup() {
            requireVirtual();
            bench = Thread.currentThread();
            echo = Thread.ofVirtual().start(() -> {
                while (!stop) {
                    while (!toEcho && !stop) {
                        LockSupport.park(this);
                    }
                    toEcho = false;
                    toBench = true;
                    LockSupport.unpark(bench);
                }
            });
        }

        @TearDown(Level.Trial)
        public void stop() throws InterruptedException {
            stop = true;
            LockSupport.unpark(echo);
            echo.join();
        }
    }

    @Benchmark
    public long await(AwaitEcho s) throws Exception {
        s.ping.signal();
        return s.pong.await();
    }

    @Benchmark
    public void lockSupport(ParkEcho s) {
        s.bench = Thread.currentThread();
        s.toEcho = true;
        LockSupport.unpark(s.echo);
        while (!s.toBench) {
            LockSupport.park(s);
        }
        s.toBench = false;
    }
}
