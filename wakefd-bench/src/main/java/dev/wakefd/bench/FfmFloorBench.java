package dev.wakefd.bench;

import dev.wakefd.EventFd;
import dev.wakefd.internal.FdCalls;
import java.io.IOException;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Where signal()'s and tryRead()'s time goes: the bare FFM write(2) and read(2) without wakefd's
 * close-race guard, as the short-call path makes them (critical, no errno capture) and, for
 * write, as a shared fd's lease path makes them. Compare with NotifyBench.eventFdSignal and
 * ReadBench.tryReadEmpty.
 */
public class FfmFloorBench extends CostBench {
    EventFd eventFd;
    int fd;

    @Setup
    public void setup() throws IOException {
        eventFd = EventFd.open();
        fd = eventFd.fd();
    }

    @TearDown
    public void tearDown() {
        eventFd.close();
    }

    @Benchmark
    public long bareWriteCritical() throws IOException {
        return FdCalls.write8Critical(fd, 1, "write");
    }

    /** On an empty eventfd: EAGAIN. */
    @Benchmark
    public long bareReadCritical() throws IOException {
        return FdCalls.read8Critical(fd, "read");
    }

    @Benchmark
    public long bareWrite() throws IOException {
        return FdCalls.write8(fd, 1, "write");
    }
}
