package dev.wakefd.bench;

import dev.wakefd.EventFd;
import dev.wakefd.Poller;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
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
 * The poller's dispatch cost as the number of registered fds grows: a round trip through one of
 * N registered EventFds (the others idle). epoll makes it independent of N; it should stay flat.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(
        value = 1,
        jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
public class PollerDispatchBench {
    @Param({"10", "1000", "10000"})
    int registered;

    Poller poller;
    final List<EventFd> fds = new ArrayList<>();
    EventFd target;
    EventFd pong;
    int next;

    @Setup(Level.Trial)
    public void setup() throws IOException {
        poller = Poller.open();
        pong = EventFd.open();
        for (int i = 0; i < registered; i++) {
            EventFd e = EventFd.open();
            fds.add(e);
            poller.register(e, Echo.signalling(pong));
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        poller.close();
        for (EventFd e : fds) {
            e.close();
        }
        pong.close();
    }

    /** Signals a different registered fd each time, then waits for the handler's answer. */
    @Benchmark
    public long dispatch() throws IOException, InterruptedException {
        EventFd e = fds.get(next);
        next = next + 1 == fds.size() ? 0 : next + 1;
        e.signal();
        return pong.await();
    }
}
