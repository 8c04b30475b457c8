package dev.wakefd.cli;

import dev.wakefd.EventFd;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;

/** A virtual thread in {@code EventFd.await()}: it parks, and wakefd's shared poller unparks it. */
final class VirtualThreadHop implements Hop {
    static final String NAME = "virtual thread";
    private volatile int passed;
    private volatile Throwable failure;
    private long[] times;
    private Thread thread;

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String how() {
        return "EventFd.await() in a virtual thread (parks; never pins its carrier)";
    }

    @Override
    public void start(EventFd in, EventFd out, int laps) {
        long[] t = new long[laps];
        times = t;
        thread = Thread.ofVirtual().name("wakefd-demo-virtual").start(() -> {
            try {
                for (int lap = 0; lap < laps; lap++) {
                    long n = in.await();
                    t[lap] = System.nanoTime();
                    if (n != 1) {
                        throw new IllegalStateException("lap " + lap + ": read a count of " + n + ", expected the one wake");
                    }
                    out.signal();
                    passed = lap + 1;
                }
            } catch (ClosedChannelException | InterruptedException e) {
                // the ring is shutting down
            } catch (Throwable e) {
                failure = e;
            }
        });
    }

    @Override
    public int passed() {
        return passed;
    }

    @Override
    public long[] wakeTimes(Duration timeout) throws InterruptedException {
        if (!thread.join(timeout)) {
            throw new Main.Failure(NAME + ": still waiting after " + timeout.toSeconds() + " s, having passed " + passed + " wakes");
        }
        if (failure != null) {
            throw new Main.Failure(NAME + ": " + failure, failure);
        }
        return times;
    }

    @Override
    public void close() {
        if (thread != null) {
            thread.interrupt();
        }
    }
}
