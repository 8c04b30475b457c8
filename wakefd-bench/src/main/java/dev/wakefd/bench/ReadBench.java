package dev.wakefd.bench;

import dev.wakefd.EventFd;
import dev.wakefd.Waker;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/** The cost of a read that finds nothing: the common case for a loop checking its wake fd. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
public class ReadBench {
    EventFd eventFd;
    Waker waker;

    @Setup
    public void setup() throws IOException {
        eventFd = EventFd.open();
        waker = Waker.open();
    }

    @TearDown
    public void tearDown() {
        eventFd.close();
        waker.close();
    }

    /** EventFd.tryRead() on an empty eventfd: read(2) returning EAGAIN. */
    @Benchmark
    public long tryReadEmpty() throws IOException {
        return eventFd.tryRead();
    }

    /** Waker.drain() with nothing pending: the read plus the flag CAS. */
    @Benchmark
    public boolean wakerDrainEmpty() throws IOException {
        return waker.drain();
    }
}
