package dev.wakefd.bench;

import dev.wakefd.EventFd;
import dev.wakefd.Waker;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

/** The cost of a read that finds nothing: the common case for a loop checking its wake fd. */
public class ReadBench extends CostBench {
    EventFd eventFd;
    Waker waker;
    Pipe pipe;
    final ByteBuffer buffer = ByteBuffer.allocateDirect(8);

    @Setup
    public void setup() throws IOException {
        eventFd = EventFd.open();
        waker = Waker.open();
        pipe = Pipe.open();
        pipe.source().configureBlocking(false);
    }

    @TearDown
    public void tearDown() throws IOException {
        eventFd.close();
        waker.close();
        close(pipe);
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

    /**
     * The JDK's portable peer: a non-blocking Pipe source read that finds nothing. (Netty's
     * Native.eventFdRead has no empty case: it throws on EAGAIN, so it is not compared here.)
     */
    @Benchmark
    public int pipeReadEmpty() throws IOException {
        return pipe.source().read(buffer.clear());
    }
}
