package dev.wakefd.bench;

import dev.wakefd.EventFd;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * What the POSIX-only fallback (pipe signal, poll(2) waits; what macOS and the BSDs get) costs
 * beside Linux's eventfd and epoll: the same benchmarks, forked once per platform by the two
 * subclasses ({@link PlatformCostLinuxBench}, {@link PlatformCostPosixBench}, the latter with
 * {@code -Dwakefd.platform=posix}), in one JMH run (run-benchmarks.sh --group posix). Threads are
 * placed by the scheduler; round trips start from idle (a 50 µs gap before each, outside the
 * timing).
 */
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public abstract class PlatformCostBench {

    @State(Scope.Thread)
    public static class Signals {
        EventFd idle;
        EventFd pending;
        EventFd empty;

        @Setup(Level.Trial)
        public void setup() throws IOException {
            idle = EventFd.open();
            pending = EventFd.open();
            pending.signal();
            empty = EventFd.open();
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            idle.close();
            pending.close();
            empty.close();
        }
    }

    /** Two signals and a platform echo thread that awaits ping and signals pong. */
    @State(Scope.Thread)
    public static class Echo extends SignalEcho {
        @Setup(Level.Trial)
        public void setup() throws IOException {
            start(Thread.ofPlatform().daemon());
        }

        /** Both sides idle before each trip: the waits start from sleep, as a real wake does. */
        @Setup(Level.Invocation)
        public void gap() {
            LockSupport.parkNanos(50_000);
        }
    }

    /** signal() on an idle signal, then the tryRead() that makes it idle again: the wake that writes. */
    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    public long signalFromIdleThenTryRead(Signals s) throws IOException {
        s.idle.signal();
        return s.idle.tryRead();
    }

    /** signal() while a count is pending (eventfd: a write each time; pipe: a CAS, no system call). */
    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    public void signalPending(Signals s) throws IOException {
        s.pending.signal();
    }

    /** tryRead() with nothing pending: what a loop pays to look and find nothing. */
    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    public long tryReadEmpty(Signals s) throws IOException {
        return s.empty.tryRead();
    }

    /** A platform-thread await() round trip from idle: signal ping, the echo's await returns, it signals pong. */
    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    public long platformAwaitRoundTrip(Echo e) throws IOException, InterruptedException {
        return e.trip();
    }
}
