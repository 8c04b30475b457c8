package dev.wakefd.bench;

import dev.wakefd.EventFd;
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
import org.openjdk.jmh.annotations.TearDown;

/**
 * {@code readAsync()} completion latency: a future is pending (armed, untimed, before each
 * invocation); the timed part is the signal until the future's {@code thenRun} stage, on the
 * shared poller thread, has run (the benchmark thread watches a flag, yielding).
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(
        value = 1,
        jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
public class AsyncWaitBench {

    @State(Scope.Thread)
    public static class Armed {
        EventFd e;
        volatile boolean ran;

        @Setup(Level.Trial)
        public void open() throws IOException {
            e = EventFd.open();
        }

        @Setup(Level.Invocation)
        public void arm() {
            ran = false;
            e.readAsync().thenRun(() -> ran = true);
        }

        @TearDown(Level.Trial)
        public void close() {
            e.close();
        }
    }

    @Benchmark
    public boolean readAsyncToThenRun(Armed s, WaitGap gap) throws IOException {
        s.e.signal();
        while (!s.ran) {
            Thread.yield();
        }
        return true;
    }
}
