package dev.wakefd.bench;

import java.io.IOException;
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
    public static class AwaitEcho extends SignalEcho {
        @Setup(Level.Trial)
        public void setup() throws IOException {
            requireVirtual();
            start(Thread.ofVirtual());
        }
    }

    /** The JDK's own virtual-thread hand-off: LockSupport park/unpark with a flag each way. */
    @State(Scope.Thread)
    public static class ParkEcho extends ParkEchoBase {
        @Setup(Level.Trial)
        public void setup() {
            requireVirtual();
            start(Thread.ofVirtual());
        }
    }

    @Benchmark
    public long await(AwaitEcho s) throws Exception {
        return s.trip();
    }

    @Benchmark
    public void lockSupport(ParkEcho s) {
        s.trip();
    }
}
