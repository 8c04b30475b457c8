package dev.wakefd.bench;

import java.io.IOException;
import java.nio.channels.Pipe;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/**
 * The JMH settings every single-threaded cost benchmark shares (mean ns per call, one fork with
 * native access); JMH reads them from this superclass. Subclasses: NotifyBench, ReadBench,
 * FfmFloorBench.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(
        value = 1,
        jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
public abstract class CostBench {
    /** Closes both ends of a benchmark's pipe. */
    static void close(Pipe pipe) throws IOException {
        pipe.sink().close();
        pipe.source().close();
    }
}
