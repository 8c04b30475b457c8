package dev.wakefd.bench;

import dev.wakefd.EventFd;
import dev.wakefd.Waker;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.Native;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.nio.channels.Selector;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

/** The cost of one wake from the signalling side, single-threaded. */
public class NotifyBench extends CostBench {
    EventFd eventFd;
    Waker pending;
    Waker idle;
    EventFd nettyTarget;
    int nettyFd;
    Selector coalesced;
    Selector notCoalesced;
    Pipe pipe;
    final ByteBuffer one = ByteBuffer.allocateDirect(1);
    final ByteBuffer drain = ByteBuffer.allocateDirect(65536);

    @Setup
    public void setup() throws IOException {
        eventFd = EventFd.open();
        pending = Waker.open();
        pending.wake();
        idle = Waker.open();
        Epoll.ensureAvailability();
        nettyTarget = EventFd.open();
        nettyFd = nettyTarget.fd();
        coalesced = Selector.open();
        notCoalesced = Selector.open();
        pipe = Pipe.open();
        pipe.sink().configureBlocking(false);
        pipe.source().configureBlocking(false);
    }

    @TearDown
    public void tearDown() throws IOException {
        eventFd.close();
        pending.close();
        idle.close();
        nettyTarget.close();
        coalesced.close();
        notCoalesced.close();
        close(pipe);
    }

    /** wakefd EventFd.signal(): write(2) of 1 through FFM, with the close-race guard. */
    @Benchmark
    public void eventFdSignal() throws IOException {
        eventFd.signal();
    }

    /** Waker.wake() while a wake is pending: one load, no system call. */
    @Benchmark
    public void wakerWakePending() {
        pending.wake();
    }

    /** Waker.wake() from idle (pays the write) plus the drain that makes it idle again. */
    @Benchmark
    public boolean wakerWakeIdleThenDrain() throws IOException {
        idle.wake();
        return idle.drain();
    }

    /** Netty 4.2's JNI eventfd write, what its epoll loop's wakeup costs. */
    @Benchmark
    public void nettyEventFdWrite() {
        Native.eventFdWrite(nettyFd, 1L);
    }

    /** The JDK's Selector.wakeup() when a wakeup is already pending: coalesced in user space. */
    @Benchmark
    public Selector selectorWakeupCoalesced() {
        return coalesced.wakeup();
    }

    /** Selector.wakeup() then selectNow(), which consumes it: the not-coalesced cost. */
    @Benchmark
    public int selectorWakeupThenSelectNow() throws IOException {
        notCoalesced.wakeup();
        return notCoalesced.selectNow();
    }

    /** A one-byte non-blocking Pipe write (drained when full): the portable way. */
    @Benchmark
    public int pipeWrite() throws IOException {
        int n = pipe.sink().write(one.clear());
        if (n == 0) {
            while (pipe.source().read(drain.clear()) > 0) {
                // empty the pipe
            }
        }
        return n;
    }
}
