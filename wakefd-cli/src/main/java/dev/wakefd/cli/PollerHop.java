package dev.wakefd.cli;

import dev.wakefd.EventFd;
import dev.wakefd.Poller;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** A {@link Poller} handler: the poller's epoll thread consumes the signal and calls it. */
final class PollerHop implements Hop {
    static final String NAME = "Poller handler";
    private final Poller poller;
    private final CountDownLatch done = new CountDownLatch(1);
    private volatile int passed;
    private volatile Throwable failure;
    private long[] times;

    PollerHop() throws java.io.IOException {
        this.poller = Poller.open("wakefd-demo-poller");
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String how() {
        return "Poller.register(signal, handler): a handler on the Poller's own epoll thread";
    }

    @Override
    public void start(EventFd in, EventFd out, int laps) throws java.io.IOException {
        long[] t = new long[laps];
        times = t;
        // Handlers run one at a time on the poller thread, so `lap` needs no synchronization.
        int[] lap = {0};
        poller.register(in, n -> {
            if (lap[0] >= laps) {
                return;
            }
            try {
                t[lap[0]] = System.nanoTime();
                if (n != 1) {
                    throw new IllegalStateException("lap " + lap[0] + ": read a count of " + n + ", expected the one wake");
                }
                out.signal();
                passed = ++lap[0];
                if (lap[0] == laps) {
                    done.countDown();
                }
            } catch (Throwable e) {
                failure = e;
                lap[0] = laps;
                done.countDown();
            }
        });
    }

    @Override
    public int passed() {
        return passed;
    }

    @Override
    public long[] wakeTimes(Duration timeout) throws InterruptedException {
        if (!done.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new Main.Failure(NAME + ": still waiting after " + timeout.toSeconds() + " s, having passed " + passed + " wakes");
        }
        poller.close(); // joins the poller thread: its writes to `times` are visible from here on
        if (failure != null) {
            throw new Main.Failure(NAME + ": " + failure, failure);
        }
        return times;
    }

    @Override
    public void close() {
        poller.close();
    }
}
