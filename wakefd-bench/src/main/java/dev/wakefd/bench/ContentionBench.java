package dev.wakefd.bench;

import dev.wakefd.EventFd;
import dev.wakefd.Waker;
import java.io.IOException;
import java.nio.channels.Selector;
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
import org.openjdk.jmh.annotations.Threads;

/** 1, 2 and 4 threads waking one Waker / signalling one EventFd / waking one Selector: total rate. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(
        value = 1,
        jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
public class ContentionBench {
    Waker waker;
    EventFd eventFd;
    Selector selector;

    @Setup
    public void setup() throws IOException {
        waker = Waker.open();
        waker.wake(); // pending from here on: every wake() is the coalesced path
        eventFd = EventFd.open();
        selector = Selector.open();
    }

    @TearDown
    public void tearDown() throws IOException {
        waker.close();
        eventFd.close();
        selector.close();
    }

    @Benchmark
    @Threads(1)
    public void wakerWake_1t() {
        waker.wake();
    }

    @Benchmark
    @Threads(2)
    public void wakerWake_2t() {
        waker.wake();
    }

    @Benchmark
    @Threads(4)
    public void wakerWake_4t() {
        waker.wake();
    }

    @Benchmark
    @Threads(1)
    public void eventFdSignal_1t() throws IOException {
        eventFd.signal();
    }

    @Benchmark
    @Threads(2)
    public void eventFdSignal_2t() throws IOException {
        eventFd.signal();
    }

    @Benchmark
    @Threads(4)
    public void eventFdSignal_4t() throws IOException {
        eventFd.signal();
    }

    @Benchmark
    @Threads(1)
    public Selector selectorWakeup_1t() {
        return selector.wakeup();
    }

    @Benchmark
    @Threads(2)
    public Selector selectorWakeup_2t() {
        return selector.wakeup();
    }

    @Benchmark
    @Threads(4)
    public Selector selectorWakeup_4t() {
        return selector.wakeup();
    }
}
